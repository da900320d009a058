"""The warranty certificate (phiếu bảo hành): one A4 page, in Vietnamese.

A Vietnamese legal-commercial document, so it is Vietnamese whatever the
interface language.  Written to a temp file and moved into place, so a full
disk never leaves half a PDF where the old one was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app import HOTLINE
from app.atomic import atomic_target
from app.formatting import format_date, format_datetime
from app.pdf_fonts import register_fonts
from app.settings import ShopSettings
from app.warranty.contract import Contract
from app.warranty.coverage import CoverageStatus, coverage_on

STATUS_TEXT = {
    CoverageStatus.WARRANTY: "Đang bảo hành",
    CoverageStatus.MAINTENANCE: "Đang bảo trì – khách hàng ưu tiên",
    CoverageStatus.EXPIRED: "Hết hạn bảo hành",
}

# What coverage includes, from the vendor's policy (seed, sections 1 a–d and 2).
INCLUDES = [
    "Khắc phục sự cố: đề xuất phương án xử lý trong tối đa 2–4 giờ làm việc, hướng dẫn qua điện thoại, "
    "email, truy cập từ xa hoặc cử nhân viên đến tận nơi.",
    "Hướng dẫn sử dụng phần mềm qua điện thoại, fax, email, truy cập từ xa hoặc tại cửa hàng.",
    "Cập nhật phiên bản mới khi có quy định mới về kinh doanh vàng.",
    "Cài đặt lại phần mềm khi máy tính gặp sự cố.",
    "Hỗ trợ lỗi thiết bị mã vạch. Khách hàng có hợp đồng bảo trì được hỗ trợ ưu tiên.",
]


def write_certificate(contract: Contract, shop: ShopSettings, today: dt.date, target: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = register_fonts()
    coverage = coverage_on(contract, today)
    body = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=colors.HexColor("#444444"))
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=20, leading=26, alignment=TA_CENTER)
    centre = ParagraphStyle("centre", parent=body, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=12, spaceBefore=8, spaceAfter=4)

    rows = [
        ["Cửa hàng", contract.shop_name],
        ["Mã cửa hàng", contract.shop_id],
        ["Địa chỉ", shop.address or "—"],
        ["Gói phần mềm", contract.package_code],
        ["Ngày nghiệm thu", format_date(contract.accepted_on)],
        ["Thời hạn bảo hành", f"{contract.warranty_months} tháng, đến hết ngày {format_date(coverage.warranty_ends)}"],
        ["Tình trạng ngày " + format_date(today), STATUS_TEXT[coverage.status]],
    ]
    if coverage.covered_until:
        rows.append(["Được hỗ trợ đến hết", f"{format_date(coverage.covered_until)} (còn {coverage.days_left} ngày)"])
    info = Table([[Paragraph(a, body), Paragraph(b, body)] for a, b in rows], colWidths=[56 * mm, 114 * mm])
    info.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3ecd2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))

    story = [
        Paragraph("PHẦN MỀM VÀNG", centre),
        Spacer(1, 4 * mm),
        Paragraph("PHIẾU BẢO HÀNH PHẦN MỀM", title),
        Spacer(1, 6 * mm),
        info,
        Paragraph("Hợp đồng bảo trì", heading),
    ]
    if contract.maintenance:
        maintenance_rows = [["Từ ngày", "Đến hết ngày", "Gói"]] + [
            [format_date(m.start), format_date(m.end), m.tier] for m in contract.maintenance
        ]
        table = Table([[Paragraph(c, body) for c in row] for row in maintenance_rows],
                      colWidths=[50 * mm, 50 * mm, 70 * mm])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3ecd2")),
        ]))
        story.append(table)
    else:
        story.append(Paragraph("Chưa có hợp đồng bảo trì.", body))
    story += [
        Paragraph("Nội dung bảo hành", heading),
        ListFlowable([ListItem(Paragraph(text, body), leftIndent=12) for text in INCLUDES],
                     bulletType="bullet", bulletFontName=regular, start="•"),
        Spacer(1, 8 * mm),
        Paragraph(f"<b>Đường dây nóng hỗ trợ 24/7 (kể cả cuối tuần và ngày lễ): {HOTLINE}</b>", centre),
        Spacer(1, 6 * mm),
        Paragraph(
            f"Phiếu in ngày {format_date(today)} từ hợp đồng điện tử đã ký số, phát hành lúc "
            f"{format_datetime(contract.issued_at)}.",
            small,
        ),
    ]
    target = Path(target)
    with atomic_target(target, suffix=".pdf") as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                topMargin=18 * mm, bottomMargin=18 * mm,
                                title="Phiếu bảo hành", author="Phần Mềm Vàng")
        doc.build(story)
    return target
