"""Benchmarks (figures, not pass/fail tests): ``python tests/bench/run.py``.

Health-check suite: wall time of a full run against its slowest single
check, on a fresh demo shop. Concurrency means the suite should take about
as long as its slowest check (budget: ratio <= 1.3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.health.context import CheckContext  # noqa: E402
from app.health.registry import default_checks  # noqa: E402
from app.health.runner import run_checks  # noqa: E402
from app.settings import load_settings  # noqa: E402
from app.shop.demo import create_demo_shop  # noqa: E402


def bench_health(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        shop = create_demo_shop(Path(tmp) / "shop", today=dt.date.today())
        settings = load_settings(shop.settings_file).settings
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
    wall, slow, total = statistics.median(walls), statistics.median(slowest), statistics.median(sums)
    return {"wall_ms": wall, "slowest_ms": slow, "sequential_ms": total, "ratio": wall / max(slow, 1.0)}


BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
label = QLabel("Tiệm vàng Kim Phát")
label.resize(1100, 760)
label.show()
app.processEvents()
label.grab().save(sys.argv[1], "PNG")
"""


def bench_cold_start(runs: int) -> dict[str, float]:
    """Process start to first paint saved, the app vs a bare PySide6 window with one label."""
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def timed(command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, timeout=120)
        return (time.perf_counter() - started) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        env["PMV_SUPPORT_HOME"] = tmp
        shot = str(Path(tmp) / "shot.png")
        timed([sys.executable, "-m", "app", "--demo", "--screenshot", shot])  # first run makes the demo shop
        app_ms = statistics.median(timed([sys.executable, "-m", "app", "--demo", "--screenshot", shot])
                                   for _ in range(runs))
        bare_ms = statistics.median(timed([sys.executable, "-c", BARE_WINDOW, shot]) for _ in range(runs))
    return {"app_ms": app_ms, "bare_ms": bare_ms, "ratio": app_ms / bare_ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    health = bench_health(args.runs)
    cold = bench_cold_start(args.runs)
    budget = 1.3
    rows = [
        ("cold start: app --demo --screenshot (median)", f"{cold['app_ms']:.0f} ms", ""),
        ("cold start: bare PySide6 window (median)", f"{cold['bare_ms']:.0f} ms", ""),
        ("cold start: app / bare", f"{cold['ratio']:.2f}",
         f"budget <= 1.5: {'met' if cold['ratio'] <= 1.5 else 'MISSED'}"),
        ("health: suite wall time (median)", f"{health['wall_ms']:.0f} ms", ""),
        ("health: slowest single check (median)", f"{health['slowest_ms']:.0f} ms", ""),
        ("health: sum of all checks (if run in sequence)", f"{health['sequential_ms']:.0f} ms", ""),
        ("health: wall / slowest", f"{health['ratio']:.2f}",
         f"budget <= {budget}: {'met' if health['ratio'] <= budget else 'MISSED'}"),
    ]
    width = max(len(name) for name, _v, _b in rows)
    print(f"{'figure'.ljust(width)}  {'value':>10}  budget")
    for name, value, verdict in rows:
        print(f"{name.ljust(width)}  {value:>10}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
