"""What a ticket's state allows (pmv_protocol.ticket_flow), case by case from the rules in its docstring.

Every expected value below is worked out by hand from those rules; the
calendar cases use the default calendar (Mon-Fri 08:00-12:00 and 13:30-17:30,
Sat 08:00-12:00, Sun closed, Asia/Ho_Chi_Minh, Vietnamese public holidays
from the ``holidays`` package, which has no pack to override it here).
"""

from __future__ import annotations

import datetime as dt

import pytest

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.shop_time import SHOP_TZ as HCM
from pmv_protocol.ticket_flow import (
    DEFAULT_AUTO_CLOSE_WORKING_DAYS,
    REOPEN_WINDOW,
    FlowState,
    Refusal,
    close_after,
    refuse_decision,
    refuse_message,
    refuse_rating,
    refuse_reopen,
    refuse_visit_answer,
    reopen_until,
)

RESOLVED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=HCM)

OPEN_STATUSES = ("received", "in_progress", "solution_proposed", "on_site_scheduled", "resolved")


def test_the_windows_and_defaults_are_the_issues() -> None:
    assert REOPEN_WINDOW == dt.timedelta(days=7)
    assert DEFAULT_AUTO_CLOSE_WORKING_DAYS == 5


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_a_message_may_be_written_on_any_ticket_not_closed(status: str) -> None:
    assert refuse_message(FlowState(status)) is None


def test_a_closed_ticket_takes_no_message() -> None:
    assert refuse_message(FlowState("closed", RESOLVED_AT, ever_resolved=True)) is Refusal.CLOSED


@pytest.mark.parametrize(("status", "expected"), [
    ("solution_proposed", None),
    ("received", Refusal.NO_PROPOSAL),
    ("in_progress", Refusal.NO_PROPOSAL),  # e.g. the proposal was already refused
    ("on_site_scheduled", Refusal.NO_PROPOSAL),
    ("resolved", Refusal.NO_PROPOSAL),  # already accepted: a second decision is not one
    ("closed", Refusal.CLOSED),
])
def test_a_decision_answers_a_waiting_proposal_only(status: str, expected: Refusal | None) -> None:
    assert refuse_decision(FlowState(status)) is expected


@pytest.mark.parametrize(("visit", "answered", "expected"), [
    ((7, "proposed"), 7, None),
    ((7, "proposed"), 5, Refusal.OTHER_VISIT),  # 5 was replaced by 7
    ((7, "confirmed"), 7, Refusal.NO_VISIT),  # answered already
    ((7, "reschedule_asked"), 7, Refusal.NO_VISIT),  # the vendor has to offer again first
    (None, 7, Refusal.NO_VISIT),
])
def test_a_visit_answer_names_the_waiting_proposal(visit: tuple[int, str] | None, answered: int,
                                                   expected: Refusal | None) -> None:
    assert refuse_visit_answer(FlowState("in_progress", visit=visit), answered) is expected


def test_a_closed_ticket_takes_no_visit_answer_even_for_the_waiting_one() -> None:
    assert refuse_visit_answer(FlowState("closed", RESOLVED_AT, visit=(7, "proposed")), 7) is Refusal.CLOSED


@pytest.mark.parametrize(("state", "expected"), [
    (FlowState("resolved", RESOLVED_AT, ever_resolved=True), None),
    (FlowState("closed", RESOLVED_AT, ever_resolved=True), None),  # resolved, then closed by staff
    (FlowState("closed", RESOLVED_AT, ever_resolved=False), Refusal.NOT_RESOLVED),  # closed unanswered
    (FlowState("in_progress", ever_resolved=True), Refusal.NOT_RESOLVED),  # reopened: not finished now
    (FlowState("solution_proposed"), Refusal.NOT_RESOLVED),
    (FlowState("resolved", RESOLVED_AT, ever_resolved=True, rated=True), Refusal.ALREADY_RATED),
    (FlowState("in_progress", ever_resolved=True, rated=True), Refusal.ALREADY_RATED),  # once per ticket
])
def test_a_rating_comes_once_after_resolution(state: FlowState, expected: Refusal | None) -> None:
    assert refuse_rating(state) is expected


@pytest.mark.parametrize(("status", "after", "expected"), [
    ("resolved", dt.timedelta(0), None),
    ("resolved", dt.timedelta(days=6, hours=23), None),
    ("resolved", dt.timedelta(days=7), None),  # the last moment of the window still counts
    ("resolved", dt.timedelta(days=7, seconds=1), Refusal.REOPEN_TOO_LATE),
    ("closed", dt.timedelta(days=3), None),  # closed (by staff, or unanswered) reopens too
    ("closed", dt.timedelta(days=8), Refusal.REOPEN_TOO_LATE),
])
def test_reopening_is_within_seven_days_of_finishing(status: str, after: dt.timedelta,
                                                      expected: Refusal | None) -> None:
    state = FlowState(status, RESOLVED_AT, ever_resolved=True)
    assert refuse_reopen(state, RESOLVED_AT + after) is expected


@pytest.mark.parametrize("status", ["received", "in_progress", "solution_proposed", "on_site_scheduled"])
def test_an_open_ticket_cannot_be_reopened(status: str) -> None:
    assert refuse_reopen(FlowState(status, ever_resolved=True), RESOLVED_AT) is Refusal.NOT_RESOLVED
    assert reopen_until(FlowState(status, ever_resolved=True)) is None


def test_reopen_until_is_seven_days_after_finishing() -> None:
    assert reopen_until(FlowState("resolved", RESOLVED_AT, ever_resolved=True)) == \
        dt.datetime(2026, 3, 9, 10, 0, tzinfo=HCM)
    assert reopen_until(FlowState("resolved")) is None  # no finishing time known: nothing to count from


# --- close_after: the closing time of the N-th working day after the proposal's day ---------------------


@pytest.mark.parametrize(("proposed", "days", "expected"), [
    # Mon 2 Mar 2026 09:00 -> 1 working day: Tue 3 Mar, closing 17:30 (the proposal's own day does not count).
    (dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), 1, dt.datetime(2026, 3, 3, 17, 30, tzinfo=HCM)),
    # Fri 6 Mar 16:00 -> 1: Sat 7 Mar, which closes at 12:00.
    (dt.datetime(2026, 3, 6, 16, 0, tzinfo=HCM), 1, dt.datetime(2026, 3, 7, 12, 0, tzinfo=HCM)),
    # Fri 6 Mar -> 2: Sat 7 (1), Sun 8 closed, Mon 9 (2) closing 17:30.
    (dt.datetime(2026, 3, 6, 16, 0, tzinfo=HCM), 2, dt.datetime(2026, 3, 9, 17, 30, tzinfo=HCM)),
    # Sun 8 Mar (a closed day) -> 1: Mon 9.
    (dt.datetime(2026, 3, 8, 10, 0, tzinfo=HCM), 1, dt.datetime(2026, 3, 9, 17, 30, tzinfo=HCM)),
    # 20:00 UTC on Thu 5 Mar is 03:00 on Fri 6 Mar in Hồ Chí Minh City: the proposal's day is Friday,
    # so 1 -> Sat 7 Mar 12:00 (not Fri 17:30).
    (dt.datetime(2026, 3, 5, 20, 0, tzinfo=dt.UTC), 1, dt.datetime(2026, 3, 7, 12, 0, tzinfo=HCM)),
    # Thu 23 Apr 2026 10:00, the default 5: Fri 24 (1), Sat 25 (2, a Saturday morning), Sun 26 closed (and the
    # Hùng Kings' day), Mon 27 its observed day off, Tue 28 (3), Wed 29 (4), Thu 30 Reunification Day, Fri 1 May
    # Labour Day, Sat 2 May (5): closing 12:00.
    (dt.datetime(2026, 4, 23, 10, 0, tzinfo=HCM), 5, dt.datetime(2026, 5, 2, 12, 0, tzinfo=HCM)),
])
def test_close_after_counts_whole_working_days_on_the_default_calendar(proposed: dt.datetime, days: int,
                                                                        expected: dt.datetime) -> None:
    assert close_after(proposed, days) == expected
    assert close_after(proposed, days, WorkingCalendar.default()) == expected


def test_close_after_follows_the_calendar_it_is_given() -> None:
    # The same Thursday with no public holidays and the vendor's company trip on Tue 28 Apr:
    # Fri 24 (1), Sat 25 (2), Mon 27 (3), Tue 28 off, Wed 29 (4), Thu 30 (5) closing 17:30.
    calendar = WorkingCalendar.from_config(holiday_country=None, extra_days_off=["2026-04-28"])
    assert close_after(dt.datetime(2026, 4, 23, 10, 0, tzinfo=HCM), 5, calendar) == \
        dt.datetime(2026, 4, 30, 17, 30, tzinfo=HCM)


@pytest.mark.parametrize("days", [0, -1])
def test_close_after_needs_at_least_one_working_day(days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        close_after(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), days)


def test_the_refusals_are_the_wires_words() -> None:
    assert {r.value for r in Refusal} == {"closed", "no_proposal", "no_visit", "other_visit", "not_resolved",
                                          "already_rated", "reopen_too_late", "files_missing", "ticket_full"}
