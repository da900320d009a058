"""The warranty certificate (phiếu bảo hành): one A4 page a store manager files.

It names who owes the warranty (the vendor's company, address, tax code and
hotline, all from the signed contract), the contract number and package, the
shop, the coverage dates, and has the usual two signature boxes of a
Vietnamese commercial document: the customer's on the left, the vendor's on
the right with its seal ("Ký, ghi rõ họ tên, đóng dấu").  A contract issued
before the vendor block existed prints the brand and the hotline and says
what the contract does not state, never an empty label.

Vietnamese by default; English when the app runs in English
(``language="en"``).  Written to a temp file and moved into place, so a full
disk never leaves half a PDF where the old one was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app import HOTLINE
from app.infra.formatting import format_date, format_datetime
from app.infra.pdf_fonts import register_fonts
from app.infra.settings import ShopSettings
from app.warranty.certificate_texts import INCLUDES, STATUS, join_items, text, tier_text
from pmv_protocol.atomic import atomic_target
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import Coverage, coverage_on
from pmv_protocol.vendor_identity import VendorIdentity

GRID = "#999999"
SHADE = "#f3ecd2"
MARGIN_MM = 20
# What a flowable may fill: A4 less the margins and reportlab's 6 pt frame padding on each side (a table of the
# full 170 mm would overhang the text above it by that padding).
CONTENT_WIDTH = 595.2756 - 2 * MARGIN_MM * 72 / 25.4 - 2 * 6


def missing_details(contract: Contract) -> list[str]:
    """Codes of what the certificate should show but the contract does not state (empty for a full contract)."""
    vendor = contract.vendor or VendorIdentity()
    missing = []
    if contract.contract_number is None:
        missing.append("missing_contract_number")
    if vendor.name is None:
        missing.append("missing_vendor_name")
    if vendor.address is None:
        missing.append("missing_vendor_address")
    if vendor.tax_code is None:
        missing.append("missing_vendor_tax_code")
    return missing


def hotline_of(contract: Contract) -> str:
    """The vendor's hotline as signed, else the one this app ships with."""
    return (contract.vendor and contract.vendor.hotline_display) or HOTLINE


def write_certificate(contract: Contract, shop: ShopSettings, today: dt.date, target: Path,
                      language: str = "vi") -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    story = _Story(contract, shop, today, language).build()
    target = Path(target)
    with atomic_target(target, suffix=".pdf") as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=MARGIN_MM * mm, rightMargin=MARGIN_MM * mm,
                                topMargin=15 * mm, bottomMargin=15 * mm,
                                title=text("document_title", language),
                                author=(contract.vendor and contract.vendor.name) or text("product", language))
        doc.build(story)
    return target


class _Story:
    """The page's flowables, top to bottom."""

    def __init__(self, contract: Contract, shop: ShopSettings, today: dt.date, language: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        self.contract, self.shop, self.today, self.language = contract, shop, today, language
        self.coverage: Coverage = coverage_on(contract, today)
        self.hotline = hotline_of(contract)
        regular, bold = register_fonts()
        self.body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=11,
                                    textColor=colors.HexColor("#444444"))
        self.vendor_name = ParagraphStyle("vendor", parent=self.body, fontName=bold, fontSize=12, leading=15)
        self.title = ParagraphStyle("title", parent=self.body, fontName=bold, fontSize=18, leading=23,
                                    alignment=TA_CENTER)
        self.centre = ParagraphStyle("centre", parent=self.body, alignment=TA_CENTER)
        self.centre_small = ParagraphStyle("centre_small", parent=self.small, alignment=TA_CENTER)
        self.centre_bold = ParagraphStyle("centre_bold", parent=self.centre, fontName=bold)
        self.heading = ParagraphStyle("heading", parent=self.body, fontName=bold, fontSize=11.5,
                                      spaceBefore=6, spaceAfter=3)
        self.regular = regular

    def t(self, code: str, **values: object) -> str:
        """The words for ``code``, ready for a Paragraph (values escaped: names may hold '&' or '<')."""
        return text(code, self.language, **{k: escape(str(v)) for k, v in values.items()})

    def build(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import Spacer

        return [
            *self._vendor_header(),
            *self._title(),
            self._facts(),
            *self._maintenance(),
            *self._includes(),
            Spacer(1, 3 * mm),
            *self._signatures(),
            *self._small_print(),
        ]

    def _vendor_header(self) -> list[Any]:
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import HRFlowable, Paragraph

        vendor = self.contract.vendor or VendorIdentity()
        lines = [Paragraph(escape(vendor.name or text("product", self.language)), self.vendor_name)]
        if vendor.address:
            lines.append(Paragraph(self.t("vendor_address", value=vendor.address), self.body))
        facts = [self.t("vendor_tax_code", value=vendor.tax_code)] if vendor.tax_code else []
        facts.append(self.t("vendor_hotline", value=self.hotline))
        lines.append(Paragraph("&nbsp;&nbsp;&nbsp;&nbsp;".join(facts), self.body))
        return [*lines, HRFlowable(width="100%", thickness=0.8, color=colors.HexColor(GRID),
                                   spaceBefore=2 * mm, spaceAfter=4 * mm)]

    def _title(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Spacer

        parts: list[Any] = [Paragraph(self.t("title"), self.title)]
        if self.contract.contract_number:
            parts.append(Paragraph(self.t("number_line", number=self.contract.contract_number), self.centre_bold))
        return [*parts, Spacer(1, 4 * mm)]

    def _facts(self) -> Any:
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        contract, coverage = self.contract, self.coverage
        rows = [
            (self.t("row_shop"), escape(contract.shop_name)),
            (self.t("row_shop_id"), escape(contract.shop_id)),
        ]
        if self.shop.address.strip():
            rows.append((self.t("row_shop_address"), escape(self.shop.address)))
        rows += [
            (self.t("row_package"), escape(contract.package_code)),
            (self.t("row_accepted"), format_date(contract.accepted_on)),
            (self.t("row_warranty"), self.t("warranty_value", months=contract.warranty_months,
                                            start=format_date(contract.accepted_on),
                                            end=format_date(coverage.warranty_ends))),
            (self.t("row_status", day=format_date(self.today)),
             self.t("status_not_accepted", day=format_date(coverage.accepted_on_ahead)) if coverage.accepted_on_ahead
             else self.t(STATUS[coverage.status])),
        ]
        if coverage.covered_until:
            rows.append((self.t("row_covered"), self.t("covered_value", day=format_date(coverage.covered_until),
                                                         days=coverage.days_left)))
        table = Table([[Paragraph(a, self.body), Paragraph(b, self.body)] for a, b in rows],
                      colWidths=[55 * mm, CONTENT_WIDTH - 55 * mm])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(SHADE)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return table

    def _maintenance(self) -> list[Any]:
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        parts: list[Any] = [Paragraph(self.t("maintenance_heading"), self.heading)]
        if not self.contract.maintenance:
            return [*parts, Paragraph(self.t("maintenance_none"), self.body)]
        header = [self.t("maintenance_from"), self.t("maintenance_to"), self.t("maintenance_tier")]
        rows = [header] + [[format_date(m.start), format_date(m.end), escape(tier_text(m.tier, self.language))]
                           for m in self.contract.maintenance]
        table = Table([[Paragraph(cell, self.body) for cell in row] for row in rows],
                      colWidths=[45 * mm, 45 * mm, CONTENT_WIDTH - 90 * mm])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(SHADE)),
        ]))
        return [*parts, table]

    def _includes(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import ListFlowable, ListItem, Paragraph, Spacer

        return [
            Paragraph(self.t("includes_heading"), self.heading),
            ListFlowable([ListItem(Paragraph(self.t(code), self.body)) for code in INCLUDES], leftIndent=14,
                         bulletType="bullet", bulletFontName=self.regular, start="•"),
            Spacer(1, 3 * mm),
            Paragraph(f"<b>{self.t('hotline_line', hotline=self.hotline)}</b>", self.centre),
        ]

    def _signatures(self) -> list[Any]:
        """Customer left, vendor right, as on Vietnamese invoices and warranty slips; room to sign and stamp."""
        from reportlab.lib.units import mm
        from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

        vendor_name = self.contract.vendor.name if self.contract.vendor else None

        def box(title: str, hint: str, name: str | None) -> list[Any]:
            cell: list[Any] = [Paragraph(self.t(title), self.centre_bold), Paragraph(self.t(hint), self.centre_small),
                               Spacer(1, 32 * mm)]
            if name:
                cell.append(Paragraph(escape(name), self.centre_small))
            return cell

        half = CONTENT_WIDTH / 2
        table = Table([[box("sign_shop", "sign_shop_hint", self.contract.shop_name),
                        box("sign_vendor", "sign_vendor_hint", vendor_name)]], colWidths=[half, half])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [KeepTogether([table])]

    def _small_print(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Spacer

        parts: list[Any] = [Spacer(1, 3 * mm), Paragraph(self.t(
            "printed", day=format_date(self.today), issued=format_datetime(self.contract.issued_at)), self.small)]
        missing = missing_details(self.contract)
        if missing:
            items = join_items([text(code, self.language) for code in missing], self.language)
            parts.append(Paragraph(self.t("missing", items=items, hotline=self.hotline), self.small))
        return parts
