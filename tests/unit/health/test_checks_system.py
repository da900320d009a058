"""System checks against the real machine: its disk, memory, CPU and processes."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from app.health.checks import system
from app.health.checks.system import CHECKS, REMEDIES
from app.health.context import CheckContext
from app.health.machine import MachineProbes
from app.health.model import Category, CheckResult, Status
from app.infra.settings import Settings
from tests.unit.health.conftest import find, run_one, settings_with

MakeCtx = Callable[..., CheckContext]


def _metric(outcome: CheckResult, name: str) -> float:
    return next(m.value for m in outcome.metrics if m.name == name)


def test_module_exports_checks_and_vietnamese_remedies() -> None:
    assert [c.id for c in CHECKS] == ["disk.free", "clock.skew", "system.resources", "pos.process"]
    assert all(c.category is Category.SYSTEM for c in CHECKS)
    assert find(CHECKS, "disk.free").title == "Dung lượng ổ đĩa"
    for code, text in REMEDIES.items():
        assert "\n1. " in text and "1900 6037" in text, code


# --- disk.free ----------------------------------------------------------------

def _free_gb(path: Path) -> float:
    return shutil.disk_usage(path).free / 1024**3


def test_disk_ok_reports_free_space_of_the_pos_database_drive(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    settings = settings_with(shop_settings, "health", disk_min_free_percent=0, disk_min_free_gb=0)
    outcome = run_one(find(CHECKS, "disk.free"), make_ctx(settings))
    assert outcome.status is Status.OK, outcome.summary
    assert "cơ sở dữ liệu PMV" in outcome.summary and "GB" in outcome.summary
    assert shop_settings.pos.database is not None
    folder = shop_settings.pos.database.parent
    assert str(folder) in outcome.details
    assert _metric(outcome, "free_gb") == pytest.approx(_free_gb(folder), rel=0.05)
    assert 0 < _metric(outcome, "free_percent") <= 100


def test_disk_warning_between_the_threshold_and_its_half(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    free = _free_gb(shop_settings.pos.database.parent)  # type: ignore[union-attr]
    settings = settings_with(shop_settings, "health", disk_min_free_percent=0, disk_min_free_gb=free * 1.5)
    outcome = run_one(find(CHECKS, "disk.free"), make_ctx(settings))
    assert outcome.status is Status.WARNING, outcome.summary
    assert outcome.remedy == "disk.low"


def test_disk_critical_below_half_the_threshold(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    free = _free_gb(shop_settings.pos.database.parent)  # type: ignore[union-attr]
    settings = settings_with(shop_settings, "health", disk_min_free_gb=free * 3)
    outcome = run_one(find(CHECKS, "disk.free"), make_ctx(settings))
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "disk.low"


def test_disk_critical_on_a_really_full_file_system(make_ctx: MakeCtx, shop_settings: Settings,
                                                    tiny_disk: Path) -> None:
    # No POS database: the app's data folder (here on a 32 KiB tmpfs) is measured.
    settings = settings_with(shop_settings, "pos", database=None)
    outcome = run_one(find(CHECKS, "disk.free"), make_ctx(settings, data_dir=tiny_disk))
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert "thư mục dữ liệu" in outcome.summary
    assert _metric(outcome, "free_gb") == 0


def test_disk_skipped_without_database_or_data_dir(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    settings = settings_with(shop_settings, "pos", database=None)
    outcome = run_one(find(CHECKS, "disk.free"), make_ctx(settings))
    assert outcome.status is Status.SKIPPED
    assert outcome.summary.startswith("Bỏ qua:")


def test_disk_measures_the_drive_of_a_database_folder_not_created_yet(make_ctx: MakeCtx, shop_settings: Settings,
                                                                     tmp_path: Path) -> None:
    settings = settings_with(shop_settings, "pos", database=tmp_path / "not" / "yet" / "pmv.sqlite3")
    settings = settings_with(settings, "health", disk_min_free_percent=0, disk_min_free_gb=0)
    assert run_one(find(CHECKS, "disk.free"), make_ctx(settings)).status is Status.OK


@pytest.mark.parametrize(("total_gb", "free_gb", "expected"), [
    # A big disk: 10 % of 2 TB is 200 GB, far more than a till needs; the percentage is capped at
    # PERCENT_LIMIT_CAP_GB (20 GB), so 90 GB free is plenty and only a few GB left is alarming.
    (2000, 90, Status.OK), (4000, 180, Status.OK), (1000, 45, Status.OK),
    (2000, 15, Status.WARNING), (2000, 8, Status.CRITICAL),
    # A till's 120 GB SSD: 10 % (12 GB) is below the cap and still decides.
    (120, 10, Status.WARNING), (120, 5, Status.CRITICAL), (120, 30, Status.OK),
    # A small disk: 10 % of 16 GB is 1.6 GB, so the absolute 2 GB decides.
    (16, 1.8, Status.WARNING), (16, 0.9, Status.CRITICAL), (16, 2.5, Status.OK),
])
def test_a_big_disk_is_judged_by_the_room_a_till_needs_not_a_tenth_of_it(
        make_ctx: MakeCtx, shop_settings: Settings, total_gb: float, free_gb: float, expected: Status) -> None:
    settings = settings_with(shop_settings, "health", disk_min_free_percent=10, disk_min_free_gb=2)
    machine = MachineProbes.fixed(disk_total=int(total_gb * 1024**3), disk_free=int(free_gb * 1024**3))
    outcome = run_one(find(CHECKS, "disk.free"), make_ctx(settings, machine=machine))
    assert outcome.status is expected, outcome.summary


# --- clock.skew (the real vendor server is in tests/integration) ----------------

def test_clock_skipped_when_the_vendor_server_cannot_be_reached(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = settings_with(shop_settings, "vendor", base_url=f"http://127.0.0.1:{port}", timeout_seconds=2)
    outcome = run_one(find(CHECKS, "clock.skew"), make_ctx(settings))
    assert outcome.status is Status.SKIPPED
    assert "máy chủ hỗ trợ" in outcome.summary


@pytest.fixture
def serving_date() -> Iterator[Callable[[str], str]]:
    """A real HTTP server on loopback whose every answer carries the ``Date`` header given: its base URL."""
    import http.server
    import threading

    servers: list[http.server.HTTPServer] = []

    def start(date: str) -> str:
        class Answer(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                self.send_response_only(200)
                self.send_header("Date", date)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# RFC 9110 5.6.7 gives the form; these are dates no true clock gives (a proxy or a device without a real-time
# clock): they made the check say "Đồng hồ máy chậm 69890455 giờ", critical, and send the cashier to change a
# right clock.
@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
                                  "Mon, 01 Jan 0001 00:00:00 GMT"])
def test_a_server_date_no_true_clock_gives_is_not_compared(make_ctx: MakeCtx, shop_settings: Settings,
                                                           serving_date: Callable[[str], str], date: str) -> None:
    settings = settings_with(shop_settings, "vendor", base_url=serving_date(date), timeout_seconds=2)
    outcome = run_one(find(CHECKS, "clock.skew"), make_ctx(settings))
    assert outcome.status is Status.SKIPPED, outcome.summary
    assert "giờ máy chủ không hợp lệ" in outcome.summary


def test_a_clock_set_back_before_this_version_existed_is_critical_even_offline(make_ctx: MakeCtx,
                                                                               shop_settings: Settings) -> None:
    # A flat CMOS battery puts the clock back years; HTTPS then fails (certificates "not yet valid"), so the
    # server's time never comes and the check was skipped: green, with the cause of every failure unsaid.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = settings_with(shop_settings, "vendor", base_url=f"http://127.0.0.1:{port}", timeout_seconds=2)
    back = dt.datetime(2019, 1, 1, 9, tzinfo=dt.UTC)
    outcome = run_one(find(CHECKS, "clock.skew"), make_ctx(settings, now=back))
    assert outcome.status is Status.CRITICAL and outcome.remedy == "clock.skew"
    assert "01/01/2019" in outcome.summary


# --- system.resources ---------------------------------------------------------

def test_resources_ok_under_the_thresholds(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    settings = settings_with(shop_settings, "health", memory_max_percent=100, cpu_max_percent=100)
    started = time.perf_counter()
    outcome = run_one(find(CHECKS, "system.resources"), make_ctx(settings))
    assert time.perf_counter() - started >= 0.4  # a real CPU sample, not the trivial first reading
    assert outcome.status is Status.OK, outcome.summary
    assert outcome.summary.startswith("Bộ nhớ đã dùng ") and "CPU" in outcome.summary
    assert 0 < _metric(outcome, "memory_percent") <= 100
    assert 0 <= _metric(outcome, "cpu_percent") <= 100


def test_resources_warning_above_the_memory_threshold(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    settings = settings_with(shop_settings, "health", memory_max_percent=0.1, cpu_max_percent=100)
    outcome = run_one(find(CHECKS, "system.resources"), make_ctx(settings))
    assert outcome.status is Status.WARNING
    assert outcome.remedy == "system.resources"
    assert "bộ nhớ trên 0,1%" in outcome.details


# --- pos.process --------------------------------------------------------------

@pytest.fixture
def fake_pos(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real process with a distinctive name: a copy of sleep called PMV-test-pos."""
    exe = tmp_path / "PMV-test-pos"
    shutil.copy("/bin/sleep", exe)
    exe.chmod(0o755)
    process = subprocess.Popen([str(exe), "60"])
    try:
        deadline = time.monotonic() + 5
        while not system.find_processes("PMV-test-pos"):
            assert time.monotonic() < deadline, "the test process never showed up"
            time.sleep(0.02)
        yield process
    finally:
        process.kill()
        process.wait(5)


def _pos(settings: Settings, name: str, hours: str = "08:00-20:00") -> Settings:
    return settings_with(settings_with(settings, "pos", process_name=name), "health", trading_hours=hours)


@pytest.mark.parametrize("name", ["PMV-test-pos", "pmv-TEST-pos", "PMV-test-pos.exe"])
def test_pos_process_running_in_trading_hours(make_ctx: MakeCtx, shop_settings: Settings,
                                              fake_pos: subprocess.Popen[bytes], name: str) -> None:
    outcome = run_one(find(CHECKS, "pos.process"), make_ctx(_pos(shop_settings, name)))
    assert outcome.status is Status.OK, outcome.summary
    assert str(fake_pos.pid) in outcome.details
    assert _metric(outcome, "processes") == 1


def test_pos_process_not_running_in_trading_hours_is_critical(make_ctx: MakeCtx, shop_settings: Settings,
                                                              fake_pos: subprocess.Popen[bytes]) -> None:
    fake_pos.kill()
    fake_pos.wait(5)
    outcome = run_one(find(CHECKS, "pos.process"), make_ctx(_pos(shop_settings, "PMV-test-pos")))
    assert outcome.status is Status.CRITICAL
    assert outcome.summary == "PMV-test-pos không chạy trong giờ bán hàng (08:00-20:00)"
    assert outcome.remedy == "pos.not_running"


def test_pos_process_skipped_outside_trading_hours(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    evening = dt.datetime(2026, 11, 25, 15, 30, tzinfo=dt.UTC)  # 22:30 in the shop
    outcome = run_one(find(CHECKS, "pos.process"), make_ctx(_pos(shop_settings, "PMV-nowhere"), now=evening))
    assert outcome.status is Status.SKIPPED
    assert outcome.summary == "Bỏ qua: ngoài giờ bán hàng (08:00-20:00, bây giờ 22:30)"


def test_pos_process_trading_hours_are_shop_local_time(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    # 01:30 UTC is 08:30 in Hồ Chí Minh City: open, even though UTC says night.
    morning = dt.datetime(2026, 11, 25, 1, 30, tzinfo=dt.UTC)
    outcome = run_one(find(CHECKS, "pos.process"), make_ctx(_pos(shop_settings, "PMV-nowhere"), now=morning))
    assert outcome.status is Status.CRITICAL


def test_pos_process_skipped_without_a_name(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    outcome = run_one(find(CHECKS, "pos.process"), make_ctx(_pos(shop_settings, " ")))
    assert outcome.status is Status.SKIPPED


def test_find_processes_sees_this_test_run() -> None:
    me = psutil.Process()
    assert me.pid in {p.pid for p in system.find_processes(me.name().upper())}
