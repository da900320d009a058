"""Trading time: only the shop's trading day counts, in shop time, whatever zone the moments are given in."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.fleet.trading import TradingDay

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
