"""The vendor's working calendar: when the support desk counts response time.

Response deadlines (DESIGN.md, "Domain rules") run in *working* time only, so
the SLA clock needs to know, for any instant, whether the vendor is open and
when it next opens.  The calendar is:

* weekly hours, per weekday (default Mon–Fri 08:00–12:00 and 13:30–17:30,
  Sat 08:00–12:00, Sun closed), as wall-clock times in the vendor's zone;
* the vendor's time zone (default Asia/Ho_Chi_Minh), because shops and
  servers may hand us instants in any zone;
* for a year the vendor has published a calendar pack for (kind
  ``calendar``, signed, over TUF; :mod:`pmv_protocol.calendar_pack`), that
  pack's days off, make-up working days and weekly hours: the vendor's own
  calendar is the truth, because the government decides each year's swaps
  late and the vendor works Saturday mornings (a holiday on a Saturday is
  not moved to Monday for it);
* for a year without a pack, Vietnamese public holidays from the
  ``holidays`` package (country ``VN``, observed and swapped days as the
  package publishes them).  That is an *estimate*: the package applies the
  public-sector rules, lists days no enacted law has made days off yet, and
  its answers change with its version (pyproject.toml pins a tested range).
  :meth:`WorkingCalendar.source_for` says which of the two is in force;
* vendor-declared extra days off from the settings (company trip,
  year-end party ...), closed on top of either.

Intervals are kept as minutes after local midnight (``24:00`` allowed as an
end) so "open until midnight" is expressible; durations are measured in UTC so
a zone with daylight saving would still count real elapsed time.

The holiday set for a year is computed once per (country, year) and shared by
every calendar: the app computes many deadlines, and building a ``holidays``
object is far slower than a set lookup.  Vietnam's years are read from a table
of the package's own answers (:mod:`pmv_protocol.holiday_table`), so the package
itself is imported only for a year outside it.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmv_protocol.holiday_table import stored_holidays
from pmv_protocol.shop_time import SHOP_TZ_NAME

DEFAULT_TZ = SHOP_TZ_NAME  # the vendor sits in the shops' zone unless its config says otherwise
HOLIDAY_COUNTRY = "VN"
WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
DEFAULT_HOURS: Mapping[str, tuple[str, ...]] = {
    "monday": ("08:00-12:00", "13:30-17:30"),
    "tuesday": ("08:00-12:00", "13:30-17:30"),
    "wednesday": ("08:00-12:00", "13:30-17:30"),
    "thursday": ("08:00-12:00", "13:30-17:30"),
    "friday": ("08:00-12:00", "13:30-17:30"),
    "saturday": ("08:00-12:00",),
    "sunday": (),
}
MINUTES_PER_DAY = 24 * 60
# How far ahead next_opening looks before concluding the calendar never opens
# (e.g. every weekday emptied, or years of declared days off).
SEARCH_HORIZON_DAYS = 3 * 366

Interval = tuple[int, int]  # (start, end) in minutes after local midnight, start < end
_INTERVAL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@functools.lru_cache(maxsize=64)
def public_holidays(year: int, country: str = HOLIDAY_COUNTRY) -> frozenset[dt.date]:
    """Public holidays (observed and swapped days off included) of one year.

    Cached per (year, country), and a frozenset makes each later lookup O(1).
    Vietnam's years 2000–2060 come from :mod:`pmv_protocol.holiday_table` (the
    package's own answers, stored); only another year or country imports the
    package, which loads every country's rules.
    """
    stored = stored_holidays(year, country)
    if stored is not None:
        return stored
    import holidays  # noqa: PLC0415  (~17 MiB: only for a year the table does not hold)

    return frozenset(holidays.country_holidays(country, years=year).keys())


def weekday_index(name: str) -> int:
    """Map 'monday' / 'Mon' / 'MONDAY' to 0..6 so config files can be lenient."""
    key = str(name).strip().lower()
    for index, full in enumerate(WEEKDAYS):
        if key in (full, full[:3]):
            return index
    raise ValueError(f"unknown weekday {name!r}: expected one of {', '.join(WEEKDAYS)}")


def parse_interval(text: str) -> Interval:
    """Parse ``"HH:MM-HH:MM"``; ``24:00`` is allowed as an end (midnight).

    Raises ValueError naming the text, because these strings come from a
    settings file that a person edited by hand.
    """
    match = _INTERVAL_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"bad working-hours interval {text!r}: expected 'HH:MM-HH:MM', e.g. '08:00-12:00'")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    for hour, minute, may_be_24 in ((h1, m1, False), (h2, m2, True)):
        if minute > 59 or hour > 24 or (hour == 24 and (minute or not may_be_24)):
            raise ValueError(f"bad time of day in working-hours interval {text!r}")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(f"working-hours interval {text!r} ends before (or when) it starts")
    return start, end


def within_interval(interval: Interval, local: dt.time | dt.datetime) -> bool:
    """Whether the wall-clock minute of ``local`` is in ``interval``: from its start, up to but not at its end."""
    start, end = interval
    return start <= local.hour * 60 + local.minute < end


def in_hours(text: str, local: dt.datetime) -> bool:
    """Whether ``local`` (shop time) is within ``"HH:MM-HH:MM"``, e.g. the shop's ``[health] trading_hours``."""
    return within_interval(parse_interval(text), local)


def _normalise_day(intervals: Iterable[Interval], label: str) -> tuple[Interval, ...]:
    """Sort, reject overlaps, merge touching intervals (12:00 end + 12:00 start)."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"{label}: interval {_fmt((start, end))} is not within one day")
        if merged and start < merged[-1][1]:
            raise ValueError(f"{label}: working-hours intervals {_fmt(merged[-1])} and {_fmt((start, end))} overlap")
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_day_hours(texts: Sequence[str], label: str) -> tuple[Interval, ...]:
    """One day's ``["HH:MM-HH:MM", ...]`` as sorted, merged intervals; ValueError names ``label``."""
    if isinstance(texts, str):
        raise ValueError(f"{label}: hours must be a list of 'HH:MM-HH:MM', not one string")
    return _normalise_day((parse_interval(t) for t in texts), label)


def _fmt(interval: Interval) -> str:
    (h1, m1), (h2, m2) = divmod(interval[0], 60), divmod(interval[1], 60)
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def _parse_day_off(value: dt.date | str) -> dt.date:
    """Accept a date (TOML gives real dates) or ISO text; reject datetimes."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"extra day off must be a date, not a datetime: {value!r}")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"bad extra day off {value!r}: expected a date 'YYYY-MM-DD'") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}") from None


class CalendarSourceKind(enum.StrEnum):
    VENDOR = "vendor"  # the vendor's signed calendar pack for the year
    ESTIMATE = "estimate"  # no pack for the year: the holidays package's public-sector estimate


@dataclass(frozen=True)
class CalendarSource:
    """Which calendar decides a year's working days (the UI words it)."""

    year: int
    kind: CalendarSourceKind
    version: str | None = None  # the pack's version (VENDOR only)
    published_at: dt.datetime | None = None  # when the vendor published it (VENDOR only)

    @property
    def is_estimate(self) -> bool:
        return self.kind is CalendarSourceKind.ESTIMATE


@dataclass(frozen=True)
class CalendarYear:
    """One year of the vendor's published calendar, already validated
    (:func:`pmv_protocol.calendar_pack.read_calendar_pack` builds it).

    ``make_up`` pairs a worked weekend day with its hours; ``weekly`` replaces
    the configured weekly hours for the whole year.
    """

    year: int
    weekly: tuple[tuple[Interval, ...], ...]
    days_off: frozenset[dt.date]
    make_up: tuple[tuple[dt.date, tuple[Interval, ...]], ...]
    version: str
    published_at: dt.datetime

    def hours_on(self, day: dt.date) -> tuple[Interval, ...]:
        for made_up, hours in self.make_up:
            if made_up == day:
                return hours
        if day in self.days_off:
            return ()
        return self.weekly[day.weekday()]


@dataclass(frozen=True)
class WorkingCalendar:
    """When the vendor's support desk is open.

    Immutable and hashable so one instance can be shared across threads (the
    background agent and the UI both compute deadlines).  Build it with
    :meth:`default` or :meth:`from_config`; the raw constructor takes
    already-parsed minutes and is validated too.
    """

    weekly: tuple[tuple[Interval, ...], ...]  # 7 entries, Monday first
    tz: ZoneInfo = ZoneInfo(DEFAULT_TZ)
    extra_days_off: frozenset[dt.date] = frozenset()
    holiday_country: str | None = HOLIDAY_COUNTRY  # None: no public holidays (tests, other markets)
    years: tuple[CalendarYear, ...] = ()  # the vendor's calendar packs; a year here ignores the package
    _by_year: Mapping[int, CalendarYear] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError(f"weekly hours need 7 days (Monday first), got {len(self.weekly)}")
        normalised = tuple(_normalise_day(day, WEEKDAYS[i]) for i, day in enumerate(self.weekly))
        if not any(normalised):
            raise ValueError("the working calendar has no working hours on any weekday")
        object.__setattr__(self, "weekly", normalised)
        object.__setattr__(self, "extra_days_off", frozenset(self.extra_days_off))
        by_year: dict[int, CalendarYear] = {}
        for year in self.years:
            if year.year in by_year:
                raise ValueError(f"two calendar packs for {year.year}")
            by_year[year.year] = year
        object.__setattr__(self, "years", tuple(sorted(self.years, key=lambda y: y.year)))
        object.__setattr__(self, "_by_year", by_year)

    # -- construction -------------------------------------------------------

    @classmethod
    def default(cls) -> WorkingCalendar:
        """The calendar DESIGN.md describes (shared instance; it is immutable)."""
        return _DEFAULT

    @classmethod
    def from_config(
        cls,
        *,
        hours: Mapping[str, Sequence[str]] | None = None,
        extra_days_off: Iterable[dt.date | str] = (),
        tz: str = DEFAULT_TZ,
        holiday_country: str | None = HOLIDAY_COUNTRY,
        years: Iterable[CalendarYear] = (),
    ) -> WorkingCalendar:
        """The default calendar with the vendor's overrides applied.

        ``hours`` maps weekday names ('monday' or 'mon', any case) to lists of
        ``"HH:MM-HH:MM"``; weekdays not named keep their default hours and an
        empty list closes that weekday.  Malformed input raises ValueError
        with a message fit for a log line.
        """
        weekly = [tuple(parse_interval(text) for text in DEFAULT_HOURS[name]) for name in WEEKDAYS]
        for name, texts in (hours or {}).items():
            index = weekday_index(name)
            if isinstance(texts, str):
                raise ValueError(f"{WEEKDAYS[index]}: hours must be a list of 'HH:MM-HH:MM', not one string")
            weekly[index] = _normalise_day((parse_interval(t) for t in texts), WEEKDAYS[index])
        days_off = frozenset(_parse_day_off(day) for day in extra_days_off)
        return cls(tuple(weekly), _zone(tz), days_off, holiday_country, tuple(years))

    def with_years(self, years: Iterable[CalendarYear]) -> WorkingCalendar:
        """This calendar with the vendor's published years (replacing any it had)."""
        return replace(self, years=tuple(years))

    # -- queries ------------------------------------------------------------

    def localize(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` in the calendar's zone; naive datetimes are refused
        because guessing their zone would silently shift deadlines."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware, got naive {moment.isoformat()}")
        return moment.astimezone(self.tz)

    def source_for(self, year: int) -> CalendarSource:
        """The vendor's pack for ``year`` if one is installed, else the estimate."""
        published = self._by_year.get(year)
        if published is None:
            return CalendarSource(year, CalendarSourceKind.ESTIMATE)
        return CalendarSource(year, CalendarSourceKind.VENDOR, published.version, published.published_at)

    def is_holiday(self, day: dt.date) -> bool:
        """A day off: in the vendor's pack for its year (else a public holiday per the
        ``holidays`` package), or a vendor day off from the settings."""
        day = self._as_date(day)
        if day in self.extra_days_off:
            return True
        published = self._by_year.get(day.year)
        if published is not None:
            return day in published.days_off
        return self.holiday_country is not None and day in public_holidays(day.year, self.holiday_country)

    def is_working_day(self, day: dt.date) -> bool:
        """Has working hours that day: its weekday's, or a make-up day's, and is not a day off."""
        return bool(self._hours_on(self._as_date(day)))

    def _hours_on(self, day: dt.date) -> tuple[Interval, ...]:
        if day in self.extra_days_off:
            return ()
        published = self._by_year.get(day.year)
        if published is not None:
            return published.hours_on(day)
        if self.holiday_country is not None and day in public_holidays(day.year, self.holiday_country):
            return ()
        return self.weekly[day.weekday()]

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's open intervals as aware datetimes in the calendar's zone
        (empty on closed days)."""
        day = self._as_date(day)
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
        # Wall-clock arithmetic on purpose: "08:00" means 08:00 local.
        return [
            (midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=end))
            for start, end in self._hours_on(day)
        ]

    def is_open(self, moment: dt.datetime) -> bool:
        """Open at ``moment``: intervals are half-open, so the closing instant
        (12:00, 17:30) is already closed and the opening instant is open."""
        local = self.localize(moment)
        return any(start <= local < end for start, end in self.intervals_on(local.date()))

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` itself (in the calendar's zone) if open, else the start
        of the next working interval."""
        for start, _end in self._intervals_from(moment):
            return max(start, self.localize(moment))
        raise ValueError(f"no working time within {SEARCH_HORIZON_DAYS} days of {moment.isoformat()}")

    def add_working_time(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant when ``duration`` of working time after ``start`` has run.

        Counting begins at :meth:`next_opening` (a request opened at night
        starts at 08:00).  A result that lands exactly on a closing time stays
        there instead of rolling to the next opening, as DESIGN.md requires.
        """
        if duration < dt.timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        remaining = duration
        cursor = self.localize(start).astimezone(dt.UTC)
        for open_at, close_at in self._intervals_from(start):
            open_utc, close_utc = open_at.astimezone(dt.UTC), close_at.astimezone(dt.UTC)
            cursor = max(cursor, open_utc)
            available = close_utc - cursor  # UTC difference: real elapsed time
            if remaining <= available:
                return (cursor + remaining).astimezone(self.tz)
            remaining -= available
        raise ValueError(f"no working time within {SEARCH_HORIZON_DAYS} days of {start.isoformat()}")

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """The working time from ``start`` to ``end``; negative when ``end`` comes first.

        The inverse of :meth:`add_working_time` (``working_time_between(s, add_working_time(s, d)) == d``):
        the staff console's queue counts each deadline's time left, or how far past it is, with it.
        """
        if end < start:
            return -self.working_time_between(end, start)
        total = dt.timedelta(0)
        start_utc, end_utc = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        for open_at, close_at in self._intervals_from(start):
            open_utc, close_utc = open_at.astimezone(dt.UTC), close_at.astimezone(dt.UTC)
            if open_utc >= end_utc:
                break
            total += min(close_utc, end_utc) - max(open_utc, start_utc)
        return total

    # -- internals ----------------------------------------------------------

    def _intervals_from(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Working intervals that end after ``moment``, in order, bounded by
        the search horizon so a calendar that never opens cannot hang."""
        local = self.localize(moment)
        day = local.date()
        for _ in range(SEARCH_HORIZON_DAYS):
            for start, end in self.intervals_on(day):
                if end.astimezone(dt.UTC) > local.astimezone(dt.UTC):
                    yield start, end
            day += dt.timedelta(days=1)

    def _as_date(self, day: dt.date) -> dt.date:
        """Accept an aware datetime as 'its local day'; a bare date as is.

        A datetime would otherwise never match the date sets (datetime and
        date never compare equal), silently ignoring every holiday.
        """
        if isinstance(day, dt.datetime):
            return self.localize(day).date()
        return day


_DEFAULT = WorkingCalendar.from_config()
