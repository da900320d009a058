"""Health checks of the till PC itself: disk, clock, memory/CPU, the POS process.

Disk, memory and CPU come through ``ctx.machine`` and the shop's time through
``ctx.clock`` (psutil underneath: the same code on Windows and Linux), so
tests choose the machine's state and move the clock.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psutil

from app import HOTLINE
from app.health.checks.room import GB
from app.health.checks.services import CERT_HAS_EXPIRED, CERT_NOT_YET_VALID, probe_vendor
from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import format_datetime
from app.infra.phrase import Phrase, joined, number, say
from pmv_protocol.calendar import in_hours

# Above this the till's invoices and e-invoice timestamps are plainly wrong
# (tax authority e-invoice systems reject or flag out-of-order times).
CLOCK_CRITICAL_SECONDS = 600.0
# No true clock reads a time outside these: this version was written in 2026, and no till runs it past 2100.
# A time before is a clock set back (a flat CMOS battery); a server's Date outside is a proxy's or a device's
# without a real-time clock, not a time to set the till by.
TRUE_TIMES = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
CPU_SAMPLE_SECONDS = 0.5
# The percentage limit's ceiling: room for a year of the POS database, its backups and a Windows feature update
# (Microsoft asks ~20 GB free for one).  Past it a percentage of a big disk only raises false alarms.
PERCENT_LIMIT_CAP_GB = 20.0

REMEDIES: dict[str, str] = {
    "disk.low": say(
        "HealthCheck",
        "Ổ đĩa chứa dữ liệu PMV sắp đầy; khi đầy, phần mềm có thể không lưu được hóa đơn và bản sao lưu.\n"
        "1. Dọn Thùng rác (Recycle Bin) và thư mục Downloads.\n"
        "2. Chạy \u201cDisk Cleanup\u201d của Windows cho ổ đĩa đó.\n"
        "3. Không xóa thư mục dữ liệu hay thư mục sao lưu của PMV.\n"
        "4. Nếu vẫn thiếu chỗ, gọi %1 để kỹ thuật viên dời bản sao lưu cũ sang ổ khác.",
    ).fill(HOTLINE),
    "clock.skew": say(
        "HealthCheck",
        "Đồng hồ máy tính bị lệch; giờ trên hóa đơn và hóa đơn điện tử sẽ sai.\n"
        "1. Bấm chuột phải vào đồng hồ góc dưới màn hình, chọn \u201cAdjust date/time\u201d.\n"
        "2. Bật \u201cSet time automatically\u201d và chọn múi giờ (UTC+07:00) Bangkok, Hanoi, Jakarta.\n"
        "3. Bấm \u201cSync now\u201d, rồi chạy lại kiểm tra.\n"
        "4. Nếu đồng hồ tự lệch lại sau khi tắt máy (pin CMOS yếu), gọi %1.",
    ).fill(HOTLINE),
    "system.resources": say(
        "HealthCheck",
        "Máy tính đang quá tải, phần mềm PMV có thể chạy chậm hoặc treo.\n"
        "1. Đóng các chương trình không dùng (trình duyệt nhiều tab, phim, trò chơi).\n"
        "2. Mở Task Manager (Ctrl+Shift+Esc) để xem chương trình nào dùng nhiều nhất.\n"
        "3. Cuối ngày, khởi động lại máy.\n"
        "4. Nếu vẫn chậm thường xuyên, gọi %1.",
    ).fill(HOTLINE),
    "pos.not_running": say(
        "HealthCheck",
        "Phần mềm PMV không chạy trong giờ bán hàng.\n"
        "1. Mở phần mềm PMV từ biểu tượng trên màn hình.\n"
        "2. Nếu phần mềm báo lỗi hoặc tự tắt, chụp màn hình thông báo lỗi.\n"
        "3. Gọi %1 và gửi ảnh chụp cho kỹ thuật viên.",
    ).fill(HOTLINE),
}


def _num(value: float, digits: int | None = 1) -> str:
    """Vietnamese decimals use a comma: 79,5 GB (``digits=None``: as short as possible); English a point."""
    return number(value, digits)


# --- disk.free ----------------------------------------------------------------

def _disk_target(ctx: CheckContext) -> tuple[Path, Phrase]:
    """The folder whose drive matters: the POS database's, else the app's data folder."""
    pos = ctx.settings.pos
    if pos.database is not None and not pos.url:
        return Path(pos.database).parent, say("HealthCheck", "cơ sở dữ liệu PMV")
    data_dir = ctx.data_dir or ctx.settings.data_dir
    if data_dir is None:
        raise NotConfigured(say("HealthCheck", "chưa khai báo cơ sở dữ liệu PMV hay thư mục dữ liệu"))
    return Path(data_dir), say("HealthCheck", "thư mục dữ liệu")


def _existing(path: Path) -> Path:
    # A database folder not created yet still lives on a drive: measure its nearest ancestor.
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def check_disk(ctx: CheckContext) -> CheckResult:
    target, label = _disk_target(ctx)
    usage = ctx.machine.disk_usage(str(_existing(target)))
    free_gb = usage.free / GB
    free_percent = usage.free * 100 / usage.total if usage.total else 0.0
    health = ctx.settings.health
    limit_gb = disk_limit_gb(usage.total / GB, health.disk_min_free_percent, health.disk_min_free_gb)
    limit_percent = limit_gb * GB * 100 / usage.total if usage.total else 0.0
    metrics = (
        Metric("free_gb", round(free_gb, 2), "GB", warn=round(limit_gb, 2), crit=round(limit_gb / 2, 2)),
        Metric("free_percent", round(free_percent, 1), "%", warn=round(limit_percent, 1),
               crit=round(limit_percent / 2, 1)),
    )
    summary = say("HealthCheck", "Ổ đĩa %1 còn trống %2 GB (%3% của %4 GB)").fill(
        label, _num(free_gb), _num(free_percent, 0), _num(usage.total / GB, 0))
    details = say("HealthCheck", "Đo tại %1; cảnh báo khi còn trống dưới %2 GB (%3% dung lượng ổ, tối đa %4 GB, "
                                 "ít nhất %5 GB), nghiêm trọng khi dưới một nửa mức đó").fill(
        str(target), _num(limit_gb), _num(health.disk_min_free_percent, None), _num(PERCENT_LIMIT_CAP_GB, None),
        _num(health.disk_min_free_gb, None))
    if free_gb < limit_gb / 2:
        return result(Status.CRITICAL, summary, details, remedy="disk.low", metrics=metrics)
    if free_gb < limit_gb:
        return result(Status.WARNING, summary, details, remedy="disk.low", metrics=metrics)
    return result(Status.OK, summary, details, metrics=metrics)


def disk_limit_gb(total_gb: float, min_percent: float, min_gb: float) -> float:
    """The free space below which the drive is low: ``min_percent`` of it, but never more than
    PERCENT_LIMIT_CAP_GB (a tenth of a 2 TB disk is 200 GB, far more than a till needs) and never less than
    ``min_gb``."""
    return max(min_gb, min(total_gb * min_percent / 100, PERCENT_LIMIT_CAP_GB))


# --- clock.skew ---------------------------------------------------------------

def _duration(seconds: float) -> Phrase:
    seconds = abs(round(seconds))
    if seconds < 60:
        return say("HealthCheck", "%1 giây").fill(seconds)
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return (say("HealthCheck", "%1 phút %2 giây").fill(minutes, rest) if rest
                else say("HealthCheck", "%1 phút").fill(minutes))
    hours, minutes = divmod(minutes, 60)
    return say("HealthCheck", "%1 giờ %2 phút").fill(hours, minutes)


def check_clock(ctx: CheckContext) -> CheckResult:
    """Compare ctx.now() with the vendor server's HTTP Date header (1-second resolution)."""
    if ctx.now() < TRUE_TIMES[0]:
        # HTTPS fails under such a clock (certificates "not yet valid"): no server time will come to say it.
        return result(Status.CRITICAL, say("HealthCheck", "Đồng hồ máy đang ở %1, trước cả khi phần mềm này được "
                                                          "làm ra: đồng hồ đã bị lùi").fill(
                          format_datetime(ctx.now())), remedy="clock.skew")
    probe = probe_vendor(ctx)
    if probe.server_date is not None and not TRUE_TIMES[0] <= probe.server_date < TRUE_TIMES[1]:
        return result(Status.SKIPPED, say("HealthCheck", "Bỏ qua: giờ máy chủ không hợp lệ (%1), không dùng để "
                                                         "so").fill(f"{probe.server_date:%Y-%m-%d %H:%M:%S}"),
                      details=probe.url)
    if probe.server_date is None and probe.certificate_dates == CERT_NOT_YET_VALID:
        # Under a clock this far behind no server time can come: TLS itself says the clock is before the
        # certificate's first day (a certificate the vendor just issued would be valid minutes later).
        return result(Status.CRITICAL, say("HealthCheck", "Theo đồng hồ máy (%1), chứng chỉ bảo mật của máy chủ hỗ "
                                                          "trợ chưa đến ngày hiệu lực: đồng hồ máy bị chậm").fill(
                          format_datetime(ctx.now())), details=probe.url, remedy="clock.skew")
    if probe.server_date is None and probe.certificate_dates == CERT_HAS_EXPIRED:
        # Either the till runs ahead or the vendor's certificate really expired: both stop every exchange.
        return result(Status.WARNING, say("HealthCheck", "Theo đồng hồ máy (%1), chứng chỉ bảo mật của máy chủ hỗ "
                                                         "trợ đã hết hạn: đồng hồ máy có thể bị nhanh (hoặc chứng "
                                                         "chỉ đã hết hạn thật)").fill(format_datetime(ctx.now())),
                      details=probe.url, remedy="clock.skew")
    if probe.server_date is None:
        reason = probe.error or say("HealthCheck", "máy chủ không gửi giờ (thiếu tiêu đề Date)")
        return result(Status.SKIPPED,
                      say("HealthCheck", "Bỏ qua: không so được giờ với máy chủ hỗ trợ (%1)").fill(reason),
                      details=probe.url)
    # The Date header is truncated to the whole second: the server's true time
    # was, on average, half a second later than it says.
    server_time = probe.server_date + dt.timedelta(seconds=0.5)
    skew = (probe.sent_at - server_time).total_seconds()  # > 0: this PC is ahead
    # Below the header's resolution, call it exact.
    if abs(skew) < 1:
        skew = 0.0
    warn = ctx.settings.health.clock_max_skew_seconds
    crit = max(CLOCK_CRITICAL_SECONDS, warn)
    metrics = (Metric("skew_seconds", round(skew, 1), "s", warn=warn, crit=crit),)
    if skew > 0:
        summary = say("HealthCheck", "Đồng hồ máy nhanh %1 so với máy chủ").fill(_duration(skew))
    elif skew < 0:
        summary = say("HealthCheck", "Đồng hồ máy chậm %1 so với máy chủ").fill(_duration(skew))
    else:
        summary = say("HealthCheck", "Đồng hồ máy khớp với máy chủ hỗ trợ")
    details = say("HealthCheck", "Giờ máy: %1 UTC; giờ máy chủ: %2 UTC").fill(
        f"{probe.sent_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}",
        f"{probe.server_date.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}")
    if abs(skew) > crit:
        return result(Status.CRITICAL, summary, details, remedy="clock.skew", metrics=metrics)
    if abs(skew) > warn:
        return result(Status.WARNING, summary, details, remedy="clock.skew", metrics=metrics)
    return result(Status.OK, summary, details, metrics=metrics)


# --- system.resources ---------------------------------------------------------

def check_resources(ctx: CheckContext) -> CheckResult:
    memory = ctx.machine.memory()
    cpu = ctx.machine.cpu_percent(CPU_SAMPLE_SECONDS)
    health = ctx.settings.health
    metrics = (
        Metric("memory_percent", round(memory.percent, 1), "%", warn=health.memory_max_percent),
        Metric("cpu_percent", round(cpu, 1), "%", warn=health.cpu_max_percent),
    )
    used_gb, total_gb = (memory.total - memory.available) / GB, memory.total / GB
    summary = say("HealthCheck", "Bộ nhớ đã dùng %1% (%2/%3 GB), CPU %4%").fill(
        _num(memory.percent, 0), _num(used_gb), _num(total_gb), _num(cpu, 0))
    over: list[str] = []
    if memory.percent > health.memory_max_percent:
        over.append(say("HealthCheck", "bộ nhớ trên %1%").fill(_num(health.memory_max_percent, None)))
    if cpu > health.cpu_max_percent:
        over.append(say("HealthCheck", "CPU trên %1%").fill(_num(health.cpu_max_percent, None)))
    if over:
        return result(Status.WARNING, summary, say("HealthCheck", "Quá ngưỡng: %1").fill(joined(over)),
                      remedy="system.resources", metrics=metrics)
    return result(Status.OK, summary, metrics=metrics)


# --- pos.process --------------------------------------------------------------

def in_trading_hours(ctx: CheckContext) -> bool:
    return in_hours(ctx.settings.health.trading_hours, ctx.local_now())


def _name_matches(name: str | None, wanted: str) -> bool:
    # Case-insensitive; "PMV" also matches "PMV.exe" (Windows names carry the suffix).
    if not name:
        return False
    name, wanted = name.casefold(), wanted.casefold()
    return name == wanted or name.removesuffix(".exe") == wanted.removesuffix(".exe")


def find_processes(wanted: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name"]):  # vanished / denied processes are skipped by psutil
        if _name_matches(process.info.get("name"), wanted):
            found.append(process)
    return found


def check_pos_process(ctx: CheckContext) -> CheckResult:
    wanted = ctx.settings.pos.process_name.strip()
    if not wanted:
        raise NotConfigured(say("HealthCheck", "chưa khai báo tên tiến trình PMV (pos.process_name)"))
    hours = ctx.settings.health.trading_hours
    if not in_trading_hours(ctx):
        return result(Status.SKIPPED, say("HealthCheck", "Bỏ qua: ngoài giờ bán hàng (%1, bây giờ %2)").fill(
            hours, f"{ctx.local_now():%H:%M}"))
    found = find_processes(wanted)
    metrics = (Metric("processes", len(found), crit=0),)
    if not found:
        return result(Status.CRITICAL, say("HealthCheck", "%1 không chạy trong giờ bán hàng (%2)").fill(wanted, hours),
                      remedy="pos.not_running", metrics=metrics)
    memory_mb = 0.0
    for process in found:
        try:
            memory_mb += process.memory_info().rss / 1024**2
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass  # the count is what matters; memory is a courtesy
    pids = ", ".join(str(p.pid) for p in found)
    return result(Status.OK, say("HealthCheck", "%1 đang chạy (%2 tiến trình, %3 MB bộ nhớ)").fill(
                      wanted, len(found), _num(memory_mb, 0)),
                  details=f"PID: {pids}", metrics=(*metrics, Metric("memory_mb", round(memory_mb, 1), "MB")))


CHECKS: list[Check] = [
    Check("disk.free", "Dung lượng ổ đĩa", Category.SYSTEM, check_disk, timeout=10),
    Check("clock.skew", "Đồng hồ máy tính", Category.SYSTEM, check_clock, timeout=12),
    Check("system.resources", "Bộ nhớ và CPU", Category.SYSTEM, check_resources, timeout=5),
    Check("pos.process", "Phần mềm PMV đang chạy", Category.SYSTEM, check_pos_process, timeout=10),
]
