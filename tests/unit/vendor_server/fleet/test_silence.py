"""The silent-shop alarm as a table: hours of trading time since the last contact, shop time, every day the shops
open (not the public holidays of the vendor's calendar, nor a weekday the settings close)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from pmv_protocol.calendar import CalendarYear, WorkingCalendar
from pmv_protocol.shop_time import SHOP_TZ
from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server.contract_issue import issue_contract
from vendor_server.db import Shop
from vendor_server.fleet.contracts import latest_contract, latest_contracts
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.silence import contract_in_force, silence_of, silences

SETTINGS = FleetSettings(silent_after_hours=2, trading_hours="08:00-20:00")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """March ``day`` 2026, shop time (the 9th is a Monday, the 14th a Saturday)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHOP_TZ)


ADDED = at(2, 10)

# (what, last contact (None: never reported), added, contract in force, now, silent, alarm raised at)
TABLE = [
    ("quiet overnight, not yet", at(9, 19, 55), ADDED, True, at(10, 7, 0), False, None),
    ("overnight: 30 min before closing + 90 after opening", at(9, 19, 30), ADDED, True, at(10, 9, 30), True,
     at(10, 9, 30)),
    ("one minute short, overnight", at(9, 19, 30), ADDED, True, at(10, 9, 29), False, None),
    ("trading day, exactly the window", at(10, 9, 0), ADDED, True, at(10, 11, 0), True, at(10, 11, 0)),
    ("trading day, a minute short", at(10, 9, 1), ADDED, True, at(10, 11, 0), False, None),
    ("across closing: the clock stops at 20:00", at(10, 18, 30), ADDED, True, at(10, 23, 0), False, None),
    ("the window ends exactly at closing", at(10, 18, 0), ADDED, True, at(10, 23, 0), True, at(10, 20, 0)),
    ("weekend: shops trade on Saturday and Sunday", at(14, 19, 0), ADDED, True, at(15, 9, 0), True, at(15, 9, 0)),
    ("quiet all weekend", at(13, 19, 0), ADDED, True, at(16, 8, 5), True, at(14, 9, 0)),
    ("never reported: counts from when it was added", None, at(10, 10, 0), True, at(10, 12, 0), True,
     at(10, 12, 0)),
    ("never reported, added this morning, not yet", None, at(10, 10, 0), True, at(10, 11, 59), False, None),
    ("never reported, added at night", None, at(9, 22, 0), True, at(10, 9, 59), False, None),
    ("expired contract: never silent", at(2, 9, 0), ADDED, False, at(10, 12, 0), False, None),
    ("expired contract, never reported", None, ADDED, False, at(10, 12, 0), False, None),
]


@pytest.mark.parametrize(("what", "last", "added", "in_force", "now", "silent", "alarm_at"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_the_silent_alarm(what: str, last: dt.datetime | None, added: dt.datetime, in_force: bool,
                          now: dt.datetime, silent: bool, alarm_at: dt.datetime | None) -> None:
    found = silence_of(last_contact=last, added_at=added, in_force=in_force, now=now, settings=SETTINGS)
    assert (found is not None) == silent, what
    if found is not None:
        assert found.alarm_at == alarm_at
        assert found.since == (last or added) and found.reported == (last is not None)
        assert found.quiet >= dt.timedelta(hours=2)


def test_the_window_and_the_trading_day_come_from_the_settings() -> None:
    last, now = at(10, 9, 0), at(10, 10, 0)
    assert silence_of(last_contact=last, added_at=ADDED, in_force=True, now=now, settings=SETTINGS) is None
    hour = FleetSettings(silent_after_hours=1, trading_hours="08:00-20:00")
    assert silence_of(last_contact=last, added_at=ADDED, in_force=True, now=now, settings=hour) is not None
    evening = FleetSettings(silent_after_hours=1, trading_hours="10:00-22:00")
    assert silence_of(last_contact=last, added_at=ADDED, in_force=True, now=now, settings=evening) is None


def test_a_contract_is_in_force_through_its_warranty_and_not_after(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001", accepted_on=dt.date(2025, 3, 10))  # 12 months: through 10/03/2026
    with fleet.db.sessions() as session:
        contract = latest_contract(session, shop)
    assert contract_in_force(contract, at(10, 23, 59))
    assert not contract_in_force(contract, at(11, 0, 0))
    assert not contract_in_force(None, at(10, 9))


def test_the_fleet_wide_read_picks_the_contract_the_shops_own_read_picks(fleet: Fleet) -> None:
    # Found by a review: the fleet view took the last row added, the heartbeat and tickets the latest issued. A
    # renewal issued in the console, then an older version stored by a CLI whose clock is 5 minutes behind.
    shop = fleet.add_shop("KP-0001", accepted_on=None)
    issue_contract(fleet.db, fleet.keys, shop_id="KP-0001", package="PMV-GOLD-PRO", warranty_months=6,
                   accepted_on=dt.date(2024, 1, 15), now=T0,
                   maintenance=[{"start": "2026-01-01", "end": "2026-12-31", "tier": "standard"}])
    issue_contract(fleet.db, fleet.keys, shop_id="KP-0001", package="PMV-GOLD-PRO", warranty_months=6,
                   accepted_on=dt.date(2024, 1, 15), now=T0 - dt.timedelta(minutes=5))
    with fleet.db.sessions() as session:
        one, every = latest_contract(session, shop), latest_contracts(session)
    assert one is not None and [m.end for m in one.maintenance] == [dt.date(2026, 12, 31)]
    assert every[shop] == one


def test_every_silent_shop_of_the_fleet_at_once(fleet: Fleet) -> None:
    quiet = fleet.add_shop("KP-0001")
    fleet.send(quiet, beat(), T0 - dt.timedelta(hours=16))  # 17:00 yesterday: 3 h + 1 h of trading
    talking = fleet.add_shop("KP-0002")
    fleet.send(talking, beat(), T0 - dt.timedelta(minutes=10))
    never = fleet.add_shop("KP-0003", added_at=T0 - dt.timedelta(days=2))
    fleet.add_shop("KP-0004", added_at=T0 - dt.timedelta(days=2), accepted_on=None)  # no contract
    with fleet.db.sessions() as session:
        found = silences(session, SETTINGS, T0)
        names = dict(session.execute(select(Shop.id, Shop.shop_id)).all())
    assert sorted(names[pk] for pk in found) == ["KP-0001", "KP-0003"]
    assert found[quiet].since == T0 - dt.timedelta(hours=16) and found[quiet].reported
    assert found[never].since == T0 - dt.timedelta(days=2) and not found[never].reported


def tet(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """February ``day`` 2026, shop time: Tết's days off are Monday 16 to Friday 20."""
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=SHOP_TZ)


SUNDAYS_OFF = FleetSettings(silent_after_hours=2, trading_hours="08:00-20:00", closed_weekdays=frozenset({6}))

# (what, settings, last contact, now, silent, alarm raised at): the default calendar's public holidays.
CLOSED_DAYS = [
    ("Tết: the shop closed after its last report on 29 Tết", SETTINGS, tet(16, 19, 50), tet(18, 15), False, None),
    ("Tết: still not silent on its last day", SETTINGS, tet(15, 19, 50), tet(20, 19, 59), False, None),
    ("after Tết: the first trading morning counts", SETTINGS, tet(15, 19, 50), tet(21, 9, 50), True, tet(21, 9, 50)),
    ("the day before Tết is a trading day", SETTINGS, tet(15, 9), tet(15, 11), True, tet(15, 11)),
    ("Sunday, shops trading seven days a week (the default)", SETTINGS, at(14, 19, 59), at(15, 11), True,
     at(15, 9, 59)),
    ("Sunday closed by the settings", SUNDAYS_OFF, at(14, 19, 59), at(15, 11), False, None),
    ("Sunday closed: the alarm on Monday morning", SUNDAYS_OFF, at(14, 19, 59), at(16, 10), True, at(16, 9, 59)),
]


@pytest.mark.parametrize(("what", "settings", "last", "now", "silent", "alarm_at"), CLOSED_DAYS,
                         ids=[row[0] for row in CLOSED_DAYS])
def test_a_closed_day_is_not_silence(what: str, settings: FleetSettings, last: dt.datetime, now: dt.datetime,
                                     silent: bool, alarm_at: dt.datetime | None) -> None:
    """Found by a review: every calendar day counted 08:00-20:00, so every shop was "Im lặng" through Tết."""
    found = silence_of(last_contact=last, added_at=ADDED, in_force=True, now=now, settings=settings)
    assert (found is not None) == silent, what
    assert found is None or found.alarm_at == alarm_at


def test_the_fleet_wide_read_counts_on_the_calendar_it_is_given(fleet: Fleet) -> None:
    shop = fleet.add_shop("KP-0001", added_at=tet(1, 9))
    fleet.send(shop, beat(made_at=tet(13, 19, 50)), tet(13, 19, 50))  # Friday before Tết; Saturday 14/02 trades
    now = tet(17, 10)
    published = CalendarYear(2026, tuple(() for _ in range(7)), frozenset(), (), "1.0.0",
                             dt.datetime(2025, 12, 1, tzinfo=dt.UTC))  # a vendor's pack with no day off at all
    with fleet.db.sessions() as session:
        by_default = silences(session, SETTINGS, now)
        by_pack = silences(session, SETTINGS, now, WorkingCalendar.default().with_years([published]))
    assert by_default[shop].alarm_at == tet(14, 9, 50)  # Saturday 14/02 traded; Sunday 15 too
    assert by_pack[shop].alarm_at == tet(14, 9, 50) and by_pack[shop].quiet > by_default[shop].quiet
