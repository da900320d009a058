"""Words for the settings file's problems (:class:`app.infra.settings.SettingsProblem`), and their banners.

The domain gives a kind, a reason code and a line; the words are here, Vietnamese first.  The
cause named is the real one: an unclosed quote is "a string is missing its closing quote at
line 9", never the parser's English, and never blamed on a backslash.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app import HOTLINE
from app.infra.formatting import format_date
from app.infra.settings import Fallback, LoadedSettings, ProblemKind, Reason, SettingsProblem, Source
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from app.ui.levels import Level
from app.ui.widgets.banner import Banner

# Why, as a phrase that follows "có lỗi ở dòng N (…)" or "có giá trị “x” …".
reason_text = Words({
    Reason.WRONG_TYPE: QT_TRANSLATE_NOOP("SettingsProblems", "sai kiểu dữ liệu"),
    Reason.NOT_ALLOWED: QT_TRANSLATE_NOOP("SettingsProblems", "không phải giá trị được phép"),
    Reason.OUT_OF_RANGE: QT_TRANSLATE_NOOP("SettingsProblems", "nằm ngoài khoảng cho phép"),
    Reason.MISSING_VALUE: QT_TRANSLATE_NOOP("SettingsProblems", "thiếu mục bắt buộc"),
    Reason.BAD_URL: QT_TRANSLATE_NOOP("SettingsProblems", "địa chỉ phải bắt đầu bằng http:// hoặc https://"),
    Reason.BAD_PATH: QT_TRANSLATE_NOOP(
        "SettingsProblems", "đường dẫn không dùng được; với đường dẫn Windows hãy dùng dấu / hoặc dấu nháy đơn"),
    Reason.BAD_HOURS: QT_TRANSLATE_NOOP("SettingsProblems", "khoảng giờ viết sai (ví dụ đúng: 08:00-12:00)"),
    Reason.NOT_WRITABLE: QT_TRANSLATE_NOOP("SettingsProblems", "không ghi được vào thư mục này"),
    Reason.UNKNOWN_KEY: QT_TRANSLATE_NOOP("SettingsProblems", "tên mục không xác định"),
    Reason.UNTERMINATED_STRING: QT_TRANSLATE_NOOP("SettingsProblems", "chuỗi thiếu dấu nháy đóng"),
    Reason.CONTROL_CHARACTER: QT_TRANSLATE_NOOP("SettingsProblems", "chuỗi chứa ký tự điều khiển không được phép"),
    Reason.BAD_ESCAPE: QT_TRANSLATE_NOOP(
        "SettingsProblems", "dấu \\ không hợp lệ trong chuỗi (thường là đường dẫn Windows); hãy dùng dấu / "
                             "hoặc đặt đường dẫn trong dấu nháy đơn"),
    Reason.MISSING_BRACKET: QT_TRANSLATE_NOOP("SettingsProblems", "tên nhóm trong [ ] thiếu dấu ] đóng"),
    Reason.DUPLICATE_KEY: QT_TRANSLATE_NOOP("SettingsProblems", "một mục được khai báo hai lần"),
    Reason.DUPLICATE_TABLE: QT_TRANSLATE_NOOP("SettingsProblems", "một nhóm [ ] được khai báo hai lần"),
    Reason.BAD_VALUE: QT_TRANSLATE_NOOP(
        "SettingsProblems", "giá trị viết sai; chữ phải đặt trong dấu nháy kép, ví dụ \"PMV.exe\""),
    Reason.BAD_LINE: QT_TRANSLATE_NOOP("SettingsProblems", "dòng không có dạng tên = giá trị"),
    Reason.UNCLOSED_LIST: QT_TRANSLATE_NOOP("SettingsProblems", "danh sách [ ] hoặc nhóm { } thiếu dấu đóng"),
    Reason.NOT_UTF8: QT_TRANSLATE_NOOP(
        "SettingsProblems", "tệp không được lưu bằng mã UTF-8; hãy lưu lại với mã hóa UTF-8"),
    Reason.NO_ACCESS: QT_TRANSLATE_NOOP("SettingsProblems", "không có quyền đọc tệp"),
    Reason.READ_FAILED: QT_TRANSLATE_NOOP("SettingsProblems", "lỗi khi đọc tệp từ ổ đĩa"),
    Reason.EMPTY_FILE: QT_TRANSLATE_NOOP("SettingsProblems", "tệp trống"),
    Reason.FILE_MISSING: QT_TRANSLATE_NOOP("SettingsProblems", "không tìm thấy tệp"),
    Reason.OTHER: QT_TRANSLATE_NOOP("SettingsProblems", "không hợp lệ"),
})


def _cause(problem: SettingsProblem) -> str:
    if problem.kind is ProblemKind.MISSING:
        return translate("SettingsProblems", "Không tìm thấy tệp cấu hình")
    if problem.kind is ProblemKind.EMPTY:
        return translate("SettingsProblems", "Tệp cấu hình trống")
    if problem.line is not None:
        return tr_args(translate("SettingsProblems", "Tệp cấu hình có lỗi ở dòng %1 (%2)"), str(problem.line),
                     reason_text(problem.code))
    return tr_args(translate("SettingsProblems", "Không đọc được tệp cấu hình (%1)"), reason_text(problem.code))


def settings_problem_text(problem: SettingsProblem, path: Path | None = None) -> str:
    """One problem in words.

    ``path``: the settings file the running app loaded; then a problem with the whole file also
    says what the app runs on instead and what to do.  Without it (a text checked before it is
    saved), such a problem is only its cause.
    """
    if problem.kind.whole_file:
        cause = _cause(problem)
        if path is None:
            return cause + "."
        if problem.fallback is Fallback.LAST_GOOD and problem.last_good_on is not None:
            text = translate("SettingsProblems", "%1; đang dùng cấu hình hợp lệ gần nhất (%2). "
                                      "Hãy sửa tệp %3 rồi mở lại ứng dụng.")
            return tr_args(text, cause, format_date(problem.last_good_on), str(path))
        text = translate("SettingsProblems", "%1; đang dùng cấu hình mặc định nên ứng dụng không theo dõi được "
                                             "phần mềm PMV. Hãy sửa tệp %2 rồi mở lại ứng dụng, hoặc gọi %3.")
        return tr_args(text, cause, str(path), HOTLINE)
    return _value_problem_text(problem) + (_fix_the_file(path) if path is not None else "")


def _fix_the_file(path: Path) -> str:
    """What to do about one entry's problem: the app goes on, but only a fixed file stops the warning."""
    return " " + tr_args(translate("SettingsProblems", "Hãy sửa mục này trong tệp %1."), str(path))


def _value_problem_text(problem: SettingsProblem) -> str:
    if problem.kind is ProblemKind.UNKNOWN_KEY:
        text = translate("SettingsProblems", "Mục cấu hình không xác định “%1” đã được bỏ qua (có thể gõ sai tên).")
        return tr_args(text, problem.key or "")
    if problem.code is Reason.MISSING_VALUE:
        text = translate("SettingsProblems", "Thiếu mục cấu hình bắt buộc “%1”; phần cấu hình chứa nó đã được bỏ qua.")
        return tr_args(text, problem.key or "")
    value = str(problem.value)
    value = value if len(value) <= 60 else value[:57] + "…"
    if problem.fallback is Fallback.LAST_GOOD and problem.last_good_on is not None:
        text = translate("SettingsProblems", "Mục cấu hình “%1” có giá trị “%2” %3. Đang dùng giá trị hợp lệ gần "
                                             "nhất (%4).")
        return tr_args(text, problem.key or "", value, reason_text(problem.code), format_date(problem.last_good_on))
    text = translate("SettingsProblems", "Mục cấu hình “%1” có giá trị “%2” %3. Đang dùng giá trị mặc định.")
    return tr_args(text, problem.key or "", value, reason_text(problem.code))


def settings_problem_list(problems: Sequence[SettingsProblem]) -> str:
    """Problems found in a text before it is saved, one bullet a line."""
    return "\n".join(f"• {settings_problem_text(problem)}" for problem in problems)


def settings_banners(loaded: LoadedSettings) -> list[Banner]:
    """One banner per problem; red when the app runs on defaults because the file could not be used."""
    banners = []
    for problem in loaded.problems:
        unwatched = problem.kind.whole_file and loaded.source is Source.DEFAULTS
        banners.append(Banner(settings_problem_text(problem, loaded.path),
                              Level.CRITICAL if unwatched else Level.WARNING))
    return banners
