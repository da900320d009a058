"""Barcode verification with zxing-cpp, and refusing a tag before it is printed."""

from __future__ import annotations

import io
import json
import time

import pytest
import zxingcpp
from PIL import Image

from app.devices.labels import (
    JewelleryTag,
    LabelTemplate,
    LayoutNote,
    TagRefused,
    VerifyProblem,
    demo_tag,
    load_template,
    min_module_dots,
    prepare_job,
    print_tag,
    render_png,
    verify_tag,
)
from app.devices.labels.model import templates_dir

DPIS = (203, 300)
TEMPLATES = ("rat_tail_75x10", "plain_40x30")


def variant(symbology: str = "code128", **barcode: object) -> LabelTemplate:
    """The rat-tail template with its Code 128 place changed, asking for Code 128 only (no 2D fallback)."""
    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    data["barcodes"][0].update(barcode)
    data["symbology"] = symbology
    return LabelTemplate.from_dict(data)


@pytest.mark.parametrize("template_name", TEMPLATES)
@pytest.mark.parametrize("dpi", DPIS)
def test_png_tag_decodes_to_the_item_code(dpi: int, template_name: str) -> None:
    tag = demo_tag()
    png = render_png(tag, load_template(template_name), dpi)
    image = Image.open(io.BytesIO(png))
    assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.01)
    results = zxingcpp.read_barcodes(image)
    assert [(r.format, r.text) for r in results] == [(zxingcpp.BarcodeFormat.Code128, tag.item_code)]


@pytest.mark.parametrize("dpi", DPIS)
def test_verification_passes_for_the_demo_tag(dpi: int) -> None:
    result = verify_tag(demo_tag(), load_template(), dpi)
    assert result.ok and result.decoded == ("75000001",)
    assert result.module_dots >= min_module_dots(dpi) == 2
    assert result.needed_mm <= result.available_mm


def test_overlong_code_does_not_fit_the_rat_tail_head_as_code128() -> None:
    tag = JewelleryTag("", "PMV-KIMPHAT-2026-000123", "Nhẫn", "750", 3_750)
    for dpi in DPIS:
        result = verify_tag(tag, variant(), dpi)
        assert result.problem is VerifyProblem.TOO_LONG_FOR_LABEL
        assert result.needed_mm > result.available_mm
        assert result.decoded == ()
        # The shipped template offers a DataMatrix for such codes, and says so.
        fallback = verify_tag(tag, load_template(), dpi)
        assert fallback.ok and fallback.decoded == (tag.item_code,)
        assert (fallback.symbology, fallback.note) == ("datamatrix", LayoutNote.LONG_CODE_DATAMATRIX)


def test_demo_shop_codes_are_code128_at_300_dpi_and_datamatrix_at_203() -> None:
    tag = JewelleryTag("", "PMV75000001", "Nhẫn", "750", 3_750)
    assert verify_tag(tag, variant(), 203).problem is VerifyProblem.TOO_LONG_FOR_LABEL
    at_203 = verify_tag(tag, load_template(), 203)
    assert at_203.ok and at_203.symbology == "datamatrix" and at_203.note is LayoutNote.LONG_CODE_DATAMATRIX
    at_300 = verify_tag(tag, load_template(), 300)
    assert at_300.ok and at_300.symbology == "code128" and at_300.note is None


def test_one_dot_bars_are_too_thin() -> None:
    result = verify_tag(demo_tag(), variant(module_dots={"203": 1, "300": 2}), 203)
    assert result.problem is VerifyProblem.BARS_TOO_THIN
    assert verify_tag(demo_tag(), variant(module_dots={"203": 1, "300": 2}), 300).ok
    # Offered a DataMatrix, the tag takes it rather than printing bars a head cannot hold.
    auto = verify_tag(demo_tag(), variant("auto", module_dots={"203": 1, "300": 2}), 203)
    assert auto.ok and auto.note is LayoutNote.LONG_CODE_DATAMATRIX and auto.module_dots == 2


def test_bars_too_short_to_decode() -> None:
    # A template typo: 0.1 mm tall bars (one dot) are drawn but cannot be read.
    for dpi in DPIS:
        assert verify_tag(demo_tag(), variant(height_mm=0.1), dpi).problem is VerifyProblem.DOES_NOT_DECODE


def test_reading_something_else_is_decodes_wrong() -> None:
    def misreading(image: Image.Image) -> list[str]:
        return ["75000007"]

    assert verify_tag(demo_tag(), load_template(), 203, decoder=misreading).problem is VerifyProblem.DECODES_WRONG

    def two_codes(image: Image.Image) -> list[str]:
        return ["75000001", "75000001"]

    assert verify_tag(demo_tag(), load_template(), 203, decoder=two_codes).problem is VerifyProblem.DECODES_WRONG


def test_prepare_job_refuses_with_the_reason() -> None:
    with pytest.raises(TagRefused) as refused:
        prepare_job(demo_tag(), variant(height_mm=0.1), "tspl", 300)
    assert refused.value.problem is VerifyProblem.DOES_NOT_DECODE
    data, verification = prepare_job(demo_tag(), load_template(), "tspl", 300)
    assert verification.ok and data.startswith(b"SIZE 75 mm,10 mm\r\n")


def test_print_tag_sends_only_verified_tags(printer) -> None:
    with pytest.raises(TagRefused):
        print_tag(JewelleryTag("", "PMV75000001", "Nhẫn", "750", 3_750), variant(), "zpl", 203, printer.target)
    verification = print_tag(demo_tag(), load_template(), "zpl", 203, printer.target)
    assert verification.ok
    [job] = printer.wait_for_jobs()
    time.sleep(0.2)
    assert len(printer.jobs) == 1  # the refused tag never opened a connection
    assert b"^FD75000001^FS" in job


@pytest.mark.parametrize("dpi", DPIS)
def test_a_name_that_runs_past_the_head_or_into_the_codes_quiet_zone_is_refused(dpi: int) -> None:
    # The rat-tail head is 30 mm wide (the template's printable box); a DataMatrix needs a 1-module quiet zone on
    # every side (ISO/IEC 16022), Code 128 10 modules left and right (ISO/IEC 15417). A 47-character name in
    # 2 mm letters is about 34 mm long: it would print past the head or over the square's margin.
    long_name = JewelleryTag("Kim Phát", "PMV999900001", "Nhẫn nam vàng 18K mặt đá CZ trắng khắc chữ Phúc", "750",
                             4688, labour_vnd=350_000)
    result = verify_tag(long_name, load_template("rat_tail_75x10"), dpi)
    assert result.problem is VerifyProblem.TEXT_TOO_WIDE
    with pytest.raises(TagRefused) as refused:
        prepare_job(long_name, load_template("rat_tail_75x10"), "zpl", dpi)
    assert refused.value.problem is VerifyProblem.TEXT_TOO_WIDE
    # The same tag with a name that fits is printed, with its 2D code beside the lines.
    fits = verify_tag(JewelleryTag("Kim Phát", "PMV999900001", "Nhẫn cưới 18K", "750", 4688, labour_vnd=350_000),
                      load_template("rat_tail_75x10"), dpi)
    assert fits.ok and fits.decoded == ("PMV999900001",)
