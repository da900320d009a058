"""Health checks for the GUI: a run on demand (cancellable, with progress) and on a schedule.

A scheduled run that turns the verdict critical raises one notification,
not one per run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from app.agent import BackgroundAgent
from app.health.runner import HealthReport
from app.health.service import run_health_noting_alarm
from app.runtime import Runtime
from app.storage.check_history import CheckHistory, CheckState
from app.ui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

JOB_ID = "health.checks"


@dataclass(frozen=True)
class HealthRun:
    report: HealthReport
    states: dict[str, CheckState]
    became_critical: bool


class HealthState(QObject):
    """The latest health report.

    Signals:
        started(): a run began (on demand).
        progressed(float, str): fraction done and the check that just finished.
        finished(object): a :class:`HealthRun` (on demand or scheduled).
        failed(object): the exception that stopped a run.
        cancelled(): the user stopped an on-demand run (nothing is recorded).
    """

    started = Signal()
    cancelled = Signal()
    progressed = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self.last: HealthRun | None = None
        self.task: Task | None = None
        self._agent_lock = threading.Lock()
        self.finished.connect(self._remember)

    @Slot(object)
    def _remember(self, run: HealthRun) -> None:
        self.last = run

    def _run(self, cancel: threading.Event | None, progress: Callable[[float, str], None] | None) -> HealthRun:
        report, became_critical = run_health_noting_alarm(self._runtime, cancel=cancel, progress=progress)
        return HealthRun(report, CheckHistory(self._runtime.database).states(), became_critical)

    def run_now(self, title: str = "") -> Task | None:
        if self.task is not None and not self.task.done:
            return self.task
        self.started.emit()
        self.task = self._runner.run_job(
            lambda cancel, progress: self._run(cancel, progress),
            on_success=self.finished.emit, on_failure=self.failed.emit, on_cancelled=self.cancelled.emit,
            on_progress=self.progressed.emit, title=title, cancellable=True,
        )
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    # -- background agent ----------------------------------------------------
    def register(self, agent: BackgroundAgent) -> None:
        import datetime as dt

        minutes = self._runtime.settings.health.interval_minutes
        agent.every(JOB_ID, dt.timedelta(minutes=minutes), self._scheduled, start_now=True)

    def _scheduled(self) -> None:  # an agent thread
        if not self._agent_lock.acquire(blocking=False):
            return
        try:
            self.finished.emit(self._run(None, None))
        except Exception:
            log.exception("scheduled health check failed")
        finally:
            self._agent_lock.release()
