"""The tray at logon: its background jobs in short-lived processes, so the tray itself stays small.

Until someone opens the window, the tray process holds Qt and the standard
library only (about the RSS of a bare Qt window, tests/bench/idle.py).  When
:class:`app.background.schedule.TraySchedule` says a job is due, a worker thread
starts ``pmv-support tray-jobs`` (:mod:`app.background.job_process`) and waits for it;
its JSON report comes back here on the GUI thread and becomes the tray's
colour and notifications.  When the window is wanted, start-up loads the
data layer into this process and the app's own agent takes over
(:meth:`TrayJobs.stop`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.background.schedule import TraySchedule
from app.infra.program import app_command, relaunch_args
from app.ui import notices
from app.ui.health.texts import check_title
from app.ui.levels import Level
from app.ui.notifier import Notifier
from app.ui.tray import Tray

log = logging.getLogger(__name__)

JOB_TIMEOUT_S = 15 * 60  # a process stuck this long (a hung network share) is stopped and tried again later
_VERDICT_LEVELS = {"ok": Level.OK, "warning": Level.WARNING, "critical": Level.CRITICAL}


def job_command(args: argparse.Namespace, jobs: Sequence[str], report: Path, *, first: bool,
                program: Sequence[str] | None = None) -> list[str]:
    """The ``tray-jobs`` command line for this tray (same settings file; the tray's own restart arguments).

    ``program``: what starts the app (default :func:`app_command`).
    """
    relaunch = relaunch_args(sys.argv[1:], minimized=True)
    command = list(program) if program is not None else app_command()
    if args.config is not None:
        command += ["--config", str(args.config)]
    command += ["tray-jobs", *jobs, "--report", str(report), "--tray-pid", str(os.getpid()),
                "--relaunch", json.dumps(relaunch)]
    return command + (["--first"] if first else [])


def run_job_process(make_command: Callable[[Path], list[str]], env: dict[str, str] | None = None,
                    timeout: float = JOB_TIMEOUT_S) -> dict[str, Any] | None:
    """Run one job process to its end (a worker thread); its report, or None if it left none.

    ``make_command``: the command line, given the file the process is to write its report to.
    """
    handle, name = tempfile.mkstemp(prefix="pmv-tray-jobs-", suffix=".json")
    os.close(handle)
    report = Path(name)
    report.unlink()  # the process writes it atomically; its absence means the process left none
    command = make_command(report)
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flashes up on the till
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env, timeout=timeout, creationflags=flags, check=False)
        ended = f"exit {done.returncode}: " + " | ".join(
            done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:])
    except subprocess.TimeoutExpired:
        # Stopped: its report so far (written after each job) still says what the earlier jobs found.
        log.error("tray jobs took over %d s and were stopped", timeout)
        ended = "stopped"
    except OSError as exc:
        log.error("cannot start the tray jobs: %s", exc)
        return None
    try:
        loaded = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.error("tray jobs ended (%s) without a report (%s)", ended, exc)
        return None
    finally:
        report.unlink(missing_ok=True)
    return loaded if isinstance(loaded, dict) else None


class TrayJobs(QObject):
    """Plans the tray's jobs, runs each batch in a process, shows what its report says.

    Signals:
        finished(object, object): a batch ended: the jobs (list) and the report (dict, or None if the process
            left none); on the GUI thread.
        data_unusable(str): the app's database cannot be opened; start-up loads the app to say so.
        window_wanted(): the update helper waits to see this version's window build.
        handed_over(): the update helper started and waits for this process to exit.
    """

    finished = Signal(object, object)
    data_unusable = Signal(str)
    window_wanted = Signal()
    handed_over = Signal()

    def __init__(self, tray: Tray, args: argparse.Namespace, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.time, program: Sequence[str] | None = None) -> None:
        """``clock``: wall-clock seconds; ``program``: what starts the app (the benchmark's wraps it)."""
        super().__init__(parent)
        self._program = program
        self.tray = tray
        self.args = args
        self.notifier = Notifier(self)
        self.notifier.attach_tray(tray.icon)
        self._clock = clock
        self.schedule = TraySchedule(clock())
        self.started_signalled = False  # the first process sent the update helper's start signal
        self.runs = 0
        self._first = True
        self._stopped = False
        self._running: list[str] | None = None
        self._after_stop: Callable[[], None] | None = None
        self._logging = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_due)
        self.finished.connect(self._on_finished)

    def start(self) -> None:
        self.run_due()


    def stop(self, then: Callable[[], None] | None = None) -> None:
        """Plan nothing more; ``then`` runs once no job process is left running (now, or when it ends)."""
        self._stopped = True
        self._timer.stop()
        if self._running is None:
            if then is not None:
                then()
        else:
            self._after_stop = then

    def is_running(self) -> bool:
        return self._running is not None

    def run_due(self) -> None:
        """Start the jobs due now in one process, unless one runs; with none due, plan the next look."""
        if self._stopped or self._running is not None:
            return
        now = self._clock()
        jobs = self.schedule.due(now)
        if not jobs:
            self._timer.start(int(self.schedule.seconds_to_next(now) * 1000) + 50)
            return
        args, first, program = self.args, self._first, self._program
        env = dict(os.environ)  # as it is now, on this thread

        def make_command(report: Path) -> list[str]:
            return job_command(args, jobs, report, first=first, program=program)

        self._running = jobs
        log.info("tray jobs: %s", " ".join(jobs))
        # The temporary file and the process both start on the worker thread, never on the GUI thread.
        threading.Thread(target=lambda: self.finished.emit(jobs, run_job_process(make_command, env)),
                         name="tray jobs", daemon=True).start()

    @Slot(object, object)
    def _on_finished(self, jobs: list[str], report: dict[str, Any] | None) -> None:
        self._running = None
        self.runs += 1
        now = self._clock()
        if report is None:
            self.schedule.failed(jobs, now)
        else:
            # A process stopped mid-way: what its finished jobs found is shown, and only the others are tried
            # again (all of them retried together, the slow one took the others down with it each time).
            done = report.get("done")
            ran = [job for job in jobs if job in done] if isinstance(done, list) else jobs
            self.schedule.failed([job for job in jobs if job not in ran], now)
            self._use(ran, report, now)
        if self._stopped:
            then, self._after_stop = self._after_stop, None
            if then is not None:
                then()
            return
        self.run_due()

    def _use(self, jobs: list[str], report: dict[str, Any], now: float) -> None:
        if "fatal" in report:
            self._stopped = True
            self.data_unusable.emit(str(report["fatal"]))
            return
        self._start_logging(report.get("log_dir"))
        if self._first:
            self._first = False
            if report.get("handover_waiting"):
                self._stopped = True
                self.window_wanted.emit()
                return
            self.started_signalled = True
            log.info("tray started at logon; its jobs run in separate processes until the window opens")
        if report.get("skipped"):
            log.info("tray jobs skipped: %s", report["skipped"])
        for job, error in (report.get("errors") or {}).items():
            log.warning("tray job %s: %s", job, error)
        self.schedule.ran(jobs, now, report)
        self._show(report)
        if report.get("handed_over"):
            self._stopped = True
            self.handed_over.emit()

    def _start_logging(self, log_dir: object) -> None:
        if self._logging or not isinstance(log_dir, str):
            return
        from app.infra.logs import setup_logging

        try:
            setup_logging(Path(log_dir))
            self._logging = True
        except OSError as exc:
            print(f"pmv-support: cannot log to {log_dir}: {exc}", file=sys.stderr)

    def _show(self, report: dict[str, Any]) -> None:
        notify = self.notifier.notify
        health = report.get("health")
        if isinstance(health, dict):
            self.tray.set_level(_VERDICT_LEVELS.get(str(health.get("verdict")), Level.WARNING))
            if health.get("became_critical"):
                titles = [str(t) for t in health.get("critical_titles") or []]
                ids = [str(i) for i in health.get("critical_ids") or []]
                if len(ids) == len(titles):  # a report from before the ids: the titles as the job wrote them
                    titles = [check_title(check_id, title) for check_id, title in zip(ids, titles, strict=True)]
                notify(*notices.health_critical(titles))
        for change in report.get("status_changes") or []:
            title = str(change.get("title"))
            notice = notices.status_change(str(change.get("new")), str(change.get("ticket_number") or title),
                                           str(change.get("solution_text") or title),
                                           bool(change.get("system_opened")))
            if notice is not None:
                notify(*notice)
        for message in report.get("new_messages") or []:
            notify(*notices.vendor_message(str(message.get("number") or ""), str(message.get("author") or ""),
                                           str(message.get("text") or "")))
        for reminder in report.get("visit_reminders") or []:
            notify(*notices.visit_reminder(str(reminder.get("kind")), str(reminder.get("number") or ""),
                                           notices.slot_words(reminder.get("slot") or {})))
        updates = report.get("updates") or {}
        if updates.get("app_staged"):
            notify(*notices.app_staged(str(updates["app_staged"])))
        for pack in updates.get("installed") or []:
            notify(*notices.pack_installed(str(pack.get("title") or pack.get("pack_id")), str(pack.get("version"))))
        if report.get("recovered_database"):
            notify(*notices.database_recovered(str(report["recovered_database"])))
        if isinstance(report.get("reminder_days"), int):
            notify(*notices.coverage_reminder(report["reminder_days"]))
