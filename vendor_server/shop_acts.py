"""What a shop does on its ticket's conversation: write, decide on a proposal, answer a visit, rate, reopen.

Each act arrives with its own ``Idempotency-Key`` and is stored at most once per (ticket, key): the same key
again returns the stored step (``created`` False), whatever the ticket's state has become since, so an
outbox that lost the first answer is never refused its own act.  A new act is checked against
:mod:`pmv_protocol.ticket_flow` on the locked ticket (:func:`vendor_server.timeline.lock_ticket`) and
refused with :class:`~vendor_server.thread_records.ActRefused` (the API's 409) when its state does not
allow it.

Times: an act's ``at`` is the till's clock, which may be wrong or, for an act queued offline, old.  It is
never taken as later than the server's ``now``, and an act that restarts the response clock (a refusal, a
reopening) never counts from before what it answers (the proposal, the resolution): the deadline then
cannot land in the past of the step it follows, nor be pushed into the future by a fast till.
Framework-free, like the ticket services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmv_protocol import ticket_flow
from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.sla import response_due
from pmv_protocol.thread import (
    Author,
    Decision,
    EventKind,
    NewDecision,
    NewMessage,
    NewRating,
    NewReopen,
    NewVisitAnswer,
    VisitAnswer,
    VisitState,
)
from pmv_protocol.ticket_flow import Refusal
from pmv_protocol.wire import TicketStatus, canonical_uuid
from vendor_server.db import Attachment, Shop, Ticket, VendorDatabase
from vendor_server.records import ticket_record
from vendor_server.thread_records import ActResult, event_data, flow_record, refuse
from vendor_server.thread_tables import TicketEventRow, TicketFlow
from vendor_server.tickets import coverage_for, shop_stated
from vendor_server.timeline import add_event, event_by_client_id, flow_row, lock_ticket, move_status, stored_event

# One act's work on the locked ticket: check the rule (raise ActRefused), write, return the new step.
Step = Callable[[Session, Ticket, TicketFlow], TicketEventRow]


def _clamped(at: dt.datetime, not_before: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The shop's stated time (read as :func:`~vendor_server.tickets.shop_stated` reads it), no earlier than
    ``not_before``."""
    moment = shop_stated(at, now)
    return moment if not_before is None else max(moment, min(not_before, now))


class KeyReused(ValueError):
    """The Idempotency-Key already names another kind of act on this ticket (a client's bug): answering with that
    act would tell the client a reopen was stored when it was a message."""


def _act(db: VendorDatabase, shop: Shop, ticket_id: int, key: str, step: Step,
         kinds: tuple[EventKind, ...]) -> ActResult:
    """Store the act once per (ticket, key); LookupError when the ticket is not this shop's, KeyReused when the
    key already names a step of another kind than ``kinds`` (what this act records)."""

    def same_act(found: TicketEventRow) -> TicketEventRow:
        if found.kind not in {kind.value for kind in kinds}:
            raise KeyReused(f"Idempotency-Key {key} already names a {found.kind} step of this ticket")
        return found

    mine = (Ticket.id == ticket_id) & (Ticket.shop_pk == shop.id)
    with db.sessions() as session:  # a replay is answered without taking the ticket's lock
        ticket = session.scalar(select(Ticket).where(mine))
        if ticket is None:
            raise LookupError(f"no ticket {ticket_id} for this shop")
        found = event_by_client_id(session, ticket_id, key)
        if found is not None:
            return ActResult(stored_event(session, same_act(found)), ticket_record(ticket), False)
    with db.sessions() as session:
        ticket = lock_ticket(session, mine)
        if ticket is None:
            raise LookupError(f"no ticket {ticket_id} for this shop")
        found = event_by_client_id(session, ticket_id, key)  # stored while this one waited for the lock
        if found is None:
            try:
                row = step(session, ticket, flow_row(session, ticket))
            except IntegrityError:  # the same key stored by a racing delivery after all: the winner's step
                session.rollback()
                found = event_by_client_id(session, ticket_id, key)
                if found is None:
                    raise
            else:
                result = ActResult(stored_event(session, row), ticket_record(ticket), True)
                session.commit()
                return result
        ticket = session.get(Ticket, ticket_id, populate_existing=True)
        assert ticket is not None
        return ActResult(stored_event(session, same_act(found)), ticket_record(ticket), False)


def _state(ticket: Ticket, flow: TicketFlow) -> ticket_flow.FlowState:
    return flow_record(ticket.status, flow).state()


def _new_deadline(db: VendorDatabase, session: Session, shop: Shop, ticket: Ticket, at: dt.datetime,
                  calendar: WorkingCalendar | None) -> dt.datetime | None:
    """The response deadline restarted at ``at``: the same SLA rules, on the shop's coverage that day."""
    return response_due(at, ticket.severity, coverage_for(db, shop, at, session), calendar)


def post_message(db: VendorDatabase, shop: Shop, ticket_id: int, key: str, new: NewMessage,
                 *, now: dt.datetime) -> ActResult:
    """A message from the shop; its files must already be the ticket's attachments (named by client id)."""

    def step(session: Session, ticket: Ticket, flow: TicketFlow) -> TicketEventRow:
        refuse(ticket_flow.refuse_message(_state(ticket, flow)))
        wanted = list(dict.fromkeys(canonical_uuid(name) or name for name in new.attachment_ids))
        found = {row.client_id: row.id for row in session.scalars(
            select(Attachment).where(Attachment.ticket_id == ticket.id, Attachment.client_id.in_(wanted)))}
        missing = [name for name in wanted if name not in found]
        refuse(Refusal.FILES_MISSING if missing else None, "not uploaded: " + ", ".join(missing))
        return add_event(session, ticket, EventKind.MESSAGE, Author.SHOP, new.author_name,
                         at=_clamped(new.at, None, now), now=now, client_id=key, text=new.text.strip() or None,
                         attachment_ids=[found[name] for name in wanted])

    return _act(db, shop, ticket_id, key, step, (EventKind.MESSAGE,))


def post_decision(db: VendorDatabase, shop: Shop, ticket_id: int, key: str, new: NewDecision,
                  *, now: dt.datetime, calendar: WorkingCalendar | None = None) -> ActResult:
    """Accept (resolved) or refuse (in progress again, with a response deadline restarted) the proposal."""

    def step(session: Session, ticket: Ticket, flow: TicketFlow) -> TicketEventRow:
        refuse(ticket_flow.refuse_decision(_state(ticket, flow)))
        # Counted from the refusal as the shop states it, but not before the proposal it answers nor after now.
        at = _clamped(new.at, flow.proposed_at, now)
        reason = new.reason or None
        if new.decision is Decision.ACCEPT:
            move_status(ticket, flow, TicketStatus.RESOLVED, now)
            return add_event(session, ticket, EventKind.ACCEPTED, Author.SHOP, new.author_name, at=at, now=now,
                             client_id=key, text=reason)
        due = _new_deadline(db, session, shop, ticket, at, calendar)
        move_status(ticket, flow, TicketStatus.IN_PROGRESS, now)
        ticket.response_due_at = due
        return add_event(session, ticket, EventKind.REFUSED, Author.SHOP, new.author_name, at=at, now=now,
                         client_id=key, text=reason, data=event_data(response_due_at=due))

    return _act(db, shop, ticket_id, key, step, (EventKind.ACCEPTED, EventKind.REFUSED))


def post_visit_answer(db: VendorDatabase, shop: Shop, ticket_id: int, key: str, new: NewVisitAnswer,
                      *, now: dt.datetime) -> ActResult:
    """Confirm the offered visit (on_site_scheduled) or ask for another time (the vendor offers again)."""

    def step(session: Session, ticket: Ticket, flow: TicketFlow) -> TicketEventRow:
        refuse(ticket_flow.refuse_visit_answer(_state(ticket, flow), new.visit_id))
        at, note = _clamped(new.at, None, now), new.note or None
        data = event_data(visit_id=new.visit_id)
        if new.answer is VisitAnswer.CONFIRM:
            move_status(ticket, flow, TicketStatus.ON_SITE_SCHEDULED, now)
            flow.visit_state = VisitState.CONFIRMED.value
            return add_event(session, ticket, EventKind.VISIT_CONFIRMED, Author.SHOP, new.author_name, at=at,
                             now=now, client_id=key, text=note, data=data)
        flow.visit_state, flow.visit_note = VisitState.RESCHEDULE_ASKED.value, note
        return add_event(session, ticket, EventKind.VISIT_RESCHEDULE, Author.SHOP, new.author_name, at=at,
                         now=now, client_id=key, text=note, data=data)

    return _act(db, shop, ticket_id, key, step, (EventKind.VISIT_CONFIRMED, EventKind.VISIT_RESCHEDULE))


def post_rating(db: VendorDatabase, shop: Shop, ticket_id: int, key: str, new: NewRating,
                *, now: dt.datetime) -> ActResult:
    """1-5 stars and a comment, once per ticket, after it was resolved."""

    def step(session: Session, ticket: Ticket, flow: TicketFlow) -> TicketEventRow:
        refuse(ticket_flow.refuse_rating(_state(ticket, flow)))
        flow.rated = True
        return add_event(session, ticket, EventKind.RATED, Author.SHOP, new.author_name,
                         at=_clamped(new.at, None, now), now=now, client_id=key, text=new.comment or None,
                         data=event_data(stars=new.stars))

    return _act(db, shop, ticket_id, key, step, (EventKind.RATED,))


def post_reopen(db: VendorDatabase, shop: Shop, ticket_id: int, key: str, new: NewReopen,
                *, now: dt.datetime, calendar: WorkingCalendar | None = None) -> ActResult:
    """"Lỗi xuất hiện lại": in progress again, with a response deadline restarted, within the reopen window."""

    def step(session: Session, ticket: Ticket, flow: TicketFlow) -> TicketEventRow:
        # The window is judged at the shop's stated time (an act queued offline on day 6 still counts), but
        # never later than now nor before the resolution it reopens.
        at = _clamped(new.at, flow.finished_at, now)
        refuse(ticket_flow.refuse_reopen(_state(ticket, flow), at))
        due = _new_deadline(db, session, shop, ticket, at, calendar)
        move_status(ticket, flow, TicketStatus.IN_PROGRESS, now)
        ticket.response_due_at = due
        return add_event(session, ticket, EventKind.REOPENED, Author.SHOP, new.author_name, at=at, now=now,
                         client_id=key, text=new.reason, data=event_data(response_due_at=due))

    return _act(db, shop, ticket_id, key, step, (EventKind.REOPENED,))

