"""Health checks for the GUI: a run on demand (cancellable, with progress) and on a schedule.

A scheduled run that turns the verdict critical raises one notification,
not one per run.  Until this window has run the checks itself, it shows the
newest run recorded in the history, whoever made it (the background agent,
the tray's job, the command line), read in a worker at start and again every
few minutes, so the page never says "not checked" over a known result.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.background.agent import BackgroundAgent
from app.background.registry import HEALTH
from app.health.model import HealthReport
from app.health.service import latest_stored, run_health_noting_alarm
from app.runtime import Runtime
from app.storage.check_history import CheckHistory, CheckState
from app.storage.errors import StorageError
from app.ui.feature_state import FeatureState
from app.ui.health.texts import checks_progress
from app.ui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

# How often the window looks for a run another process recorded (the headless agent runs the checks then).
STORED_REFRESH_MS = 5 * 60 * 1000


@dataclass(frozen=True)
class HealthRun:
    report: HealthReport
    states: dict[str, CheckState]
    became_critical: bool
    # Read back from the history rather than run by this window: statuses and summaries only, no fix steps.
    stored: bool = False


class HealthState(FeatureState):
    """The latest health report.

    ``last`` is this window's own latest run (what a support request carries);
    ``latest`` is what to show: ``last``, or a newer run recorded elsewhere.

    Signals:
        started(): a run began (on demand).
        progressed(float, str): fraction done and the check that just finished.
        finished(object): a :class:`HealthRun` (on demand or scheduled).
        failed(object): the exception that stopped a run.
        cancelled(): the user stopped an on-demand run (nothing is recorded).
        restored(object): a stored :class:`HealthRun` newer than what was shown (at start, or another process's).
    """

    started = Signal()
    cancelled = Signal()
    progressed = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)
    restored = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(runtime, runner, parent)
        self.last: HealthRun | None = None
        self.stored: HealthRun | None = None
        self.task: Task | None = None
        self._agent_lock = threading.Lock()
        self.finished.connect(self._remember)
        self._refresh = QTimer(self)
        self._refresh.setInterval(STORED_REFRESH_MS)
        self._refresh.timeout.connect(self.load)

    @Slot(object)
    def _remember(self, run: HealthRun) -> None:
        self.last = run

    @property
    def latest(self) -> HealthRun | None:
        """The newest run known: this window's or one recorded by another process."""
        runs = [run for run in (self.last, self.stored) if run is not None]
        return max(runs, key=lambda run: run.report.finished_at, default=None)

    def load(self) -> Task:
        """Read the newest recorded run in a worker; ``restored`` is emitted if it is newer than what is shown."""
        if not self._refresh.isActive():
            self._refresh.start()
        return self._runner.run(lambda: latest_stored(self._runtime), on_success=self._on_stored,
                                on_failure=lambda exc: log.error("reading the stored health results: %s", exc))

    def _on_stored(self, found: tuple[HealthReport, dict[str, CheckState]] | None) -> None:
        if found is None:
            return
        report, states = found
        shown = self.latest
        if shown is not None and shown.report.finished_at >= report.finished_at:
            return  # this window's own run, or one already shown
        self.stored = HealthRun(report, states, False, stored=True)
        self.restored.emit(self.stored)

    def _run(self, cancel: threading.Event | None, progress: Callable[[float, str], None] | None) -> HealthRun:
        report, became_critical = run_health_noting_alarm(
            self._runtime, cancel=cancel, progress=checks_progress(progress) if progress else None)
        try:
            states = CheckHistory(self._runtime.database).states()
        except StorageError:  # the history cannot be read now: the run is still shown, without "since when"
            log.warning("check history unreadable after a run", exc_info=True)
            states = {}
        return HealthRun(report, states, became_critical)

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
        # The demo's first run comes once its regulation pack is installed (app/ui/pages/living_demo.py): one run
        # before that would race it and could show the shop without the pack's rule.
        agent.add(HEALTH, self._scheduled, self._runtime.settings, wait_first=self._runtime.demo)

    def _scheduled(self) -> None:  # an agent thread
        if not self._agent_lock.acquire(blocking=False):
            return
        try:
            self.finished.emit(self._run(None, None))
        except Exception:
            log.exception("scheduled health check failed")
        finally:
            self._agent_lock.release()
