"""The queue's working clock: each day summed once per page, the calendar's own answers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pmv_protocol.calendar import WorkingCalendar
from vendor_server.console.queue import WorkingClock

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


def test_the_queues_working_clock_agrees_with_the_calendar() -> None:
    """WorkingClock sums each day once; it must give WorkingCalendar.working_time_between's answer."""
    cal = WorkingCalendar.default()
    now = vn(2026, 3, 10, 10, 45)
    deadlines = [vn(2026, 3, 10, 11), vn(2026, 3, 10, 14, 30), vn(2026, 2, 13, 16, 30), vn(2026, 3, 16, 9),
                 vn(2026, 1, 2, 8), vn(2026, 3, 10, 10, 45), vn(2026, 3, 14, 20)]
    clock = WorkingClock(cal, [now, *deadlines])
    for due in deadlines:
        assert clock.between(now, due) == cal.working_time_between(now, due), due


def test_the_working_clock_counts_hand_worked_cases() -> None:
    # Default week (Mon–Fri 08:00–12:00, 13:30–17:30; Sat 08:00–12:00): Fri 16:30 → Mon 09:00 is 1 + 4 + 1 h.
    clock = WorkingClock(WorkingCalendar.default(), [vn(2026, 3, 13, 16, 30), vn(2026, 3, 16, 9)])
    assert clock.between(vn(2026, 3, 13, 16, 30), vn(2026, 3, 16, 9)) == dt.timedelta(hours=6)
    assert clock.between(vn(2026, 3, 16, 9), vn(2026, 3, 13, 16, 30)) == -dt.timedelta(hours=6)
