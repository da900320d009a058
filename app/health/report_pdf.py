"""The health report as an A4 PDF, for printing or attaching to a request.

Vietnamese unless the caller gives ``words``: every text in it is a phrase (app.infra.phrase), so the checks page
of an English window hands in its ``said`` and saves an English report; the report attached to a support request
stays Vietnamese, for the vendor's staff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app import APP_NAME, HOTLINE, __version__
from app.health.model import TITLE_CONTEXT, Category, HealthReport, Status
from app.infra.formatting import clipped, format_datetime
from app.infra.pdf_fonts import register_fonts
from app.infra.phrase import Phrase, say
from app.infra.settings import ShopSettings
from pmv_protocol.atomic import atomic_target
from pmv_protocol.shop_time import SHOP_TZ

# The window's own words for verdicts, statuses and categories (app/ui/health/texts.py, the same context).
# A row taller than a page stops reportlab (LayoutError); 1,000 characters fill about half the column's page.
SUMMARY_SHOWN = 1000
# A check's details, printed for what needs attention: each line as a summary is, and at most this many lines
# (the cash-limit check lists every flagged customer-day of its 90 days, a few hundred at most).
DETAIL_LINES_SHOWN = 500

VERDICT_TEXT = {
    Status.OK: say("HealthTexts", "Sẵn sàng bán hàng"),
    Status.WARNING: say("HealthTexts", "Có cảnh báo"),
    Status.CRITICAL: say("HealthTexts", "Cần xử lý ngay"),
}
STATUS_TEXT = {
    Status.OK: say("HealthTexts", "Đạt"),
    Status.WARNING: say("HealthTexts", "Cảnh báo"),
    Status.CRITICAL: say("HealthTexts", "Nghiêm trọng"),
    Status.UNKNOWN: say("HealthTexts", "Không rõ"),
    Status.SKIPPED: say("HealthTexts", "Bỏ qua"),
}
STATUS_COLOUR = {
    Status.OK: "#2e7d32",
    Status.WARNING: "#ef6c00",
    Status.CRITICAL: "#c62828",
    Status.UNKNOWN: "#6d4c41",
    Status.SKIPPED: "#757575",
}
CATEGORY_TEXT = {
    Category.DATABASE: say("HealthTexts", "Cơ sở dữ liệu"),
    Category.BACKUP: say("HealthTexts", "Sao lưu"),
    Category.DATA: say("HealthTexts", "Dữ liệu bán hàng"),
    Category.SYSTEM: say("HealthTexts", "Máy tính"),
    Category.DEVICES: say("HealthTexts", "Thiết bị"),
    Category.SERVICE: say("HealthTexts", "Dịch vụ hỗ trợ"),
}


def write_report(report: HealthReport, shop: ShopSettings, categories: dict[str, Category],
                 remedies: dict[str, str], target: Path, words: Callable[[str], str] = str) -> Path:
    """Write the report to ``target`` (atomically); ``words`` says each phrase (``str``: the Vietnamese)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=11, spaceBefore=8, spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=17, leading=22, alignment=TA_CENTER)
    verdict = report.verdict
    verdict_style = ParagraphStyle("verdict", parent=title, fontSize=15, textColor=colors.white)

    def esc(text: str) -> str:
        text = words(text)
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")

    def check_title(check_id: str) -> str:
        title = report.titles.get(check_id)
        return Phrase(TITLE_CONTEXT, title) if title else check_id  # said as the window says it

    shop_line = (say("HealthReport", "%1 – mã %2").fill(shop.name, shop.shop_id) if shop.shop_id
                 else shop.name)
    header = [
        Paragraph(esc(say("HealthReport", "BÁO CÁO KIỂM TRA HỆ THỐNG")), title),
        Spacer(1, 3 * mm),
        Paragraph(esc(shop_line), body),
        Paragraph(esc(say("HealthReport", "Thời điểm kiểm tra: %1").fill(
            format_datetime(report.finished_at.astimezone(SHOP_TZ)))), body),
        Spacer(1, 3 * mm),
    ]
    banner = Table([[Paragraph(esc(VERDICT_TEXT[verdict]), verdict_style)]], colWidths=[170 * mm])
    banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(STATUS_COLOUR[verdict])),
                                ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    headings = (say("HealthReport", "Nhóm"), say("HealthReport", "Kiểm tra"), say("HealthReport", "Kết quả"),
                say("HealthReport", "Chi tiết"))
    rows = [[Paragraph(f"<b>{esc(h)}</b>", body) for h in headings]]
    styles = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3ecd2")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    order = list(Category)
    ordered = sorted(report.results, key=lambda r: order.index(categories.get(r.check_id, Category.SERVICE)))
    for row, item in enumerate(ordered, start=1):
        status_style = ParagraphStyle(f"s{row}", parent=body, fontName=bold,
                                      textColor=colors.HexColor(STATUS_COLOUR[item.status]))
        rows.append([
            Paragraph(esc(CATEGORY_TEXT[categories.get(item.check_id, Category.SERVICE)]), body),
            Paragraph(esc(check_title(item.check_id)), body),
            Paragraph(esc(STATUS_TEXT[item.status]), status_style),
            Paragraph(esc(clipped(words(item.summary), SUMMARY_SHOWN)), body),
        ])
    table = Table(rows, colWidths=[28 * mm, 42 * mm, 31 * mm, 69 * mm], repeatRows=1)
    table.setStyle(TableStyle(styles))
    story = [*header, banner, Spacer(1, 4 * mm), table]
    detailed = [item for item in ordered if item.details.strip() and item.status not in (Status.OK, Status.SKIPPED)]
    if detailed:
        # The fix steps send the manager to "phần chi tiết": the summary names only the first few cases.
        story.append(Paragraph(esc(say("HealthReport", "Chi tiết")), heading))
        for item in detailed:
            story.append(Paragraph(f"<b>{esc(check_title(item.check_id))}</b>", body))
            lines = [line for line in words(item.details).splitlines() if line.strip()]
            # One paragraph a line: a long list runs over pages, where one paragraph taller than a page stops
            # reportlab (LayoutError).
            for line in lines[:DETAIL_LINES_SHOWN]:
                story.append(Paragraph(esc(clipped(line, SUMMARY_SHOWN)), small))
            if len(lines) > DETAIL_LINES_SHOWN:
                story.append(Paragraph(esc(say("HealthReport", "… và %1 dòng khác").fill(
                    len(lines) - DETAIL_LINES_SHOWN)), small))
            story.append(Spacer(1, 2 * mm))
    fixes = [item for item in ordered if item.remedy and item.status not in (Status.OK, Status.SKIPPED)]
    if fixes:
        story.append(Paragraph(esc(say("HealthReport", "Cách khắc phục")), heading))
        for item in fixes:
            story.append(Paragraph(f"<b>{esc(check_title(item.check_id))}</b>", body))
            story.append(Paragraph(esc(remedies.get(item.remedy or "", "")), body))
            story.append(Spacer(1, 2 * mm))
    story += [Spacer(1, 5 * mm),
              Paragraph(esc(say("HealthReport", "Cần hỗ trợ: gọi đường dây nóng %1 (24/7). Báo cáo tạo bởi %2 %3.")
                            .fill(HOTLINE, APP_NAME, __version__)), small)]
    target = Path(target)
    with atomic_target(target, suffix=".pdf") as tmp:
        SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=16 * mm,
                          bottomMargin=16 * mm, title=words(say("HealthReport", "Báo cáo kiểm tra hệ thống")),
                          author=APP_NAME).build(story)
    return target
