"""Choosing the tag's code: Code 128 where it fits, else the template's DataMatrix; every code must scan.

The acceptance rule of issue 19 section 3: any item code of 1-20 printable
ASCII characters prints a tag that zxing-cpp decodes to the exact code, on
every shipped template at 203 and 300 dpi.  Tested with generated codes (a
seeded generator over the whole range 0x20-0x7E) and with the demo shop's
own item codes, read from a real generated demo shop database.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image

from app.devices.labels import (
    LabelTemplate,
    LayoutNote,
    TagRefused,
    VerifyProblem,
    demo_tag,
    layout_tag,
    list_templates,
    load_template,
    render_png,
    verify_tag,
)
from app.devices.labels.layout import PlacedBarcode, PlacedMatrix, choose_code
from app.devices.labels.matrix import Symbology
from app.devices.labels.model import templates_dir
from app.devices.labels.preview import image_from_layout

DPIS = (203, 300)
PRINTABLE = "".join(chr(code) for code in range(0x20, 0x7F))


def generated_codes(count: int, seed: int = 19) -> list[str]:
    """``count`` codes of 1-20 characters drawn uniformly from printable ASCII (each length equally often)."""
    rng = random.Random(seed)
    codes = ["".join(rng.choice(PRINTABLE) for _ in range(1 + index % 20)) for index in range(count)]
    # The extremes every range test needs: each special character alone and 20 of it, and the whole range.
    codes += [" ", "~", "^", ">", '"', ",", "\\", "_", "~" * 20, "_" * 20, '"' * 20, "," * 20, ">" * 20,
              PRINTABLE[:20], PRINTABLE[20:40], PRINTABLE[40:60], PRINTABLE[60:80], PRINTABLE[80:]]
    return codes


@pytest.fixture(scope="module")
def shop_codes(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Item codes from a real demo shop's POS database (every purity's, shortest and longest)."""
    from app.shop.demo import create_demo_shop

    shop = create_demo_shop(tmp_path_factory.mktemp("shop") / "shop", seed=2026)
    with sqlite3.connect(shop.pos_database) as conn:
        codes = [row[0] for row in conn.execute("SELECT code FROM items ORDER BY code")]
    assert codes and max(len(code) for code in codes) >= 12  # the PMV999900001 kind
    return codes


def decode(image: Image.Image) -> list[tuple[str, str]]:
    return [(result.format.name, result.text) for result in zxingcpp.read_barcodes(image) if result.valid]


@pytest.mark.parametrize("template_name", list_templates())
@pytest.mark.parametrize("dpi", DPIS)
def test_every_generated_code_prints_a_tag_that_decodes_exactly(template_name: str, dpi: int) -> None:
    template, failures = load_template(template_name), []
    for code in generated_codes(300):
        tag = replace(demo_tag(), item_code=code)
        verification = verify_tag(tag, template, dpi)
        png = render_png(tag, template, dpi, outline=False)
        found = decode(Image.open(io.BytesIO(png)))
        wanted = {"code128": "Code128", "datamatrix": "DataMatrix", "qr": "QRCode"}[verification.symbology]
        if not verification.ok or found != [(wanted, code)]:
            failures.append((code, verification.problem, found))
    assert failures == []


@pytest.mark.parametrize("template_name", list_templates())
@pytest.mark.parametrize("dpi", DPIS)
def test_the_demo_shops_own_codes_print_on_every_template(shop_codes: list[str], template_name: str,
                                                         dpi: int) -> None:
    template = load_template(template_name)
    sample = shop_codes[::7] + [max(shop_codes, key=len)]
    for code in sample:
        verification = verify_tag(replace(demo_tag(), item_code=code), template, dpi)
        assert verification.ok and verification.decoded == (code,), (code, verification)


def test_rat_tail_at_203_dpi_says_it_prints_the_long_code_as_datamatrix() -> None:
    layout = layout_tag(replace(demo_tag(), item_code="PMV999900001"), load_template("rat_tail_75x10"), 203)
    assert isinstance(layout.barcode, PlacedMatrix) and layout.barcode.symbology is Symbology.DATAMATRIX
    assert layout.note is LayoutNote.LONG_CODE_DATAMATRIX
    # 8 ASCII codewords: a 14 x 14 symbol (ISO/IEC 16022 Table 7) of 2-dot modules, inside the head.
    assert (layout.barcode.symbol.rows, layout.barcode.module) == (14, 2)
    # The item code's line moved to the top band, clear of the square.
    first = min(layout.texts, key=lambda text: text.y)
    assert first.text.startswith("PMV999900001") and first.y + first.height <= bc_top(layout)
    px, py, pw, ph = layout.printable
    bc = layout.barcode
    assert px <= bc.x - bc.quiet and bc.x + bc.width + bc.quiet <= px + pw
    assert py <= bc.y - bc.quiet and bc.y + bc.symbol_height + bc.quiet <= py + ph


def bc_top(layout) -> int:  # type: ignore[no-untyped-def]
    return layout.barcode.y - layout.barcode.quiet


def test_a_code_that_fits_code128_keeps_it_without_a_note() -> None:
    layout = layout_tag(demo_tag(), load_template(), 203)
    assert isinstance(layout.barcode, PlacedBarcode) and layout.note is None


def _variant(**changes: object) -> LabelTemplate:
    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    data.update(changes)
    return LabelTemplate.from_dict(data)


def test_a_template_can_ask_for_one_symbology() -> None:
    tag = replace(demo_tag(), item_code="PMV999900001")
    qr = layout_tag(tag, _variant(symbology="qr"), 203)
    assert qr.barcode.symbology is Symbology.QR and qr.note is None  # asked for, so nothing to explain
    assert layout_tag(demo_tag(), _variant(symbology="datamatrix"), 300).barcode.symbology is Symbology.DATAMATRIX
    with pytest.raises(TagRefused) as refused:
        layout_tag(tag, _variant(symbology="code128"), 203).require_printable()
    assert refused.value.problem is VerifyProblem.TOO_LONG_FOR_LABEL
    # And a caller may force one whatever the template says (the preview of a QR stock, say).
    placed, note = choose_code("PMV999900001", load_template(), 300, "qr")
    assert placed.symbology is Symbology.QR and note is None


def test_a_template_offering_only_code128_refuses_what_does_not_fit() -> None:
    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    data["barcodes"] = data["barcodes"][:1]
    data["texts"] = [text for text in data["texts"] if text["symbologies"] == ["code128"]]
    result = verify_tag(replace(demo_tag(), item_code="PMV999900001"), LabelTemplate.from_dict(data), 203)
    assert result.problem is VerifyProblem.TOO_LONG_FOR_LABEL and result.symbology == "code128"


def test_old_single_barcode_templates_still_load() -> None:
    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    data["barcode"] = data.pop("barcodes")[0]
    data.pop("symbology")
    data["texts"] = [{k: v for k, v in text.items() if k != "symbologies"}
                     for text in data["texts"] if text["symbologies"] == ["code128"]]
    template = LabelTemplate.from_dict(data)
    assert [field.symbology for field in template.barcodes] == ["code128"] and template.symbology == "auto"


@pytest.mark.parametrize("dpi", DPIS)
def test_preview_draws_exactly_the_modules_of_the_layout(dpi: int) -> None:
    layout = layout_tag(replace(demo_tag(), item_code="PMV-KIMPHAT-2026-0001"), load_template(), dpi)
    image = image_from_layout(layout)
    bc = layout.barcode
    assert isinstance(bc, PlacedMatrix)
    for row, line in enumerate(bc.symbol.modules):
        for column, dark in enumerate(line):
            x, y = bc.x + column * bc.module, bc.y + row * bc.module
            block = image.crop((x, y, x + bc.module, y + bc.module)).getextrema()
            assert block == ((0, 0) if dark else (255, 255)), (row, column)
    # The quiet zone all round is white (texts are elsewhere on the head).
    q = bc.quiet
    ring = image.crop((bc.x - q, bc.y - q, bc.x + bc.width + q, bc.y + bc.symbol_height + q))
    inner = Image.new("L", ring.size, 255)
    inner.paste(image.crop((bc.x, bc.y, bc.x + bc.width, bc.y + bc.symbol_height)), (q, q))
    assert ring.tobytes() == inner.tobytes()
