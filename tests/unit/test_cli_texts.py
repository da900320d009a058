"""The command line's catalogue: both languages for every code, the same placeholders, one line each."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import re
import string
from pathlib import Path

import pytest

from app import APP_ID, HOTLINE
from app.cli_texts import (
    ENGLISH_ONE,
    MESSAGES,
    Msg,
    interface_language,
    line,
    os_reason,
    requested_language,
    say,
    start_failure,
    usage_message,
)

VIETNAMESE_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_has_both_languages_with_the_same_placeholders_on_one_line(code: str) -> None:
    vi, en = MESSAGES[code]
    assert vi.strip() and en.strip()
    assert _fields(vi) == _fields(en), code
    assert "\n" not in vi + en and "\r" not in vi + en
    for language in ("vi", "en"):  # every placeholder filled, nothing else: it formats
        say(code, language, **{name: "x" for name in _fields(vi) - {"hotline", "app"}})
    words = re.sub(r"\{[a-z_]+\}", "", vi)
    if re.search(r"[a-z]{3}", words, re.I):  # a sentence, not just placeholders and punctuation
        assert VIETNAMESE_LETTERS.search(vi), f"{code}: the Vietnamese text has no Vietnamese letters: {vi!r}"
        assert vi != en, code


def test_every_code_of_the_domain_enums_is_worded() -> None:
    """A new enum value must get its words here (a test, rather than a fallback nobody notices)."""
    from app.devices.labels import JewelleryTag, TransportErrorKind, VerifyProblem
    from app.infra.settings import Reason
    from app.setup.pos_proof import ProofProblem
    from app.storage.errors import StorageFailure
    from app.support.vendor_api import ApiFailure
    from app.updates.targets import UpdateErrorKind
    from pmv_protocol.contract import ContractProblem

    prefixes = {"update_": UpdateErrorKind, "contract_": ContractProblem, "api_": ApiFailure,
                "transport_": TransportErrorKind, "verify_": VerifyProblem, "storage_": StorageFailure,
                "settings_why_": Reason, "setup_proof_": ProofProblem}
    missing = [prefix + member.value for prefix, enum in prefixes.items() for member in enum
               if prefix + member.value not in MESSAGES]
    tag_fields = {f.name for f in dataclasses.fields(JewelleryTag)} - {"shop_name"}  # the CLI cannot set it
    missing += [f"field_{name}" for name in sorted(tag_fields | {"count"}) if f"field_{name}" not in MESSAGES]
    assert missing == []


def test_a_message_is_said_in_the_chosen_language_with_nested_messages_and_one_line() -> None:
    message = Msg.of("contract_refused", path="/tmp/hợp đồng.json", reason=Msg("contract_malformed"),
                     kept=Msg("contract_none_kept"))
    vi = say(message, "vi")
    assert vi == ("Không nhận hợp đồng trong /tmp/hợp đồng.json: tệp này không phải là hợp đồng của Phần Mềm Vàng. "
                  "Máy này vẫn chưa có hợp đồng; hãy xin nhà cung cấp tệp đúng hoặc gọi 1900 6037.")
    assert say(message, "en").startswith("The contract in /tmp/hợp đồng.json was refused: this file is not")
    assert say("demo_failed", "vi", detail="a\nb\r\nc") == "Không tạo được cửa hàng mẫu: a b c."
    assert line("error", Msg("token_empty"), "vi").startswith("pmv-support: lỗi: Mã cửa hàng trống")
    assert line("warning", "x", "en") == "pmv-support: warning: x"


# -- argparse: the table is built from argparse's own messages, produced by a real parser -------------------------

class _Caught(Exception):
    pass


class _Recording(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise _Caught(message)


def _refuse_any(_text: str) -> str:
    raise argparse.ArgumentTypeError("custom words")  # an app type's own message (already in its words)


def _argparse_message(argv: list[str]) -> str:
    parser = _Recording(prog="pmv-support")
    parser.add_argument("--lang", choices=["vi", "en"])
    parser.add_argument("--count", type=int)
    parser.add_argument("--flag", action="store_true")
    parser.add_argument("--today", type=_refuse_any)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true")
    group.add_argument("--nagios", action="store_true")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check")
    check.add_argument("file")
    where = check.add_mutually_exclusive_group(required=True)
    where.add_argument("--out")
    where.add_argument("--send")
    sub.add_parser("chart")
    with pytest.raises(_Caught) as caught:
        parser.parse_args(argv)
    return str(caught.value)


@pytest.mark.parametrize("argv, vietnamese", [
    (["--lang", "fr"], "--lang không nhận 'fr'; hãy chọn một trong: 'vi', 'en'."),
    (["nope"], "Không có lệnh 'nope'; các lệnh có: 'check', 'chart'."),
    (["--count", "x"], "--count cần một số nguyên, không phải 'x'."),
    (["--today", "x"], "--today: custom words."),
    (["--lang"], "--lang cần một giá trị đi kèm."),
    (["--json", "--nagios"], "Không dùng --nagios cùng với --json; hãy chọn một."),
    (["--flag=1"], "--flag không nhận giá trị ('1'); hãy bỏ giá trị đó."),
    (["check", "--out", "x"], "Thiếu file; hãy thêm vào lệnh."),
    (["check", "f"], "Cần một trong các tùy chọn --out --send."),
    (["--bogus"], "Không hiểu --bogus; hãy bỏ hoặc sửa lại."),
])
def test_argparse_messages_are_reworded(argv: list[str], vietnamese: str) -> None:
    text = usage_message(_argparse_message(argv), "pmv-support", "vi")
    assert text == f"{vietnamese} Xem hướng dẫn: pmv-support --help"


def test_an_ambiguous_option_and_an_unknown_message_still_make_one_line() -> None:
    parser = _Recording(prog="p")
    parser.add_argument("--count")
    parser.add_argument("--config")
    with pytest.raises(_Caught) as caught:
        parser.parse_args(["--co", "1"])
    assert usage_message(str(caught.value), "p", "vi").startswith("--co có thể là --count, --config")
    assert usage_message("something new", "p", "en") == "Invalid command: something new. See p --help"


# -- the language ------------------------------------------------------------------------------------------------

def test_the_language_is_lang_anywhere_then_the_settings_then_vietnamese(tmp_path: Path) -> None:
    assert requested_language(["check", "--lang", "en"]) == "en"
    assert requested_language(["--lang=en", "check"]) == "en"
    assert requested_language(["label", "--lang", "zpl"]) is None  # the printer's language
    settings = tmp_path / "settings.toml"
    settings.write_text('language = "en"\n', encoding="utf-8")
    assert interface_language(["--config", str(settings), "check"]) == "en"
    assert interface_language(["--config", str(settings), "--lang", "vi", "check"]) == "vi"
    assert interface_language(["check"]) == "vi"
    assert interface_language(["--config", str(tmp_path / "missing.toml")]) == "vi"


# -- the operating system's refusals (errno values: POSIX, as Python's errno module names them) ---------------------

@pytest.mark.parametrize("number, vi", [
    (errno.EROFS, "ổ đĩa chỉ cho phép đọc"),
    (errno.EACCES, "không có quyền"),
    (errno.ENOSPC, "ổ đĩa đã đầy"),
    (errno.ENOENT, "không tồn tại"),
])
def test_os_errors_are_said_in_words(number: int, vi: str) -> None:
    assert say(os_reason(OSError(number, "English text", "/x")), "vi") == vi
    assert say(os_reason(OSError(errno.EIO, "Input/output error")), "vi") == "Input/output error"


def test_a_start_failure_names_the_file_in_words() -> None:
    from app.storage.errors import StorageError, StorageFailure

    text = say(start_failure(OSError(errno.EROFS, "x", "/data/logs/a.log")), "vi")
    assert text.startswith("Không dùng được thư mục dữ liệu của phần mềm (/data/logs/a.log: ổ đĩa chỉ cho phép đọc)")
    stored = say(start_failure(StorageError(StorageFailure.NEWER_SCHEMA, Path("/d/db.sqlite3"), "revision 0099")), "en")
    assert stored.startswith("The data (/d/db.sqlite3) was written by a newer version")
    # A full disk said as one, not as "cannot_open: …: disk I/O error" (SQLite's words stay in the log).
    full = say(start_failure(StorageError(StorageFailure.DISK_FULL, Path("/d/db.sqlite3"), "database or disk is full")),
               "vi")
    assert full.startswith("Ổ đĩa chứa dữ liệu của phần mềm (/d/db.sqlite3) đã đầy") and "database" not in full


@pytest.mark.parametrize("code", sorted(ENGLISH_ONE))
def test_a_count_of_one_takes_the_english_singular(code: str) -> None:
    """English grammar (CLDR plural rules: "one" is exactly 1, "other" every other number, 0 included);
    Vietnamese has one form."""
    counted, singular = ENGLISH_ONE[code]
    assert _fields(singular) == _fields(MESSAGES[code][1]) and singular != MESSAGES[code][1]
    values = {name: "x" for name in _fields(singular) - {"hotline", "app", counted}}
    assert say(code, "en", **values, **{counted: 1}) == singular.format(hotline=HOTLINE, app=APP_ID, **values,
                                                                          **{counted: 1})
    for many in (0, 2, 11):
        assert say(code, "en", **values, **{counted: many}) == MESSAGES[code][1].format(
            hotline=HOTLINE, app=APP_ID, **values, **{counted: many})
    assert say(code, "vi", **values, **{counted: 1}) == MESSAGES[code][0].format(hotline=HOTLINE, app=APP_ID,
                                                                                   **values, **{counted: 1})


def test_the_singular_reads_as_english_says_it() -> None:
    assert say("enrol_throttled", "en", minutes=1) == f"Too many wrong tries. Try again in 1 minute, or call {HOTLINE}."
    assert say("enrol_throttled", "en", minutes=3).startswith("Too many wrong tries. Try again in 3 minutes, or call")
    assert "(1 day ago)" in say("usb_stale", "en", expired="09/03/2026", days=1)
