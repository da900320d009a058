"""Tags as pictures: the dot-exact PNG that verification decodes, and a PDF.

The PNG is drawn one pixel per printer dot from the same layout the ZPL /
TSPL / EZPL renderers describe: bars at the same x, the same module width,
the same height.  Text uses the shipped DejaVu Sans (Vietnamese complete);
``ascii_text=True`` shows what a TSPL/EZPL printer without a downloaded
font will actually print.
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING

from app.devices.labels.layout import TagLayout, layout_tag
from app.devices.labels.model import JewelleryTag, LabelTemplate
from app.devices.labels.render import ascii_fold
from app.pdf_fonts import REGULAR, register_fonts
from app.resources import resources_dir

if TYPE_CHECKING:
    from PIL import Image, ImageFont

WHITE, BLACK, TAIL_GREY, EDGE_GREY = 255, 0, 232, 170
# A printer's font height is the whole character cell, descenders included;
# DejaVu's ascent + descent is 1.164 em, so the em size is the cell / 1.164.
CELL_PER_EM = 1.164


@cache
def _font(cell: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(resources_dir() / "fonts" / "DejaVuSans.ttf"), max(1, round(cell / CELL_PER_EM)))


def image_from_layout(layout: TagLayout, *, outline: bool = False, ascii_text: bool = False) -> Image.Image:
    """An 8-bit greyscale picture, one pixel per dot.

    ``outline`` shades the unprintable part of the label (a rat-tail's tail)
    and draws the label edge: for people.  Verification leaves it off so
    nothing but what the printer draws is in the picture.
    """
    from PIL import Image, ImageDraw

    image = Image.new("L", (layout.width, layout.height), WHITE)
    draw = ImageDraw.Draw(image)
    if outline:
        px, py, pw, ph = layout.printable
        draw.rectangle((0, 0, layout.width - 1, layout.height - 1), fill=TAIL_GREY, outline=EDGE_GREY)
        draw.rectangle((px, py, px + pw - 1, py + ph - 1), fill=WHITE, outline=EDGE_GREY)
    bc = layout.barcode
    for x, width in bc.bars():
        draw.rectangle((x, bc.y, x + width - 1, bc.y + bc.height - 1), fill=BLACK)
    for text in layout.texts:
        content = ascii_fold(text.text) if ascii_text else text.text
        draw.text((text.x, text.y), content, fill=BLACK, font=_font(text.height), anchor="la")
    return image


def render_image(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, outline: bool = False,
                 ascii_text: bool = False) -> Image.Image:
    layout = layout_tag(tag, template, dpi).require_printable()
    return image_from_layout(layout, outline=outline, ascii_text=ascii_text)


def render_png(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, outline: bool = True,
               ascii_text: bool = False) -> bytes:
    """PNG at the printer's resolution, tagged with it so it prints at true size."""
    buffer = io.BytesIO()
    render_image(tag, template, dpi, outline=outline, ascii_text=ascii_text).save(
        buffer, format="PNG", dpi=(dpi, dpi), optimize=False)
    return buffer.getvalue()


def render_pdf(tag: JewelleryTag, template: LabelTemplate, dpi: int = 300) -> bytes:
    """A one-page PDF the size of the label, for office printers and for the record.

    Bars are drawn as vector rectangles from the ``dpi`` layout, so the PDF
    carries the same module width the label printer would use.
    """
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    layout = layout_tag(tag, template, dpi).require_printable()
    register_fonts()
    page_w, page_h = template.width_mm * mm, template.height_mm * mm
    scale = 72 / dpi  # points per dot
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(page_w, page_h), pageCompression=1)
    pdf.setTitle(f"{tag.item_code} — {template.name}")
    pdf.setFillGray(0)
    bc = layout.barcode
    for x, width in bc.bars():
        pdf.rect(x * scale, page_h - (bc.y + bc.height) * scale, width * scale, bc.height * scale, stroke=0, fill=1)
    for text in layout.texts:
        size = text.height * scale / CELL_PER_EM
        baseline = page_h - text.y * scale - pdfmetrics.getAscent(REGULAR, size)
        pdf.setFont(REGULAR, size)
        pdf.drawString(text.x * scale, baseline, text.text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
