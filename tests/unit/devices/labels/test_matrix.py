"""DataMatrix and QR sizes from their ISO standards, and the symbols zxing-cpp draws at those sizes."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from app.devices.labels.matrix import (
    MatrixError,
    Symbology,
    dark_runs,
    datamatrix_ascii_codewords,
    datamatrix_size,
    encode_matrix,
    qr_size,
    qr_version,
)

# ISO/IEC 16022:2006 5.2.3 ASCII encodation: a pair of digits is one codeword
# (value 130 + pair), any other ASCII character one (value + 1).
ASCII_CODEWORDS = [
    ("1", 1), ("12", 1), ("123", 2), ("1234", 2), ("A1", 2), ("A12", 2), ("1A2", 3),
    ("PMV999900001", 8),  # P M V + 99 99 00 00 + 1
    ("PMV9800001", 7),  # P M V + 98 00 00 + 1
    ("~~~~", 4), (" ", 1),
]


@pytest.mark.parametrize("text, codewords", ASCII_CODEWORDS)
def test_ascii_encodation_codewords(text: str, codewords: int) -> None:
    assert datamatrix_ascii_codewords(text) == codewords


# ISO/IEC 16022:2006 Table 7: data capacity of the square symbols 10x10 (3),
# 12x12 (5), 14x14 (8), 16x16 (12), 18x18 (18), 20x20 (22), 22x22 (30): the
# size for n codewords is the first whose capacity is >= n; each boundary on both sides.
@pytest.mark.parametrize("letters, size", [
    (1, 10), (3, 10), (4, 12), (5, 12), (6, 14), (8, 14), (9, 16), (12, 16), (13, 18), (18, 18),
    (19, 20), (22, 20), (23, 22), (30, 22), (31, 24),
])
def test_datamatrix_size_from_capacity(letters: int, size: int) -> None:
    assert datamatrix_size("A" * letters) == size


# ISO/IEC 18004:2015 Table 7, level M byte mode: version 1 holds 14 bytes, 2 holds 26, 3 holds 42;
# 6.3.1: a version-V symbol has 17 + 4V modules a side.
@pytest.mark.parametrize("length, version, modules", [(1, 1, 21), (14, 1, 21), (15, 2, 25), (26, 2, 25),
                                                      (27, 3, 29), (40, 3, 29)])
def test_qr_version_from_byte_capacity(length: int, version: int, modules: int) -> None:
    assert qr_version("a" * length) == version and qr_size(version) == modules


def test_non_ascii_and_empty_are_refused() -> None:
    for text in ("", "Mã", "a\tb"):
        with pytest.raises(MatrixError):
            datamatrix_size(text)


@pytest.mark.parametrize("symbology", [Symbology.DATAMATRIX, Symbology.QR])
@pytest.mark.parametrize("text", ["7", "PMV999900001", " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "aaaaaaaaaaaaaaaaaaaa"])
def test_symbol_has_the_printer_size_and_decodes(symbology: Symbology, text: str) -> None:
    symbol = encode_matrix(text, symbology)
    expected = datamatrix_size(text) if symbology is Symbology.DATAMATRIX else qr_size(qr_version(text))
    assert (symbol.rows, symbol.columns) == (expected, expected)
    # Drawn from its dark runs at 4 pixels a module with a 4-module margin, it reads back exactly.
    scale, margin = 4, 4
    image = Image.new("L", ((symbol.columns + 2 * margin) * scale, (symbol.rows + 2 * margin) * scale), 255)
    for row, column, length in dark_runs(symbol):
        x, y = (column + margin) * scale, (row + margin) * scale
        image.paste(0, (x, y, x + length * scale, y + scale))
    [result] = zxingcpp.read_barcodes(image)
    assert result.text == text
    assert result.format == (zxingcpp.BarcodeFormat.DataMatrix if symbology is Symbology.DATAMATRIX
                             else zxingcpp.BarcodeFormat.QRCode)


def test_dark_runs_cover_exactly_the_dark_modules() -> None:
    symbol = encode_matrix("PMV999900001", Symbology.DATAMATRIX)
    dark = {(row, column + k) for row, column, length in dark_runs(symbol) for k in range(length)}
    assert dark == {(r, c) for r, line in enumerate(symbol.modules) for c, on in enumerate(line) if on}
    # ISO/IEC 16022 5.1: the finder pattern's solid L, left column and bottom row all dark.
    assert all(line[0] for line in symbol.modules) and all(symbol.modules[-1])
