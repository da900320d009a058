"""Every certificate text in both languages, with the same placeholders and no line breaks (as app.cli_texts)."""

from __future__ import annotations

import string

import pytest

from app.warranty.certificate_texts import ENGLISH_ONE, INCLUDES, STATUS, TEXTS, join_items, text
from pmv_protocol.coverage import CoverageStatus


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_both_languages_say_it_with_the_same_placeholders(code: str) -> None:
    vi, en = TEXTS[code]
    assert vi.strip() and en.strip()
    assert fields(vi) == fields(en)
    assert "\n" not in vi + en


def test_every_status_and_include_has_words() -> None:
    assert set(STATUS) == set(CoverageStatus)
    assert all(code in TEXTS for code in [*STATUS.values(), *INCLUDES])


def test_vietnamese_unless_english() -> None:
    assert text("title", "vi") == "PHIẾU BẢO HÀNH PHẦN MỀM"
    assert text("title", "en") == "SOFTWARE WARRANTY CERTIFICATE"
    assert text("title", "fr") == "PHIẾU BẢO HÀNH PHẦN MỀM"  # a language we do not have: the document's own


@pytest.mark.parametrize("items, vi, en", [
    (["a"], "a", "a"), (["a", "b"], "a và b", "a and b"), (["a", "b", "c"], "a, b và c", "a, b and c")])
def test_lists_join_like_a_sentence(items, vi, en) -> None:
    assert join_items(items, "vi") == vi and join_items(items, "en") == en


def test_one_day_left_takes_the_english_singular() -> None:
    """English grammar (CLDR: "one" is exactly 1, 0 and 2 take the plural); Vietnamese has one form."""
    assert all(fields(singular) == fields(TEXTS[code][1]) for code, (_, singular) in ENGLISH_ONE.items())
    assert text("covered_value", "en", day="15/01/2027", days=1) == "15/01/2027 (1 day left)"
    assert text("covered_value", "en", day="15/01/2027", days=2) == "15/01/2027 (2 days left)"
    assert text("covered_value", "en", day="15/01/2027", days=0) == "15/01/2027 (0 days left)"
    assert text("covered_value", "vi", day="15/01/2027", days=1) == "15/01/2027 (còn 1 ngày)"
