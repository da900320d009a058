"""The headless agent's scheduler (APScheduler, a real one with its own thread)."""

from __future__ import annotations

import datetime as dt
import threading

from app.background.agent import BackgroundAgent
from app.background.registry import UPDATES


def test_a_run_that_fell_due_while_the_till_slept_runs_once_when_it_wakes() -> None:
    # Found by a review: with a 60 s grace time, a run more than a minute late was dropped ("missed") and the
    # updates waited six more hours. The scheduler sees a sleep as a due time in the past when it wakes.
    agent = BackgroundAgent()
    ran = threading.Event()
    count: list[int] = []

    def job() -> None:
        count.append(1)
        ran.set()

    agent.add(UPDATES, job)
    agent.start()
    try:
        scheduler = agent._scheduler
        scheduler.get_job(UPDATES.agent_id).modify(next_run_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10))
        scheduler.wakeup()
        assert ran.wait(10), "the late run was dropped"
        next_run = scheduler.get_job(UPDATES.agent_id).next_run_time
        assert next_run > dt.datetime.now(dt.UTC)  # and the timetable goes on from there
        assert count == [1]  # once, not once per missed period
    finally:
        agent.shutdown()


def test_a_clock_set_back_moves_the_jobs_back_with_it() -> None:
    # Found by the review of the background jobs: APScheduler plans by the wall clock, so a clock put right from a
    # day ahead stopped every job (checks, delivery, status, heartbeat) for that day. The wall clock is moved here;
    # the monotonic one and APScheduler's own are the real ones.
    import time

    set_back = [0.0]
    agent = BackgroundAgent(wall=lambda: time.time() - set_back[0])
    agent.every("poll", dt.timedelta(hours=1), lambda: None)
    agent.start()
    try:
        job = agent._scheduler.get_job("poll")
        planned = job.next_run_time
        assert agent.follow_clock() == 0.0  # the clock kept time: nothing moves
        assert agent._scheduler.get_job("poll").next_run_time == planned
        set_back[0] = 24 * 3600.0
        moved = agent.follow_clock()
        assert abs(moved + 24 * 3600) < 5
        now_planned = agent._scheduler.get_job("poll").next_run_time
        assert abs((planned - now_planned).total_seconds() - 24 * 3600) < 5
        set_back[0] = 24 * 3600.0 - 20  # then NTP's small correction forward: nothing moves
        assert agent.follow_clock() == 0.0
    finally:
        agent.shutdown()
