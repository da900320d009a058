"""2D codes for tags whose item code is too long for Code 128: DataMatrix and QR.

A rat-tail head is 30 mm wide: at 203 dpi with 2-dot bars Code 128 holds
about 5 symbol characters there, so the demo shop's own ``PMV999900001``
does not fit.  A DataMatrix of the same code is a 14 x 14 square (5.3 mm at
3-dot modules), which is why jewellery tags commonly carry one.

The printer encodes the symbol itself (ZPL ``^BX``/``^BQ``, TSPL
``DMATRIX``/``QRCODE``, EZPL ``XRB``/``W``), so the preview must have the
size the printer will draw, whatever encodation the printer's firmware
picks.  We therefore fix the size from the data, not from our encoder:

* DataMatrix ECC 200: the smallest square symbol whose data capacity
  (ISO/IEC 16022:2006 Table 7) holds the item code in ASCII encodation
  (clause 5.2.3: one codeword per character, one per pair of digits).
  Every conforming encoder can use ASCII encodation, so any printer fits the
  code into that size; the job then asks for exactly those rows and columns
  and zxing-cpp draws the preview at that size too.
* QR Code model 2: byte mode, sent as such (ZPL manual input ``B``, TSPL
  manual mode ``B``), at error correction level M; the version is the
  smallest whose byte-mode capacity (ISO/IEC 18004:2015 Table 7) holds the
  code, so the printer cannot pick another.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Symbology(StrEnum):
    CODE128 = "code128"
    DATAMATRIX = "datamatrix"
    QR = "qr"

    @property
    def is_2d(self) -> bool:
        return self is not Symbology.CODE128


class MatrixError(ValueError):
    """The item code is too long for any symbol size we allow on a tag."""


# ISO/IEC 16022:2006 Table 7, square ECC 200 symbols up to 26 x 26 (the
# larger ones have several data regions and never fit a tag head anyway):
# symbol size (rows = columns) -> data codewords.
DATAMATRIX_CAPACITY: tuple[tuple[int, int], ...] = (
    (10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44),
)

# ISO/IEC 18004:2015 Table 7, byte mode capacity at error correction level M,
# versions 1-6 (21 + 4 (v - 1) modules a side).
QR_EC_LEVEL = "M"
QR_BYTE_CAPACITY_M: tuple[int, ...] = (14, 26, 42, 62, 84, 106)


def datamatrix_ascii_codewords(text: str) -> int:
    """Codewords of ``text`` in DataMatrix ASCII encodation (ISO/IEC 16022 5.2.3).

    A pair of digits takes one codeword, any other ASCII character one.
    Pairing digits greedily from the left is optimal: a run of n digits
    always takes ceil(n / 2) codewords.
    """
    count, index = 0, 0
    while index < len(text):
        if text[index].isdigit() and index + 1 < len(text) and text[index + 1].isdigit():
            index += 2
        else:
            index += 1
        count += 1
    return count


def datamatrix_size(text: str) -> int:
    """Rows (= columns) of the square ECC 200 symbol a printer will draw for ``text``."""
    _check(text)
    needed = datamatrix_ascii_codewords(text)
    for size, capacity in DATAMATRIX_CAPACITY:
        if needed <= capacity:
            return size
    raise MatrixError(f"{len(text)} characters need more than a 26 x 26 DataMatrix")


def qr_version(text: str) -> int:
    _check(text)
    for version, capacity in enumerate(QR_BYTE_CAPACITY_M, start=1):
        if len(text.encode("ascii")) <= capacity:
            return version
    raise MatrixError(f"{len(text)} characters need more than a version 6 QR code")


def qr_size(version: int) -> int:
    return 17 + 4 * version  # ISO/IEC 18004 6.3.1


@dataclass(frozen=True)
class MatrixSymbol:
    """A 2D symbol's modules, row by row; True is a dark module."""

    symbology: Symbology
    text: str
    modules: tuple[tuple[bool, ...], ...]
    version: int  # QR version; for DataMatrix the zint size index (1 = 10 x 10)

    @property
    def rows(self) -> int:
        return len(self.modules)

    @property
    def columns(self) -> int:
        return len(self.modules[0])


def _check(text: str) -> None:
    if not text or any(not 32 <= ord(char) <= 126 for char in text):
        raise MatrixError("only 1 or more printable ASCII characters")


@cache
def encode_matrix(text: str, symbology: Symbology) -> MatrixSymbol:
    """The symbol zxing-cpp draws for ``text``, forced to the size the printer will use."""
    import zxingcpp

    if symbology is Symbology.DATAMATRIX:
        size = datamatrix_size(text)
        # zint's DataMatrix "version" counts the square sizes from 1 = 10 x 10.
        version = [s for s, _c in DATAMATRIX_CAPACITY].index(size) + 1
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, version=version)
        expected = size
    elif symbology is Symbology.QR:
        version = qr_version(text)
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_EC_LEVEL,
                                          version=version)
        expected = qr_size(version)
    else:
        raise ValueError(f"{symbology.value} is not a 2D symbology")
    # zxingcpp.Image has the buffer protocol; its stubs do not say so.
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    rows, columns = image.shape or (0, 0)
    if (rows, columns) != (expected, expected):  # a zxing-cpp change must not silently move the symbol
        raise MatrixError(f"zxing-cpp drew {rows} x {columns} modules, the printer will draw {expected}")
    raw = image.tobytes()
    modules = tuple(tuple(raw[row * columns + column] < 128 for column in range(columns)) for row in range(rows))
    return MatrixSymbol(symbology, text, modules, version)


def dark_runs(symbol: MatrixSymbol) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules: few rectangles to draw."""
    runs = []
    for row, line in enumerate(symbol.modules):
        column = 0
        while column < len(line):
            if line[column]:
                start = column
                while column < len(line) and line[column]:
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return runs
