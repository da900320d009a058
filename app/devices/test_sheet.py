"""The printable test sheet: known codes in the symbologies shops use.

The cashier scans each code; what arrives is compared with what is printed
here and :func:`app.devices.diagnosis.diagnose` names the fault. One code
deliberately contains letter pairs that Unikey/EVKey rewrite in Telex and
VNI mode (DD, AW, A6…), so an input-method fault cannot hide.  Its VNI pair
comes after a digit, which UniKey's spell check (on by default) leaves
alone; so a second trap starts a word with a real syllable followed by a
VNI tone digit ("HA1" after "-" becomes "HÁ" with spell check on or off).
It comes last, so a sheet printed before it still reads in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import HOTLINE
from app.infra.pdf_fonts import register_fonts
from pmv_protocol.atomic import atomic_target

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing


@dataclass(frozen=True)
class TestCode:
    key: str
    symbology: str  # code128, ean13, code39, qr
    content: str
    label: str  # Vietnamese caption printed under the code


def _ean13(body12: str) -> str:
    from app.devices.check_digits import gtin_check_digit

    return body12 + str(gtin_check_digit(body12))


TEST_CODES: tuple[TestCode, ...] = (
    TestCode("item", "code128", "PMV999900001", "Mã tem nữ trang (Code 128)"),
    TestCode("ean13", "ean13", _ean13("893456789012"), "Mã vạch sản phẩm (EAN-13)"),
    TestCode("code39", "code39", "PMV-TEST-39", "Code 39"),
    TestCode("ime", "code128", "DD2026A6W", "Mã bẫy bộ gõ tiếng Việt (Code 128)"),
    TestCode("qr", "qr", "PMV-QR-2026-KIEMTRA", "Mã QR"),
    TestCode("ime_vni", "code128", "PMV-HA1-2026", "Mã bẫy bộ gõ kiểu VNI (Code 128)"),
)


SHEET_SUFFIX = ".pdf"

# Printed size of the linear symbols (X = narrow bar).  The text under Code 128
# and Code 39 is drawn by us, not by reportlab's humanReadable option, whose
# glyphs rise into the bottom of the bars (about 0.3 mm at 150 dpi): here it sits
# TEXT_GAP below the bars' bottom, and the quiet zones (10 X or 6.35 mm either
# side, reportlab's default) stay empty.  EAN-13 keeps reportlab's GS1 layout:
# digits under the short bars, between the longer guard bars.
BAR_WIDTH = 0.45  # mm
BAR_HEIGHT = 16.0  # mm
TEXT_GAP = 2.0  # mm between the bars' bottom and the tallest glyph of the text
TEXT_SIZE = 11.0  # pt
_LINEAR = {
    "code128": ("Code128", {}),
    "code39": ("Standard39", {"checksum": 0, "stop": 1}),
}


def symbol_drawing(code: TestCode) -> Drawing:
    """The symbol as printed on the sheet, with its human-readable text (if any) clear of the bars."""
    from reportlab.graphics.barcode import createBarcodeDrawing, getCodes
    from reportlab.graphics.shapes import Drawing, Group, String
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import getAscentDescent

    if code.symbology == "qr":
        return createBarcodeDrawing("QR", value=code.content, barWidth=38 * mm, barHeight=38 * mm)
    if code.symbology == "ean13":
        return createBarcodeDrawing("EAN13", value=code.content, humanReadable=True, barWidth=0.4 * mm,
                                    barHeight=20 * mm)
    name, extra = _LINEAR[code.symbology]
    bars = getCodes()[name](value=code.content, barWidth=BAR_WIDTH * mm, barHeight=BAR_HEIGHT * mm,
                            humanReadable=0, **extra)
    regular, _ = register_fonts()
    ascent, descent = getAscentDescent(regular, TEXT_SIZE)  # descent is negative
    text_top = ascent - descent  # the baseline sits at -descent
    x0, y0, x1, y1 = bars.getBounds()
    drawing = Drawing(x1 - x0, (y1 - y0) + TEXT_GAP * mm + text_top)
    group = Group(bars)
    group.translate(-x0, text_top + TEXT_GAP * mm - y0)
    drawing.add(group)
    drawing.add(String((x1 - x0) / 2, -descent, code.content, fontName=regular, fontSize=TEXT_SIZE,
                       textAnchor="middle"))
    return drawing


class SheetFormatError(ValueError):
    """The sheet is only made as a PDF: a PDF keeps the codes' printed size, which the scan test relies on
    (an image has no size of its own and is scaled to the page)."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"the test sheet is a PDF: name the file *{SHEET_SUFFIX}, not {Path(target).name!r}")
        self.target = Path(target)


def write_test_sheet(target: Path) -> Path:
    """One A4 page of large, well-spaced codes; written atomically.  Only to a ``.pdf`` name (SheetFormatError):
    never a PDF under another format's name."""
    if Path(target).suffix.lower() != SHEET_SUFFIX:
        raise SheetFormatError(target)
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20)

    rows = [[symbol_drawing(code), Paragraph(f"<b>{index}. {code.label}</b><br/>{code.content}", body)]
            for index, code in enumerate(TEST_CODES, start=1)]
    table = Table(rows, colWidths=[110 * mm, 60 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOTTOMPADDING", (0, 0), (-1, -1), 9 * mm)]))
    story = [
        Paragraph("TỜ MÃ THỬ MÁY QUÉT", title),
        Paragraph("Mở mục \u201cThiết bị mã vạch\u201d, chọn \u201cThử với tờ mã\u201d rồi quét lần lượt từng mã "
                  "từ trên xuống. In ở 100%, không co giãn trang.", body),
        Spacer(1, 6 * mm), table,
        Paragraph(f"Cần hỗ trợ: gọi {HOTLINE} (24/7).", body),
    ]
    target = Path(target)
    with atomic_target(target, suffix=".pdf") as tmp:
        SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=16 * mm,
                          bottomMargin=14 * mm, title="Tờ mã thử máy quét").build(story)
    return target
