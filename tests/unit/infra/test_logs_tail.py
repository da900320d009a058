"""How the tail of a log file is decoded: a POS log may be UTF-8 (composed or not) or Windows-1258.

The tail goes into crash reports and support bundles, where it is redacted: text decoded wrong (mojibake, or
letters split from their tone marks) hides customers' names from the rules that find them.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from app.infra.logs import tail
from app.support.redaction import redact_text

LINE = "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị Lan mua 2 chỉ, tổng 20.000.000 ₫"
REDACTED = "2026-11-24 10:12:44 INFO  Khách Nguyễn Thị L*** mua 2 chỉ, tổng 20.000.000 ₫"
# Windows-1258 has no precomposed letter for most toned vowels: a program writes the base letter (a, â, ơ...)
# then one of five combining tone marks (bytes CC, EC, DE, D2, F2).
TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` as a Windows-1258 program writes it: a letter the code page has, else its base and tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            marks = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONES))
            out += (base + "".join(c for c in marks if c in TONES)).encode("cp1258")
    return bytes(out)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "pos.log"
    path.write_bytes(data)
    return path


def test_a_windows_1258_log_reads_as_composed_vietnamese(tmp_path: Path) -> None:
    data = cp1258(LINE) + b"\r\n" + cp1258("Người mua: Trần Văn Hùng") + b"\r\n"
    assert b"\xde" in data and b"\xf2" in data  # tones written as combining marks, as such a program does
    text = tail(write(tmp_path, data))
    assert text == f"{LINE}\nNgười mua: Trần Văn Hùng"
    assert redact_text(text).text == f"{REDACTED}\nNgười mua: Trần Văn H***"


def test_a_decomposed_utf8_log_reads_composed(tmp_path: Path) -> None:
    text = tail(write(tmp_path, (unicodedata.normalize("NFD", LINE) + "\n").encode("utf-8")))
    assert text == LINE
    assert redact_text(text).text == REDACTED


def test_each_line_is_decoded_on_its_own(tmp_path: Path) -> None:
    # A POS upgraded from a Windows-1258 build to a UTF-8 one: the same file holds both.
    data = cp1258("Khách Lê Văn Tám") + b"\r\n" + (LINE + "\n").encode("utf-8")
    assert tail(write(tmp_path, data)) == f"Khách Lê Văn Tám\n{LINE}"


def test_a_utf8_line_with_a_stray_byte_stays_utf8(tmp_path: Path) -> None:
    # One damaged byte (a crash mid-write) must not turn a UTF-8 line into Windows-1258 mojibake, which would
    # hide the name in it from redaction.
    data = LINE.encode("utf-8") + b" \xff\n"
    text = tail(write(tmp_path, data))
    assert text == f"{LINE} \ufffd"
    assert "L***" in redact_text(text).text


def test_a_tail_that_starts_inside_a_character_drops_its_remains(tmp_path: Path) -> None:
    # tail() reads the last 64,000 bytes; that can start in the middle of a 3-byte UTF-8 letter.
    head = ("x" + "ễ" * 40_000 + "\n").encode("utf-8")
    data = head + (LINE + "\r\n").encode("utf-8")
    assert (len(data) - 64_000 - len("x")) % 3 != 0  # the cut falls inside an "ễ"
    text = tail(write(tmp_path, data))
    first, last = text.split("\n")
    assert set(first) == {"ễ"} and last == LINE


def test_an_unreadable_file_gives_an_empty_tail(tmp_path: Path) -> None:
    assert tail(tmp_path / "missing.log") == ""
