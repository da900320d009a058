"""Code 128 for jewellery tags: the shortest symbol for an item code, as dot runs.

Why our own encoder rather than python-barcode's: the printer draws the
barcode itself (ZPL ``^BC`` in automatic mode, TSPL ``"128"``, EZPL ``BQ``),
choosing code sets to make the symbol as short as it can.  To decide
*before printing* whether a code fits a 30 mm tag head, and to render a PNG
with the very geometry the printer will draw, we need that same length.
Every Code 128 symbol character is 11 modules wide whichever code set it
comes from, so any two shortest encodings have the same width even where
they pick different code sets; a dynamic programme over {B, C} finds one.

Item codes are printable ASCII (see ``model.ITEM_CODE_PATTERN``), so code
set A (control characters) is never needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Bar/space widths (in modules) of symbol values 0..105 and the stop
# pattern, from ISO/IEC 15417 Table 1.  Each starts with a bar.
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232",
)
STOP_PATTERN = "2331112"

START_B = 104
START_C = 105
CODE_B = 100  # switch to code set B, when in code set C
CODE_C = 99  # switch to code set C, when in code set B

SYMBOL_MODULES = 11
STOP_MODULES = 13
# ISO/IEC 15417 asks for a quiet zone of at least 10 modules on each side.
MIN_QUIET_ZONE_MODULES = 10

_B, _C = "B", "C"


class Code128Error(ValueError):
    """The text cannot be carried by code sets B/C (only printable ASCII can)."""


@dataclass(frozen=True)
class Code128Symbol:
    """An encoded symbol: values including start and check, stop implied."""

    text: str
    values: tuple[int, ...]

    @property
    def modules(self) -> int:
        """Width without quiet zones, in modules."""
        return len(self.values) * SYMBOL_MODULES + STOP_MODULES

    def runs(self) -> tuple[int, ...]:
        """Alternating bar/space widths in modules, starting and ending with a bar."""
        widths = "".join(PATTERNS[value] for value in self.values) + STOP_PATTERN
        return tuple(int(width) for width in widths)


def _check_text(text: str) -> None:
    if not text:
        raise Code128Error("empty")
    bad = sorted({char for char in text if not 32 <= ord(char) <= 126})
    if bad:
        raise Code128Error(f"not printable ASCII: {''.join(bad)!r}")


def _digit_pair(text: str, index: int) -> bool:
    return index + 1 < len(text) and text[index].isdigit() and text[index + 1].isdigit()


def encode(text: str) -> Code128Symbol:
    """The shortest B/C encoding of ``text`` with its modulo-103 check value."""
    _check_text(text)

    @cache
    def cost(index: int, current: str) -> int:
        # Symbols needed to encode text[index:] when code set ``current`` is active.
        if index == len(text):
            return 0
        if current == _C:
            # Facing a digit pair, staying in C is never worse than leaving:
            # leaving costs a CODE B and then a symbol per digit.
            if _digit_pair(text, index):
                return 1 + cost(index + 2, _C)
            return 1 + cost(index, _B)  # CODE B
        stay = 1 + cost(index + 1, _B)
        if _digit_pair(text, index):
            return min(stay, 1 + cost(index, _C))  # CODE C
        return stay

    # Choose the start code, then walk the cheapest path; ties keep the
    # current code set (fewer switches reads more naturally, same width).
    current = _C if _digit_pair(text, 0) and cost(0, _C) <= cost(0, _B) else _B
    values = [START_C if current == _C else START_B]
    index = 0
    while index < len(text):
        if current == _C:
            if _digit_pair(text, index):
                values.append(int(text[index:index + 2]))
                index += 2
            else:
                values.append(CODE_B)
                current = _B
        else:
            if _digit_pair(text, index) and 1 + cost(index, _C) < 1 + cost(index + 1, _B):
                values.append(CODE_C)
                current = _C
            else:
                values.append(ord(text[index]) - 32)
                index += 1
    check = (values[0] + sum(position * value for position, value in enumerate(values[1:], start=1))) % 103
    values.append(check)
    return Code128Symbol(text, tuple(values))


def symbol_modules(text: str) -> int:
    """Width of the shortest symbol for ``text`` in modules, quiet zones excluded."""
    return encode(text).modules
