"""Jewellery tags in the printers' own languages: ZPL, TSPL and EZPL.

Every renderer draws the same :class:`~app.devices.labels.layout.TagLayout`
and lets the printer draw the barcode with its own Code 128 command (so the
bars are placed by the head, not dithered from a bitmap).  A tag whose
barcode would not fit or whose bars would be too thin is refused with
:class:`~app.devices.labels.layout.TagRefused` before any byte is produced.

Vietnamese text
  * ZPL: ``^CI28`` switches field data to UTF-8, so names keep their
    diacritics.  The resident scalable font 0 lacks some Vietnamese glyphs
    on older firmware; pass ``font="E:DEJAVU.TTF"`` (a TrueType font
    downloaded to the printer) to print them with ``^A@``.
  * TSPL and EZPL: the resident fonts of the TSC/Xprinter/Godex printers
    shops buy cover ASCII (plus a Western code page) only, and unknown
    characters come out as boxes or garbage.  Text is therefore folded to
    ASCII ("Nhẫn cưới" -> "Nhan cuoi", "₫" -> "d") unless ``font`` names a
    TrueType font downloaded to the printer, in which case it is sent as
    UTF-8 (TSPL ``CODEPAGE UTF-8``; EZPL ``AT<letter>`` with the UTF-8 flag).
"""

from __future__ import annotations

import re
import unicodedata

from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.layout import TagLayout, layout_tag
from app.devices.labels.model import JewelleryTag, LabelTemplate

# Godex manuals give darkness 0-19; 10 is their factory default and prints
# crisp 2-dot bars on wax ribbon and direct-thermal stock alike.
EZPL_DARKNESS = 10

_FOLD = str.maketrans({"đ": "d", "Đ": "D", "₫": "d", "–": "-", "—": "-", "×": "x",
                       "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics, the way shops write it when a device has no accents."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if 32 <= ord(char) < 127 else "?" for char in stripped)


def _mm(value: float) -> str:
    return f"{value:g}"


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\t]+", " ", text)


# ------------------------------------------------------------------ ZPL

def _zpl_field_data(text: str) -> str:
    # ^FH\ lets \xx hex escapes stand for the bytes that would otherwise
    # start a command (^, ~) or an escape (\); UTF-8 bytes pass through.
    return "".join(f"\\{ord(char):02X}" if char in "^~\\" else char for char in _one_line(text))


def zpl_from_layout(layout: TagLayout, font: str | None = None) -> bytes:
    bc = layout.require_printable().barcode
    lines = ["^XA", "^CI28", f"^PW{layout.width}", f"^LL{layout.height}", "^LH0,0"]
    for text in layout.texts:
        select = f"^A@N,{text.height},{text.height},{font}" if font else f"^A0N,{text.height},{text.height}"
        lines.append(f"^FO{text.x},{text.y}{select}^FH\\^FD{_zpl_field_data(text.text)}^FS")
    # ^BC: normal orientation, no interpretation line (the template prints the
    # code as text), no check digit beyond Code 128's own, A = automatic mode:
    # the printer picks the shortest code-set sequence, as code128.encode does.
    lines.append(f"^FO{bc.x},{bc.y}^BY{bc.module}^BCN,{bc.height},N,N,N,A^FD{bc.data}^FS")
    lines += ["^PQ1", "^XZ", ""]
    return "\n".join(lines).encode("utf-8")


def render_zpl(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, font: str | None = None) -> bytes:
    return zpl_from_layout(layout_tag(tag, template, dpi), font)


# ------------------------------------------------------------------ TSPL

def _tspl_string(text: str) -> str:
    # TSPL strings are "..."-quoted; a quote inside is written \["].
    return _one_line(text).replace('"', '\\["]')


def tspl_from_layout(layout: TagLayout, font: str | None = None) -> bytes:
    template, dpi = layout.template, layout.dpi
    bc = layout.require_printable().barcode
    lines = [f"SIZE {_mm(template.width_mm)} mm,{_mm(template.height_mm)} mm",
             f"GAP {_mm(template.gap_mm)} mm,0 mm", "DIRECTION 0", "REFERENCE 0,0", "CLS"]
    if font:
        lines.insert(4, "CODEPAGE UTF-8")
    for text in layout.texts:
        # Font "0" (and any TrueType font) is scalable: the two multiplication
        # arguments are the character size in points.
        points = max(1, round(text.height * 72 / dpi))
        content = text.text if font else ascii_fold(text.text)
        lines.append(f'TEXT {text.x},{text.y},"{font or "0"}",0,{points},{points},"{_tspl_string(content)}"')
    # "128" is TSPL's Code 128 with automatic code-set switching; human
    # readable 0, rotation 0, narrow = wide = module (Code 128 has no ratio).
    lines.append(f'BARCODE {bc.x},{bc.y},"128",{bc.height},0,0,{bc.module},{bc.module},"{bc.data}"')
    lines += ["PRINT 1", ""]
    return "\r\n".join(lines).encode("utf-8" if font else "ascii")


def render_tspl(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, font: str | None = None) -> bytes:
    return tspl_from_layout(layout_tag(tag, template, dpi), font)


# ------------------------------------------------------------------ EZPL

def ezpl_from_layout(layout: TagLayout, font: str | None = None) -> bytes:
    if font is not None and not re.fullmatch(r"[A-Z]", font):
        raise ValueError(f"EZPL downloaded fonts are named by one letter A-Z, not {font!r}")
    template = layout.template
    bc = layout.require_printable().barcode
    # ^Q and ^W take whole millimetres; templates use whole-mm stock sizes.
    lines = [f"^Q{round(template.height_mm)},{round(template.gap_mm)}", f"^W{round(template.width_mm)}",
             f"^H{EZPL_DARKNESS}", "^P1", "^S3", "^C1", "^R0", "~Q+0", "^O0", "^D0", "^E12", "^L"]
    for text in layout.texts:
        if font:
            # AT<letter>: a downloaded TrueType font; style "0E" = no rotation, UTF-8.
            lines.append(f"AT{font},{text.x},{text.y},{text.height},{text.height},0,0E,0,0,{_one_line(text.text)}")
        else:
            lines.append(f"AT,{text.x},{text.y},{text.height},{text.height},0,0,0,0,{ascii_fold(text.text)}")
    # BQ = Code 128 with automatic code-set selection: x, y, narrow, wide,
    # height, rotation 0, no human-readable line, data.
    lines.append(f"BQ,{bc.x},{bc.y},{bc.module},{bc.module},{bc.height},0,0,{bc.data}")
    lines += ["E", ""]
    return "\r\n".join(lines).encode("utf-8" if font else "ascii")


def render_ezpl(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, font: str | None = None) -> bytes:
    return ezpl_from_layout(layout_tag(tag, template, dpi), font)


_RENDERERS = {PrinterLanguage.ZPL: render_zpl, PrinterLanguage.TSPL: render_tspl, PrinterLanguage.EZPL: render_ezpl}


def render_job(tag: JewelleryTag, template: LabelTemplate, language: PrinterLanguage | str, dpi: int,
               *, font: str | None = None) -> bytes:
    return _RENDERERS[PrinterLanguage.parse(language)](tag, template, dpi, font=font)
