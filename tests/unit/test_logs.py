"""The log file on a full disk: records it cannot write are dropped quietly, counted, and said once it can write.

``/dev/full`` is Linux's device that answers every write with ENOSPC, as a full disk does (null(4)); the
handler's file is that device for the "full" spell and the real log file again after.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.infra.logs import setup_logging


@pytest.fixture
def root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_never_prints_a_traceback_and_the_loss_is_logged(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], root_handlers: None) -> None:
    log_file = setup_logging(tmp_path)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_file))
    log = logging.getLogger("app.test")
    log.warning("before")
    real_name = handler.baseFilename
    handler.close()  # the file as the disk fills: every write of it, and every reopening, meets ENOSPC
    handler.baseFilename = "/dev/full"
    try:
        for n in range(3):
            log.error("lost %d", n)
    finally:
        handler.close()
        handler.baseFilename = real_name  # room again: the next record opens the log file anew
    log.warning("after")
    handler.flush()
    assert capfd.readouterr().err == ""  # it printed "--- Logging error ---" and a traceback per record
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "before", "3 log records were lost: the log file could not be written", "after"]


def test_a_bad_log_call_is_not_counted_as_a_full_disk(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                      root_handlers: None) -> None:
    """A format string that does not fit its arguments is the code's fault: logging's own report, not "lost"."""
    log_file = setup_logging(tmp_path)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_file))
    # Handed to the file's handler alone: pytest's own log capture would raise on the same record.
    handler.handle(logging.LogRecord("app.test", logging.ERROR, __file__, 1, "%d records", ("many",), None))
    assert handler.dropped == 0  # type: ignore[attr-defined]
    assert "Logging error" in capfd.readouterr().err
