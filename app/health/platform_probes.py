"""What only Windows can answer, behind one narrow interface.

The health checks ask here for facts that do not exist on the Linux boxes
where the app is developed and tested.  Each probe picks its way of asking
at run time and returns ``None`` when it cannot answer (not Windows, the
tool is missing, it timed out): callers report "could not verify", never a
fault of the till.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import Any

PROBE_TIMEOUT_SECONDS = 8.0

# PowerShell writes in the console code page unless told otherwise; printer
# names can be Vietnamese ("Máy in tem"), so force UTF-8.
_POWERSHELL_QUEUES = (
    "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; "
    "Get-Printer | Select-Object -ExpandProperty Name"
)


def spooler_queues() -> frozenset[str] | None:
    """Names of the Windows print-spooler queues (local and connected), or None if unknowable.

    pywin32's ``win32print`` when installed (fast, no child process), else
    PowerShell's ``Get-Printer``, else ``wmic`` (gone from recent Windows 11
    but still on many shop PCs running Windows 10).
    """
    if sys.platform != "win32":
        return None
    queues = _queues_win32print()
    if queues is None:
        queues = _queues_command(["powershell", "-NoProfile", "-NonInteractive", "-Command", _POWERSHELL_QUEUES])
    if queues is None:
        queues = _queues_command(["wmic", "printer", "get", "name"], skip_header="Name")
    return queues


def _queues_win32print() -> frozenset[str] | None:
    try:
        # importlib: pywin32 has no stubs and does not exist off Windows.
        win32print: Any = importlib.import_module("win32print")
        flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
        # Level 1 entries are (flags, description, name, comment).
        return frozenset(entry[2] for entry in win32print.EnumPrinters(flags, None, 1))
    except Exception:  # ImportError, or pywin32 installed but the spooler service is stopped
        return None


def _queues_command(command: list[str], skip_header: str | None = None) -> frozenset[str] | None:
    # CREATE_NO_WINDOW: a console must not flash up on the cashier's screen.
    creationflags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        completed = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS,
                                   creationflags=creationflags, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    text = _decode(completed.stdout)
    names = {line.strip() for line in text.splitlines() if line.strip()}
    if skip_header is not None:
        names.discard(skip_header)
    return frozenset(names)


def _decode(raw: bytes) -> str:
    # wmic may answer in UTF-16 (with or without a BOM) when its output is piped.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[1:2] == b"\x00":
        return raw.decode("utf-16", errors="replace")
    return raw.decode("utf-8", errors="replace")
