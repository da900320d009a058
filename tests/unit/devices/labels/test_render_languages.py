"""Jobs in ZPL, TSPL and EZPL, sent over a real socket and read back by independent parsers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.devices.labels import (
    JewelleryTag,
    TagRefused,
    VerifyProblem,
    ascii_fold,
    demo_tag,
    load_template,
    render_ezpl,
    render_image,
    render_job,
    render_tspl,
    render_zpl,
    send,
)
from tests.unit.devices.labels.printer_parsers import (
    Invalid,
    Job,
    code128_modules,
    dots,
    parse_ezpl,
    parse_tspl,
    parse_zpl,
)

DPIS = (203, 300)
TEMPLATES = ("rat_tail_75x10", "plain_40x30")
PARSERS = {
    "zpl": lambda data, dpi: parse_zpl(data),
    "tspl": parse_tspl,
    "ezpl": parse_ezpl,
}


def full_tag() -> JewelleryTag:
    return JewelleryTag("Tiệm vàng Kim Phát", "75000001", "Nhẫn cưới 18K", "750", 4_688, 320, 350_000, 12_345_000)


def head_dots(template_name: str, dpi: int) -> tuple[int, int]:
    template = load_template(template_name)
    area = template.printable
    return dots(area.x_mm, dpi), dots(area.x_mm + area.width_mm, dpi)


@pytest.mark.parametrize("template_name", TEMPLATES)
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("language", sorted(PARSERS))
def test_job_over_tcp_parses_as_valid_commands(printer, language: str, dpi: int, template_name: str) -> None:
    tag, template = full_tag(), load_template(template_name)
    data = render_job(tag, template, language, dpi)
    send(data, printer.target, timeout=2)
    received = printer.wait_for_jobs()[0]
    assert received == data
    job: Job = PARSERS[language](received, dpi)

    assert job.width == dots(template.width_mm, dpi) and job.height == dots(template.height_mm, dpi)
    [barcode] = job.barcodes
    assert barcode.data == tag.item_code
    assert barcode.module >= 2
    # The whole symbol with 10-module quiet zones stays on the printed head.
    left, right = head_dots(template_name, dpi)
    width = code128_modules(tag.item_code) * barcode.module
    assert left + 10 * barcode.module <= barcode.x
    assert barcode.x + width + 10 * barcode.module <= right
    # Every text field starts on the printed head, never on a rat-tail's tail.
    assert job.texts and all(left <= text.x < right for text in job.texts)


@pytest.mark.parametrize("dpi", DPIS)
def test_positions_scale_with_resolution(dpi: int) -> None:
    job = parse_zpl(render_zpl(demo_tag(), load_template(), dpi))
    texts = sorted(job.texts, key=lambda f: f.y)
    # The template puts the first text line 3.85 mm down and 1 mm in.
    assert (texts[0].x, texts[0].y) == (dots(1.0, dpi), dots(3.85, dpi))
    assert job.barcodes[0].y == dots(0.4, dpi)
    assert job.barcodes[0].height == dots(3.2, dpi)


def test_zpl_with_a_printer_font_keeps_vietnamese_as_utf8() -> None:
    # Without a font the Vietnamese lines are graphics: tests/unit/devices/labels/test_text_raster.py.
    job = parse_zpl(render_zpl(full_tag(), load_template("plain_40x30"), 203, font="E:DEJAVU.TTF"))
    texts = {f.data for f in job.texts}
    assert "Tiệm vàng Kim Phát" in texts and "Nhẫn cưới 18K" in texts
    assert "Giá: 12.345.000 ₫" in texts


def test_zpl_escapes_command_characters_in_text() -> None:
    tag = JewelleryTag("Kim ^XZ~JA", "A1", "Day \\ chuyen", "610", 1000)
    data = render_zpl(tag, load_template("plain_40x30"), 203)
    job = parse_zpl(data)  # a raw ^XZ inside the text would end the label early
    assert {"Kim ^XZ~JA", "Day \\ chuyen"} <= {f.data for f in job.texts}
    assert data.count(b"^XZ") == 1


def test_zpl_downloaded_font() -> None:
    data = render_zpl(demo_tag(), load_template(), 203, font="E:DEJAVU.TTF")
    assert b"^A@N,11,11,E:DEJAVU.TTF" in data
    parse_zpl(data)


@pytest.mark.parametrize("render, parse", [(render_tspl, parse_tspl), (render_ezpl, parse_ezpl)])
def test_tspl_and_ezpl_keep_ascii_lines_as_text_and_draw_vietnamese_ones(render, parse) -> None:
    job = parse(render(full_tag(), load_template("plain_40x30"), 300), 300)
    # Nothing is folded any more: ASCII lines stay text, the others are graphics (test_text_raster.py).
    assert {f.data for f in job.texts} == {"75000001"}
    assert len(job.bitmaps) == len(load_template("plain_40x30").texts) - 1


def test_tspl_with_downloaded_font_sends_utf8() -> None:
    data = render_tspl(full_tag(), load_template("plain_40x30"), 203, font="DEJAVU.TTF")
    assert b"CODEPAGE UTF-8\r\n" in data
    job = parse_tspl(data, 203)
    assert "Nhẫn cưới 18K" in {f.data for f in job.texts}
    assert {f.extra["font"] for f in job.texts} == {"DEJAVU.TTF"}


def test_ezpl_with_downloaded_font_sends_utf8() -> None:
    data = render_ezpl(full_tag(), load_template("plain_40x30"), 203, font="A")
    job = parse_ezpl(data, 203)
    assert "Nhẫn cưới 18K" in {f.data for f in job.texts}
    assert {(f.extra["font"], f.extra["style"]) for f in job.texts} == {("A", "0E")}
    with pytest.raises(ValueError):
        render_ezpl(full_tag(), load_template(), 203, font="DEJAVU.TTF")


def test_tspl_quotes_in_text_are_escaped() -> None:
    tag = JewelleryTag("", "A1", 'Nhan "Phuc"', "750", 1000)
    job = parse_tspl(render_tspl(tag, load_template("plain_40x30"), 203), 203)
    assert 'Nhan "Phuc"' in {f.data for f in job.texts}


def test_missing_price_leaves_its_line_out() -> None:
    job = parse_zpl(render_zpl(demo_tag(), load_template("plain_40x30"), 203))
    assert not any(f.data.startswith("Giá") for f in job.texts)


def test_ascii_fold() -> None:
    assert ascii_fold("Đồng hồ vàng ĐẸP ưỡ ₫") == "Dong ho vang DEP uo d"


@pytest.mark.parametrize("language", sorted(PARSERS))
def test_overlong_code_is_refused_before_any_bytes(language: str) -> None:
    tag = JewelleryTag("", "PMV-2026-000000012345", "Lắc tay", "585", 5000)
    with pytest.raises(TagRefused) as refused:  # as Code 128 (the shipped template would take a DataMatrix)
        render_job(tag, replace(load_template(), symbology="code128"), language, 300)
    assert refused.value.problem is VerifyProblem.TOO_LONG_FOR_LABEL


@pytest.mark.parametrize("template_name", TEMPLATES)
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("language", sorted(PARSERS))
def test_png_has_the_geometry_the_printer_command_describes(language: str, dpi: int, template_name: str) -> None:
    tag, template = full_tag(), load_template(template_name)
    [barcode] = PARSERS[language](render_job(tag, template, language, dpi), dpi).barcodes
    image = render_image(tag, template, dpi)
    assert image.size == (dots(template.width_mm, dpi), dots(template.height_mm, dpi))

    row = [image.getpixel((x, barcode.y + barcode.height // 2)) for x in range(image.width)]
    runs, x = [], 0  # (start, length) of black runs
    while x < len(row):
        if row[x] < 128:
            start = x
            while x < len(row) and row[x] < 128:
                x += 1
            runs.append((start, x - start))
        x += 1
    assert runs[0][0] == barcode.x
    assert min(length for _, length in runs) == barcode.module
    end = runs[-1][0] + runs[-1][1]
    assert end - barcode.x == code128_modules(tag.item_code) * barcode.module
    column = [image.getpixel((barcode.x, y)) for y in range(image.height)]
    middle = barcode.y + barcode.height // 2  # the first bar's extent, up and down from its middle
    top = next(y for y in range(middle, -1, -1) if y == 0 or column[y - 1] >= 128)
    bottom = next(y for y in range(middle, image.height + 1) if y == image.height or column[y] >= 128)
    assert (top, bottom - top) == (barcode.y, barcode.height)


def test_parsers_reject_broken_jobs() -> None:
    good = render_zpl(demo_tag(), load_template(), 203)
    with pytest.raises(Invalid):
        parse_zpl(good.replace(b"^XZ", b""))
    with pytest.raises(Invalid):
        parse_zpl(good.replace(b"^FO41,3", b"^FO700,3"))
    tspl = render_tspl(demo_tag(), load_template(), 203)
    with pytest.raises(Invalid):
        parse_tspl(tspl.replace(b"SIZE 75 mm", b"SIZE 20 mm"), 203)
    with pytest.raises(Invalid):
        parse_ezpl(render_ezpl(demo_tag(), load_template(), 203).replace(b"\r\nE\r\n", b"\r\n"), 203)
