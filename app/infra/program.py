"""How this program starts itself again: job processes, the update helper's restart.

Standard library only: the tray process at logon imports it (app/ui/tray_jobs.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def app_command(*, frozen: bool | None = None) -> list[str]:
    """This program: the bundle's executable, or this interpreter with ``-m app``."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    return [sys.executable] if frozen else [sys.executable, "-m", "app"]


def relaunch_args(argv: Sequence[str], *, minimized: bool) -> list[str]:
    """``argv`` (without the program) for a restart, hidden in the tray or not."""
    return [arg for arg in argv if arg != "--minimized"] + (["--minimized"] if minimized else [])
