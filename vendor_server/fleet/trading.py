"""Time counted within the shops' trading days only: how long a shop has been quiet, or a check critical, while
it was trading.

The fleet's trading day is one interval of shop time (``[fleet] trading_hours``, e.g. ``08:00-20:00``) on each
day the shops open: a shop closed at night is not silent, and a database switched off with the shop is not an
incident.  The days they do not open are closed days, counted as no trading time at all:

- public holidays as the vendor's calendar has them (:func:`public_days_off`): Tết above all, when gold shops
  close for several days, and the other days off of the law.  The calendar is the one deadlines count on: the
  vendor's published calendar pack for a year it publishes one (:mod:`vendor_server.calendars`), else Vietnam's
  public holidays from the pinned table (:mod:`pmv_protocol.holiday_table`).  The vendor's own extra days off
  from its settings (a company trip) close its desk, not the shops, so they do not count;
- the weekdays the shops close (``[fleet] closed_weekdays``; none by default: gold shops trade seven days a week).

The shop's zone has a fixed offset (:data:`pmv_protocol.shop_time.SHOP_TZ`), so the count is plain arithmetic:
the trading time from a fixed origin up to a moment is the open days before that moment's day times the day's
length, plus the part of its own day (none on a closed day).  The open days before a date are the days less the
closed weekdays among them (whole weeks, then the rest) less the holidays before it (a bisection in a sorted
tuple); the inverse is a search over that count.  No day-by-day loop, so a shop that has never reported in a year
costs what one that was quiet an hour does.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from pmv_protocol.calendar import WorkingCalendar, parse_interval, within_interval
from pmv_protocol.holiday_table import FIRST_YEAR, LAST_YEAR, stored_holidays
from pmv_protocol.shop_time import SHOP_TZ
from vendor_server.fleet.settings import FleetSettings

_ORIGIN = dt.date(FIRST_YEAR, 1, 1)  # no holiday before it is counted; positions are measured from it
_MICROS_PER_MINUTE = 60_000_000
_MICROS_PER_SECOND = 1_000_000


def public_days_off(calendar: WorkingCalendar) -> frozenset[dt.date]:
    """The public days off of every year the calendar knows without the ``holidays`` package: its published years'
    days off, and Vietnam's public holidays from the pinned table for the years it holds (not the calendar's
    ``extra_days_off``: those are the vendor's own)."""
    published = {year.year: year.days_off for year in calendar.years}
    days: set[dt.date] = set()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if year in published:
            days |= published.pop(year)
        elif calendar.holiday_country is not None:
            days |= stored_holidays(year, calendar.holiday_country) or frozenset()
    for later in published.values():  # a pack for a year past the table's
        days |= later
    return frozenset(days)


@dataclass(frozen=True)
class TradingDay:
    """The trading interval ``opens``–``closes`` (minutes after the shop's midnight) on every day that is neither
    one of ``closed_weekdays`` (0 Monday … 6 Sunday) nor one of ``holidays``."""

    opens: int
    closes: int
    closed_weekdays: frozenset[int] = frozenset()
    holidays: tuple[dt.date, ...] = ()  # kept sorted, without the ones on a closed weekday (counted once)
    _holiday_set: frozenset[dt.date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.closed_weekdays <= set(range(7)) or len(self.closed_weekdays) == 7:
            raise ValueError(f"closed weekdays must be some of 0-6, not all, got {sorted(self.closed_weekdays)}")
        kept = sorted({day for day in self.holidays if day.weekday() not in self.closed_weekdays})
        object.__setattr__(self, "holidays", tuple(kept))
        object.__setattr__(self, "_holiday_set", frozenset(kept))

    @classmethod
    def parse(cls, text: str, *, closed_weekdays: Iterable[int] = (), holidays: Iterable[dt.date] = ()) -> TradingDay:
        """From ``"HH:MM-HH:MM"`` (ValueError naming the text, from :func:`pmv_protocol.calendar.parse_interval`)."""
        opens, closes = parse_interval(text)
        return cls(opens, closes, frozenset(closed_weekdays), tuple(holidays))

    @property
    def _day_micros(self) -> int:
        return (self.closes - self.opens) * _MICROS_PER_MINUTE

    def closed_on(self, day: dt.date) -> bool:
        return day.weekday() in self.closed_weekdays or day in self._holiday_set

    def _open_days_before(self, day: dt.date) -> int:
        """Open days from the origin up to ``day`` (excluded); negative before the origin."""
        days = (day - _ORIGIN).days
        weeks, rest = divmod(days, 7)
        first = _ORIGIN.weekday()
        closed = weeks * len(self.closed_weekdays) + sum(
            (first + offset) % 7 in self.closed_weekdays for offset in range(rest))
        return days - closed - bisect.bisect_left(self.holidays, day)

    def _position(self, moment: dt.datetime) -> int:
        """Trading microseconds from the origin's opening to ``moment``."""
        local = moment.astimezone(SHOP_TZ)
        before = self._open_days_before(local.date()) * self._day_micros
        if self.closed_on(local.date()):
            return before
        of_day = ((local.hour * 60 + local.minute) * 60 + local.second) * _MICROS_PER_SECOND + local.microsecond
        return before + min(max(of_day - self.opens * _MICROS_PER_MINUTE, 0), self._day_micros)

    def _open_day(self, index: int) -> dt.date:
        """The open day with ``index`` open days before it (counted from the origin)."""
        def after_it(offset: int) -> bool:  # the open days up to and including origin + offset exceed index
            return self._open_days_before(_ORIGIN + dt.timedelta(days=offset + 1)) > index

        open_per_week = 7 - len(self.closed_weekdays)
        guess = index * 7 // open_per_week
        low, high, step = guess, guess, 7
        while after_it(low):  # widen until after_it(low) is False and after_it(high) True
            low -= step
            step *= 2
        step = 7
        while not after_it(high):
            high += step
            step *= 2
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if after_it(middle) else (middle, high)
        return _ORIGIN + dt.timedelta(days=high)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Trading time from ``start`` to ``end`` (zero when ``end`` is not after ``start``)."""
        micros = self._position(end) - self._position(start)
        return dt.timedelta(microseconds=max(micros, 0))

    def after(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The first moment by which ``duration`` (> 0) of trading time has passed since ``start`` (shop time).

        When the time runs out exactly at a closing, that closing is the moment (not the next opening)."""
        if duration <= dt.timedelta(0):
            raise ValueError(f"duration must be above zero, got {duration}")
        target = self._position(start) + duration // dt.timedelta(microseconds=1)
        days, rest = divmod(target, self._day_micros)
        if rest == 0:
            days, rest = days - 1, self._day_micros
        midnight = dt.datetime.combine(self._open_day(days), dt.time(), tzinfo=SHOP_TZ)
        return midnight + dt.timedelta(minutes=self.opens, microseconds=rest)

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(SHOP_TZ)
        return not self.closed_on(local.date()) and within_interval((self.opens, self.closes), local)


def trading_day(settings: FleetSettings, calendar: WorkingCalendar | None = None) -> TradingDay:
    """The fleet's trading day: ``[fleet] trading_hours`` and ``closed_weekdays``, closed on the public days off of
    ``calendar`` (the server's published calendar; None: the default calendar, Vietnam's public holidays)."""
    return _trading_day(settings.trading_hours, settings.closed_weekdays, calendar or WorkingCalendar.default())


@functools.lru_cache(maxsize=16)
def _trading_day(hours: str, closed_weekdays: frozenset[int], calendar: WorkingCalendar) -> TradingDay:
    # Built once per calendar (the server's changes only when it publishes a calendar pack): every heartbeat and
    # every shop of the fleet view asks for it.
    return TradingDay.parse(hours, closed_weekdays=closed_weekdays, holidays=public_days_off(calendar))
