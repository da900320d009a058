"""Health-check suite: wall time of a full run against its slowest single check.

On a fresh demo shop whose vendor is a ``pmv-vendor serve`` process on
127.0.0.1 (so the vendor and clock checks talk to a real server), in-process
(no Qt).  The checks run concurrently, so
the suite should take about as long as its slowest check.  Budget:
wall / slowest <= 1.3.  Medians of ``runs`` runs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import Row, VendorProcess, make_shop, median  # noqa: E402

BUDGET = 1.3


def bench_health(runs: int) -> list[Row]:
    from app.health.context import CheckContext
    from app.health.registry import default_checks
    from app.health.runner import run_checks
    from app.infra.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp, VendorProcess(Path(tmp) / "vendor") as vendor:
        settings = load_settings(make_shop(Path(tmp), vendor.base_url, vendor.add_shop())).settings
        walls, slowest, sums = [], [], []
        for _ in range(runs):
            ctx = CheckContext(settings, data_dir=Path(tmp))
            started = time.perf_counter()
            report = run_checks(default_checks(), ctx)
            walls.append((time.perf_counter() - started) * 1000)
            durations = [r.duration_ms for r in report.results]
            slowest.append(max(durations))
            sums.append(sum(durations))
            ctx.close()
    wall, slow, total = median(walls), median(slowest), median(sums)
    ratio = wall / max(slow, 1.0)
    return [Row(f"health suite wall vs slowest check (sum {total:.0f} ms)", f"{wall:.0f} ms", f"{slow:.0f} ms",
                f"{ratio:.2f}x", f"<= {BUDGET}x", ratio <= BUDGET)]


if __name__ == "__main__":
    from tests.bench.common import print_table

    print_table(bench_health(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
