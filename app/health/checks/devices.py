"""Health checks of the shop's devices: label/receipt printers and barcode scanner ports.

These only look for the devices (a TCP connect, a spooler queue, a serial
port that exists); they never print or read, so running them while the
cashier works is harmless.  Printing a test label is the device page's job.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import unquote

import serial
from serial.tools import list_ports

from app import HOTLINE
from app.health import platform_probes
from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.phrase import Phrase, joined, number, say
from app.infra.settings import PrinterSettings
from pmv_protocol.digits import ascii_digits

CONNECT_TIMEOUT_SECONDS = 2.0  # a LAN printer answers in milliseconds; 2 s is generous
SERIAL_URL_TIMEOUT_SECONDS = 1.0

QueueLister = Callable[[], frozenset[str] | None]

REMEDIES: dict[str, str] = {
    "printers.unreachable": say(
        "HealthCheck",
        "Máy in không trả lời; in hóa đơn hoặc tem sẽ bị lỗi.\n"
        "1. Kiểm tra máy in đã bật, còn giấy/tem, đèn báo không nháy đỏ.\n"
        "2. Kiểm tra dây mạng (hoặc dây USB) cắm chắc ở cả hai đầu.\n"
        "3. Tắt máy in 10 giây rồi bật lại, chờ 1 phút và chạy lại kiểm tra.\n"
        "4. Máy in qua Windows: mở \u201cPrinters & scanners\u201d, xem máy in có bị \u201cOffline\u201d không.\n"
        "5. Vẫn không được, gọi %1.",
    ).fill(HOTLINE),
    "printers.port_missing": say(
        "HealthCheck",
        "Không thấy cổng của máy in tem (cổng COM / USB-COM); in tem sẽ bị lỗi.\n"
        "1. Kiểm tra máy in đã bật và dây cáp cắm chắc ở cả hai đầu.\n"
        "2. Rút dây máy in ra, chờ 5 giây rồi cắm lại (đúng cổng USB cũ).\n"
        "3. Mở Device Manager, mục \u201cPorts (COM & LPT)\u201d, xem máy in đang ở cổng COM nào.\n"
        "4. Nếu số cổng đã đổi, gọi %1 để kỹ thuật viên sửa lại cổng trong chế độ kỹ thuật viên "
        "(thẻ \u201cCài đặt\u201d).\n"
        "5. Vẫn không thấy, gọi %1.",
    ).fill(HOTLINE),
    "scanners.missing": say(
        "HealthCheck",
        "Không thấy cổng của máy quét mã vạch.\n"
        "1. Rút dây máy quét ra, chờ 5 giây rồi cắm lại (đúng cổng USB cũ).\n"
        "2. Mở Device Manager, mục \u201cPorts (COM & LPT)\u201d, xem máy quét đang ở cổng COM nào.\n"
        "3. Nếu số cổng đã đổi, gọi %1 để kỹ thuật viên sửa lại cổng trong chế độ kỹ thuật viên "
        "(thẻ \u201cCài đặt\u201d).\n"
        "4. Vẫn không thấy, gọi %1.",
    ).fill(HOTLINE),
}


# --- printers.reachable -------------------------------------------------------

@dataclass(frozen=True)
class PrinterState:
    name: str
    where: str  # "192.168.1.50:9100" or "hàng đợi 'Zebra'"
    reachable: bool | None  # None: could not be verified on this machine
    reason: str = ""
    serial: bool = False  # on a serial port: its fix is the port's, not the network's



def _tcp_reachable(host: str, port: int, timeout: float = CONNECT_TIMEOUT_SECONDS, *,
                   refused: str | None = None) -> tuple[bool, str]:
    """Whether ``host:port`` takes a connection; ``refused`` says what a refusal means for this device."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True, ""
    except TimeoutError:
        return False, say("HealthCheck", "quá %1 giây không trả lời").fill(number(timeout, None))
    except ConnectionRefusedError:
        return False, refused or say("HealthCheck", "từ chối kết nối (máy in tắt hoặc sai cổng)")
    except OSError as exc:
        return False, say("HealthCheck", "lỗi mạng: %1").fill(str(exc.strerror or exc))


def _serial_port(setting: str) -> str:
    """The port a serial printer's setting names, as the scanner check takes it.

    "COM3" and "/dev/ttyUSB0?baud=9600" name a device (the options are the
    printer's line settings); "serial://COM3?baud=9600" the same; any other
    URL (loop://, socket://host:port) is pyserial's and is kept whole.
    """
    if setting.lower().startswith("serial://"):
        setting = setting[len("serial://"):]
    elif "://" in setting:
        return setting
    return unquote(setting.split("?", 1)[0])


def _printer_state(printer: PrinterSettings, known: frozenset[str] | None,
                   listed: Callable[[], set[str]]) -> PrinterState:
    if printer.host:
        ok, reason = _tcp_reachable(printer.host, printer.port)
        return PrinterState(printer.name, f"{printer.host}:{printer.port}", ok, reason)
    if printer.serial:  # before the queue, as PrinterSettings.target() chooses
        port = _serial_port(printer.serial.strip())
        present, reason = _port_present(port, listed)
        return PrinterState(printer.name, say("HealthCheck", "cổng %1").fill(port), present, reason, serial=True)
    if printer.queue:
        where = say("HealthCheck", "hàng đợi \u201c%1\u201d").fill(printer.queue)
        if known is None:
            return PrinterState(printer.name, where, None,
                                say("HealthCheck", "máy này không đọc được hàng đợi in của Windows"))
        # Windows queue names are case-insensitive.
        present = printer.queue.casefold() in {name.casefold() for name in known}
        return PrinterState(printer.name, where, present,
                            "" if present else say("HealthCheck", "không có hàng đợi này trong Windows"))
    return PrinterState(printer.name, say("HealthCheck", "chưa khai báo"), None,
                        say("HealthCheck", "chưa khai báo địa chỉ (host), cổng (serial) hay hàng đợi (queue)"))


def check_printers(ctx: CheckContext, list_queues: QueueLister = platform_probes.spooler_queues) -> CheckResult:
    printers = ctx.settings.devices.printers
    if not printers:
        raise NotConfigured(say("HealthCheck", "chưa khai báo máy in nào"))
    # The spooler is asked once, and only if some printer is a queue.
    known = list_queues() if any(p.queue and not p.host and not p.serial for p in printers) else None
    # The OS's serial ports are listed at most once a run (two probes at once may both list them: harmless).
    listed = functools.cache(_listed_ports)
    # Network printers are probed in parallel so N offline printers cost one timeout, not N.
    with ThreadPoolExecutor(max_workers=min(8, len(printers)), thread_name_prefix="printer-probe") as pool:
        states = list(pool.map(lambda p: _printer_state(p, known, listed), printers))
    down = [s for s in states if s.reachable is False]
    unverified = [s for s in states if s.reachable is None]
    up = [s for s in states if s.reachable]
    metrics = (Metric("printers", len(states)), Metric("unreachable", len(down), crit=1))
    details = joined([_line(s) for s in states], "\n")
    if down:
        names = joined([_named(s) for s in down])
        remedy = "printers.port_missing" if all(s.serial for s in down) else "printers.unreachable"
        return result(Status.CRITICAL,
                      say("HealthCheck", "%1/%2 máy in không kết nối được: %3").fill(len(down), len(states), names),
                      details, remedy=remedy, metrics=metrics)
    if not up:
        return result(Status.SKIPPED,
                      say("HealthCheck", "Bỏ qua: không kiểm tra được máy in nào (%1)").fill(unverified[0].reason),
                      details, metrics=metrics)
    if unverified:
        summary = say("HealthCheck", "%1/%2 máy in sẵn sàng; chưa kiểm tra được: %3").fill(
            len(up), len(states), joined([s.name for s in unverified]))
    else:
        summary = say("HealthCheck", "%1/%2 máy in sẵn sàng").fill(len(up), len(states))
    return result(Status.OK, summary, details, metrics=metrics)


def _named(state: PrinterState) -> Phrase:
    """The printer and where it is, "Máy in tem (192.168.1.50:9100)": the same pattern in every language."""
    return Phrase("Phrase", "%1 (%2)", (state.name, state.where))


def _line(state: PrinterState) -> str:
    if state.reachable is None:
        line = say("HealthCheck", "- %1 (%2): chưa kiểm tra được")
    elif state.reachable:
        line = say("HealthCheck", "- %1 (%2): sẵn sàng")
    else:
        line = say("HealthCheck", "- %1 (%2): KHÔNG kết nối được")
    line = line.fill(state.name, state.where)
    return joined([line, state.reason]) if state.reason else line


# --- scanners.ports -----------------------------------------------------------

def _listed_ports() -> set[str]:
    # COM names are case-insensitive on Windows; compare casefolded everywhere.
    return {port.device.casefold() for port in list_ports.comports()}


def _url_present(url: str) -> tuple[bool, str]:
    if url.lower().startswith("socket://"):
        # A network scanner bridge: pyserial's own connect waits 5 s; ours is shorter.
        host, _, port = url[len("socket://"):].partition("/")[0].rpartition(":")
        if not ascii_digits(port):
            return False, say("HealthCheck", "địa chỉ socket:// sai dạng (cần socket://máy:cổng)")
        # A scanner behind a serial-to-network bridge: the bridge is what refuses, not a printer.
        return _tcp_reachable(host.strip("[]"), int(port),
                              refused=say("HealthCheck", "từ chối kết nối (bộ chuyển đổi tắt hoặc sai cổng)"))
    try:
        serial.serial_for_url(url, timeout=SERIAL_URL_TIMEOUT_SECONDS,
                              write_timeout=SERIAL_URL_TIMEOUT_SECONDS).close()
    except (serial.SerialException, ValueError, OSError) as exc:
        return False, str(exc)
    return True, ""


def _port_present(port: str, listed: Callable[[], set[str]]) -> tuple[bool, str]:
    if "://" in port:
        return _url_present(port)
    if port.casefold() in listed():
        return True, ""
    # On Linux, ptys and USB adapters not (yet) known to sysfs still have a /dev node.
    if sys.platform != "win32" and os.path.exists(port):
        return True, ""
    return False, say("HealthCheck", "không có cổng này trên máy")


def check_scanners(ctx: CheckContext) -> CheckResult:
    ports = [port.strip() for port in ctx.settings.devices.scanner_ports if port.strip()]
    if not ports:
        raise NotConfigured(say("HealthCheck", "chưa khai báo cổng máy quét (máy quét kiểu bàn phím không cần)"))
    cache: list[set[str]] = []

    def listed() -> set[str]:
        if not cache:
            cache.append(_listed_ports())
        return cache[0]

    checked = [(port, *_port_present(port, listed)) for port in ports]
    missing = [(port, reason) for port, present, reason in checked if not present]
    metrics = (Metric("ports", len(ports)), Metric("missing", len(missing), warn=1))
    details = joined([say("HealthCheck", "- %1: có").fill(port) if present
                      else say("HealthCheck", "- %1: KHÔNG thấy (%2)").fill(port, reason)
                      for port, present, reason in checked], "\n")
    if missing:
        names = ", ".join(port for port, _ in missing)
        return result(Status.WARNING,
                      say("HealthCheck", "Không thấy %1/%2 cổng máy quét: %3").fill(len(missing), len(ports), names),
                      details, remedy="scanners.missing", metrics=metrics)
    return result(Status.OK,
                  say("HealthCheck", "Đủ %1/%2 cổng máy quét: %3").fill(len(ports), len(ports), ", ".join(ports)),
                  details, metrics=metrics)


CHECKS: list[Check] = [
    Check("printers.reachable", "Máy in", Category.DEVICES, check_printers, timeout=15),
    Check("scanners.ports", "Cổng máy quét", Category.DEVICES, check_scanners, timeout=10),
]
