"""The heartbeat's jobs on the demo shop: the scheduled beat, the one a verdict change sends, what the box shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import __version__
from app.fleet.heartbeat import TelemetryOff
from app.fleet.service import REPORTED_KEY, preview_text, send_heartbeat, telemetry_status
from app.health.service import run_health
from app.infra.resources import resources_dir
from app.runtime import Runtime
from app.support.vendor_api import heartbeat_body
from pmv_protocol.fleet import HEARTBEAT_PATH
from tests.helpers import FixedClock
from tests.unit.fleet.conftest import ScriptedVendor

pytestmark = pytest.mark.usefixtures("no_os_keyring")

ND232 = resources_dir() / "regulation" / "nd-232-2025.json"


@pytest.fixture
def online(runtime: Runtime, vendor: ScriptedVendor, demo_clock: FixedClock) -> Iterator[Runtime]:
    """The demo shop with a shop token, its vendor the scripted one (its clock the shop's)."""
    vendor.clock = demo_clock
    runtime.settings.vendor.base_url = vendor.base_url
    runtime.token_store.set("shop-token")
    yield runtime


def heartbeats(vendor: ScriptedVendor) -> list[dict]:
    return [body for path, body in vendor.bodies if path == HEARTBEAT_PATH]


def test_a_verdict_change_sends_a_heartbeat_at_once_and_a_steady_verdict_does_not(
        online: Runtime, vendor: ScriptedVendor, demo_clock: FixedClock) -> None:
    first = run_health(online)  # no pack yet: the cash-limit check is skipped; a warning verdict
    assert [hb["verdict"] for hb in heartbeats(vendor)] == [first.verdict.value] == ["warning"]
    demo_clock.advance(minutes=30)
    run_health(online)
    assert len(heartbeats(vendor)) == 1  # the same verdict: the scheduled beat tells it
    online.pack_store.install(ND232.read_bytes())  # the demo shop breaks the rule it brings
    demo_clock.advance(minutes=30)
    third = run_health(online)
    assert third.verdict.value == "critical"
    assert [hb["verdict"] for hb in heartbeats(vendor)] == ["warning", "critical"]
    assert heartbeats(vendor)[1]["packs"] == [{"id": "nd-232-2025", "version": "1.1.0"}]


def test_with_telemetry_off_a_verdict_change_sends_nothing(online: Runtime, vendor: ScriptedVendor) -> None:
    online.settings.fleet.telemetry = False
    run_health(online)
    assert vendor.bodies == []
    send_heartbeat(online)
    assert [set(hb) - {"id", "made_at"} for hb in heartbeats(vendor)] == [{"app_version", "telemetry"}]


def test_a_cancelled_run_sends_nothing(online: Runtime, vendor: ScriptedVendor) -> None:
    import threading

    cancel = threading.Event()
    cancel.set()
    run_health(online, cancel=cancel)
    assert vendor.bodies == [] and online.state.get(REPORTED_KEY) is None


def test_the_scheduled_beat_sends_a_new_report_unless_one_went_since_its_process_started(
        online: Runtime, vendor: ScriptedVendor, demo_clock: FixedClock) -> None:
    started = demo_clock()
    run_health(online)  # the first verdict: one report now
    delivery = send_heartbeat(online, unless_put_since=started)  # the same job process: nothing new to say
    assert not delivery.heartbeat_sent and len(heartbeats(vendor)) == 1
    demo_clock.advance(seconds=1)
    assert send_heartbeat(online, unless_put_since=demo_clock()).heartbeat_sent  # the next process
    assert send_heartbeat(online).heartbeat_sent  # an agent's beat
    ids = [hb["id"] for hb in heartbeats(vendor)]
    assert len(ids) == len(set(ids)) == 3


def test_the_box_says_what_is_sent_and_when_the_vendor_last_had_it(online: Runtime, vendor: ScriptedVendor,
                                                                   demo_clock: FixedClock) -> None:
    status = telemetry_status(online)
    assert status.off_by is None and status.period_minutes == 15 and status.last_report is None
    send_heartbeat(online)
    status = telemetry_status(online)
    assert status.last_report is not None and status.last_report.telemetry and status.waiting == 0
    online.settings.fleet.telemetry = False
    online.settings.fleet.heartbeat_minutes = 30
    vendor.down = 503
    demo_clock.advance(minutes=30)
    send_heartbeat(online)
    status = telemetry_status(online)
    assert (status.off_by, status.period_minutes, status.waiting) == (TelemetryOff.SETTINGS, 30, 1)
    assert status.last_report is not None and status.last_report.telemetry  # still the last one that arrived


def test_the_preview_is_the_waiting_report_or_the_one_the_next_run_builds(online: Runtime,
                                                                         vendor: ScriptedVendor) -> None:
    import json

    run_health(online)
    fresh = preview_text(online)
    assert fresh.startswith(f"POST {HEARTBEAT_PATH}\n")
    shown = json.loads(fresh.split("\n", 1)[1])
    assert shown["verdict"] == "warning" and shown["pos_version"] == "5.8.2" and shown["checks"]
    vendor.down = 503
    online.settings.fleet.telemetry = False
    online.clock.advance(minutes=15)  # type: ignore[attr-defined]
    send_heartbeat(online)  # waits: the server is down
    waiting = online.fleet.waiting_heartbeat()
    assert waiting is not None
    assert json.loads(preview_text(online).split("\n", 1)[1]) == heartbeat_body(waiting) == {
        "id": waiting.id, "made_at": waiting.made_at.isoformat(), "app_version": __version__, "telemetry": False}


def test_the_headless_agent_schedules_the_heartbeat_and_its_run_sends_one(
        online: Runtime, vendor: ScriptedVendor, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    from collections.abc import Callable
    from typing import Any

    from app.background.agent import BackgroundAgent
    from app.background.jobs import register_jobs

    scheduled: dict[str, tuple[dt.timedelta, dt.timedelta | None, Callable[[], Any]]] = {}

    def every(_self: BackgroundAgent, job_id: str, interval: dt.timedelta, func: Callable[[], Any], *,
              start_now: bool = False, first_after: dt.timedelta | None = None) -> None:
        scheduled[job_id] = (interval, first_after, func)

    monkeypatch.setattr(BackgroundAgent, "every", every)
    online.settings.fleet.heartbeat_minutes = 10
    register_jobs(BackgroundAgent(), online)
    interval, first_after, beat = scheduled["fleet.heartbeat"]
    assert dt.timedelta(minutes=10) <= interval <= dt.timedelta(minutes=11)
    assert first_after is not None and dt.timedelta(seconds=20) <= first_after <= dt.timedelta(seconds=50)
    beat()
    assert len(heartbeats(vendor)) == 1
