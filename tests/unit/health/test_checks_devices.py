"""Device checks against real sockets, a real pseudo-terminal and pyserial's loop:// port."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator

import pytest

from app.health import platform_probes
from app.health.checks import devices
from app.health.checks.devices import CHECKS, REMEDIES
from app.health.context import CheckContext
from app.health.model import Category, CheckResult, Status
from app.infra.settings import PrinterSettings, Settings
from tests.unit.health.conftest import find, run_one, settings_with

MakeCtx = Callable[..., CheckContext]


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A real TCP listener on loopback, like a label printer's port 9100."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _printers(settings: Settings, *printers: PrinterSettings) -> Settings:
    return settings_with(settings, "devices", printers=list(printers))


def _scanners(settings: Settings, *ports: str) -> Settings:
    return settings_with(settings, "devices", scanner_ports=list(ports))


def _metric(outcome: CheckResult, name: str) -> float:
    return next(m.value for m in outcome.metrics if m.name == name)


def test_module_exports_checks_and_vietnamese_remedies() -> None:
    assert [c.id for c in CHECKS] == ["printers.reachable", "scanners.ports"]
    assert all(c.category is Category.DEVICES for c in CHECKS)
    assert [c.title for c in CHECKS] == ["Máy in", "Cổng máy quét"]
    for code, text in REMEDIES.items():
        assert "\n1. " in text and "1900 6037" in text, code


# --- printers.reachable -------------------------------------------------------

def test_printer_listening_is_ok(make_ctx: MakeCtx, shop_settings: Settings, listening_port: int) -> None:
    settings = _printers(shop_settings, PrinterSettings(name="Máy in tem", host="127.0.0.1", port=listening_port))
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(settings))
    assert outcome.status is Status.OK, outcome.summary
    assert outcome.summary == "1/1 máy in sẵn sàng"


def test_printer_closed_port_is_critical_and_named(make_ctx: MakeCtx, shop_settings: Settings,
                                                  listening_port: int, closed_port: int) -> None:
    settings = _printers(
        shop_settings,
        PrinterSettings(name="Máy in tem", host="127.0.0.1", port=listening_port),
        PrinterSettings(name="Máy in hóa đơn", host="127.0.0.1", port=closed_port),
    )
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(settings))
    assert outcome.status is Status.CRITICAL
    assert outcome.summary == f"1/2 máy in không kết nối được: Máy in hóa đơn (127.0.0.1:{closed_port})"
    assert outcome.remedy == "printers.unreachable"
    assert "từ chối kết nối" in outcome.details
    assert _metric(outcome, "unreachable") == 1


def test_no_printers_is_skipped(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(_printers(shop_settings)))
    assert outcome.status is Status.SKIPPED
    assert outcome.summary == "Bỏ qua: chưa khai báo máy in nào"


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the spooler answers")
def test_spooler_queue_cannot_be_verified_off_windows(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    assert platform_probes.spooler_queues() is None
    settings = _printers(shop_settings, PrinterSettings(name="Máy in hóa đơn", queue="EPSON TM-T82"))
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(settings))
    assert outcome.status is Status.SKIPPED  # never a red light for what this machine cannot know
    assert "hàng đợi in của Windows" in outcome.summary


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the spooler answers")
def test_unverifiable_queue_beside_a_reachable_printer_stays_ok(make_ctx: MakeCtx, shop_settings: Settings,
                                                               listening_port: int) -> None:
    settings = _printers(
        shop_settings,
        PrinterSettings(name="Máy in tem", host="127.0.0.1", port=listening_port),
        PrinterSettings(name="Máy in hóa đơn", queue="EPSON TM-T82"),
    )
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(settings))
    assert outcome.status is Status.OK
    assert outcome.summary == "1/2 máy in sẵn sàng; chưa kiểm tra được: Máy in hóa đơn"


def test_spooler_queues_are_matched_case_insensitively(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    # The probe is injected the way Windows would answer; the matching is what is tested here.
    settings = _printers(
        shop_settings,
        PrinterSettings(name="Máy in hóa đơn", queue="epson tm-t82"),
        PrinterSettings(name="Máy in tem", queue="Zebra ZD230"),
    )
    outcome = devices.check_printers(make_ctx(settings), list_queues=lambda: frozenset({"EPSON TM-T82", "Fax"}))
    assert outcome.status is Status.CRITICAL
    assert outcome.summary == "1/2 máy in không kết nối được: Máy in tem (hàng đợi \u201cZebra ZD230\u201d)"


@pytest.fixture
def pty_path() -> Iterator[str]:
    """A real pseudo-terminal pair; its slave end is a serial-like /dev/pts node."""
    if not hasattr(os, "openpty"):
        pytest.skip("no pseudo-terminals on this platform")
    master, slave = os.openpty()
    try:
        yield os.ttyname(slave)
    finally:
        os.close(slave)
        os.close(master)


def test_serial_printers_present_are_ok(make_ctx: MakeCtx, shop_settings: Settings, pty_path: str) -> None:
    # A serial label printer (README: printers take host and port, serial, or queue) was always "skipped:
    # chưa khai báo"; its port is now looked for as a scanner's is. The "?baud=" options are the line's, not the name.
    settings = _printers(
        shop_settings,
        PrinterSettings(name="Máy in tem", serial=f"{pty_path}?baud=9600", language="tspl"),
        PrinterSettings(name="Máy in tem 2", serial="loop://"),
        PrinterSettings(name="Máy in tem 3", serial=f"serial://{pty_path}?baud=19200"),
    )
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(settings))
    assert outcome.status is Status.OK, outcome.details
    assert outcome.summary == "3/3 máy in sẵn sàng"
    assert f"- Máy in tem (cổng {pty_path}): sẵn sàng" in outcome.details


def test_a_serial_printer_whose_port_is_gone_is_critical_with_the_ports_fix(
        make_ctx: MakeCtx, shop_settings: Settings, closed_port: int) -> None:
    settings = _printers(shop_settings, PrinterSettings(name="Máy in tem", serial="/dev/ttyPMV_NO_SUCH_PRINTER"))
    outcome = run_one(find(CHECKS, "printers.reachable"), make_ctx(settings))
    assert outcome.status is Status.CRITICAL
    assert outcome.summary == "1/1 máy in không kết nối được: Máy in tem (cổng /dev/ttyPMV_NO_SUCH_PRINTER)"
    assert "không có cổng này trên máy" in outcome.details
    assert outcome.remedy == "printers.port_missing" and "Ports (COM & LPT)" in REMEDIES[outcome.remedy]
    # Beside a network printer that is down too, the network's steps come first.
    both = _printers(shop_settings, PrinterSettings(name="Máy in tem", serial="/dev/ttyPMV_NO_SUCH_PRINTER"),
                     PrinterSettings(name="Máy in hóa đơn", host="127.0.0.1", port=closed_port))
    assert run_one(find(CHECKS, "printers.reachable"), make_ctx(both)).remedy == "printers.unreachable"


# --- scanners.ports -----------------------------------------------------------


def test_scanner_ports_present(make_ctx: MakeCtx, shop_settings: Settings, pty_path: str,
                               listening_port: int) -> None:
    ports = ("loop://", pty_path, f"socket://127.0.0.1:{listening_port}")
    outcome = run_one(find(CHECKS, "scanners.ports"), make_ctx(_scanners(shop_settings, *ports)))
    assert outcome.status is Status.OK, outcome.details
    assert outcome.summary == f"Đủ 3/3 cổng máy quét: loop://, {pty_path}, socket://127.0.0.1:{listening_port}"


def test_missing_scanner_port_is_a_warning_naming_it(make_ctx: MakeCtx, shop_settings: Settings,
                                                     pty_path: str, closed_port: int) -> None:
    ports = ("loop://", pty_path, "COM99", f"socket://127.0.0.1:{closed_port}")
    outcome = run_one(find(CHECKS, "scanners.ports"), make_ctx(_scanners(shop_settings, *ports)))
    assert outcome.status is Status.WARNING
    assert outcome.summary == f"Không thấy 2/4 cổng máy quét: COM99, socket://127.0.0.1:{closed_port}"
    assert outcome.remedy == "scanners.missing"
    assert _metric(outcome, "missing") == 2
    # The refusal is the scanner's network bridge's, not a printer's (it read "máy in tắt" for a scanner).
    bridge = next(line for line in outcome.details.splitlines() if "socket://" in line)
    assert "bộ chuyển đổi tắt" in bridge and "máy in" not in bridge


def test_bad_serial_url_is_missing_not_a_crash(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    outcome = run_one(find(CHECKS, "scanners.ports"), make_ctx(_scanners(shop_settings, "nosuch://x")))
    assert outcome.status is Status.WARNING
    assert "nosuch://x" in outcome.summary


def test_a_bridge_port_in_superscript_digits_is_a_wrong_address_not_a_crash(make_ctx: MakeCtx,
                                                                            shop_settings: Settings) -> None:
    # "socket://host:9²" passes str.isdigit(); int() refused it and the whole check ended as an error.
    outcome = run_one(find(CHECKS, "scanners.ports"), make_ctx(_scanners(shop_settings, "socket://127.0.0.1:9²")))
    assert outcome.status is Status.WARNING, outcome.details
    assert "sai dạng" in outcome.details


def test_no_scanner_ports_is_skipped(make_ctx: MakeCtx, shop_settings: Settings) -> None:
    outcome = run_one(find(CHECKS, "scanners.ports"), make_ctx(_scanners(shop_settings)))
    assert outcome.status is Status.SKIPPED
    assert "máy quét kiểu bàn phím" in outcome.summary
