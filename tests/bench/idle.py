"""Idle footprint of the tray app, against a bare PySide6 window started alongside.

At logon the app shows its tray icon only and runs its jobs in short-lived
``tray-jobs`` processes (app/ui/tray_jobs.py), so every CPU figure here
counts the tray process *and* its job processes.

1. Idle CPU: ``pmv-support --config SHOP --minimized`` (a shop's till, no
   demo; its vendor is a ``pmv-vendor serve`` process on 127.0.0.1),
   ``runs`` copies side by side, each in its own ``PMV_SUPPORT_HOME``.
   After the first job process has reported and a settling pause, psutil
   reads each app's CPU seconds, with its job processes', over 60 s
   (``--quick``: 10 s); the bare window is measured over the same seconds.
   Budget: under 1% of one core.  Where Xvfb and trayer exist the app runs
   under X with a real tray (tray-only, as at logon); elsewhere offscreen,
   where no tray exists and the window shows.
2. Resident memory after start (same processes): budget within 1.3x the
   bare window's RSS.
3. Hours of scheduled jobs compressed into minutes: a child
   (``idle_jobs.py``) builds the tray as at logon with its real job planner
   and moves the planner's clock through each hour in 30 s steps, starting
   the real job processes as they fall due (status every 2 min while a
   request waits on the vendor, checks every 30 min, updates, coverage);
   one new support request per hour is delivered to the vendor, and the
   first update run installs a signed regulation pack.  Budgets: the tray's
   RSS within 1.3x the bare window and not growing (last hour within 2% or
   2 MB of the first); CPU per hour, tray plus job processes, under 1% of
   a core.  The job processes' largest RSS is shown: they exit after each run.
   The heartbeat (every 15 minutes, app/fleet) runs among these jobs, as
   the tray plans it: its share of those hours is shown (the processes it
   had to itself, whole, and its step in the processes it shared).
4. The heartbeat on its own: ``pmv-support tray-jobs heartbeat`` run
   ``runs`` times (at least 5) on a shop whose checks have run, each a
   whole job process (start, open the data, build, send to the vendor,
   exit).  Its CPU seconds amortised over the heartbeat's period (15 min):
   budget 0.2% of a core (issue 23).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psutil  # noqa: E402

from tests.bench.common import MB, PYTHON, ROOT, Row, VendorProcess, child_env, make_shop, median  # noqa: E402

CPU_BUDGET = 0.01  # of one core
RSS_BUDGET = 1.3
HEARTBEAT_BUDGET = 0.002  # of one core, averaged over the heartbeat's period
HEARTBEAT_PERIOD_S = 15 * 60.0  # [fleet] heartbeat_minutes' default

BARE_IDLE = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("Tiệm vàng Kim Phát")
label.resize(1100, 760)
label.show()
print("READY", flush=True)
app.exec()
"""


def _cpu_seconds(process: psutil.Process) -> float:
    """The process's CPU with its job processes': those that ended, and any running now."""
    times = process.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in process.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += child_times.user + child_times.system
    return total


def _wait_for_log(log_file: Path, texts: tuple[str, ...], process: subprocess.Popen, timeout: float = 120) -> str:
    """Wait until one of ``texts`` is in the log; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with {process.returncode} before logging {texts!r}")
        if log_file.exists():
            content = log_file.read_text(encoding="utf-8", errors="replace")
            for text in texts:
                if text in content:
                    return text
        time.sleep(0.1)
    raise RuntimeError(f"{texts!r} never appeared in {log_file}")


TRAY_READY = "tray started at logon"  # app/ui/tray_jobs.py, once the first job process reported
WINDOW_READY = "GUI ready"  # app/ui/startup.py (no system tray: the window shows)


def bench_idle(runs: int, quick: bool = False) -> list[Row]:
    from tests.bench.cold_start import _x_with_tray

    window_s, settle_s, hours = (10.0, 3.0, 2) if quick else (60.0, 10.0, 4)
    with tempfile.TemporaryDirectory() as tmp_name, _x_with_tray() as display:
        tmp = Path(tmp_name)
        _publish_pack(tmp / "vendor")
        with VendorProcess(tmp / "vendor") as vendor:
            token = vendor.add_shop()
            extra = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": display} if display else {}
            homes = [tmp / f"home{index}" for index in range(runs)]
            apps = []
            for home in homes:
                config = make_shop(home, vendor.base_url, token)
                apps.append(subprocess.Popen(
                    [PYTHON, "-m", "app", "--config", str(config), "--minimized", "--no-err-windows"],
                    env=child_env(home, **extra), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            bare = subprocess.Popen([PYTHON, "-c", BARE_IDLE], env=child_env(None, **extra), cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                ready = [_wait_for_log(home / "data" / "logs" / "pmv-support.log", (TRAY_READY, WINDOW_READY), app)
                         for home, app in zip(homes, apps, strict=True)]
                assert bare.stdout is not None and bare.stdout.readline().startswith("READY")
                tray = all(text == TRAY_READY for text in ready)
                time.sleep(settle_s)
                watched = [psutil.Process(p.pid) for p in (*apps, bare)]
                rss_start = [p.memory_info().rss for p in watched]
                cpu_before = [_cpu_seconds(p) for p in watched]
                time.sleep(window_s)
                cpu_used = [_cpu_seconds(p) - before for p, before in zip(watched, cpu_before, strict=True)]
            finally:
                for process in (*apps, bare):
                    process.terminate()
                for process in (*apps, bare):
                    try:
                        process.wait(20)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
            jobs = _compressed_jobs(tmp, vendor, token, hours, extra)
            beat = _heartbeat_processes(tmp, vendor, token, max(5, runs))
    app_cpu, bare_cpu = median(cpu_used[:-1]) / window_s, cpu_used[-1] / window_s
    app_rss, bare_rss = median(rss_start[:-1]) / MB, rss_start[-1] / MB
    where = "tray" if tray else ("xcb, NO TRAY" if display else "offscreen, window shown")
    first, last = jobs["rss"][1] / MB, jobs["rss"][-1] / MB
    growing = last - first > max(2.0, 0.02 * first)
    tray_hourly = (jobs["tray_cpu"][-1] - jobs["tray_cpu"][0]) / hours
    child_hourly = jobs["child_cpu"] / hours
    hourly_cpu = tray_hourly + child_hourly
    return [
        Row(f"idle CPU over {window_s:.0f} s, --minimized ({where})", f"{app_cpu:.2%} core",
            f"{bare_cpu:.2%} core", f"{app_cpu * window_s:.2f} cpu-s", f"< {CPU_BUDGET:.0%} core",
            app_cpu < CPU_BUDGET),
        Row("RSS after start vs bare window", f"{app_rss:.0f} MB", f"{bare_rss:.0f} MB", f"{app_rss / bare_rss:.2f}x",
            f"<= {RSS_BUDGET}x", app_rss / bare_rss <= RSS_BUDGET),
        Row(f"RSS after {hours} h of jobs in {jobs['seconds']:.0f} s ({jobs['runs']} job processes)",
            f"{last:.0f} MB", f"{bare_rss:.0f} MB", f"{last / bare_rss:.2f}x", f"<= {RSS_BUDGET}x",
            last / bare_rss <= RSS_BUDGET),
        Row("RSS growth: last compressed hour vs first", f"{last - first:+.1f} MB", f"{first:.0f} MB h1",
            f"{(last - first) / first:+.1%}", "< 2% or 2 MB", not growing),
        Row(f"CPU per hour of jobs, tray + job processes ({hours} h)", f"{hourly_cpu / 3600:.2%} core",
            f"{tray_hourly:.1f} + {child_hourly:.1f} cpu-s/h", f"{hourly_cpu:.1f} cpu-s/h", f"< {CPU_BUDGET:.0%} core",
            hourly_cpu / 3600 < CPU_BUDGET),
        Row("job process: largest RSS (exits after each run)", f"{jobs['child_max_rss'] / MB:.0f} MB",
            f"{bare_rss:.0f} MB", f"{jobs['child_cpu'] / max(1, jobs['runs']):.2f} cpu-s/run", "(informative)", None),
        Row(f"heartbeat in those {hours} h: {jobs['heartbeat_runs']} runs, {jobs['heartbeat_alone']} in their own "
            "process", f"{jobs['heartbeat_cpu'] / hours / 3600:.3%} core",
            f"{hourly_cpu / 3600:.2%} core all jobs", f"{jobs['heartbeat_cpu'] / hours:.2f} cpu-s/h",
            f"<= {HEARTBEAT_BUDGET:.1%} core", jobs["heartbeat_cpu"] / hours / 3600 <= HEARTBEAT_BUDGET),
        Row(f"heartbeat alone: tray-jobs heartbeat, median of {len(beat['process'])}, per 15 min",
            f"{median(beat['process']) / HEARTBEAT_PERIOD_S:.3%} core", f"{median(beat['process']):.2f} cpu-s/run",
            f"{median(beat['step']) * 1000:.0f} ms its step", f"<= {HEARTBEAT_BUDGET:.1%} core",
            median(beat["process"]) / HEARTBEAT_PERIOD_S <= HEARTBEAT_BUDGET),
    ]


def _publish_pack(vendor_data: Path) -> None:
    """Decree 232/2025 as a signed pack in the vendor's TUF repository (the first update run installs it)."""
    from app.infra.resources import resources_dir
    from vendor_server import tuf_repo

    repo, keys = vendor_data / "tuf", vendor_data / "tuf-keys"
    tuf_repo.init_repo(repo, keys)
    pack_file = resources_dir() / "regulation" / "nd-232-2025.json"
    pack = json.loads(pack_file.read_text(encoding="utf-8"))
    tuf_repo.add_target(repo, keys, pack_file, kind="regulation", version=pack["version"],
                        effective_date=pack["effective_date"], title_vi=pack["title_vi"],
                        summary_vi=pack["summary_vi"][:500], target_id=pack["id"])
    (vendor_data / "trusted-root.json").write_bytes(tuf_repo.VendorRepository(repo, keys).root_bytes(1))


def _compressed_jobs(tmp: Path, vendor: VendorProcess, token: str, hours: int, extra: dict[str, str]) -> dict:
    home = tmp / "jobs-home"
    config = make_shop(home, vendor.base_url, token)
    child = subprocess.run(
        [PYTHON, str(Path(__file__).with_name("idle_jobs.py")), "--config", str(config),
         "--root", str(vendor.data / "trusted-root.json"), "--hours", str(hours)],
        env=child_env(home, **extra), cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if child.returncode != 0:
        raise RuntimeError(f"jobs child failed ({child.returncode}):\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _heartbeat_processes(tmp: Path, vendor: VendorProcess, token: str, runs: int) -> dict[str, list[float]]:
    """``runs`` heartbeat-only job processes on a checked shop: each one's CPU seconds, and its step's alone."""
    import resource

    home = tmp / "beat-home"
    config = make_shop(home, vendor.base_url, token)

    def job_process(*jobs: str) -> tuple[float, dict]:
        report = home / "report.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([PYTHON, "-m", "app", "--config", str(config), "tray-jobs", *jobs, "--report", str(report),
                        "--tray-pid", "1"], env=child_env(home), cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=300)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = json.loads(report.read_text(encoding="utf-8"))
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done

    job_process("health", "heartbeat")  # the checks first, as at logon: the heartbeat then has them to tell
    process, step = [], []
    for _ in range(runs):
        cpu, done = job_process("heartbeat")
        if not (done.get("heartbeat") or {}).get("sent"):
            raise RuntimeError(f"the heartbeat was not taken by the vendor: {done}")
        process.append(cpu)
        step.append(float(done["cpu_s"]["heartbeat"]))
    return {"process": process, "step": step}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from tests.bench.common import print_table

    print_table(bench_idle(args.runs, args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
