"""Vietnamese number, money, date and gold-weight formatting, and the shop's time zone.

These are conventions, not translations: a Vietnamese gold shop writes money
as ``20.000.000 ₫``, dates as ``dd/MM/yyyy`` and weights in chỉ/phân/ly
whatever language the menus are in.  Weights are kept as integer milligrams
everywhere in the app so sums never drift.  Decimals take the Vietnamese
comma (``2,1 ms``) in Vietnamese text; the English interface passes
``decimal="."``.

Every time the app shows is shop time (:data:`pmv_protocol.shop_time.SHOP_TZ`), whatever zone the
PC is set to: :func:`format_datetime` and :func:`format_time` convert aware
datetimes themselves, so a caller cannot show the PC's zone by mistake.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from pmv_protocol.shop_time import shop_time

MG_PER_LUONG = 37_500
MG_PER_CHI = 3_750
MG_PER_PHAN = 375
# 1 ly = 37.5 mg: kept as a Decimal so conversions stay exact.
MG_PER_LY = Decimal("37.5")


def group_thousands(value: int) -> str:
    """``1234567`` -> ``1.234.567`` (Vietnamese uses '.' between thousands)."""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def format_vnd(amount: int) -> str:
    return f"{group_thousands(amount)} ₫"


def format_decimal(value: float, digits: int | None = 1, *, decimal: str = ",") -> str:
    """``2.1`` -> ``2,1``; ``1234.5`` -> ``1.234,5``: a number for people, in Vietnamese by default.

    ``digits``: decimals kept (rounded half up, as people round); ``None``: as few as the value needs
    (``12`` -> ``12``, ``12.5`` -> ``12,5``).  ``decimal="."`` gives the English form (``1,234.5``).
    """
    number = Decimal(str(value))
    if digits is not None:
        number = number.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 and number != 0 else ""  # -0,0 reads as 0,0
    whole, _, frac = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", "." if decimal == "," else ",")
    return sign + grouped + (decimal + frac if frac else "")


def format_bytes(size: int, *, decimal: str = ",") -> str:
    """``1536`` -> ``1,5 KB``: sizes for people, with the Vietnamese decimal comma by default."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if unit == "B" else format_decimal(value, 1, decimal=decimal)
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def clipped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with "…"; one line of a log can be a whole invoice."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def format_datetime(moment: dt.datetime) -> str:
    """``21:52 25/11/2026``, in shop time whatever zone ``moment`` is in."""
    return shop_time(moment).strftime("%H:%M %d/%m/%Y")


def format_time(moment: dt.datetime, *, seconds: bool = False) -> str:
    """``21:52`` (or ``21:52:07``), in shop time whatever zone ``moment`` is in."""
    return shop_time(moment).strftime("%H:%M:%S" if seconds else "%H:%M")


def chi_to_mg(chi: Decimal | int | str) -> int:
    return int((Decimal(str(chi)) * MG_PER_CHI).quantize(Decimal(1), ROUND_HALF_UP))


def mg_to_chi(mg: int) -> Decimal:
    return (Decimal(mg) / MG_PER_CHI).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def format_grams(mg: int) -> str:
    grams = (Decimal(mg) / 1000).quantize(Decimal("0.001"), ROUND_HALF_UP)
    whole, _, frac = f"{grams:f}".partition(".")
    return f"{group_thousands(int(whole))},{frac} g"


def format_weight(mg: int) -> str:
    """``4688`` mg -> ``1 chỉ 2 phân 5 ly`` (lượng appear from 10 chỉ up).

    Ly are shown to one decimal when needed (``3,5 ly``); zero parts are
    left out, except that a zero weight reads ``0 ly``.
    """
    tenth_ly = int((Decimal(mg) * 10 / MG_PER_LY).quantize(Decimal(1), ROUND_HALF_UP))
    luong, rest = divmod(tenth_ly, 10_000)
    chi, rest = divmod(rest, 1_000)
    phan, rest = divmod(rest, 100)
    ly_whole, ly_tenth = divmod(rest, 10)
    parts = []
    if luong:
        parts.append(f"{luong} lượng")
    if chi:
        parts.append(f"{chi} chỉ")
    if phan:
        parts.append(f"{phan} phân")
    if ly_whole or ly_tenth or not parts:
        parts.append(f"{ly_whole},{ly_tenth} ly" if ly_tenth else f"{ly_whole} ly")
    return " ".join(parts)
