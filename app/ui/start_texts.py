"""The words of starting up and of the app's own database: notices, refusals, a failed start."""

from __future__ import annotations

from app import HOTLINE
from app.storage.errors import NoticeKind, StorageError, StorageFailure, StorageNotice
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate


def storage_notice_text(notice: StorageNotice) -> str:
    if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT:
        text = translate(
            "StorageNotices",
            "Cơ sở dữ liệu của ứng dụng bị hỏng nên đã được tạo mới. Tệp cũ được giữ lại tại %1 "
            "để kỹ thuật viên khôi phục; hãy gọi %2 nếu cần.",
        )
    else:
        text = translate("StorageNotices", "Dữ liệu đã được nâng cấp lên phiên bản mới; bản sao trước khi nâng cấp: %1")
    return tr_args(text, notice.path, HOTLINE)


_STORAGE_ERRORS = Words({
    StorageFailure.LOCKED: QT_TRANSLATE_NOOP(
        "StorageErrors", "Cơ sở dữ liệu của ứng dụng đang bị một chương trình khác giữ. Hãy đóng các cửa sổ "
        "PMV Support Assistant khác rồi mở lại."),
    StorageFailure.NEWER_SCHEMA: QT_TRANSLATE_NOOP(
        "StorageErrors", "Dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng. Hãy cài lại bản mới nhất; "
        "dữ liệu không bị thay đổi."),
    StorageFailure.MIGRATION_FAILED: QT_TRANSLATE_NOOP(
        "StorageErrors", "Nâng cấp dữ liệu không thành công; dữ liệu cũ đã được khôi phục nguyên vẹn."),
    StorageFailure.CANNOT_OPEN: QT_TRANSLATE_NOOP(
        "StorageErrors", "Không mở được cơ sở dữ liệu của ứng dụng (quyền truy cập hoặc ổ đĩa)."),
    StorageFailure.DISK_FULL: QT_TRANSLATE_NOOP(
        "StorageErrors", "Ổ đĩa chứa dữ liệu của ứng dụng đã đầy. Hãy xóa bớt tệp không cần (thùng rác, tệp tải "
        "về) rồi mở lại; dữ liệu đã lưu không bị mất."),
    StorageFailure.READ_ONLY: QT_TRANSLATE_NOOP(
        "StorageErrors", "Không ghi được vào cơ sở dữ liệu của ứng dụng (ổ đĩa chỉ cho phép đọc hoặc không có "
        "quyền ghi). Dữ liệu đã lưu vẫn còn nguyên."),
    StorageFailure.DAMAGED: QT_TRANSLATE_NOOP(
        "StorageErrors", "Cơ sở dữ liệu của ứng dụng bị hỏng. Hãy mở lại ứng dụng: tệp hỏng được giữ lại cho kỹ "
        "thuật viên và một tệp mới được tạo."),
    StorageFailure.DISK_ERROR: QT_TRANSLATE_NOOP(
        "StorageErrors", "Ổ đĩa báo lỗi khi đọc hoặc ghi dữ liệu của ứng dụng. Hãy nhờ kỹ thuật viên kiểm tra ổ "
        "đĩa."),
})


def storage_error_text(error: StorageError) -> str:
    """Why the start stopped at the app's database, what to do, and which file (SQLite's own words go to the
    log, not to the shop)."""
    call = translate("StorageErrors", "Gọi %1 để được hỗ trợ. Tệp dữ liệu: %2")
    return f"{_STORAGE_ERRORS(error.failure)}\n\n{tr_args(call, HOTLINE, error.path)}"


def start_error_text(error: BaseException) -> str:
    """What the shop is told when the start fails behind the painted frame (other than the database)."""
    text = translate(
        "Startup", "Phần mềm không khởi động được. Hãy khởi động lại máy; nếu vẫn lỗi, gọi %1.\n\nChi tiết: %2")
    return tr_args(text, HOTLINE, f"{type(error).__name__}: {error}")
