"""Heartbeats and update events from the demo shop to the real vendor server on 127.0.0.1.

What the server keeps is read from its own database: ``shop_contacts`` (the last heartbeat of each shop) and
``release_events`` (each update event once per shop).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import bootstrap
from app.fleet.service import send_heartbeat
from app.health.machine import MachineProbes
from app.health.service import run_health
from app.infra.paths import AppPaths
from app.runtime import Runtime
from app.shop.demo import POS_VERSION, DemoShop
from app.support.vendor_api import ApiFailure
from pmv_protocol.fleet import TargetKind, UpdateEvent, UpdateEventKind
from pmv_protocol.shop_time import shop_time
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer, start_vendor_server
from tests.integration.fault_proxy import DROP_AFTER_COMMIT, FaultProxy
from vendor_server.contract_issue import issue_contract
from vendor_server.db import VendorDatabase

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_os_keyring")]

ROOT = Path(__file__).resolve().parents[2]
SHOP_ID = "DEMO-0001"  # the demo shop's settings


@pytest.fixture
def shop(demo_shop: DemoShop, vendor_server: VendorServer, app_paths: AppPaths) -> Path:
    """The demo shop's settings pointing at the real vendor server, with the shop's token."""
    settings = demo_shop.settings_file
    text = settings.read_text(encoding="utf-8")
    assert 'base_url = "https://support.phanmemvang.vn"' in text
    settings.write_text(text.replace('base_url = "https://support.phanmemvang.vn"',
                                     f'base_url = "{vendor_server.base_url}"'), encoding="utf-8")
    token = vendor_server.add_shop(SHOP_ID, "Tiệm vàng Kim Phát")
    secret = app_paths.data_dir / "secrets" / "shop-token"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(token + "\n", encoding="utf-8")
    return settings


@pytest.fixture
def shop_runtime(shop: Path, app_paths: AppPaths, demo_clock: FixedClock,
                 quiet_machine: MachineProbes) -> Iterator[Runtime]:
    runtime = bootstrap(shop, paths=app_paths, install_crash_handler=False, clock=demo_clock, machine=quiet_machine)
    yield runtime
    runtime.close()


def contact(vendor: VendorServer) -> dict | None:
    """The server's ``shop_contacts`` row for the demo shop (None before its first heartbeat)."""
    with sqlite3.connect(vendor.data / "vendor.sqlite3") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT c.* FROM shop_contacts c JOIN shops s ON s.id = c.shop_pk WHERE s.shop_id = ?",
                         (SHOP_ID,)).fetchone()
    return dict(row) if row is not None else None


def stored_events(vendor: VendorServer) -> list[str]:
    with sqlite3.connect(vendor.data / "vendor.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT event_id FROM release_events ORDER BY id")]


def test_heartbeats_arrive_with_the_shops_health_and_a_new_one_each_period(
        shop_runtime: Runtime, vendor_server: VendorServer, demo_clock: FixedClock) -> None:
    report = run_health(shop_runtime)  # the first verdict: a heartbeat at once
    row = contact(vendor_server)
    assert row is not None and row["verdict"] == report.verdict.value and row["telemetry"]
    assert (row["app_version"], row["pos_version"], row["last_backup_age_hours"]) == ("0.1.0", POS_VERSION, 23.0)
    kept = json.loads(row["report"])
    assert [c["id"] for c in kept["checks"]] == [r.check_id for r in report.results]
    first_id = row["last_heartbeat_id"]
    last = shop_runtime.fleet.last_report()
    assert last is not None and last.report_id == first_id
    demo_clock.advance(minutes=15)
    delivery = send_heartbeat(shop_runtime)
    assert delivery.heartbeat_sent and delivery.waiting == 0
    row = contact(vendor_server)
    assert row is not None and row["last_heartbeat_id"] != first_id
    assert row["last_heartbeat_id"] == shop_runtime.fleet.last_report().report_id  # type: ignore[union-attr]


def test_made_offline_only_the_newest_heartbeat_arrives_once_the_server_is_back(
        shop_runtime: Runtime, vendor_server: VendorServer, demo_clock: FixedClock, tmp_path: Path) -> None:
    vendor_server.stop()  # the server goes away; its address now refuses connections
    made = []
    for _ in range(3):
        demo_clock.advance(minutes=15)
        delivery = send_heartbeat(shop_runtime)
        assert delivery.failure is ApiFailure.OFFLINE and delivery.waiting == 1
        waiting = shop_runtime.fleet.waiting_heartbeat()
        assert waiting is not None
        made.append(waiting.id)
    assert len(set(made)) == 3 and shop_runtime.fleet.depth() == 1
    with start_vendor_server(vendor_server.data) as back:  # the same database, on a new port
        with FaultProxy.in_front_of(back.base_url) as proxy:  # counts what reaches the server
            shop_runtime.settings.vendor.base_url = proxy.base_url
            demo_clock.advance(minutes=15)  # past any backoff
            delivery = shop_runtime.fleet.deliver(shop_runtime.vendor_client())
            assert delivery.heartbeat_sent and delivery.waiting == 0
            assert [(m, p) for m, p, _action in proxy.seen] == [("POST", "/api/v1/heartbeat")]
            row = contact(back)
            assert row is not None and row["last_heartbeat_id"] == made[-1]
            assert shop_runtime.fleet.deliver(shop_runtime.vendor_client()).heartbeat_sent is False
            assert len(proxy.seen) == 1  # nothing waits: nothing more is sent


def test_update_events_arrive_once_even_when_delivered_twice(
        shop_runtime: Runtime, vendor_server: VendorServer, demo_clock: FixedClock) -> None:
    with FaultProxy.in_front_of(vendor_server.base_url) as proxy:
        shop_runtime.settings.vendor.base_url = proxy.base_url
        at = shop_time(demo_clock())
        events = [UpdateEvent(id=str(uuid.uuid4()), at=at, kind=kind, target_kind=TargetKind.PACK,
                              target_id="nd-232-2025", version="1.1.0")
                  for kind in (UpdateEventKind.DOWNLOADED, UpdateEventKind.INSTALLED)]
        for event in events:
            shop_runtime.fleet.record_event(event)
        # The server stores the batch, and the shop never hears back: it must send it again.
        proxy.on("POST", "/api/v1/events", DROP_AFTER_COMMIT)
        first = shop_runtime.fleet.deliver(shop_runtime.vendor_client())
        assert first.failure is ApiFailure.OFFLINE and shop_runtime.fleet.events_waiting() == 2
        assert stored_events(vendor_server) == [event.id for event in events]
        demo_clock.advance(minutes=15)
        second = shop_runtime.fleet.deliver(shop_runtime.vendor_client())
        assert second.events_sent == 2 and second.events_duplicates == 2 and shop_runtime.fleet.depth() == 0
        assert stored_events(vendor_server) == [event.id for event in events]  # each once
        assert [p for _m, p, _a in proxy.seen] == ["/api/v1/events", "/api/v1/events"]


def test_a_contract_saying_telemetry_false_leaves_the_server_the_app_version_only(
        shop_runtime: Runtime, vendor_server: VendorServer, demo_clock: FixedClock) -> None:
    shop_runtime.extra_key_files = [vendor_server.trusted_keys_file()]  # makes the vendor's keys, trusts them
    issue_contract(VendorDatabase(vendor_server.db_url), vendor_server.keys, shop_id=SHOP_ID, package="PMV-GOLD-PRO",
                   warranty_months=12, accepted_on=dt.date(2026, 1, 15), telemetry=False,
                   now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    refreshed = shop_runtime.contract_service().refresh()
    assert refreshed.contract is not None and not refreshed.contract.telemetry
    run_health(shop_runtime)  # a verdict, but nothing to tell of it
    assert contact(vendor_server) is None
    assert send_heartbeat(shop_runtime).heartbeat_sent
    row = contact(vendor_server)
    assert row is not None and not row["telemetry"] and row["verdict"] is None and row["pos_version"] is None
    assert set(json.loads(row["report"])) == {"id", "made_at", "app_version", "telemetry"}


def test_the_trays_job_process_runs_the_checks_then_the_heartbeat(shop: Path, vendor_server: VendorServer,
                                                                  tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    command = [sys.executable, "-m", "app", "--config", str(shop), "tray-jobs", "health", "heartbeat",
               "--report", str(report_file), "--tray-pid", "424242"]
    done = subprocess.run(command, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["errors"] == {}
    assert report["heartbeat"]["waiting"] == 0 and report["heartbeat"]["failure"] is None
    assert report["schedule"]["heartbeat_minutes"] == 15
    row = contact(vendor_server)
    assert row is not None and row["verdict"] == report["health"]["verdict"]
