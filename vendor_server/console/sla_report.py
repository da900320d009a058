"""The SLA report: how well the vendor kept its own promise, per month and per staff member.

The promise (DESIGN.md, "Domain rules"; :mod:`pmv_protocol.sla`) is a proposed solution within 2 or 4
working hours, by severity, while the shop is covered.  This report is the vendor's own measure of it, so
it counts exactly that promise and nothing kinder:

* **A promise** starts when a ticket is opened (start: ``tickets.opened_at``; deadline: the ticket's first
  ``response_due_at``) and again at each ``refused`` or ``reopened`` step whose data carries a new
  ``response_due_at`` (start: the step's ``at``; deadline: that).  The ticket's ``response_due_at`` column is
  overwritten by each restart (:mod:`vendor_server.shop_acts`), so the first deadline is the one the
  ``opened`` step kept when the shop was given it (a calendar pack published since cannot move it).  Only a
  ticket opened before steps kept it has its first deadline computed again by
  :func:`pmv_protocol.sla.response_due` from its opening, severity and coverage, on the calendar given.
* **Answered** by the first vendor ``proposed`` or ``visit_proposed`` step recorded after the promise's start
  and before the ticket's next promise starts: a proposed solution or an offered visit both keep the
  promise; a plain message does not.  Steps are taken in the order the server stored them (their id), as
  the timeline is, because a shop's stated ``at`` may be clamped onto the step it follows.  One proposal
  answers one promise: a promise still unanswered when the next one starts (staff closed a ticket without
  proposing, the shop reopened it) stays unanswered.
* **No promise** when the deadline is None (coverage ``expired``, or a restart on a day without coverage).
  A ticket opened in the window without a deadline is counted in ``uncovered`` and left out of the rows.
* **Response time** = ``calendar.working_time_between(start, answered_at)``, in working time (never below
  zero, should a clock have put the answer before its start); **met** = ``answered_at <= deadline``.
* **Breach**: answered after the deadline, or unanswered with the deadline before ``now`` (an *open*
  breach, ``answered_at`` None).  An unanswered promise not yet due is **pending**: counted in ``pending``
  only, neither met nor breached.
* **Month**: the shop-time (UTC+7, :data:`pmv_protocol.shop_time.SHOP_TZ`) month of the promise's start, so
  a request opened on 01/04 05:00 in Hà Nội (31/03 22:00 UTC) is April's, as the shop and the staff see it.
* **Staff member**: the ``author_name`` of the answering step; for an open breach, the name of the ticket's
  assignee now (``console_assignments``, which keeps only the current one), else ``"—"`` (unassigned).
* **Percentiles** by the nearest-rank method (:func:`nearest_rank`), median = p50 by the same method: a
  reported figure is then always a response time that really happened.  They are taken over the answered
  promises (met, and breaches answered late); an open breach has no response time yet, so it counts in
  ``breached`` but not in the percentiles.

The report is as of ``now``: a ticket opened or a step taken after ``now`` is not seen, so a past month's
figures can be produced again.  Tickets from before the conversation (issue 21) have no recorded proposal
and would read as breaches; they are older than any window this report is meant for.

Efficient by construction: three queries whatever the number of tickets (the tickets with a promise started
in the window, with their shop; all their steps of the four kinds that matter; their assignees), then
calendar arithmetic in memory.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import ColumnElement, and_, or_, select

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.sla import response_due
from pmv_protocol.thread import Author, EventKind
from vendor_server.console.tables import StaffRow, TicketAssignment
from vendor_server.console.vietnamese_order import SortKey, vietnamese_key
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.thread_tables import TicketEventRow

__all__ = ["ALL_STAFF", "UNASSIGNED", "Breach", "SlaReport", "SlaRow", "nearest_rank", "sla_report"]

UNASSIGNED = "—"  # the staff of an open breach on a ticket nobody is assigned to
ALL_STAFF = "*"  # the staff of a month's total row
RESTARTS = (EventKind.REFUSED.value, EventKind.REOPENED.value)
ANSWERS = (EventKind.PROPOSED.value, EventKind.VISIT_PROPOSED.value)


@dataclass(frozen=True)
class Breach:
    """A promise not kept: answered after its deadline, or (``answered_at`` None) not answered by now."""

    ticket_number: str
    shop_id: str
    title: str
    started_at: dt.datetime
    deadline: dt.datetime
    answered_at: dt.datetime | None
    staff: str

    @property
    def path(self) -> str:
        """The console page of the ticket (what the report links to)."""
        return f"/console/tickets/{self.ticket_number}"

    @property
    def open(self) -> bool:
        """Still unanswered: the one kind of breach someone can still act on."""
        return self.answered_at is None


@dataclass(frozen=True)
class SlaRow:
    """One month's figures for one staff member (``staff`` :data:`ALL_STAFF` for the month's total).

    ``promises`` = ``met`` + ``breached`` (pending promises are not judged yet); ``median`` and ``p90`` are
    nearest-rank figures over the answered promises, None when there is none.
    """

    month: str  # 'YYYY-MM', shop time
    staff: str
    promises: int
    met: int
    breached: int
    median: dt.timedelta | None
    p90: dt.timedelta | None

    @property
    def met_share(self) -> float | None:
        """The share of promises kept (0.0 to 1.0), None for a month without any."""
        return self.met / self.promises if self.promises else None


@dataclass(frozen=True)
class SlaReport:
    """The report: rows per month and staff (month descending, then staff), a total per month of the
    window (month descending, ``staff`` :data:`ALL_STAFF`, a month with no promise included), the breaches
    (latest start first), and the two counts kept out of the rows."""

    rows: tuple[SlaRow, ...]
    totals: tuple[SlaRow, ...]
    breaches: tuple[Breach, ...]
    uncovered: int  # tickets opened in the window without a deadline (no coverage): no promise made
    pending: int  # unanswered promises not yet due


def nearest_rank(values: Sequence[dt.timedelta], percent: float) -> dt.timedelta | None:
    """The ``percent``-th percentile of ``values`` by the nearest-rank method, None when there are none.

    It is the smallest value with at least ``percent`` % of the values at or below it: with the values
    sorted, the one of rank ``ceil(percent / 100 * n)`` (1-based).  So of 10 values, p90 is the 9th and p50
    the 5th.  See "Percentile", section "The nearest-rank method", Wikipedia
    (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method); it is definition 1 (the inverse of
    the empirical distribution function) of Hyndman & Fan, "Sample Quantiles in Statistical Packages",
    The American Statistician 50(4), 1996.  ``percent`` must be in (0, 100].  The rank is computed in exact
    decimal arithmetic, so 90 % of 10 is rank 9, never 10 by a float's rounding.
    """
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in (0, 100], got {percent!r}")
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(Fraction(str(percent)) * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


@dataclass
class _Promise:
    """One promise while the ticket's steps are walked."""

    start: dt.datetime
    deadline: dt.datetime | None
    answered_at: dt.datetime | None = None
    staff: str | None = None


@dataclass(frozen=True)
class _TicketRow:
    id: int
    number: str
    title: str
    severity: str
    coverage: str
    opened_at: dt.datetime
    response_due_at: dt.datetime | None
    shop_id: str


def _months(now: dt.datetime, months: int) -> list[str]:
    """The window's shop-time months, current first: ['2026-04', '2026-03', ...]."""
    local = now.astimezone(SHOP_TZ)
    index = local.year * 12 + local.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, index - months, -1)]


def _month_of(moment: dt.datetime) -> str:
    return moment.astimezone(SHOP_TZ).strftime("%Y-%m")


def _restart_deadline(data: str | None) -> dt.datetime | None:
    """The deadline an opening, refusal or reopening step carries (vendor_server.thread_records.event_data), or
    None."""
    try:
        text = json.loads(data).get("response_due_at") if data else None
        return None if text is None else dt.datetime.fromisoformat(text)
    except (ValueError, TypeError, AttributeError):
        return None  # a malformed row makes no promise rather than no report


def _opening_deadline(ticket: _TicketRow, opening: TicketEventRow | None, restarted: bool,
                      calendar: WorkingCalendar) -> dt.datetime | None:
    """The first deadline: the one the opening step kept; for a ticket opened before steps kept it, the stored
    one unless a restart has overwritten it (then computed again, on today's calendar)."""
    kept = _restart_deadline(opening.data) if opening is not None else None
    if kept is not None:
        return kept
    if not restarted:
        return ticket.response_due_at
    try:
        return response_due(ticket.opened_at, ticket.severity, ticket.coverage, calendar)
    except ValueError:
        return None  # an unknown severity / coverage in an old row: no promise we can judge


def _promises(ticket: _TicketRow, steps: Iterable[TicketEventRow], calendar: WorkingCalendar) -> list[_Promise]:
    """The ticket's promises in order, each with its answer if any (steps oldest first by id)."""
    steps = list(steps)
    restarted = any(step.kind in RESTARTS for step in steps)
    opening = next((step for step in steps if step.kind == EventKind.OPENED.value), None)
    promises = [_Promise(ticket.opened_at, _opening_deadline(ticket, opening, restarted, calendar))]
    for step in steps:
        if step.kind in RESTARTS:
            promises.append(_Promise(step.at, _restart_deadline(step.data)))
        elif step.kind in ANSWERS and step.author == Author.VENDOR and promises[-1].answered_at is None:
            promises[-1].answered_at, promises[-1].staff = step.at, step.author_name
    return promises


def _row(month: str, staff: str, met: int, breached: int, times: Sequence[dt.timedelta]) -> SlaRow:
    return SlaRow(month, staff, met + breached, met, breached, nearest_rank(times, 50), nearest_rank(times, 90))


def _staff_order(staff: str) -> tuple[bool, SortKey]:
    """Names in Vietnamese alphabetical order (:mod:`vendor_server.console.vietnamese_order`), the unassigned last."""
    return staff == UNASSIGNED, vietnamese_key(staff)


def sla_report(db: VendorDatabase, calendar: WorkingCalendar, now: dt.datetime, *, months: int = 3) -> SlaReport:
    """The report over the promises started in the last ``months`` shop-time months, the current one included.

    ``calendar`` is the one deadlines count on (the server's, with the packs it publishes); ``now`` must be
    aware.  Three queries, whatever the number of tickets.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    window = _months(now, months)
    oldest = dt.date.fromisoformat(window[-1] + "-01")
    since = dt.datetime.combine(oldest, dt.time(), SHOP_TZ)

    # The tickets with a promise started in the window: opened in it, or restarted in it.
    restarted_in_window = select(TicketEventRow.ticket_id).where(
        TicketEventRow.kind.in_(RESTARTS), TicketEventRow.at >= since, TicketEventRow.at <= now)
    in_window: ColumnElement[bool] = or_(and_(Ticket.opened_at >= since, Ticket.opened_at <= now),
                                         Ticket.id.in_(restarted_in_window))
    ticket_ids = select(Ticket.id).where(in_window)
    with db.sessions() as session:
        tickets = [
            _TicketRow(row.id, row.number or "", row.title, row.severity, row.coverage, row.opened_at,
                       row.response_due_at, row.shop_id)
            for row in session.execute(
                select(Ticket.id, Ticket.number, Ticket.title, Ticket.severity, Ticket.coverage, Ticket.opened_at,
                       Ticket.response_due_at, Shop.shop_id)
                .join(Shop, Shop.id == Ticket.shop_pk).where(in_window))
        ]
        steps: dict[int, list[TicketEventRow]] = defaultdict(list)
        for step in session.scalars(
                select(TicketEventRow)
                .where(TicketEventRow.ticket_id.in_(ticket_ids),
                       TicketEventRow.kind.in_((EventKind.OPENED.value, *RESTARTS, *ANSWERS)),
                       TicketEventRow.at <= now)
                .order_by(TicketEventRow.ticket_id, TicketEventRow.id)):
            steps[step.ticket_id].append(step)
        assignees: dict[int, str] = {
            ticket_id: name for ticket_id, name in session.execute(
                select(TicketAssignment.ticket_id, StaffRow.name)
                .join(StaffRow, StaffRow.id == TicketAssignment.staff_id)
                .where(TicketAssignment.ticket_id.in_(ticket_ids)))}

    met: dict[tuple[str, str], int] = defaultdict(int)
    breached: dict[tuple[str, str], int] = defaultdict(int)
    times: dict[tuple[str, str], list[dt.timedelta]] = defaultdict(list)
    breaches: list[Breach] = []
    uncovered = pending = 0
    for ticket in tickets:
        for index, promise in enumerate(_promises(ticket, steps.get(ticket.id, ()), calendar)):
            if promise.start < since or promise.start > now:
                continue
            if promise.deadline is None:
                if index == 0:  # a restart without coverage is no promise either, but not an uncovered ticket
                    uncovered += 1
                continue
            month = _month_of(promise.start)
            if promise.answered_at is None:
                if promise.deadline >= now:
                    pending += 1
                    continue
                staff = assignees.get(ticket.id, UNASSIGNED)
            else:
                staff = promise.staff or UNASSIGNED
                took = max(calendar.working_time_between(promise.start, promise.answered_at), dt.timedelta())
                times[month, staff].append(took)
                if promise.answered_at <= promise.deadline:
                    met[month, staff] += 1
                    continue
            breached[month, staff] += 1
            breaches.append(Breach(ticket.number, ticket.shop_id, ticket.title, promise.start, promise.deadline,
                                   promise.answered_at, staff))

    keys = sorted(set(met) | set(breached), key=lambda key: (key[0], *_staff_order(key[1])))
    keys.sort(key=lambda key: key[0], reverse=True)  # stable: month descending, staff ascending within it
    rows = tuple(_row(month, staff, met[month, staff], breached[month, staff], times[month, staff])
                 for month, staff in keys)
    totals = tuple(
        _row(month, ALL_STAFF, sum(met[key] for key in keys if key[0] == month),
             sum(breached[key] for key in keys if key[0] == month),
             [took for key in keys if key[0] == month for took in times[key]])
        for month in window)
    breaches.sort(key=lambda breach: (breach.started_at, breach.ticket_number), reverse=True)
    return SlaReport(rows, totals, tuple(breaches), uncovered, pending)
