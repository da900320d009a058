"""Prove a tag's barcode will scan before a single label is spent.

Three checks, cheapest first:
  1. bars at least :func:`~app.devices.labels.layout.min_module_dots` wide;
  2. symbol plus ISO quiet zones inside the template's barcode box (a 30 mm
     rat-tail head holds at most 5 Code 128 symbol characters at 203 dpi
     with 2-dot bars: 10 digits, or about 5 letters);
  3. the tag drawn dot for dot at the printer's resolution (the same layout
     the printer command describes) decodes with zxing-cpp to exactly the
     item code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.devices.labels.layout import (
    TagRefused,
    VerifyProblem,
    dots_to_mm,
    layout_tag,
    min_module_dots,
)
from app.devices.labels.model import JewelleryTag, LabelTemplate
from app.devices.labels.preview import image_from_layout

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Decoder", "Verification", "VerifyProblem", "TagRefused", "decode_code128", "verify_tag",
           "require_verified"]

Decoder = Callable[["Image.Image"], Sequence[str]]


def decode_code128(image: Image.Image) -> list[str]:
    """Every Code 128 symbol zxing-cpp finds in ``image``, as text."""
    import zxingcpp

    formats = zxingcpp.barcode_formats_from_str("Code128")
    return [result.text for result in zxingcpp.read_barcodes(image, formats=formats) if result.valid]


@dataclass(frozen=True)
class Verification:
    item_code: str
    dpi: int
    problem: VerifyProblem | None
    module_dots: int
    min_module_dots: int
    needed_mm: float  # symbol plus quiet zones
    available_mm: float  # the template's barcode box
    decoded: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_tag(tag: JewelleryTag, template: LabelTemplate, dpi: int,
               *, decoder: Decoder = decode_code128) -> Verification:
    layout = layout_tag(tag, template, dpi)
    bc = layout.barcode

    def result(problem: VerifyProblem | None, decoded: Sequence[str] = ()) -> Verification:
        return Verification(
            item_code=tag.item_code, dpi=dpi, problem=problem, module_dots=bc.module,
            min_module_dots=min_module_dots(dpi), needed_mm=round(dots_to_mm(bc.needed_width, dpi), 2),
            available_mm=round(dots_to_mm(bc.box_width, dpi), 2), decoded=tuple(decoded),
        )

    if layout.geometry_problem is not None:
        return result(layout.geometry_problem)
    decoded = list(decoder(image_from_layout(layout)))
    if not decoded:
        return result(VerifyProblem.DOES_NOT_DECODE)
    if decoded != [tag.item_code]:
        return result(VerifyProblem.DECODES_WRONG, decoded)
    return result(None, decoded)


def require_verified(tag: JewelleryTag, template: LabelTemplate, dpi: int,
                     *, decoder: Decoder = decode_code128) -> Verification:
    """:func:`verify_tag`, raising :class:`TagRefused` on any problem."""
    verification = verify_tag(tag, template, dpi, decoder=decoder)
    if verification.problem is not None:
        raise TagRefused(verification.problem,
                         f"{tag.item_code!r} at {dpi} dpi: needs {verification.needed_mm} mm of "
                         f"{verification.available_mm} mm, bars {verification.module_dots} dots, "
                         f"decoded {list(verification.decoded)}")
    return verification
