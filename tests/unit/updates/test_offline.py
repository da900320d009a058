"""An offline copy's refusals: each has its words on the command line, and survives a process hop."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from app.cli_texts import MESSAGES, say
from app.updates.offline import CopyFolderError, CopyFolderProblem, OfflineCopyRefused, OfflineRefusal, copy_root
from app.updates.targets import UpdateErrorKind


def test_every_refusal_and_folder_problem_is_worded_for_the_command_line() -> None:
    missing = [f"usb_{member.value}" for enum in (OfflineRefusal, CopyFolderProblem) for member in enum
               if f"usb_{member.value}" not in MESSAGES]
    assert missing == []


def test_a_stale_copy_knows_the_shops_day_it_expired() -> None:
    expired = dt.datetime(2026, 11, 11, 18, 0, tzinfo=dt.UTC)  # already 12/11 in the shop (UTC+7)
    error = OfflineCopyRefused(UpdateErrorKind.SECURITY, "timestamp.json is expired", OfflineRefusal.STALE,
                               expired_at=expired, days_ago=24)
    assert error.expired_on == dt.date(2026, 11, 12)
    assert say("usb_stale", "vi", expired="12/11/2026", days=24).startswith(
        "Bản cập nhật trên USB đã hết hạn từ 12/11/2026 (24 ngày trước)")
    assert say("usb_stale", "en", expired="12/11/2026", days=24).startswith(
        "The update copy on the USB stick expired on 12/11/2026 (24 days ago)")


def test_a_refusal_keeps_its_fields_across_a_process_hop() -> None:
    error = OfflineCopyRefused(UpdateErrorKind.SECURITY, "x", OfflineRefusal.STALE,
                               expired_at=dt.datetime(2026, 11, 12, tzinfo=dt.UTC), days_ago=3)
    again = pickle.loads(pickle.dumps(error))
    assert (again.kind, again.detail, again.problem, again.expired_at, again.days_ago) == \
        (error.kind, error.detail, error.problem, error.expired_at, error.days_ago)
    folder = pickle.loads(pickle.dumps(CopyFolderError(CopyFolderProblem.NOT_A_COPY, "/media/usb")))
    assert folder.problem is CopyFolderProblem.NOT_A_COPY and folder.detail == "/media/usb"


def test_the_copy_is_the_folder_or_the_vendors_tuf_folder_in_it(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "metadata").mkdir(parents=True)
    (export / "metadata" / "timestamp.json").write_text("{}", encoding="utf-8")
    assert copy_root(export) == export
    stick = tmp_path / "stick"
    (stick / "tuf" / "metadata").mkdir(parents=True)
    (stick / "tuf" / "metadata" / "timestamp.json").write_text("{}", encoding="utf-8")
    assert copy_root(stick) == stick / "tuf"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for folder, problem in ((tmp_path / "nope", CopyFolderProblem.NOT_FOUND),
                            (tmp_path / "file", CopyFolderProblem.NOT_A_FOLDER),
                            (tmp_path, CopyFolderProblem.NOT_A_COPY)):
        with pytest.raises(CopyFolderError) as refused:
            copy_root(folder)
        assert refused.value.problem is problem
