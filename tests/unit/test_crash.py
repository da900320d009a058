from __future__ import annotations

import sys
import threading
from pathlib import Path

from app.infra.crash import CrashHandler, CrashReport
from app.infra.logs import setup_logging


def _raise() -> None:
    raise ValueError("giá vàng âm")


def test_unhandled_exception_writes_a_report_with_traceback_and_log_tail(tmp_path: Path) -> None:
    log_file = setup_logging(tmp_path / "logs")
    import logging

    logging.getLogger("test").warning("dòng nhật ký trước lỗi")
    handler = CrashHandler(tmp_path / "crash", log_file)
    seen: list[CrashReport] = []
    handler.add_listener(seen.append)
    handler.install()
    try:
        try:
            _raise()
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        handler.uninstall()
    assert len(seen) == 1
    report = seen[0]
    assert report.summary == "ValueError: giá vàng âm"
    assert report.path is not None and report.path.read_text(encoding="utf-8") == report.text
    assert "in _raise" in report.text
    assert "dòng nhật ký trước lỗi" in report.text


def test_exceptions_in_threads_are_captured_too(tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path / "crash")
    seen: list[CrashReport] = []
    handler.add_listener(seen.append)
    handler.install()
    try:
        thread = threading.Thread(target=_raise)
        thread.start()
        thread.join()
    finally:
        handler.uninstall()
    assert [r.summary for r in seen] == ["ValueError: giá vàng âm"]


def test_a_failing_listener_does_not_stop_the_report(tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path / "crash")
    handler.add_listener(lambda report: 1 / 0)
    try:
        _raise()
    except ValueError:
        report = handler.handle(*sys.exc_info())
    assert report.path is not None and report.path.exists()


def test_a_crash_naming_a_file_whose_name_is_not_utf8_is_still_reported(tmp_path: Path) -> None:
    # On POSIX a file name that is not UTF-8 comes to Python as lone surrogates (PEP 383, surrogateescape); on
    # Windows an unpaired UTF-16 surrogate in a name does the same. Writing the report raised UnicodeEncodeError:
    # an empty report on disk, no log line and no crash dialog.
    name = b"tem-v\xe0ng.json".decode("utf-8", "surrogateescape")
    seen = _crashed(CrashHandler(tmp_path / "crash"), ValueError(f"{name}: no such template"))  # the templates' words
    assert len(seen) == 1
    report = seen[0]
    assert report.path is not None and "tem-v\\udce0ng.json" in report.path.read_text(encoding="utf-8")
    assert report.summary.encode("utf-8")  # the dialog's text: no lone surrogate left in it


def _crashed(handler: CrashHandler, error: Exception) -> list[CrashReport]:
    """What the handler's listeners saw of ``error`` raised and left unhandled."""
    seen: list[CrashReport] = []
    handler.add_listener(seen.append)
    handler.install()
    try:
        try:
            raise error
        except type(error):
            sys.excepthook(*sys.exc_info())
    finally:
        handler.uninstall()
    return seen
