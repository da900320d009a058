"""Responsiveness and footprint budget: ``python tests/bench/run.py [--only NAME] [--runs N] [--quick] [--postgres]``.

Prints one table; every figure is measured in the same run as its baseline,
as the median of ``--runs`` runs (default 3), and names its budget and
whether it is met.  Figures, never pass/fail tests: nothing here runs under
pytest.  All traffic stays on 127.0.0.1; every app process gets a throw-away
PMV_SUPPORT_HOME.  Parts (``--only``, repeatable or comma-separated):

cold_start  (cold_start.py) process start to the main window's first paint
            (``--screenshot --first-paint``, exits after it) on a shop
            config, against a bare PySide6 window with one label saved the
            same way: budget <= 1.5x; the time until the pages are filled
            (and the demo's) beside it.  The real start under Xvfb with a
            tray host (``apt-get install xvfb trayer``): windowed first paint
            <= 1.5x the bare window, and the tray icon at logon sooner than
            the window.  Median of 5x ``--runs`` (at least 15) samples: a
            start is short and this kind of machine is noisy.  The real
            windowed start to "overview filled" (the tiles hold the shop's
            data): budget <= 3x the bare window.
window      (window_pages.py) a shop with 20 stored check results, 200
            requests and 10 packs: every page clicked twice in the real
            window, the GUI thread's time to show it (<= 100 ms) and until
            its data are in (<= 300 ms); the peak RSS after it against a bare
            window's: budget <= 1.6x.  Beside it, the window's floor (the real
            start-up stopped before the data layer, the overview filled by the
            first read; informative).
stalls      (stalls.py, child stalls_child.py) longest gap of a 5 ms heartbeat QTimer on the GUI
            thread of the real Application (offscreen) while a full health
            check, a 50 MB update download, 1,000 tags rendered + verified,
            and a 1,000-scan serial stream run through the app's TaskRunner,
            one by one and all at once; baseline: the idle heartbeat.  Budget:
            no gap over 50 ms.
health      (health.py) health-check suite wall time against its slowest
            single check: budget <= 1.3x.
idle        (idle.py, child idle_jobs.py) CPU over 60 s (``--quick``: 10 s) of ``--minimized``
            tray apps with their scheduler running, against a bare window over
            the same seconds: budget < 1% of a core.  RSS after start, and
            after 8 hours (``--quick``: 2) of the app's scheduled jobs
            compressed into seconds, against the bare window: budget <= 1.3x
            and not growing (< 2% or 2 MB from the first hour to the last).
outbox      (outbox.py) 1,000 queued requests delivered by the app's Outbox to
            the vendor server (baseline: plain POSTs), and through a proxy
            answering 500 after commit to every other POST (baseline: the
            proxy passing all): budget exactly 1,000 tickets, all received.
vendor      (vendor_load.py) requests/s of ticket creation, ticket polls and
            TUF metadata fetches with 5,000 shop tokens, 8 client threads,
            SQLite (and PostgreSQL with ``--postgres``: a throw-away cluster);
            baseline ``/healthz``; budgets are what 5,000 shops need by the
            app's schedule (6/s, 42/s, 200/s).
thread_poll (thread_poll.py) the poll of a shop with nothing new once 50,000
            tickets of 5,000 shops carry 10 messages each, against the same
            database without any (SQLite, and PostgreSQL with ``--postgres``):
            budget <= 1.2x; a poll bringing 10 new messages beside it.
console_queue (console_queue.py) the staff console's queue page (``GET
            /console/queue``, ``pmv-vendor serve --workers 2``, one signed-in
            staff member) with 5,000 shops and 50,000 tickets: its server
            time (``Server-Timing``) against the bare SQL query of its rows
            (``queue_query``) on the same database, SQLite and PostgreSQL
            with ``--postgres``: budget <= 3x (no N+1).
heartbeat   (heartbeat_ingest.py) ``POST /api/v1/heartbeat`` from 5,000
            shops at their real rate (5.6/s), then a 10x burst, each beside
            ``/healthz`` in the same run: budget p99 <= 2x healthz's p99, on
            SQLite and PostgreSQL with ``--postgres``; saturation beside it.

``--quick`` shortens every part for a smoke run (smaller batches, 10 s idle
window; about 1 1/2 minutes); the default is the real measurement (about
6 1/2 minutes on 2 cores, ``--postgres`` adds about 40 s).  Profiles behind the findings:
``python -X importtime``, ``pyinstrument`` and ``py-spy`` (``pip install -e
".[bench]"``); ``BENCH_STALL_TRACE=1`` makes the stalls child name each long
gap and slow garbage collection.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import Row, compile_app, print_table  # noqa: E402

PARTS = ("cold_start", "window", "stalls", "health", "idle", "outbox", "vendor", "thread_poll", "console_queue",
         "heartbeat")


def _parts(args: argparse.Namespace) -> dict[str, Callable[[], list[Row]]]:
    from tests.bench.cold_start import bench_cold_start
    from tests.bench.console_queue import bench_console_queue
    from tests.bench.health import bench_health
    from tests.bench.heartbeat_ingest import bench_heartbeat
    from tests.bench.idle import bench_idle
    from tests.bench.outbox import bench_outbox
    from tests.bench.stalls import bench_stalls
    from tests.bench.thread_poll import bench_thread_poll
    from tests.bench.vendor_load import bench_vendor
    from tests.bench.window_pages import bench_window_pages

    runs, quick = args.runs, args.quick
    return {
        # A start is a few hundred milliseconds and this machine's noise is tens of them: more samples.
        "cold_start": lambda: bench_cold_start(runs if quick else max(runs * 5, 15)),
        "window": lambda: bench_window_pages(runs),
        "stalls": lambda: bench_stalls(runs, quick),
        "health": lambda: bench_health(max(runs, 5)),
        "idle": lambda: bench_idle(runs, quick),
        "outbox": lambda: bench_outbox(runs, quick),
        "vendor": lambda: bench_vendor(runs, quick, args.postgres),
        "thread_poll": lambda: bench_thread_poll(runs, quick, args.postgres),
        "console_queue": lambda: bench_console_queue(runs, quick, args.postgres),
        "heartbeat": lambda: bench_heartbeat(20.0 if quick else 90.0, args.postgres),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="NAME",
                        help=f"run only these parts (repeatable or comma-separated): {', '.join(PARTS)}")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run, not the real measurement")
    parser.add_argument("--postgres", action="store_true", help="also measure the vendor server on PostgreSQL")
    args = parser.parse_args()
    wanted = [name.strip() for group in (args.only or [",".join(PARTS)]) for name in group.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    compile_app()
    parts = _parts(args)
    rows: list[Row] = []
    started = time.perf_counter()
    for name in PARTS:
        if name in wanted:
            print(f"[bench] {name}…", file=sys.stderr, flush=True)
            part_started = time.perf_counter()
            rows += parts[name]()
            print(f"[bench] {name} done in {time.perf_counter() - part_started:.0f} s", file=sys.stderr, flush=True)
    mode = "quick smoke run" if args.quick else "full measurement"
    print(f"PMV Support Assistant benchmarks: {mode}, median of {args.runs} run(s), "
          f"{os.cpu_count()} cores, {time.perf_counter() - started:.0f} s")
    print_table(rows)
    missed = [row.figure for row in rows if row.met is False]
    print(f"{len(missed)} of {sum(1 for row in rows if row.met is not None)} budgets missed" if missed
          else "all budgets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
