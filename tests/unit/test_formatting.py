from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.infra.formatting import (
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
    from app.infra.formatting import format_bytes

    assert [format_bytes(n) for n in (512, 1536, 5 * 1024**2 + 300 * 1024, 3 * 1024**3)] == [
        "512 B", "1,5 KB", "5,3 MB", "3,0 GB"]


# --- decimals: the Vietnamese comma, the English point ---------------------------------------------------------

@pytest.mark.parametrize(
    "value, digits, vi, en",
    [
        (2.1, 1, "2,1", "2.1"),  # the "2,1 ms", not "2.1 ms"
        (13.42, None, "13,42", "13.42"),  # as few decimals as the value needs
        (12.0, None, "12", "12"),
        (1.45, 1, "1,5", "1.5"),  # people round half up (f"{1.45:.1f}" gives 1.4: 1.45 is 1.4499… in binary)
        (1234.5, 1, "1.234,5", "1,234.5"),  # Vietnamese groups thousands with '.', English with ','
        (-0.04, 1, "0,0", "0.0"),  # never "-0,0"
        (25_000_000.0, None, "25.000.000", "25,000,000"),  # never "2.5e+07"
    ],
)
def test_decimals_take_the_comma_in_vietnamese_and_the_point_in_english(
    value: float, digits: int | None, vi: str, en: str
) -> None:
    from app.infra.formatting import format_decimal

    assert format_decimal(value, digits) == vi
    assert format_decimal(value, digits, decimal=".") == en


def test_sizes_in_english_keep_the_point() -> None:
    from app.infra.formatting import format_bytes

    assert format_bytes(1536, decimal=".") == "1.5 KB" and format_bytes(1536) == "1,5 KB"


# --- shop time ---------------------------------------------------------------------------------------------------

def test_the_shop_zone_is_the_tz_databases_asia_ho_chi_minh() -> None:
    """The fixed UTC+7 offset agrees with the IANA tz database (tzdata's 'asia' file: Asia/Ho_Chi_Minh has been
    +07 without daylight saving since 13 June 1975) at instants across the years and seasons the app meets."""
    from zoneinfo import ZoneInfo

    from pmv_protocol.shop_time import SHOP_TZ, SHOP_TZ_NAME, shop_time

    iana = ZoneInfo(SHOP_TZ_NAME)
    assert SHOP_TZ_NAME == "Asia/Ho_Chi_Minh"
    for year in (1990, 2010, 2025, 2026, 2040):
        for month in (1, 3, 7, 10, 12):  # either side of other zones' DST switches
            moment = dt.datetime(year, month, 15, 17, 30, tzinfo=dt.UTC)
            assert shop_time(moment).utcoffset() == moment.astimezone(iana).utcoffset() == dt.timedelta(hours=7)
            assert shop_time(moment).replace(tzinfo=None) == moment.astimezone(iana).replace(tzinfo=None)
    assert SHOP_TZ.utcoffset(None) == dt.timedelta(hours=7)


@pytest.mark.parametrize(
    "moment, shown, day",
    [
        # 17:30 UTC is 00:30 the next day in the shop: the date turns over there first.
        (dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC), "00:30 26/11/2026", dt.date(2026, 11, 26)),
        # The same instant written in New York's zone (EST, UTC-5) shows the same shop time.
        (dt.datetime(2026, 11, 25, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "00:30 26/11/2026",
         dt.date(2026, 11, 26)),
        # A naive time is the POS's own wall-clock time: shown as written.
        (dt.datetime(2026, 11, 25, 8, 30), "08:30 25/11/2026", dt.date(2026, 11, 25)),
    ],
)
def test_times_are_shown_in_shop_time_whatever_zone_they_come_in(
    moment: dt.datetime, shown: str, day: dt.date
) -> None:
    from app.infra.formatting import format_datetime, format_time
    from pmv_protocol.shop_time import shop_today

    assert format_datetime(moment) == shown
    assert format_time(moment) == shown[:5]
    assert shop_today(moment) == day


def test_the_pcs_zone_never_changes_a_shown_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Formatting an instant the way the pages do gives shop time with the PC set to New York or to Hà Nội."""
    import time

    from app.infra.formatting import format_datetime, format_time

    moment = dt.datetime(2026, 11, 25, 14, 52, 7, tzinfo=dt.UTC)
    shown = []
    for zone in ("America/New_York", "Asia/Ho_Chi_Minh", "UTC"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        try:
            local = moment.astimezone()  # what a page gets when it asks for "local" time: the PC's zone
            shown.append((format_datetime(local), format_time(local, seconds=True)))
        finally:
            monkeypatch.undo()
            time.tzset()
    assert shown == [("21:52 25/11/2026", "21:52:07")] * 3


def test_the_shop_zone_is_defined_in_one_place() -> None:
    """The issue found it defined six times: now pmv_protocol/shop_time.py holds it and the rest import it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    definition = re.compile(r"timedelta\(\s*hours\s*=\s*7\s*\)|[\"']Asia/Ho_Chi_Minh[\"']")
    found = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("app", "vendor_server", "pmv_protocol")
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if definition.search(line.split("#", 1)[0])
    ]
    assert found and all(spot.startswith("pmv_protocol/shop_time.py:") for spot in found), found
