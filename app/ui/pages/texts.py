"""Words for the overview page's codes: the recent-activity lines."""

from __future__ import annotations

from app.storage.records import ActivityEntry
from app.ui.i18n import tr_args, translate


def activity_text(entry: ActivityEntry) -> str:
    """One line of the recent activity (the page's words); a kind with no words yet is named by its code."""
    key = f"{entry.kind}.{entry.code}"
    if key == "app.started":
        return tr_args(translate("OverviewPage", "Khởi động ứng dụng (phiên bản %1)"), entry.detail.get("version", ""))
    return tr_args(translate("OverviewPage", "Hoạt động khác (%1)"), key)
