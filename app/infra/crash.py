"""Crash capture: an excepthook that writes a report, and faulthandler.

The report is plain text a cashier can copy into a support request or read
out to the hotline.  The GUI registers a listener to show its crash dialog;
headless runs (``--no-err-windows``) only log and write the file.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from app import APP_NAME, __version__
from app.infra.logs import tail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrashReport:
    """What went wrong, where the report was saved, and its full text."""

    summary: str
    text: str
    path: Path | None


CrashListener = Callable[[CrashReport], None]


class CrashHandler:
    """Installs ``sys.excepthook``/``threading.excepthook`` and faulthandler."""

    def __init__(self, crash_dir: Path, log_file: Path | None = None) -> None:
        self._crash_dir = crash_dir
        self._log_file = log_file
        self._listeners: list[CrashListener] = []
        self._fault_file: IO[str] | None = None
        self._previous_hook = sys.excepthook

    def install(self) -> None:
        self._crash_dir.mkdir(parents=True, exist_ok=True)
        # faulthandler needs a file that stays open for the life of the process.
        self._fault_file = (self._crash_dir / "faulthandler.log").open("a", encoding="utf-8")
        faulthandler.enable(file=self._fault_file, all_threads=True)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = threading.__excepthook__
        if self._fault_file is not None:
            faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None

    def add_listener(self, listener: CrashListener) -> None:
        self._listeners.append(listener)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb)

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> CrashReport:
        report = build_report(exc_type, exc, tb, self._log_file)
        path = self._write(report)
        report = CrashReport(report.summary, report.text, path)
        log.critical("Unhandled exception: %s (report: %s)", report.summary, path)
        for listener in list(self._listeners):
            try:
                listener(report)
            except Exception:  # a broken listener must not hide the crash
                log.exception("crash listener failed")
        return report

    def _write(self, report: CrashReport) -> Path | None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = self._crash_dir / f"crash-{stamp}.txt"
        try:
            self._crash_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(report.text, encoding="utf-8")
        except (OSError, UnicodeError):
            log.exception("could not write crash report")
            return None
        return path


def build_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    log_file: Path | None = None,
) -> CrashReport:
    summary = "".join(traceback.format_exception_only(exc_type, exc)).strip()
    lines = [
        f"{APP_NAME} {__version__} crash report",
        f"Time: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"Python: {sys.version.split()[0]} on {platform.platform()}",
        f"Thread: {threading.current_thread().name}",
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)).rstrip(),
    ]
    if log_file is not None:
        recent = tail(log_file)
        if recent:
            lines += ["", "--- recent log ---", recent]
    return CrashReport(summary=_writable(summary), text=_writable("\n".join(lines) + "\n"), path=None)


def _writable(text: str) -> str:
    """``text`` with a lone surrogate (a file name that is not UTF-8, PEP 383) written as ``\\udcXX``: the report
    is written, logged and shown as UTF-8, and one such character made all three fail."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
