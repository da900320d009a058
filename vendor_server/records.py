"""What the vendor's services return: frozen records, never ORM rows.

A record outlives its session (the routes, the ``pmv-vendor ticket``
commands and the tests read it after the session closed), and it carries the
wire's own words (:mod:`pmv_protocol.wire`) rather than bare strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pmv_protocol.thread import OpenedBy
from pmv_protocol.wire import Category, Channel, RequestWords, Severity, SolutionKind, TicketStatus
from vendor_server.db import Attachment, Ticket


@dataclass(frozen=True, kw_only=True)
class TicketRecord(RequestWords):
    """A shop's ticket as staff see it: the request (its words: :class:`RequestWords`), the shop's coverage
    that day, and where the vendor is."""

    id: int
    number: str
    shop_id: str
    idempotency_key: str
    app_version: str | None
    coverage: str  # a pmv_protocol.coverage.CoverageStatus value: why the deadline is what it is (or absent)
    opened_at: dt.datetime
    response_due_at: dt.datetime | None
    status: TicketStatus
    solution_kind: SolutionKind | None
    solution_text: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # Who opened it (a pmv_protocol.thread.OpenedBy value): the shop, or the vendor's system for a check held
    # critical, which ``check_id`` names (vendor_server/fleet/system_tickets.py).
    opened_by: str = OpenedBy.SHOP.value
    check_id: str | None = None


@dataclass(frozen=True)
class AttachmentRecord:
    """A stored file of a ticket; the bytes are at :func:`vendor_server.attachments.attachment_path`."""

    id: int
    ticket_id: int
    client_id: str
    filename: str
    size: int
    sha256: str
    created_at: dt.datetime


def ticket_record(ticket: Ticket) -> TicketRecord:
    """Call inside the session (reads ``ticket.shop``)."""
    assert ticket.number is not None, "number is set before commit"
    return TicketRecord(
        id=ticket.id, number=ticket.number, shop_id=ticket.shop.shop_id, idempotency_key=ticket.idempotency_key,
        category=Category(ticket.category), severity=Severity(ticket.severity), title=ticket.title,
        description=ticket.description, contact_name=ticket.contact_name, contact_phone=ticket.contact_phone,
        channel=Channel(ticket.channel), app_version=ticket.app_version, coverage=ticket.coverage,
        opened_at=ticket.opened_at, response_due_at=ticket.response_due_at, status=TicketStatus(ticket.status),
        solution_kind=SolutionKind(ticket.solution_kind) if ticket.solution_kind else None,
        solution_text=ticket.solution_text, created_at=ticket.created_at, updated_at=ticket.updated_at,
        opened_by=ticket.opened_by or OpenedBy.SHOP.value, check_id=ticket.check_id,
    )


def attachment_record(row: Attachment) -> AttachmentRecord:
    return AttachmentRecord(id=row.id, ticket_id=row.ticket_id, client_id=row.client_id, filename=row.filename,
                            size=row.size, sha256=row.sha256, created_at=row.created_at)
