"""Every Vietnamese text the console shows has its English (the console is Vietnamese first, English complete)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from app.health.model import Status  # the shop's check results, as the bundle carries them
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import coverage_on
from pmv_protocol.wire import Severity, SolutionKind, TicketStatus
from tests.helpers import contract_payload
from vendor_server.console import words
from vendor_server.console.admin_routes import PASSWORD_ERRORS, STAFF_ERRORS
from vendor_server.console.audit import Action, Outcome
from vendor_server.console.routes import REFUSAL_WORDS
from vendor_server.console.shop_routes import SHOP_ERRORS
from vendor_server.console.signing_routes import ERRORS
from vendor_server.console.ticket_routes import ERROR_WORDS
from vendor_server.console.web import TEMPLATES, render

CONSOLE = Path(words.__file__).parent


def _template_texts() -> set[str]:
    found: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\("([^"]+)"\)', text)) | set(re.findall(r"_\('([^']+)'\)", text))
    return found


def _code_texts() -> set[str]:
    """Words the routes hand to a page: refusals (PageRefused, refused pages) and sign-in errors."""
    found = set(REFUSAL_WORDS.values()) | set(ERROR_WORDS.values()) | set(ERRORS.values())
    found |= set(STAFF_ERRORS.values()) | set(PASSWORD_ERRORS.values()) | set(SHOP_ERRORS.values())
    for module in CONSOLE.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        found |= set(re.findall(r'PageRefused\(\d+,\s*"([^"]+)"', source))
    return found


def test_the_scan_finds_the_texts_it_should() -> None:
    # A broken pattern would find nothing and pass everything: these are known to be there.
    assert {"Hàng chờ", "Đăng nhập", "Trả lời cửa hàng"} <= _template_texts()
    assert "Tài khoản của bạn không có quyền làm việc này." in _code_texts()


@pytest.mark.parametrize("text", sorted(_template_texts() | _code_texts()))
def test_every_shown_text_has_its_english(text: str) -> None:
    assert text in words.ENGLISH, f"no English for {text!r} in vendor_server/console/words.py"
    english = words.ENGLISH[text]
    assert english.strip() and english != text


@pytest.mark.parametrize(("table", "codes"), [
    (words.STATUS, list(TicketStatus)), (words.SEVERITY, list(Severity)), (words.SOLUTION, list(SolutionKind)),
    (words.ACTION, [a.value for a in Action]), (words.OUTCOME, [o.value for o in Outcome]),
    (words.ROLE, ["agent", "technician", "admin"]), (words.COVERAGE, ["warranty", "maintenance", "expired"]),
    (words.CHECK_STATUS, [status.value for status in Status]),
])
def test_every_code_has_both_languages(table: dict, codes: list[str]) -> None:  # type: ignore[type-arg]
    for code in codes:
        vietnamese, english = table[code]
        assert vietnamese and english and vietnamese != english, code


def test_english_is_chosen_by_the_cookie_and_vietnamese_is_the_default() -> None:
    assert words.translator("vi")("Hàng chờ") == "Hàng chờ"
    assert words.translator("en")("Hàng chờ") == "Queue"
    assert words.status_name("solution_proposed", "en") == "Solution proposed"
    assert render is not None  # the pages render through the same translator (tests/integration/test_console_pages)


@pytest.mark.parametrize("days, english, vietnamese", [
    (1, "1 day left", "còn 1 ngày"), (2, "2 days left", "còn 2 ngày"), (0, "0 days left", "còn 0 ngày")])
def test_days_left_take_the_english_singular_for_one(days: int, english: str, vietnamese: str) -> None:
    """English grammar (CLDR: "one" is exactly 1, 0 and 2 take the plural); Vietnamese has one form."""
    contract = Contract.from_payload(contract_payload())
    day = next(dt.date(2026, 12, 1) + dt.timedelta(days=offset) for offset in range(60)
               if coverage_on(contract, dt.date(2026, 12, 1) + dt.timedelta(days=offset)).days_left == days)
    coverage = coverage_on(contract, day)
    assert words.coverage_text(coverage, "en").endswith(" · " + english)
    assert words.coverage_text(coverage, "vi").endswith(" · " + vietnamese)


@pytest.mark.parametrize("number, unit, english, vietnamese", [
    (1, "giờ", "1 hour", "1 giờ"), (8, "giờ", "8 hours", "8 giờ"), (0, "dòng", "0 lines", "0 dòng"),
    (1, "dòng", "1 line", "1 dòng"), (1, "sao", "1 star", "1 sao"), (5, "sao", "5 stars", "5 sao"),
    (1.0, "giờ bán hàng", "1 trading hour", "1 giờ bán hàng"), (1.5, "giờ bán hàng", "1.5 trading hours",
                                                                 "1.5 giờ bán hàng")])
def test_a_count_of_one_takes_the_english_singular(number: float, unit: str, english: str, vietnamese: str) -> None:
    """English grammar (CLDR plural rules: "one" is exactly 1, "other" every other number, 0 and 1.5 included)."""
    assert words.count_text(number, unit, "en") == english
    assert words.count_text(number, unit, "vi") == vietnamese


def test_no_template_puts_a_counted_unit_after_a_number_by_hand() -> None:
    """A unit of words.UNITS goes through count_text(), or English would say "1 hours"."""
    by_hand = re.compile(r"\}\}\s*\{\{\s*_\(\s*[\"'](" + "|".join(map(re.escape, words.UNITS)) + r")[\"']\s*\)")
    offenders = [path.name for path in TEMPLATES.glob("*.html") if by_hand.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
    assert "count_text(event.stars, \"sao\")" in (TEMPLATES / "ticket.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("size", "vietnamese", "english"), [
    # Vietnamese writes a decimal comma and groups thousands with "." (the project's rule for numbers, as the app
    # writes them); sizes count in binary multiples, as Windows Explorer shows a file's and a drive's size.
    (512, "512 B", "512 B"),
    (1536, "1,5 KB", "1.5 KB"),
    (12_884_901_888, "12,0 GB", "12.0 GB"),  # the disk the review saw as "12.0 / 237.0 GB" on a Vietnamese page
    (254_476_812_288, "237,0 GB", "237.0 GB"),
    (1_234_567_890_123_456, "1.122,8 TB", "1,122.8 TB"),
])
def test_sizes_are_written_as_each_language_writes_numbers(size: int, vietnamese: str, english: str) -> None:
    from vendor_server.console.web import size_text

    assert (size_text(size, "vi"), size_text(size, "en")) == (vietnamese, english)


@pytest.mark.parametrize(("page", "kept"), [
    ("/console/tickets/YC-2026-000001", True),
    ("/console/queue?severity=normal", True),
    ("/console/signin", False),  # never back to sign-in itself
    ("//evil.example/console/", False),  # another site (a browser reads // as a host)
    ("/console//evil.example", False),
    ("/console/\\\\evil.example", False),
    ("https://evil.example/console/queue", False),
    ("", False),
])
def test_signing_in_again_returns_only_to_a_console_page(page: str, kept: bool) -> None:
    """The page a session ended on comes back from a cookie, so it must never become an open redirect."""
    from vendor_server.console.web import console_page

    assert (console_page(page) == page) is kept
