"""A ticket's timeline, stored and read: the machinery every act of the conversation shares.

Writing (inside the caller's transaction): :func:`lock_ticket` first, then
:func:`flow_row`, :func:`move_status` and :func:`add_event`; every step and
every status change stamps ``tickets.updated_at`` with the step's
``recorded_at``, so the shop's ``updated_since`` poll sees it.

Reading: :func:`threads` gives the feed its steps in three queries whatever
the number of tickets (their events, the events' files, their flow rows),
and none at all when the poll found no ticket: a shop with nothing new costs
what it cost before the conversation existed.

The rules (who may do what, when) are not here: :mod:`vendor_server.shop_acts`
and :mod:`vendor_server.staff_acts` apply :mod:`pmv_protocol.ticket_flow`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, delete, select, update
from sqlalchemy.orm import Session

from pmv_protocol.thread import Author, EventKind, ThreadFile, TicketEvent
from pmv_protocol.wire import TicketStatus
from vendor_server.db import Attachment, Ticket, VendorDatabase
from vendor_server.records import TicketRecord, ticket_record
from vendor_server.thread_records import FINISHED, FlowRecord, TicketThread, derived_flow, flow_record, wire_event
from vendor_server.thread_tables import TicketEventFile, TicketEventRow, TicketFlow

# Ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits, and above any one shop's
# tickets in practice, so a poll is one query per table.
CHUNK = 500

T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


# --- writing -------------------------------------------------------------------------


def lock_ticket(session: Session, where: ColumnElement[bool]) -> Ticket | None:
    """The ticket matching ``where``, locked for the rest of the transaction (None when there is none).

    An UPDATE comes first, before anything is read: it takes the write lock (SQLite's, for the database;
    PostgreSQL's, for the row), so two acts on one ticket cannot both pass a rule on the same state: the
    second waits, then reads what the first wrote.
    """
    locked = session.execute(update(Ticket).where(where).values(updated_at=Ticket.updated_at)
                             .execution_options(synchronize_session=False))
    if not getattr(locked, "rowcount", 0):
        return None
    return session.scalar(select(Ticket).where(where).execution_options(populate_existing=True))


def start_flow(session: Session, ticket_id: int) -> TicketFlow:
    """A new ticket's flow row.

    A flow row already there belongs to a ticket that is gone: SQLite hands the highest id out again after
    the newest ticket was deleted, or the tickets were restored from an older backup.  The new ticket must
    not inherit that conversation, so it is removed first (one key lookup when there is none).
    """
    found = session.get(TicketFlow, ticket_id)
    if found is not None:
        session.expunge(found)  # deleted below: it must not linger in the session
        stale = select(TicketEventRow.id).where(TicketEventRow.ticket_id == ticket_id).scalar_subquery()
        session.execute(delete(TicketEventFile).where(TicketEventFile.event_id.in_(stale)))
        session.execute(delete(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id))
        session.execute(delete(TicketFlow).where(TicketFlow.ticket_id == ticket_id))
    row = TicketFlow(ticket_id=ticket_id, ever_resolved=False, rated=False)
    session.add(row)
    return row


def flow_row(session: Session, ticket: Ticket) -> TicketFlow:
    """The ticket's flow row; a ticket from before the conversation gets one, derived from its status."""
    row = session.get(TicketFlow, ticket.id)
    if row is None:
        row = derived_flow(ticket.id, ticket.status, ticket.updated_at)
        session.add(row)
    return row


def move_status(ticket: Ticket, flow: TicketFlow, status: str, now: dt.datetime) -> None:
    """Set the ticket's status and keep the flow in step.

    ``finished_at`` is when the ticket *entered* resolved-or-closed (closing a resolved ticket keeps it, so
    the reopen window is not stretched by the paperwork); any other status clears it.  Leaving
    ``solution_proposed`` ends the wait for a decision.
    """
    was_finished = ticket.status in FINISHED
    ticket.status = status
    if status in FINISHED:
        if not was_finished or flow.finished_at is None:
            flow.finished_at = now
        if status == TicketStatus.RESOLVED:
            flow.ever_resolved = True
    else:
        flow.finished_at = None
    if status != TicketStatus.SOLUTION_PROPOSED:
        flow.proposed_at = flow.close_after = None
    ticket.updated_at = now


def add_event(session: Session, ticket: Ticket, kind: EventKind, author: Author, author_name: str, *,
              at: dt.datetime, now: dt.datetime, client_id: str | None = None, text: str | None = None,
              data: str | None = None, attachment_ids: Sequence[int] = ()) -> TicketEventRow:
    """Store one step (flushed: it has its id) with its files, and stamp the ticket with ``now``."""
    row = TicketEventRow(ticket_id=ticket.id, kind=kind.value, author=author.value, author_name=author_name,
                         client_id=client_id, at=at, recorded_at=now, text=text, data=data)
    session.add(row)
    session.flush()
    session.add_all(TicketEventFile(event_id=row.id, attachment_id=attachment_id, position=position)
                    for position, attachment_id in enumerate(attachment_ids))
    ticket.updated_at = now
    session.flush()
    return row


def event_by_client_id(session: Session, ticket_id: int, client_id: str) -> TicketEventRow | None:
    return session.scalar(select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id,
                                                       TicketEventRow.client_id == client_id))


def stored_event(session: Session, row: TicketEventRow) -> TicketEvent:
    """One stored step as the wire's event, with its files."""
    return wire_event(row, _files_of(session, [row.id]).get(row.id, ()))


# --- reading -------------------------------------------------------------------------


def _files_of(session: Session, event_ids: Sequence[int]) -> dict[int, list[ThreadFile]]:
    files: dict[int, list[ThreadFile]] = {}
    for chunk in _chunks(event_ids):
        query = (select(TicketEventFile.event_id, Attachment.id, Attachment.filename, Attachment.size,
                        Attachment.sha256)
                 .join(Attachment, Attachment.id == TicketEventFile.attachment_id)
                 .where(TicketEventFile.event_id.in_(chunk))
                 .order_by(TicketEventFile.event_id, TicketEventFile.position))
        for event_id, attachment_id, filename, size, sha256 in session.execute(query):
            files.setdefault(event_id, []).append(ThreadFile(attachment_id, filename, size, sha256))
    return files


def events_of(session: Session, ticket_ids: Sequence[int],
              since: dt.datetime | None = None) -> dict[int, list[TicketEvent]]:
    """The steps of these tickets recorded strictly after ``since`` (all when None), oldest first."""
    rows: list[Row[Any]] = []
    for chunk in _chunks(ticket_ids):
        # Plain rows, not ORM objects: a full feed reads hundreds of steps, and the identity map and
        # attribute instrumentation were most of its cost.
        query = select(*TicketEventRow.__table__.columns).where(TicketEventRow.ticket_id.in_(chunk))
        if since is not None:
            query = query.where(TicketEventRow.recorded_at > since)
        rows += session.execute(query)
    rows.sort(key=lambda row: row.id)
    files = _files_of(session, [row.id for row in rows]) if rows else {}
    events: dict[int, list[TicketEvent]] = {}
    for row in rows:
        events.setdefault(row.ticket_id, []).append(wire_event(row, files.get(row.id, ())))
    return events


def flows_of(session: Session, tickets: Sequence[TicketRecord]) -> dict[int, FlowRecord]:
    rows: dict[int, TicketFlow] = {}
    for chunk in _chunks([ticket.id for ticket in tickets]):
        rows.update((row.ticket_id, row) for row in session.scalars(
            select(TicketFlow).where(TicketFlow.ticket_id.in_(chunk))))
    return {ticket.id: flow_record(ticket.status, rows.get(ticket.id)
                                   or derived_flow(ticket.id, ticket.status, ticket.updated_at))
            for ticket in tickets}


def threads(db: VendorDatabase, tickets: Sequence[TicketRecord],
            since: dt.datetime | None = None) -> list[TicketThread]:
    """The feed's view of ``tickets``: each with its steps after ``since`` and its flow."""
    if not tickets:
        return []  # nothing new: not one query more than before the conversation
    with db.sessions() as session:
        events = events_of(session, [ticket.id for ticket in tickets], since)
        flows = flows_of(session, tickets)
    return [TicketThread(ticket, tuple(events.get(ticket.id, ())), flows[ticket.id]) for ticket in tickets]


def ticket_thread(db: VendorDatabase, where: ColumnElement[bool]) -> TicketThread | None:
    """One ticket (``where`` picks it) with its whole timeline, or None."""
    with db.sessions() as session:
        ticket = session.scalar(select(Ticket).where(where))
        if ticket is None:
            return None
        record = ticket_record(ticket)
        events = events_of(session, [record.id]).get(record.id, [])
        flow = flows_of(session, [record])[record.id]
    return TicketThread(record, tuple(events), flow)

