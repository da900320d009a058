"""A tag placed in printer dots: the one geometry every renderer draws.

ZPL, TSPL, EZPL, the PNG that verification decodes and the PDF preview all
read the same :class:`TagLayout`, so the image we check with zxing-cpp has
exactly the bar widths and positions that the printer command describes.

The code is Code 128 where it fits; where it does not (a 10-12 character
item code on a rat-tail head at 203 dpi), the next symbology the template
offers, DataMatrix first: see :func:`layout_tag`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from app.devices.labels.code128 import encode
from app.devices.labels.matrix import MatrixError, MatrixSymbol, Symbology, dark_runs, encode_matrix
from app.devices.labels.model import AUTO, BarcodeField, JewelleryTag, LabelTemplate
from pmv_protocol.coded_error import CodeAlias, CodedError

MM_PER_INCH = 25.4


class VerifyProblem(StrEnum):
    """Why a tag is refused before printing (the UI words it)."""

    TOO_LONG_FOR_LABEL = "too_long_for_label"
    BARS_TOO_THIN = "bars_too_thin"
    DOES_NOT_DECODE = "does_not_decode"
    DECODES_WRONG = "decodes_wrong"
    TEXT_TOO_WIDE = "text_too_wide"  # a line runs past the head or into the code's quiet zone


class TagRefused(CodedError[VerifyProblem], ValueError):
    """Raised instead of producing a job the printer would spoil (also in batch.py's worker process)."""

    problem = CodeAlias[VerifyProblem]()


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


class LayoutNote(StrEnum):
    """What the UI tells the user about the code chosen (it words it: "Mã dài: in mã 2D DataMatrix")."""

    LONG_CODE_DATAMATRIX = "long_code_datamatrix"  # Code 128 did not fit: a DataMatrix instead
    LONG_CODE_QR = "long_code_qr"


_NOTES = {Symbology.DATAMATRIX: LayoutNote.LONG_CODE_DATAMATRIX, Symbology.QR: LayoutNote.LONG_CODE_QR}


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

    symbology = Symbology.CODE128

    @property
    def symbol_height(self) -> int:
        return self.height

    def bars(self) -> list[tuple[int, int]]:
        """(x, width) of each bar in dots."""
        out, x = [], self.x
        for index, run in enumerate(self.runs):
            if index % 2 == 0:
                out.append((x, run * self.module))
            x += run * self.module
        return out

    def rects(self) -> list[tuple[int, int, int, int]]:
        """(x, y, width, height) in dots of every black rectangle: what PNG and PDF draw."""
        return [(x, self.y, width, self.height) for x, width in self.bars()]


@dataclass(frozen=True)
class PlacedMatrix:
    """A DataMatrix or QR symbol: square modules of ``module`` dots, top-left corner at (x, y)."""

    symbol: MatrixSymbol
    x: int
    y: int
    module: int
    quiet: int  # quiet zone on every side, in dots
    box_x: int
    box_y: int
    box_width: int
    box_height: int

    @property
    def data(self) -> str:
        return self.symbol.text

    @property
    def symbology(self) -> Symbology:
        return self.symbol.symbology

    @property
    def width(self) -> int:
        return self.symbol.columns * self.module

    @property
    def symbol_height(self) -> int:
        return self.symbol.rows * self.module

    @property
    def needed_width(self) -> int:
        return self.width + 2 * self.quiet

    @property
    def needed_height(self) -> int:
        return self.symbol_height + 2 * self.quiet

    @property
    def fits(self) -> bool:
        return self.needed_width <= self.box_width and self.needed_height <= self.box_height

    def rects(self) -> list[tuple[int, int, int, int]]:
        return [(self.x + column * self.module, self.y + row * self.module, length * self.module, self.module)
                for row, column, length in dark_runs(self.symbol)]


Placed = PlacedBarcode | PlacedMatrix


@dataclass(frozen=True)
class TagLayout:
    template: LabelTemplate
    dpi: int
    width: int  # label, in dots
    height: int
    gap: int
    printable: tuple[int, int, int, int]  # x, y, width, height in dots
    barcode: Placed
    texts: tuple[PlacedText, ...]
    note: LayoutNote | None = None  # set when a 2D code replaced a Code 128 that did not fit

    @property
    def geometry_problem(self) -> VerifyProblem | None:
        return _problem(self.barcode, self.dpi)

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


def _problem(placed: Placed, dpi: int) -> VerifyProblem | None:
    if placed.module < min_module_dots(dpi):
        return VerifyProblem.BARS_TOO_THIN
    return None if placed.fits else VerifyProblem.TOO_LONG_FOR_LABEL


def _edges(start_mm: float, length_mm: float, dpi: int) -> tuple[int, int]:
    # Round both edges, not the length, so a box never pokes past the printable area.
    start = mm_to_dots(start_mm, dpi)
    return start, mm_to_dots(start_mm + length_mm, dpi) - start


def _place_code128(data: str, field: BarcodeField, dpi: int) -> PlacedBarcode:
    module = field.module_dots[dpi]
    runs = encode(data).runs()
    box_x, box_width = _edges(field.box.x_mm, field.box.width_mm, dpi)
    quiet = field.quiet_zone_modules * module
    width = sum(runs) * module
    # Centre the symbol in its box; when it cannot fit, keep the left quiet
    # zone so a preview shows where it overruns.
    x = box_x + (box_width - width) // 2 if width + 2 * quiet <= box_width else box_x + quiet
    return PlacedBarcode(
        data=data, x=x, y=mm_to_dots(field.box.y_mm, dpi), height=mm_to_dots(field.box.height_mm, dpi),
        module=module, runs=runs, quiet=quiet, box_x=box_x, box_width=box_width,
    )


def _place_matrix(data: str, field: BarcodeField, dpi: int) -> PlacedMatrix:
    symbol = encode_matrix(data, Symbology(field.symbology))
    module = field.module_dots[dpi]
    box_x, box_width = _edges(field.box.x_mm, field.box.width_mm, dpi)
    box_y, box_height = _edges(field.box.y_mm, field.box.height_mm, dpi)
    quiet = field.quiet_zone_modules * module
    width, height = symbol.columns * module, symbol.rows * module
    # Centred in the box, as Code 128 is; where it overruns, from the box's
    # corner plus the quiet zone so a preview shows by how much.
    x = box_x + (box_width - width) // 2 if width + 2 * quiet <= box_width else box_x + quiet
    y = box_y + (box_height - height) // 2 if height + 2 * quiet <= box_height else box_y + quiet
    return PlacedMatrix(symbol=symbol, x=x, y=y, module=module, quiet=quiet, box_x=box_x, box_y=box_y,
                        box_width=box_width, box_height=box_height)


def place_code(data: str, field: BarcodeField, dpi: int) -> Placed:
    if field.symbology == Symbology.CODE128.value:
        return _place_code128(data, field, dpi)
    return _place_matrix(data, field, dpi)


def choose_code(data: str, template: LabelTemplate, dpi: int,
                symbology: str | None = None) -> tuple[Placed, LayoutNote | None]:
    """The code the tag carries, and the note the UI shows when it is not the template's first choice.

    ``symbology`` (or the template's own fixed ``symbology``) forces one;
    otherwise the template's symbologies are tried in order and the first
    that fits with wide enough modules wins.  When none does, the first one
    is returned, so the refusal names the code the user expected.
    """
    wanted = symbology or template.symbology
    fields = [template.barcode_field(wanted)] if wanted != AUTO else list(template.barcodes)
    for field in fields:
        if dpi not in field.module_dots:
            raise ValueError(f"template {template.name} has no module width for {dpi} dpi")
    first: Placed | None = None
    for field in fields:
        try:
            placed = place_code(data, field, dpi)
        except MatrixError:  # more data than any allowed 2D size holds
            continue
        first = first or placed
        if _problem(placed, dpi) is None:
            note = _NOTES.get(placed.symbology) if wanted == AUTO and field is not fields[0] else None
            return placed, note
    return (first if first is not None else place_code(data, fields[0], dpi)), None


def layout_tag(tag: JewelleryTag, template: LabelTemplate, dpi: int, symbology: str | None = None) -> TagLayout:
    """Place ``tag`` on ``template`` for a ``dpi`` printer; geometry is checked by the caller."""
    if dpi <= 0:
        raise ValueError(f"bad resolution {dpi}")
    barcode, note = choose_code(tag.item_code, template, dpi, symbology)
    values = tag.placeholders()
    texts = []
    for field in template.texts:
        if not field.shown_with(barcode.symbology.value):
            continue
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
        barcode=barcode, texts=tuple(texts), note=note,
    )
