"""The heartbeat: the shop's state now, built from what the app already keeps (issue 23, DESIGN.md "Fleet").

It holds codes and numbers only, never free text: each check's id, status, since when it has had that status
and its numeric metrics; the verdict; the app version; the installed packs; the last backup's age; the POS
version; how much waits in the outboxes.  A shop whose contract says ``telemetry: false``, or whose settings
do (``[fleet] telemetry = false``), sends the app version only (:meth:`Heartbeat.app_version_only`).

The check history (:mod:`app.storage.check_history`) keeps statuses, not metrics, so each recorded health run
also leaves a small summary here (:func:`note_health`, called by :func:`app.health.service.run_health`): the
checks' statuses, metrics and ``since``, carried forward from the previous summary while a status holds.
Building a heartbeat then reads one state row, the contract, the pack pointers and two counts: cheap enough
for every 15 minutes in the tray's job process.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import math
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.health.model import CheckResult, Status
from app.storage.check_history import CheckHistory, CheckState
from app.storage.repositories import StateRepository
from app.support.vendor_api import heartbeat_body
from pmv_protocol.fleet import (
    MAX_BODY_BYTES,
    MAX_CHECKS,
    MAX_METRICS,
    MAX_PACKS,
    CheckReport,
    CheckStatus,
    Heartbeat,
    PackReport,
    Verdict,
)
from pmv_protocol.shop_time import shop_time

if TYPE_CHECKING:
    from app.health.model import HealthReport
    from app.infra.settings import Settings
    from app.runtime import Runtime
    from pmv_protocol.contract import Contract

log = logging.getLogger(__name__)

HEALTH_KEY = "fleet.health"  # the state store's summary of the last recorded health run
BACKUP_AGE_CHECK, BACKUP_AGE_METRIC = "backup.age", "age_hours"  # app/health/checks/backups.py

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")  # pmv_protocol.fleet.Code
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}")  # pmv_protocol.fleet.Version, as a prefix
_POS_VERSION = re.compile(r"^[vV]?[0-9][0-9A-Za-z.+_-]{0,38}")  # a version the wire takes, a digit first


class TelemetryOff(enum.StrEnum):
    """Why this till sends the app version only."""

    CONTRACT = "contract"  # the signed contract says telemetry: false
    SETTINGS = "settings"  # [fleet] telemetry = false in settings.toml


def telemetry_off_by(contract: Contract | None, settings: Settings) -> TelemetryOff | None:
    """Who turned the health summary off (the contract first: it is what the shop signed); None: it is sent."""
    if contract is not None and not contract.telemetry:
        return TelemetryOff.CONTRACT
    if not settings.fleet.telemetry:
        return TelemetryOff.SETTINGS
    return None


# --------------------------------------------------------------------------- the health summary


@dataclass(frozen=True)
class CheckSummary:
    id: str
    status: Status
    since: dt.datetime | None  # aware
    metrics: dict[str, float | int | bool]


@dataclass(frozen=True)
class HealthSummary:
    """The last recorded run as a heartbeat tells it."""

    run_at: dt.datetime
    verdict: Status
    checks: tuple[CheckSummary, ...]


def note_health(state: StateRepository, history: CheckHistory, report: HealthReport) -> HealthSummary | None:
    """Keep the summary of a recorded run (its statuses, metrics and each status's ``since``); None if cancelled.

    ``since`` carries on from the previous summary while a check keeps its status; with no previous summary
    (the first run after an upgrade), the history says it once.
    """
    if report.cancelled:
        return None
    previous = read_health(state)
    if previous is not None:
        earlier = {check.id: check for check in previous.checks}
        states: dict[str, CheckState] = {
            check_id: CheckState(check.status, check.since) for check_id, check in earlier.items()
            if check.since is not None}
    else:
        states = history.states()
    checks = []
    for item in report.results:
        known = states.get(item.check_id)
        since = known.since if known is not None and known.status is item.status else report.finished_at
        checks.append(CheckSummary(item.check_id, item.status, since, numeric_metrics(item)))
    summary = HealthSummary(report.finished_at, report.verdict, tuple(checks))
    state.set(HEALTH_KEY, _summary_json(summary))
    return summary


def numeric_metrics(result: CheckResult) -> dict[str, float | int | bool]:
    """A check's metrics the wire can carry: named by a code, finite numbers, at most MAX_METRICS."""
    out: dict[str, float | int | bool] = {}
    for metric in result.metrics:
        value = metric.value
        if not _CODE.match(metric.name) or isinstance(value, str):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        out[metric.name] = value
        if len(out) == MAX_METRICS:
            break
    return out


def read_health(state: StateRepository) -> HealthSummary | None:
    """The summary :func:`note_health` left, or None (none yet, or written in a shape this version cannot read)."""
    value = state.get(HEALTH_KEY)
    if not isinstance(value, dict):
        return None
    try:
        checks = tuple(
            CheckSummary(str(item["id"]), Status(item["status"]),
                         dt.datetime.fromisoformat(item["since"]) if item.get("since") else None,
                         {str(k): v for k, v in dict(item.get("metrics") or {}).items()
                          if isinstance(v, (int, float)) and not isinstance(v, str)})
            for item in value["checks"])
        return HealthSummary(dt.datetime.fromisoformat(value["run_at"]), Status(value["verdict"]), checks)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("stored health summary unreadable (%s); the heartbeat reads the history instead", exc)
        return None


def _summary_json(summary: HealthSummary) -> dict[str, Any]:
    return {
        "run_at": summary.run_at.isoformat(),
        "verdict": summary.verdict.value,
        "checks": [{"id": check.id, "status": check.status.value,
                    "since": check.since.isoformat() if check.since else None, "metrics": check.metrics}
                   for check in summary.checks],
    }


def _from_history(history: CheckHistory) -> HealthSummary | None:
    """The newest recorded run without metrics: what a till that has not run the checks since upgrading knows."""
    run = history.latest_run()
    if run is None:
        return None
    worst = max((r.status for r in run.results), key=lambda s: s.severity, default=Status.OK)
    verdict = Status.CRITICAL if worst is Status.CRITICAL else (
        Status.WARNING if worst in (Status.WARNING, Status.UNKNOWN) else Status.OK)
    return HealthSummary(run.run_at, verdict, tuple(CheckSummary(r.check_id, r.status, None, {}) for r in run.results))


# --------------------------------------------------------------------------- the heartbeat


def build_heartbeat(runtime: Runtime, *, report_id: str | None = None) -> Heartbeat:
    """The heartbeat to send now; the app version only if the contract or the settings say so."""
    base = Heartbeat(id=report_id or str(uuid.uuid4()), made_at=shop_time(runtime.clock()), app_version=__version__)
    if telemetry_off_by(runtime.contract_service().current(), runtime.settings) is not None:
        return base.app_version_only()
    summary = read_health(runtime.state) or _from_history(CheckHistory(runtime.database))
    checks = [_check_report(check) for check in summary.checks if _CODE.match(check.id)] if summary else []
    backup = next((check for check in summary.checks if check.id == BACKUP_AGE_CHECK), None) if summary else None
    backup_age = backup.metrics.get(BACKUP_AGE_METRIC) if backup is not None else None
    beat = Heartbeat(
        id=base.id, made_at=base.made_at, app_version=base.app_version,
        verdict=_verdict(summary.verdict) if summary else None,
        checks=checks[:MAX_CHECKS],
        packs=installed_packs(runtime)[:MAX_PACKS],
        last_backup_age_hours=max(0.0, float(backup_age)) if isinstance(backup_age, (int, float)) else None,
        pos_version=pos_version(runtime.settings.pos.install_dir),
        outbox_depth=runtime.support.pending_count() + runtime.fleet.events_waiting(),
    )
    if len(json.dumps(heartbeat_body(beat))) > MAX_BODY_BYTES:  # some 20 checks make 3 kB: never, in practice
        log.warning("heartbeat over %d bytes: sent without the checks' metrics", MAX_BODY_BYTES)
        beat = beat.model_copy(update={"checks": [check.model_copy(update={"metrics": {}}) for check in beat.checks]})
    return beat


def _verdict(status: Status) -> Verdict:
    return Verdict(status.value) if status.value in {verdict.value for verdict in Verdict} else Verdict.UNKNOWN


def _check_report(check: CheckSummary) -> CheckReport:
    return CheckReport(id=check.id, status=CheckStatus(check.status.value),
                       since=shop_time(check.since) if check.since else None, metrics=dict(check.metrics))


def installed_packs(runtime: Runtime) -> list[PackReport]:
    """The regulation and calendar packs in force, as the pack stores list them."""
    return [PackReport(id=pack["id"], version=pack["version"]) for pack in runtime.installed_packs()
            if _CODE.match(pack["id"]) and _VERSION.fullmatch(pack["version"])]


def pos_version(install_dir: Path | None) -> str | None:
    """The POS's version (its version.txt, as the ``versions`` check reads it), cut to the wire's shape:
    "5.9.0 build 12" is sent as "5.9.0"; one that does not start with a version is not sent."""
    if install_dir is None:
        return None
    from app.health.checks.services import read_pos_version

    text = read_pos_version(install_dir)
    match = _POS_VERSION.match(text or "")
    return match.group(0) if match else None
