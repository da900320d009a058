"""The vendor's working calendar: hours, holidays, overrides and validation."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from pmv_protocol import calendar as calendar_module
from pmv_protocol import holiday_table
from pmv_protocol.calendar import WorkingCalendar, in_hours, parse_interval, public_holidays, within_interval
from pmv_protocol.holiday_table import FIRST_YEAR, LAST_YEAR, stored_holidays

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[3]


def vn(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


def days(start: dt.date, end: dt.date) -> set[dt.date]:
    return {start + dt.timedelta(n) for n in range((end - start).days + 1)}


# -- holiday facts the SLA tests rely on (an alarm if the package changes them) --

def test_tet_2027_closes_thursday_to_wednesday() -> None:
    # Lunar New Year 2027 is Sat 06/02; the package moves Tết days that fall on the
    # weekend to 29 Tết (Thu 04/02) and mùng 5 (Wed 10/02).
    cal = WorkingCalendar.default()
    tet = days(dt.date(2027, 2, 4), dt.date(2027, 2, 10))
    assert tet <= public_holidays(2027)
    assert not any(cal.is_working_day(d) for d in tet)
    assert cal.is_working_day(dt.date(2027, 2, 3))
    assert cal.is_working_day(dt.date(2027, 2, 11))


def test_tet_2026_and_national_day_substitutes() -> None:
    h2026 = public_holidays(2026)
    assert days(dt.date(2026, 2, 16), dt.date(2026, 2, 20)) <= h2026  # giao thừa .. mùng 4
    assert dt.date(2026, 2, 14) not in h2026  # a plain Saturday: the vendor works that morning
    # 2/9/2026: Tue 1/9 + Wed 2/9, plus Mon 31/8 swapped for Sat 22/8.
    assert {dt.date(2026, 8, 31), dt.date(2026, 9, 1), dt.date(2026, 9, 2)} <= h2026
    assert dt.date(2026, 4, 27) in h2026  # Hùng Kings on Sunday 26/4, observed Monday


# -- days and intervals --

def test_default_week() -> None:
    cal = WorkingCalendar.default()
    assert cal.intervals_on(dt.date(2026, 3, 10)) == [
        (vn(2026, 3, 10, 8), vn(2026, 3, 10, 12)),
        (vn(2026, 3, 10, 13, 30), vn(2026, 3, 10, 17, 30)),
    ]
    assert cal.intervals_on(dt.date(2026, 3, 14)) == [(vn(2026, 3, 14, 8), vn(2026, 3, 14, 12))]
    assert cal.intervals_on(dt.date(2026, 3, 15)) == []  # Sunday
    assert cal.intervals_on(dt.date(2026, 9, 2)) == []  # National Day
    start, _ = cal.intervals_on(dt.date(2026, 3, 10))[0]
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=7)


def test_aware_datetime_counts_as_its_local_day() -> None:
    cal = WorkingCalendar.default()
    # 17:30 UTC on 2/9 is already 00:30 on Thu 3/9 in Vietnam: a working day.
    assert cal.is_working_day(dt.datetime(2026, 9, 2, 17, 30, tzinfo=dt.UTC))
    assert not cal.is_working_day(dt.date(2026, 9, 2))


@pytest.mark.parametrize(("moment", "is_open"), [
    (vn(2026, 3, 10, 7, 59), False),
    (vn(2026, 3, 10, 8), True),  # opening instant is open
    (vn(2026, 3, 10, 11, 59), True),
    (vn(2026, 3, 10, 12), False),  # closing instant is closed
    (vn(2026, 3, 10, 13, 30), True),
    (vn(2026, 3, 10, 17, 30), False),
    (vn(2026, 3, 14, 9), True),  # Saturday morning
    (vn(2026, 3, 14, 14), False),
    (vn(2027, 2, 8, 9), False),  # Tết
])
def test_is_open_boundaries(moment: dt.datetime, is_open: bool) -> None:
    assert WorkingCalendar.default().is_open(moment) is is_open


def test_next_opening() -> None:
    cal = WorkingCalendar.default()
    assert cal.next_opening(vn(2026, 3, 10, 9, 17)) == vn(2026, 3, 10, 9, 17)  # open: itself
    assert cal.next_opening(vn(2026, 3, 10, 12)) == vn(2026, 3, 10, 13, 30)
    assert cal.next_opening(vn(2026, 3, 10, 20)) == vn(2026, 3, 11, 8)
    # On a holiday: Wed 2/9/2026 10:00 -> Thu 3/9 08:00.
    assert cal.next_opening(vn(2026, 9, 2, 10)) == vn(2026, 9, 3, 8)
    # Saturday afternoon before the 2/9 break: Sun, Mon 31/8, Tue 1/9, Wed 2/9 closed.
    assert cal.next_opening(vn(2026, 8, 29, 12)) == vn(2026, 9, 3, 8)
    # Answer is in Vietnamese time even for a UTC question.
    answer = cal.next_opening(dt.datetime(2026, 3, 10, 13, tzinfo=dt.UTC))  # 20:00 ICT
    assert answer == vn(2026, 3, 11, 8) and answer.utcoffset() == dt.timedelta(hours=7)


def test_add_working_time_edges() -> None:
    cal = WorkingCalendar.default()
    # Zero duration from the evening: the clock starts at the next opening.
    assert cal.add_working_time(vn(2026, 3, 10, 20), dt.timedelta(0)) == vn(2026, 3, 11, 8)
    # 10 h from Mon 08:00: 8 h Mon, 2 h Tue -> Tue 10:00.
    assert cal.add_working_time(vn(2026, 3, 9, 8), dt.timedelta(hours=10)) == vn(2026, 3, 10, 10)
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_time(vn(2026, 3, 9, 8), dt.timedelta(minutes=-1))
    with pytest.raises(ValueError, match="aware"):
        cal.add_working_time(dt.datetime(2026, 3, 9, 8), dt.timedelta(hours=1))
    with pytest.raises(ValueError, match="aware"):
        cal.is_open(dt.datetime(2026, 3, 9, 8))


# -- overrides --

@pytest.mark.parametrize(("start", "end", "hours"), [
    # Worked by hand on the default week (Mon–Fri 08:00–12:00 and 13:30–17:30, Saturday 08:00–12:00).
    (vn(2026, 3, 10, 9), vn(2026, 3, 10, 11), 2.0),  # inside one morning
    (vn(2026, 3, 10, 11), vn(2026, 3, 10, 14, 30), 2.0),  # across the lunch break: 11–12, 13:30–14:30
    (vn(2026, 3, 13, 16, 30), vn(2026, 3, 16, 9), 6.0),  # Fri 1 h, Saturday morning 4 h, Mon 1 h
    (vn(2026, 3, 10, 20), vn(2026, 3, 11, 8), 0.0),  # a night: nothing
    (vn(2026, 3, 16, 9), vn(2026, 3, 13, 16, 30), -6.0),  # a deadline already past: negative
])
def test_working_time_between(start: dt.datetime, end: dt.datetime, hours: float) -> None:
    assert WorkingCalendar.default().working_time_between(start, end) == dt.timedelta(hours=hours)


def test_working_time_between_undoes_add_working_time() -> None:
    cal = WorkingCalendar.default()
    start = vn(2026, 3, 10, 9, 15)
    for minutes in (0, 45, 165, 240, 480, 3000):
        end = cal.add_working_time(start, dt.timedelta(minutes=minutes))
        assert cal.working_time_between(start, end) == dt.timedelta(minutes=minutes)


def test_custom_hours_override() -> None:
    cal = WorkingCalendar.from_config(
        hours={"Sat": [], "sunday": ["09:00-11:00"], "MONDAY": ["07:00-12:00", "12:00-16:00"]},
        extra_days_off=["2026-03-17"],
    )
    assert not cal.is_working_day(dt.date(2026, 3, 14))  # Saturday closed now
    assert cal.intervals_on(dt.date(2026, 3, 15)) == [(vn(2026, 3, 15, 9), vn(2026, 3, 15, 11))]
    # Touching intervals merge: no phantom closing at 12:00.
    assert cal.intervals_on(dt.date(2026, 3, 16)) == [(vn(2026, 3, 16, 7), vn(2026, 3, 16, 16))]
    assert not cal.is_working_day(dt.date(2026, 3, 17))  # vendor day off
    assert len(cal.intervals_on(dt.date(2026, 3, 18))) == 2  # Wednesday keeps the defaults
    assert cal.is_working_day(dt.date(2026, 3, 18)) and not cal.is_working_day(dt.date(2026, 9, 2))


def test_other_zone_and_midnight_end() -> None:
    # Open all day in Berlin, no public holidays. DST starts Sun 29/03/2026 at 02:00
    # (clocks jump to 03:00): 3 h of real time from 01:00 CET ends at 05:00 CEST.
    cal = WorkingCalendar.from_config(
        hours={name: ["00:00-24:00"] for name in calendar_module.WEEKDAYS},
        tz="Europe/Berlin", holiday_country=None,
    )
    berlin = ZoneInfo("Europe/Berlin")
    due = cal.add_working_time(dt.datetime(2026, 3, 29, 1, tzinfo=berlin), dt.timedelta(hours=3))
    assert due == dt.datetime(2026, 3, 29, 5, tzinfo=berlin)
    # Through midnight: 30 h from Mon 10:00 -> Tue 16:00.
    start = dt.datetime(2026, 3, 9, 10, tzinfo=berlin)
    assert cal.add_working_time(start, dt.timedelta(hours=30)) == dt.datetime(2026, 3, 10, 16, tzinfo=berlin)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"hours": {"monday": ["8-12"]}}, r"'8-12'.*HH:MM-HH:MM"),
    ({"hours": {"monday": ["08:00 to 12:00"]}}, "HH:MM-HH:MM"),
    ({"hours": {"monday": ["25:00-26:00"]}}, "bad time of day"),
    ({"hours": {"monday": ["08:60-12:00"]}}, "bad time of day"),
    ({"hours": {"monday": ["24:00-24:00"]}}, "bad time of day"),
    ({"hours": {"monday": ["12:00-08:00"]}}, "ends before"),
    ({"hours": {"monday": ["08:00-08:00"]}}, "ends before"),
    ({"hours": {"monday": ["08:00-12:00", "11:00-13:00"]}}, r"monday.*08:00-12:00.*11:00-13:00.*overlap"),
    ({"hours": {"funday": ["08:00-12:00"]}}, "unknown weekday 'funday'"),
    ({"hours": {"monday": "08:00-12:00"}}, "list"),
    ({"hours": {name: [] for name in calendar_module.WEEKDAYS}}, "no working hours"),
    ({"tz": "Asia/Saigon City"}, "unknown time zone"),
    ({"extra_days_off": ["30/04/2026"]}, "YYYY-MM-DD"),
    ({"extra_days_off": [dt.datetime(2026, 4, 30)]}, "not a datetime"),
])
def test_malformed_config_is_rejected_clearly(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar.from_config(**kwargs)


def test_raw_constructor_validates_too() -> None:
    with pytest.raises(ValueError, match="7 days"):
        WorkingCalendar(weekly=((),) * 6)
    with pytest.raises(ValueError, match="overlap"):
        WorkingCalendar(weekly=(((480, 720), (600, 800)),) + ((),) * 6)


def test_calendar_is_immutable_and_comparable() -> None:
    a = WorkingCalendar.from_config(extra_days_off=[dt.date(2026, 3, 16)])
    b = WorkingCalendar.from_config(extra_days_off=["2026-03-16"])
    assert a == b and hash(a) == hash(b)
    assert a != WorkingCalendar.default()
    with pytest.raises(AttributeError):
        a.tz = ZoneInfo("UTC")  # type: ignore[misc]


def test_holidays_outside_the_table_are_built_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    public_holidays.cache_clear()
    monkeypatch.setattr(holidays, "country_holidays", counting)
    try:
        cal = WorkingCalendar.default()
        for n in range(300):  # a year of deadline questions, in a year the table does not hold
            cal.is_working_day(dt.date(LAST_YEAR + 5, 1, 1) + dt.timedelta(n))
        for n in range(300):  # and in one it holds: the package is not asked
            cal.is_working_day(dt.date(2026, 1, 1) + dt.timedelta(n))
        assert calls == [LAST_YEAR + 5]
    finally:
        public_holidays.cache_clear()


# -- the table of the package's answers (pmv_protocol.holiday_table) --
# The source of truth is the pinned holidays package itself: the table must say what it says, year by year.

def test_the_table_holds_the_package_s_answers_for_every_year_it_stores() -> None:
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        expected = frozenset(holidays.country_holidays("VN", years=year).keys())
        assert stored_holidays(year, "VN") == expected, year
    assert stored_holidays(FIRST_YEAR - 1, "VN") is None
    assert stored_holidays(LAST_YEAR + 1, "VN") is None
    assert stored_holidays(2026, "TH") is None


def test_a_year_the_table_holds_never_imports_the_package() -> None:
    code = ("import datetime as dt, sys\n"
            "from pmv_protocol.calendar import WorkingCalendar\n"
            "cal = WorkingCalendar.default()\n"
            "open_days = sum(cal.is_working_day(dt.date(2026, 1, 1) + dt.timedelta(n)) for n in range(365))\n"
            "print(open_days, 'holidays' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    open_days, imported = result.stdout.split()
    assert imported == "False"
    assert int(open_days) == 365 - 52 - len(public_holidays(2026) - _sundays(2026))


def test_a_damaged_table_falls_back_to_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    damaged = tmp_path / "vn_public_holidays.json"
    damaged.write_text('{"years": {"2026": ["26/04/2026"]}}', encoding="utf-8")
    monkeypatch.setattr(holiday_table, "TABLE_PATH", damaged)
    holiday_table._table.cache_clear()
    public_holidays.cache_clear()
    try:
        assert stored_holidays(2026, "VN") is None
        assert public_holidays(2026) == frozenset(holidays.country_holidays("VN", years=2026).keys())
    finally:
        holiday_table._table.cache_clear()
        public_holidays.cache_clear()


def _sundays(year: int) -> set[dt.date]:
    first = dt.date(year, 1, 1)
    return {first + dt.timedelta(n) for n in range(366)
            if (first + dt.timedelta(n)).year == year and (first + dt.timedelta(n)).weekday() == 6}


# -- the vendor's calendar packs win over the package; without one, the package's estimate --
# Facts and their sources: tests/unit/support/test_calendar_pack.py's docstring (Labour Code 2019 arts. 111-112,
# Official Dispatch 12729/VPCP-KGVX of 25/12/2025 for the 02/01 -> 10/01/2026 swap).

def _vendor_years(*years: int) -> WorkingCalendar:
    from pathlib import Path

    from pmv_protocol.calendar_pack import load_calendar_pack

    folder = Path(__file__).resolve().parents[3] / "resources" / "calendar"
    packs = [load_calendar_pack((folder / f"vendor-calendar-{y}.json").read_bytes()) for y in years]
    return WorkingCalendar.default().with_years(pack.to_year() for pack in packs)


@pytest.mark.parametrize(("day", "package_says", "vendor_says"), [
    (dt.date(2026, 11, 24), False, True),  # the package closes 24/11; the vendor works
    (dt.date(2027, 5, 3), False, True),  # the package moves Sat 1/5/2027 to Monday; the vendor does not
    (dt.date(2026, 1, 2), True, False),  # the government's swap (12729/VPCP-KGVX), decided after the package
    (dt.date(2026, 1, 10), True, True),  # ... made up on Saturday 10/01 (the package: a plain Saturday)
    (dt.date(2026, 2, 14), True, False),  # Sat 27 Chạp: inside the government's Tết break 14-22/02/2026
    (dt.date(2027, 5, 1), False, False),  # both: Labour Day
])
def test_the_pack_decides_its_year(day: dt.date, package_says: bool, vendor_says: bool) -> None:
    assert WorkingCalendar.default().is_working_day(day) is package_says
    assert _vendor_years(2026, 2027).is_working_day(day) is vendor_says


def test_make_up_saturday_is_a_full_day() -> None:
    cal = _vendor_years(2026)
    assert cal.intervals_on(dt.date(2026, 1, 10)) == [
        (vn(2026, 1, 10, 8), vn(2026, 1, 10, 12)), (vn(2026, 1, 10, 13, 30), vn(2026, 1, 10, 17, 30))]


def test_a_year_without_a_pack_falls_back_and_is_an_estimate() -> None:
    from pmv_protocol.calendar import CalendarSourceKind

    cal = _vendor_years(2026)
    vendor = cal.source_for(2026)
    assert (vendor.kind, vendor.version, vendor.is_estimate) == (CalendarSourceKind.VENDOR, "1.0.0", False)
    assert vendor.published_at == dt.datetime(2025, 12, 26, 9, tzinfo=VN)
    estimate = cal.source_for(2027)
    assert (estimate.kind, estimate.version, estimate.published_at, estimate.is_estimate) == (
        CalendarSourceKind.ESTIMATE, None, None, True)
    # ... and 2027 is counted on the package: Monday 03/05/2027 closed, 24/11/2027 closed.
    assert not cal.is_working_day(dt.date(2027, 5, 3))
    assert not cal.is_working_day(dt.date(2027, 11, 24))
    assert WorkingCalendar.default().source_for(2026).is_estimate


def test_settings_days_off_still_close_a_pack_year() -> None:
    years = _vendor_years(2026).years
    cal = WorkingCalendar.from_config(extra_days_off=["2026-11-24"], years=years)
    assert not cal.is_working_day(dt.date(2026, 11, 24))
    assert cal.is_working_day(dt.date(2026, 11, 25))


def test_two_packs_for_one_year_are_refused() -> None:
    years = _vendor_years(2026).years
    with pytest.raises(ValueError, match="2026"):
        WorkingCalendar.default().with_years([*years, *years])



@pytest.mark.parametrize(("hours", "clock", "inside"), [
    ("08:00-20:00", dt.time(8, 0), True),  # open from the first minute
    ("08:00-20:00", dt.time(7, 59, 59), False),
    ("08:00-20:00", dt.time(19, 59, 59), True),
    ("08:00-20:00", dt.time(20, 0), False),  # closed at the closing minute: 20:00 is the end, not in the hours
    ("00:00-24:00", dt.time(23, 59, 59), True),  # "24:00" ends at midnight
    ("00:00-24:00", dt.time(0, 0), True),
])
def test_a_moment_is_within_its_hours_from_the_start_up_to_the_end(hours: str, clock: dt.time, inside: bool) -> None:
    assert within_interval(parse_interval(hours), clock) is inside
    assert in_hours(hours, dt.datetime.combine(dt.date(2026, 12, 7), clock, tzinfo=VN)) is inside
