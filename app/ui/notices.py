"""The texts of the background notifications, from plain values.

One place for both ways the jobs run: in the app's own agent once the
window has loaded the data (:class:`app.ui.application.Application`), and in
the tray's job processes before that (:class:`app.ui.tray_jobs.TrayJobs`),
whose reports carry only strings and numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from app import HOTLINE
from app.storage.errors import NoticeKind, StorageNotice
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from app.ui.levels import Level
from app.ui.start_texts import storage_notice_text
from app.ui.support.time_texts import visit_words


class Notice(NamedTuple):
    title: str
    message: str
    level: Level


def coverage_reminder(days: int) -> Notice:
    """``days``: whole days of coverage left after today (0 on the last day covered)."""
    title = translate("Notices", "Bảo hành/bảo trì sắp hết hạn")
    if days <= 0:
        message = translate("Notices", "Hôm nay là ngày cuối cửa hàng được hỗ trợ. Hãy gia hạn bảo trì hoặc gọi %1.")
        return Notice(title, tr_args(message, HOTLINE), Level.CRITICAL)
    if days == 1:
        message = translate("Notices", "Ngày mai cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì hoặc gọi %1.")
        return Notice(title, tr_args(message, HOTLINE), Level.CRITICAL)
    message = translate("Notices", "Còn %1 ngày nữa cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì.")
    return Notice(title, tr_args(message, days), Level.WARNING)


def app_staged(version: str) -> Notice:
    message = translate("Notices", "Bản %1 sẽ được cài khi mở lại phần mềm hoặc ngoài giờ giao dịch.")
    return Notice(translate("Notices", "Có bản phần mềm mới"), tr_args(message, version), Level.INFO)


def pack_installed(title: str, version: str) -> Notice:
    """``title``: the pack's title as signed (its id when it has none)."""
    message = tr_args(translate("Notices", "%1 phiên bản %2"), title, version)
    return Notice(translate("Notices", "Đã cài gói quy định mới"), message, Level.INFO)


def health_critical(titles: Sequence[str]) -> Notice:
    message = translate("Notices", "Kiểm tra hệ thống phát hiện lỗi nghiêm trọng: %1")
    return Notice(translate("Notices", "Máy bán hàng cần xử lý ngay"), tr_args(message, ", ".join(titles[:3])),
                  Level.CRITICAL)


def status_change(new_status: str, number: str, text: str, system_opened: bool = False) -> Notice | None:
    """A vendor's move on a request worth a notification: a proposed solution, a scheduled visit, a resolution.

    ``new_status``: a RequestStatus value; ``number``: the ticket number (or the request's title); ``text``:
    the vendor's solution text (or the title).  None for any other move.  ``system_opened``: not a move but a
    request the vendor's system opened for the shop (a check held critical), new to this PC.
    """
    if system_opened:
        title = translate("Notices", "Nhà cung cấp đã phát hiện và mở yêu cầu %1")
        return Notice(tr_args(title, number), text, Level.WARNING)
    if new_status not in _STATUS_TITLES:
        return None
    return Notice(_STATUS_TITLES(new_status, number), text, Level.INFO)


# The moves worth a notification, keyed by RequestStatus value: the tray's reports carry plain strings, and
# app.support.status (pydantic) stays out of the tray's process.
_STATUS_TITLES: Words[str] = Words({
    "solution_proposed": QT_TRANSLATE_NOOP("Notices", "Đã có phương án cho yêu cầu %1"),
    "on_site_scheduled": QT_TRANSLATE_NOOP("Notices", "Đã hẹn kỹ thuật viên đến cho yêu cầu %1"),
    "resolved": QT_TRANSLATE_NOOP("Notices", "Yêu cầu %1 đã được giải quyết"),
})


# The tray icon's tooltip for its colour.
level_tip = Words({
    Level.OK: QT_TRANSLATE_NOOP("Tray", "Hệ thống hoạt động bình thường"),
    Level.INFO: QT_TRANSLATE_NOOP("Tray", "Có thông tin mới"),
    Level.WARNING: QT_TRANSLATE_NOOP("Tray", "Có mục cần chú ý"),
    Level.CRITICAL: QT_TRANSLATE_NOOP("Tray", "Có sự cố cần xử lý"),
})


def database_recovered(kept: str) -> Notice:
    """The tray's job process found the app's database damaged and started a fresh one (the old one kept)."""
    text = storage_notice_text(StorageNotice(NoticeKind.RECOVERED_FROM_CORRUPT, Path(kept)))
    return Notice(translate("Notices", "Dữ liệu của ứng dụng đã được tạo mới"), text, Level.CRITICAL)


def vendor_message(number: str, author: str, text: str) -> Notice:
    """One step the vendor took in a request's conversation (a message, a proposal, a visit offer)."""
    title = tr_args(translate("Notices", "Bộ phận hỗ trợ trả lời yêu cầu %1"), number)
    text = text.strip() or translate("Notices", "Mở phần mềm để xem chi tiết.")
    shown = text if len(text) <= 160 else text[:157] + "…"
    return Notice(title, f"{author}: {shown}" if author else shown, Level.INFO)


def visit_reminder(kind: str, number: str, slot: str) -> Notice:
    """``kind``: "day_before" or "hour_before"; ``slot``: the visit in words (day, window, technician)."""
    if kind == "hour_before":
        title = translate("Notices", "Kỹ thuật viên sắp đến (khoảng 1 giờ nữa)")
    else:
        title = translate("Notices", "Ngày mai kỹ thuật viên đến cửa hàng")
    message = tr_args(translate("Notices", "Yêu cầu %1: %2"), number, slot)
    return Notice(title, message, Level.INFO)


def slot_words(slot: dict[str, object]) -> str:
    """A visit slot from a tray job report (plain strings, app.background.job_process) in the window's words."""
    try:
        day = dt.date.fromisoformat(str(slot.get("day")))
    except ValueError:  # not a day our job process writes: the reminder still names the request
        return str(slot.get("day") or "")
    return visit_words(day, str(slot.get("start") or ""), str(slot.get("end") or ""), str(slot.get("technician") or ""))
