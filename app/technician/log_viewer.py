"""The technician's log viewer: which logs there are, and reading or searching their recent part.

Logs can be large and are being written while we read, so only the last
``max_bytes`` of a file are read (from a line start), and lines are decoded
one by one: the POS writes UTF-8, but an old build wrote Windows-1258, and
one bad byte must not hide the rest of the file.
"""

from __future__ import annotations

import enum
import re
import threading
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
DEFAULT_MAX_LINES = 5000


class LogKind(enum.StrEnum):
    APP = "app"  # this app's own logs (GUI, CLI, update helper)
    POS = "pos"  # the shop's PMV POS logs


@dataclass(frozen=True)
class LogSource:
    kind: LogKind
    path: Path
    size: int
    modified: float


@dataclass(frozen=True)
class LogLine:
    number: int  # 1-based within the part read
    text: str
    level: str | None  # ERROR / WARNING / INFO ... when the line says so


@dataclass(frozen=True)
class LogExcerpt:
    source: Path
    lines: list[LogLine]
    truncated: bool  # the file is longer than what was read
    matched: int  # lines matching the query (all lines without one)


def log_sources(app_logs_dir: Path, pos_logs_dir: Path | None) -> list[LogSource]:
    """Newest first within each kind; rotated files (``.log.1``) included."""
    found: list[LogSource] = []
    for kind, folder in ((LogKind.APP, app_logs_dir), (LogKind.POS, pos_logs_dir)):
        if folder is None or not Path(folder).is_dir():
            continue
        files = [p for p in Path(folder).iterdir() if p.is_file() and ".log" in p.name]
        for path in sorted(files, key=lambda p: p.stat().st_mtime, reverse=True):
            stat = path.stat()
            found.append(LogSource(kind, path, stat.st_size, stat.st_mtime))
    return found


_LEVEL = re.compile(r"\b(CRITICAL|FATAL|ERROR|WARNING|WARN|INFO|DEBUG)\b")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1258", errors="replace")


def read_log(path: Path, query: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES,
             max_lines: int = DEFAULT_MAX_LINES, cancel: threading.Event | None = None) -> LogExcerpt:
    """The end of ``path``; with ``query`` only the lines containing it (case-insensitive), newest last."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        start = max(0, size - max_bytes)
        handle.seek(start)
        data = handle.read(max_bytes)
    if start > 0:
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    needle = query.casefold().strip()
    lines: list[LogLine] = []
    matched = 0
    for number, raw in enumerate(data.splitlines(), start=1):
        if cancel is not None and number % 1000 == 0 and cancel.is_set():
            break
        text = _decode(raw).rstrip("\r")
        if needle and needle not in text.casefold():
            continue
        matched += 1
        level = _LEVEL.search(text)
        lines.append(LogLine(number, text, level.group(1) if level else None))
    truncated = start > 0 or len(lines) > max_lines
    return LogExcerpt(path, lines[-max_lines:], truncated, matched)
