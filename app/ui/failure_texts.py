"""What went wrong with a save or a file, in a phrase that fits after "Chưa lưu được …: ".

A page that catches a failed write says what happened and what to do in the
shop's words, never SQLAlchemy's or the operating system's English: the app's
database (:class:`app.storage.errors.StorageError`, classified from SQLite's
result codes), a file the cashier chose (:class:`OSError`, by errno), or, for
anything else, that it is a fault the log keeps for the technician.
"""

from __future__ import annotations

import errno

from app.storage.errors import StorageError, StorageFailure
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate

storage_failure_text = Words({
    StorageFailure.LOCKED: QT_TRANSLATE_NOOP(
        "Failures", "cơ sở dữ liệu của ứng dụng đang bị một chương trình khác giữ; hãy đợi một lát rồi thử lại"),
    StorageFailure.NEWER_SCHEMA: QT_TRANSLATE_NOOP(
        "Failures", "dữ liệu do một phiên bản mới hơn của ứng dụng tạo ra; hãy cài bản mới nhất"),
    StorageFailure.MIGRATION_FAILED: QT_TRANSLATE_NOOP(
        "Failures", "nâng cấp dữ liệu không thành công, dữ liệu cũ đã được khôi phục; hãy mở lại ứng dụng"),
    StorageFailure.CANNOT_OPEN: QT_TRANSLATE_NOOP(
        "Failures", "không mở được cơ sở dữ liệu của ứng dụng; hãy kiểm tra quyền truy cập và ổ đĩa"),
    StorageFailure.DISK_FULL: QT_TRANSLATE_NOOP(
        "Failures", "ổ đĩa đã đầy; hãy xóa bớt tệp không cần (thùng rác, tệp tải về) rồi thử lại"),
    StorageFailure.READ_ONLY: QT_TRANSLATE_NOOP(
        "Failures", "cơ sở dữ liệu của ứng dụng chỉ cho phép đọc (ổ đĩa chỉ đọc hoặc không có quyền ghi)"),
    StorageFailure.DISK_ERROR: QT_TRANSLATE_NOOP(
        "Failures", "ổ đĩa báo lỗi khi đọc hoặc ghi; hãy nhờ kỹ thuật viên kiểm tra ổ đĩa"),
    StorageFailure.DAMAGED: QT_TRANSLATE_NOOP(
        "Failures", "cơ sở dữ liệu của ứng dụng bị hỏng; hãy mở lại ứng dụng (tệp hỏng được giữ lại cho kỹ thuật "
        "viên, một tệp mới được tạo)"),
})

# The errno values a shop meets when saving or opening a file (POSIX names; Windows maps its errors onto them).
_OS_REASONS = Words({
    errno.ENOSPC: QT_TRANSLATE_NOOP("Failures", "ổ đĩa đã đầy"),
    errno.EROFS: QT_TRANSLATE_NOOP("Failures", "ổ đĩa chỉ cho phép đọc"),
    errno.EACCES: QT_TRANSLATE_NOOP("Failures", "không có quyền"),
    errno.EPERM: QT_TRANSLATE_NOOP("Failures", "không có quyền"),
    errno.ENOENT: QT_TRANSLATE_NOOP("Failures", "không tồn tại"),
    errno.ENOTDIR: QT_TRANSLATE_NOOP("Failures", "một phần của đường dẫn không phải thư mục"),
    errno.EISDIR: QT_TRANSLATE_NOOP("Failures", "đó là một thư mục, không phải tệp"),
    errno.EEXIST: QT_TRANSLATE_NOOP("Failures", "đã có một tệp trùng tên"),
    errno.EIO: QT_TRANSLATE_NOOP("Failures", "ổ đĩa báo lỗi (USB bị rút ra, hoặc ổ đĩa hỏng)"),
    errno.EINVAL: QT_TRANSLATE_NOOP("Failures", "tên tệp có ký tự không được phép (như : ? * “ < > |)"),
    errno.ENAMETOOLONG: QT_TRANSLATE_NOOP("Failures", "tên tệp hoặc đường dẫn quá dài"),
    errno.EBUSY: QT_TRANSLATE_NOOP("Failures", "tệp đang được chương trình khác dùng"),
})


def os_failure_text(error: OSError) -> str:
    """'<file>: <why>', or the why alone."""
    # Another errno: said by its number (the system's own words, often English, go to the log with the error).
    reason = (_OS_REASONS(error.errno) if error.errno in _OS_REASONS
              else tr_args(translate("Failures", "lỗi hệ thống số %1"), error.errno or "?"))
    # A rename's error names its temp file first and the place the cashier chose second: say the chosen one.
    named = error.filename2 or error.filename
    if named:
        return tr_args(translate("Failures", "%1: %2"), named, reason)
    return reason


def failure_text(error: BaseException) -> str:
    """Any failure of a save or a file read, as a phrase; a bug is named by its kind and left to the log."""
    if isinstance(error, StorageError):
        return storage_failure_text(error.failure)
    if isinstance(error, OSError):
        return os_failure_text(error)
    return tr_args(translate("Failures", "lỗi ngoài dự kiến (%1), đã ghi vào nhật ký; hãy gọi kỹ thuật viên"),
                   type(error).__name__)
