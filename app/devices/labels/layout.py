"""A tag placed in printer dots: the one geometry every renderer draws.

ZPL, TSPL, EZPL, the PNG that verification decodes and the PDF preview all
read the same :class:`TagLayout`, so the image we check with zxing-cpp has
exactly the bar widths and positions that the printer command describes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from app.devices.labels.code128 import encode
from app.devices.labels.model import JewelleryTag, LabelTemplate

MM_PER_INCH = 25.4


class VerifyProblem(str, Enum):
    """Why a tag is refused before printing (the UI words it)."""

    TOO_LONG_FOR_LABEL = "too_long_for_label"
    BARS_TOO_THIN = "bars_too_thin"
    DOES_NOT_DECODE = "does_not_decode"
    DECODES_WRONG = "decodes_wrong"


class TagRefused(ValueError):
    """Raised instead of producing a job the printer would spoil."""

    def __init__(self, problem: VerifyProblem, detail: str = "") -> None:
        super().__init__(problem.value + (f": {detail}" if detail else ""))
        self.problem = problem
        self.detail = detail

    def __reduce__(self) -> tuple[type[TagRefused], tuple[VerifyProblem, str]]:
        # Raised in the tag worker process (batch.py) and pickled back: keep the problem, not just the text.
        return (TagRefused, (self.problem, self.detail))


def mm_to_dots(mm: float, dpi: int) -> int:
    # Half-up rounding: 0.5 dot either way is below what a head can place.
    return math.floor(mm * dpi / MM_PER_INCH + 0.5)


def dots_to_mm(dots: float, dpi: int) -> float:
    return dots * MM_PER_INCH / dpi


def min_module_dots(dpi: int) -> int:
    """Narrowest bar we let a printer draw, in dots.

    A one-dot bar (0.125 mm at 203 dpi) depends on a single heating element
    and on ink spread: one weak dot and the bar vanishes.  Two dots at any
    resolution, and never below two 300 dpi dots (0.17 mm) on finer heads.
    """
    return max(2, math.ceil(dpi / 150 - 1e-9))


@dataclass(frozen=True)
class PlacedText:
    x: int
    y: int  # top of the character cell
    height: int
    text: str  # full Unicode; the raw renderers fold it for printers without Vietnamese fonts


@dataclass(frozen=True)
class PlacedBarcode:
    data: str
    x: int  # left edge of the first bar (quiet zone not included)
    y: int
    height: int
    module: int  # narrow bar width in dots
    runs: tuple[int, ...]  # bar/space widths in modules, bar first
    quiet: int  # quiet zone each side, in dots
    box_x: int
    box_width: int

    @property
    def width(self) -> int:
        return sum(self.runs) * self.module

    @property
    def needed_width(self) -> int:
        return self.width + 2 * self.quiet

    @property
    def fits(self) -> bool:
        return self.needed_width <= self.box_width

    def bars(self) -> list[tuple[int, int]]:
        """(x, width) of each bar in dots."""
        out, x = [], self.x
        for index, run in enumerate(self.runs):
            if index % 2 == 0:
                out.append((x, run * self.module))
            x += run * self.module
        return out


@dataclass(frozen=True)
class TagLayout:
    template: LabelTemplate
    dpi: int
    width: int  # label, in dots
    height: int
    gap: int
    printable: tuple[int, int, int, int]  # x, y, width, height in dots
    barcode: PlacedBarcode
    texts: tuple[PlacedText, ...]

    @property
    def geometry_problem(self) -> VerifyProblem | None:
        if self.barcode.module < min_module_dots(self.dpi):
            return VerifyProblem.BARS_TOO_THIN
        if not self.barcode.fits:
            return VerifyProblem.TOO_LONG_FOR_LABEL
        return None

    def require_printable(self) -> TagLayout:
        problem = self.geometry_problem
        if problem is VerifyProblem.BARS_TOO_THIN:
            raise TagRefused(problem, f"{self.barcode.module} dot bars at {self.dpi} dpi, "
                                      f"need {min_module_dots(self.dpi)}")
        if problem is VerifyProblem.TOO_LONG_FOR_LABEL:
            raise TagRefused(problem, f"{self.barcode.data!r} needs "
                                      f"{dots_to_mm(self.barcode.needed_width, self.dpi):.1f} mm with quiet zones, "
                                      f"the label has {dots_to_mm(self.barcode.box_width, self.dpi):.1f} mm")
        return self


def layout_tag(tag: JewelleryTag, template: LabelTemplate, dpi: int) -> TagLayout:
    """Place ``tag`` on ``template`` for a ``dpi`` printer; geometry is checked by the caller."""
    if dpi <= 0:
        raise ValueError(f"bad resolution {dpi}")
    module = template.module_dots(dpi)
    symbol = encode(tag.item_code)
    runs = symbol.runs()
    box = template.barcode.box
    # Round both edges, not the width, so the box never pokes past the printable area.
    box_x = mm_to_dots(box.x_mm, dpi)
    box_width = mm_to_dots(box.x_mm + box.width_mm, dpi) - box_x
    quiet = template.barcode.quiet_zone_modules * module
    width = sum(runs) * module
    # Centre the symbol in its box; when it cannot fit, keep the left quiet
    # zone so a preview shows where it overruns.
    x = box_x + (box_width - width) // 2 if width + 2 * quiet <= box_width else box_x + quiet
    barcode = PlacedBarcode(
        data=tag.item_code, x=x, y=mm_to_dots(box.y_mm, dpi), height=mm_to_dots(box.height_mm, dpi),
        module=module, runs=runs, quiet=quiet, box_x=box_x, box_width=box_width,
    )
    values = tag.placeholders()
    texts = []
    for field in template.texts:
        text = field.fill(values)
        if text:
            texts.append(PlacedText(mm_to_dots(field.x_mm, dpi), mm_to_dots(field.y_mm, dpi),
                                    max(1, mm_to_dots(field.height_mm, dpi)), text))
    area = template.printable
    return TagLayout(
        template=template, dpi=dpi,
        width=mm_to_dots(template.width_mm, dpi), height=mm_to_dots(template.height_mm, dpi),
        gap=mm_to_dots(template.gap_mm, dpi),
        printable=(mm_to_dots(area.x_mm, dpi), mm_to_dots(area.y_mm, dpi),
                   mm_to_dots(area.width_mm, dpi), mm_to_dots(area.height_mm, dpi)),
        barcode=barcode, texts=tuple(texts),
    )
