"""Deadlines, visit slots and moments in words, in shop time: light to import (no data layer), so the overview's
support tile shows them first; the rest of the feature's words are in :mod:`app.ui.support.texts`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from app import HOTLINE
from app.infra.formatting import format_date, format_datetime, format_time
from app.ui.i18n import tr_args, translate
from pmv_protocol.shop_time import SHOP_TZ

if TYPE_CHECKING:
    from pmv_protocol.thread import VisitSlot



def duration_text(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return tr_args(translate("SupportTexts", "%1 giờ %2 phút"), hours, minutes)
    if hours:
        return tr_args(translate("SupportTexts", "%1 giờ"), hours)
    return tr_args(translate("SupportTexts", "%1 phút"), minutes)


def deadline_text(due: dt.datetime | None, now: dt.datetime) -> str:
    """'Hạn đề xuất phương án: 15:40 hôm nay, còn 1 giờ 20 phút'."""
    if due is None:
        # No coverage on the day: expired, or the warranty not yet begun (a shop still being installed).
        return tr_args(translate("SupportTexts", "Không có hạn cam kết (cửa hàng không trong thời gian bảo hành/bảo "
                                                 "trì); việc gấp gọi %1."), HOTLINE)
    day, today = due.astimezone(SHOP_TZ).date(), now.astimezone(SHOP_TZ).date()
    if day == today:
        when = tr_args(translate("SupportTexts", "%1 hôm nay"), format_time(due))
    elif day == today + dt.timedelta(days=1):
        when = tr_args(translate("SupportTexts", "%1 ngày mai"), format_time(due))
    else:
        when = format_datetime(due)
    if due <= now:
        return tr_args(translate("SupportTexts", "Hạn đề xuất phương án: %1 (đã quá hạn %2)"), when,
                       duration_text(now - due))
    return tr_args(translate("SupportTexts", "Hạn đề xuất phương án: %1, còn %2"), when, duration_text(due - now))


def weekday_name(day: dt.date) -> str:
    return [
        translate("SupportTexts", "Thứ Hai"), translate("SupportTexts", "Thứ Ba"),
        translate("SupportTexts", "Thứ Tư"), translate("SupportTexts", "Thứ Năm"),
        translate("SupportTexts", "Thứ Sáu"), translate("SupportTexts", "Thứ Bảy"),
        translate("SupportTexts", "Chủ Nhật"),
    ][day.weekday()]


def visit_slot_text(slot: VisitSlot) -> str:
    """'Thứ Hai, 07/12/2026, 14:00–16:00, kỹ thuật viên Trần Minh'."""
    return visit_words(slot.day, slot.start.strftime("%H:%M"), slot.end.strftime("%H:%M"), slot.technician)


def visit_words(day: dt.date, start: str, end: str, technician: str) -> str:
    """:func:`visit_slot_text` from plain values: the tray's reminders come from a job report, without
    pmv_protocol.thread (pydantic) in the tray's process."""
    # The weekday and the date with a comma between, as the overview writes a day ("Thứ Tư, 25/11/2026").
    return tr_args(translate("SupportTexts", "%1, %2, %3–%4, kỹ thuật viên %5"), weekday_name(day), format_date(day),
                   start, end, technician)
