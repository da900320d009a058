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
