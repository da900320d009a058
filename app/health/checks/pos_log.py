"""Health check: errors the PMV POS wrote to its own log in the last 24 hours.

PMV writes one file a day (``pmv-YYYY-MM-DD.log``) with lines like
``2026-11-24 10:12:44 WARN  Máy in tem: hết thời gian chờ (COM3)``.  Logs of
a busy till grow large, so only the tail of each recent file is read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from app import HOTLINE
from app.health.checks.database import to_shop_time
from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import clipped, format_datetime
from app.infra.phrase import joined, say
from pmv_protocol.shop_time import SHOP_TZ

CHECK_ID = "pos.log.errors"
WINDOW = dt.timedelta(hours=24)
CLOCK_SLACK = dt.timedelta(minutes=5)
# Per file and in all: a day of a till's log is far below this; a runaway log is not read whole.
MAX_BYTES_PER_FILE = 2 * 1024**2
MAX_BYTES_TOTAL = 8 * 1024**2
MANY_ERRORS = 10  # from this many errors a day, the till is in trouble, not unlucky
LAST_SHOWN = 5
SUMMARY_MESSAGE = 160  # characters of the last error in the summary; the details keep the whole line
LOG_SUFFIXES = (".log", ".txt")
# Levels that mean the POS itself failed (it stopped or lost work): one is enough for red.
FATAL_LEVELS = frozenset({"FATAL", "CRIT", "CRITICAL"})
ERROR_LEVELS = FATAL_LEVELS | {"ERROR", "ERR"}
WARN_LEVELS = frozenset({"WARN", "WARNING"})

# PMV's own layout ("2026-11-25 10:12:44 ERROR …", the level perhaps in brackets or followed by a colon), and the
# defaults PMV's .NET logging libraries write when a component keeps them: log4net's documented
# "%date [%thread] %-5level %logger - %message" (2026-11-25 10:12:44,123 [12] FATAL PMV.Sales - …) and NLog's
# "${longdate}|${level:uppercase=true}|${logger}|${message}" (2026-11-25 10:12:44.1234|FATAL|PMV.Sales|…).  The
# date also as Vietnamese Windows writes it (25/11/2026).
_LINE = re.compile(
    r"^\ufeff?(?:(\d{4}-\d{2}-\d{2})|(\d{2})/(\d{2})/(\d{4}))[ T](\d{2}:\d{2}:\d{2})(?:[.,]\d+)?"
    r"(?:\s+\[\d+\])?(?:\s+|\|)\[?([A-Za-z]+)\]?[:|]?\s*(.*)$"
)
_DATED_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})")

REMEDIES: dict[str, str] = {
    "pos_log.errors": say(
        "HealthCheck",
        "Phần mềm PMV ghi lỗi trong nhật ký 24 giờ qua.\n"
        "1. Xem các dòng lỗi trong phần chi tiết: nếu là máy in hay đầu đọc mã vạch, kiểm tra dây cáp "
        "và bật lại thiết bị.\n"
        "2. Đóng PMV rồi mở lại.\n"
        "3. Nếu lỗi còn lặp lại, gửi yêu cầu hỗ trợ (nhật ký được gửi kèm) hoặc gọi %1.",
    ).fill(HOTLINE),
    "pos_log.fatal": say(
        "HealthCheck",
        "Phần mềm PMV gặp lỗi nghiêm trọng hoặc ghi rất nhiều lỗi trong 24 giờ qua.\n"
        "1. Lưu lại công việc đang làm, đóng PMV rồi mở lại.\n"
        "2. Kiểm tra hóa đơn vừa lập gần thời điểm lỗi đã được lưu đủ chưa.\n"
        "3. Gọi %1 và đọc dòng lỗi trong phần chi tiết cho kỹ thuật viên.",
    ).fill(HOTLINE),
    "pos_log.unreadable": say(
        "HealthCheck",
        "Nhật ký của PMV được ghi theo một định dạng ứng dụng hỗ trợ chưa đọc được, nên không biết PMV có báo lỗi "
        "hay không.\n"
        "1. Kiểm tra mục [pos] logs_dir trong cài đặt có trỏ đúng thư mục nhật ký của PMV không.\n"
        "2. Gửi yêu cầu hỗ trợ (nhật ký được gửi kèm) hoặc gọi %1 để kỹ thuật viên khai báo định dạng nhật ký.",
    ).fill(HOTLINE),
    "pos_log.folder_missing": say(
        "HealthCheck",
        "Không thấy thư mục nhật ký của PMV, nên không biết phần mềm có đang gặp lỗi hay không.\n"
        "1. Kiểm tra PMV vẫn được cài trên máy và mở được.\n"
        "2. Gọi %1 để kỹ thuật viên kiểm tra đường dẫn nhật ký trong cài đặt.",
    ).fill(HOTLINE),
}


@dataclass(frozen=True)
class LogLine:
    at: dt.datetime  # shop time
    level: str
    message: str
    file: str


def recent_files(folder: Path, now: dt.datetime) -> list[Path]:
    """Log files that may hold lines from the last 24 hours, oldest first.

    A dated name counts by its date (copying a folder changes mtimes, not
    names); any file by a recent modification time.  The timestamps on the
    lines decide what is really counted.
    """
    since = now - WINDOW
    chosen: list[tuple[float, Path]] = []
    for entry in folder.iterdir():
        if not entry.is_file() or entry.suffix.lower() not in LOG_SUFFIXES:
            continue
        mtime = entry.stat().st_mtime
        day = _name_date(entry.name)
        # A POS left running past midnight keeps writing yesterday's file: a recent mtime counts too.
        named_in_range = day is not None and since.date() <= day <= now.date()
        if named_in_range or dt.datetime.fromtimestamp(mtime, SHOP_TZ) >= since:
            order = dt.datetime.combine(day, dt.time(), SHOP_TZ).timestamp() if day is not None else mtime
            chosen.append((order, entry))
    return [path for _, path in sorted(chosen)]


def _name_date(name: str) -> dt.date | None:
    match = _DATED_FILE.search(name)
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def read_tail(path: Path, limit: int) -> str:
    """The last ``limit`` bytes of a file as text, starting at a whole line."""
    with path.open("rb") as handle:
        # A component writing .NET's Encoding.Unicode starts its file with a UTF-16 byte order mark.
        encoding = _UTF16_BOMS.get(handle.read(2), "utf-8")
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - limit)
        if encoding != "utf-8":
            start = max(2, start + start % 2)  # past the mark, on a whole UTF-16 unit
        handle.seek(start)
        data = handle.read(limit)
    text = data.decode(encoding, errors="replace")  # a stray byte from an old component must not hide the rest
    if start > (0 if encoding == "utf-8" else 2):  # cut inside the file: drop the partial first line
        text = text.split("\n", 1)[1] if "\n" in text else ""
    return text


def parse_lines(content: str, file: str) -> list[LogLine]:
    lines: list[LogLine] = []
    for raw in content.splitlines():
        match = _LINE.match(raw)
        if not match:
            continue  # stack traces and wrapped text: the line that starts them is counted
        iso, day, month, year, clock, level, message = match.groups()
        try:
            at = to_shop_time(f"{iso or f'{year}-{month}-{day}'}T{clock}")
        except ValueError:
            continue
        lines.append(LogLine(at, level.upper(), message.strip(), file))
    return lines


def check_log(ctx: CheckContext) -> CheckResult:
    folder = ctx.settings.pos.logs_dir
    if folder is None:
        raise NotConfigured(say("HealthCheck", "chưa khai báo thư mục nhật ký PMV (pos.logs_dir)"))
    folder = Path(folder)
    if not folder.is_dir():
        return result(Status.WARNING, say("HealthCheck", "Không thấy thư mục nhật ký PMV: %1").fill(str(folder)),
                      remedy="pos_log.folder_missing")
    now = ctx.local_now()
    since = now - WINDOW
    try:
        files = recent_files(folder, now)
    except PermissionError:
        return result(Status.WARNING, say("HealthCheck", "Không đọc được thư mục nhật ký PMV %1: tài khoản Windows "
                                                         "đang dùng không có quyền đọc").fill(str(folder)),
                      remedy="pos_log.folder_missing")
    budget = MAX_BYTES_TOTAL
    entries: list[LogLine] = []
    unread: list[str] = []
    truncated = False
    for path in reversed(files):  # newest first, so the budget goes to the freshest lines
        if budget <= 0:
            truncated = True
            break
        limit = min(MAX_BYTES_PER_FILE, budget)
        size = path.stat().st_size
        truncated = truncated or size > limit
        budget -= min(size, limit)
        text = read_tail(path, limit)
        found = parse_lines(text, path.name)
        if text.strip() and not found:
            unread.append(path.name)
        entries.extend(found)
    if unread and not entries:
        # Lines in a layout this check cannot read: their errors are unseen, so never "no errors".
        return result(Status.WARNING, say("HealthCheck", "Không đọc được nhật ký PMV: %1 tệp ghi theo định dạng "
                                                         "ứng dụng này không nhận ra").fill(len(unread)),
                      details=joined(unread, "\n"), remedy="pos_log.unreadable")
    # A little slack ahead of ``now``: the POS and this app may read slightly different clocks.
    recent = sorted((e for e in entries if since <= e.at <= now + CLOCK_SLACK), key=lambda e: e.at)
    errors = [e for e in recent if e.level in ERROR_LEVELS]
    fatal = [e for e in errors if e.level in FATAL_LEVELS]
    warnings = [e for e in recent if e.level in WARN_LEVELS]
    metrics = (
        Metric("errors", len(errors), warn=1, crit=MANY_ERRORS),
        Metric("fatal", len(fatal), crit=1),
        Metric("warnings", len(warnings)),
    )
    scope = (say("HealthCheck", "%1 tệp nhật ký 24 giờ qua (chỉ đọc phần cuối của tệp lớn)") if truncated
             else say("HealthCheck", "%1 tệp nhật ký 24 giờ qua")).fill(len(files))
    if not errors:
        if warnings:
            last = warnings[-1]
            return result(Status.OK, say("HealthCheck", "Không có lỗi trong nhật ký PMV, %1 cảnh báo (%2)").fill(
                              len(warnings), scope),
                          details=say("HealthCheck", "Cảnh báo gần nhất: %1 %2").fill(
                              format_datetime(last.at), last.message),
                          metrics=metrics)
        return result(Status.OK, say("HealthCheck", "Không có lỗi trong nhật ký PMV (%1)").fill(scope), metrics=metrics)
    lines: list[str] = [f"{format_datetime(e.at)} {e.level} {e.message} ({e.file})" for e in errors[-LAST_SHOWN:]]
    if truncated:
        lines.append(say("HealthCheck", "Đã đọc %1").fill(scope))
    details = joined(lines, "\n")
    last = errors[-1]
    if fatal:
        summary = say("HealthCheck", "%1 lỗi trong nhật ký PMV 24 giờ qua, %2 lỗi nghiêm trọng; gần nhất %3: %4").fill(
            len(errors), len(fatal), format_datetime(last.at), clipped(last.message, SUMMARY_MESSAGE))
    else:
        summary = say("HealthCheck", "%1 lỗi trong nhật ký PMV 24 giờ qua; gần nhất %2: %3").fill(
            len(errors), format_datetime(last.at), clipped(last.message, SUMMARY_MESSAGE))
    if fatal or len(errors) >= MANY_ERRORS:
        return result(Status.CRITICAL, summary, details, remedy="pos_log.fatal", metrics=metrics)
    return result(Status.WARNING, summary, details, remedy="pos_log.errors", metrics=metrics)


CHECKS: list[Check] = [
    Check(CHECK_ID, "Lỗi trong nhật ký PMV", Category.SYSTEM, check_log, timeout=10),
]
