from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.formatting import (
    chi_to_mg,
    format_date,
    format_grams,
    format_vnd,
    format_weight,
    group_thousands,
    mg_to_chi,
)


@pytest.mark.parametrize(
    "amount, text",
    [(0, "0 ₫"), (999, "999 ₫"), (20_000_000, "20.000.000 ₫"), (1_234_567_890, "1.234.567.890 ₫")],
)
def test_vnd_uses_dots_between_thousands(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


def test_negative_amounts_keep_their_sign() -> None:
    assert group_thousands(-1_500_000) == "-1.500.000"


def test_dates_are_day_month_year() -> None:
    assert format_date(dt.date(2026, 1, 5)) == "05/01/2026"


@pytest.mark.parametrize(
    "mg, text",
    [
        (3_750, "1 chỉ"),
        (375, "1 phân"),
        (0, "0 ly"),
        (4_688, "1 chỉ 2 phân 5 ly"),  # 1.25 chỉ
        (37_500, "1 lượng"),
        (37_500 + 2 * 3_750 + 3 * 375 + 131, "1 lượng 2 chỉ 3 phân 3,5 ly"),
    ],
)
def test_weights_read_in_luong_chi_phan_ly(mg: int, text: str) -> None:
    assert format_weight(mg) == text


def test_chi_conversions_are_exact() -> None:
    assert chi_to_mg("1") == 3_750
    assert chi_to_mg(Decimal("0.01")) == 38  # 1 ly = 37.5 mg, rounded half up
    assert mg_to_chi(37_500) == Decimal("10.0000")
    assert format_grams(3_750) == "3,750 g"


def test_format_bytes_uses_the_vietnamese_decimal_comma() -> None:
    from app.formatting import format_bytes

    assert [format_bytes(n) for n in (512, 1536, 5 * 1024**2 + 300 * 1024, 3 * 1024**3)] == [
        "512 B", "1,5 KB", "5,3 MB", "3,0 GB"]
