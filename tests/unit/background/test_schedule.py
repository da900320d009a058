"""The tray's job plan: what runs at logon, what waits, what is skipped while nothing needs it."""

from __future__ import annotations

import random

from app.background.registry import WARRANTY
from app.background.schedule import BATCH_AHEAD, LONGEST_SLEEP, POLL_IDLE_EVERY, RETRY_AFTER, TraySchedule

WARRANTY_EVERY = WARRANTY.period()

T0 = 1_800_000_000.0


def report(waiting: int = 0, next_delivery_in: float | None = None, health_minutes: int = 30,
           update_hours: float = 6) -> dict:
    return {"schedule": {"health_minutes": health_minutes, "update_hours": update_hours,
                         "waiting_requests": waiting, "next_delivery_in": next_delivery_in}}


def test_at_logon_checks_status_coverage_and_outbox_run_at_once_updates_a_little_later() -> None:
    for seed in range(20):
        plan = TraySchedule(T0, random.Random(seed))
        updates_at = plan.next["updates"]
        assert updates_at is not None and T0 + 20 <= updates_at <= T0 + 120
        # Updates join the first process when due within its minute, else they come on their own.
        # The heartbeat comes 20-50 s after start: in the first process, after the checks it reports.
        expected = ["deliver", "health", "heartbeat", "poll", "warranty"] + (
            ["updates"] if updates_at <= T0 + BATCH_AHEAD else [])
        assert sorted(plan.due(T0)) == sorted(expected)


def test_nothing_waiting_the_outbox_is_not_visited_and_status_is_asked_every_30_minutes() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.next["updates"] = T0 + 100
    jobs = plan.due(T0)
    plan.ran(jobs, T0, report(waiting=0, next_delivery_in=None))
    assert plan.next["deliver"] is None
    assert plan.next["poll"] == T0 + POLL_IDLE_EVERY
    assert plan.next["health"] == T0 + 30 * 60
    assert plan.next["warranty"] == T0 + WARRANTY_EVERY
    # The updates' first run (within two minutes) comes alone: nothing else is due then.
    first_update = plan.next["updates"]
    assert first_update is not None
    assert plan.due(first_update - BATCH_AHEAD - 1) == []
    assert plan.due(first_update) == ["updates"]


def test_a_request_waiting_on_the_vendor_is_polled_every_two_minutes() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report(waiting=1))
    assert plan.next["poll"] == T0 + 120


def test_a_queued_request_is_retried_when_the_outbox_says_never_sooner_than_30_seconds() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report(next_delivery_in=95.0))
    assert plan.next["deliver"] == T0 + 95
    plan.ran(["deliver"], T0 + 95, report(next_delivery_in=0.0))  # an upload left to resume
    assert plan.next["deliver"] == T0 + 95 + 30


def test_the_settings_intervals_come_from_the_report() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report(health_minutes=5, update_hours=1))
    assert plan.next["health"] == T0 + 5 * 60
    plan.ran(["updates"], T0 + 100, report(update_hours=1))
    updates_at = plan.next["updates"]
    assert updates_at is not None and T0 + 100 + 3600 <= updates_at <= T0 + 100 + 3600 + 1800


def test_the_heartbeat_is_planned_by_the_shops_setting_with_up_to_a_minute_of_jitter() -> None:
    plan = TraySchedule(T0, random.Random(1))
    first = plan.next["heartbeat"]
    assert first is not None and T0 + 20 <= first <= T0 + 50
    plan.ran(plan.due(T0), T0, {**report(), "schedule": {**report()["schedule"], "heartbeat_minutes": 5}})
    at = plan.next["heartbeat"]
    assert at is not None and T0 + 300 <= at <= T0 + 360
    plan.ran(["heartbeat"], T0 + 400, report())  # a report without the setting keeps the shop's period
    at = plan.next["heartbeat"]
    assert at is not None and T0 + 700 <= at <= T0 + 760


def test_jobs_due_within_a_minute_share_one_process() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report(waiting=1))  # poll at +120 s
    plan.next["health"] = T0 + 150
    plan.next["updates"] = T0 + 3600
    assert plan.due(T0 + 100) == []
    assert sorted(plan.due(T0 + 120)) == ["health", "poll"]


def test_a_process_that_left_no_report_is_retried_later_not_in_a_loop() -> None:
    plan = TraySchedule(T0, random.Random(1))
    jobs = plan.due(T0)
    plan.failed(jobs, T0)
    assert plan.due(T0 + 1) == []
    assert all(plan.next[job] == T0 + RETRY_AFTER for job in jobs)


def test_the_tray_sleeps_until_the_next_job_but_never_longer_than_five_minutes() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report())
    plan.next["updates"] = T0 + 10 * 3600
    assert plan.seconds_to_next(T0) == LONGEST_SLEEP  # a till that slept through a job's time runs it on waking
    plan.next["updates"] = T0 + 42
    assert plan.seconds_to_next(T0) == 42
    assert plan.seconds_to_next(T0 + 100) == 0


def test_while_another_process_runs_the_jobs_the_tray_only_looks_again_with_its_checks() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.next["updates"] = T0 + 100
    plan.ran(plan.due(T0), T0, {"skipped": "agent elsewhere", "errors": {}})
    assert plan.next["deliver"] is None  # not a process every 30 s while a headless agent delivers
    assert plan.next["health"] == T0 + 30 * 60 and plan.next["poll"] == T0 + POLL_IDLE_EVERY


def test_a_clock_set_back_moves_the_plan_back_with_it() -> None:
    # Found by the review of the background jobs: a technician puts right a clock that ran a day ahead (as the
    # clock check asks) and no job ran until the wall clock caught up with the plan, a day later.
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report())
    health_in = plan.next["health"] - T0
    back = T0 + 60 - 24 * 3600  # a minute later by a stopwatch, a day earlier by the clock
    assert plan.seconds_to_next(back) <= LONGEST_SLEEP
    # As long to wait as at the last look (the tray cannot tell the minute between: it looks every 5 at most).
    assert plan.next["health"] - back == health_in
    assert "health" in plan.due(back + health_in)


def test_a_clock_that_moves_forward_or_jitters_keeps_the_plan() -> None:
    plan = TraySchedule(T0, random.Random(1))
    plan.ran(plan.due(T0), T0, report())
    planned = dict(plan.next)
    plan.due(T0 - 30)  # NTP's small corrections: under a minute, nothing moves
    assert plan.next == planned
    assert "health" in plan.due(T0 + 24 * 3600)  # a till that slept a day runs its jobs when it wakes
