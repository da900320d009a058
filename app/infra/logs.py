"""Logging to a rotating file in the data dir.

Technicians read these logs (and ship them in support bundles), so every
record carries time, level, thread and logger name.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import unicodedata
from pathlib import Path

LOG_FILE_NAME = "pmv-support.log"
_FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"
_HANDLER_MARK = "_pmv_support_handler"


CLI_LOG_FILE_NAME = "pmv-support-cli.log"
JOBS_LOG_FILE_NAME = "pmv-support-jobs.log"  # the tray's job processes (app/background/job_process.py)


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file; a record it cannot write (a full disk, a file another program locked) is dropped.

    logging's own handleError prints "--- Logging error ---" and a traceback on stderr for every such record:
    on a full disk that buries the one line the command says to the user, and in the window it is noise nobody
    reads.  What was dropped is counted, and said in the log once it can be written again.
    """

    dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.dropped:
            lost, self.dropped = self.dropped, 0
            super().emit(logging.LogRecord(record.name, logging.WARNING, __file__, 0,
                                           "%d log records were lost: the log file could not be written",
                                           (lost,), None))
            if self.dropped:  # the file still cannot be written: the note is no record of its own to count
                self.dropped = lost
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802  (logging's name)
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):  # a bad format string in a log call: logging's own report
            super().handleError(record)
            return
        self.dropped += 1
        # The buffer still holds what could not be written and would write it once there is room, before the note
        # that says it was lost: drop the stream (and what it holds); the handler opens the file again next time.
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def setup_logging(
    log_dir: Path, *, level: int = logging.INFO, to_stderr: bool = False, file_name: str = LOG_FILE_NAME
) -> Path:
    """Attach a rotating file handler (1 MB x 5) to the root logger; idempotent.

    Headless commands log to their own file: on Windows a rotation renames
    the file, which fails while another process (the tray app) has it open.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / file_name
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    file_handler = _LogFile(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    setattr(file_handler, _HANDLER_MARK, True)
    root.addHandler(file_handler)
    if to_stderr:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(_FORMAT))
        stream.setLevel(logging.WARNING)
        setattr(stream, _HANDLER_MARK, True)
        root.addHandler(stream)
    root.setLevel(level)
    # APScheduler reports every job start and end at INFO: the log would be mostly that.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return log_file


_TAIL_BYTES = 64_000


def tail(log_file: Path, lines: int = 60) -> str:
    """The last lines of a log file, for crash reports and support bundles; empty if unreadable.

    The POS's logs are read with it too, and not every POS writes UTF-8: each line is decoded by
    :func:`_decode_line`, and the text is composed (Unicode NFC), the one spelling the redaction's rules read.
    """
    try:
        with log_file.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            start = max(0, size - _TAIL_BYTES)
            handle.seek(start)
            data = handle.read()
    except OSError:
        return ""
    if start > 0:
        data = _without_cut_letter(data)
    text = "\n".join(_decode_line(line) for line in data.splitlines())
    return "\n".join(unicodedata.normalize("NFC", text).splitlines()[-lines:])


def _without_cut_letter(data: bytes) -> bytes:
    """``data`` read from the middle of a file, without the end of a UTF-8 letter it may begin with.

    Those bytes (UTF-8 continuation bytes, at most 3) would make the first line fail as UTF-8 and be read as
    Windows-1258.  In a Windows-1258 file they are the first characters of a line cut anyway.
    """
    cut = 0
    while cut < min(3, len(data)) and 0x80 <= data[cut] < 0xC0:
        cut += 1
    return data[cut:]


def _decode_line(line: bytes) -> str:
    """One log line: UTF-8, or else Windows-1258, the code page Vietnamese Windows programs write.

    A line that is mostly valid UTF-8 with a stray byte or two (a crash mid-write) is UTF-8 with those bytes
    replaced: read as Windows-1258 it would be mojibake, hiding the names in it from redaction.
    """
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    as_utf8 = line.decode("utf-8", errors="replace")
    damaged = as_utf8.count("\ufffd")
    letters = sum(1 for char in as_utf8 if "\x7f" < char != "\ufffd")  # what did decode, beyond ASCII
    if letters > damaged:
        return as_utf8
    return line.decode("cp1258", errors="replace")  # a few bytes are undefined in the code page
