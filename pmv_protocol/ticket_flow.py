"""What a ticket's state allows, decided once for both sides.

The vendor server answers an act its ticket does not allow with 409 and the
:class:`Refusal`; the app asks the same functions before it offers a button,
so a cashier is never shown an action the server would refuse (an act
queued offline can still meet a changed state: it then fails with the
server's reason, which the app shows).

The rules (issue "A real conversation on every support request"):

* a message may be written on any ticket that is not closed;
* a decision (accept / refuse) answers a proposed solution, once: the
  ticket must be ``solution_proposed``;
* a visit answer names the current visit proposal, which must still be
  waiting for the shop;
* a rating comes after resolution (``resolved`` or ``closed`` once resolved),
  once per ticket;
* reopening ("Lỗi xuất hiện lại") is for a resolved or closed ticket, within
  :data:`REOPEN_WINDOW` of when it was resolved or closed.

Refusing a solution and reopening both restart the response clock: the new
deadline is :func:`pmv_protocol.sla.response_due` counted from the act, with
the shop's coverage on that day.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.thread import VisitState
from pmv_protocol.wire import TicketStatus

REOPEN_WINDOW = dt.timedelta(days=7)
# The vendor's server setting ``auto_close_working_days``: how long a proposal waits for the shop's word.
DEFAULT_AUTO_CLOSE_WORKING_DAYS = 5


class Refusal(enum.StrEnum):
    """Why an act was refused (the ``refusal`` of a 409); the app words each."""

    CLOSED = "closed"  # the ticket is closed: reopen it first
    NO_PROPOSAL = "no_proposal"  # a decision, but no solution is waiting for one
    NO_VISIT = "no_visit"  # a visit answer, but no visit proposal is waiting for one
    OTHER_VISIT = "other_visit"  # the answer names a proposal that has been replaced
    NOT_RESOLVED = "not_resolved"  # a rating or a reopening before the ticket was resolved
    ALREADY_RATED = "already_rated"
    REOPEN_TOO_LATE = "reopen_too_late"  # more than REOPEN_WINDOW after it was resolved or closed
    FILES_MISSING = "files_missing"  # a message names an attachment id not uploaded to that ticket (upload first)
    TICKET_FULL = "ticket_full"  # a file over the ticket's limit (vendor_server.uploads.MAX_TICKET_FILES / _BYTES)


@dataclass(frozen=True)
class FlowState:
    """What the rules need to know of a ticket.

    ``finished_at``: when it was last resolved or closed (None while open);
    ``ever_resolved``: it was resolved at least once (a rating needs that);
    ``visit``: the current visit proposal's event id and state, if any.
    """

    status: str
    finished_at: dt.datetime | None = None
    ever_resolved: bool = False
    rated: bool = False
    visit: tuple[int, str] | None = None


def _closed(state: FlowState) -> bool:
    return state.status == TicketStatus.CLOSED


def refuse_message(state: FlowState) -> Refusal | None:
    return Refusal.CLOSED if _closed(state) else None


def refuse_decision(state: FlowState) -> Refusal | None:
    if _closed(state):
        return Refusal.CLOSED
    return None if state.status == TicketStatus.SOLUTION_PROPOSED else Refusal.NO_PROPOSAL


def refuse_visit_answer(state: FlowState, visit_id: int) -> Refusal | None:
    if _closed(state):
        return Refusal.CLOSED
    if state.visit is None or state.visit[1] != VisitState.PROPOSED:
        return Refusal.NO_VISIT
    return None if state.visit[0] == visit_id else Refusal.OTHER_VISIT


def refuse_rating(state: FlowState) -> Refusal | None:
    if state.rated:
        return Refusal.ALREADY_RATED
    finished = state.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    return None if finished and state.ever_resolved else Refusal.NOT_RESOLVED


def refuse_reopen(state: FlowState, at: dt.datetime) -> Refusal | None:
    """``at``: when the shop asked (the server passes the earlier of the shop's time and its own)."""
    if state.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED) or state.finished_at is None:
        return Refusal.NOT_RESOLVED
    return None if at - state.finished_at <= REOPEN_WINDOW else Refusal.REOPEN_TOO_LATE


def reopen_until(state: FlowState) -> dt.datetime | None:
    """The last moment the shop may reopen (the app shows it), or None when it cannot."""
    if state.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED) or state.finished_at is None:
        return None
    return state.finished_at + REOPEN_WINDOW


def close_after(proposed_at: dt.datetime, working_days: int,
                calendar: WorkingCalendar | None = None) -> dt.datetime:
    """When an unanswered proposal may be closed: the closing time of the ``working_days``-th working day
    after the day it was proposed (in the calendar's zone), so the shop has that many whole working days."""
    if working_days < 1:
        raise ValueError(f"working_days must be at least 1, got {working_days}")
    calendar = calendar or WorkingCalendar.default()
    day = calendar.localize(proposed_at).date()
    left = working_days
    while left:
        day += dt.timedelta(days=1)
        if calendar.intervals_on(day):
            left -= 1
    return calendar.intervals_on(day)[-1][1]
