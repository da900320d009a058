"""The fleet's writes racing on a real PostgreSQL (a throw-away cluster, tests/pg_cluster.py), as several server
workers and a cron sweep would: first heartbeats of one shop inserting its contact and states at once, and
sweeps opening the same ticket at once.  READ COMMITTED re-checks ``ticket_id IS NULL`` after the winner
commits, and the unique keys settle the inserts: one contact, one state per check, one ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import at_once
from tests.pg_cluster import cluster
from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server.calendars import PublishedCalendars
from vendor_server.db import VendorDatabase
from vendor_server.fleet.proactive import SweepResult, sweep
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.silence import silences
from vendor_server.keys import VendorKeys

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    keys = tmp_path_factory.mktemp("keys")
    with cluster() as pg:
        with pg.admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE fleet")
        db = VendorDatabase(pg.url("fleet"))
        VendorKeys(Path(keys)).init()
        try:
            yield Fleet(db, Path(keys), FleetSettings(), PublishedCalendars(None))
        finally:
            db.engine.dispose()


def test_heartbeats_racing_leave_one_contact_the_newest_report_and_one_state_per_check(fleet: Fleet) -> None:
    shop = fleet.add_shop("PG-0001")
    for round_ in range(5):  # the first round inserts the contact and the states; the later ones update them
        base = T0 + dt.timedelta(minutes=round_)

        def send(index: int, base: dt.datetime = base) -> object:
            moment = base + dt.timedelta(seconds=index)
            return fleet.send(shop, beat({"backup.age": "warning", "disk.free": "ok"}, made_at=moment), moment)

        at_once(8, send)
        contact = fleet.contact(shop)  # whichever came last, the newest report is the one kept
        assert contact is not None and contact.last_seen_at == base + dt.timedelta(seconds=7)
        assert f'"made_at":"{(base + dt.timedelta(seconds=7)).isoformat()}"' in contact.report
        assert sorted(fleet.states(shop)) == ["backup.age", "disk.free"]


def test_sweeps_racing_open_one_ticket_per_shop(fleet: Fleet) -> None:
    shops = [fleet.add_shop(f"PG-01{n:02d}") for n in range(3)]
    later = T0 + dt.timedelta(hours=48)
    for shop in shops:
        fleet.send(shop, beat({"backup.age": "critical"}), T0)
        fleet.send(shop, beat({"backup.age": "critical"}, made_at=later), later)  # the time counts to the last report
    results = at_once(6, lambda _: sweep(fleet.db, fleet.settings, later, fleet.calendars))
    opened = [act for result in results if isinstance(result, SweepResult) for act in result.opened]
    assert len(opened) == 3
    assert [len(fleet.tickets(shop)) for shop in shops] == [1, 1, 1]


def test_the_silent_alarm_reads_postgresqls_times(fleet: Fleet) -> None:
    shop = fleet.add_shop("PG-0200", added_at=T0 - dt.timedelta(hours=30))  # never reported
    with fleet.db.sessions() as session:
        found = silences(session, fleet.settings, T0)
    assert shop in found and not found[shop].reported and found[shop].since == T0 - dt.timedelta(hours=30)
