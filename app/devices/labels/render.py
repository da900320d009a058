"""Jewellery tags in the printers' own languages: ZPL, TSPL and EZPL.

Every renderer draws the same :class:`~app.devices.labels.layout.TagLayout`
and lets the printer draw the barcode with its own Code 128 command (so the
bars are placed by the head, not dithered from a bitmap).  A tag whose
barcode would not fit or whose bars would be too thin is refused with
:class:`~app.devices.labels.layout.TagRefused` before any byte is produced.

Vietnamese text
  * By default (no ``font``) a line of plain printable ASCII is sent as text
    in the printer's resident font, and any other line ("Nhẫn trơn 9999",
    "350.000 ₫") as a 1-bit graphic drawn by text_raster.py, the same bits
    the PNG preview shows: ZPL ``^GFA``, TSPL ``BITMAP``, EZPL ``Q``.  No
    resident font of ZPL (font 0), TSC/Xprinter or Godex printers has the
    Vietnamese glyphs, so this is what makes diacritics print everywhere.
    The job's commands are then pure ASCII; only the TSPL/EZPL graphic
    payloads are binary, and the printer reads those by their stated length.
  * ``font`` names a Unicode TrueType font already on the printer; every line
    is then sent as UTF-8 text in it (ZPL ``^A@`` under ``^CI28``; TSPL
    ``CODEPAGE UTF-8``; EZPL ``AT<letter>`` with the UTF-8 flag).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from app.devices.labels.code_commands import ezpl_code, tspl_code, zpl_code
from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.layout import PlacedText, TagLayout, layout_tag
from app.devices.labels.model import JewelleryTag, LabelTemplate
from app.devices.labels.text_raster import TextRaster, needs_raster, raster_for

# Godex manuals give darkness 0-19; 10 is their factory default and prints
# crisp 2-dot bars on wax ribbon and direct-thermal stock alike.
EZPL_DARKNESS = 10

_Graphic = TypeVar("_Graphic", str, bytes)  # ZPL draws graphics in hex text, TSPL and EZPL in binary

_FOLD = str.maketrans({"đ": "d", "Đ": "D", "₫": "d", "–": "-", "—": "-", "×": "x",
                       "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics, the way shops write it when a device has no accents.

    No job folds text any more (Vietnamese lines go as graphics, see above);
    kept as part of the package's API for callers that want a plain-ASCII name.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if 32 <= ord(char) < 127 else "?" for char in stripped)


def _mm(value: float) -> str:
    return f"{value:g}"


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\t]+", " ", text)


def _crlf_join(lines: list[str | bytes], encoding: str) -> bytes:
    """TSPL/EZPL command lines end with CR LF; graphic commands come as bytes, binary payload included."""
    return b"\r\n".join(line if isinstance(line, bytes) else line.encode(encoding) for line in lines)


def _text_commands(layout: TagLayout, font: str | None, text_command: Callable[[PlacedText], str],
                   graphic: Callable[[TextRaster], _Graphic]) -> list[str | _Graphic]:
    """One command per line of the tag: text in the printer's font, or, with no ``font`` given, a graphic for a
    line a resident font cannot print (a line with no ink on the label gives none)."""
    commands: list[str | _Graphic] = []
    for text in layout.texts:
        if not font and needs_raster(text.text):
            if (raster := raster_for(text, layout.width, layout.height)) is not None:
                commands.append(graphic(raster))
        else:
            commands.append(text_command(text))
    return commands


# Graphic commands.  Each takes a TextRaster (1 = ink, MSB = leftmost dot)
# and says in the printer's language "draw these dots with their top-left
# corner here, adding ink only" (white never erases a bar or another line,
# as in the preview).

def _zpl_graphic(raster: TextRaster) -> str:
    # ZPL II Programming Guide (Zebra 45541L-004), ^GF Graphic Field:
    # ^GFa,b,c,d,data with a = A (ASCII hex), b = binary byte count,
    # c = graphic field count (both the total bytes for uncompressed data),
    # d = bytes per row; a 1 bit prints a dot (the guide's ~DG data, p. 128:
    # "first four dots white and the next four black ... 00001111").  Placed by
    # ^FO at the graphic's top-left corner.
    total = raster.row_bytes * raster.height
    return f"^FO{raster.x},{raster.y}^GFA,{total},{total},{raster.row_bytes},{raster.rows.hex().upper()}^FS"


def _tspl_graphic(raster: TextRaster) -> bytes:
    # TSC TSPL/TSPL2 Programming Manual, BITMAP X,Y,width,height,mode,data:
    # width in bytes, height in dots, mode 0 OVERWRITE / 1 OR / 2 XOR, then
    # width x height raw bytes.  TSPL burns 0 bits (1 = white), the reverse
    # of ZPL: LPrint's TSPL driver dithers into CUPS_CSPACE_W (1 = white) for
    # "BITMAP 0,0,w,h,1,", TSC's own Linux driver (tspl.c,
    # TSPL_SendBitmap1bpp) inverts every byte before BITMAP ...,1, and
    # farminos/open-escpos-print-service#13, checked on a printer: "a 0 bit
    # burns and a 1 bit leaves the label blank".  Mode 1 (OR), as both
    # drivers use, so the white padding never erases anything.
    header = f"BITMAP {raster.x},{raster.y},{raster.row_bytes},{raster.height},1,"
    return header.encode("ascii") + raster.inverted()


# Godex EZPL Q's bit polarity: the EZPL manual's Q page (below) does not state
# it.  Taken as 1 = a printed dot, as in ZPL ^GF; not yet confirmed on a Godex
# head: the one constant to flip if one prints a line in negative.
EZPL_INK_BIT = 1


def _ezpl_graphic(raster: TextRaster) -> bytes:
    # GoDEX EZPL Programmer's Manual, "Qx,y,width,height - Pattern command":
    # x, y in dots, width in bytes, height in dots, the command line ends
    # with CR and exactly width x height data bytes follow, row by row from
    # the top (the manual's figure numbers 1..4 on the first row, 77..80 on
    # the last).  The manual calls x, y the "left-bottom" position, while its
    # figure and EZPL's other label commands (AT, BQ, R) place the top-left
    # corner; we send the top-left, to be confirmed on a Godex head.
    data = raster.rows if EZPL_INK_BIT else raster.inverted()
    return f"Q{raster.x},{raster.y},{raster.row_bytes},{raster.height}\r\n".encode("ascii") + data


# ------------------------------------------------------------------ ZPL

def _zpl_field_data(text: str) -> str:
    # ^FH\ lets \xx hex escapes stand for the bytes that would otherwise
    # start a command (^, ~) or an escape (\); UTF-8 bytes pass through.
    return "".join(f"\\{ord(char):02X}" if char in "^~\\" else char for char in _one_line(text))


def zpl_from_layout(layout: TagLayout, font: str | None = None) -> bytes:
    bc = layout.require_printable().barcode

    def text_command(text: PlacedText) -> str:
        select = f"^A@N,{text.height},{text.height},{font}" if font else f"^A0N,{text.height},{text.height}"
        return f"^FO{text.x},{text.y}{select}^FH\\^FD{_zpl_field_data(text.text)}^FS"

    lines = ["^XA", "^CI28", f"^PW{layout.width}", f"^LL{layout.height}", "^LH0,0"]
    lines += _text_commands(layout, font, text_command, _zpl_graphic)
    lines.append(zpl_code(bc))  # Code 128, DataMatrix or QR, data escaped: code_commands.py
    lines += ["^PQ1", "^XZ", ""]
    return "\n".join(lines).encode("utf-8")


# ------------------------------------------------------------------ TSPL

def _tspl_string(text: str) -> str:
    # TSPL strings are "..."-quoted; a quote inside is written \["].
    return _one_line(text).replace('"', '\\["]')


def tspl_from_layout(layout: TagLayout, font: str | None = None) -> bytes:
    template, dpi = layout.template, layout.dpi
    bc = layout.require_printable().barcode
    lines: list[str | bytes] = [f"SIZE {_mm(template.width_mm)} mm,{_mm(template.height_mm)} mm",
             f"GAP {_mm(template.gap_mm)} mm,0 mm", "DIRECTION 0", "REFERENCE 0,0", "CLS"]
    if font:
        lines.insert(4, "CODEPAGE UTF-8")

    def text_command(text: PlacedText) -> str:
        # Font "0" (and any TrueType font) is scalable: the two multiplication
        # arguments are the character size in points.
        points = max(1, round(text.height * 72 / dpi))
        return f'TEXT {text.x},{text.y},"{font or "0"}",0,{points},{points},"{_tspl_string(text.text)}"'

    lines += _text_commands(layout, font, text_command, _tspl_graphic)
    lines.append(tspl_code(bc))  # Code 128, DataMatrix or QR, data escaped: code_commands.py
    lines += ["PRINT 1", ""]
    return _crlf_join(lines, "utf-8" if font else "ascii")


# ------------------------------------------------------------------ EZPL

def ezpl_from_layout(layout: TagLayout, font: str | None = None) -> bytes:
    if font is not None and not re.fullmatch(r"[A-Z]", font):
        raise ValueError(f"EZPL downloaded fonts are named by one letter A-Z, not {font!r}")
    template = layout.template
    bc = layout.require_printable().barcode
    # ^Q and ^W take whole millimetres; templates use whole-mm stock sizes.
    lines: list[str | bytes] = [
        f"^Q{round(template.height_mm)},{round(template.gap_mm)}", f"^W{round(template.width_mm)}",
        f"^H{EZPL_DARKNESS}", "^P1", "^S3", "^C1", "^R0", "~Q+0", "^O0", "^D0", "^E12", "^L"]

    def text_command(text: PlacedText) -> str:
        if font:  # AT<letter>: a downloaded TrueType font; style "0E" = no rotation, UTF-8.
            return f"AT{font},{text.x},{text.y},{text.height},{text.height},0,0E,0,0,{_one_line(text.text)}"
        return f"AT,{text.x},{text.y},{text.height},{text.height},0,0,0,0,{_one_line(text.text)}"

    lines += _text_commands(layout, font, text_command, _ezpl_graphic)
    lines.append(ezpl_code(bc))  # Code 128, DataMatrix or QR, data escaped: code_commands.py
    lines += ["E", ""]
    return _crlf_join(lines, "utf-8" if font else "ascii")


# ------------------------------------------------------------------ a tag's job, laid out then rendered

def render_zpl(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, font: str | None = None) -> bytes:
    return zpl_from_layout(layout_tag(tag, template, dpi), font)


def render_tspl(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, font: str | None = None) -> bytes:
    return tspl_from_layout(layout_tag(tag, template, dpi), font)


def render_ezpl(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, font: str | None = None) -> bytes:
    return ezpl_from_layout(layout_tag(tag, template, dpi), font)


_RENDERERS = {PrinterLanguage.ZPL: render_zpl, PrinterLanguage.TSPL: render_tspl, PrinterLanguage.EZPL: render_ezpl}


def render_job(tag: JewelleryTag, template: LabelTemplate, language: PrinterLanguage | str, dpi: int,
               *, font: str | None = None) -> bytes:
    return _RENDERERS[PrinterLanguage.parse(language)](tag, template, dpi, font=font)
