"""Check digits of GS1 codes and the shop's own item-code format.

GS1 keys (GTIN-8 / EAN-8, GTIN-12 / UPC-A, GTIN-13 / EAN-13, GTIN-14 and the
18-digit SSCC) all end in the same mod-10 check digit: weights 3, 1, 3, 1...
from the rightmost digit of the body, and the check digit tops the weighted
sum up to a multiple of ten.  A scanner refuses a GS1 symbol whose check digit
is wrong, so a label printed with a wrong one "does not scan" at all.

Item codes (printed as Code 128 on jewellery tags) are the demo shop's own
format: ``PMV`` + the purity in per mille as written in the trade (9999, 999,
99, 98, 750, 610, 585, 417; DESIGN.md "Domain rules") + a 5-digit serial,
e.g. ``PMV999900001`` (24K, serial 1) or ``PMV75000013`` (18K, serial 13).
The purity's length is fixed by the code's length, so a code parses one way.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from pmv_protocol.digits import ascii_digits

GTIN_LENGTHS: tuple[int, ...] = (8, 12, 13, 14)
SSCC_LENGTH = 18

PURITIES: tuple[str, ...] = ("9999", "999", "99", "98", "750", "610", "585", "417")

ITEM_CODE_RE = re.compile(
    r"PMV"  # shop prefix, upper case as printed and as a scanner types it
    r"(?P<purity>9999|999|99|98|750|610|585|417)"  # per mille, as in DESIGN.md
    r"(?P<serial>[0-9]{5})"  # serial, zero-padded
)
"""Item code pattern; use ``fullmatch`` (see :func:`is_item_code`)."""


class Symbology(enum.StrEnum):
    """Symbologies on the test sheet and labels; values are stable codes."""

    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    GTIN14 = "gtin14"  # ITF-14 or GS1-128
    SSCC18 = "sscc18"  # GS1-128 with AI (00)
    CODE39 = "code39"
    CODE128 = "code128"
    QR = "qr"


_CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -.$/+%")
_GS1_BY_LENGTH = {
    8: Symbology.EAN8, 12: Symbology.UPCA, 13: Symbology.EAN13,
    14: Symbology.GTIN14, SSCC_LENGTH: Symbology.SSCC18,
}




def gtin_check_digit(body: str) -> int:
    """Check digit for a GS1 key body (a code without its last digit)."""
    if not ascii_digits(body):
        raise ValueError(f"a GS1 body is ASCII digits only, got {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def complete_gtin(body: str) -> str:
    """``body`` followed by its check digit (``"893456789012"`` -> 13 digits)."""
    return body + str(gtin_check_digit(body))


def has_gs1_shape(code: str) -> bool:
    """All digits and of a GS1 key length: a candidate for the check-digit test."""
    return ascii_digits(code) and len(code) in _GS1_BY_LENGTH


# Symbologies that carry a GS1 key with its mod-10 check digit (GS1 General Specifications, 7.9): EAN-8/13,
# UPC-A, ITF-14, and the GTIN-14 and SSCC-18 that GS1-128 carries.  Code 128 and the others have their own symbol
# check, never sent, and their data may be any digits.  UPC-E is left out: its check digit is the expanded UPC-A's,
# not one computed on its own eight digits.
_GS1_CHECKED = frozenset({"ean", "ean8", "ean13", "upc", "upca", "itf14", "gtin", "gtin8", "gtin12",
                          "gtin13", "gtin14", "sscc", "sscc18"})


def checks_gs1_digit(symbology: str) -> bool:
    """Whether codes of ``symbology`` ("ean13", "EAN-13", "UPC-A", "ITF-14"...) end in a GS1 check digit."""
    return symbology.lower().replace("-", "").replace("_", "").replace(" ", "") in _GS1_CHECKED


def is_valid_gtin(code: str) -> bool:
    """GTIN-8/12/13/14 or SSCC-18 with a correct check digit."""
    return has_gs1_shape(code) and gtin_check_digit(code[:-1]) == int(code[-1])


def symbology_of(code: str) -> Symbology | None:
    """The most specific symbology that can carry ``code`` (a guess).

    A valid GS1 key is taken for its GS1 symbology; otherwise Code 39 if its
    character set fits (upper case, digits, ``-.$/+%`` and space), Code 128
    for other ASCII, QR for anything else.  None for an empty string.
    """
    if not code:
        return None
    if is_valid_gtin(code):
        return _GS1_BY_LENGTH[len(code)]
    if set(code) <= _CODE39_CHARS:
        return Symbology.CODE39
    if code.isascii():
        return Symbology.CODE128
    return Symbology.QR


@dataclass(frozen=True, slots=True)
class ItemCode:
    purity: str  # per mille as written: "9999", "750"...
    serial: int


def parse_item_code(text: str) -> ItemCode | None:
    match = ITEM_CODE_RE.fullmatch(text)
    if match is None:
        return None
    return ItemCode(match["purity"], int(match["serial"]))


def is_item_code(text: str) -> bool:
    """True for ``PMV`` + purity + 5-digit serial, exactly (no spaces, upper case)."""
    return ITEM_CODE_RE.fullmatch(text) is not None


def item_code(purity: str, serial: int) -> str:
    """Build an item code; raises ValueError for an unknown purity or serial."""
    if purity not in PURITIES or not 0 <= serial <= 99999:
        raise ValueError(f"no item code for purity {purity!r}, serial {serial}")
    return f"PMV{purity}{serial:05d}"
