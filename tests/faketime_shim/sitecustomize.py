"""Loaded first by every Python process of the CI's second run (PYTHONPATH=tests/faketime_shim), under libfaketime.

libfaketime 0.9.10 (Debian 12) breaks ``time.sleep`` on Python 3.11+ when the monotonic clock is not faked
(FAKETIME_DONT_FAKE_MONOTONIC=1): Python sleeps with ``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, …)``,
libfaketime shifts that absolute deadline by the fake offset, and the kernel answers EINVAL
(https://github.com/wolfcw/libfaketime/issues/426). Faking the monotonic clock instead hangs every
``threading.Event.wait`` (pthread_cond_timedwait; libfaketime issue #390), so the monotonic clock must stay real.

This shim gives such processes a ``time.sleep`` that waits with ``select`` (a relative timeout libfaketime leaves
alone) on the real monotonic clock. Nothing else changes: the wall clock stays moved, which is what the run tests.
It does nothing outside libfaketime.
"""

from __future__ import annotations

import os

if "faketime" in os.environ.get("LD_PRELOAD", ""):
    import select
    import time

    _monotonic = time.monotonic

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = _monotonic() + seconds
        while (remaining := deadline - _monotonic()) > 0:
            select.select([], [], [], remaining)

    time.sleep = _sleep
