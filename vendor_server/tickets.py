"""Tickets (the shops' support requests) on the vendor side: create, find, list, move along.

Framework-free on purpose: the routes in :mod:`vendor_server.routes.tickets`,
the ``pmv-vendor ticket`` commands and the tests all call these functions,
and they return records (:mod:`vendor_server.records`), never ORM rows.
Attachments are :mod:`vendor_server.uploads` (receiving) and
:mod:`vendor_server.attachments` (storing).

The promise the shop client builds on: a ticket is created at most once per
(shop, Idempotency-Key), even when the outbox retries or two deliveries race:
the unique constraint decides, and the loser returns the winner's row.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.contract import Contract, ContractError
from pmv_protocol.coverage import coverage_on, deadline_class
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.signed_json import parse_object
from pmv_protocol.sla import response_due
from pmv_protocol.thread import Author, EventKind, OpenedBy
from pmv_protocol.ticket_flow import DEFAULT_AUTO_CLOSE_WORKING_DAYS
from pmv_protocol.wire import NewTicket, SolutionKind, TicketStatus
from vendor_server import staff_acts
from vendor_server.db import Shop, Ticket, VendorDatabase, latest_contract_document
from vendor_server.records import TicketRecord, ticket_record
from vendor_server.staff_acts import DEFAULT_STAFF
from vendor_server.thread_records import event_data
from vendor_server.timeline import add_event, start_flow

log = logging.getLogger(__name__)

# What staff may set (the ``pmv-vendor ticket update`` choices), as the plain words of the wire.
STATUSES: tuple[str, ...] = tuple(status.value for status in TicketStatus)
SOLUTION_KINDS: tuple[str, ...] = tuple(kind.value for kind in SolutionKind)

def ticket_number(ticket_id: int, opened_at: dt.datetime) -> str:
    """``YC-<year>-<id>``: YC = yêu cầu; the year of opening in shop time (the vendor's zone too)."""
    return f"YC-{opened_at.astimezone(SHOP_TZ).year}-{ticket_id:06d}"


def coverage_for(db: VendorDatabase, shop: Shop, opened_at: dt.datetime, session: Session | None = None) -> str:
    """The shop's coverage code on the shop's day of ``opened_at``, from its latest contract: the row of the
    response-time table it is answered on (``maintenance`` for a contract in force, even inside the warranty).

    The day of *opening* counts, not of delivery: a shop that was offline
    when its warranty ended must still get the deadline it was promised.
    ``session``: read in the caller's transaction (an act that restarts the clock holds the ticket's lock).
    """
    if session is None:
        with db.sessions() as own:
            return coverage_in(own, shop, opened_at)
    return coverage_in(session, shop, opened_at)


def coverage_in(session: Session, shop: Shop, opened_at: dt.datetime) -> str:
    """:func:`coverage_for`, read in ``session`` (the caller's transaction, e.g. the fleet's sweep)."""
    document = latest_contract_document(session, shop.id)
    if document is None:
        return "expired"
    try:
        contract = Contract.from_payload(parse_object(document)["payload"])  # one reading: no key twice
    except (ValueError, KeyError, TypeError, ContractError) as exc:
        # Our own stored document is broken: still take the ticket (the shop
        # needs help), just without a deadline, and leave a trace for staff.
        log.error("contract of shop %s is unreadable (%s); ticket gets no deadline", shop.shop_id, exc)
        return "expired"
    return deadline_class(coverage_on(contract, opened_at.astimezone(SHOP_TZ).date()))


def ticket_terms(session: Session, shop: Shop, opened_at: dt.datetime, severity: str,
                 calendar: WorkingCalendar | None) -> tuple[str, dt.datetime | None]:
    """``(coverage, response_due_at)`` of a ticket opened at ``opened_at``: the one deadline rule every ticket
    follows, whoever opened it (the shop's request, or the fleet's system ticket)."""
    coverage = coverage_in(session, shop, opened_at)
    return coverage, response_due(opened_at, severity, coverage, calendar)


def insert_ticket(session: Session, ticket: Ticket, *, author: Author, now: dt.datetime,
                  client_id: str | None) -> Ticket:
    """Add ``ticket`` in ``session`` (not committed): its number from the id the insert gives it, its flow, and
    the first step of its timeline (OPENED by ``author``, named by its contact, ``client_id`` the shop's key).

    Raises IntegrityError when the (shop, key) pair is already taken (the caller decides what that means).
    """
    session.add(ticket)
    session.flush()
    ticket.number = ticket_number(ticket.id, ticket.opened_at)
    start_flow(session, ticket.id)
    # The deadline given is kept with the step: a refusal later overwrites the ticket's, and the SLA report
    # judges the first promise by this one, not by a calendar that may have changed since.
    add_event(session, ticket, EventKind.OPENED, author, ticket.contact_name, at=ticket.opened_at, now=now,
              client_id=client_id, text=ticket.title, data=event_data(response_due_at=ticket.response_due_at))
    return ticket


# How long a till may have kept a request or an act offline and still have it dated when it says. A stated time
# outside [now - this, now] is a till clock that is wrong (years ahead or behind): it is read as the nearest bound,
# so coverage, the deadline and the ticket's year follow the server's calendar, not the till's mistake.
OFFLINE_GRACE = dt.timedelta(days=7)


def shop_stated(at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The time a shop stated for what it did, read within [now - OFFLINE_GRACE, now] (the server's ``now``).

    The wire has already refused a time no clock gives (``pmv_protocol.wire.SHOP_YEARS``), so this compares."""
    return max(min(at, now), now - OFFLINE_GRACE)


def create_ticket(db: VendorDatabase, shop: Shop, idempotency_key: str, new: NewTicket,
                  *, now: dt.datetime | None = None,
                  calendar: WorkingCalendar | None = None) -> tuple[TicketRecord, bool]:
    """Create the shop's ticket, or return the one already made for this key; ``(record, created)``.

    ``calendar``: the working calendar the deadline counts on (the server passes the calendar packs it
    publishes, :mod:`vendor_server.calendars`); None is the default calendar with the holidays estimate.
    """
    existing = find_by_key(db, shop.id, idempotency_key)
    if existing is not None:
        return existing, False
    now = now or dt.datetime.now(dt.UTC)
    opened_at = shop_stated(new.opened_at, now)
    with db.sessions() as session:
        coverage, due = ticket_terms(session, shop, opened_at, new.severity, calendar)
        ticket = Ticket(
            shop_pk=shop.id, idempotency_key=idempotency_key, category=new.category, severity=new.severity,
            title=new.title, description=new.description, contact_name=new.contact_name,
            contact_phone=new.contact_phone, channel=new.channel, app_version=new.app_version or None,
            coverage=coverage, opened_at=opened_at, response_due_at=due, status=TicketStatus.RECEIVED,
            created_at=now, updated_at=now, opened_by=OpenedBy.SHOP.value,
        )
        try:
            # The timeline starts with the request itself, named by the shop's key like its other acts.
            insert_ticket(session, ticket, author=Author.SHOP, now=now, client_id=idempotency_key)
        except IntegrityError:
            # A concurrent delivery of the same request won the insert.
            session.rollback()
            winner = find_by_key(db, shop.id, idempotency_key)
            if winner is None:
                raise
            return winner, False
        session.commit()
        return ticket_record(ticket), True


def find_by_key(db: VendorDatabase, shop_pk: int, idempotency_key: str) -> TicketRecord | None:
    with db.sessions() as session:
        ticket = session.scalar(
            select(Ticket).where(Ticket.shop_pk == shop_pk, Ticket.idempotency_key == idempotency_key))
        return None if ticket is None else ticket_record(ticket)


def shop_ticket(db: VendorDatabase, shop_pk: int, ticket_id: int) -> TicketRecord | None:
    """The ticket if it belongs to this shop; another shop's ticket looks exactly like a missing one."""
    with db.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.id == ticket_id, Ticket.shop_pk == shop_pk))
        return None if ticket is None else ticket_record(ticket)


def tickets_updated_since(db: VendorDatabase, shop_pk: int,
                          updated_since: dt.datetime | None = None) -> list[TicketRecord]:
    """The shop's tickets changed strictly after ``updated_since`` (all when None), oldest change first."""
    query = select(Ticket).where(Ticket.shop_pk == shop_pk)
    if updated_since is not None:
        query = query.where(Ticket.updated_at > updated_since)
    with db.sessions() as session:
        return [ticket_record(t) for t in session.scalars(query.order_by(Ticket.updated_at, Ticket.id))]


def list_tickets(db: VendorDatabase, shop_id: str | None = None) -> list[TicketRecord]:
    """Staff view: every ticket (or one shop's), newest first; LookupError for an unknown shop."""
    query = select(Ticket)
    with db.sessions() as session:
        if shop_id is not None:
            shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
            if shop is None:
                raise LookupError(f"unknown shop {shop_id}")
            query = query.where(Ticket.shop_pk == shop.id)
        return [ticket_record(t) for t in session.scalars(query.order_by(Ticket.id.desc()))]


def update_ticket(db: VendorDatabase, number: str, *, status: str, solution_kind: str | None = None,
                  solution_text: str | None = None, now: dt.datetime | None = None, staff: str = DEFAULT_STAFF,
                  calendar: WorkingCalendar | None = None,
                  auto_close_working_days: int = DEFAULT_AUTO_CLOSE_WORKING_DAYS) -> TicketRecord:
    """Staff move a ticket along; ``updated_at`` becomes now so the shop's poller picks it up.

    ``solution_kind`` / ``solution_text`` are left as they were when None.  The timeline records it: a
    PROPOSED step when the status is ``solution_proposed`` (closable after ``auto_close_working_days`` working
    days on ``calendar`` without an answer), else a STATUS step; ``staff`` names who did it.
    Raises ValueError for an unknown status or kind, LookupError for an unknown ticket.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}")
    if solution_kind is not None and solution_kind not in SOLUTION_KINDS:
        raise ValueError(f"unknown solution kind {solution_kind!r}: expected one of {', '.join(SOLUTION_KINDS)}")
    return staff_acts.set_status(db, number, status=status, solution_kind=solution_kind,
                                 solution_text=solution_text, staff=staff, now=now or dt.datetime.now(dt.UTC),
                                 calendar=calendar, working_days=auto_close_working_days)
