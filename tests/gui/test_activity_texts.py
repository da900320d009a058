"""The overview's recent-activity lines in both languages, for every kind the app notes."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication

from app.storage.records import ActivityEntry
from app.ui.pages.texts import activity_text
from tests.gui.languages import english_installed

AT = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)

CASES = [  # (kind, code, detail, Vietnamese, English)
    ("app", "started", {"version": "0.1.0"}, "Khởi động ứng dụng (phiên bản 0.1.0)", "App started (version 0.1.0)"),
    ("health", "ran", {"verdict": "critical", "critical": 2, "warnings": 0}, "Kiểm tra hệ thống: Cần xử lý ngay",
     "System check: Needs attention now"),
    ("support", "saved", {"title": "Máy in tem"}, "Ghi yêu cầu hỗ trợ “Máy in tem”",
     "Support request saved: “Máy in tem”"),
    ("support", "sent", {"number": "YC-2026-000004"}, "Gửi yêu cầu YC-2026-000004 tới nhà cung cấp",
     "Request YC-2026-000004 sent to the vendor"),
    ("updates", "pack_installed", {"title": "Hạn mức tiền mặt", "version": "1.1.0"},
     "Cài gói quy định “Hạn mức tiền mặt” (phiên bản 1.1.0)",
     "Regulation pack “Hạn mức tiền mặt” installed (version 1.1.0)"),
    ("updates", "pack_rolled_back", {"title": "Hạn mức tiền mặt", "version": "1.0.0"},
     "Quay gói quy định “Hạn mức tiền mặt” về phiên bản 1.0.0",
     "Regulation pack “Hạn mức tiền mặt” rolled back to version 1.0.0"),
    ("updates", "app_staged", {"version": "0.2.0"}, "Tải xong bản phần mềm 0.2.0, chờ cài",
     "App version 0.2.0 downloaded, waiting to be installed"),
]


@pytest.mark.parametrize(("kind", "code", "detail", "vietnamese", "english"), CASES)
def test_each_kind_of_activity_has_its_words(qapp: QApplication, kind: str, code: str, detail: dict,
                                             vietnamese: str, english: str) -> None:
    entry = ActivityEntry(1, AT, kind, code, detail)
    assert activity_text(entry) == vietnamese
    with english_installed(qapp):
        assert activity_text(entry) == english


def test_a_kind_without_words_is_named_by_its_code(qapp: QApplication) -> None:
    assert activity_text(ActivityEntry(1, AT, "later", "thing", {})) == "Hoạt động khác (later.thing)"
