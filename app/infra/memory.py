"""Keep the garbage collector off the objects that live as long as the process.

After start-up the app holds ~120,000 long-lived objects (modules, classes,
Qt wrappers, ORM metadata). Every full collection walked all of them: 50-70 ms
during which every thread stops, which the benchmark saw as GUI stalls while
tags were rendered (tests/bench/stalls.py). ``gc.freeze()`` moves them to a
permanent generation the collector skips; garbage made later is collected
as before.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect once, then freeze what survived; returns how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
