"""Trading time: only the shop's trading day counts, in shop time, whatever zone the moments are given in, and
never on a closed day (a public holiday of the vendor's calendar, a weekday the settings close)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from pmv_protocol.calendar import CalendarYear, WorkingCalendar
from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.trading import TradingDay, public_days_off, trading_day

DAY = TradingDay.parse("08:00-20:00")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """March ``day`` 2026, shop time (the 9th is a Monday)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHOP_TZ)


@pytest.mark.parametrize(("start", "end", "minutes"), [
    (at(10, 9), at(10, 11), 120),  # inside one day
    (at(10, 7), at(10, 9), 60),  # from before opening
    (at(10, 19), at(10, 23), 60),  # past closing
    (at(10, 21), at(11, 7), 0),  # the whole night
    (at(10, 19, 30), at(11, 8, 30), 60),  # overnight: 30 before closing, 30 after opening
    (at(13, 10), at(16, 10), 3 * 12 * 60),  # Friday to Monday: every day trades
    (at(10, 11), at(10, 9), 0),  # backwards
])
def test_between_counts_only_the_trading_day(start: dt.datetime, end: dt.datetime, minutes: int) -> None:
    assert DAY.between(start, end) == dt.timedelta(minutes=minutes)


def test_the_zone_of_the_moments_does_not_matter() -> None:
    assert DAY.between(at(10, 19).astimezone(dt.UTC), at(11, 9).astimezone(dt.UTC)) == dt.timedelta(hours=2)


def test_after_is_the_first_moment_the_time_has_passed() -> None:
    assert DAY.after(at(10, 19), dt.timedelta(hours=2)) == at(11, 9)
    assert DAY.after(at(10, 18), dt.timedelta(hours=2)) == at(10, 20)  # runs out at closing: stays there
    assert DAY.after(at(10, 22), dt.timedelta(minutes=1)) == at(11, 8, 1)
    with pytest.raises(ValueError):
        DAY.after(at(10, 9), dt.timedelta(0))


@pytest.mark.parametrize("text", ["08:00-20:00", "06:30-22:15", "00:00-24:00"])
def test_after_and_between_agree_on_a_grid_of_moments(text: str) -> None:
    day = TradingDay.parse(text)
    starts = [at(9, 0) + dt.timedelta(minutes=47 * n) for n in range(40)]
    for start, minutes in itertools.product(starts, (1, 59, 120, 700, 3000)):
        moment = day.after(start, dt.timedelta(minutes=minutes))
        assert day.between(start, moment) == dt.timedelta(minutes=minutes), (start, minutes)
        assert day.between(start, moment - dt.timedelta(seconds=1)) < dt.timedelta(minutes=minutes)


def test_a_bad_trading_day_is_refused_with_its_text() -> None:
    with pytest.raises(ValueError, match="20:00-08:00"):
        TradingDay.parse("20:00-08:00")
    assert DAY.is_open(at(10, 8)) and not DAY.is_open(at(10, 20)) and not DAY.is_open(at(10, 7, 59))


# --- closed days: public holidays of the vendor's calendar, and the weekdays the shops close ------------------------

def feb(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """February ``day`` 2026, shop time: Tết's days off are Monday 16 to Friday 20 (the pinned holiday table)."""
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=SHOP_TZ)


FLEET = trading_day(FleetSettings())  # the defaults: 08:00-20:00, no weekday closed, the default calendar
SUNDAYS_OFF = trading_day(FleetSettings(closed_weekdays=frozenset({6})))


@pytest.mark.parametrize(("day", "start", "end", "minutes"), [
    (FLEET, feb(15, 19), feb(21, 9), 120),  # Sunday before Tết 19:00 to Saturday 09:00: 1 h + 1 h
    (FLEET, feb(16, 19, 50), feb(18, 15), 0),  # the whole holiday (29 Tết is one of its days)
    (FLEET, feb(13, 10), feb(13, 12), 120),  # an ordinary Friday
    (FLEET, at(14, 19), at(15, 9), 120),  # Saturday to Sunday: the shops trade
    (SUNDAYS_OFF, at(14, 19), at(16, 9), 120),  # Sunday closed by the settings: Saturday 1 h + Monday 1 h
    (SUNDAYS_OFF, feb(14, 19), feb(21, 9), 120),  # Sunday and Tết together: each closed day counted once
])
def test_closed_days_count_no_trading_time(day: TradingDay, start: dt.datetime, end: dt.datetime,
                                           minutes: int) -> None:
    """Found by a review: every calendar day counted 08:00-20:00, so every shop was silent through Tết."""
    assert day.between(start, end) == dt.timedelta(minutes=minutes)


def test_after_skips_the_closed_days() -> None:
    assert FLEET.after(feb(15, 19, 30), dt.timedelta(hours=1)) == feb(21, 8, 30)
    assert FLEET.after(feb(15, 18), dt.timedelta(hours=2)) == feb(15, 20)  # still at the closing before Tết
    assert SUNDAYS_OFF.after(at(14, 19), dt.timedelta(hours=2)) == at(16, 9)
    assert not FLEET.is_open(feb(17, 10)) and FLEET.is_open(feb(21, 10)) and not SUNDAYS_OFF.is_open(at(15, 10))


@pytest.mark.parametrize("day", [FLEET, SUNDAYS_OFF, trading_day(FleetSettings(closed_weekdays=frozenset({0, 6})))])
def test_after_and_between_agree_across_closed_days(day: TradingDay) -> None:
    starts = [feb(10, 0) + dt.timedelta(minutes=173 * n) for n in range(90)]  # 10/02 to 21/02, Tết inside
    for start, minutes in itertools.product(starts, (1, 59, 720, 3000)):
        moment = day.after(start, dt.timedelta(minutes=minutes))
        assert day.between(start, moment) == dt.timedelta(minutes=minutes), (start, minutes)
        assert day.between(start, moment - dt.timedelta(seconds=1)) < dt.timedelta(minutes=minutes)
        assert not day.closed_on(moment.date())


def test_the_vendors_published_calendar_decides_a_years_holidays_and_its_own_days_off_do_not_count() -> None:
    published = CalendarYear(2026, tuple(() for _ in range(7)), frozenset({dt.date(2026, 3, 10)}), (), "1.0.0",
                             dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    day = trading_day(FleetSettings(), WorkingCalendar.default().with_years([published]))
    assert day.closed_on(dt.date(2026, 3, 10)) and not day.closed_on(dt.date(2026, 2, 17))  # the pack, not the table
    assert day.closed_on(dt.date(2025, 1, 29))  # another year: the table (Tết 2025)
    trip = trading_day(FleetSettings(), WorkingCalendar.from_config(extra_days_off=["2026-03-12"]))
    assert not trip.closed_on(dt.date(2026, 3, 12))  # the vendor's company trip closes its desk, not the shops
    assert dt.date(2026, 2, 17) in public_days_off(WorkingCalendar.default())


def test_the_closed_weekdays_come_from_the_fleet_settings() -> None:
    assert FleetSettings.from_mapping({"closed_weekdays": ["Sunday", "sat"]}).closed_weekdays == {5, 6}
    assert FleetSettings.from_mapping({}).closed_weekdays == frozenset()  # gold shops trade seven days a week
    for bad in ({"closed_weekdays": "sunday"}, {"closed_weekdays": ["someday"]},
                {"closed_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}):
        with pytest.raises(ValueError, match="closed_weekdays"):
            FleetSettings.from_mapping(bad)
