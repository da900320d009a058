"""Storing heartbeats on a real SQLite database: last contact by the server's clock, reports ordered by their
receipt (never the till's clock), a report received twice changes nothing, states coalesced (since moves only
with the status), the contract's telemetry flag obeyed, from the moment such a contract is stored."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest

from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server.contract_issue import issue_contract
from vendor_server.fleet.proactive import sweep
from vendor_server.fleet.view import fleet_view, shop_report

HOUR = dt.timedelta(hours=1)


def test_the_first_report_keeps_the_servers_clock_and_every_check_since_then(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    report = beat({"backup.age": "critical", "pos.db.connect": "ok"}, made_at=T0 - dt.timedelta(minutes=3))
    received = fleet.send(shop, report, T0)
    assert not received.duplicate and received.telemetry and set(received.changed) == {"backup.age", "pos.db.connect"}
    contact = fleet.contact(shop)
    assert contact is not None
    assert contact.last_seen_at == T0  # the server's clock, not the till's made_at
    assert (contact.verdict, contact.app_version, contact.pos_version) == ("critical", "1.4.0", "5.2.1")
    assert (contact.last_backup_age_hours, contact.outbox_depth) == (3.5, 0)
    assert json.loads(contact.report)["packs"] == [{"id": "nd232", "version": "1.0.0"}]
    states = fleet.states(shop)
    assert {k: (s.status, s.since, s.updated_at) for k, s in states.items()} == {
        "backup.age": ("critical", T0, T0), "pos.db.connect": ("ok", T0, T0)}


def test_the_same_report_again_changes_nothing(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    report = beat({"backup.age": "warning"})
    fleet.send(shop, report, T0)
    again = fleet.send(shop, report, T0 + dt.timedelta(minutes=2))
    assert again.duplicate and again.received_at == T0  # the first receipt's time
    contact = fleet.contact(shop)
    assert contact is not None and contact.last_seen_at == T0
    assert fleet.states(shop)["backup.age"].updated_at == T0


def test_a_status_reported_again_keeps_its_since_and_a_new_one_restarts_it(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "warning", "disk.free": "ok"}), T0)
    later = T0 + dt.timedelta(minutes=15)
    second = fleet.send(shop, beat({"backup.age": "critical", "disk.free": "ok"}, made_at=later), later)
    assert second.changed == ("backup.age",)
    states = fleet.states(shop)
    assert (states["disk.free"].since, states["disk.free"].updated_at) == (T0, later)
    assert (states["backup.age"].status, states["backup.age"].since) == ("critical", later)
    contact = fleet.contact(shop)
    assert contact is not None and contact.last_seen_at == later and contact.verdict == "critical"


def test_a_check_the_report_no_longer_carries_is_forgotten_unless_a_ticket_hangs_on_it(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical", "disk.free": "warning", "clock.skew": "ok"}), T0)
    fleet.link_ticket(shop, "backup.age", T0)  # as the sweep leaves it after opening one for the check
    later = T0 + dt.timedelta(minutes=15)
    fleet.send(shop, beat({"clock.skew": "ok"}, made_at=later), later)
    assert set(fleet.states(shop)) == {"clock.skew", "backup.age"}


def test_a_report_received_before_the_one_kept_but_written_after_it_counts_as_contact_only(fleet: Fleet) -> None:
    # Two requests of one shop in flight at once: the one the server received first takes the shop's turn second.
    shop = fleet.add_shop("KP-0001")
    late = T0 + dt.timedelta(minutes=20)
    fleet.send(shop, beat({"backup.age": "ok"}, made_at=late), late)
    old = fleet.send(shop, beat({"backup.age": "critical"}, made_at=late), late - dt.timedelta(seconds=3))
    assert old.stale and not old.duplicate
    contact = fleet.contact(shop)
    assert contact is not None and contact.last_seen_at == late and contact.verdict == "ok"
    assert fleet.states(shop)["backup.age"].status == "ok"


def test_reports_are_ordered_by_their_receipt_not_the_tills_clock(fleet: Fleet) -> None:
    """Found by a review: reports were ordered by the till's made_at when within 6 h of receipt, so a till whose
    clock was set back 3 h had every report for 3 h taken as older than the one kept (stale): a POS database gone
    critical was never recorded, and no proactive ticket could open."""
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"pos.db.connect": "ok"}, made_at=T0), T0)
    for quarter in range(1, 12):
        now = T0 + quarter * dt.timedelta(minutes=15)
        received = fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=now - dt.timedelta(hours=3)), now)
        assert not received.stale, now
        contact = fleet.contact(shop)
        assert contact is not None and contact.verdict == "critical" and contact.last_seen_at == now
    assert (fleet.states(shop)["pos.db.connect"].status, fleet.states(shop)["pos.db.connect"].since) == (
        "critical", T0 + dt.timedelta(minutes=15))
    # A report the till stamped later than the next one it sends (the clock put right) is no older for that.
    now = T0 + 3 * HOUR
    assert not fleet.send(shop, beat({"pos.db.connect": "ok"}, made_at=now + dt.timedelta(hours=5)), now).stale
    behind = now + dt.timedelta(minutes=15)
    assert not fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=behind), behind).stale
    # The server's own clock set back (a time sync) further than two requests can race: the report still wins.
    setback = behind - dt.timedelta(minutes=30)
    assert not fleet.send(shop, beat({"pos.db.connect": "ok"}, made_at=setback), setback).stale
    contact = fleet.contact(shop)
    assert contact is not None and contact.verdict == "ok"


@pytest.mark.parametrize(("first_made", "then_made"), [
    (dt.timedelta(days=3650), dt.timedelta(minutes=15) - dt.timedelta(seconds=5)),  # ten years ahead, then put right
    (dt.timedelta(0), dt.datetime(2000, 1, 1, tzinfo=dt.UTC) - T0),  # then back to 2000 (a flat CMOS battery)
])
def test_a_till_clock_far_off_does_not_freeze_the_shops_health(
        fleet: Fleet, first_made: dt.timedelta, then_made: dt.timedelta) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical"}, made_at=T0 + first_made), T0)
    later = T0 + dt.timedelta(minutes=15)
    fixed = fleet.send(shop, beat({"backup.age": "ok"}, made_at=T0 + then_made), later)
    assert not fixed.stale
    contact = fleet.contact(shop)
    assert contact is not None and contact.verdict == "ok"
    assert fleet.states(shop)["backup.age"].status == "ok"


def test_a_contract_without_telemetry_keeps_the_last_contact_and_app_version_only(
        fleet: Fleet, caplog: pytest.LogCaptureFixture) -> None:
    shop = fleet.add_shop("KP-0002", telemetry=False)
    with caplog.at_level(logging.WARNING, logger="vendor_server.fleet.ingest"):
        received = fleet.send(shop, beat({"backup.age": "critical"}, app_version="1.5.0"), T0)
    assert not received.telemetry
    assert "telemetry: false" in caplog.text
    contact = fleet.contact(shop)
    assert contact is not None and contact.last_seen_at == T0 and contact.app_version == "1.5.0"
    assert (contact.telemetry, contact.verdict, contact.pos_version, contact.last_backup_age_hours,
            contact.outbox_depth) == (False, None, None, None, None)
    assert set(json.loads(contact.report)) == {"id", "made_at", "app_version", "telemetry"}
    assert fleet.states(shop) == {}


def test_a_contract_reissued_without_telemetry_drops_what_the_shop_sent_before_at_once(fleet: Fleet) -> None:
    """Found by a review: only the next heartbeat dropped a shop's health once its contract said telemetry: false,
    so a till left off kept it on the fleet page and the shop's page, and the cron sweep opened tickets from it."""
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical", "pos.db.connect": "critical", "disk.free": "ok"}), T0)
    ticket = fleet.link_ticket(shop, "pos.db.connect", T0)  # a system ticket hangs on this one: its state stays
    issue_contract(fleet.db, fleet.keys, shop_id="KP-0001", package="PMV-GOLD-PRO", warranty_months=12,
                   accepted_on=dt.date(2026, 1, 15), telemetry=False, now=T0 + dt.timedelta(minutes=5))
    contact = fleet.contact(shop)
    assert contact is not None and contact.last_seen_at == T0 and contact.app_version == "1.4.0"
    assert (contact.telemetry, contact.verdict, contact.pos_version, contact.last_backup_age_hours,
            contact.outbox_depth) == (False, None, None, None, None)
    assert set(json.loads(contact.report)) == {"id", "made_at", "app_version", "telemetry"}
    assert {check: state.ticket_id for check, state in fleet.states(shop).items()} == {"pos.db.connect": ticket}
    view = fleet_view(fleet.db, fleet.settings, T0 + dt.timedelta(minutes=10))
    assert view.counts["unknown"] == 1 and view.counts["critical"] == 0 and view.failing == []
    with fleet.db.sessions() as session:
        report = shop_report(session, shop)
    assert report is not None and not report.telemetry and report.checks == [] and report.pos_version is None
    assert sweep(fleet.db, fleet.settings, T0 + 49 * HOUR, fleet.calendars).acts == ()
    # The shop's next heartbeat, as its app sends it once it has the contract, is kept as such.
    later = T0 + dt.timedelta(minutes=15)
    assert not fleet.send(shop, beat(made_at=later).app_version_only(), later).telemetry


def test_a_contract_that_keeps_telemetry_on_drops_nothing(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical"}), T0)
    issue_contract(fleet.db, fleet.keys, shop_id="KP-0001", package="PMV-GOLD-PRO", warranty_months=12,
                   accepted_on=dt.date(2026, 1, 15), now=T0 + dt.timedelta(minutes=5))
    contact = fleet.contact(shop)
    assert contact is not None and contact.telemetry and contact.verdict == "critical"
    assert set(fleet.states(shop)) == {"backup.age"}


def test_a_shop_that_turns_telemetry_off_leaves_no_states_behind(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical"}), T0)
    later = T0 + dt.timedelta(minutes=15)
    fleet.send(shop, beat(made_at=later).app_version_only(), later)
    contact = fleet.contact(shop)
    assert contact is not None and not contact.telemetry and contact.verdict is None
    assert fleet.states(shop) == {}


def test_first_reports_racing_from_many_threads_leave_one_contact_and_one_state_per_check(fleet: Fleet) -> None:
    shops = [fleet.add_shop(f"KP-{n:04d}") for n in range(1, 4)]
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def send(index: int) -> None:
        start.wait()
        try:
            moment = T0 + dt.timedelta(seconds=index)
            fleet.send(shops[index % 3], beat({"backup.age": "ok", "disk.free": "warning"}, made_at=moment), moment)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    for shop in shops:
        contact = fleet.contact(shop)
        assert contact is not None
        assert set(fleet.states(shop)) == {"backup.age", "disk.free"}
