"""The checks run against a real demo shop: when a run counts as the shop turning critical (what notifies)."""

from __future__ import annotations

import sqlite3
import threading

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
