"""The settings file as text: reading it, and why TOML refused it, as a code and a line number.

Standard library only, so the window's first paint (:mod:`app.infra.early_settings`) can use it
without loading pydantic.  The codes are data; the UI and the CLI turn them into words.

Why not just show tomllib's message: it is English, and its wording misleads a cashier or a
technician reading it on the till.  An unclosed quote, the commonest slip, is reported by
tomllib as ``Illegal character '\\n' (at line 9, column 12)`` (the end of the line is inside
the string), and one at the end of the file as ``Unterminated string (at end of document)``,
with no line at all.  The messages mapped here are every ``suffixed_err`` message of
CPython 3.11's ``tomllib/_parser.py``; a message not in the table still gets its line and
the code ``other``.
"""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Reason(enum.StrEnum):
    """Why the file, or one value in it, was refused (a ``str`` so the CLI can print or map it as is)."""

    # One value (pydantic), the rest of the file is used.
    WRONG_TYPE = "wrong_type"
    NOT_ALLOWED = "not_allowed"
    OUT_OF_RANGE = "out_of_range"
    MISSING_VALUE = "missing_value"  # a required key of an entry (a printer without a name)
    BAD_URL = "bad_url"
    BAD_PATH = "bad_path"
    BAD_HOURS = "bad_hours"
    NOT_WRITABLE = "not_writable"
    UNKNOWN_KEY = "unknown_key"
    # The whole file (TOML syntax, TOML 1.0: https://toml.io/en/v1.0.0).
    UNTERMINATED_STRING = "unterminated_string"  # a string without its closing " or '
    CONTROL_CHARACTER = "control_character"  # U+0000-U+001F (tab excepted) or U+007F inside a string
    BAD_ESCAPE = "bad_escape"  # a backslash TOML does not know, nearly always a Windows path in "…"
    MISSING_BRACKET = "missing_bracket"  # [table or [[array of tables without its closing bracket
    DUPLICATE_KEY = "duplicate_key"
    DUPLICATE_TABLE = "duplicate_table"
    BAD_VALUE = "bad_value"  # port = abc, a bad date, something after the value
    BAD_LINE = "bad_line"  # not "key = value", a [header] or a comment
    UNCLOSED_LIST = "unclosed_list"  # [1, 2 or {a = 1 never closed
    # The file itself.
    NOT_UTF8 = "not_utf8"  # TOML files must be UTF-8; Notepad's "Unicode" is UTF-16
    NO_ACCESS = "no_access"
    READ_FAILED = "read_failed"
    EMPTY_FILE = "empty_file"
    FILE_MISSING = "file_missing"
    OTHER = "other"


class ProblemKind(enum.Enum):
    UNREADABLE = "unreadable"  # the file exists but cannot be read or is not UTF-8
    SYNTAX = "syntax"  # not valid TOML
    EMPTY = "empty"  # nothing in it, where a good copy says there used to be (a save cut short)
    MISSING = "missing"  # gone, where a good copy says there used to be one
    INVALID_VALUE = "invalid_value"  # one key has a bad value
    UNKNOWN_KEY = "unknown_key"  # a key we do not know (often a typo); ignored

    @property
    def whole_file(self) -> bool:
        """Nothing in the file can be used."""
        return self in (ProblemKind.UNREADABLE, ProblemKind.SYNTAX, ProblemKind.EMPTY, ProblemKind.MISSING)


@dataclass(frozen=True)
class FileError:
    """Why the file as a whole cannot be used; ``detail`` is the library's English text, for logs."""

    kind: ProblemKind
    code: Reason
    line: int | None = None
    detail: str = ""


# tomllib's message (without the "(at …)" suffix) -> code, checked in order; from CPython 3.11's parser.
_TOML_MESSAGES: tuple[tuple[str, Reason], ...] = (
    (r"Unterminated string$", Reason.UNTERMINATED_STRING),
    (r"Illegal character '\\n'$", Reason.UNTERMINATED_STRING),  # one-line "…" string reaching the line's end
    (r"Found invalid character '\\n'$", Reason.UNTERMINATED_STRING),  # one-line '…' string, another ' later
    (r"Expected \"'\"$", Reason.UNTERMINATED_STRING),  # '… never closed in the rest of the file
    (r"Expected \"'''\"$", Reason.UNTERMINATED_STRING),
    (r"Illegal character ", Reason.CONTROL_CHARACTER),
    (r"Found invalid character ", Reason.CONTROL_CHARACTER),
    (r"Unescaped '\\' in a string$", Reason.BAD_ESCAPE),
    (r"Invalid hex value$", Reason.BAD_ESCAPE),  # "C:\Users": \U wants 8 hex digits
    (r"Escaped character is not a Unicode scalar value$", Reason.BAD_ESCAPE),
    (r"Expected '\]' at the end of a table declaration$", Reason.MISSING_BRACKET),
    (r"Expected '\]\]' at the end of an array declaration$", Reason.MISSING_BRACKET),
    (r"Cannot declare .* twice$", Reason.DUPLICATE_TABLE),
    (r"Cannot overwrite a value$", Reason.DUPLICATE_KEY),
    (r"Duplicate inline table key ", Reason.DUPLICATE_KEY),
    (r"Cannot redefine namespace ", Reason.DUPLICATE_KEY),
    (r"Cannot mutate immutable namespace ", Reason.DUPLICATE_KEY),
    (r"Invalid value$", Reason.BAD_VALUE),
    (r"Invalid date or datetime$", Reason.BAD_VALUE),
    (r"Expected newline or end of document after a statement$", Reason.BAD_VALUE),
    (r"Expected '=' after a key in a key/value pair$", Reason.BAD_LINE),
    (r"Invalid initial character for a key part$", Reason.BAD_LINE),
    (r"Invalid statement$", Reason.BAD_LINE),
    (r"Unclosed array$", Reason.UNCLOSED_LIST),
    (r"Unclosed inline table$", Reason.UNCLOSED_LIST),
)
# ``[shop] name`` when the file gives none: the settings model's default, and what the overview's first read
# (app.overview) shows before the model has loaded.
SHOP_NAME_DEFAULT = "Cửa hàng vàng"

_AT = re.compile(r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column \d+|end of document)\)$", re.DOTALL)
# A line that starts a statement, never a list's next value: a [header] or "key =".
_STATEMENT = re.compile(r"""^[ \t]*(\[|[A-Za-z0-9_\-"'.]+[ \t]*=)""")
# Finding the line of something left open at the end of the file parses the file's prefixes:
# cheap for a settings file, bounded for anything else.
_MAX_SCAN_LINES = 2000


def read_settings_text(path: Path) -> tuple[str | None, FileError | None]:
    """The file's text, or why it cannot be had; never raises for the file's sake."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None, FileError(ProblemKind.MISSING, Reason.FILE_MISSING)
    except PermissionError as exc:
        return None, FileError(ProblemKind.UNREADABLE, Reason.NO_ACCESS, detail=str(exc))
    except OSError as exc:
        return None, FileError(ProblemKind.UNREADABLE, Reason.READ_FAILED, detail=str(exc))
    return decode_settings(raw)


def decode_settings(raw: bytes) -> tuple[str | None, FileError | None]:
    """UTF-8, with or without the BOM older Notepads write; UTF-16 (Notepad's "Unicode") is refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, FileError(ProblemKind.UNREADABLE, Reason.NOT_UTF8, 1, "UTF-16 byte-order mark")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, FileError(ProblemKind.UNREADABLE, Reason.NOT_UTF8, line, str(exc))


def parse_settings_text(text: str) -> tuple[dict[str, Any] | None, FileError | None]:
    """The TOML table, or the syntax error as a code and the line to look at."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        code, line = toml_error(exc, text)
        return None, FileError(ProblemKind.SYNTAX, code, line, str(exc))


def toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[Reason, int | None]:
    """The code and line of a tomllib error on ``text``."""
    message, line = _split(exc)
    code = _code(message)
    if line is None:
        return code, _line_left_open(text)
    if code is Reason.BAD_VALUE:
        opened = _list_left_open(text, line)
        if opened is not None:
            return Reason.UNCLOSED_LIST, opened
    return code, line


def _code(message: str) -> Reason:
    return next((reason for pattern, reason in _TOML_MESSAGES if re.match(pattern, message)), Reason.OTHER)


def _list_left_open(text: str, line: int) -> int | None:
    """Where a list began that was never closed, when that is why ``line`` was refused.

    A TOML list may span lines, so after ``ports = ["COM3",`` tomllib reads the next line,
    ``[vendor]`` or ``name = "x"``, as the list's next value and refuses *that* line.  When the
    refused line is such a header or ``key =`` line and the lines before it end inside
    something still open, the fault is the opening line.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    if not 1 < line <= len(lines) or not _STATEMENT.match(lines[line - 1]):
        return None
    before = "\n".join(lines[: line - 1])
    try:
        tomllib.loads(before)
    except tomllib.TOMLDecodeError as exc:
        if _split(exc)[1] is None:  # open at the end of the lines before
            return _line_left_open(before)
    return None


def _split(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    # Python 3.14 gives msg and lineno as attributes; 3.11-3.13 only the formatted text.
    message, lineno = getattr(exc, "msg", None), getattr(exc, "lineno", None)
    if isinstance(message, str) and isinstance(lineno, int):
        at_end = getattr(exc, "pos", -1) >= len(getattr(exc, "doc", ""))
        return message, None if at_end else lineno
    match = _AT.match(str(exc))
    if match is None:
        return str(exc), None
    return match["msg"], int(match["line"]) if match["line"] else None


def _line_left_open(text: str) -> int | None:
    """The line where whatever was still open at the end of the file began.

    tomllib reports "at end of document" for a string, list or table left open.  Every prefix
    of the file that stops before that line parses (if nothing else is wrong), and every
    prefix that includes it fails: the line after the longest prefix that parses is the one.
    """
    text = text.replace("\r\n", "\n")  # as tomllib counts lines
    lines = text.split("\n")
    if len(lines) > _MAX_SCAN_LINES:
        return None
    for count in range(len(lines) - 1, -1, -1):
        try:
            tomllib.loads("\n".join(lines[:count]))
        except tomllib.TOMLDecodeError:
            continue
        return count + 1
    return 1
