"""Tags and templates: derived values, validation, loading templates from data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.devices.labels import (
    DEFAULT_TEMPLATE,
    JewelleryTag,
    TagFieldError,
    TemplateError,
    demo_tag,
    list_templates,
    load_template,
)
from app.devices.labels.model import templates_dir


@pytest.mark.parametrize("code, karat", [("750", "18K"), ("9999", "24K"), ("585", "14K"), ("417", "10K"),
                                         ("610", "610"), ("999", "999"), ("99", "99"), ("680", "680")])
def test_karat_names(code: str, karat: str) -> None:
    assert JewelleryTag("", "A1", "Nhẫn", code, 1000).karat == karat


def test_demo_tag() -> None:
    tag = demo_tag()
    assert (tag.shop_name, tag.product_name, tag.karat) == ("Tiệm vàng Kim Phát", "Nhẫn cưới 18K", "18K")
    values = tag.placeholders()
    assert values["gold_weight_chi"] == "1 chỉ 2 phân 5 ly"
    assert values["labour"] == "350.000 ₫"
    assert values["price"] is None


def test_gold_weight_is_gross_minus_stone() -> None:
    tag = JewelleryTag("", "A1", "Mặt dây", "585", 5_000, 1_250)
    assert tag.gold_weight_mg == 3_750
    assert tag.placeholders()["gold_weight_chi"] == "1 chỉ"


@pytest.mark.parametrize("changes, field", [
    # Item codes: 1-40 printable ASCII characters (0x20-0x7E); "A^XZ" or "PMV 001" are codes like any other.
    ({"item_code": "Mã-Việt"}, "item_code"),
    ({"item_code": "A\tB"}, "item_code"),
    ({"item_code": "A\x7f"}, "item_code"),
    ({"item_code": "X" * 41}, "item_code"),
    ({"item_code": ""}, "item_code"),
    ({"purity_code": "18K"}, "purity_code"),
    ({"gross_weight_mg": 0}, "gross_weight_mg"),
    ({"gross_weight_mg": 1.5}, "gross_weight_mg"),
    ({"stone_weight_mg": 6_000}, "stone_weight_mg"),
    ({"labour_vnd": -1}, "labour_vnd"),
    ({"price_vnd": -5}, "price_vnd"),
    ({"product_name": "  "}, "product_name"),
])
def test_bad_values_name_the_field(changes: dict, field: str) -> None:
    values = {"shop_name": "", "item_code": "A1", "product_name": "Nhẫn", "purity_code": "750",
              "gross_weight_mg": 5_000} | changes
    with pytest.raises(TagFieldError) as error:
        JewelleryTag(**values)
    assert error.value.field == field


def test_shipped_templates() -> None:
    assert {"rat_tail_75x10", "plain_40x30"} <= set(list_templates())
    rat_tail = load_template()
    assert rat_tail.name == DEFAULT_TEMPLATE
    assert (rat_tail.width_mm, rat_tail.height_mm) == (75, 10)
    assert rat_tail.printable.width_mm == 30  # only the head is printed
    assert rat_tail.barcode.symbology == "code128"
    assert set(rat_tail.barcode.module_dots) == {203, 300}
    plain = load_template("plain_40x30")
    assert (plain.width_mm, plain.height_mm, plain.printable.width_mm) == (40, 30, 40)


def _write(tmp_path: Path, **changes: object) -> Path:
    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split("__")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[leaf] = value
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_custom_template_by_path(tmp_path: Path) -> None:
    assert load_template(_write(tmp_path, name="custom")).name == "custom"


@pytest.mark.parametrize("changes, words", [
    ({"barcodes__0__symbology": "pdf417"}, "unsupported symbology"),
    ({"barcodes__1__symbology": "code128"}, "listed twice"),
    ({"symbology": "pdf417"}, "neither 'auto'"),
    ({"barcodes__0__x_mm": 10}, "code128 box"),
    ({"barcodes__1__width_mm": 12}, "datamatrix box"),
    ({"texts__0__text": "{weight}"}, "placeholder"),
    ({"texts__0__x_mm": 40}, "outside the printable"),
    ({"printable__width_mm": 80}, "printable area"),
    ({"width_mm": "wide"}, "ValueError"),
    ({"barcodes__0__module_dots": {"203": 0}}, "module_dots"),
    ({"barcodes": []}, "at least one"),
    # The ISO quiet zones: 10 modules for Code 128 (ISO/IEC 15417), 1 for DataMatrix (ISO/IEC 16022),
    # 4 for QR (ISO/IEC 18004).
    ({"barcodes__0__quiet_zone_modules": 9}, "at least 10"),
    ({"barcodes__1__quiet_zone_modules": 0}, "at least 1"),
    ({"barcodes__2__quiet_zone_modules": 3}, "at least 4"),
])
def test_bad_templates_are_refused_with_a_reason(tmp_path: Path, changes: dict, words: str) -> None:
    with pytest.raises(TemplateError, match=words):
        load_template(_write(tmp_path, **changes))


def test_missing_or_broken_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such template"):
        load_template("no_such_label")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(TemplateError):
        load_template(broken)
