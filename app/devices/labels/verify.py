"""Prove a tag's barcode will scan before a single label is spent.

Three checks, cheapest first:
  1. bars (or 2D modules) at least :func:`~app.devices.labels.layout.min_module_dots` wide;
  2. symbol plus ISO quiet zones inside the template's box for it (a 30 mm
     rat-tail head holds at most 5 Code 128 symbol characters at 203 dpi
     with 2-dot bars: 10 digits, or about 5 letters; longer codes go in the
     DataMatrix the template offers, and the result says so in ``note``);
  3. every text line inside the print head and clear of the code's quiet zone;
  4. the tag drawn dot for dot at the printer's resolution (the same layout
     the printer command describes) decodes with zxing-cpp to exactly the
     item code, in the symbology chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.devices.labels.layout import (
    LayoutNote,
    TagLayout,
    TagRefused,
    VerifyProblem,
    dots_to_mm,
    layout_tag,
    min_module_dots,
)
from app.devices.labels.matrix import Symbology
from app.devices.labels.model import JewelleryTag, LabelTemplate
from app.devices.labels.preview import image_from_layout

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Decoder", "LayoutNote", "Verification", "VerifyProblem", "TagRefused", "decode_code128",
           "decode_tag_codes", "verify_tag", "require_verified"]

Decoder = Callable[["Image.Image"], Sequence[str]]


def _decode(image: Image.Image, formats: str) -> list[str]:
    import zxingcpp

    wanted = zxingcpp.barcode_formats_from_str(formats)
    return [result.text for result in zxingcpp.read_barcodes(image, formats=wanted) if result.valid]


def decode_code128(image: Image.Image) -> list[str]:
    """Every Code 128 symbol zxing-cpp finds in ``image``, as text."""
    return _decode(image, "Code128")


def decode_tag_codes(image: Image.Image) -> list[str]:
    """Every symbol of a tag's symbologies (Code 128, DataMatrix, QR) zxing-cpp finds in ``image``."""
    return _decode(image, "Code128,DataMatrix,QRCode")


@dataclass(frozen=True)
class Verification:
    item_code: str
    dpi: int
    problem: VerifyProblem | None
    module_dots: int
    min_module_dots: int
    needed_mm: float  # symbol plus quiet zones (its width; 2D codes are square)
    available_mm: float  # the template's box for that symbology
    decoded: tuple[str, ...] = ()
    symbology: str = "code128"  # the code the tag carries: code128 | datamatrix | qr
    note: LayoutNote | None = None  # LONG_CODE_DATAMATRIX when Code 128 did not fit (the UI says so)

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_tag(tag: JewelleryTag, template: LabelTemplate, dpi: int,
               *, decoder: Decoder = decode_tag_codes, symbology: str | None = None) -> Verification:
    layout = layout_tag(tag, template, dpi, symbology)
    bc = layout.barcode

    def result(problem: VerifyProblem | None, decoded: Sequence[str] = ()) -> Verification:
        return Verification(
            item_code=tag.item_code, dpi=dpi, problem=problem, module_dots=bc.module,
            min_module_dots=min_module_dots(dpi), needed_mm=round(dots_to_mm(bc.needed_width, dpi), 2),
            available_mm=round(dots_to_mm(bc.box_width, dpi), 2), decoded=tuple(decoded),
            symbology=bc.symbology.value, note=layout.note,
        )

    if layout.geometry_problem is not None:
        return result(layout.geometry_problem)
    if _text_overflows(layout):
        return result(VerifyProblem.TEXT_TOO_WIDE)
    decoded = list(decoder(image_from_layout(layout)))
    if not decoded:
        return result(VerifyProblem.DOES_NOT_DECODE)
    if decoded != [tag.item_code]:
        return result(VerifyProblem.DECODES_WRONG, decoded)
    return result(None, decoded)


def _text_overflows(layout: TagLayout) -> bool:
    """Whether a line's ink runs past the print head, or into the quiet zone of a code beside it.

    Measured on the very raster the preview and the printer command use (cached, drawn once): what the printer
    would lose past the head, or print over the code's quiet zone (ISO/IEC 16022 and 18004 need it blank), is a
    spoiled tag. A line cut at the label's own edge ran past it, so past the head too.
    """
    from app.devices.labels.text_raster import raster_for

    left, _top, width, _height = layout.printable
    code = layout.barcode
    # Code 128's quiet zone is left and right only (ISO/IEC 15417); a 2D code's is on every side.
    above = 0 if code.symbology is Symbology.CODE128 else code.quiet
    code_left, code_top, code_bottom = code.x - code.quiet, code.y - above, code.y + code.symbol_height + above
    for text in layout.texts:
        raster = raster_for(text, layout.width, layout.height)
        if raster is None:
            continue
        limit = left + width
        beside = raster.y < code_bottom and raster.y + raster.height > code_top and text.x < code_left
        if beside:
            limit = min(limit, code_left)
        right = raster.x + raster.width
        if right > limit or right >= layout.width:
            return True
    return False


def require_verified(tag: JewelleryTag, template: LabelTemplate, dpi: int,
                     *, decoder: Decoder = decode_tag_codes) -> Verification:
    """:func:`verify_tag`, raising :class:`TagRefused` on any problem."""
    verification = verify_tag(tag, template, dpi, decoder=decoder)
    if verification.problem is not None:
        raise TagRefused(verification.problem,
                         f"{tag.item_code!r} at {dpi} dpi: needs {verification.needed_mm} mm of "
                         f"{verification.available_mm} mm, bars {verification.module_dots} dots, "
                         f"decoded {list(verification.decoded)}")
    return verification
