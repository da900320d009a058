"""The heartbeat's jobs and what the pages show of it: send one now, send one when the verdict changes.

Three things run :func:`send_heartbeat` on the registry's timetable (app/background/registry.py, HEARTBEAT):
the window's agent (app/ui/fleet/state.py), ``pmv-support agent`` and the tray's job process.  Every recorded
health run calls :func:`after_health` (app/health/service.py): it keeps the run's summary for the next
heartbeat and, when the verdict differs from the last one reported, sends one at once.  With telemetry off
there is no verdict to report, so a change sends nothing (its timing would tell what the shop chose not to).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.fleet.heartbeat import TelemetryOff, build_heartbeat, note_health, telemetry_off_by
from app.fleet.outbox import FleetDelivery, LastReport
from app.storage.check_history import CheckHistory

if TYPE_CHECKING:
    from app.health.model import HealthReport
    from app.runtime import Runtime
    from pmv_protocol.fleet import Heartbeat

log = logging.getLogger(__name__)

REPORTED_KEY = "fleet.reported"  # the last heartbeat put in the outbox: when (app clock), its verdict


def send_heartbeat(runtime: Runtime, cancel: threading.Event | None = None, *,
                   unless_put_since: dt.datetime | None = None) -> FleetDelivery:
    """The scheduled job: build a heartbeat, make it the one waiting, deliver the fleet outbox.

    ``unless_put_since``: put none if one was put at or after this moment (the tray's job process passes its
    own start: the checks it ran just before may have sent one for a new verdict, as fresh as this one).
    """
    if unless_put_since is None or not _put_since(runtime, unless_put_since):
        _put(runtime, build_heartbeat(runtime))
    return runtime.fleet.deliver(runtime.vendor_client(), cancel)


def after_health(runtime: Runtime, report: HealthReport) -> FleetDelivery | None:
    """A health run was recorded: keep its summary; if the verdict changed since the last report, send one now
    (the delivery, or None when nothing was sent)."""
    if note_health(runtime.state, CheckHistory(runtime.database), report) is None:
        return None  # cancelled: it proves nothing
    if telemetry_off_by(runtime.contract_service().current(), runtime.settings) is not None:
        return None
    reported = runtime.state.get(REPORTED_KEY)
    before = reported.get("verdict") if isinstance(reported, dict) else None
    if before == report.verdict.value:
        return None
    log.info("health verdict %s -> %s: heartbeat now", before, report.verdict.value)
    _put(runtime, build_heartbeat(runtime))
    return runtime.fleet.deliver(runtime.vendor_client())


def _put(runtime: Runtime, heartbeat: Heartbeat) -> None:
    runtime.fleet.put_heartbeat(heartbeat)
    runtime.state.set(REPORTED_KEY, {"at": runtime.clock().isoformat(),
                                     "verdict": heartbeat.verdict.value if heartbeat.verdict else None})


def _put_since(runtime: Runtime, moment: dt.datetime) -> bool:
    reported = runtime.state.get(REPORTED_KEY)
    if not isinstance(reported, dict):
        return False
    try:
        return dt.datetime.fromisoformat(str(reported["at"])) >= moment
    except (KeyError, ValueError, TypeError):
        return False


# --------------------------------------------------------------------------- what the pages show


@dataclass(frozen=True)
class TelemetryStatus:
    """What the telemetry box says: what is sent, how often, and when the vendor last had a report."""

    off_by: TelemetryOff | None  # None: the full health summary is sent
    period_minutes: int
    last_report: LastReport | None
    waiting: int  # rows in the fleet outbox


def telemetry_status(runtime: Runtime) -> TelemetryStatus:
    fleet = runtime.fleet
    return TelemetryStatus(telemetry_off_by(runtime.contract_service().current(), runtime.settings),
                           runtime.settings.fleet.heartbeat_minutes, fleet.last_report(), fleet.depth())


def preview_text(runtime: Runtime) -> str:
    """Exactly what the next delivery sends: the heartbeat waiting, else the one the next run would build (its
    id and time are new at each run), and the update events waiting."""
    fleet = runtime.fleet
    return fleet.preview(None if fleet.waiting_heartbeat() is not None else build_heartbeat(runtime))
