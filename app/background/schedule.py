"""When the tray's jobs are next due, between the job processes that run them (:mod:`app.background.job_process`).

The same timetable as the app's own agent (:mod:`app.background.registry`), with two savings
that matter when every run is a process start (~0.5 s of CPU): the outbox is
visited only when a job report says something waits to go out, and the
vendor is asked for status changes every 2 minutes only while the shop has
requests the vendor has not resolved (else every 30 minutes).  Jobs due
within the next minute go in the same process.

Wall-clock seconds, not a monotonic clock: a till that slept through a
job's time runs it when it wakes (the tray looks at least every 5 minutes).
A clock set back (a technician puts right a clock that ran a day ahead, as
the clock check asks) moves every planned time back with it: else no job ran
until the wall clock caught up, a day later.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from app.background.registry import BACKGROUND_JOBS, DELIVER, HEALTH, HEARTBEAT, POLL, UPDATES, WARRANTY, RandomSource

POLL_IDLE_EVERY = 30 * 60.0  # no request waiting on the vendor: status changes are unlikely
RETRY_AFTER = 5 * 60.0  # a job process that failed (crashed, killed) is tried again this much later
BATCH_AHEAD = 60.0  # jobs due this soon join the process that starts now
LONGEST_SLEEP = 5 * 60.0
CLOCK_SET_BACK = 60.0  # the clock read this much earlier than at the last look: it was set back


class TraySchedule:
    """Next due times (wall-clock seconds) of the jobs in :data:`app.background.job_process.JOBS`; None: not planned.

    ``rng``: where the jitter comes from (a seeded one in tests).
    """

    def __init__(self, now: float, rng: RandomSource | None = None) -> None:
        self._rng: RandomSource = rng or random.Random()
        # The settings' defaults until the first report brings this shop's.
        self.health_every = HEALTH.period()
        self.heartbeat_every = HEARTBEAT.jittered(HEARTBEAT.period(), self._rng)
        self.update_every = UPDATES.period()
        self.waiting_requests = 0
        # As the app's agent: checks, status and coverage at once, updates soon but not in every shop's same
        # minute.  The outbox at once too, where the agent waits one period: the first report says whether
        # anything waits to go out.
        self.next: dict[str, float | None] = {}
        for job in BACKGROUND_JOBS:
            first = job.first_after(self._rng)
            self.next[job.name] = now + (first.total_seconds() if first is not None else 0.0)
        self._latest = now  # the latest time the clock read (see _follow_clock)

    def _follow_clock(self, now: float) -> None:
        """Move every planned time back by as much as the clock was set back since the last look."""
        if now < self._latest - CLOCK_SET_BACK:
            shift = now - self._latest
            self.next = {job: None if at is None else at + shift for job, at in self.next.items()}
        self._latest = now

    def due(self, now: float) -> list[str]:
        """The jobs to run now (those due within :data:`BATCH_AHEAD` included), in no particular order."""
        self._follow_clock(now)
        if not any(at is not None and at <= now for at in self.next.values()):
            return []
        return [job for job, at in self.next.items() if at is not None and at <= now + BATCH_AHEAD]

    def seconds_to_next(self, now: float) -> float:
        """How long the tray may sleep: to the next due job, at most :data:`LONGEST_SLEEP`."""
        self._follow_clock(now)
        planned = [at for at in self.next.values() if at is not None]
        return max(0.0, min([LONGEST_SLEEP, *(at - now for at in planned)]))

    def ran(self, jobs: list[str], now: float, report: Mapping[str, Any]) -> None:
        """A job process ended with ``report``: plan each job it ran again."""
        self._follow_clock(now)
        schedule = report.get("schedule") or {}
        if "health_minutes" in schedule:
            self.health_every = HEALTH.period_from(float(schedule["health_minutes"]))
        if "heartbeat_minutes" in schedule:
            self.heartbeat_every = HEARTBEAT.jittered(HEARTBEAT.period_from(float(schedule["heartbeat_minutes"])),
                                                      self._rng)
        if "update_hours" in schedule:
            self.update_every = UPDATES.jittered(UPDATES.period_from(float(schedule["update_hours"])), self._rng)
        if "waiting_requests" in schedule:
            self.waiting_requests = int(schedule["waiting_requests"])
        every = {
            HEALTH.name: self.health_every,
            HEARTBEAT.name: self.heartbeat_every,
            POLL.name: POLL.period() if self.waiting_requests else POLL_IDLE_EVERY,
            WARRANTY.name: WARRANTY.period(),
            UPDATES.name: self.update_every,
        }
        for job in jobs:
            if job in every:
                self.next[job] = now + every[job]
        if "schedule" in report:  # the outbox's own answer, whichever jobs ran
            wait = schedule.get("next_delivery_in")
            self.next[DELIVER.name] = None if wait is None else now + max(float(wait), DELIVER.period())
        elif report.get("skipped"):
            self.next[DELIVER.name] = None  # another process runs the jobs: look again with the next checks
        elif DELIVER.name in jobs:
            self.next[DELIVER.name] = now + DELIVER.period()

    def failed(self, jobs: list[str], now: float) -> None:
        """The process gave no report: try its jobs again later, not in a tight loop."""
        self._follow_clock(now)
        for job in jobs:
            self.next[job] = now + RETRY_AFTER

