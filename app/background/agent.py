"""The background agent: scheduled work that runs while the tray app is open.

APScheduler 3 runs each job on its own thread pool, never on the GUI thread.
Jobs coalesce and never overlap (``max_instances=1``); results go to
listeners, which the GUI turns into queued Qt signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.background.registry import BackgroundJob, RandomSource

if TYPE_CHECKING:
    from apscheduler.events import JobExecutionEvent

    from app.infra.settings import Settings

log = logging.getLogger(__name__)


class BackgroundAgent:
    """Owns the scheduler; features register their jobs with :meth:`add` (timetables: app/background/registry.py)."""

    def __init__(self) -> None:
        # Imported here, not at the top: APScheduler is loaded only by a process that schedules.
        from apscheduler.events import EVENT_JOB_ERROR
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(2)},
            # A run that falls due while the till sleeps (or while both threads are busy) runs once when it can:
            # with a grace time it was skipped, and the updates (6 h) waited a whole interval more.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=dt.UTC,
        )
        self._scheduler.add_listener(self._on_error, EVENT_JOB_ERROR)

    def add(self, job: BackgroundJob, func: Callable[[], Any], settings: Settings | None = None, *,
            wait_first: bool = False, rng: RandomSource = random) -> None:
        """Run ``func`` on ``job``'s timetable, its period read from ``settings``.

        ``wait_first``: the first run waits one interval, whatever the timetable says (the demo's checks wait
        for its pack to be installed).
        """
        if job.agent_id is None:
            raise ValueError(f"no agent schedules the {job.name!r} job")
        interval = job.interval(settings, rng)
        first_after = None if wait_first else job.first_after(rng)
        self.every(job.agent_id, interval, func, first_after=first_after)

    def every(self, job_id: str, interval: dt.timedelta, func: Callable[[], Any], *, start_now: bool = False,
              first_after: dt.timedelta | None = None) -> None:
        """Run ``func`` every ``interval``: first at once, after ``first_after``, or after one interval."""
        from apscheduler.triggers.interval import IntervalTrigger

        now = dt.datetime.now(dt.UTC)
        first = now if start_now else now + (first_after if first_after is not None else interval)
        self._scheduler.add_job(
            func, IntervalTrigger(seconds=interval.total_seconds()), id=job_id, replace_existing=True,
            next_run_time=first,
        )

    def run_soon(self, job_id: str) -> None:
        """Run a job now (e.g. deliver a request the cashier just raised)."""
        job = self._scheduler.get_job(job_id)
        if job is not None:
            job.modify(next_run_time=dt.datetime.now(dt.UTC))

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    @staticmethod
    def _on_error(event: JobExecutionEvent) -> None:
        log.error("background job %s failed: %s", event.job_id, event.exception)
