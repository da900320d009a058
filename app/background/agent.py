"""The background agent: scheduled work that runs while the tray app is open.

APScheduler 3 runs each job on its own thread pool, never on the GUI thread.
Jobs coalesce and never overlap (``max_instances=1``); results go to
listeners, which the GUI turns into queued Qt signals.

APScheduler plans by the wall clock: a clock set back a day (a technician
puts right a clock that ran ahead, as the clock check asks) stopped every
job for that day.  A watch compares the wall clock with a monotonic one and
moves the plan back with the clock (:meth:`BackgroundAgent.follow_clock`).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.background.registry import BackgroundJob, RandomSource

if TYPE_CHECKING:
    from apscheduler.events import JobExecutionEvent

    from app.infra.settings import Settings

log = logging.getLogger(__name__)

CLOCK_WATCH_EVERY = 30.0  # seconds between looks at the wall clock
CLOCK_SET_BACK = 60.0  # the wall clock lost this much against a monotonic one: it was set back


class BackgroundAgent:
    """Owns the scheduler; features register their jobs with :meth:`add` (timetables: app/background/registry.py)."""

    def __init__(self, *, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        """``wall`` and ``monotonic``: the clocks the watch compares (tests move the wall one)."""
        self._wall, self._monotonic = wall, monotonic
        self._offset = wall() - monotonic()  # the wall clock's reading less the monotonic one's, at the last look
        self._stop_watch = threading.Event()
        self._watch: threading.Thread | None = None
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
        if self._watch is None:
            self._watch = threading.Thread(target=self._watch_clock, name="agent clock watch", daemon=True)
            self._watch.start()

    def shutdown(self) -> None:
        self._stop_watch.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def _watch_clock(self) -> None:
        while not self._stop_watch.wait(CLOCK_WATCH_EVERY):
            try:
                self.follow_clock()
            except Exception:  # noqa: BLE001  (the watch must outlive one bad look; the jobs run regardless)
                log.exception("clock watch failed")

    def follow_clock(self) -> float:
        """If the wall clock was set back since the last look, move every job's next run back as much; the
        seconds moved (0.0 when the clock kept time, or went forward: a job overdue then runs, as after sleep)."""
        offset = self._wall() - self._monotonic()
        moved, self._offset = offset - self._offset, offset
        if moved > -CLOCK_SET_BACK:
            return 0.0
        log.warning("the clock was set back %.0f s: the background jobs' plan moves with it", -moved)
        for job in self._scheduler.get_jobs():
            if job.next_run_time is not None:
                job.modify(next_run_time=job.next_run_time + dt.timedelta(seconds=moved))
        return moved

    @staticmethod
    def _on_error(event: JobExecutionEvent) -> None:
        log.error("background job %s failed: %s", event.job_id, event.exception)
