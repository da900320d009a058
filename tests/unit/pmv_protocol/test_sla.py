"""Response deadlines, checked against cases worked out by hand.

Default calendar: Mon–Fri 08:00–12:00 + 13:30–17:30, Sat 08:00–12:00, Sun
closed, Asia/Ho_Chi_Minh (UTC+7, no DST), VN public holidays closed.
Every expected value below was computed on paper, not by the code under test.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.coverage import CoverageStatus
from pmv_protocol.sla import RESPONSE_HOURS, is_outside_working_hours, response_due

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC


def vn(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


# (opened_at, severity, coverage, expected due) -- reasoning per case.
CASES = [
    # Tue 10/03/2026 09:15, warranty normal 4 h: 2h45 to 12:00, 1h15 left -> 13:30 + 1h15.
    (vn(2026, 3, 10, 9, 15), "normal", "warranty", vn(2026, 3, 10, 14, 45)),
    # Tue 11:00, warranty critical 2 h: 1 h to 12:00, lunch, 1 h from 13:30 -> 14:30.
    (vn(2026, 3, 10, 11), "critical", "warranty", vn(2026, 3, 10, 14, 30)),
    # Tue 12:45 (lunch), maintenance high 2 h: starts 13:30 -> 15:30.
    (vn(2026, 3, 10, 12, 45), "high", "maintenance", vn(2026, 3, 10, 15, 30)),
    # Fri 13/03 16:00, warranty high 4 h: 1h30 Fri, Sat 08:00 + 2h30 -> Sat 10:30.
    (vn(2026, 3, 13, 16), "high", "warranty", vn(2026, 3, 14, 10, 30)),
    # Sat 14/03 11:00, maintenance normal 4 h: 1 h Sat, Sun closed, Mon 08:00 + 3 h -> Mon 11:00.
    (vn(2026, 3, 14, 11), "normal", "maintenance", vn(2026, 3, 16, 11)),
    # Tue 19:00 (evening), critical 2 h: counts from Wed 08:00 -> Wed 10:00.
    (vn(2026, 3, 10, 19), "critical", "maintenance", vn(2026, 3, 11, 10)),
    # Tue 06:30 (before opening), critical 2 h: from 08:00 -> 10:00 same day.
    (vn(2026, 3, 10, 6, 30), "critical", "warranty", vn(2026, 3, 10, 10)),
    # Sun 15/03 10:00, warranty high 4 h: from Mon 08:00, 4 h -> Mon 12:00 exactly (closing, stays).
    (vn(2026, 3, 15, 10), "high", "warranty", vn(2026, 3, 16, 12)),
    # Tue 15:30, critical 2 h -> 17:30 exactly: stays, not Wed 08:00.
    (vn(2026, 3, 10, 15, 30), "critical", "warranty", vn(2026, 3, 10, 17, 30)),
    # Tue 10:00, high maintenance 2 h -> 12:00 exactly: stays, not 13:30.
    (vn(2026, 3, 10, 10), "high", "maintenance", vn(2026, 3, 10, 12)),
    # Sat 10:00, critical 2 h -> Sat 12:00 exactly: stays, not Mon 08:00.
    (vn(2026, 3, 14, 10), "critical", "warranty", vn(2026, 3, 14, 12)),
    # Opened AT 17:30 (already closed), critical 2 h: Wed 08:00 -> 10:00.
    (vn(2026, 3, 10, 17, 30), "critical", "warranty", vn(2026, 3, 11, 10)),
    # Opened 17:29, critical 2 h: 1 min Tue, Wed 08:00 + 1h59 -> 09:59.
    (vn(2026, 3, 10, 17, 29), "critical", "warranty", vn(2026, 3, 11, 9, 59)),
    # Tết 2027: the package closes Thu 04/02 .. Wed 10/02 (29 Tết .. mùng 5, weekend days
    # of Tết moved to Thu 4 and Wed 10). Opened Wed 03/02 16:00, normal 4 h:
    # 1h30 Wed, closed 7 days, Thu 11/02 08:00 + 2h30 -> 10:30.
    (vn(2027, 2, 3, 16), "normal", "warranty", vn(2027, 2, 11, 10, 30)),
    # Opened on Tết itself (Sat 06/02/2027), critical 2 h: Thu 11/02 08:00 -> 10:00.
    (vn(2027, 2, 6, 9), "critical", "maintenance", vn(2027, 2, 11, 10)),
    # National Day 2026: Mon 31/08 (swapped day off), Tue 1/9, Wed 2/9 closed.
    # Sat 29/08 11:00, normal 4 h: 1 h Sat, Sun..Wed closed, Thu 03/09 08:00 + 3 h -> 11:00.
    (vn(2026, 8, 29, 11), "normal", "maintenance", vn(2026, 9, 3, 11)),
    # National Day 2027: Thu 2/9 + Fri 3/9 closed. Wed 01/09 16:00, 4 h: 1h30 Wed,
    # Sat 04/09 08:00 + 2h30 -> 10:30.
    (vn(2027, 9, 1, 16), "normal", "warranty", vn(2027, 9, 4, 10, 30)),
    # 30/4-1/5 2026 (Thu, Fri). Wed 29/04 17:00, critical 2 h: 30 min Wed, Sat 02/05 08:00 + 1h30 -> 09:30.
    (vn(2026, 4, 29, 17), "critical", "warranty", vn(2026, 5, 2, 9, 30)),
    # 30/4-1/5 2027 (Fri, Sat; 1/5 on Sat observed Mon 3/5). Thu 29/04 17:00, 2 h:
    # 30 min Thu, Fri/Sat/Sun/Mon closed, Tue 04/05 08:00 + 1h30 -> 09:30.
    (vn(2027, 4, 29, 17), "high", "maintenance", vn(2027, 5, 4, 9, 30)),
    # Hùng Kings 2026 falls on Sun 26/04, observed Mon 27/04. Sat 25/04 11:00, 4 h:
    # 1 h Sat, Sun + Mon closed, Tue 28/04 08:00 + 3 h -> 11:00.
    (vn(2026, 4, 25, 11), "normal", "warranty", vn(2026, 4, 28, 11)),
    # UTC: Mon 09/03 03:00 UTC = 10:00 ICT; 4 h: 2 h to 12:00, 13:30 + 2 h -> 15:30
    # (read wrongly as 03:00 local it would be 12:00).
    (dt.datetime(2026, 3, 9, 3, tzinfo=UTC), "normal", "warranty", vn(2026, 3, 9, 15, 30)),
    # New York (EDT, UTC-4 since 08/03/2026): Fri 13/03 23:00 EDT = Sat 14/03 10:00 ICT;
    # 4 h: 2 h Sat, Mon 08:00 + 2 h -> Mon 16/03 10:00 (misread: Sat 12:00).
    (dt.datetime(2026, 3, 13, 23, tzinfo=ZoneInfo("America/New_York")), "normal", "maintenance",
     vn(2026, 3, 16, 10)),
    # Paris (CET, UTC+1): Mon 09/03 05:00 CET = 11:00 ICT; 2 h: 1 h, 13:30 + 1 h -> 14:30.
    (dt.datetime(2026, 3, 9, 5, tzinfo=ZoneInfo("Europe/Paris")), "critical", "warranty",
     vn(2026, 3, 9, 14, 30)),
]


@pytest.mark.parametrize(("opened", "severity", "coverage", "expected"), CASES)
def test_response_due_hand_computed(opened: dt.datetime, severity: str, coverage: str,
                                    expected: dt.datetime) -> None:
    due = response_due(opened, severity, coverage)
    assert due == expected
    # Same instant is not enough: it must be expressed in Vietnamese time.
    assert due is not None and due.tzinfo is not None
    assert due.utcoffset() == dt.timedelta(hours=7)
    assert (due.hour, due.minute) == (expected.hour, expected.minute)


def test_vendor_extra_day_off_is_closed() -> None:
    # Vendor closes Mon 16/03/2026. Sat 14/03 11:00, normal 4 h: 1 h Sat, Sun closed,
    # Mon off, Tue 17/03 08:00 + 3 h -> 11:00 (default calendar would say Mon 11:00).
    cal = WorkingCalendar.from_config(extra_days_off=[dt.date(2026, 3, 16)])
    assert response_due(vn(2026, 3, 14, 11), "normal", "warranty", cal) == vn(2026, 3, 17, 11)


def test_tet_2026_saturday_before_is_a_working_morning() -> None:
    # The package closes only Mon 16 .. Fri 20/02/2026 (regular weekend days are not
    # listed), so the vendor's Saturday morning 14/02 still counts. Fri 13/02 16:00,
    # 4 h: 1h30 Fri, Sat 14/02 08:00 + 2h30 -> 10:30.
    assert response_due(vn(2026, 2, 13, 16), "normal", "warranty") == vn(2026, 2, 14, 10, 30)
    # Sat 14/02 11:00, 4 h: 1 h Sat, Sun 15 closed, Mon 16..Fri 20 Tết, Sat 21/02 08:00 + 3 h -> 11:00.
    assert response_due(vn(2026, 2, 14, 11), "normal", "warranty") == vn(2026, 2, 21, 11)


def test_coverage_status_enum_is_accepted() -> None:
    # maintenance + high = 2 h; warranty + high = 4 h: the enum must select the right row.
    opened = vn(2026, 3, 10, 8)
    assert response_due(opened, "high", CoverageStatus.MAINTENANCE) == vn(2026, 3, 10, 10)
    assert response_due(opened, "high", CoverageStatus.WARRANTY) == vn(2026, 3, 10, 12)
    assert response_due(opened, "high", CoverageStatus.EXPIRED) is None


def test_expired_has_no_deadline() -> None:
    for severity in ("critical", "high", "normal"):
        assert response_due(vn(2026, 3, 10, 9), severity, "expired") is None


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        response_due(dt.datetime(2026, 3, 10, 9), "critical", "warranty")
    with pytest.raises(ValueError, match="aware"):
        response_due(dt.datetime(2026, 3, 10, 9), "critical", "expired")


@pytest.mark.parametrize(("severity", "coverage", "bad"), [
    ("urgent", "warranty", "urgent"),
    ("Critical", "warranty", "Critical"),
    ("critical", "gold", "gold"),
    ("normal", "", "''"),
])
def test_unknown_values_are_named(severity: str, coverage: str, bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        response_due(vn(2026, 3, 10, 9), severity, coverage)


def test_bad_severity_is_rejected_even_when_expired() -> None:
    with pytest.raises(ValueError, match="urgent"):
        response_due(vn(2026, 3, 10, 9), "urgent", "expired")


def test_response_hours_table() -> None:
    assert RESPONSE_HOURS["maintenance"] == {"critical": 2, "high": 2, "normal": 4}
    assert RESPONSE_HOURS["warranty"] == {"critical": 2, "high": 4, "normal": 4}
    assert "expired" not in RESPONSE_HOURS
    with pytest.raises(TypeError):
        RESPONSE_HOURS["warranty"]["high"] = 1  # type: ignore[index]


@pytest.mark.parametrize(("moment", "outside"), [
    (vn(2026, 3, 10, 9), False),
    (vn(2026, 3, 10, 12), True),  # lunch starts at the closing instant
    (vn(2026, 3, 10, 13, 30), False),
    (vn(2026, 3, 10, 17, 30), True),
    (vn(2026, 3, 14, 14), True),  # Saturday afternoon
    (vn(2026, 3, 15, 10), True),  # Sunday
    (vn(2026, 9, 2, 10), True),  # National Day
    (dt.datetime(2026, 3, 10, 2, tzinfo=UTC), False),  # 09:00 ICT
    (dt.datetime(2026, 3, 10, 11, tzinfo=UTC), True),  # 18:00 ICT
])
def test_is_outside_working_hours(moment: dt.datetime, outside: bool) -> None:
    assert is_outside_working_hours(moment) is outside


def test_custom_calendar_is_used() -> None:
    # Vendor open 07:00-19:00 on Tuesdays: opened 17:30 Tue, 2 h: 1h30 to 19:00,
    # then Wed (default hours) 08:00 + 30 min -> 08:30.
    cal = WorkingCalendar.from_config(hours={"tuesday": ["07:00-19:00"]})
    assert response_due(vn(2026, 3, 10, 17, 30), "critical", "warranty", cal) == vn(2026, 3, 11, 8, 30)
    assert not is_outside_working_hours(vn(2026, 3, 10, 18), cal)


# -- deadlines on the vendor's calendar pack vs the holidays package (worked out by hand) --
# 2026 pack: 01/01 and 02/01 off, Saturday 10/01 worked 08:00-12:00 + 13:30-17:30 (Official Dispatch
# 12729/VPCP-KGVX of 25/12/2025); 24/11 worked.  2027 pack: Sat 01/05 off, Mon 03/05 worked (the vendor works
# Saturdays, so Labour Code art. 111(3)'s day in lieu does not apply).
PACK_CASES = [
    # Thu 01/01/2026 09:00, warranty normal 4 h. Pack: Fri 02/01 off, Sat 03/01 08:00-12:00 -> Sat 12:00
    # (a deadline on a closing time stays there). Package: Fri 02/01 08:00 + 4 h -> Fri 12:00.
    (vn(2026, 1, 1, 9), "normal", "warranty", vn(2026, 1, 3, 12), vn(2026, 1, 2, 12)),
    # Sat 10/01/2026 11:00, maintenance normal 4 h. Pack: 1 h to 12:00, 3 h from 13:30 -> Sat 16:30.
    # Package: 1 h Saturday, Sunday closed, Mon 12/01 08:00 + 3 h -> 11:00.
    (vn(2026, 1, 10, 11), "normal", "maintenance", vn(2026, 1, 10, 16, 30), vn(2026, 1, 12, 11)),
    # Mon 23/11/2026 16:00, warranty normal 4 h: 1h30 Monday, then 2h30. Pack: Tue 24/11 10:30.
    # Package: 24/11 closed -> Wed 25/11 10:30.
    (vn(2026, 11, 23, 16), "normal", "warranty", vn(2026, 11, 24, 10, 30), vn(2026, 11, 25, 10, 30)),
    # Fri 30/04/2027 10:00 (holiday), critical 2 h. Sat 01/05 off, Sun closed. Pack: Mon 03/05 10:00.
    # Package: Mon 03/05 closed -> Tue 04/05 10:00.
    (vn(2027, 4, 30, 10), "critical", "warranty", vn(2027, 5, 3, 10), vn(2027, 5, 4, 10)),
]


@pytest.mark.parametrize(("opened", "severity", "coverage", "with_pack", "estimate"), PACK_CASES)
def test_response_due_follows_the_vendors_calendar(opened: dt.datetime, severity: str, coverage: str,
                                                   with_pack: dt.datetime, estimate: dt.datetime) -> None:
    from pathlib import Path

    from pmv_protocol.calendar_pack import load_calendar_pack

    folder = Path(__file__).resolve().parents[3] / "resources" / "calendar"
    years = [load_calendar_pack((folder / f"vendor-calendar-{y}.json").read_bytes()).to_year()
             for y in (2026, 2027)]
    vendor = WorkingCalendar.default().with_years(years)
    assert response_due(opened, severity, coverage, vendor) == with_pack
    assert response_due(opened, severity, coverage) == estimate  # calendar=None: the package's estimate
