"""Words for the overview page's codes: the recent-activity lines."""

from __future__ import annotations

from app.health.model import Status
from app.storage.records import ActivityEntry
from app.ui.health.texts import verdict_name
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate

# "kind.code" of an activity entry (app.storage.repositories.ActivityRepository.note) and the detail keys each
# line fills, in order.
_LINES = Words({
    "app.started": QT_TRANSLATE_NOOP("OverviewPage", "Khởi động ứng dụng (phiên bản %1)"),
    "support.saved": QT_TRANSLATE_NOOP("OverviewPage", "Ghi yêu cầu hỗ trợ “%1”"),
    "support.sent": QT_TRANSLATE_NOOP("OverviewPage", "Gửi yêu cầu %1 tới nhà cung cấp"),
    "updates.pack_installed": QT_TRANSLATE_NOOP("OverviewPage", "Cài gói quy định “%1” (phiên bản %2)"),
    "updates.pack_rolled_back": QT_TRANSLATE_NOOP("OverviewPage", "Quay gói quy định “%1” về phiên bản %2"),
    "updates.app_staged": QT_TRANSLATE_NOOP("OverviewPage", "Tải xong bản phần mềm %1, chờ cài"),
})
_FILLED_BY = {
    "app.started": ("version",), "support.saved": ("title",), "support.sent": ("number",),
    "updates.pack_installed": ("title", "version"), "updates.pack_rolled_back": ("title", "version"),
    "updates.app_staged": ("version",),
}


def activity_text(entry: ActivityEntry) -> str:
    """One line of the recent activity (the page's words); a kind with no words yet is named by its code."""
    key = f"{entry.kind}.{entry.code}"
    if key == "health.ran":
        try:
            verdict = verdict_name(Status(entry.detail.get("verdict")))
        except ValueError:
            verdict = str(entry.detail.get("verdict", ""))
        return tr_args(translate("OverviewPage", "Kiểm tra hệ thống: %1"), verdict)
    if key in _LINES:
        return _LINES(key, *(entry.detail.get(name, "") for name in _FILLED_BY[key]))
    return tr_args(translate("OverviewPage", "Hoạt động khác (%1)"), key)
