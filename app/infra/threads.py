"""Background threads yield the CPU to the GUI thread.

CPU-bound Python workers (tags rendered, checks parsing the POS data) share
the interpreter lock with the GUI thread; when the lock is handed on, the
operating system picks which waiting thread runs.  A background thread at a
lower OS priority loses that race to the GUI thread, so a click is handled
in the next few milliseconds rather than after every worker's turn
(tests/bench/stalls.py, "all four at once").
"""

from __future__ import annotations

import logging
import sys
import threading

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10  # Linux/macOS: the nice value of a background thread (0 is normal, 19 the lowest)
# Per thread, not a set of thread ids: the OS reuses the id of a thread that ended, and a new thread given it
# would be taken as lowered already (seen in CI: a pool thread left at nice 0).
_this_thread = threading.local()


def lower_this_thread() -> None:
    """Give the calling thread a lower OS scheduling priority (once per thread; never fails)."""
    if getattr(_this_thread, "lowered", False):
        return
    _this_thread.lowered = True
    ident = threading.get_native_id()
    try:
        if sys.platform == "win32":  # pragma: no cover - the shops' Windows tills
            import ctypes

            below_normal = -1  # THREAD_PRIORITY_BELOW_NORMAL
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), below_normal)
        else:
            import os

            # On Linux a thread is a schedulable task of its own: its id takes a nice value.
            os.setpriority(os.PRIO_PROCESS, ident, max(os.getpriority(os.PRIO_PROCESS, ident), BACKGROUND_NICE))
    except (OSError, AttributeError) as exc:
        log.debug("could not lower the thread's priority: %s", exc)
