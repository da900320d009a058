"""When the tray's jobs are next due, between the job processes that run them (:mod:`app.background.job_process`).

The same rhythm as the app's own agent (:mod:`app.background.agent`), with two savings
that matter when every run is a process start (~0.5 s of CPU): the outbox is
visited only when a job report says something waits to go out, and the
vendor is asked for status changes every 2 minutes only while the shop has
requests the vendor has not resolved (else every 30 minutes).  Jobs due
within the next minute go in the same process.

Wall-clock seconds, not a monotonic clock: a till that slept through a
job's time runs it when it wakes (the tray looks at least every 5 minutes).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from app.background.agent import DELIVER_EVERY, POLL_EVERY

POLL_IDLE_EVERY = 30 * 60.0  # no request waiting on the vendor: status changes are unlikely
WARRANTY_EVERY = 6 * 3600.0  # coverage changes with the date (the window's own timer is the same)
RETRY_AFTER = 5 * 60.0  # a job process that failed (crashed, killed) is tried again this much later
BATCH_AHEAD = 60.0  # jobs due this soon join the process that starts now
LONGEST_SLEEP = 5 * 60.0


class TraySchedule:
    """Next due times (wall-clock seconds) of the jobs in :data:`app.background.job_process.JOBS`; None: not planned."""

    def __init__(self, now: float, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self.health_every = 30 * 60.0
        self.update_every = 6 * 3600.0
        self.waiting_requests = 0
        # As the app's agent: checks, status and coverage at once; updates soon but not in every shop's same
        # minute; the outbox once the first report says whether anything waits.
        self.next: dict[str, float | None] = {
            "health": now, "poll": now, "warranty": now, "deliver": now,
            "updates": now + self._rng.uniform(20, 120),
        }

    def due(self, now: float) -> list[str]:
        """The jobs to run now (those due within :data:`BATCH_AHEAD` included), in no particular order."""
        if not any(at is not None and at <= now for at in self.next.values()):
            return []
        return [job for job, at in self.next.items() if at is not None and at <= now + BATCH_AHEAD]

    def seconds_to_next(self, now: float) -> float:
        """How long the tray may sleep: to the next due job, at most :data:`LONGEST_SLEEP`."""
        planned = [at for at in self.next.values() if at is not None]
        return max(0.0, min([LONGEST_SLEEP, *(at - now for at in planned)]))

    def ran(self, jobs: list[str], now: float, report: Mapping[str, Any]) -> None:
        """A job process ended with ``report``: plan each job it ran again."""
        schedule = report.get("schedule") or {}
        if "health_minutes" in schedule:
            self.health_every = float(schedule["health_minutes"]) * 60
        if "update_hours" in schedule:
            # Jitter: thousands of shops must not hit the update server in the same minute.
            self.update_every = float(schedule["update_hours"]) * 3600 + self._rng.uniform(0, 30 * 60)
        if "waiting_requests" in schedule:
            self.waiting_requests = int(schedule["waiting_requests"])
        every = {
            "health": self.health_every,
            "poll": POLL_EVERY.total_seconds() if self.waiting_requests else POLL_IDLE_EVERY,
            "warranty": WARRANTY_EVERY,
            "updates": self.update_every,
        }
        for job in jobs:
            if job in every:
                self.next[job] = now + every[job]
        if "schedule" in report:  # the outbox's own answer, whichever jobs ran
            wait = schedule.get("next_delivery_in")
            self.next["deliver"] = None if wait is None else now + max(float(wait), DELIVER_EVERY.total_seconds())
        elif report.get("skipped"):
            self.next["deliver"] = None  # another process runs the jobs: look again with the next checks
        elif "deliver" in jobs:
            self.next["deliver"] = now + DELIVER_EVERY.total_seconds()

    def failed(self, jobs: list[str], now: float) -> None:
        """The process gave no report: try its jobs again later, not in a tight loop."""
        for job in jobs:
            self.next[job] = now + RETRY_AFTER

