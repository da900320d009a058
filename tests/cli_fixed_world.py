"""``python -m tests.cli_fixed_world NOW ARGS…``: the real ``pmv-support`` command line, in a world the test fixes.

``NOW`` (ISO 8601, with its zone) is the clock every check, job and coverage reads, and the machine is a quiet
till PC (MachineProbes.fixed), so a CLI test's verdict depends on the shop's data alone: not on the day CI runs,
the hour in Hà Nội, or a 2-core CI box being busy with the rest of the suite.
"""

from __future__ import annotations

import datetime as dt
import sys

from app.cli import main
from app.health.machine import MachineProbes

if __name__ == "__main__":
    now = dt.datetime.fromisoformat(sys.argv[1])
    if now.tzinfo is None:
        raise SystemExit("NOW needs its zone, e.g. 2026-11-25T21:00:00+07:00")
    sys.exit(main(sys.argv[2:], clock=lambda: now, machine=MachineProbes.fixed()))
