"""The vendor's working calendar for one year, as a signed pack (kind ``calendar``).

The ``holidays`` package only estimates Vietnam's days off: the government
decides each year's swaps late (02/01/2026 off, made up on Saturday
10/01/2026, decided on 25/12/2025), the package applies public-sector rules
this vendor does not follow (it works Saturday mornings, so 01/05/2027, a
Saturday, is not moved to Monday 03/05), and it lists days no enacted law
has made days off.  So the vendor publishes its own calendar, one pack per
year, through the same TUF repository as the regulation packs
(``calendar/vendor-calendar-<year>-<version>.json``), and both the app and
the vendor server count deadlines on it (:mod:`pmv_protocol.calendar`).

A pack (``resources/calendar/vendor-calendar-2027.json``)::

    {"id": "vendor-calendar-2027", "version": "1.0.0", "year": 2027,
     "title_vi": "...", "published_at": "2026-12-12T09:00:00+07:00",
     "weekly_hours": {"monday": ["08:00-12:00", "13:30-17:30"], ..., "sunday": []},
     "days_off": [{"date": "2027-01-01", "name_vi": "Tết Dương lịch"}, ...],
     "make_up_days": [{"date": "...", "name_vi": "...", "hours": ["08:00-12:00", "13:30-17:30"]}],
     "sources": ["what each date comes from"]}

Validation is strict, because a calendar that is read two ways moves every
deadline: unknown keys fail, the id is ``vendor-calendar-<year>``, every
date lies inside the year and appears once, a make-up day is a Saturday or
Sunday (a weekday is worked anyway), and no day is both off and made up.
It reuses the regulation packs' reading (one reading of the JSON, canonical
bytes stored) and their :class:`~pmv_protocol.packs.PackError`, so
:class:`~app.updates.install.PackStore` installs and rolls it back the same way.

Domain code only: errors carry field paths, never UI text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from pmv_protocol.calendar import WEEKDAYS, CalendarYear, Interval, parse_day_hours
from pmv_protocol.packs import VERSION_PATTERN, PackError, RuleChange, read_document, version_key

ID_PREFIX = "vendor-calendar-"
SATURDAY, SUNDAY = 5, 6


def calendar_pack_id(year: int) -> str:
    return f"{ID_PREFIX}{year}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DayOff(_Strict):
    date: dt.date
    name_vi: str = Field(min_length=1, max_length=200)


class MakeUpDay(DayOff):
    """A weekend day worked in place of a weekday given off (``hours``: that day's)."""

    hours: list[str] = Field(min_length=1)


class WeeklyHours(_Strict):
    # All seven named: a missing day must not silently mean "closed" or "default".
    monday: list[str]
    tuesday: list[str]
    wednesday: list[str]
    thursday: list[str]
    friday: list[str]
    saturday: list[str]
    sunday: list[str]


def _hours(texts: list[str], field: str) -> tuple[Interval, ...]:
    try:
        return parse_day_hours(texts, field)
    except ValueError as exc:
        raise PackError(field, str(exc)) from None


class CalendarPack(_Strict):
    id: str
    version: str = Field(pattern=VERSION_PATTERN)
    year: int = Field(ge=2000, le=2199)
    title_vi: str = Field(min_length=1, max_length=300)
    published_at: AwareDatetime
    weekly_hours: WeeklyHours
    days_off: list[DayOff]
    make_up_days: list[MakeUpDay] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarPack:
        if self.id != calendar_pack_id(self.year):
            raise PackError("id", f"must be '{calendar_pack_id(self.year)}' for year {self.year}")
        weekly = [_hours(getattr(self.weekly_hours, name), f"weekly_hours.{name}") for name in WEEKDAYS]
        if not any(weekly):
            raise PackError("weekly_hours", "no working hours on any weekday")
        seen: dict[dt.date, str] = {}
        dated: tuple[tuple[str, list[DayOff]], ...] = (
            ("days_off", self.days_off), ("make_up_days", list(self.make_up_days)))
        for list_name, entries in dated:
            for index, entry in enumerate(entries):
                where = f"{list_name}[{index}].date"
                if entry.date.year != self.year:
                    raise PackError(where, f"{entry.date.isoformat()} is not in {self.year}")
                if entry.date in seen:
                    raise PackError(where, f"{entry.date.isoformat()} is already in {seen[entry.date]}")
                seen[entry.date] = where
        for index, made_up in enumerate(self.make_up_days):
            if made_up.date.weekday() not in (SATURDAY, SUNDAY):
                raise PackError(f"make_up_days[{index}].date",
                                f"{made_up.date.isoformat()} is a weekday; a make-up day is a Saturday or Sunday")
            _hours(made_up.hours, f"make_up_days[{index}].hours")
        return self

    # What PackStore reads from every pack kind.
    @property
    def effective_date(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    def to_year(self) -> CalendarYear:
        """The form :class:`~pmv_protocol.calendar.WorkingCalendar` counts on."""
        return CalendarYear(
            year=self.year,
            weekly=tuple(parse_day_hours(getattr(self.weekly_hours, name), name) for name in WEEKDAYS),
            days_off=frozenset(entry.date for entry in self.days_off),
            make_up=tuple((entry.date, parse_day_hours(entry.hours, entry.date.isoformat()))
                          for entry in self.make_up_days),
            version=self.version,
            published_at=self.published_at,
        )


def read_calendar_pack(data: bytes) -> tuple[CalendarPack, bytes]:
    """Parse and validate one calendar pack; returns it with the canonical bytes to store.

    :class:`~pmv_protocol.packs.PackError` names the first failing field.
    """
    return read_document(data, CalendarPack)


def load_calendar_pack(data: bytes) -> CalendarPack:
    return read_calendar_pack(data)[0]


def no_rule_changes(old: Any, new: Any) -> list[RuleChange]:
    """A calendar has no rules to compare; the store's 'what changed' is empty for it."""
    return []


# packs folder -> (what its ``current`` pointers looked like, the years read then).  The app asks for its calendar
# on the GUI thread (the request form's hints); a few stats then replace reading and validating every pack.
_YEARS_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], list[CalendarYear]]] = {}


def _pointers(packs_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Each pack's ``current`` pointer as (id, inode, mtime): every switch replaces the file (new inode)."""
    found = []
    try:
        folders = sorted(packs_dir.iterdir())
    except OSError:
        return ()
    for folder in folders:
        try:
            stat = (folder / "current").stat()
        except OSError:
            continue
        found.append((folder.name, stat.st_ino, stat.st_mtime_ns))
    return tuple(found)


def installed_years(store: Any) -> list[CalendarYear]:
    """The vendor's calendar years a store holds (its current version of each), for
    :meth:`~pmv_protocol.calendar.WorkingCalendar.with_years`."""
    packs_dir = Path(store.packs_dir)
    stamp = _pointers(packs_dir)
    cached = _YEARS_CACHE.get(packs_dir)
    if cached is not None and cached[0] == stamp:
        return list(cached[1])
    years = [pack.to_year() for pack in store.current_packs() if isinstance(pack, CalendarPack)]
    _YEARS_CACHE[packs_dir] = (stamp, years)
    return list(years)
