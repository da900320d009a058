"""The idle benchmark's child: hours of the tray's scheduled jobs compressed into minutes.

``python tests/bench/idle_jobs.py --config F --root F --hours N`` (started by
:mod:`tests.bench.idle`).  Builds the tray as the start at logon has it (a
tray icon, no window, no data layer) with its real job planner
(:class:`app.ui.tray_jobs.TrayJobs`), then moves the planner's clock
through each hour in 30-second steps; at every step the jobs due start as
the real ``tray-jobs`` processes, one after another, as on a till.  One new
support request per hour is queued by a separate process (as the window
would), and the vendor never answers it, so its status is asked every two
minutes from then on: the busiest idle a shop has.  Prints one JSON line:
the tray's RSS after start and after each hour, its own CPU seconds, the
job processes' CPU seconds and largest RSS, seconds, job processes run,
and the heartbeat's part: the runs, those that had a process to
themselves, and its CPU seconds (those processes whole, its step in the
others).  Exit 1 if the jobs did not do their work (a request undelivered,
no regulation pack installed, no heartbeat taken by the vendor or one
left waiting).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psutil  # noqa: E402

from tests.bench.child_app import child_parser  # noqa: E402

HERE = Path(__file__).resolve().parent
STEP_S = 30.0  # the app's shortest interval (the outbox)

QUEUE_REQUEST = """
import datetime as dt, sys
from pathlib import Path
from app.bootstrap import bootstrap
from app.support.models import Category, Channel, NewRequest, Severity
from app.support.service import raise_request
runtime = bootstrap(Path(sys.argv[1]), install_crash_handler=False)
new = NewRequest(Category.INCIDENT, Severity.NORMAL, "Máy in hóa đơn không in", "Bấm in không ra giấy",
                 "Chị Lan", "+84903112233", Channel.PHONE)
raise_request(runtime.support, new, contract=runtime.contract_service().current(),
              calendar=runtime.working_calendar(), opened_at=dt.datetime.now(dt.UTC))
runtime.close()
"""


class StepClock:
    """The planner's wall clock, moved on by the benchmark instead of by waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def run_jobs(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from app.cli import build_parser
    from app.ui.startup import make_qapp
    from app.ui.tray import Tray
    from app.ui.tray_jobs import TrayJobs

    qapp = make_qapp()
    tray = Tray()
    tray.show()
    clock = StepClock()
    cli = build_parser(commands=False).parse_args(["--minimized", "--no-err-windows", "--config", str(args.config)])
    program = [sys.executable, str(HERE / "tray_job_process.py"), "--root", str(args.root)]
    jobs = TrayJobs(tray, cli, clock=clock, program=program)
    process = psutil.Process()

    def pump_until_idle() -> None:
        loop, poll = QEventLoop(), QTimer()
        poll.timeout.connect(lambda: loop.quit() if not jobs.is_running() else None)
        poll.start(5)
        loop.exec()
        poll.stop()

    batches: list[dict] = []  # per job process: its jobs, its CPU seconds, its steps' CPU seconds
    jobs.finished.connect(lambda ran, report: batches.append(
        {"jobs": list(ran), "steps": (report or {}).get("cpu_s") or {}}))

    def run_due() -> None:
        while True:
            before = children_cpu()
            jobs.run_due()
            if not jobs.is_running():
                return
            pump_until_idle()
            batches[-1]["cpu"] = children_cpu() - before

    def children_cpu() -> float:  # the processes that ended (and were waited for)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return children.ru_utime + children.ru_stime

    def own_cpu() -> float:
        times = process.cpu_times()
        return times.user + times.system

    started = time.perf_counter()
    run_due()  # the first batch at logon
    qapp.processEvents()
    rss, tray_cpu = [process.memory_info().rss], [own_cpu()]
    queue_cpu = 0.0  # the request-raising processes stand for the window: not the tray's cost
    for _hour in range(args.hours):
        before = children_cpu()
        subprocess.run([sys.executable, "-c", QUEUE_REQUEST, str(args.config)], check=True, env=dict(os.environ))
        queue_cpu += children_cpu() - before
        for _step in range(int(3600 / STEP_S)):
            clock.now += STEP_S
            run_due()
        qapp.processEvents()
        rss.append(process.memory_info().rss)
        tray_cpu.append(own_cpu())
    seconds = time.perf_counter() - started
    child_cpu = children_cpu() - queue_cpu
    child_max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # kilobytes on Linux
    jobs.stop()
    # Measured: only now may this process load the data layer to check the work was done.
    from app.bootstrap import bootstrap

    runtime = bootstrap(args.config, install_crash_handler=False)
    delivered = sum(1 for r in runtime.support.all() if r.ticket_number)
    installed = [p.id for p in runtime.pack_store.installed()]
    last_heartbeat = runtime.fleet.last_report()
    heartbeats_waiting = runtime.fleet.depth()
    runtime.close()
    if delivered != args.hours or not installed or last_heartbeat is None or heartbeats_waiting:
        print(f"jobs did not do their work: {delivered} of {args.hours} requests delivered, packs {installed}, "
              f"last heartbeat {last_heartbeat}, {heartbeats_waiting} fleet rows waiting", file=sys.stderr)
        return 1
    beats = [batch for batch in batches if "heartbeat" in batch["jobs"]]
    alone = [batch for batch in beats if batch["jobs"] == ["heartbeat"]]
    print(json.dumps({"rss": rss, "tray_cpu": tray_cpu, "seconds": seconds, "runs": jobs.runs,
                      "child_cpu": child_cpu, "child_max_rss": child_max_rss,
                      # The heartbeat's share: whole processes that ran it alone, its step in the others.
                      "heartbeat_runs": len(beats), "heartbeat_alone": len(alone),
                      "heartbeat_cpu": sum(b.get("cpu", 0.0) for b in alone)
                      + sum(b["steps"].get("heartbeat", 0.0) for b in beats if b not in alone)}))
    return 0


def main() -> int:
    parser = child_parser(__doc__)
    parser.add_argument("--hours", type=int, default=4)
    return run_jobs(parser.parse_args())


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
