"""Runs checks concurrently, each under its own timeout, dependants skipped on failure.

Every check runs in its own daemon thread: a check that hangs (a stuck
network share, a driver) is reported ``unknown`` when its timeout passes,
and the run finishes on time; the stuck thread can never keep the app from
exiting.  One root cause gives one red line: a check whose dependency did
not pass is ``skipped`` with that dependency named.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from app.health.context import CheckContext, NotConfigured
from app.health.model import TITLE_CONTEXT, Check, CheckResult, HealthReport, Status
from app.infra.job_protocol import Progress
from app.infra.phrase import Phrase, number, raised_with, say
from app.infra.threads import lower_this_thread

log = logging.getLogger(__name__)

PASSING = (Status.OK, Status.WARNING)  # a dependant may still run after a warning


def _execute(check: Check, ctx: CheckContext) -> CheckResult:
    started = time.perf_counter()
    try:
        outcome = check.run(ctx)
    except NotConfigured as exc:
        outcome = CheckResult(check.id, Status.SKIPPED, say("HealthCheck", "Bỏ qua: %1").fill(raised_with(exc)))
    except Exception as exc:  # a check that crashes could not run: 'unknown', never a crash of the run
        log.exception("check %s failed to run", check.id)
        outcome = CheckResult(check.id, Status.UNKNOWN, say("HealthCheck", "Không chạy được kiểm tra: %1: %2").fill(
            type(exc).__name__, str(exc)))
    duration = int((time.perf_counter() - started) * 1000)
    return replace(outcome, check_id=check.id, duration_ms=duration)


def run_checks(
    checks: Sequence[Check],
    ctx: CheckContext,
    *,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> HealthReport:
    clock = clock or ctx.now
    cancel = cancel or ctx.cancel
    started_at = clock()
    by_id = {check.id: check for check in checks}
    titles = {check.id: check.title for check in checks}
    results: dict[str, CheckResult] = {}
    running: dict[str, float] = {}  # id -> monotonic deadline
    done: queue.Queue[CheckResult] = queue.Queue()

    def start(check: Check) -> None:
        running[check.id] = time.monotonic() + check.timeout
        def work() -> None:
            lower_this_thread()  # checks run beside the GUI: it must win the interpreter lock from them
            done.put(_execute(check, ctx))

        threading.Thread(target=work, name=f"check:{check.id}",
                         daemon=True).start()

    def finish(outcome: CheckResult) -> None:
        if outcome.check_id in results:
            return  # a timed-out check that finally answered: too late
        running.pop(outcome.check_id, None)
        results[outcome.check_id] = outcome
        if progress is not None:
            progress(len(results) / max(1, len(checks)), outcome.check_id)  # a code: the interface words it

    waiting = list(checks)
    while waiting or running:
        if cancel.is_set():
            break
        for check in list(waiting):
            missing = [dep for dep in check.depends_on if dep not in by_id]
            failed = [dep for dep in check.depends_on
                      if dep in results and (results[dep].status not in PASSING or results[dep].holds_dependants)]
            if missing or failed:
                waiting.remove(check)
                cause = (failed or missing)[0]
                title = Phrase(TITLE_CONTEXT, titles[cause]) if cause in titles else cause
                finish(CheckResult(check.id, Status.SKIPPED, say("HealthCheck", "Bỏ qua vì: %1 chưa đạt").fill(title)))
            elif all(dep in results for dep in check.depends_on):
                waiting.remove(check)
                start(check)
        try:
            finish(done.get(timeout=0.02))
        except queue.Empty:
            pass
        now = time.monotonic()
        for check_id, deadline in list(running.items()):
            if now > deadline:
                timeout = by_id[check_id].timeout
                finish(CheckResult(check_id, Status.UNKNOWN,
                                   say("HealthCheck", "Quá thời gian chờ (%1 giây): kiểm tra không trả lời").fill(
                                       number(timeout, None)),
                                   duration_ms=int(timeout * 1000)))
    if cancel.is_set() or running:
        # Checks still at work (the run was cancelled, or they are past their timeout) watch ctx.cancel: the
        # database copy and a backup's unpacking stop there instead of loading the disk for nothing.
        ctx.cancel.set()
    ordered = tuple(results[c.id] for c in checks if c.id in results)
    return HealthReport(started_at, clock(), ordered, titles, cancelled=cancel.is_set())
