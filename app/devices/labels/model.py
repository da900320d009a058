"""What goes on a jewellery tag (tem nữ trang) and where: the tag and its template.

Templates are data (``resources/labels/*.json``) so the vendor can add a
shop's tag stock without a code change.  Positions are in millimetres, as
printed on the label roll's box; the renderers turn them into printer dots.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.infra.formatting import format_grams, format_vnd, format_weight
from app.infra.resources import resources_dir
from app.shop.pos_schema import PURITIES

DEFAULT_TEMPLATE = "rat_tail_75x10"

# Item codes become barcode data and printer-command arguments.  Any
# printable ASCII character (0x20-0x7E) is allowed, as a POS may use any of
# them; the renderers escape what each printer language treats specially
# (ZPL ^ ~ > and the DataMatrix escape character, TSPL's quote and ~, EZPL's
# comma), so the scanner reads back exactly the code.  Non-ASCII cannot be
# carried by Code 128 sets B/C, nor typed by a keyboard-wedge scanner.
ITEM_CODE_PATTERN = re.compile(r"[\x20-\x7e]{1,40}")

# Karat names the trade uses; any other purity is called by its code
# ("Vàng 610"), as the POS's purity table names them.
_KARAT = {"9999": "24K", "750": "18K", "585": "14K", "417": "10K"}
_KNOWN_PURITIES = frozenset(code for code, _name, _per_mille in PURITIES)


class TagFieldError(ValueError):
    """A tag value is unusable; ``field`` names it, ``reason`` is a stable code."""

    def __init__(self, field: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{field}: {reason}" + (f" ({detail})" if detail else ""))
        self.field = field
        self.reason = reason


def check_purity(purity_code: str) -> None:
    """Known POS purities, or any other three-digit per mille code ("610", "680")."""
    if purity_code not in _KNOWN_PURITIES and not re.fullmatch(r"[1-9][0-9]{2}", purity_code):
        raise TagFieldError("purity_code", "unknown_purity", purity_code)


def karat_name(purity_code: str) -> str:
    check_purity(purity_code)
    return _KARAT.get(purity_code, purity_code)


@dataclass(frozen=True)
class JewelleryTag:
    """One piece's tag.  Weights are integer milligrams, money integer VND."""

    shop_name: str
    item_code: str
    product_name: str
    purity_code: str
    gross_weight_mg: int
    stone_weight_mg: int = 0
    labour_vnd: int = 0
    price_vnd: int | None = None

    def __post_init__(self) -> None:
        if not ITEM_CODE_PATTERN.fullmatch(self.item_code):
            raise TagFieldError("item_code", "bad_item_code", self.item_code)
        if not self.product_name.strip():
            raise TagFieldError("product_name", "empty")
        check_purity(self.purity_code)
        for name in ("gross_weight_mg", "stone_weight_mg", "labour_vnd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TagFieldError(name, "not_a_non_negative_integer", repr(value))
        if self.gross_weight_mg == 0:
            raise TagFieldError("gross_weight_mg", "zero")
        if self.stone_weight_mg > self.gross_weight_mg:
            raise TagFieldError("stone_weight_mg", "heavier_than_gross")
        if self.price_vnd is not None and (not isinstance(self.price_vnd, int) or self.price_vnd < 0):
            raise TagFieldError("price_vnd", "not_a_non_negative_integer", repr(self.price_vnd))

    @property
    def gold_weight_mg(self) -> int:
        return self.gross_weight_mg - self.stone_weight_mg

    @property
    def karat(self) -> str:
        return karat_name(self.purity_code)

    def placeholders(self) -> dict[str, str | None]:
        """Values a template's text may name; ``None`` means "leave the line out"."""
        karat = self.karat
        return {
            "shop_name": self.shop_name.strip() or None,
            "item_code": self.item_code,
            "product_name": self.product_name.strip(),
            "karat": karat,
            "purity": self.purity_code,
            "purity_label": f"{self.purity_code} ({karat})" if karat != self.purity_code else karat,
            "gross_weight": format_grams(self.gross_weight_mg),
            "stone_weight": format_grams(self.stone_weight_mg),
            "gold_weight": format_grams(self.gold_weight_mg),
            "gold_weight_chi": format_weight(self.gold_weight_mg),
            "labour": format_vnd(self.labour_vnd),
            "price": format_vnd(self.price_vnd) if self.price_vnd is not None else None,
        }


PLACEHOLDERS = frozenset(JewelleryTag("x", "X", "x", "750", 1).placeholders())


def demo_tag(item_code: str = "75000001") -> JewelleryTag:
    """The test tag a technician prints: realistic values, a code that fits every shipped template.

    The default code is all digits (8 digits = 4 code-set-C symbols) so it
    fits the 30 mm rat-tail head as Code 128 even at 203 dpi with 2-dot bars;
    the demo shop's ``PMV999900001`` style needs more there and is printed as
    a DataMatrix instead (see layout.py).
    """
    return JewelleryTag(
        shop_name="Tiệm vàng Kim Phát",
        item_code=item_code,
        product_name="Nhẫn cưới 18K",
        purity_code="750",
        gross_weight_mg=4_688,  # 1 chỉ 2 phân 5 ly
        stone_weight_mg=0,
        labour_vnd=350_000,
        price_vnd=None,
    )


# ---------------------------------------------------------------- templates

class TemplateError(ValueError):
    """A template file is missing, malformed or puts something off the label."""


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, origin at the label's top-left corner."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float

    def contains(self, other: Box) -> bool:
        eps = 1e-9
        return (other.x_mm >= self.x_mm - eps and other.y_mm >= self.y_mm - eps
                and other.x_mm + other.width_mm <= self.x_mm + self.width_mm + eps
                and other.y_mm + other.height_mm <= self.y_mm + self.height_mm + eps)


@dataclass(frozen=True)
class TextField:
    x_mm: float
    y_mm: float
    height_mm: float
    text: str  # a str.format pattern over JewelleryTag.placeholders(), e.g. "Công: {labour}"
    # The codes this line goes with; empty = every code.  A rat-tail head has
    # room for a 2D square only if the lines move: the item code's own line
    # (up to 20 wide characters, the whole head) goes to the top band Code 128
    # would have used, the others stop short of the square.
    symbologies: tuple[str, ...] = ()

    def shown_with(self, symbology: str) -> bool:
        return not self.symbologies or symbology in self.symbologies

    def fill(self, values: Mapping[str, str | None]) -> str | None:
        names = _pattern_names(self.text)
        if any(values[name] is None for name in names):
            return None
        return self.text.format_map(values)


SYMBOLOGIES = ("code128", "datamatrix", "qr")
AUTO = "auto"
# Minimum quiet zones: ISO/IEC 15417 (Code 128) 10 modules, ISO/IEC 16022
# (DataMatrix) 1 module, ISO/IEC 18004 (QR) 4 modules.
MIN_QUIET_ZONE = {"code128": 10, "datamatrix": 1, "qr": 4}


@dataclass(frozen=True)
class BarcodeField:
    """Where one symbology's code may go: the symbol is centred in ``box``, quiet zones included."""

    box: Box
    symbology: str
    module_dots: Mapping[int, int]  # narrow bar / module width in dots, per printer resolution
    quiet_zone_modules: int


@dataclass(frozen=True)
class LabelTemplate:
    name: str
    description: str
    width_mm: float  # across the print head
    height_mm: float  # along the feed: the label pitch without the gap
    gap_mm: float
    printable: Box  # the head of a rat-tail tag; the whole label for plain ones
    barcodes: tuple[BarcodeField, ...]  # the symbologies that fit, in order of preference
    texts: tuple[TextField, ...]
    symbology: str = AUTO  # "auto": the first of ``barcodes`` that fits; else always that one

    @property
    def barcode(self) -> BarcodeField:
        """The preferred code's place (Code 128 on the shipped templates)."""
        return self.barcodes[0]

    def barcode_field(self, symbology: str) -> BarcodeField:
        for field in self.barcodes:
            if field.symbology == symbology:
                return field
        raise ValueError(f"template {self.name} has no place for {symbology}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "<dict>") -> LabelTemplate:
        try:
            template = cls._parse(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise TemplateError(f"{origin}: {type(exc).__name__}: {exc}") from exc
        template._validate(origin)
        return template

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> LabelTemplate:
        def box(raw: Mapping[str, Any]) -> Box:
            return Box(float(raw["x_mm"]), float(raw["y_mm"]), float(raw["width_mm"]), float(raw["height_mm"]))

        def barcode(raw: Mapping[str, Any]) -> BarcodeField:
            symbology = str(raw.get("symbology", "code128"))
            return BarcodeField(
                box=box(raw),
                symbology=symbology,
                module_dots={int(dpi): int(dots) for dpi, dots in raw["module_dots"].items()},
                quiet_zone_modules=int(raw.get("quiet_zone_modules", MIN_QUIET_ZONE.get(symbology, 10))),
            )

        # "barcodes": the list of symbologies that fit; "barcode": one (older templates).
        raw_barcodes = data["barcodes"] if "barcodes" in data else [data["barcode"]]
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            width_mm=float(data["width_mm"]),
            height_mm=float(data["height_mm"]),
            gap_mm=float(data.get("gap_mm", 2)),
            printable=box(data["printable"]),
            barcodes=tuple(barcode(raw) for raw in raw_barcodes),
            texts=tuple(TextField(float(raw["x_mm"]), float(raw["y_mm"]), float(raw["height_mm"]), str(raw["text"]),
                                  tuple(str(name) for name in raw.get("symbologies", ())))
                        for raw in data.get("texts", ())),
            symbology=str(data.get("symbology", AUTO)),
        )

    def _validate(self, origin: str) -> None:
        def fail(reason: str) -> None:
            raise TemplateError(f"{origin}: {reason}")

        if min(self.width_mm, self.height_mm) <= 0 or self.gap_mm < 0:
            fail("label size must be positive")
        if not Box(0, 0, self.width_mm, self.height_mm).contains(self.printable):
            fail("printable area lies outside the label")
        if not self.barcodes:
            fail("a template needs at least one barcode place")
        names = [field.symbology for field in self.barcodes]
        if len(set(names)) != len(names):
            fail(f"a symbology is listed twice: {names}")
        if self.symbology != AUTO and self.symbology not in names:
            fail(f"symbology {self.symbology!r} is neither 'auto' nor one of {names}")
        for field in self.barcodes:
            if field.symbology not in SYMBOLOGIES:
                fail(f"unsupported symbology {field.symbology!r} (one of {', '.join(SYMBOLOGIES)})")
            if not self.printable.contains(field.box):
                fail(f"{field.symbology} box lies outside the printable area")
            if not field.module_dots or any(dots < 1 for dots in field.module_dots.values()):
                fail("module_dots needs a positive width for each resolution")
            if field.quiet_zone_modules < MIN_QUIET_ZONE[field.symbology]:
                fail(f"{field.symbology} needs a quiet zone of at least {MIN_QUIET_ZONE[field.symbology]} modules")
        for text in self.texts:
            unknown = _pattern_names(text.text) - PLACEHOLDERS
            if unknown:
                fail(f"unknown placeholder(s) {sorted(unknown)} in {text.text!r}")
            if text.height_mm <= 0 or not self.printable.contains(Box(text.x_mm, text.y_mm, 0, text.height_mm)):
                fail(f"text {text.text!r} starts outside the printable area")
            if not set(text.symbologies) <= set(names):
                fail(f"text {text.text!r} names a symbology the template does not offer: {list(text.symbologies)}")

    def module_dots(self, dpi: int, symbology: str | None = None) -> int:
        field = self.barcode if symbology is None else self.barcode_field(symbology)
        try:
            return field.module_dots[dpi]
        except KeyError:
            raise ValueError(f"template {self.name} has no module width for {dpi} dpi") from None


def _pattern_names(pattern: str) -> frozenset[str]:
    try:
        return frozenset(name for _lit, name, _spec, _conv in string.Formatter().parse(pattern) if name)
    except ValueError as exc:
        raise TemplateError(f"bad text pattern {pattern!r}: {exc}") from exc


def templates_dir() -> Path:
    return resources_dir() / "labels"


def load_template(name_or_path: str | Path = DEFAULT_TEMPLATE, directory: Path | None = None) -> LabelTemplate:
    """A shipped template by name (``"plain_40x30"``) or any template file by path."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = (directory or templates_dir()) / f"{name_or_path}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such template") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TemplateError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: not a JSON object")
    return LabelTemplate.from_dict(data, origin=str(path))


def list_templates(directory: Path | None = None) -> list[str]:
    return sorted(path.stem for path in (directory or templates_dir()).glob("*.json"))
