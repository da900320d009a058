"""The checks run against a real demo shop: when a run counts as the shop turning critical (what notifies)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from app.bootstrap import bootstrap
from app.health.machine import MachineProbes
from app.health.model import Status
from app.health.service import run_health_noting_alarm
from app.infra.paths import AppPaths
from app.shop.demo import DemoShop
from tests.helpers import FixedClock


def test_only_the_run_that_turns_the_shop_critical_raises_the_alarm(
    demo_shop: DemoShop, app_paths: AppPaths, demo_clock: FixedClock, quiet_machine: MachineProbes
) -> None:
    runtime = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False,
                   clock=demo_clock, machine=quiet_machine)
    try:
        with sqlite3.connect(demo_shop.pos_database) as conn:  # break the invoice sequence: one number missing
            (missing,) = conn.execute("SELECT number FROM invoices ORDER BY number DESC LIMIT 1 OFFSET 2").fetchone()
            conn.execute("DELETE FROM invoices WHERE number = ?", (missing,))
        report, alarm = run_health_noting_alarm(runtime)  # no run before this one: critical is news
        assert report.by_id()["invoices.sequence"].status is Status.CRITICAL
        assert report.verdict is Status.CRITICAL and alarm
        report, alarm = run_health_noting_alarm(runtime)  # still critical: said once, not every run
        assert report.verdict is Status.CRITICAL and not alarm
        cancel = threading.Event()
        cancel.set()
        report, alarm = run_health_noting_alarm(runtime, cancel=cancel)
        assert report.cancelled and not alarm
    finally:
        runtime.database.close()


def test_loading_the_checks_for_their_titles_does_not_import_an_http_client() -> None:
    # Issue 24: the window loads every check module at start (latest_stored wants their titles); requests (~70 ms)
    # is imported by the services check only when it probes the vendor.
    code = ("import sys\n"
            "from app.health.registry import default_checks\n"
            "titles = [check.title for check in default_checks()]\n"
            "print(len(titles), 'requests' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[3])
    count, imported = result.stdout.split()
    assert int(count) > 10 and imported == "False"


def test_a_run_the_database_cannot_keep_is_still_whole_and_says_so(
    demo_shop: DemoShop, app_paths: AppPaths, demo_clock: FixedClock, quiet_machine: MachineProbes
) -> None:
    """Another program holds the app database's write lock (a real SQLite lock) while the checks run: the results
    are not thrown away for a history that could not be written; the report says why they were not kept."""
    from app.storage.check_history import CheckHistory
    from app.storage.errors import StorageFailure

    runtime = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False,
                        clock=demo_clock, machine=quiet_machine)
    other = sqlite3.connect(app_paths.database_file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        report, _alarm = run_health_noting_alarm(runtime)
        assert report.not_recorded is StorageFailure.LOCKED
        assert len(report.results) >= 17 and not report.cancelled  # every check's result, as run
        other.rollback()
        assert CheckHistory(runtime.database).latest_run() is None  # nothing half-written
        assert run_health_noting_alarm(runtime)[0].not_recorded is None  # the lock gone, the next run is kept
        assert CheckHistory(runtime.database).latest_run() is not None
    finally:
        other.close()
        runtime.database.close()


def test_a_recorded_run_is_a_line_of_the_recent_activity(
    demo_shop: DemoShop, app_paths: AppPaths, demo_clock: FixedClock, quiet_machine: MachineProbes
) -> None:
    """The overview's "recent activity" said "no activity yet" after runs, installs and requests: only the app's
    start was ever noted."""
    runtime = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False,
                        clock=demo_clock, machine=quiet_machine)
    try:
        report, _alarm = run_health_noting_alarm(runtime)
        (entry,) = [e for e in runtime.activity.recent(5) if e.kind == "health"]
        critical = sum(1 for r in report.results if r.status is Status.CRITICAL)
        assert (entry.code, entry.detail["verdict"], entry.detail["critical"]) == ("ran", report.verdict.value,
                                                                                    critical)
        assert entry.at == demo_clock()  # the runtime's clock, not the PC's
    finally:
        runtime.database.close()
