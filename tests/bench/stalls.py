"""GUI-thread stalls: the longest gap of a heartbeat QTimer while real work runs through the app's TaskRunner.

The child (``tests/bench/stalls_child.py``, offscreen Qt) builds
the real :class:`app.ui.application.Application` and main window on a shop
config whose vendor is a ``pmv-vendor serve`` process on 127.0.0.1, starts
a 5 ms heartbeat ``QTimer`` on the GUI thread and records its longest gap
while, one after the other and then all at once:

- health: a full health check (``HealthState.run_now``, as the Kiểm tra button);
- download: a 50 MB app update (``UpdatesState.run_now``: TUF refresh, ranged
  download, length + sha256 verification);
- labels: the printer tab's "In loạt tem" run of 1,000 numbered tags: rendered
  to ZPL and verified by decoding in its worker process, then sent as one job
  to a TCP listener standing in for a port-9100 printer;
- serial: the scanner tab connected to ``socket://127.0.0.1:PORT`` receiving a
  stream of scans into its live log: 1,000 at ~87/s, a scanner in continuous
  mode filling a 9600-baud line.

Baseline: the same heartbeat with nothing running.  Budget: no gap over 50 ms.
``BENCH_STALL_TRACE=1`` makes the child print every gap over 25 ms and every
garbage collection over 10 ms (passed through to the child, printed here).
The parent (:func:`bench_stalls`) runs the child ``runs`` times (a fresh shop
each time) and reports the median of each longest gap.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import MB, PYTHON, ROOT, Row, VendorProcess, child_env, make_shop, median  # noqa: E402

BUDGET_MS = 50.0
WORKLOADS = ("health", "download", "labels", "serial")


# ----------------------------------------------------------------------------- parent


def _publish_app_update(vendor_data: Path, size_mb: int) -> Path:
    """A signed ``app`` target of ``size_mb`` MB in the vendor's TUF repository; returns the trusted root file."""
    from vendor_server import tuf_repo

    repo, keys = vendor_data / "tuf", vendor_data / "tuf-keys"
    tuf_repo.init_repo(repo, keys)
    build = vendor_data / "pmv-support-99.0.0.zip"
    block = os.urandom(4 * MB)
    with build.open("wb") as out:
        for _ in range(size_mb // 4):
            out.write(block)
        out.write(block[: size_mb % 4 * MB])
    tuf_repo.add_target(repo, keys, build, kind="app", version="99.0.0", target_id="pmv-support")
    build.unlink()
    root = vendor_data / "trusted-root.json"
    root.write_bytes(tuf_repo.VendorRepository(repo, keys).root_bytes(1))
    return root


def bench_stalls(runs: int, quick: bool = False, *, scans: int | None = None, tags: int | None = None,
                 size_mb: int | None = None) -> list[Row]:
    scans = scans or (300 if quick else 1000)
    tags = tags or (300 if quick else 1000)
    size_mb = size_mb or (20 if quick else 50)
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = _publish_app_update(tmp / "vendor", size_mb)
        with VendorProcess(tmp / "vendor") as vendor:
            token = vendor.add_shop()
            for index in range(runs):
                home = tmp / f"home{index}"
                config = make_shop(home, vendor.base_url, token)
                child = subprocess.run(
                    [PYTHON, str(Path(__file__).with_name("stalls_child.py")), "--config", str(config),
                     "--root", str(root), "--scans", str(scans), "--tags", str(tags)],
                    env=child_env(home), cwd=ROOT, capture_output=True, text=True, timeout=600)
                if child.returncode != 0:
                    raise RuntimeError(f"stalls child failed ({child.returncode}):\n{child.stderr[-3000:]}")
                if os.environ.get("BENCH_STALL_TRACE"):
                    print(child.stderr, file=sys.stderr)
                results.append(json.loads(child.stdout.strip().splitlines()[-1]))
                shutil.rmtree(home, ignore_errors=True)
    base = median(r["idle"] for r in results)
    rows = []
    names = {"health": "full health check", "download": f"{size_mb} MB update download",
             "labels": f"{tags:,}-tag run rendered, verified, sent", "serial": f"{scans:,}-scan serial stream",
             "all": "all four at once"}
    for key in (*WORKLOADS, "all"):
        gap = median(r[key] for r in results)
        seconds = median(r[f"{key}_s"] for r in results)
        rows.append(Row(f"GUI stall: {names[key]} ({seconds:.1f} s)", f"{gap:.0f} ms", f"{base:.0f} ms idle",
                        f"max gap {gap:.0f} ms", f"<= {BUDGET_MS:.0f} ms", gap <= BUDGET_MS))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scans", type=int)
    parser.add_argument("--tags", type=int)
    args = parser.parse_args()
    from tests.bench.common import print_table

    print_table(bench_stalls(args.runs, args.quick, scans=args.scans, tags=args.tags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
