"""The warranty certificate's words: code -> Vietnamese and English, with no Qt.

The certificate is written by the CLI (no Qt) and by the warranty page in a
worker thread, so its words live here as data, the way the command line's do
(:mod:`app.cli_texts`): every code in both languages with the same
``{placeholders}``.  Vietnamese is the document's own language; English is
for a shop that runs the app in English.  Dates are dd/MM/yyyy in both, as
the shop writes them.  Names and addresses are printed as signed; a maintenance tier the vendor signs as a code
("standard", "priority") is said in words.
"""

from __future__ import annotations

from collections.abc import Sequence

from pmv_protocol.contract import MaintenanceTier
from pmv_protocol.coverage import CoverageStatus

LANGUAGES = ("vi", "en")

# code: (Vietnamese, English)
TEXTS: dict[str, tuple[str, str]] = {
    "document_title": ("Phiếu bảo hành", "Warranty certificate"),
    "product": ("PHẦN MỀM VÀNG", "PHẦN MỀM VÀNG"),  # the brand, shown when the contract names no vendor
    "title": ("PHIẾU BẢO HÀNH PHẦN MỀM", "SOFTWARE WARRANTY CERTIFICATE"),
    "number_line": ("Số hợp đồng: {number}", "Contract no.: {number}"),
    # the vendor's header
    "vendor_address": ("Địa chỉ: {value}", "Address: {value}"),
    "vendor_tax_code": ("Mã số thuế: {value}", "Tax code (MST): {value}"),
    "vendor_hotline": ("Đường dây nóng 24/7: {value}", "24/7 hotline: {value}"),
    # the contract's facts
    "row_shop": ("Cửa hàng (khách hàng)", "Shop (customer)"),
    "row_shop_id": ("Mã cửa hàng", "Shop code"),
    "row_shop_address": ("Địa chỉ cửa hàng", "Shop address"),
    "row_package": ("Gói phần mềm", "Software package"),
    "row_accepted": ("Ngày nghiệm thu", "Acceptance date"),
    "row_warranty": ("Thời hạn bảo hành", "Warranty period"),
    "warranty_value": ("{months} tháng, từ ngày {start} đến hết ngày {end}",
                       "{months} months, from {start} through {end}"),
    "row_status": ("Tình trạng ngày {day}", "Status on {day}"),
    "row_covered": ("Được hỗ trợ đến hết ngày", "Supported through"),
    "covered_value": ("{day} (còn {days} ngày)", "{day} ({days} days left)"),
    "status_warranty": ("Đang bảo hành", "Under warranty"),
    "status_maintenance": ("Đang bảo trì – khách hàng ưu tiên", "Under maintenance – priority customer"),
    "status_expired": ("Hết hạn bảo hành", "Warranty expired"),
    "status_not_accepted": ("Chưa nghiệm thu: bảo hành bắt đầu từ ngày {day}",
                            "Not yet accepted: the warranty begins on {day}"),
    # maintenance contracts
    "maintenance_heading": ("Hợp đồng bảo trì", "Maintenance contracts"),
    "maintenance_from": ("Từ ngày", "From"),
    "maintenance_to": ("Đến hết ngày", "Through"),
    "maintenance_tier": ("Gói", "Package"),
    "maintenance_none": ("Chưa có hợp đồng bảo trì.", "No maintenance contract yet."),
    "tier_standard": ("Tiêu chuẩn", "Standard"),
    "tier_priority": ("Ưu tiên", "Priority"),
    # what coverage includes (the vendor's policy)
    "includes_heading": ("Nội dung bảo hành", "What the warranty covers"),
    "include_incident": (
        "Khắc phục sự cố: đề xuất phương án xử lý trong tối đa 2–4 giờ làm việc, hướng dẫn qua điện thoại, "
        "email, truy cập từ xa hoặc cử nhân viên đến tận nơi.",
        "Incident resolution: a proposed solution within 2–4 working hours at most, with guidance by phone, "
        "e-mail, remote session, or a technician on site."),
    "include_howto": ("Hướng dẫn sử dụng phần mềm qua điện thoại, fax, email, truy cập từ xa hoặc tại cửa hàng.",
                      "Help using the software by phone, fax, e-mail, remote session or at the shop."),
    "include_regulation": ("Cập nhật phiên bản mới khi có quy định mới về kinh doanh vàng.",
                           "New versions when new gold-trading regulations come out."),
    "include_reinstall": ("Cài đặt lại phần mềm khi máy tính gặp sự cố.",
                          "Reinstalling the software when the computer fails."),
    "include_devices": ("Hỗ trợ lỗi thiết bị mã vạch. Khách hàng có hợp đồng bảo trì được hỗ trợ ưu tiên.",
                        "Support for barcode device problems. Customers with a maintenance contract get "
                        "priority support."),
    "hotline_line": ("Đường dây nóng hỗ trợ 24/7 (kể cả cuối tuần và ngày lễ): {hotline}",
                     "24/7 support hotline (weekends and public holidays included): {hotline}"),
    # signatures: who signs on each side, as on Vietnamese commercial documents
    "sign_shop": ("ĐẠI DIỆN CỬA HÀNG", "FOR THE SHOP"),
    "sign_shop_hint": ("(Ký, ghi rõ họ tên)", "(Signature and full name)"),
    "sign_vendor": ("ĐẠI DIỆN NHÀ CUNG CẤP", "FOR THE VENDOR"),
    "sign_vendor_hint": ("(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name and company seal)"),
    # the small print
    "printed": ("Phiếu in ngày {day} từ hợp đồng điện tử đã ký số, phát hành lúc {issued}.",
                "Printed on {day} from the digitally signed contract issued at {issued}."),
    "missing": ("Hợp đồng điện tử này chưa ghi {items}. Gọi {hotline} để được cấp lại hợp đồng có đủ thông tin, "
                "rồi in lại phiếu.",
                "This digital contract does not state {items}. Call {hotline} to have the contract re-issued "
                "with full details, then print the certificate again."),
    "missing_contract_number": ("số hợp đồng", "the contract number"),
    "missing_vendor_name": ("tên nhà cung cấp", "the vendor's name"),
    "missing_vendor_address": ("địa chỉ nhà cung cấp", "the vendor's address"),
    "missing_vendor_tax_code": ("mã số thuế nhà cung cấp", "the vendor's tax code"),
    "list_and": (" và ", " and "),
}

INCLUDES = ("include_incident", "include_howto", "include_regulation", "include_reinstall", "include_devices")

STATUS = {
    CoverageStatus.WARRANTY: "status_warranty",
    CoverageStatus.MAINTENANCE: "status_maintenance",
    CoverageStatus.EXPIRED: "status_expired",
}


# code -> (the counted value, the English text when it is 1)
ENGLISH_ONE: dict[str, tuple[str, str]] = {"covered_value": ("days", "{day} ({days} day left)")}


def text(code: str, language: str, **values: object) -> str:
    """The words for ``code`` in ``language`` (Vietnamese for any language we do not have)."""
    vi, en = TEXTS[code]
    template = en if language == "en" else vi
    if language == "en" and code in ENGLISH_ONE and str(values.get(ENGLISH_ONE[code][0])) == "1":
        template = ENGLISH_ONE[code][1]  # English's singular: "1 day left", where Vietnamese has one form
    return template.format(**values) if values else template


def tier_text(tier: str, language: str) -> str:
    """A maintenance tier in words: the codes the vendor signs, or an older contract's own words as signed."""
    code = MaintenanceTier.of(tier)
    return tier if code is None else text(f"tier_{code.value}", language)


def join_items(items: Sequence[str], language: str) -> str:
    """``a, b và c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + text("list_and", language) + items[-1]
