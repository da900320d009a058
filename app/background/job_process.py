"""The tray's background jobs, run once in a short-lived process: ``pmv-support tray-jobs``.

At logon the app shows only its tray icon, and the tray process stays as
small as a bare Qt window (tests/bench/idle.py): it never imports the data
layer (pydantic, SQLAlchemy, requests, TUF).  When a job is due it starts
this command, which opens the runtime, runs the due jobs, writes one JSON
report and exits; the tray turns the report into its colour and
notifications (:mod:`app.ui.tray_jobs`).  Once the window is opened the
app loads the data layer itself and the in-process agent takes over.

The report (``--report FILE``, written atomically) is a plain dict; every
key is optional for the reader:

- ``skipped``: ``"agent elsewhere"`` when another process holds ``agent.lock``.
- ``done``: the jobs that ran to their end (failed ones included).  The report is written again after each
  job, so a process stopped mid-way (the tray's time limit) still hands over what its earlier jobs found and
  announced; the jobs not in ``done`` are the ones to try again.  Absent: no job ran (skipped, handing over).
- ``errors``: job name to a one-line error; other jobs still ran.
- ``cpu_s``: job name to the CPU seconds its step took in this process (the benchmark's measure).
- ``health``: ``verdict`` (ok/warning/critical), ``became_critical``, ``critical_titles`` (Vietnamese) and
  ``critical_ids`` (the same checks by id, for the tray to name in the interface language).
- ``heartbeat``: ``sent`` (the vendor took the heartbeat now), ``waiting`` (rows left in the fleet outbox),
  ``failure`` (why the rest waits, or null).
- ``status_changes``: the vendor's moves on the shop's requests.
- ``new_messages``: the vendor's steps in the requests' conversations not announced yet
  (``number``, ``author``, ``kind``, ``text``), each announced once.
- ``visit_reminders``: confirmed visits due a reminder now (``kind``, ``number``, ``slot`` with
  ``day``/``start``/``end``/``technician``), each reminder once.
- ``updates``: ``app_staged`` (a version or null), ``installed`` (pack id, version and title).
- ``reminder_days``: the days of coverage left when a reminder is due now (from 30, 7 or 1 down), or null.
- ``handed_over``: the update helper was started; the tray must quit now.
- ``handover_waiting``: the helper waits for this version's window to build (``--first`` only).
- ``schedule``: what the tray needs to plan: ``health_minutes``, ``heartbeat_minutes``, ``update_hours``,
  ``waiting_requests`` (sent and still open) and ``next_delivery_in`` (seconds, or null).
- ``log_dir``: where the app logs, for the tray's own log.
- ``recovered_database``: this process found the app's database damaged, kept it aside at this path and
  started a fresh one (the window says it again when it opens: app.storage.recovery_notice).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.background.registry import BACKGROUND_JOBS, HandOverMoment, hand_over, job_named
from app.storage.errors import NoticeKind
from pmv_protocol.atomic import write_atomically

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger(__name__)

JOBS = tuple(job.name for job in BACKGROUND_JOBS)  # the tray's names for them, in the order they run
SKIPPED_AGENT_ELSEWHERE = "agent elsewhere"


def run_tray_jobs(runtime: Runtime, jobs: Sequence[str], *, tray_pid: int, relaunch: Sequence[str] = (),
                  first: bool = False, report_to: Path | None = None) -> dict[str, Any]:
    """Run ``jobs`` (in :data:`JOBS` order) under the agent lock; the report described above.

    ``report_to``: where the report so far is written after each job.  A job may outlast the tray's time limit
    (a large update on a slow line): the checks before it have stored a new verdict, which turns critical only
    once, and the vendor's messages were marked announced, so a report lost with the process lost the alarm.
    """
    from app.background.jobs import agent_lock

    report: dict[str, Any] = {"version": __version__, "log_dir": str(runtime.paths.log_dir), "errors": {},
                              "cpu_s": {}}
    recovered = [notice for notice in runtime.storage_notices
                 if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT and notice.new]
    if recovered:  # this process found the database damaged: the tray says it at once, the window later
        report["recovered_database"] = str(recovered[-1].path)
    started = runtime.clock()
    if first and _start_up(runtime, tray_pid, report):
        return report
    lock = agent_lock(runtime.paths.data_dir)
    if lock is None:
        report["skipped"] = SKIPPED_AGENT_ELSEWHERE  # a headless agent (or an open window) runs them
        return report
    try:
        steps: dict[str, Callable[[], None]] = {
            "health": lambda: report.update(health=_health(runtime)),
            "heartbeat": lambda: report.update(heartbeat=_heartbeat(runtime, started)),
            "poll": lambda: report.update(status_changes=_poll(runtime), new_messages=_new_messages(runtime),
                                          visit_reminders=_visit_reminders(runtime)),
            "deliver": lambda: report.update(delivered=_deliver(runtime)),
            "updates": lambda: report.update(updates=_updates(runtime)),
            "warranty": lambda: report.update(reminder_days=_reminder(runtime)),
        }
        for name in JOBS:
            if name in jobs:
                cpu = time.process_time()
                try:
                    steps[name]()
                except Exception as exc:  # noqa: BLE001  (one job's failure never stops the others)
                    log.exception("tray job %s failed", name)
                    report["errors"][name] = f"{type(exc).__name__}: {exc}"
                report["cpu_s"][name] = round(time.process_time() - cpu, 4)
                report.setdefault("done", []).append(name)
                if report_to is not None:
                    _save_so_far(report_to, report)
        if any(job_named(name).hands_over for name in jobs):
            report["handed_over"] = _hand_over_if_quiet(runtime, tray_pid, relaunch)
        report["schedule"] = _schedule(runtime)
    finally:
        lock.release()
    return report


def _start_up(runtime: Runtime, tray_pid: int, report: dict[str, Any]) -> bool:
    """The first run after the tray showed: the update helper's start signal; True if it wants the window."""
    from app.updates.app_swap import handover_file, signal_started

    data_dir = runtime.paths.data_dir
    if handover_file(data_dir).exists():
        report["handover_waiting"] = True  # the tray builds the window, then signals (app/ui/startup.py)
        return True
    signal_started(data_dir, __version__, pid=tray_pid)  # the database opened and migrated: this version starts
    runtime.activity.add("app", "started", version=__version__)
    return False


def _health(runtime: Runtime) -> dict[str, Any]:
    from app.health.model import Status
    from app.health.service import run_health_noting_alarm

    health, became_critical = run_health_noting_alarm(runtime)
    critical = [r for r in health.results if r.status is Status.CRITICAL]
    return {
        "verdict": health.verdict.value,
        "became_critical": became_critical,
        "critical_titles": [health.titles.get(r.check_id, r.check_id) for r in critical],
        "critical_ids": [r.check_id for r in critical],  # the tray words them in its language
    }


def _heartbeat(runtime: Runtime, started: dt.datetime) -> dict[str, Any]:
    from app.fleet.service import send_heartbeat

    # The checks of this same process may have just sent one (a new verdict): then only deliver.
    delivery = send_heartbeat(runtime, unless_put_since=started)
    return {"sent": delivery.heartbeat_sent, "waiting": delivery.waiting,
            "failure": delivery.failure.value if delivery.failure is not None else None}


def _poll(runtime: Runtime) -> list[dict[str, Any]]:
    from app.support.outbox import poll_updates
    from app.support.vendor_api import VendorApiError

    try:
        changes = poll_updates(runtime.support, runtime.vendor_client(), runtime.state)
    except VendorApiError as exc:  # offline, or no shop token yet: as the app's own agent, said in one line
        log.info("status poll skipped: %s", exc)
        return []
    return [{"ticket_number": c.ticket_number, "title": c.title, "old": c.old.value, "new": c.new.value,
             "solution_text": c.solution_text, "system_opened": c.system_opened} for c in changes]


def _new_messages(runtime: Runtime) -> list[dict[str, Any]]:
    """The vendor's steps not announced yet, marked announced: the tray shows each once."""
    service = runtime.conversation
    entries = service.unnotified()
    service.mark_notified([entry.id for entry in entries])
    out = []
    for entry in entries:
        request = runtime.support.get(entry.request_id)
        out.append({"number": (request.ticket_number or request.title) if request else "",
                    "author": entry.author_name, "kind": str(entry.kind), "text": entry.text or ""})
    return out


def _visit_reminders(runtime: Runtime) -> list[dict[str, Any]]:
    service = runtime.conversation
    out = []
    for visit, kind in service.due_reminders(runtime.clock()):
        service.mark_reminded(visit.request_id, kind)
        slot = visit.slot
        out.append({"kind": kind, "number": visit.ticket_number or visit.title,
                    "slot": {"day": slot.day.isoformat(), "start": slot.start.strftime("%H:%M"),
                             "end": slot.end.strftime("%H:%M"), "technician": slot.technician}})
    return out


def _deliver(runtime: Runtime) -> dict[str, int]:
    delivery = runtime.outbox.deliver()
    return {"sent": len(delivery.sent), "failed": len(delivery.failed)}


def _updates(runtime: Runtime) -> dict[str, Any]:
    from app.updates.service import NotConfigured, Updater

    try:
        run = Updater(runtime).run()
    except NotConfigured as exc:
        log.info("updates not configured: %s", exc)
        return {"app_staged": None, "installed": []}
    if run.error is not None:
        log.warning("update run: %s", run.error)
    return {
        "app_staged": run.app_staged.version if run.app_staged is not None else None,
        "installed": [{"pack_id": r.pack_id, "version": r.version, "title": r.title or r.pack_id}
                      for r in run.installed if not r.unchanged],
    }


def _reminder(runtime: Runtime) -> int | None:
    from app.warranty.reminders import due_reminder
    from pmv_protocol.coverage import coverage_on

    cached = runtime.contract_service().cached()
    if cached.contract is None:
        return None
    return due_reminder(coverage_on(cached.contract, runtime.shop_today()), runtime.state)


def _hand_over_if_quiet(runtime: Runtime, tray_pid: int, relaunch: Sequence[str]) -> bool:
    """The tray at logon is idle by the rule's measure unless its window opened while this process ran (it then
    holds the window lock): the app would otherwise quit under the cashier for the update helper."""
    from app.background.jobs import window_open

    try:
        return hand_over(runtime, HandOverMoment.IDLE, relaunch, pid=tray_pid,
                         in_use=window_open(runtime.paths.data_dir))
    except OSError:
        log.exception("could not start the update helper")
        return False


def _schedule(runtime: Runtime) -> dict[str, Any]:
    support = runtime.support
    due = support.next_delivery_at()
    now = runtime.clock()
    return {
        "health_minutes": runtime.settings.health.interval_minutes,
        "heartbeat_minutes": runtime.settings.fleet.heartbeat_minutes,
        "update_hours": runtime.settings.updates.interval_hours,
        "waiting_requests": support.waiting_count(),
        "next_delivery_in": None if due is None else max(0.0, (due - now).total_seconds()),
    }


def _save_so_far(path: Path, report: dict[str, Any]) -> None:
    try:
        write_report(path, report)
    except OSError:  # the final write says it; the jobs go on
        log.warning("could not write the report so far to %s", path, exc_info=True)


def write_report(path: Path, report: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(report, ensure_ascii=False).encode("utf-8"))
