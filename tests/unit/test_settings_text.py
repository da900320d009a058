"""Why a settings file is refused, as a code and the line to look at.

The table is built from two sources, named on each case:
- TOML 1.0.0, https://toml.io/en/v1.0.0 ("spec: <section>"): what is and is not valid TOML;
- CPython 3.11's tomllib (``Lib/tomllib/_parser.py``), the parser the app uses: the message it
  raises for each case ("tomllib: <message>"), which is what the mapping reads.  Where tomllib
  reports "(at end of document)", it gives no line; the expected line is still the one a person
  must fix.
Every bad line sits on line 9 of an otherwise good shop file, with good lines after it, unless
the case says otherwise.
"""

from __future__ import annotations

import tomllib

import pytest

from app.infra.settings_text import ProblemKind, Reason, decode_settings, parse_settings_text, toml_error

BEFORE = (
    "# Cấu hình PMV Support Assistant\n"  # 1
    'language = "vi"\n'  # 2
    "\n"  # 3
    "[shop]\n"  # 4
    'name = "Tiệm vàng Kim Phát"\n'  # 5
    'shop_id = "KP-0001"\n'  # 6
    "\n"  # 7
    "[pos]\n"  # 8
)
AFTER = "process_name = \"PMV.exe\"\nlogs_dir = 'D:/PMV/Logs'\n\n[vendor]\ntimeout_seconds = 15\n"
AFTER_NO_QUOTE = 'process_name = "PMV.exe"\n\n[vendor]\ntimeout_seconds = 15\n'  # no ' anywhere after line 9

SYNTAX_CASES = [
    # spec "String": basic strings are surrounded by quotation marks and must be on one line.
    # tomllib: Illegal character '\n' (at line 9, …) -- the message the old code blamed on a backslash.
    ("unclosed basic string", 'database = "C:/PMV/Data/pmv.db\n' + AFTER, Reason.UNTERMINATED_STRING, 9),
    # tomllib: Unterminated string (at end of document)
    ("unclosed basic string, last line", 'database = "C:/PMV/Data/pmv.db', Reason.UNTERMINATED_STRING, 9),
    # spec "String": literal strings are surrounded by single quotes and must be on one line.
    # tomllib: Found invalid character '\n' (another ' later in the file)
    ("unclosed literal string", "database = 'C:/PMV/Data/pmv.db\n" + AFTER, Reason.UNTERMINATED_STRING, 9),
    # tomllib: Expected "'" (at end of document)  (no ' later in the file)
    ("unclosed literal string, no quote after", "database = 'C:/PMV/Data/pmv.db\n" + AFTER_NO_QUOTE,
     Reason.UNTERMINATED_STRING, 9),
    # spec "String": multi-line basic strings are surrounded by three quotation marks.
    # tomllib: Unterminated string (at end of document)
    ("unclosed multi-line basic string", 'database = """C:/PMV\n' + AFTER, Reason.UNTERMINATED_STRING, 9),
    # tomllib: Expected "'''" (at end of document)
    ("unclosed multi-line literal string", "database = '''C:/PMV\n" + AFTER_NO_QUOTE, Reason.UNTERMINATED_STRING, 9),
    # spec "Table": headers are [name] on a line by themselves.
    # tomllib: Expected ']' at the end of a table declaration
    ("table header without ]", "[vendor\n" + AFTER, Reason.MISSING_BRACKET, 9),
    # spec "Array of Tables": [[name]].  tomllib: Expected ']]' at the end of an array declaration
    ("array of tables header without ]]", '[[devices.printers]\nname = "Tem vàng"\n', Reason.MISSING_BRACKET, 9),
    # spec "Keys": defining a key multiple times is invalid.  tomllib: Cannot overwrite a value (the second one)
    ("duplicate key", 'database = "a.db"\ndatabase = "b.db"\n' + AFTER, Reason.DUPLICATE_KEY, 10),
    # spec "Table": you cannot define a table more than once.  tomllib: Cannot declare ('shop',) twice
    ("duplicate table", '[shop]\nphone = "0901234567"\n', Reason.DUPLICATE_TABLE, 9),
    # spec "Keys"/"Values": a value must be a string, number, boolean, date-time, array or inline table.
    # tomllib: Invalid value
    ("bare word as a value", "timeout_seconds = abc\n" + AFTER, Reason.BAD_VALUE, 9),
    # spec "Keys": unspecified values are invalid.  tomllib: Invalid value
    ("key without a value", "database = \n" + AFTER, Reason.BAD_VALUE, 9),
    # spec "Local Date": 2026-13-01 is no date.  tomllib: Expected newline or end of document after a statement
    ("impossible date", "day = 2026-13-01\n" + AFTER, Reason.BAD_VALUE, 9),
    # spec "String": control characters other than tab (U+0000-U+0008, U+000A-U+001F, U+007F) must be escaped.
    # tomllib: Illegal character '\x01'
    ("control character in a basic string", 'database = "a\x01b"\n' + AFTER, Reason.CONTROL_CHARACTER, 9),
    # spec "String": control characters other than tab are not permitted in a literal string.
    # tomllib: Found invalid character '\x7f'
    ("DEL in a literal string", "database = 'a\x7fb'\n" + AFTER, Reason.CONTROL_CHARACTER, 9),
    # spec "String": escapes not listed are reserved and must produce an error -- the real backslash case.
    # tomllib: Unescaped '\' in a string  (\P is no escape)
    ("Windows path in double quotes", 'database = "C:\\PMV\\Data\\pmv.db"\n' + AFTER, Reason.BAD_ESCAPE, 9),
    # spec "String": \UXXXXXXXX wants eight hex digits.  tomllib: Invalid hex value  ("C:\Users")
    ("\\U of C:\\Users", 'database = "C:\\Users\\pmv.db"\n' + AFTER, Reason.BAD_ESCAPE, 9),
    # spec "Keys": a key is followed by = and a value.  tomllib: Expected '=' after a key in a key/value pair
    ("key and value without =", 'database "C:/PMV/pmv.db"\n' + AFTER, Reason.BAD_LINE, 9),
    # spec "Array": arrays may span lines, so tomllib refuses the *next* line (Invalid value, line 10);
    # the line to fix is the one that opened the list.
    ("list never closed", 'scanner_ports = ["COM3",\n' + AFTER, Reason.UNCLOSED_LIST, 9),
    # spec "Inline Table": must appear on a single line.  tomllib: Unclosed inline table
    ("inline table never closed", "x = {a = 1\n" + AFTER, Reason.UNCLOSED_LIST, 9),
]


@pytest.mark.parametrize("name, line9, code, line", SYNTAX_CASES, ids=[case[0] for case in SYNTAX_CASES])
def test_a_syntax_error_is_a_code_and_the_line_to_fix(name: str, line9: str, code: Reason, line: int) -> None:
    data, error = parse_settings_text(BEFORE + line9)
    assert data is None and error is not None
    assert (error.kind, error.code, error.line) == (ProblemKind.SYNTAX, code, line)
    assert error.detail  # tomllib's own words, kept for the log


@pytest.mark.parametrize("name, line9, code, line", SYNTAX_CASES, ids=[case[0] for case in SYNTAX_CASES])
def test_windows_line_endings_count_lines_the_same(name: str, line9: str, code: Reason, line: int) -> None:
    # spec "Spec": a newline is LF or CRLF; Notepad writes CRLF.
    error = parse_settings_text((BEFORE + line9).replace("\n", "\r\n"))[1]
    assert error is not None and (error.code, error.line) == (code, line)


def test_an_unclosed_quote_is_not_blamed_on_a_backslash() -> None:
    # tomllib's message for it contains "\n" (a backslash and an n): never read as a Windows path.
    with pytest.raises(tomllib.TOMLDecodeError) as raised:
        tomllib.loads('name = "Kim Phát\nphone = "1"\n')
    assert "\\" in str(raised.value)
    error = parse_settings_text('name = "Kim Phát\nphone = "1"\n')[1]
    assert error is not None and (error.code, error.line) == (Reason.UNTERMINATED_STRING, 1)


@pytest.mark.parametrize("text", [
    'database = "a\tb"\n',  # spec "String": tab is the one control character allowed unescaped
    'database = "C:\\new\\test.db"\n',  # \n and \t are valid escapes: app.infra.settings refuses the path instead
    "database = 'C:\\PMV\\Data\\pmv.db'\n",  # spec "String": literal strings have no escapes
    "",  # spec ABNF: toml = expression *( newline expression ); an expression may be empty
    "# only a comment\n",
])
def test_what_toml_accepts_is_not_a_syntax_error(text: str) -> None:
    data, error = parse_settings_text(BEFORE + text)
    assert error is None and data is not None


def test_a_message_not_in_the_table_keeps_its_line() -> None:
    # A future tomllib wording: the code is "other", the line is still read from "(at line N, column M)".
    exc = tomllib.TOMLDecodeError("Something new went wrong (at line 4, column 2)")
    assert toml_error(exc, "a = 1\n" * 5) == (Reason.OTHER, 4)


def test_python_3_14_attributes_are_used_when_present() -> None:
    # Python 3.14 docs (tomllib.TOMLDecodeError): attributes msg, doc, pos, lineno, colno.
    text = 'a = 1\nb = "x\nc = 2\n'
    exc = tomllib.TOMLDecodeError("formatted differently")  # only the attributes say what and where
    exc.msg, exc.doc, exc.pos, exc.lineno, exc.colno = "Illegal character '\\n'", text, 12, 2, 7  # type: ignore[attr-defined]
    assert toml_error(exc, text) == (Reason.UNTERMINATED_STRING, 2)


# spec "Spec": a TOML file must be a valid UTF-8 encoded Unicode document.
def test_utf8_with_or_without_notepads_byte_order_mark_is_read() -> None:
    assert decode_settings('name = "Kim Phát"\n'.encode()) == ('name = "Kim Phát"\n', None)
    assert decode_settings(b"\xef\xbb\xbf" + 'name = "Kim Phát"\n'.encode()) == ('name = "Kim Phát"\n', None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_notepads_unicode_is_utf16_and_refused_at_line_1(encoding: str) -> None:
    raw = 'name = "Kim Phát"\n'.encode(encoding)
    if encoding != "utf-16":
        raw = ("\ufeff".encode(encoding)) + raw  # Notepad writes the byte-order mark
    text, error = decode_settings(raw)
    assert text is None and error is not None
    assert (error.kind, error.code, error.line) == (ProblemKind.UNREADABLE, Reason.NOT_UTF8, 1)


def test_a_legacy_vietnamese_encoding_is_refused_at_its_line() -> None:
    # Windows-1258 (and the TCVN3 fonts' encodings) put bytes above 0x7F that are not UTF-8.
    raw = b'language = "vi"\n[shop]\n\nname = "Ti\xean v\xe0ng"\n'
    text, error = decode_settings(raw)
    assert text is None and error is not None and (error.code, error.line) == (Reason.NOT_UTF8, 4)
