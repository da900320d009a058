"""The printed test sheet: every code decodes from a 150 dpi render, and no text touches the bars.

The sheet is rendered the way a shop's office printer or a scan of the page
would see it: the PDF rasterised at 150 dpi by poppler's pdftoppm, then read
by zxing-cpp.  Rules taken from the symbology standards:

* quiet zone of at least 10 X on both sides of Code 128 (ISO/IEC 15417 s. 4.3.2)
  and Code 39 (ISO/IEC 16388 s. 4.4); EAN-13: 11 X left and 7 X right
  (GS1 General Specifications 5.2.3.4);
* the human-readable line sits below the bars, never over them; for EAN-13 the
  GS1 layout puts the digits under the data bars, between the extended guard
  bars, so only the data-bar area is checked there.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.devices import test_sheet as sheet
from app.devices.diagnosis import Fault
from app.devices.ime import CONFIGURATIONS, Mode, Options, telex, type_keys, vni
from app.devices.sheet_check import check_scan
from app.devices.test_sheet import BAR_HEIGHT, BAR_WIDTH, TEST_CODES, TEXT_GAP, write_test_sheet

DPI = 150
EAN_BAR_WIDTH = 0.4  # mm, as the sheet prints EAN-13
FORMATS = {
    "code128": zxingcpp.BarcodeFormat.Code128,
    "code39": zxingcpp.BarcodeFormat.Code39,
    "ean13": zxingcpp.BarcodeFormat.EAN13,
    "qr": zxingcpp.BarcodeFormat.QRCode,
}


def _px(mm: float) -> int:
    return int(mm * DPI / 25.4)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is needed to rasterise the PDF")
    folder = tmp_path_factory.mktemp("sheet")
    pdf = write_test_sheet(folder / "to-ma-thu.pdf")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", str(pdf), str(folder / "page")],
                   check=True, timeout=60)
    return Image.open(folder / "page.png").convert("L")


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Dark pixels (x, y) inside box = (left, top, right, bottom), right/bottom exclusive."""
    left, top, right, bottom = box
    pixels = image.load()
    return [(x, y) for y in range(top, bottom) for x in range(left, right) if pixels[x, y] < 128]


def _bar_area(image: Image.Image, result: zxingcpp.Result) -> tuple[int, int, int, int]:
    """The rows where the symbol's bar pattern holds, and the columns from first to last bar.

    Starts from the row through the middle of where zxing-cpp found the symbol
    and grows up and down while every row repeats that row's pattern: ink
    touching the bars (text) ends the area early.
    """
    corners = (result.position.top_left, result.position.top_right,
               result.position.bottom_right, result.position.bottom_left)
    left, right = min(c.x for c in corners), max(c.x for c in corners)
    middle = (min(c.y for c in corners) + max(c.y for c in corners)) // 2
    pixels = image.load()

    def pattern(y: int) -> tuple[bool, ...]:
        return tuple(pixels[x, y] < 128 for x in range(left, right + 1))

    reference = pattern(middle)
    top = bottom = middle
    while pattern(top - 1) == reference:
        top -= 1
    while pattern(bottom + 1) == reference:
        bottom += 1
    return left, top, right + 1, bottom + 1


def test_every_code_on_the_sheet_decodes_at_150_dpi(page: Image.Image) -> None:
    found = sorted((r.format.name, r.text) for r in zxingcpp.read_barcodes(page))
    assert found == sorted((FORMATS[c.symbology].name, c.content) for c in TEST_CODES)


@pytest.mark.parametrize("code", [c for c in TEST_CODES if c.symbology in ("code128", "code39")],
                         ids=lambda c: c.key)
def test_text_under_code128_and_code39_is_clear_of_the_bars(page: Image.Image, code: sheet.TestCode) -> None:
    [result] = [r for r in zxingcpp.read_barcodes(page) if r.text == code.content]
    left, top, right, bottom = _bar_area(page, result)
    # The bars keep their full printed height: no text cuts into them (1 px for edge rounding).
    assert bottom - top >= _px(BAR_HEIGHT) - 1, (code.key, bottom - top)
    quiet = _px(10 * BAR_WIDTH)
    # Quiet zones beside the bars hold no ink at all.
    assert _ink(page, (left - quiet, top, left, bottom)) == []
    assert _ink(page, (right, top, right + quiet, bottom)) == []
    # Below the bars, across the symbol and its quiet zones, a clear gap before the text.
    gap = (left - quiet, bottom, right + quiet, bottom + _px(TEXT_GAP) - 1)
    assert _ink(page, gap) == [], code.key
    # ...and the text is really there, under the gap (the test would pass on a sheet with no text).
    text_band = (left - quiet, bottom + _px(TEXT_GAP), right + quiet, bottom + _px(TEXT_GAP) + _px(5))
    assert len(_ink(page, text_band)) > 100


def test_ean13_digits_stay_out_of_its_data_bars_and_quiet_zones(page: Image.Image) -> None:
    [code] = [c for c in TEST_CODES if c.symbology == "ean13"]
    [result] = [r for r in zxingcpp.read_barcodes(page) if r.text == code.content]
    left, top, right, bottom = _bar_area(page, result)
    assert bottom - top >= _px(15), bottom - top  # the data bars are not shortened by the digits
    assert _ink(page, (left - _px(11 * EAN_BAR_WIDTH), top, left, bottom)) == []
    assert _ink(page, (right, top, right + _px(7 * EAN_BAR_WIDTH), bottom)) == []


def test_the_ink_check_catches_text_touching_the_bars(page: Image.Image) -> None:
    # Guard: paint a text-like blob right under a Code 128 symbol and the area must shrink.
    [code] = [c for c in TEST_CODES if c.symbology == "code128"][:1]
    [result] = [r for r in zxingcpp.read_barcodes(page) if r.text == code.content]
    left, top, right, bottom = _bar_area(page, result)
    damaged = page.copy()
    for x in range(left + 40, left + 60):
        for y in range(bottom - 4, bottom + 6):
            damaged.putpixel((x, y), 0)
    _, top2, _, bottom2 = _bar_area(damaged, result)
    assert bottom2 - top2 < _px(BAR_HEIGHT) - 1


@pytest.mark.parametrize("options", CONFIGURATIONS,
                         ids=lambda o: f"modern{o.modern:d}-spell{o.spell_check:d}-restore{o.auto_restore:d}"
                                       f"-enter{o.restore_at_enter:d}")
@pytest.mark.parametrize("mode", list(Mode))
def test_an_input_method_left_on_cannot_pass_the_sheet(mode: Mode, options: Options) -> None:
    """Every code typed through the project's model of UniKey's engine (app/devices/ime.py), as a wedge scanner's
    keys are, spell check on and off: some code must come out wrong and be named as that input method.

    UniKey's spell check is on by default (its CreateDefaultUnikeyOptions; fcitx5-unikey's src/unikey-config.h):
    it leaves VNI's "A6" alone after the digits of "DD2026A6W", which then read right, so the sheet passed."""
    fault = Fault.IME_TELEX if mode is Mode.TELEX else Fault.IME_VNI
    flagged = {}
    for code in TEST_CODES:
        typed = type_keys(code.content + "\r", mode, options).removesuffix("\r")
        awaiting_this = {other.key: None if other is code else True for other in TEST_CODES}
        result = check_scan(typed, "\r", awaiting_this)
        assert result is not None and result.code is code
        if result.faults:
            flagged[code.key] = result.faults
    assert flagged, "the sheet passes with the input method on"
    assert all(faults == [fault] for faults in flagged.values()), flagged
    if mode is Mode.VNI:
        assert "ime_vni" in flagged  # the trap that spell check cannot hide


def test_the_vni_trap_is_a_real_syllable_then_a_tone_digit_and_reads_right_without_an_input_method() -> None:
    [trap] = [code for code in TEST_CODES if code.key == "ime_vni"]
    assert vni(trap.content, spell_check=True) == vni(trap.content) != trap.content
    assert telex(trap.content, spell_check=True) == trap.content  # Telex is the other trap's job
    assert check_scan(trap.content, "\r", {code.key: None for code in TEST_CODES}).faults == []  # type: ignore[union-attr]
    assert TEST_CODES[-1] is trap  # last: a sheet printed before it still reads in order


def test_sheet_is_written_where_asked(tmp_path: Path) -> None:
    target = write_test_sheet(tmp_path / "sheet.pdf")
    assert target.read_bytes().startswith(b"%PDF")
