"""The one bridge between background work and the GUI thread.

Usage, in the spirit of Anki's ``QueryOp`` and Picard's ``run_task``::

    runner.run(repo.recent, on_success=self._show_recent)
    task = runner.run_job(lambda cancel, progress: run_checks(cancel, progress),
                          on_success=..., on_progress=..., title=self.tr("..."))
    task.cancel()

Work runs on a ``QThreadPool``; every callback (success, failure, progress,
cancelled) is delivered on the GUI thread through queued signals, so callers
may touch widgets in them.  A job is the core's :data:`app.infra.job_protocol.Job`:
``job(cancel: threading.Event, progress: Callable[[float, str], None])``, and one
that stops early raises :class:`app.infra.job_protocol.Cancelled` (here also
named :data:`TaskCancelled`), whichever layer it comes from.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from app.infra.job_protocol import Cancelled, Job, Progress
from app.infra.threads import lower_this_thread

__all__ = ["Job", "Progress", "Task", "TaskCancelled", "TaskRunner"]

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1  # 10 updates a second look smooth; each costs the GUI thread a repaint

# The GUI's name for the core's one cancellation (callers raise either; they are the same class).
TaskCancelled = Cancelled


class _WorkerSignals(QObject):
    """Emitted from the worker thread; lives with its Task on the GUI thread.

    Signals:
        progressed(float, str): fraction done (0..1) and a short message.
        succeeded(object): the job's return value.
        failed(object): the exception the job raised.
        cancelled(): the job stopped because it was cancelled.
    """

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class Task(QObject):
    """A handle on one piece of background work.

    Signals:
        progressed(float, str): progress, on the GUI thread.
        finished(): emitted once, after success, failure or cancellation.
    """

    progressed = Signal(float, str)
    finished = Signal()

    _ids = itertools.count(1)

    def __init__(self, *, title: str = "", cancellable: bool = False, context: QObject | None = None) -> None:
        super().__init__()
        # Callbacks usually update a widget; if that widget is gone by the time
        # the result arrives (a language switch rebuilt the window), skip them.
        self.context = context
        self.id = next(self._ids)
        self.title = title
        self.cancellable = cancellable
        self.cancel_event = threading.Event()
        self.done = False
        self.fraction = 0.0
        self.message = ""
        self._on_success: list[Callable[[Any], None]] = []
        self._on_failure: list[Callable[[BaseException], None]] = []
        self._on_cancelled: list[Callable[[], None]] = []
        # Parented to the Task so it is destroyed with it, on the GUI thread.
        self.signals = _WorkerSignals(self)
        # The receiver (self) lives on the GUI thread, so these are queued.
        self.signals.progressed.connect(self._progressed)
        self.signals.succeeded.connect(self._succeeded)
        self.signals.failed.connect(self._failed)
        self.signals.cancelled.connect(self._cancelled)

    def on_success(self, callback: Callable[[Any], None]) -> Task:
        self._on_success.append(callback)
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Task:
        self._on_failure.append(callback)
        return self

    def on_cancelled(self, callback: Callable[[], None]) -> Task:
        self._on_cancelled.append(callback)
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    # -- GUI side ----------------------------------------------------------
    @Slot(float, str)
    def _progressed(self, fraction: float, message: str) -> None:
        self.fraction, self.message = fraction, message
        self.progressed.emit(fraction, message)

    def _context_alive(self) -> bool:
        return self.context is None or shiboken6.isValid(self.context)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        try:
            if self._context_alive():
                for callback in self._on_success:
                    callback(result)
        finally:
            self._finish()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        try:
            if not self._on_failure:
                raise exc  # nobody handles it: let the crash handler see it
            if self._context_alive():
                for callback in self._on_failure:
                    callback(exc)
        finally:
            self._finish()

    @Slot()
    def _cancelled(self) -> None:
        try:
            if self._context_alive():
                for callback in self._on_cancelled:
                    callback()
        finally:
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.finished.emit()


class _Runnable(QRunnable):
    """Runs a job on a pool thread.

    It holds only the job, the cancel event and the signals object, never the
    :class:`Task`: the Task receives queued events on the GUI thread, so it
    must also be destroyed there, which the runner guarantees by dropping it
    only after its last signal has been delivered.
    """

    def __init__(self, job: Job, cancel: threading.Event, signals: _WorkerSignals, title: str) -> None:
        super().__init__()
        self._job = job
        self._cancel = cancel
        self._signals = signals
        self._title = title
        self.setAutoDelete(True)

    def run(self) -> None:
        lower_this_thread()  # the GUI thread wins the interpreter lock from background jobs
        signals, cancel = self._signals, self._cancel

        last: list[float | str] = [0.0, ""]

        def progress(fraction: float, message: str = "") -> None:
            # At most one update per PROGRESS_INTERVAL_S (and always the last, and every new step name): a job
            # reporting per item (1,000 tags) would otherwise flood the GUI thread with repaints (bench: stalls).
            now = time.monotonic()
            fraction = max(0.0, min(1.0, float(fraction)))
            if fraction < 1.0 and message == last[1] and now - float(last[0]) < PROGRESS_INTERVAL_S:
                return
            last[0], last[1] = now, message
            tell("progressed", fraction, message)

        def tell(signal: str, *args: object) -> None:
            # The app may have quit (and its objects gone) while a long job ran past the shutdown wait.
            if shiboken6.isValid(signals):
                try:
                    getattr(signals, signal).emit(*args)
                except RuntimeError:  # deleted between the check and the emit
                    log.info("task %r finished after the app quit", self._title)

        try:
            result = self._job(cancel, progress)
        except Cancelled:
            tell("cancelled")
        except BaseException as exc:  # delivered to the GUI, never lost in a thread
            log.exception("task %r failed", self._title)
            tell("failed", exc)
        else:
            if cancel.is_set():
                tell("cancelled")
            else:
                tell("succeeded", result)


class TaskRunner(QObject):
    """Starts tasks on a thread pool and keeps them alive until they finish.

    Signals:
        task_started(object): a :class:`Task` was submitted.
        task_finished(object): a :class:`Task` finished (any outcome).
        busy_changed(bool): whether any task is running.
    """

    task_started = Signal(object)
    task_finished = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if pool is None:
            # Our own pool, a little larger than the core count: on a 2-core till
            # two long jobs must not starve the quick reads behind them.
            pool = QThreadPool(self)
            pool.setMaxThreadCount(max(4, QThread.idealThreadCount()))
        self._pool = pool
        self._active: dict[int, Task] = {}

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        title: str = "",
        context: QObject | None = None,
    ) -> Task:
        """Run a plain callable (a query, a read) in the background."""
        return self.run_job(lambda _cancel, _progress: fn(), on_success=on_success,
                            on_failure=on_failure, title=title, context=context)

    def run_job(
        self,
        job: Job,
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Progress | None = None,
        on_cancelled: Callable[[], None] | None = None,
        title: str = "",
        cancellable: bool = False,
        context: QObject | None = None,
    ) -> Task:
        """Run ``job(cancel, progress)`` in the background.

        ``context``: the widget the callbacks update; they are skipped if it is deleted first.
        """
        task = Task(title=title, cancellable=cancellable, context=context)
        if on_success:
            task.on_success(on_success)
        if on_failure:
            task.on_failure(on_failure)
        if on_cancelled:
            task.on_cancelled(on_cancelled)
        if on_progress:
            task.progressed.connect(on_progress)
        # A bound slot, not a lambda: Qt drops the connection if the runner dies first.
        task.finished.connect(self._on_task_finished)
        was_idle = not self._active
        self._active[task.id] = task
        self.task_started.emit(task)
        if was_idle:
            self.busy_changed.emit(True)
        self._pool.start(_Runnable(job, task.cancel_event, task.signals, title or str(task.id)))
        return task

    def active(self) -> list[Task]:
        return list(self._active.values())

    def is_busy(self) -> bool:
        return bool(self._active)

    def cancel_all(self) -> None:
        for task in self.active():
            task.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel everything and wait for the workers (before the database closes)."""
        self.cancel_all()
        return self._pool.waitForDone(timeout_ms)

    @Slot()
    def _on_task_finished(self) -> None:
        task = self.sender()
        if isinstance(task, Task) and self._active.pop(task.id, None) is not None:
            self.task_finished.emit(task)
            if not self._active:
                self.busy_changed.emit(False)
            task.deleteLater()


def when_all_done(tasks: list[Task], callback: Callable[[], None]) -> None:
    """Call ``callback`` once every task in ``tasks`` has finished (any outcome), after their own callbacks;
    at once if they all have already."""
    waiting = {task.id for task in tasks if not task.done}
    if not waiting:
        callback()
        return

    def finished(task: Task) -> None:
        waiting.discard(task.id)
        if not waiting:
            callback()

    for task in tasks:
        if not task.done:
            task.finished.connect(lambda task=task: finished(task))
