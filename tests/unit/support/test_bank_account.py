"""Where account numbers are found; what they are replaced with is tested in test_redaction.

Length bounds: Vietnamese banks use roughly 9 to 16 digits for an account
("thường có 9 – 15 chữ số", https://thongtinnganhang.vn/tai-khoan-ngan-hang;
Techcombank up to 16, HDBank 6 or 15,
https://vi.phongnhaexplorer.com/hoi-dap/ngan-hang/so-tai-khoan-vcb-co-bao-nhieu-so.html),
so an unlabelled number beside a bank's name must have 9–16 digits.  After a
label (STK, số tài khoản) 6–19: HDBank's 6-digit accounts up to card numbers
(ISO/IEC 7812: up to 19 digits), while ledger accounts of the Vietnamese chart
of accounts (Thông tư 200/2014/TT-BTC: 3–4 digits, 5 for a sub-account) stay.
"""

from __future__ import annotations

import pytest

from app.support.bank_account import AccountMatch, find_bank_accounts


def found(text: str) -> list[str]:
    return [text[m.start : m.end] for m in find_bank_accounts(text)]


@pytest.mark.parametrize(
    ("digits", "hidden"),
    [(8, False), (9, True), (13, True), (16, True), (17, False)],
)
def test_beside_a_bank_name_an_account_has_9_to_16_digits(digits: int, hidden: bool) -> None:
    number = "1" + "2" * (digits - 1)
    assert found(f"Vietcombank {number}") == ([number] if hidden else [])
    assert found(f"{number} BIDV") == ([number] if hidden else [])


@pytest.mark.parametrize(
    ("digits", "hidden"),
    [(5, False), (6, True), (19, True), (20, False)],
)
def test_after_a_label_an_account_has_6_to_19_digits(digits: int, hidden: bool) -> None:
    number = "1" + "2" * (digits - 1)
    assert found(f"STK: {number}") == ([number] if hidden else [])


def test_a_match_says_how_it_was_found_and_its_digits() -> None:
    text = "STK 0071 000 123456; VCB 1500.2051.23456"
    assert find_bank_accounts(text) == [
        AccountMatch(4, 19, "0071000123456", True),
        AccountMatch(25, 40, "1500205123456", False),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one kind of separator per number; a group that heads another number is not taken
        ("STK 0071 000 123456 20.000.000 đ", ["0071 000 123456"]),
        ("STK 0071000123456 20 chỉ", ["0071000123456"]),  # a long run stands alone
        ("STK 0071.000.123456-1", []),  # glued to more digits: not a clean number
        ("HD-2026-0001234567 Vietcombank", []),  # part of an invoice code
        ("VCB0071000123456, 0071000123456VCB", ["0071000123456", "0071000123456"]),  # glued to the name: beside it
        ("Vietcombank: chuyển 0071000123456", []),  # a word between that is not a connector
        # a bare "account" key
        ("account=0071000123456, account: 0071 000 123456", ["0071000123456", "0071 000 123456"]),
        ("account=thungan01, account 12345", []),  # a login, and too short for a bank's
    ],
)
def test_number_boundaries(text: str, expected: list[str]) -> None:
    assert found(text) == expected
