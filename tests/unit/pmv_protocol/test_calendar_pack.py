"""The vendor's calendar pack: strict validation, its reading, and install/rollback through the pack store.

The shipped packs (resources/calendar/) are checked against the government's decisions, each case citing
where its fact comes from:

* Bộ luật Lao động 2019 (Labour Code), art. 112(1): Tết Dương lịch 1/1; Tết Âm lịch 5 days; 30/4; 1/5;
  Quốc khánh 2/9 plus one adjoining day; Giỗ Tổ Hùng Vương 10/3 lunar.  Art. 111(3): a holiday on the
  weekly day off gives a compensatory day on the next working day (the vendor's weekly day off is Sunday).
* Official Dispatch 12729/VPCP-KGVX of 25/12/2025 (Government Office, on the Ministry of Home Affairs'
  proposal): 01/01–04/01/2026 off, Friday 02/01/2026 swapped with Saturday 10/01/2026.
* The Ministry of Home Affairs' Tết 2026 plan, approved by the Prime Minister: 14/02/2026 (27 Chạp Ất Tỵ)
  to 22/02/2026 (mùng 6 Bính Ngọ), 9 days; mùng 1 Tết is 17/02/2026.
* Lunar calendar: mùng 1 Tết Đinh Mùi is Saturday 06/02/2027; 10/3 lunar is 26/04/2026 and 16/04/2027.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app.updates.install import PackStore, PackStoreError
from pmv_protocol.calendar_pack import (
    CalendarPack,
    installed_years,
    load_calendar_pack,
    no_rule_changes,
    read_calendar_pack,
)
from pmv_protocol.packs import PackError

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "calendar"
FULL_DAY = ["08:00-12:00", "13:30-17:30"]


def shipped(year: int) -> CalendarPack:
    return load_calendar_pack((RESOURCES / f"vendor-calendar-{year}.json").read_bytes())


def base(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "vendor-calendar-2026", "version": "1.0.0", "year": 2026, "title_vi": "Lịch làm việc 2026",
        "published_at": "2025-12-26T09:00:00+07:00",
        "weekly_hours": {"monday": FULL_DAY, "tuesday": FULL_DAY, "wednesday": FULL_DAY, "thursday": FULL_DAY,
                         "friday": FULL_DAY, "saturday": ["08:00-12:00"], "sunday": []},
        "days_off": [{"date": "2026-01-02", "name_vi": "Nghỉ hoán đổi"}],
        "make_up_days": [{"date": "2026-01-10", "name_vi": "Làm bù", "hours": FULL_DAY}],
    }
    doc.update(changes)
    return doc


def raw(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def test_a_valid_pack_reads_into_the_calendar_form() -> None:
    pack, stored = read_calendar_pack(raw(base()))
    year = pack.to_year()
    assert (pack.id, pack.year, pack.effective_date) == ("vendor-calendar-2026", 2026, dt.date(2026, 1, 1))
    assert year.days_off == frozenset({dt.date(2026, 1, 2)})
    assert year.hours_on(dt.date(2026, 1, 10)) == ((480, 720), (810, 1050))  # the make-up Saturday: a full day
    assert year.hours_on(dt.date(2026, 1, 17)) == ((480, 720),)  # a plain Saturday: the morning
    assert year.published_at == dt.datetime(2025, 12, 26, 2, tzinfo=dt.UTC)
    assert json.loads(stored) == base()  # what is stored is what was validated


def _without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    del doc[key]
    return doc


def _week(**days: list[str]) -> dict[str, list[str]]:
    week = copy.deepcopy(base()["weekly_hours"])
    week.update(days)
    return week


@pytest.mark.parametrize(("doc", "field"), [
    (base(holidays=[]), "holidays"),  # unknown key: a typo must never silently drop days off
    (base(days_off=[{"date": "2026-01-02", "name_vi": "x", "paid": True}]), "days_off[0].paid"),
    (base(id="vendor-calendar-2027"), "id"),  # one pack per year, named by it
    (base(id="lich-2026"), "id"),
    (base(days_off=[{"date": "2027-01-01", "name_vi": "Tết Dương lịch"}]), "days_off[0].date"),  # other year
    (base(make_up_days=[{"date": "2025-12-27", "name_vi": "x", "hours": FULL_DAY}]), "make_up_days[0].date"),
    (base(days_off=[{"date": "2026-01-10", "name_vi": "x"}]), "make_up_days[0].date"),  # both off and worked
    (base(days_off=[{"date": "2026-01-02", "name_vi": "a"}, {"date": "2026-01-02", "name_vi": "b"}]),
     "days_off[1].date"),
    (base(make_up_days=[{"date": "2026-01-09", "name_vi": "Friday", "hours": FULL_DAY}]),
     "make_up_days[0].date"),  # a weekday is worked anyway: a make-up day is a Saturday or Sunday
    (base(make_up_days=[{"date": "2026-01-10", "name_vi": "x", "hours": ["13:00-12:00"]}]),
     "make_up_days[0].hours"),
    (base(make_up_days=[{"date": "2026-01-10", "name_vi": "x", "hours": []}]), "make_up_days[0].hours"),
    (base(weekly_hours=_week(monday=["08:00-12:00", "11:00-13:00"])), "weekly_hours.monday"),  # overlap
    (base(weekly_hours={k: [] for k in base()["weekly_hours"]}), "weekly_hours"),  # never open
    (base(weekly_hours=_without(base()["weekly_hours"], "sunday")), "weekly_hours.sunday"),  # all 7 named
    (base(published_at="2025-12-26T09:00:00"), "published_at"),  # naive: which zone's 09:00?
    (base(version="1.0.0-final"), "version"),
    (base(year="2026"), "year"),  # strict: a number, not text
    (_without(base(), "days_off"), "days_off"),
])
def test_a_bad_pack_is_refused_naming_the_field(doc: dict[str, Any], field: str) -> None:
    with pytest.raises(PackError) as caught:
        read_calendar_pack(raw(doc))
    assert caught.value.field == field


def test_a_name_given_twice_is_refused() -> None:
    data = raw(base()).replace(b'"year": 2026', b'"year": 2026, "year": 2027')
    with pytest.raises(PackError) as caught:
        read_calendar_pack(data)
    assert caught.value.fault is not None and caught.value.field == "year"


# -- the shipped packs against the government's decisions (see the module docstring) --

def test_2026_pack_new_year_swap() -> None:
    year = shipped(2026).to_year()
    assert {dt.date(2026, 1, 1), dt.date(2026, 1, 2)} <= year.days_off  # 12729/VPCP-KGVX
    assert year.hours_on(dt.date(2026, 1, 10)) == ((480, 720), (810, 1050))  # worked as the Friday it replaces


def test_2026_pack_tet_break_is_the_governments() -> None:
    year = shipped(2026).to_year()
    tet = {dt.date(2026, 2, 14) + dt.timedelta(n) for n in range(9)}  # 14/02 .. 22/02/2026
    assert tet <= year.days_off
    assert dt.date(2026, 2, 13) not in year.days_off and dt.date(2026, 2, 23) not in year.days_off


def test_2026_pack_fixed_holidays_and_hung_kings() -> None:
    off = shipped(2026).to_year().days_off
    assert {dt.date(2026, 4, 30), dt.date(2026, 5, 1)} <= off  # art. 112(1)(c), (d)
    assert {dt.date(2026, 9, 1), dt.date(2026, 9, 2)} <= off  # art. 112(1)(đ): 2/9 and an adjoining day
    assert {dt.date(2026, 4, 26), dt.date(2026, 4, 27)} <= off  # 10/3 lunar on a Sunday: Monday in lieu
    assert dt.date(2026, 11, 24) not in off  # not a day off in the vendor's calendar


def test_2027_pack_saturday_holiday_is_not_moved_to_monday() -> None:
    year = shipped(2027).to_year()
    assert dt.date(2027, 5, 1) in year.days_off  # Saturday 1/5: the vendor's Saturday morning is off
    assert dt.date(2027, 5, 3) not in year.days_off  # art. 111(3) only for the weekly day off (Sunday)
    assert year.hours_on(dt.date(2027, 5, 3)) == ((480, 720), (810, 1050))
    assert {dt.date(2027, 2, 6), dt.date(2027, 4, 16), dt.date(2027, 9, 2), dt.date(2027, 9, 3)} <= year.days_off
    assert dt.date(2027, 11, 24) not in year.days_off


def test_2027_pack_tet_is_five_days_and_a_day_in_lieu_of_its_sunday() -> None:
    """Art. 112(1)(b): Tết Âm lịch 05 ngày; art. 111(3): the weekly day off (Sunday, 07/02 = mùng 2) falling in
    it gives the next working day.  With giao thừa on Friday 05/02 (the 12th month of Bính Ngọ has 29 days) the
    five days are 05/02-09/02 and the day in lieu Wednesday 10/02: six days, the Thursday before worked."""
    year = shipped(2027).to_year()
    window = {dt.date(2027, 2, 1) + dt.timedelta(n) for n in range(20)}
    assert sorted(window & year.days_off) == [dt.date(2027, 2, 5) + dt.timedelta(n) for n in range(6)]
    assert year.hours_on(dt.date(2027, 2, 4)) == ((480, 720), (810, 1050))


# Mùng 1 Tết and the length of the 12th lunar month before it, from the Vietnamese lunar calendar (Hồ Ngọc Đức's
# tables, computed for UTC+7): Ất Tỵ's Chạp began 19/01/2026 (29 days), Bính Ngọ's began 08/01/2027 (29 days).
LUNAR_NEW_YEAR = {2026: (dt.date(2026, 2, 17), 29), 2027: (dt.date(2027, 2, 6), 29)}


def _lunar_label(day: dt.date) -> str:
    new_year, chap_days = LUNAR_NEW_YEAR[day.year]
    if day >= new_year:
        return f"mùng {(day - new_year).days + 1}"
    return f"{chap_days - (new_year - day).days + 1} tháng Chạp"


@pytest.mark.parametrize("year", sorted(LUNAR_NEW_YEAR))
def test_each_tet_day_is_named_by_its_lunar_date(year: int) -> None:
    """A pack names Tết's days by the lunar calendar; a name a day early (the 2027 pack called 28 Chạp '29 tháng
    Chạp') is how an extra day off slipped in."""
    named = [(d.date, d.name_vi) for d in shipped(year).days_off if "Tết Nguyên đán" in d.name_vi]
    assert named
    for day, name in named:
        assert _lunar_label(day) in name, (day, name)
        if "giao thừa" in name:
            assert day == LUNAR_NEW_YEAR[year][0] - dt.timedelta(days=1)


# -- installed and rolled back like regulation packs --

def _store(root: Path) -> PackStore:
    return PackStore(root, reader=read_calendar_pack, differ=no_rule_changes)


def test_installed_then_updated_then_rolled_back(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = store.install(raw(base()))
    assert (first.pack_id, first.version, first.previous_version) == ("vendor-calendar-2026", "1.0.0", None)
    later = base(version="1.1.0", days_off=[{"date": "2026-01-02", "name_vi": "x"},
                                            {"date": "2026-12-31", "name_vi": "Tất niên"}])
    assert store.install(raw(later)).previous_version == "1.0.0"
    assert installed_years(store)[0].days_off == frozenset({dt.date(2026, 1, 2), dt.date(2026, 12, 31)})
    back = store.rollback("vendor-calendar-2026")
    assert (back.version, back.previous_version) == ("1.0.0", "1.1.0")
    assert installed_years(store)[0].days_off == frozenset({dt.date(2026, 1, 2)})
    assert [p.id for p in store.installed()] == ["vendor-calendar-2026"]


def test_an_older_version_is_refused_and_a_lone_version_cannot_roll_back(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.install(raw(base(version="1.1.0")))
    with pytest.raises(PackError):
        store.install(raw(base(version="1.0.0")))
    with pytest.raises(PackStoreError):
        store.rollback("vendor-calendar-2026")


def test_a_regulation_store_refuses_a_calendar_pack(tmp_path: Path) -> None:
    with pytest.raises(PackError):
        PackStore(tmp_path).install(raw(base()))
