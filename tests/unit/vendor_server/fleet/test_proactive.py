"""The proactive sweep on a real SQLite database with the system's real tickets (vendor_server.fleet.system_tickets):
one ticket per check held critical past its threshold (counted up to its last report), never a second while it
is not reported ok, a note when it recovers, a later critical spell put on the ticket while it is open and a new
ticket once staff have closed it; a shop that shares no health is not swept."""

from __future__ import annotations

import datetime as dt
import json
import threading

from sqlalchemy import select

from pmv_protocol.shop_time import SHOP_TZ
from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server import staff_acts
from vendor_server.fleet.ingest import receive
from vendor_server.fleet.proactive import StateView, SweepResult, held_critical, sweep
from vendor_server.fleet.settings import FleetSettings
from vendor_server.keys import VendorKeys
from vendor_server.signing import sign_payload
from vendor_server.thread_tables import TicketEventRow

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def run(fleet: Fleet, now: dt.datetime) -> SweepResult:
    return sweep(fleet.db, fleet.settings, now, fleet.calendars)


def critical_backup(fleet: Fleet, shop_id: str = "KP-0001", **options: object) -> int:
    """A shop whose backup check turned critical at T0 (the default threshold: 48 h, wall clock)."""
    shop = fleet.add_shop(shop_id, **options)  # type: ignore[arg-type]
    fleet.send(shop, beat({"backup.age": "critical", "pos.db.connect": "ok"}), T0)
    return shop


def backup(fleet: Fleet, shop: int, at: dt.datetime, status: str = "critical") -> None:
    """The shop's heartbeat at ``at``: its backup check ``status`` (the held time counts up to the last report)."""
    fleet.send(shop, beat({"backup.age": status, "pos.db.connect": "ok"}, made_at=at), at)


def events(fleet: Fleet, ticket_id: int) -> list[TicketEventRow]:
    with fleet.db.sessions() as session:
        return list(session.scalars(select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id)
                                    .order_by(TicketEventRow.id)))


def test_below_the_threshold_no_ticket(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 47 * HOUR + dt.timedelta(minutes=59))
    result = run(fleet, T0 + 47 * HOUR + dt.timedelta(minutes=59))
    assert result.opened == () and fleet.tickets(shop) == []
    assert fleet.states(shop)["backup.age"].ticket_id is None


def test_at_the_threshold_one_ticket_opened_by_the_system_and_ten_sweeps_later_still_one(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
    first = run(fleet, T0 + 48 * HOUR)
    assert [(a.shop_id, a.check_id) for a in first.opened] == [("KP-0001", "backup.age")]
    for n in range(10):
        backup(fleet, shop, T0 + 48 * HOUR + n * HOUR)
        assert run(fleet, T0 + 48 * HOUR + n * HOUR).acts == ()
    tickets = fleet.tickets(shop)
    assert len(tickets) == 1
    ticket = tickets[0]
    assert (ticket.opened_by, ticket.check_id, ticket.number) == ("system", "backup.age", first.opened[0].ticket_number)
    assert fleet.states(shop)["backup.age"].ticket_id == ticket.id


def test_two_sweeps_racing_open_one_ticket(fleet: Fleet) -> None:
    shops = [critical_backup(fleet, f"KP-{n:04d}") for n in range(1, 4)]
    for shop in shops:
        backup(fleet, shop, T0 + 49 * HOUR)
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


def test_recovery_notes_the_ticket_and_a_later_spell_opens_a_new_one_once_staff_closed_it(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
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

    assert opened.ticket_number is not None
    staff_acts.close(fleet.db, opened.ticket_number, staff="Trần Minh", now=recovered_at + HOUR)
    again = T0 + 60 * HOUR
    backup(fleet, shop, again)
    backup(fleet, shop, again + 47 * HOUR)
    assert run(fleet, again + 47 * HOUR).opened == ()  # the new spell counts from `again`
    backup(fleet, shop, again + 48 * HOUR)
    reopened = run(fleet, again + 48 * HOUR).opened
    assert len(reopened) == 1 and reopened[0].ticket_id != opened.ticket_id
    assert len(fleet.tickets(shop)) == 2


def test_a_ticket_staff_closed_is_not_opened_again_while_the_check_stays_critical(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
    opened = run(fleet, T0 + 48 * HOUR).opened[0]
    assert opened.ticket_number is not None
    staff_acts.close(fleet.db, opened.ticket_number, staff="Trần Minh", now=T0 + 49 * HOUR)
    later = T0 + 72 * HOUR
    backup(fleet, shop, later)
    backup(fleet, shop, later + 24 * HOUR)
    assert run(fleet, later + 24 * HOUR).acts == ()
    assert len(fleet.tickets(shop)) == 1


def test_no_ticket_for_a_shop_without_a_contract_in_force(fleet: Fleet) -> None:
    expired = critical_backup(fleet, "KP-0001", accepted_on=dt.date(2024, 1, 1))
    bare = critical_backup(fleet, "KP-0002", accepted_on=None)
    for shop in (expired, bare):
        backup(fleet, shop, T0 + 60 * HOUR)
    assert run(fleet, T0 + 60 * HOUR).opened == ()
    assert fleet.tickets(expired) == [] and fleet.tickets(bare) == []


def test_a_check_without_a_threshold_never_opens_one(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"disk.free": "critical"}), T0)
    fleet.send(shop, beat({"disk.free": "critical"}, made_at=T0 + 1000 * HOUR), T0 + 1000 * HOUR)
    assert run(fleet, T0 + 1000 * HOUR).opened == ()


def test_a_trading_hours_check_counts_only_trading_time(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001")
    evening = T0.replace(hour=19, minute=30)  # 30 minutes before closing (08:00-20:00)
    for moment in (evening, T0.replace(hour=23), T0.replace(hour=8, minute=29) + 24 * HOUR):
        fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=moment), moment)
    assert run(fleet, T0.replace(hour=23)).opened == ()  # 3 h 30 by the wall clock, 30 min of trading
    assert run(fleet, T0.replace(hour=8, minute=29) + 24 * HOUR).opened == ()
    morning = T0.replace(hour=8, minute=30) + 24 * HOUR
    fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=morning), morning)
    opened = run(fleet, morning).opened
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


def test_a_check_flapping_between_critical_and_unknown_or_warning_keeps_its_one_ticket(fleet: Fleet) -> None:
    """Found by a review: any status but critical counted as a recovery and cleared the ticket, so a check that
    timed out now and then (critical, unknown once, critical again) opened a new ticket every hour and a half,
    six open tickets a day for one cause."""
    shop = fleet.add_shop("KP-0001")
    moment = T0.replace(hour=8)
    for n in range(40):  # every 15 minutes, 08:00 to 17:45: 1 h 15 critical, then one report unknown or warning
        status = "critical" if n % 6 != 5 else "unknown" if n % 12 == 5 else "warning"
        receive(fleet.db, fleet.shop("KP-0001"), beat({"pos.db.connect": status}, made_at=moment), now=moment,
                settings=fleet.settings, calendars=fleet.calendars)
        moment += 15 * MINUTE
    tickets = fleet.tickets(shop)
    assert len(tickets) == 1 and fleet.states(shop)["pos.db.connect"].ticket_id == tickets[0].id
    assert [e.kind for e in events(fleet, tickets[0].id) if e.author == "system"] == ["opened"]  # no recovery noted
    assert run(fleet, moment).acts == ()


def test_a_new_critical_spell_goes_on_the_checks_ticket_while_it_is_still_open(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
    opened = run(fleet, T0 + 48 * HOUR).opened[0]
    backup(fleet, shop, T0 + 50 * HOUR, "ok")
    assert [a.kind for a in run(fleet, T0 + 50 * HOUR).acts] == ["noted"]
    again = T0 + 60 * HOUR
    backup(fleet, shop, again)
    backup(fleet, shop, again + 48 * HOUR)
    result = run(fleet, again + 48 * HOUR)  # staff have not closed the first ticket
    assert result.opened == () and [(a.kind, a.ticket_id) for a in result.linked] == [("linked", opened.ticket_id)]
    assert len(fleet.tickets(shop)) == 1 and fleet.states(shop)["backup.age"].ticket_id == opened.ticket_id
    note = events(fleet, opened.ticket_id)[-1]
    assert note.author == "system" and "lại báo nghiêm trọng" in (note.text or "")
    assert run(fleet, again + 49 * HOUR).acts == ()  # linked once
    backup(fleet, shop, again + 50 * HOUR, "ok")
    assert [(a.kind, a.ticket_id) for a in run(fleet, again + 50 * HOUR).acts] == [("noted", opened.ticket_id)]


def test_a_check_whose_closed_ticket_held_it_through_a_warning_gets_a_new_ticket_when_critical_again(
        fleet: Fleet) -> None:
    """Found by the review of this change: only ok ends a spell, so a backup that recovered to warning kept its
    ticket (closed by staff) for good, and the next critical spell weeks later opened nothing."""
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
    opened = run(fleet, T0 + 48 * HOUR).opened[0]
    backup(fleet, shop, T0 + 50 * HOUR, "warning")  # a backup 30 h old: better, not well
    assert run(fleet, T0 + 50 * HOUR).acts == ()  # a warning is no recovery to note
    staff_acts.close(fleet.db, opened.ticket_number, staff="Trần Minh", now=T0 + 51 * HOUR)
    later = T0 + 30 * 24 * HOUR
    backup(fleet, shop, later)
    backup(fleet, shop, later + 100 * HOUR)
    result = run(fleet, later + 100 * HOUR)
    assert [a.kind for a in result.acts] == ["opened"] and len(fleet.tickets(shop)) == 2
    assert fleet.states(shop)["backup.age"].ticket_id == result.opened[0].ticket_id != opened.ticket_id


def test_a_new_spell_goes_on_a_ticket_waiting_for_the_shop_as_a_new_ticket(fleet: Fleet) -> None:
    """Found by the review of this change: linked to a ticket whose solution waits on the shop, the new spell was a
    note under "Chờ cửa hàng", after every running ticket in the queue, with no deadline."""
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
    opened = run(fleet, T0 + 48 * HOUR).opened[0]
    staff_acts.propose(fleet.db, opened.ticket_number, staff="Trần Minh", kind="remote",
                       text="Đã sửa lịch sao lưu", now=T0 + 49 * HOUR)
    backup(fleet, shop, T0 + 50 * HOUR, "ok")
    assert [a.kind for a in run(fleet, T0 + 50 * HOUR).acts] == ["noted"]
    again = T0 + 60 * HOUR
    backup(fleet, shop, again)
    backup(fleet, shop, again + 48 * HOUR)
    result = run(fleet, again + 48 * HOUR)
    assert result.linked == () and len(result.opened) == 1
    (new,) = [ticket for ticket in fleet.tickets(shop) if ticket.id == result.opened[0].ticket_id]
    assert new.response_due_at is not None  # its own deadline, its clock running


def test_a_checks_critical_time_stops_at_its_last_report(fleet: Fleet) -> None:
    """Found by a review: a POS database stopped at closing, the till then switched off, counted as critical
    through the next morning without a word from the shop, and opened a critical ticket at 08:50."""
    shop = fleet.add_shop("KP-0001")
    closing = T0.replace(hour=19, minute=50)
    fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=closing), closing)
    assert run(fleet, closing + 14 * HOUR).opened == ()  # 09:50 the next day: 1 h 50 of trading, no report
    quiet = critical_backup(fleet, "KP-0002")  # by the wall clock too: nothing known past its report at T0
    assert run(fleet, T0 + 49 * HOUR).opened == () and fleet.tickets(quiet) == []
    back = closing + 13 * HOUR + dt.timedelta(minutes=10)  # 09:00 the next day, still critical: 10 + 60 minutes
    fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=back), back)
    assert [a.check_id for a in run(fleet, back + HOUR).opened] == ["pos.db.connect"]
    assert held_critical("pos.db.connect", closing, back + HOUR, fleet.settings, last_report=back) == 70 * MINUTE


def test_a_pos_database_off_through_tet_opens_no_ticket_until_the_shop_trades_again(fleet: Fleet) -> None:
    """Found by a review: trading time counted 08:00-20:00 on every calendar day, so a database stopped for Tết
    opened a critical ticket on the first morning of the holiday."""
    shop = fleet.add_shop("KP-0001", added_at=dt.datetime(2026, 1, 20, 9, tzinfo=SHOP_TZ))
    eve = dt.datetime(2026, 2, 16, 19, 50, tzinfo=SHOP_TZ)  # 29 Tết, itself a day off (Tết: Mon 16 to Fri 20/02)

    def critical_at(day: int, hour: int, minute: int = 0) -> SweepResult:
        moment = dt.datetime(2026, 2, day, hour, minute, tzinfo=SHOP_TZ)
        fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=moment), moment)
        return run(fleet, moment)

    fleet.send(shop, beat({"pos.db.connect": "critical"}, made_at=eve), eve)
    assert critical_at(17, 10).opened == () and critical_at(18, 15).opened == () and critical_at(20, 19).opened == ()
    assert critical_at(21, 8, 59).opened == ()  # Saturday 21/02, the shop open again: 59 minutes
    assert [a.check_id for a in critical_at(21, 9).opened] == ["pos.db.connect"]


def test_a_shop_whose_latest_contract_shares_no_health_is_not_swept(fleet: Fleet) -> None:
    shop = critical_backup(fleet)
    backup(fleet, shop, T0 + 48 * HOUR)
    # A contract without telemetry stored as a bare row (as a server before the rule left it): the states are there.
    issued = T0 + 47 * HOUR
    payload = {"contract_number": "HD-KP-0001-002", "shop_id": "KP-0001", "shop_name": "Tiệm vàng KP-0001",
               "package": {"code": "PMV-GOLD-PRO", "warranty_months": 12}, "accepted_on": "2026-01-15",
               "maintenance": [], "issued_at": issued.astimezone(dt.UTC).isoformat(), "telemetry": False}
    document = json.dumps(sign_payload(payload, VendorKeys(fleet.keys).private("contract")), ensure_ascii=False)
    fleet.db.store_contract("KP-0001", document, issued.astimezone(dt.UTC))
    assert "backup.age" in fleet.states(shop)
    assert run(fleet, T0 + 48 * HOUR).opened == () and fleet.tickets(shop) == []
