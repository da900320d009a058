"""The proactive sweep on a real SQLite database with the system's real tickets (vendor_server.fleet.system_tickets):
one ticket per check held critical past its threshold, never a second while it stays critical, a note when it
recovers, and a new ticket for a later critical spell."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server import staff_acts
from vendor_server.fleet.ingest import receive
from vendor_server.fleet.proactive import StateView, SweepResult, held_critical, sweep
from vendor_server.fleet.settings import FleetSettings
from vendor_server.thread_tables import TicketEventRow

HOUR = dt.timedelta(hours=1)


def run(fleet: Fleet, now: dt.datetime) -> SweepResult:
    return sweep(fleet.db, fleet.settings, now, fleet.calendars)


def critical_backup(fleet: Fleet, shop_id: str = "KP-0001", **options: object) -> int:
    """A shop whose backup check turned critical at T0 (the default threshold: 48 h, wall clock)."""
    shop = fleet.add_shop(shop_id, **options)  # type: ignore[arg-type]
    fleet.send(shop, beat({"backup.age": "critical", "pos.db.connect": "ok"}), T0)
    return shop


def events(fleet: Fleet, ticket_id: int) -> list[TicketEventRow]:
    with fleet.db.sessions() as session:
        return list(session.scalars(select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id)
                                    .order_by(TicketEventRow.id)))


def test_below_the_threshold_no_ticket(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    result = run(fleet, T0 + 47 * HOUR + dt.timedelta(minutes=59))
    assert result.opened == () and fleet.tickets(shop) == []
    assert fleet.states(shop)["backup.age"].ticket_id is None


def test_at_the_threshold_one_ticket_opened_by_the_system_and_ten_sweeps_later_still_one(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    first = run(fleet, T0 + 48 * HOUR)
    assert [(a.shop_id, a.check_id) for a in first.opened] == [("KP-0001", "backup.age")]
    for n in range(10):
        assert run(fleet, T0 + 48 * HOUR + n * HOUR).acts == ()
    tickets = fleet.tickets(shop)
    assert len(tickets) == 1
    ticket = tickets[0]
    assert (ticket.opened_by, ticket.check_id, ticket.number) == ("system", "backup.age", first.opened[0].ticket_number)
    assert fleet.states(shop)["backup.age"].ticket_id == ticket.id


def test_two_sweeps_racing_open_one_ticket(fleet: Fleet) -> None:
    shops = [critical_backup(fleet, f"KP-{n:04d}") for n in range(1, 4)]
    start = threading.Barrier(4)
    results: list[SweepResult] = []

    def sweep_now() -> None:
        start.wait()
        results.append(run(fleet, T0 + 49 * HOUR))

    threads = [threading.Thread(target=sweep_now) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4 and all(result.failures == () for result in results)
    assert sum(len(result.opened) for result in results) == 3
    assert [len(fleet.tickets(shop)) for shop in shops] == [1, 1, 1]


def test_recovery_notes_the_ticket_and_a_later_critical_spell_opens_a_new_one(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    opened = run(fleet, T0 + 48 * HOUR).opened[0]
    recovered_at = T0 + 50 * HOUR
    fleet.send(shop, beat({"backup.age": "ok", "pos.db.connect": "ok"}, made_at=recovered_at), recovered_at)
    noted = run(fleet, recovered_at)
    assert [(a.kind, a.ticket_id) for a in noted.acts] == [("noted", opened.ticket_id)]
    assert fleet.states(shop)["backup.age"].ticket_id is None
    note = events(fleet, opened.ticket_id)[-1]
    assert note.author == "system" and "Sao lưu dữ liệu" in (note.text or "")
    assert run(fleet, recovered_at + HOUR).acts == ()  # noted once
    assert len(fleet.tickets(shop)) == 1  # a note, not a new ticket

    again = T0 + 60 * HOUR
    fleet.send(shop, beat({"backup.age": "critical", "pos.db.connect": "ok"}, made_at=again), again)
    assert run(fleet, again + 47 * HOUR).opened == ()  # the new spell counts from `again`
    reopened = run(fleet, again + 48 * HOUR).opened
    assert len(reopened) == 1 and reopened[0].ticket_id != opened.ticket_id
    assert len(fleet.tickets(shop)) == 2


def test_a_ticket_staff_closed_is_not_opened_again_while_the_check_stays_critical(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    opened = run(fleet, T0 + 48 * HOUR).opened[0]
    assert opened.ticket_number is not None
    staff_acts.close(fleet.db, opened.ticket_number, staff="Trần Minh", now=T0 + 49 * HOUR)
    later = T0 + 72 * HOUR
    fleet.send(shop, beat({"backup.age": "critical", "pos.db.connect": "ok"}, made_at=later), later)
    assert run(fleet, later + 24 * HOUR).acts == ()
    assert len(fleet.tickets(shop)) == 1


def test_no_ticket_for_a_shop_without_a_contract_in_force(fleet: Fleet) -> None:
    expired = critical_backup(fleet, "KP-0001", accepted_on=dt.date(2024, 1, 1))
    bare = critical_backup(fleet, "KP-0002", accepted_on=None)
    assert run(fleet, T0 + 60 * HOUR).opened == ()
    assert fleet.tickets(expired) == [] and fleet.tickets(bare) == []


def test_a_check_without_a_threshold_never_opens_one(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"disk.free": "critical"}), T0)
    assert run(fleet, T0 + 1000 * HOUR).opened == ()


def test_a_trading_hours_check_counts_only_trading_time(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    evening = T0.replace(hour=19, minute=30)  # 30 minutes before closing (08:00-20:00)
    fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=evening), evening)
    assert run(fleet, T0.replace(hour=23)).opened == ()  # 3 h 30 by the wall clock, 30 min of trading
    assert run(fleet, T0.replace(hour=8, minute=29) + 24 * HOUR).opened == ()
    opened = run(fleet, T0.replace(hour=8, minute=30) + 24 * HOUR).opened
    assert [a.check_id for a in opened] == ["pos.db.connect"] and len(fleet.tickets(shop)) == 1


def test_held_critical_counts_wall_clock_or_trading_time_by_the_settings() -> None:
    settings = FleetSettings(trading_hours="08:00-20:00", trading_hours_only=frozenset({"pos.db.connect"}))
    since, now = T0.replace(hour=19), T0.replace(hour=9) + 24 * HOUR
    assert held_critical("backup.age", since, now, settings) == 14 * HOUR
    assert held_critical("pos.db.connect", since, now, settings) == 2 * HOUR
    assert held_critical("backup.age", now, since, settings) == dt.timedelta(0)
    assert StateView(1, 1, "backup.age", "critical", since, None).ticket_id is None


def test_the_heartbeat_sweeps_its_shop_at_once(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    later = T0 + 48 * HOUR
    received = receive(fleet.db, fleet.shop("KP-0001"), beat({"backup.age": "critical", "pos.db.connect": "ok"},
                                                                 made_at=later),
                       now=later, settings=fleet.settings, calendars=fleet.calendars)
    assert received.sweep
    assert [t.check_id for t in fleet.tickets(shop)] == ["backup.age"]
    quiet = receive(fleet.db, fleet.shop("KP-0001"), beat({"backup.age": "critical", "pos.db.connect": "ok"},
                                                              made_at=later + HOUR),
                    now=later + HOUR, settings=fleet.settings, calendars=fleet.calendars)
    assert not quiet.sweep  # the ticket is open: nothing calls for a sweep
