"""Running the health checks for the app: context from the runtime, history, outputs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from app.fleet.service import after_health
from app.health.context import CheckContext
from app.health.model import Category, CheckResult, HealthReport, Status
from app.health.runner import run_checks
from app.storage.check_history import CheckHistory, CheckState
from app.storage.errors import StorageError
from pmv_protocol.packs import CashLimitRule

if TYPE_CHECKING:
    from app.health.model import Check
    from app.runtime import Runtime

log = logging.getLogger(__name__)


def context_for(runtime: Runtime) -> CheckContext:
    return CheckContext(
        runtime.settings,
        loaded_settings=runtime.loaded,
        vendor_client=runtime.vendor_client,
        support=runtime.support,
        contract=lambda: runtime.contract_service().current(),
        data_dir=runtime.paths.data_dir,
        cash_limit_pack=lambda: runtime.pack_store.pack_with_rule(CashLimitRule, on=runtime.shop_today()),
        clock=runtime.clock,
        machine=runtime.machine,
    )


def default_checks() -> list[Check]:
    # The registry imports every check module (requests, psutil, the POS probes): loaded when checks are
    # first needed, in a worker, rather than with the window at start-up.
    from app.health.registry import default_checks as checks

    return checks()


def categories() -> dict[str, Category]:
    return {check.id: check.category for check in default_checks()}


def run_health(
    runtime: Runtime,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[float, str], None] | None = None,
    record: bool = True,
) -> HealthReport:
    ctx = context_for(runtime)
    try:
        report = run_checks(default_checks(), ctx, cancel=cancel, progress=progress)
    finally:
        ctx.close()
    if record:
        try:
            CheckHistory(runtime.database).record(report)
        except StorageError as exc:  # the checks did run: the shop still sees them, and why they were not kept
            log.error("health run not recorded: %s", exc)
            return replace(report, not_recorded=exc.failure)
        if not report.cancelled:
            counts = {status: sum(1 for r in report.results if r.status is status) for status in Status}
            runtime.activity.note("health", "ran", verdict=report.verdict.value, critical=counts[Status.CRITICAL],
                                  warnings=counts[Status.WARNING] + counts[Status.UNKNOWN])
        _tell_fleet(runtime, report)
    return report


def _tell_fleet(runtime: Runtime, report: HealthReport) -> None:
    """The heartbeat's summary of this run, and one sent at once if the verdict changed (app/fleet/service.py).
    The checks ran and are recorded whatever happens here."""
    try:
        after_health(runtime, report)
    except Exception:
        log.exception("could not pass the health run to the heartbeat")


def run_health_noting_alarm(
    runtime: Runtime,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[HealthReport, bool]:
    """Run and record the checks; also whether this run turned the shop critical (it was not before).

    That turn is what raises a notification, in the window and in the tray's job process alike; a run that stays
    critical does not notify again, and a cancelled run proves nothing.
    """
    before = CheckHistory(runtime.database).last_verdict()
    report = run_health(runtime, cancel=cancel, progress=progress)
    return report, report.verdict is Status.CRITICAL and before is not Status.CRITICAL and not report.cancelled


def latest_stored(runtime: Runtime) -> tuple[HealthReport, dict[str, CheckState]] | None:
    """The newest recorded run (the agent's, the tray job's, the command line's or this app's) as a report.

    Only statuses and summaries are kept in the history, so the report has no
    details, fix steps or metrics.  Its titles come from the checks, loaded
    here (a worker) so the page that shows the report does not load them.
    """
    history = CheckHistory(runtime.database)
    stored = history.latest_run()
    if stored is None:
        return None
    titles = {check.id: check.title for check in default_checks()}
    results = tuple(CheckResult(r.check_id, r.status, r.summary) for r in stored.results)
    report = HealthReport(stored.run_at, stored.run_at, results, {r.check_id: titles.get(r.check_id, r.check_id)
                                                                 for r in results})
    return report, history.states()
