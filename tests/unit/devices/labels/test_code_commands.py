"""The code's printer command: what a real ZPL renderer draws from it, and what the jobs say, against the preview.

* zplkit (a ZPL renderer from PyPI) renders the whole ZPL job; zxing-cpp must
  read the exact item code from its picture, and the symbol must lie on the
  dots where the PNG preview has it.
* The ZPL, TSPL and EZPL jobs are read back by printer_parsers.py (written
  from the manuals and the ISO tables, not from the code under test): the
  symbology, module size, symbol size and position must be the preview's.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import zplkit
import zxingcpp
from PIL import Image

from app.devices.labels import demo_tag, layout_tag, list_templates, load_template, render_job
from app.devices.labels.code_commands import ezpl_code, tspl_code, zpl_code
from app.devices.labels.preview import image_from_layout
from tests.unit.devices.labels.printer_parsers import parse_ezpl, parse_tspl, parse_zpl
from tests.unit.devices.labels.test_layout import generated_codes

DPIS = (203, 300)
PARSERS = {"zpl": lambda data, dpi: parse_zpl(data), "tspl": parse_tspl, "ezpl": parse_ezpl}
FORMATS = {"code128": "Code128", "datamatrix": "DataMatrix", "qr": "QRCode"}


def zpl_picture(job: bytes, width: int, height: int, dpi: int) -> Image.Image:
    # zplkit renders a label's picture and has no print quantity: ^PQ1 (one copy) draws nothing, so it goes.
    assert job.count(b"^PQ1\n") == 1
    document = zplkit.render(job.replace(b"^PQ1\n", b""), zplkit.Options(dpi=dpi, width=width, height=height))
    [scene] = document.labels
    raster = scene.rasterize()
    return Image.frombytes("L", (raster.width, raster.height), raster.pixels)


def code_box(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The inked bounding box inside ``box`` (the code's place with its quiet zone)."""
    inside = image.crop(box).point(lambda value: 255 if value < 128 else 0)
    found = inside.getbbox()
    return None if found is None else (found[0] + box[0], found[1] + box[1], found[2] + box[0], found[3] + box[1])


@pytest.mark.parametrize("template_name", list_templates())
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("symbology", [None, "qr"])
def test_zpl_job_rendered_by_zplkit_decodes_where_the_preview_has_it(template_name: str, dpi: int,
                                                                     symbology: str | None) -> None:
    template = load_template(template_name)
    if symbology is not None:
        template = replace(template, symbology=symbology)
    failures = []
    for code in generated_codes(60, seed=2019):
        tag = replace(demo_tag(), item_code=code)
        layout = layout_tag(tag, template, dpi)
        if layout.geometry_problem is not None:  # a QR too big for this head at this resolution: refused
            assert symbology == "qr"
            continue
        bc = layout.barcode
        picture = zpl_picture(render_job(tag, template, "zpl", dpi), layout.width, layout.height, dpi)
        found = [(r.format.name, r.text) for r in zxingcpp.read_barcodes(picture) if r.valid]
        if found != [(FORMATS[bc.symbology.value], code)]:
            failures.append((code, "decoded", found))
            continue
        # Same dots: the ink of the code's place (quiet zone included) in zplkit's picture and in the preview.
        height = bc.symbol_height
        place = (bc.x - bc.quiet, bc.y - (bc.quiet if bc.symbology.is_2d else 0),
                 bc.x + bc.width + bc.quiet, bc.y + height + (bc.quiet if bc.symbology.is_2d else 0))
        if code_box(picture, place) != code_box(image_from_layout(layout), place):
            failures.append((code, "moved", code_box(picture, place), code_box(image_from_layout(layout), place)))
    assert failures == []


@pytest.mark.parametrize("template_name", list_templates())
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("language", sorted(PARSERS))
def test_job_parameters_describe_the_previewed_symbol(template_name: str, dpi: int, language: str) -> None:
    template = load_template(template_name)
    for code in generated_codes(40, seed=7) + ["PMV999900001", "PMV9800001"]:
        tag = replace(demo_tag(), item_code=code)
        layout = layout_tag(tag, template, dpi)
        job = PARSERS[language](render_job(tag, template, language, dpi), dpi)
        [field] = [f for f in job.fields if f.kind in ("barcode", "matrix")]
        bc = layout.barcode
        assert field.data == code
        assert (field.x, field.y, field.module) == (bc.x, bc.y, bc.module)
        if bc.symbology.is_2d:
            assert field.kind == "matrix" and field.extra["symbology"] == bc.symbology.value
            assert int(field.extra["size"]) == bc.symbol.rows == bc.symbol.columns
            assert field.height == bc.symbol_height == bc.width
        else:
            assert field.kind == "barcode" and field.height == bc.height


def test_forced_qr_jobs_describe_the_previewed_symbol() -> None:
    template = replace(load_template("plain_40x30"), symbology="qr")
    for language, parse in PARSERS.items():
        for code in ["PMV999900001", 'a"b,c~d^e>f\\g_h', "x" * 20]:
            tag = replace(demo_tag(), item_code=code)
            layout = layout_tag(tag, template, 203)
            [field] = [f for f in parse(render_job(tag, template, language, 203), 203).fields if f.kind == "matrix"]
            assert (field.data, field.x, field.y, field.height) == (code, layout.barcode.x, layout.barcode.y,
                                                                    layout.barcode.symbol_height)


# Escapes, each from its manual (see code_commands.py): a table of the special characters.
@pytest.mark.parametrize("code, zpl, tspl, ezpl", [
    # ZPL ^BC: Table 6 invocation codes >0 (">"), >< ("^"), >= ("~"); TSPL "\\["]" for a quote; EZPL as is.
    ('A>B', "^FDA>0B^FS", '"A>B"', ",A>B"),
    ('A^B', "^FDA><B^FS", '"A^B"', ",A^B"),
    ('A~B', "^FDA>=B^FS", '"A~B"', ",A~B"),
    ('A"B', '^FDA"B^FS', '"A\\["]B"', ',A"B'),
])
def test_code128_escapes(code: str, zpl: str, tspl: str, ezpl: str) -> None:
    bc = layout_tag(replace(demo_tag(), item_code=code), load_template(), 203).barcode
    assert zpl_code(bc).endswith(zpl) and tspl_code(bc).endswith(tspl) and ezpl_code(bc).endswith(ezpl)


def test_datamatrix_escapes() -> None:
    code = 'P_~"^\\,1'
    bc = layout_tag(replace(demo_tag(), item_code=code + "2345678901"), load_template(), 203).barcode
    # ZPL: escape character "_" named in ^BX and doubled in the data; ^ ~ \ as ^FH hex.
    assert zpl_code(bc).endswith(",,_^FH\\^FDP__\\7E\"\\5E\\5C,12345678901^FS")
    # TSPL DMATRIX: "~ in data is encoded by ~~", a quote as \["].
    assert tspl_code(bc).endswith('"P_~~\\["]^\\,12345678901"')
    # EZPL: the data on its own line after its length, commas and all.
    assert ezpl_code(bc).endswith(f",{len(code) + 10}\r\n{code}2345678901")
