"""GS1 check digits (published examples, verified by hand) and item codes."""

from __future__ import annotations

import pytest

from app.devices.check_digits import (
    PURITIES,
    ItemCode,
    Symbology,
    complete_gtin,
    gtin_check_digit,
    is_item_code,
    is_valid_gtin,
    item_code,
    parse_item_code,
    symbology_of,
)

# Weighted sums worked out on paper (weights 3,1,3,... from the right of the body).
VALID = [
    "4006381333931",  # EAN-13, sum 89 -> 1
    "5901234123457",  # EAN-13 (GS1 example), sum 83 -> 7
    "8934567890120",  # EAN-13 on the test sheet (893 = Vietnam), sum 120 -> 0
    "036000291452",  # UPC-A, sum 58 -> 2
    "96385074",  # EAN-8, sum 86 -> 4
    "10614141000415",  # GTIN-14, sum 55 -> 5
    "106141411234567897",  # SSCC-18, sum 143 -> 7
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code: str) -> None:
    assert gtin_check_digit(code[:-1]) == int(code[-1])
    assert complete_gtin(code[:-1]) == code
    assert is_valid_gtin(code)


@pytest.mark.parametrize("code", VALID)
def test_every_single_digit_error_is_caught(code: str) -> None:
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                assert not is_valid_gtin(code[:position] + digit + code[position + 1:])


@pytest.mark.parametrize("bad", ["", "12a4", "８９３", "²34", " 893"])
def test_check_digit_needs_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        gtin_check_digit(bad)


@pytest.mark.parametrize("code", ["", "1234567", "123456789012345", "PMV999900001", "89345678901２0"])
def test_not_a_gtin(code: str) -> None:
    assert not is_valid_gtin(code)


@pytest.mark.parametrize(("code", "expected"), [
    ("8934567890120", Symbology.EAN13), ("96385074", Symbology.EAN8),
    ("036000291452", Symbology.UPCA), ("10614141000415", Symbology.GTIN14),
    ("106141411234567897", Symbology.SSCC18),
    ("8934567890121", Symbology.CODE39),  # wrong check digit: not an EAN-13
    ("PMV-TEST-39", Symbology.CODE39), ("PMV999900001", Symbology.CODE39),
    ("pmv999900001", Symbology.CODE128), ("PMV_1", Symbology.CODE128),
    ("Nhẫn vàng 24K", Symbology.QR), ("", None),
])
def test_symbology_guess(code: str, expected: Symbology | None) -> None:
    assert symbology_of(code) == expected


@pytest.mark.parametrize(("text", "parsed"), [
    ("PMV999900001", ItemCode("9999", 1)),
    ("PMV75000013", ItemCode("750", 13)),
    ("PMV99900001", ItemCode("999", 1)),
    ("PMV9812345", ItemCode("98", 12345)),
    ("PMV41799999", ItemCode("417", 99999)),
])
def test_item_codes(text: str, parsed: ItemCode) -> None:
    assert is_item_code(text)
    assert parse_item_code(text) == parsed
    assert item_code(parsed.purity, parsed.serial) == text


@pytest.mark.parametrize("text", [
    "pmv999900001",  # Caps Lock
    "PMV80000001",  # 800 is no purity the shop sells
    "PMV750001",  # serial too short (PMV99990001 would be fine: 999 + 90001)
    "PMV9999000011",  # too long
    "PMV 999900001", "PMV999900001\r", "PMV-999900001",
    "PMV9999OOOO1",  # letters O for zeros
    "Đ1234Â", "",
])
def test_not_item_codes(text: str) -> None:
    assert not is_item_code(text)
    assert parse_item_code(text) is None


def test_every_purity_round_trips() -> None:
    for purity in PURITIES:
        for serial in (0, 1, 12345, 99999):
            assert parse_item_code(item_code(purity, serial)) == ItemCode(purity, serial)
    with pytest.raises(ValueError):
        item_code("800", 1)
    with pytest.raises(ValueError):
        item_code("9999", 100000)
