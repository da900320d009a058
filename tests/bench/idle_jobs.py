"""The idle benchmark's child: hours of the tray app's scheduled jobs compressed into seconds.

``python tests/bench/idle_jobs.py --config F --root F --hours N`` (started by
:mod:`tests.bench.idle`).  Builds the real Application as the tray start at
logon has it (no window until it is opened), takes the jobs the app registered with its
scheduler, and runs each job's function as often as it would run in an hour,
on a pool thread as APScheduler does, while the Qt loop delivers their
signals; one new support request per hour.  Prints one JSON line: RSS after
start and after each hour, seconds, job runs.  Exit 1 if the jobs did not
do their work (a request undelivered, no regulation pack installed).

``BENCH_TRACEMALLOC=1``: print what Python allocations grew between the 2nd
and the last hour.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psutil  # noqa: E402

def run_jobs(args: argparse.Namespace) -> int:
    import datetime as dt
    from concurrent.futures import Future, ThreadPoolExecutor

    from PySide6.QtCore import QEventLoop, QTimer

    from app.support.models import Category, Channel, NewRequest, Severity
    from app.support.service import raise_request
    from tests.bench.child_app import bench_application

    runtime, qapp, app = bench_application(args.config, args.root, minimized=True)
    # No window: at logon the tray start builds it only when it is first opened (app/ui/startup.py).
    process = psutil.Process()

    def pump(until, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
        loop, poll = QEventLoop(), QTimer()
        deadline = time.monotonic() + timeout
        poll.timeout.connect(lambda: loop.quit() if until() or time.monotonic() > deadline else None)
        poll.start(5)
        loop.exec()
        poll.stop()

    pump(lambda: not app.runner.is_busy())
    rss = [process.memory_info().rss]
    jobs = app.agent._scheduler.get_jobs()  # what the app registered: (id, func, interval)
    timeline = []
    for job in jobs:
        per_hour = max(1, round(3600 / job.trigger.interval.total_seconds()))
        timeline += [(index * 3600 / per_hour, job.id, job.func) for index in range(per_hour)]
    timeline.sort(key=lambda item: item[0])
    pool = ThreadPoolExecutor(2, thread_name_prefix="agent")  # as BackgroundAgent's executor
    new = NewRequest(Category.INCIDENT, Severity.NORMAL, "Máy in hóa đơn không in", "Bấm in không ra giấy",
                     "Chị Lan", "+84903112233", Channel.PHONE)
    started, count = time.perf_counter(), 0
    trace = bool(os.environ.get("BENCH_TRACEMALLOC"))  # name what grows between the 2nd and the last hour
    if trace:
        import tracemalloc

        tracemalloc.start(12)
    for hour in range(args.hours):
        if trace and hour == 2:
            first_snapshot = tracemalloc.take_snapshot()
        raise_request(runtime.support, new, contract=runtime.contract_service().current(),
                      calendar=runtime.working_calendar(), opened_at=dt.datetime.now(dt.UTC))
        for _at, _job_id, func in timeline:
            future: Future = pool.submit(func)
            pump(future.done)
            future.result()
            count += 1
        app.refresh_periodic()  # the GUI's own 6-hourly timer
        pump(lambda: not app.runner.is_busy())
        rss.append(process.memory_info().rss)
    seconds = time.perf_counter() - started
    if trace:
        growth = tracemalloc.take_snapshot().compare_to(first_snapshot, "traceback")
        for stat in growth[:8]:
            print(f"{stat.size_diff / 1024:+.0f} KiB in {stat.count_diff:+d} blocks:", file=sys.stderr)
            for line in stat.traceback.format()[-12:]:
                print("   ", line, file=sys.stderr)
    pool.shutdown()
    delivered = sum(1 for r in runtime.support.all() if r.ticket_number)
    installed = [p.id for p in runtime.pack_store.installed()]
    app.shutdown()
    runtime.close()
    if delivered != args.hours or not installed:
        print(f"jobs did not do their work: {delivered} of {args.hours} requests delivered, packs {installed}",
              file=sys.stderr)
        return 1
    print(json.dumps({"rss": rss, "seconds": seconds, "runs": count, "jobs": [j.id for j in jobs]}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="the shop's settings file")
    parser.add_argument("--root", type=Path, required=True, help="the trusted TUF root of the bench vendor")
    parser.add_argument("--hours", type=int, default=8)
    return run_jobs(parser.parse_args())


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
