"""Tag text that the printer cannot spell, as a 1-bit picture: one raster for the job and the preview.

Why bitmaps
  ZPL's font 0 and the resident fonts of TSC/Xprinter (TSPL) and Godex
  (EZPL) printers have no Vietnamese glyphs: a ZPL renderer refuses "ẫ",
  TSPL/EZPL print boxes or Latin-1 garbage.  So, unless the caller names a
  Unicode font already on the printer (``font=``), every text line that is
  not plain printable ASCII is drawn here, from the shipped DejaVu Sans
  (complete Vietnamese), one bit per printer dot, and sent as a graphic in
  the printer's own language (ZPL ``^GFA``, TSPL ``BITMAP``, EZPL ``Q``).
  Diacritics then print on any printer, with nothing downloaded first.

Why plain-ASCII lines stay text
  The printer draws its resident font at its own head resolution, with
  hinting made for it, so short codes and numbers stay crisp; the job stays
  small (a bitmap line costs 20–60 times the bytes of its text, which
  matters on 9600-baud serial printers and for runs of hundreds of tags,
  see transports.transfer_seconds); and the item code line remains text a
  technician can read in the job.

One raster, two consumers
  :func:`raster_for` is the only place a line becomes dots.  render.py
  sends those bytes, preview.py pastes the very same bits into the PNG, so
  the picture verification decodes and the shop looks at is what the head
  burns, dot for dot.  Rasters are cached: a run of tags repeats the same
  lines (product name, weight, labour) on every label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from app.devices.labels.layout import PlacedText
from app.infra.resources import resources_dir

if TYPE_CHECKING:
    from PIL import Image, ImageFont

# A printer's font height is the whole character cell, descenders included;
# DejaVu's ascent + descent is 1.164 em, so the em size is the cell / 1.164.
CELL_PER_EM = 1.164


def font_path() -> str:
    return str(resources_dir() / "fonts" / "DejaVuSans.ttf")


@cache
def font_for_cell(cell: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans sized so that a line fills a ``cell``-dot character cell."""
    from PIL import ImageFont

    return ImageFont.truetype(font_path(), max(1, round(cell / CELL_PER_EM)))


def one_line(text: str) -> str:
    """Tabs and line breaks as one space: a tag line is one printer field."""
    return re.sub(r"[\r\n\t]+", " ", text)


def needs_raster(text: str) -> bool:
    """True when a resident printer font could not print ``text`` as written (anything but ASCII 0x20–0x7E)."""
    return any(not 32 <= ord(char) < 127 for char in one_line(text))


@dataclass(frozen=True)
class TextRaster:
    """A text line's ink, cropped to its glyphs and clipped to the label.

    ``rows`` holds ``height`` rows of ``row_bytes`` bytes, most significant
    bit = leftmost dot, **1 = ink** (ZPL's convention, see render.py); the
    right edge is padded with white to a whole byte, as every printer
    graphic command counts width in bytes.
    """

    x: int  # left dot on the label of the raster's first column
    y: int  # top dot row
    width: int  # ink width in dots, before the padding to a whole byte
    height: int
    rows: bytes

    @property
    def row_bytes(self) -> int:
        return (self.width + 7) // 8

    def ink(self, column: int, row: int) -> bool:
        byte = self.rows[row * self.row_bytes + column // 8]
        return bool(byte & (0x80 >> (column % 8)))

    def inverted(self) -> bytes:
        """The same rows with 0 = ink, for languages that burn 0 bits (TSPL)."""
        return bytes(byte ^ 0xFF for byte in self.rows)

    def mask(self) -> Image.Image:
        """A mode "1" image of the ink (white = ink), for pasting into a preview."""
        from PIL import Image

        return Image.frombytes("1", (self.row_bytes * 8, self.height), self.rows)


@lru_cache(maxsize=512)
def raster_for(text: PlacedText, label_width: int, label_height: int) -> TextRaster | None:
    """``text`` drawn at its place, or None when it has no ink on the label (blank, or off the edge)."""
    from PIL import Image, ImageDraw

    content = one_line(text.text)
    font = font_for_cell(text.height)
    # "la" = left of the advance, top of the ascender: the printer's field origin
    # is the top-left of the character cell.  Stacked marks (Ẫ) may rise above
    # it, so the canvas spans the glyphs' whole box, negative offsets included.
    left, top, right, bottom = (int(v) for v in font.getbbox(content, anchor="la"))
    if right <= left or bottom <= top:
        return None
    # getbbox measures the outline; hinted bilevel glyphs can reach a dot or
    # two past it (the tail of "y", a tone mark), so draw with a margin and
    # crop to the ink afterwards.
    margin = 2 + text.height // 4
    left, top, right, bottom = left - margin, top - margin, right + margin, bottom + margin
    grey = Image.new("L", (right - left, bottom - top), 0)
    draw = ImageDraw.Draw(grey)
    # Bilevel FreeType rendering (hinted for on/off pixels) rather than a
    # threshold of anti-aliased grey: at an 11-dot cell (203 dpi) a threshold
    # draws "Ò" and "Ó", "ề" and "ế" alike; the bilevel glyphs keep all six
    # tones of every vowel apart (tests/unit/devices/labels/test_text_raster.py).
    draw.fontmode = "1"
    draw.text((-left, -top), content, fill=255, font=font, anchor="la")
    canvas = grey.point(lambda value: 255 if value >= 128 else 0).convert("1")
    # Clip to the label: a printer ignores or wraps dots past its edge, the preview has none.
    x0, y0 = text.x + left, text.y + top
    clip = (max(0, -x0), max(0, -y0), min(canvas.width, label_width - x0), min(canvas.height, label_height - y0))
    if clip[2] <= clip[0] or clip[3] <= clip[1]:
        return None
    canvas = canvas.crop(clip)
    ink = canvas.getbbox()
    if ink is None:
        return None
    canvas = canvas.crop(ink)
    padded = Image.new("1", ((canvas.width + 7) // 8 * 8, canvas.height), 0)
    padded.paste(canvas, (0, 0))
    return TextRaster(x=x0 + clip[0] + ink[0], y=y0 + clip[1] + ink[1], width=canvas.width,
                      height=canvas.height, rows=padded.tobytes())
