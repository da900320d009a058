"""The printable test sheet: known codes in the symbologies shops use.

The cashier scans each code; what arrives is compared with what is printed
here and :func:`app.devices.diagnosis.diagnose` names the fault. One code
deliberately contains letter pairs that Unikey/EVKey rewrite in Telex and
VNI mode (DD, AW, A6…), so an input-method fault cannot hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app import HOTLINE
from app.atomic import atomic_target
from app.pdf_fonts import register_fonts


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
)


SHEET_SUFFIX = ".pdf"


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
    from reportlab.graphics.barcode import createBarcodeDrawing
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20)

    def drawing(code: TestCode) -> Drawing:
        if code.symbology == "qr":
            return createBarcodeDrawing("QR", value=code.content, barWidth=38 * mm, barHeight=38 * mm)
        options = {
            "code128": ("Code128", {"barWidth": 0.45 * mm, "barHeight": 16 * mm}),
            "code39": ("Standard39", {"barWidth": 0.45 * mm, "barHeight": 16 * mm, "checksum": 0, "stop": 1}),
            "ean13": ("EAN13", {"barWidth": 0.4 * mm, "barHeight": 20 * mm}),
        }[code.symbology]
        name, kwargs = options
        return createBarcodeDrawing(name, value=code.content, humanReadable=True, **kwargs)

    rows = [[drawing(code), Paragraph(f"<b>{index}. {code.label}</b><br/>{code.content}", body)]
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
