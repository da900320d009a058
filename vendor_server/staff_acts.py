"""What the vendor's staff do on a ticket's conversation: reply, propose, offer a visit, move, close.

Each act is one transaction on the locked ticket (:func:`vendor_server.timeline.lock_ticket`): a timeline
step named after the staff member, the ticket's status and flow in step, ``updated_at`` stamped so the
shop's poll brings it.  ``pmv-vendor ticket …`` calls these, and so does ``pmv-vendor ticket update``
through :func:`vendor_server.tickets.update_ticket`.  Framework-free, like the ticket services.

A closed ticket takes no new step from staff either (the shop's rules say the same,
:mod:`pmv_protocol.ticket_flow`): staff reopen it first with ``ticket update --status in_progress``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmv_protocol import ticket_flow
from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.thread import AUTHOR_NAME_MAX, MESSAGE_MAX, Author, EventKind, VisitSlot, VisitState
from pmv_protocol.wire import SolutionKind, TicketStatus
from vendor_server.attachments import store_vendor_file
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.records import TicketRecord, ticket_record
from vendor_server.thread_records import ActResult, event_data, refuse, slot_json
from vendor_server.thread_tables import TicketFlow
from vendor_server.timeline import add_event, flow_row, lock_ticket, move_status, stored_event

DEFAULT_STAFF = "staff"  # who ``ticket update`` names when a script from before the conversation does not say
SYSTEM_NAME = "system"  # the author name of the server's own steps (an unanswered proposal closed)


@contextmanager
def _locked(db: VendorDatabase, number: str) -> Iterator[tuple[Session, Ticket, TicketFlow]]:
    """The ticket by its number, locked, with its flow row; committed when the block ends without error."""
    with db.sessions.begin() as session:
        ticket = lock_ticket(session, Ticket.number == number.strip().upper())
        if ticket is None:
            raise LookupError(f"unknown ticket {number}")
        yield session, ticket, flow_row(session, ticket)


def _staff(name: str) -> str:
    name = name.strip()
    if not name or len(name) > AUTHOR_NAME_MAX:
        raise ValueError(f"the staff name must be 1 to {AUTHOR_NAME_MAX} characters")
    return name


def _text(text: str | None, what: str, required: bool = True) -> str | None:
    text = (text or "").strip()
    if len(text) > MESSAGE_MAX:
        raise ValueError(f"{what} is longer than {MESSAGE_MAX} characters")
    if required and not text:
        raise ValueError(f"{what} is empty")
    return text or None


def _open(ticket: Ticket) -> None:
    refuse(ticket_flow.refuse_message(ticket_flow.FlowState(ticket.status)),
           f"{ticket.number} is closed; reopen it with: ticket update {ticket.number} --status in_progress")


def _proposal(session: Session, ticket: Ticket, flow: TicketFlow, staff: str, now: dt.datetime,
              calendar: WorkingCalendar | None, working_days: int) -> ActResult:
    """The ticket's solution (already on its row) proposed: the shop's decision is awaited until close_after."""
    close_after = ticket_flow.close_after(now, working_days, calendar)
    move_status(ticket, flow, TicketStatus.SOLUTION_PROPOSED, now)
    flow.proposed_at, flow.close_after = now, close_after
    row = add_event(session, ticket, EventKind.PROPOSED, Author.VENDOR, staff, at=now, now=now,
                    text=ticket.solution_text, data=event_data(solution_kind=ticket.solution_kind,
                                                               close_after=close_after))
    return ActResult(stored_event(session, row), ticket_record(ticket), True)


def set_status(db: VendorDatabase, number: str, *, status: str, solution_kind: str | None,
               solution_text: str | None, staff: str, now: dt.datetime, calendar: WorkingCalendar | None = None,
               working_days: int = ticket_flow.DEFAULT_AUTO_CLOSE_WORKING_DAYS) -> TicketRecord:
    """``pmv-vendor ticket update``: any status, on any ticket (the staff's way to reopen one, too).

    Moving to ``solution_proposed`` is a proposal (a PROPOSED step with ``close_after``); anything else is a
    STATUS step whose text is the new status.  Validation of the words is the caller's
    (:func:`vendor_server.tickets.update_ticket`).
    """
    staff = _staff(staff)
    with _locked(db, number) as (session, ticket, flow):
        if solution_kind is not None:
            ticket.solution_kind = solution_kind
        if solution_text is not None:
            ticket.solution_text = solution_text
        if status == TicketStatus.SOLUTION_PROPOSED:
            return _proposal(session, ticket, flow, staff, now, calendar, working_days).ticket
        move_status(ticket, flow, status, now)
        add_event(session, ticket, EventKind.STATUS, Author.VENDOR, staff, at=now, now=now, text=status)
        return ticket_record(ticket)


def propose(db: VendorDatabase, number: str, *, staff: str, kind: str, text: str, now: dt.datetime,
            calendar: WorkingCalendar | None = None,
            working_days: int = ticket_flow.DEFAULT_AUTO_CLOSE_WORKING_DAYS) -> ActResult:
    """Propose a solution (phone, email, remote, on_site + how); the shop accepts or refuses it."""
    staff, words = _staff(staff), _text(text, "the proposed solution")
    solution = SolutionKind(kind)  # ValueError for a kind the wire does not know
    with _locked(db, number) as (session, ticket, flow):
        _open(ticket)
        ticket.solution_kind, ticket.solution_text = solution.value, words
        return _proposal(session, ticket, flow, staff, now, calendar, working_days)


def reply(db: VendorDatabase, number: str, *, staff: str, text: str | None = None, files: Sequence[Path] = (),
          attachments_root: Path, now: dt.datetime) -> ActResult:
    """A message to the shop: text, files, or both; the files become the ticket's attachments."""
    staff, words = _staff(staff), _text(text, "the message", required=not files)
    stored: list[Path] = []
    try:
        with _locked(db, number) as (session, ticket, _flow):
            _open(ticket)
            ids = []
            for source in files:
                attachment, path = store_vendor_file(session, ticket.id, Path(source), attachments_root, now=now)
                stored.append(path)
                ids.append(attachment.id)
            row = add_event(session, ticket, EventKind.MESSAGE, Author.VENDOR, staff, at=now, now=now, text=words,
                            attachment_ids=ids)
            result = ActResult(stored_event(session, row), ticket_record(ticket), True)
    except BaseException:
        for path in stored:  # not committed: no file without its row
            path.unlink(missing_ok=True)
        raise
    return result


def propose_visit(db: VendorDatabase, number: str, *, staff: str, day: dt.date, start: dt.time, end: dt.time,
                  technician: str, now: dt.datetime) -> ActResult:
    """Offer an on-site visit (shop time); it replaces any earlier offer, which can then no longer be answered."""
    staff, technician = _staff(staff), _staff(technician)
    if end <= start:
        raise ValueError(f"the visit ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    slot = VisitSlot(day, start, end, technician)
    with _locked(db, number) as (session, ticket, flow):
        _open(ticket)
        row = add_event(session, ticket, EventKind.VISIT_PROPOSED, Author.VENDOR, staff, at=now, now=now,
                        data=event_data(visit=slot))
        flow.visit_id, flow.visit_state, flow.visit_note = row.id, VisitState.PROPOSED.value, None
        flow.visit_slot = json.dumps(slot_json(slot), ensure_ascii=False)
        return ActResult(stored_event(session, row), ticket_record(ticket), True)


def close(db: VendorDatabase, number: str, *, staff: str, note: str | None = None, now: dt.datetime) -> ActResult:
    """Staff close a ticket (the shop may still reopen it within the reopen window)."""
    staff, words = _staff(staff), _text(note, "the note", required=False)
    with _locked(db, number) as (session, ticket, flow):
        _open(ticket)
        move_status(ticket, flow, TicketStatus.CLOSED, now)
        row = add_event(session, ticket, EventKind.CLOSED, Author.VENDOR, staff, at=now, now=now, text=words)
        return ActResult(stored_event(session, row), ticket_record(ticket), True)


def close_unanswered(db: VendorDatabase, *, now: dt.datetime) -> list[TicketRecord]:
    """Close every proposal whose ``close_after`` has passed with no word from the shop (what a cron runs).

    Strictly after: at ``close_after`` itself the shop still had its last working day's closing minute.  The
    shop was told the moment with the proposal (its PROPOSED step carries ``close_after``).  Each ticket is
    its own transaction, re-checked under its lock: a decision that arrived meanwhile wins.
    """
    with db.sessions() as session:
        numbers = list(session.scalars(
            select(Ticket.number).join(TicketFlow, TicketFlow.ticket_id == Ticket.id)
            .where(Ticket.status == TicketStatus.SOLUTION_PROPOSED, TicketFlow.close_after < now)
            .order_by(Ticket.id)))
    closed = []
    for number in numbers:
        assert number is not None, "a committed ticket has its number"
        with _locked(db, number) as (session, ticket, flow):
            if ticket.status != TicketStatus.SOLUTION_PROPOSED or flow.close_after is None or flow.close_after >= now:
                continue
            move_status(ticket, flow, TicketStatus.CLOSED, now)
            add_event(session, ticket, EventKind.CLOSED, Author.SYSTEM, SYSTEM_NAME, at=now, now=now)
            closed.append(ticket_record(ticket))
    return closed

