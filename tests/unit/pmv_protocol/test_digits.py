"""``pmv_protocol.digits``: ASCII digits or nothing.

The cases that pass ``str.isdigit()`` and are still refused come from the Unicode character database: "²"
(U+00B2, Numeric_Type=Digit, which ``int()`` refuses), "①" (U+2460, likewise), "٣" (U+0663, Arabic-Indic,
Numeric_Type=Decimal, which ``int()`` would read as 3) and "３" (U+FF13, fullwidth, also Decimal).
"""

from __future__ import annotations

import pytest

from pmv_protocol.digits import ascii_digits, natural


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("7", 7), ("0042", 42), ("65535", 65535),
                                              ("9" * 30, int("9" * 30))])
def test_ascii_digits_are_read_as_their_number(text: str, number: int) -> None:
    assert ascii_digits(text)
    assert natural(text) == number


@pytest.mark.parametrize("text", ["", " 1", "1 ", "+1", "-1", "1.0", "1_000", "0x10", "²", "1²", "①", "٣", "３",
                                  "12٣"])
def test_anything_else_is_not_a_number(text: str) -> None:
    assert not ascii_digits(text)
    assert natural(text) is None


def test_the_refused_characters_are_the_ones_str_isdigit_lets_through() -> None:
    # What makes the module necessary: each of these passes str.isdigit().
    assert all(character.isdigit() for character in "²①٣３")
