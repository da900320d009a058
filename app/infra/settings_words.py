"""The settings file's problems (:class:`app.infra.settings.SettingsProblem`) in words, said once for everyone.

The window's banners and the technician's settings editor, and the settings health check's details (so the checks
page, its PDF and the history) all say a problem with these phrases, each in the language it shows
(:mod:`app.infra.phrase`).  The cause named is the real one: an unclosed quote is "a string is missing its closing
quote at line 9", never the parser's English, and never blamed on a backslash.  The command line words the same
codes in its own tables (``app/cli_texts.py``), as it runs without Qt's catalogue.
"""

from __future__ import annotations

from pathlib import Path

from app import HOTLINE
from app.infra.formatting import format_date
from app.infra.phrase import Phrase, say
from app.infra.settings import Fallback, SettingsProblem
from app.infra.settings_text import ProblemKind, Reason

# Why, as a phrase that follows "có lỗi ở dòng N (…)" or "có giá trị “x” …".
REASONS: dict[Reason, Phrase] = {
    Reason.WRONG_TYPE: say("SettingsProblems", "sai kiểu dữ liệu"),
    Reason.NOT_ALLOWED: say("SettingsProblems", "không phải giá trị được phép"),
    Reason.OUT_OF_RANGE: say("SettingsProblems", "nằm ngoài khoảng cho phép"),
    Reason.MISSING_VALUE: say("SettingsProblems", "thiếu mục bắt buộc"),
    Reason.BAD_URL: say("SettingsProblems", "địa chỉ phải bắt đầu bằng http:// hoặc https://"),
    Reason.BAD_PATH: say(
        "SettingsProblems", "đường dẫn không dùng được; với đường dẫn Windows hãy dùng dấu / hoặc dấu nháy đơn"),
    Reason.BAD_HOURS: say("SettingsProblems", "khoảng giờ viết sai (ví dụ đúng: 08:00-12:00)"),
    Reason.NOT_WRITABLE: say("SettingsProblems", "không ghi được vào thư mục này"),
    Reason.UNKNOWN_KEY: say("SettingsProblems", "tên mục không xác định"),
    Reason.UNTERMINATED_STRING: say("SettingsProblems", "chuỗi thiếu dấu nháy đóng"),
    Reason.CONTROL_CHARACTER: say("SettingsProblems", "chuỗi chứa ký tự điều khiển không được phép"),
    Reason.BAD_ESCAPE: say(
        "SettingsProblems", "dấu \\ không hợp lệ trong chuỗi (thường là đường dẫn Windows); hãy dùng dấu / "
                            "hoặc đặt đường dẫn trong dấu nháy đơn"),
    Reason.MISSING_BRACKET: say("SettingsProblems", "tên nhóm trong [ ] thiếu dấu ] đóng"),
    Reason.DUPLICATE_KEY: say("SettingsProblems", "một mục được khai báo hai lần"),
    Reason.DUPLICATE_TABLE: say("SettingsProblems", "một nhóm [ ] được khai báo hai lần"),
    Reason.BAD_VALUE: say(
        "SettingsProblems", "giá trị viết sai; chữ phải đặt trong dấu nháy kép, ví dụ \"PMV.exe\""),
    Reason.BAD_LINE: say("SettingsProblems", "dòng không có dạng tên = giá trị"),
    Reason.UNCLOSED_LIST: say("SettingsProblems", "danh sách [ ] hoặc nhóm { } thiếu dấu đóng"),
    Reason.NOT_UTF8: say(
        "SettingsProblems", "tệp không được lưu bằng mã UTF-8; hãy lưu lại với mã hóa UTF-8"),
    Reason.NO_ACCESS: say("SettingsProblems", "không có quyền đọc tệp"),
    Reason.READ_FAILED: say("SettingsProblems", "lỗi khi đọc tệp từ ổ đĩa"),
    Reason.EMPTY_FILE: say("SettingsProblems", "tệp trống"),
    Reason.FILE_MISSING: say("SettingsProblems", "không tìm thấy tệp"),
    Reason.OTHER: say("SettingsProblems", "không hợp lệ"),
}

_VALUE_SHOWN = 60  # characters of a refused value quoted back; a pasted paragraph would fill the banner


def reason_phrase(code: Reason) -> Phrase:
    return REASONS.get(code, REASONS[Reason.OTHER])


def file_cause(problem: SettingsProblem, *, with_reason: bool = True) -> Phrase:
    """What is wrong with the whole file, and where: "Tệp cấu hình có lỗi ở dòng 9 (chuỗi thiếu dấu nháy đóng)".

    Without the reason (``with_reason=False``) it fits the one line of a check's summary; the details say why.
    """
    kind, line = problem.kind, problem.line
    if kind is ProblemKind.MISSING:
        return say("SettingsProblems", "Không tìm thấy tệp cấu hình")
    if kind is ProblemKind.EMPTY:
        return say("SettingsProblems", "Tệp cấu hình trống")
    if not with_reason:
        if line is not None:
            return say("SettingsProblems", "Tệp cấu hình có lỗi ở dòng %1").fill(line)
        return say("SettingsProblems", "Không đọc được tệp cấu hình")
    if line is not None:
        return say("SettingsProblems", "Tệp cấu hình có lỗi ở dòng %1 (%2)").fill(line, reason_phrase(problem.code))
    return say("SettingsProblems", "Không đọc được tệp cấu hình (%1)").fill(reason_phrase(problem.code))


def problem_phrase(problem: SettingsProblem, path: Path | None = None) -> Phrase:
    """One problem as a sentence or two.

    ``path``: the settings file the running app loaded; then a problem with the whole file also says what the app
    runs on instead and what to do, and a refused value says which file to fix.  Without it (a text checked before
    it is saved, or a list under the file's name) a problem with the whole file is only its cause.
    """
    if problem.kind.whole_file:
        cause = file_cause(problem)
        if path is None:
            return say("SettingsProblems", "%1.", "a sentence").fill(cause)
        if problem.fallback is Fallback.LAST_GOOD and problem.last_good_on is not None:
            return say("SettingsProblems", "%1; đang dùng cấu hình hợp lệ gần nhất (%2). "
                                           "Hãy sửa tệp %3 rồi mở lại ứng dụng.").fill(
                cause, format_date(problem.last_good_on), str(path))
        return say("SettingsProblems", "%1; đang dùng cấu hình mặc định nên ứng dụng không theo dõi được "
                                       "phần mềm PMV. Hãy sửa tệp %2 rồi mở lại ứng dụng, hoặc gọi %3.").fill(
            cause, str(path), HOTLINE)
    value = _value_problem(problem)
    if path is None:
        return value
    # What to do about one entry: the app goes on, but only a fixed file stops the warning.
    return say("SettingsProblems", "%1 Hãy sửa mục này trong tệp %2.").fill(value, str(path))


def _value_problem(problem: SettingsProblem) -> Phrase:
    key = problem.key or ""
    if problem.kind is ProblemKind.UNKNOWN_KEY:
        return say("SettingsProblems", "Mục cấu hình không xác định “%1” đã được bỏ qua (có thể gõ sai tên).").fill(key)
    if problem.code is Reason.MISSING_VALUE:
        return say("SettingsProblems",
                   "Thiếu mục cấu hình bắt buộc “%1”; phần cấu hình chứa nó đã được bỏ qua.").fill(key)
    value = str(problem.value)
    value = value if len(value) <= _VALUE_SHOWN else value[:_VALUE_SHOWN - 3] + "…"
    if problem.fallback is Fallback.LAST_GOOD and problem.last_good_on is not None:
        return say("SettingsProblems", "Mục cấu hình “%1” có giá trị “%2” %3. Đang dùng giá trị hợp lệ gần "
                                       "nhất (%4).").fill(key, value, reason_phrase(problem.code),
                                                          format_date(problem.last_good_on))
    return say("SettingsProblems", "Mục cấu hình “%1” có giá trị “%2” %3. Đang dùng giá trị mặc định.").fill(
        key, value, reason_phrase(problem.code))
