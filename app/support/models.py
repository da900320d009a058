"""Support requests as data: what a cashier raises and what the vendor answers.

The words that travel to the vendor (category, severity, channel, the
vendor's statuses) and the vendor's answers are the protocol's own
(:mod:`pmv_protocol.wire`), re-exported here under the names the app uses.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from app.support.status import RequestStatus
from pmv_protocol import wire
from pmv_protocol.thread import OpenedBy, TicketUpdate
from pmv_protocol.wire import Category, Channel, Severity, TicketReceipt

__all__ = [
    "Attachment", "AttachmentError", "AttachmentKind", "Category", "Channel", "NewRequest", "OpenedBy", "RequestEvent",
    "RequestStatus", "Severity", "StatusChange", "SupportRequest", "TicketReceipt", "TicketUpdate",
]


class AttachmentKind(enum.StrEnum):
    DIAGNOSTICS = "diagnostics"
    SCREENSHOT = "screenshot"
    FILE = "file"


class AttachmentError(enum.StrEnum):
    MISSING = "missing"  # the stored copy disappeared
    TAMPERED = "tampered"  # the stored copy no longer matches its checksum
    TOO_LARGE = "too_large"  # refused by the server (413)
    REJECTED = "rejected"  # refused by the server (422, e.g. checksum)
    TICKET_GONE = "ticket_gone"  # the request's ticket is no longer on the server (404/410)


@dataclass(frozen=True)
class RequestDraft(wire.RequestWords):
    """A request's words and choices as the form holds them, unvalidated (fields: :class:`wire.RequestWords`)."""


@dataclass(frozen=True)
class NewRequest(RequestDraft):
    """A draft that passed validation: title and description trimmed, ``contact_phone`` normalised to E.164."""


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
    attempts: int = 0  # failed uploads so far (none of them final)
    next_attempt_at: dt.datetime | None = None  # not tried again before this; None: whenever the outbox runs


@dataclass(frozen=True)
class RequestEvent:
    at: dt.datetime
    kind: str  # created, sent, attempt_failed, status, attachment_failed; learnt (a ticket the system opened)
    detail: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SupportRequest(NewRequest):
    """A request saved on this PC: its words (:class:`RequestDraft`'s fields), its delivery and its answers."""

    id: str
    opened_at: dt.datetime
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
    # SYSTEM: the vendor's system opened it for the shop (a check held critical), learnt from the vendor's feed;
    # it was never raised here, so it has no contact of the shop's and nothing to deliver.
    opened_by: OpenedBy = OpenedBy.SHOP

    @property
    def opened_by_system(self) -> bool:
        return self.opened_by is OpenedBy.SYSTEM


@dataclass(frozen=True)
class StatusChange:
    """A request the vendor moved along; the UI notifies about it.

    ``system_opened``: not a move but news: a ticket the vendor's system opened for the shop, new to this PC
    (``old`` is then its status too).
    """

    request_id: str
    title: str
    ticket_number: str | None
    old: RequestStatus
    new: RequestStatus
    solution_text: str | None
    system_opened: bool = False
