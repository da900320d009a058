"""Tags as pictures: the dot-exact PNG that verification decodes, and a PDF.

The PNG is drawn one pixel per printer dot from the same layout the ZPL /
TSPL / EZPL renderers describe: bars at the same x, the same module width,
the same height.  A text line no resident printer font can print (any
non-ASCII, i.e. Vietnamese) is pasted from the very 1-bit raster the job
sends (text_raster.py), so those dots are the printer's exactly; plain ASCII
lines, which the printer draws in its own font, are shown in the shipped
DejaVu Sans at the same cell size.  (The former ``ascii_text`` option, a
preview of diacritics folded away, is gone: no job folds them any more.)
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from app.devices.labels.layout import TagLayout, layout_tag
from app.devices.labels.model import JewelleryTag, LabelTemplate
from app.devices.labels.text_raster import CELL_PER_EM, font_for_cell, needs_raster, raster_for
from app.infra.pdf_fonts import REGULAR, register_fonts

if TYPE_CHECKING:
    from PIL import Image

WHITE, BLACK, TAIL_GREY, EDGE_GREY = 255, 0, 232, 170


def image_from_layout(layout: TagLayout, *, outline: bool = False) -> Image.Image:
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
    # Bars of a Code 128 or modules of a DataMatrix/QR: the dot rectangles the printer command describes.
    for x, y, width, height in layout.barcode.rects():
        draw.rectangle((x, y, x + width - 1, y + height - 1), fill=BLACK)
    for text in layout.texts:
        if needs_raster(text.text):
            raster = raster_for(text, layout.width, layout.height)
            if raster is not None:  # the job's own bits: ink where the head burns, nothing else
                image.paste(BLACK, (raster.x, raster.y), raster.mask())
        else:
            draw.text((text.x, text.y), text.text, fill=BLACK, font=font_for_cell(text.height), anchor="la")
    return image


def render_image(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, outline: bool = False) -> Image.Image:
    layout = layout_tag(tag, template, dpi).require_printable()
    return image_from_layout(layout, outline=outline)


def render_png(tag: JewelleryTag, template: LabelTemplate, dpi: int, *, outline: bool = True) -> bytes:
    """PNG at the printer's resolution, tagged with it so it prints at true size."""
    buffer = io.BytesIO()
    render_image(tag, template, dpi, outline=outline).save(
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
    for x, y, width, height in layout.barcode.rects():  # the same dot rectangles as the PNG
        pdf.rect(x * scale, page_h - (y + height) * scale, width * scale, height * scale, stroke=0, fill=1)
    for text in layout.texts:
        size = text.height * scale / CELL_PER_EM
        baseline = page_h - text.y * scale - pdfmetrics.getAscent(REGULAR, size)
        pdf.setFont(REGULAR, size)
        pdf.drawString(text.x * scale, baseline, text.text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
