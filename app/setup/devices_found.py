"""The barcode devices the setup's third page lists: serial ports and the OS's printer queues.

Scanners on a serial port (or a USB one that shows as a COM port) are offered by port; label
printers by their queue in the OS spooler (Windows' print queues, CUPS elsewhere).  A network
printer on port 9100 has no queue to find: the Devices page adds it by address later.  The queue
lister is the narrow platform interface: ``win32print.EnumPrinters`` on Windows, ``lpstat -e`` where
CUPS is installed, nothing otherwise.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.devices.serial_scanner import PortInfo, list_ports

log = logging.getLogger(__name__)

LPSTAT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class FoundDevices:
    ports: list[PortInfo]
    printer_queues: list[str]


def printer_queues(platform: str = sys.platform, *, lpstat: str | None = None) -> list[str]:
    """The OS's printer queues by name, sorted; empty when none or the spooler cannot be asked."""
    if platform == "win32":
        try:
            import win32print
        except ImportError:
            return []
        flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
        return sorted({entry[2] for entry in win32print.EnumPrinters(flags)})
    program = lpstat or shutil.which("lpstat")
    if program is None:
        return []
    try:
        done = subprocess.run([program, "-e"], capture_output=True, text=True, timeout=LPSTAT_TIMEOUT_SECONDS,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("cannot list printer queues: %s", exc)
        return []
    if done.returncode != 0:
        log.info("lpstat -e failed (%s): %s", done.returncode, done.stderr.strip()[:200])
        return []
    return sorted({line.strip() for line in done.stdout.splitlines() if line.strip()})


def find_devices(comports: Callable[[], Iterable[Any]] | None = None,
                 queues: Callable[[], list[str]] = printer_queues) -> FoundDevices:
    """Blocking (the spooler may be slow): run it in a worker."""
    ports = list_ports(comports) if comports is not None else list_ports()
    return FoundDevices(ports, queues())
