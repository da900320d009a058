"""Support requests as data: what a cashier raises and what the vendor answers."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class Category(str, enum.Enum):
    INCIDENT = "incident"  # sự cố
    HOW_TO = "how_to"  # hướng dẫn sử dụng
    REGULATION_UPDATE = "regulation_update"  # cập nhật quy định
    REINSTALL = "reinstall"  # cài lại phần mềm
    BARCODE_DEVICE = "barcode_device"  # thiết bị mã vạch


class Severity(str, enum.Enum):
    CRITICAL = "critical"  # cannot trade
    HIGH = "high"
    NORMAL = "normal"


class Channel(str, enum.Enum):
    PHONE = "phone"
    EMAIL = "email"
    REMOTE = "remote"
    ON_SITE = "on_site"


class RequestStatus(str, enum.Enum):
    """Where a request is; the first two are the shop's, the rest the vendor's."""

    PENDING = "pending"  # chờ gửi: saved here, not yet accepted by the server
    SENT = "sent"  # đã gửi: the server has it (its answer says 'received')
    RECEIVED = "received"  # đã tiếp nhận
    IN_PROGRESS = "in_progress"  # đang xử lý
    SOLUTION_PROPOSED = "solution_proposed"  # đã đề xuất phương án
    ON_SITE_SCHEDULED = "on_site_scheduled"  # đã hẹn đến tận nơi
    RESOLVED = "resolved"  # đã giải quyết
    CLOSED = "closed"  # đã đóng

    @property
    def is_open(self) -> bool:
        return self not in (RequestStatus.RESOLVED, RequestStatus.CLOSED)


class AttachmentKind(str, enum.Enum):
    DIAGNOSTICS = "diagnostics"
    SCREENSHOT = "screenshot"
    FILE = "file"


class AttachmentError(str, enum.Enum):
    MISSING = "missing"  # the stored copy disappeared
    TAMPERED = "tampered"  # the stored copy no longer matches its checksum
    TOO_LARGE = "too_large"  # refused by the server (413)
    REJECTED = "rejected"  # refused by the server (422, e.g. checksum)
    TICKET_GONE = "ticket_gone"  # the request's ticket is no longer on the server (404/410)


@dataclass(frozen=True)
class NewRequest:
    """What the form collects; validated before it is saved."""

    category: Category
    severity: Severity
    title: str
    description: str
    contact_name: str
    contact_phone: str  # normalised, E.164
    channel: Channel


@dataclass(frozen=True)
class Attachment:
    id: str
    kind: AttachmentKind
    filename: str
    path: str
    size: int
    sha256: str
    uploaded_at: dt.datetime | None
    error: AttachmentError | None


@dataclass(frozen=True)
class RequestEvent:
    at: dt.datetime
    kind: str  # created, sent, attempt_failed, status, attachment_failed
    detail: dict[str, Any]


@dataclass(frozen=True)
class SupportRequest:
    id: str
    opened_at: dt.datetime
    category: Category
    severity: Severity
    title: str
    description: str
    contact_name: str
    contact_phone: str
    channel: Channel
    coverage: str
    response_due_at: dt.datetime | None
    status: RequestStatus
    ticket_id: int | None
    ticket_number: str | None
    solution_kind: Channel | None
    solution_text: str | None
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    updated_at: dt.datetime
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TicketReceipt:
    """The server's answer to POST /tickets."""

    id: int
    number: str
    status: str
    response_due_at: dt.datetime | None
    created: bool


@dataclass(frozen=True)
class TicketUpdate:
    """One entry of GET /tickets?updated_since=…"""

    id: int
    number: str
    status: str
    response_due_at: dt.datetime | None
    solution_kind: str | None
    solution_text: str | None
    updated_at: dt.datetime
    idempotency_key: str


@dataclass(frozen=True)
class StatusChange:
    """A request the vendor moved along; the UI notifies about it."""

    request_id: str
    title: str
    ticket_number: str | None
    old: RequestStatus
    new: RequestStatus
    solution_text: str | None
