"""Vietnamese number, money, date and gold-weight formatting.

These are conventions, not translations: a Vietnamese gold shop writes money
as ``20.000.000 ₫``, dates as ``dd/MM/yyyy`` and weights in chỉ/phân/ly
whatever language the menus are in.  Weights are kept as integer milligrams
everywhere in the app so sums never drift.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

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


def format_bytes(size: int) -> str:
    """``1536`` -> ``1,5 KB``: sizes for people, with the Vietnamese decimal comma."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def format_datetime(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M %d/%m/%Y")


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
