"""Our Code 128 encoder against zxing-cpp and a brute-force shortest-length reference."""

from __future__ import annotations

import random
import string

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from app.devices.labels.code128 import Code128Error, encode
from tests.unit.devices.labels.printer_parsers import code128_modules


def draw(runs: tuple[int, ...], module: int = 2, quiet: int = 10, height: int = 40) -> Image.Image:
    width = (sum(runs) + 2 * quiet) * module
    image = Image.new("L", (width, height), 255)
    pen, x = ImageDraw.Draw(image), quiet * module
    for index, run in enumerate(runs):
        if index % 2 == 0:
            pen.rectangle((x, 0, x + run * module - 1, height - 1), fill=0)
        x += run * module
    return image


CASES = ["75000001", "PMV75000001", "1", "12", "123", "A1234B", "1234567", "ab 12345 x", "N18-000123/7",
         "0000", "9" * 21, "a.b_c-d/e"]
rng = random.Random(1505)
CASES += ["".join(rng.choice(string.digits * 3 + string.ascii_letters + "-./_ ") for _ in range(rng.randint(1, 24)))
          for _ in range(40)]


@pytest.mark.parametrize("text", CASES)
def test_decodes_and_is_shortest(text: str) -> None:
    symbol = encode(text)
    assert symbol.modules == code128_modules(text)
    assert sum(symbol.runs()) == symbol.modules
    [result] = zxingcpp.read_barcodes(draw(symbol.runs()), formats=zxingcpp.BarcodeFormat.Code128)
    assert result.text == text


def test_known_encoding() -> None:
    # Start B, P M V, Code C, 75 00 00 01, check: ISO/IEC 15417 values.
    assert encode("PMV75000001").values == (104, 48, 45, 54, 99, 75, 0, 0, 1, 50)


@pytest.mark.parametrize("bad", ["", "Nhẫn", "tab\there"])
def test_refuses_what_code_sets_b_c_cannot_carry(bad: str) -> None:
    with pytest.raises(Code128Error):
        encode(bad)
