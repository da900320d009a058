"""The console's home page: open tickets, closest to breaching their response deadline first.

Time left is counted in working hours on the vendor's calendar (the SLA's own measure): a request due Monday
09:00 seen on Friday 17:00 has one working hour left, not 64 real ones.  Since working time to a deadline only
grows as the deadline moves later, ordering by ``response_due_at`` in SQL is ordering by working time left.

The tickets whose clock runs come first, then the answered ones (a proposal or a visit offered: waiting on the
shop) and those without a deadline.  That split is made in SQL, before the page's limit, with the very rule
:func:`answered_tickets` states (:func:`answered_clause`): split after the limit, 200 answered tickets with
earlier deadlines would push every running one off the page, an overdue critical request included.  So one
query (tickets joined with their shop, assignee and newest answer and restart) gives the rows in order; the time
left of each is then a calendar computation, no further query (no N+1: the benchmark holds the page to 3x the
bare query).  Only a full page costs a second, plain count of what the filter matched, so the page can say how
many tickets it left out (a window count in the first query would make every page pay for it: SQLite then keeps
every matched row, not just the page's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Subquery, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.thread import OpenedBy
from pmv_protocol.wire import Severity, TicketStatus
from vendor_server.console.sla_report import ANSWERS, RESTARTS
from vendor_server.console.tables import StaffRow, TicketAssignment
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.thread_tables import TicketEventRow

OPEN_STATUSES = (TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS, TicketStatus.SOLUTION_PROPOSED,
                 TicketStatus.ON_SITE_SCHEDULED)
# What the shop is to act on next; the queue says "waiting for the shop" for an answered ticket in these.
WAITING_FOR_SHOP = (TicketStatus.SOLUTION_PROPOSED, TicketStatus.ON_SITE_SCHEDULED)
DUE_SOON = dt.timedelta(minutes=30)
PAGE_LIMIT = 200


@dataclass(frozen=True)
class QueueFilter:
    """What the staff member narrowed the queue to; None: everything."""

    status: str | None = None
    severity: str | None = None
    shop: str | None = None  # the shop's id, exact
    assignee: int | None = None  # a staff id; 0: nobody
    limit: int = PAGE_LIMIT


@dataclass(frozen=True)
class QueueRow:
    """One open ticket as the queue shows it."""

    ticket_id: int
    number: str
    title: str
    severity: str
    status: str
    shop_id: str
    shop_name: str
    opened_at: dt.datetime
    response_due_at: dt.datetime | None
    assignee_id: int | None
    assignee_name: str | None
    left: dt.timedelta | None  # working time to the deadline; negative: past it; None: no deadline
    # "system": opened by the vendor's system for the shop's ``check_id`` held critical (vendor_server/fleet).
    opened_by: str = OpenedBy.SHOP.value
    check_id: str | None = None
    answered: bool = False  # the current promise is kept (see answered_tickets): its deadline no longer runs

    @property
    def opened_by_system(self) -> bool:
        return self.opened_by == OpenedBy.SYSTEM

    @property
    def waiting_for_shop(self) -> bool:
        return self.answered and self.status in WAITING_FOR_SHOP

    @property
    def clock_runs(self) -> bool:
        return self.response_due_at is not None and not self.answered

    @property
    def breached(self) -> bool:
        return self.clock_runs and self.left is not None and self.left < dt.timedelta(0)

    @property
    def due_soon(self) -> bool:
        return self.clock_runs and self.left is not None and dt.timedelta(0) <= self.left <= DUE_SOON


@dataclass(frozen=True)
class Queue:
    """The queue's page: its rows in order, and how many open tickets the filter matched (``total``)."""

    rows: list[QueueRow]
    total: int

    @property
    def hidden(self) -> int:
        """Tickets matched but left off the page by its limit."""
        return self.total - len(self.rows)


def newest_steps(*where: ColumnElement[bool]) -> Subquery:
    """Per ticket (of those ``where`` keeps), the id of its newest answer and of its newest restart: one grouped
    read of the steps, joined to the tickets (a ticket without either has no row)."""
    return (select(TicketEventRow.ticket_id,
                   func.max(case((TicketEventRow.kind.in_(ANSWERS), TicketEventRow.id))).label("answer"),
                   func.max(case((TicketEventRow.kind.in_(RESTARTS), TicketEventRow.id))).label("restart"))
            .where(TicketEventRow.kind.in_(ANSWERS + RESTARTS), *where)
            .group_by(TicketEventRow.ticket_id).subquery("steps"))


def answered_clause(steps: Subquery) -> ColumnElement[bool]:
    """SQL for "the ticket's current promise is answered" (:func:`answered_tickets` says why), on the tickets
    joined (outer) with :func:`newest_steps`.  Never NULL: a ticket without steps is simply not answered."""
    return or_(Ticket.status == TicketStatus.SOLUTION_PROPOSED.value,
               func.coalesce(steps.c.answer, 0) > func.coalesce(steps.c.restart, 0))


_OPEN = Ticket.status.in_([s.value for s in OPEN_STATUSES])


def queue_query(where: QueueFilter) -> Select:
    """The rows of the queue in order (also what the benchmark times bare): each ticket with its shop, its
    assignee and whether it is answered (1 or 0)."""
    assignee = aliased(StaffRow)
    steps = newest_steps(TicketEventRow.ticket_id.in_(select(Ticket.id).where(_OPEN)))
    answered = case((answered_clause(steps), 1), else_=0)
    # The clock stops for an answered ticket and never ran for one without a deadline: both after the running.
    stopped = case((or_(answered_clause(steps), Ticket.response_due_at.is_(None)), 1), else_=0)
    query = (select(Ticket, Shop, assignee, answered.label("answered"))
             .join(Shop, Shop.id == Ticket.shop_pk)
             .outerjoin(TicketAssignment, TicketAssignment.ticket_id == Ticket.id)
             .outerjoin(assignee, assignee.id == TicketAssignment.staff_id)
             .outerjoin(steps, steps.c.ticket_id == Ticket.id))
    # Running clocks first; NULL deadlines (no coverage) last on both engines; the id keeps equal deadlines in
    # arrival order.
    return (_matching(query, where)
            .order_by(stopped, Ticket.response_due_at.is_(None), Ticket.response_due_at, Ticket.id)
            .limit(where.limit))


def count_query(where: QueueFilter) -> Select:
    """How many open tickets the filter matches (the page's rows and those its limit leaves out)."""
    return _matching(select(func.count()).select_from(Ticket).join(Shop, Shop.id == Ticket.shop_pk)
                     .outerjoin(TicketAssignment, TicketAssignment.ticket_id == Ticket.id), where)


def _matching(query: Select, where: QueueFilter) -> Select:
    """``query``, on the tickets joined with their shop and (outer) their assignment, narrowed to the open
    tickets ``where`` keeps."""
    query = query.where(_OPEN)
    if where.status:
        query = query.where(Ticket.status == where.status)
    if where.severity:
        query = query.where(Ticket.severity == where.severity)
    if where.shop:
        query = query.where(Shop.shop_id == where.shop)
    if where.assignee == 0:
        query = query.where(TicketAssignment.staff_id.is_(None))
    elif where.assignee is not None:
        query = query.where(TicketAssignment.staff_id == where.assignee)
    return query


class WorkingClock:
    """Working time between moments of a span of days, the calendar walked once for the whole page.

    ``WorkingCalendar.working_time_between`` walks the calendar day by day for each pair; a queue of 200
    tickets a month overdue would walk 6,000 days per page.  Here each day's working time is summed once into a
    running total, and each ticket's time left is the difference of two totals.
    """

    def __init__(self, calendar: WorkingCalendar, moments: list[dt.datetime]) -> None:
        self._calendar = calendar
        first = min(calendar.localize(m).date() for m in moments)
        last = max(calendar.localize(m).date() for m in moments)
        self._first = first
        self._before: list[dt.timedelta] = []  # working time from `first` 00:00 to each day's 00:00
        self._intervals: list[list[tuple[dt.datetime, dt.datetime]]] = []
        total = dt.timedelta(0)
        for offset in range((last - first).days + 1):
            intervals = calendar.intervals_on(first + dt.timedelta(days=offset))
            self._before.append(total)
            self._intervals.append(intervals)
            total += sum((end.astimezone(dt.UTC) - start.astimezone(dt.UTC) for start, end in intervals),
                         dt.timedelta(0))

    def _total(self, moment: dt.datetime) -> dt.timedelta:
        index = (self._calendar.localize(moment).date() - self._first).days
        at = moment.astimezone(dt.UTC)
        done = dt.timedelta(0)
        for start, end in self._intervals[index]:
            start_utc, end_utc = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
            if at > start_utc:
                done += min(at, end_utc) - start_utc
        return self._before[index] + done

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """As ``WorkingCalendar.working_time_between`` (negative when ``end`` comes first)."""
        return self._total(end) - self._total(start)


def answered_tickets(session: Session, ticket_ids: Collection[int]) -> set[int]:
    """Of ``ticket_ids``, those whose current promise is answered, judged as the SLA report judges it.

    Answered: a proposed solution or an offered visit stored after the promise last (re)started (the shop refused
    a proposal, or reopened the ticket).  The status alone does not say it: staff can move a ticket to "visit
    booked" with no visit offered (the deadline would then stop silently), or back to "in progress" after a
    timely proposal (an alarm for a promise already kept).  A ticket in ``solution_proposed`` counts as answered
    even without its step, as tickets from before the conversation have none.  One query, the queue's own rule
    (:func:`answered_clause`).
    """
    ids = list(ticket_ids)
    if not ids:
        return set()
    steps = newest_steps(TicketEventRow.ticket_id.in_(ids))
    return set(session.scalars(select(Ticket.id).outerjoin(steps, steps.c.ticket_id == Ticket.id)
                               .where(Ticket.id.in_(ids), answered_clause(steps))))


def open_queue(db: VendorDatabase, where: QueueFilter, calendar: WorkingCalendar, now: dt.datetime) -> Queue:
    """The queue's rows: running deadlines first by time left, then those answered, then none; and how many
    tickets the filter matched in all."""
    with db.sessions() as session:
        found = session.execute(queue_query(where)).all()
        total = len(found) if len(found) < where.limit else session.scalar(count_query(where)) or 0
    clock = WorkingClock(calendar, [now, *(t.response_due_at for t, *_rest in found if t.response_due_at)])
    rows = []
    for ticket, shop, staff, answered in found:
        due = ticket.response_due_at
        rows.append(QueueRow(
            ticket.id, ticket.number or "", ticket.title, ticket.severity, ticket.status, shop.shop_id, shop.name,
            ticket.opened_at, due, None if staff is None else staff.id, None if staff is None else staff.name,
            None if due is None else clock.between(now, due), ticket.opened_by, ticket.check_id, bool(answered)))
    return Queue(rows, max(total, len(rows)))  # tickets closed between the two reads: never a negative "not shown"


class AlreadyTaken(Exception):
    """A claim on a ticket someone else claimed meanwhile (two staff pressed "Nhận xử lý" on one row)."""

    def __init__(self, number: str) -> None:
        super().__init__(f"{number} is already assigned")
        self.number = number


def assign(db: VendorDatabase, ticket_id: int, staff_id: int | None, now: dt.datetime, *,
           claim: bool = False) -> str:
    """Give the ticket to ``staff_id`` (None: to nobody); returns its number (LookupError if there is none).

    ``claim``: only if nobody else has it (AlreadyTaken otherwise), so a claim never silently takes a ticket
    from the colleague who claimed it a moment before.
    """
    with db.sessions.begin() as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            raise LookupError(f"no ticket {ticket_id}")
        row = session.get(TicketAssignment, ticket_id)
        if claim and row is not None and row.staff_id != staff_id:
            raise AlreadyTaken(ticket.number or str(ticket_id))
        if staff_id is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(TicketAssignment(ticket_id=ticket_id, staff_id=staff_id, assigned_at=now))
        else:
            row.staff_id, row.assigned_at = staff_id, now
        return ticket.number or str(ticket_id)


SEVERITIES = tuple(s.value for s in Severity)
