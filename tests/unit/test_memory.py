"""Start-up objects are frozen out of the garbage collector's full passes."""

from __future__ import annotations

import gc
import subprocess
import sys


def test_freezing_moves_the_live_objects_out_of_the_collectors_reach() -> None:
    # In a child: freezing is process-wide and must not change this test process.
    code = (
        "import gc, sys\n"
        "from app.infra.memory import freeze_startup_objects\n"
        "import app.runtime\n"
        "before = len(gc.get_objects())\n"
        "frozen = freeze_startup_objects()\n"
        "after = len(gc.get_objects())\n"
        "print(frozen, before, after)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    frozen, before, after = map(int, out)
    assert frozen > 10_000 and after < before // 10
    assert gc.get_freeze_count() == 0  # this process untouched
