"""The warranty certificate a manager files: read back from the PDF with poppler's pdftotext.

What a Vietnamese warranty certificate carries comes from the issue (section 6) and the usual form of the
country's commercial documents: the seller's name, address and tax code (mã số thuế) in the header, the
document's number, the buyer, and two signature boxes, the buyer's "(Ký, ghi rõ họ tên)" on the left and the
seller's "(Ký, ghi rõ họ tên, đóng dấu)" on the right (as on the invoice form of Thông tư 78/2021/TT-BTC).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from app.infra.settings import ShopSettings
from app.warranty.certificate import hotline_of, missing_details, write_certificate
from pmv_protocol.contract import Contract, MaintenanceContract
from pmv_protocol.vendor_identity import VendorIdentity

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")

VENDOR = VendorIdentity(
    name="Công ty TNHH Phần Mềm Vàng",
    address="Tầng 5, Tòa nhà PMV, 123 Nguyễn Thị Minh Khai, Phường Bến Thành, Thành phố Hồ Chí Minh",
    tax_code="0399999999",
    hotline="1900 6037",
)
FULL = Contract(
    "KP-0001", "Tiệm vàng Kim Phát", "PMV-GOLD-PRO", 12, dt.date(2026, 1, 15),
    (MaintenanceContract(dt.date(2027, 1, 16), dt.date(2028, 1, 15), "Bảo trì tiêu chuẩn"),),
    dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC), "HD-KP-0001-001", VENDOR,
)
OLD = Contract("KP-0001", "Tiệm vàng Kim Phát", "PMV-GOLD-PRO", 6, dt.date(2026, 8, 31), (),
               dt.datetime(2026, 8, 31, 2, 0, tzinfo=dt.UTC))
SHOP = ShopSettings(address="123 Lê Lợi, Phường Bến Thành")
TODAY = dt.date(2027, 3, 1)  # injected: nothing here depends on the real date


def text_of(pdf: Path) -> str:
    """The page's words with whitespace (line breaks included) collapsed, so a wrapped value still matches."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(raw.split())


def lines_of(pdf: Path) -> list[str]:
    raw = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in raw.splitlines() if line.strip()]


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words_of(pdf: Path) -> tuple[list[list[Word]], float]:
    """Every word with its box, per page, and the page width (pdftotext -bbox)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', xhtml).group(1))
    pages = []
    for page in xhtml.split("<page ")[1:]:
        pages.append([Word(html.unescape(m[5]), *(float(v) for v in m.groups()[:4])) for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages, width


def render(tmp_path: Path, contract: Contract, language: str = "vi", shop: ShopSettings = SHOP) -> Path:
    return write_certificate(contract, shop, TODAY, tmp_path / f"phieu-{language}.pdf", language)


def test_names_the_vendor_the_contract_the_package_and_the_dates(tmp_path: Path) -> None:
    text = text_of(render(tmp_path, FULL))
    for expected in (
        "Công ty TNHH Phần Mềm Vàng",
        "Địa chỉ: " + VENDOR.address,
        "Mã số thuế: 0399999999",
        "Đường dây nóng 24/7: 1900 6037",
        "PHIẾU BẢO HÀNH PHẦN MỀM",
        "Số hợp đồng: HD-KP-0001-001",
        "Tiệm vàng Kim Phát", "KP-0001", "123 Lê Lợi, Phường Bến Thành",
        "PMV-GOLD-PRO",
        "15/01/2026",  # accepted, the warranty's first day
        "12 tháng, từ ngày 15/01/2026 đến hết ngày 15/01/2027",  # Civil Code month counting: DESIGN.md
        "16/01/2027", "15/01/2028",  # the maintenance contract
        "Đang bảo trì – khách hàng ưu tiên",
        "15/01/2028 (còn 320 ngày)",
    ):
        assert expected in text, expected
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # dates are dd/MM/yyyy, never ISO


def test_has_the_signature_and_stamp_area(tmp_path: Path) -> None:
    pdf = render(tmp_path, FULL)
    text = text_of(pdf)
    for expected in ("ĐẠI DIỆN CỬA HÀNG", "(Ký, ghi rõ họ tên)", "ĐẠI DIỆN NHÀ CUNG CẤP",
                     "(Ký, ghi rõ họ tên, đóng dấu)"):
        assert expected in text
    [page], _width = words_of(pdf)
    shop_box = next(w for w in page if w.text == "CỬA")
    vendor_box = next(w for w in page if w.text == "CUNG")
    assert shop_box.x1 < vendor_box.x0 and abs(shop_box.y0 - vendor_box.y0) < 1  # side by side, shop on the left
    # Room to sign and stamp: nothing printed in the 30 mm under the hints, across the page (a company's round
    # seal is some 35-40 mm across and is pressed half over the signature).
    hint_bottom = max(w.y1 for w in page if w.text == "đóng")
    assert not [w for w in page if hint_bottom + 1 < w.y0 < hint_bottom + 30 * 72 / 25.4]


def test_an_old_contract_has_no_blank_label_and_says_what_is_missing(tmp_path: Path) -> None:
    pdf = render(tmp_path, OLD)
    text = text_of(pdf)
    assert missing_details(OLD) == ["missing_contract_number", "missing_vendor_name", "missing_vendor_address",
                                    "missing_vendor_tax_code"]
    assert "PHẦN MỀM VÀNG" in text and "Đường dây nóng 24/7: 1900 6037" in text  # brand and hotline only
    for label in ("Mã số thuế:", "Số hợp đồng:", "Địa chỉ:"):
        assert label not in text
    assert ("chưa ghi số hợp đồng, tên nhà cung cấp, địa chỉ nhà cung cấp và mã số thuế nhà cung cấp. "
            "Gọi 1900 6037 để được cấp lại hợp đồng") in text
    # No label left without its value anywhere: no line ends with a colon.
    assert [line for line in lines_of(pdf) if line.endswith(":")] == []
    assert "6 tháng, từ ngày 31/08/2026 đến hết ngày 28/02/2027" in text  # 31/08 + 6 months: end of February


def test_a_partial_vendor_block_prints_what_it_has(tmp_path: Path) -> None:
    contract = replace(FULL, contract_number="HD-KP-0001-002", vendor=VendorIdentity(name="Công ty TNHH Phần Mềm Vàng"))
    pdf = render(tmp_path, contract)
    text = text_of(pdf)
    assert "Công ty TNHH Phần Mềm Vàng" in text and "Số hợp đồng: HD-KP-0001-002" in text
    assert "Mã số thuế:" not in text and "Địa chỉ:" not in text
    assert "chưa ghi địa chỉ nhà cung cấp và mã số thuế nhà cung cấp." in text
    assert [line for line in lines_of(pdf) if line.endswith(":")] == []


def test_the_signed_hotline_is_printed_the_vietnamese_way(tmp_path: Path) -> None:
    contract = replace(FULL, vendor=replace(VENDOR, hotline="02838221234"))
    assert hotline_of(contract) == "028 3822 1234"
    assert hotline_of(OLD) == "1900 6037"  # no vendor block: the app's own hotline
    text = text_of(render(tmp_path, contract))
    assert "Đường dây nóng 24/7: 028 3822 1234" in text and "1900 6037" not in text


def test_english_when_the_app_runs_in_english(tmp_path: Path) -> None:
    text = text_of(render(tmp_path, FULL, "en"))
    for expected in ("SOFTWARE WARRANTY CERTIFICATE", "Contract no.: HD-KP-0001-001", "Tax code (MST): 0399999999",
                     "Address: " + VENDOR.address, "12 months, from 15/01/2026 through 15/01/2027",
                     "15/01/2028 (320 days left)", "FOR THE VENDOR", "(Signature, full name and company seal)",
                     "Công ty TNHH Phần Mềm Vàng", "Bảo trì tiêu chuẩn"):  # names and tiers stay as signed
        assert expected in text, expected
    for vietnamese_label in ("Mã số thuế", "PHIẾU BẢO HÀNH", "ĐẠI DIỆN", "Ngày nghiệm thu"):
        assert vietnamese_label not in text
    old = text_of(render(tmp_path, OLD, "en"))
    assert ("does not state the contract number, the vendor's name, "
            "the vendor's address and the vendor's tax code") in old


@pytest.mark.parametrize("language", ["vi", "en"])
def test_long_names_wrap_inside_the_page_without_overlapping(tmp_path: Path, language: str) -> None:
    long_vendor = VendorIdentity(
        name="Công ty Trách nhiệm Hữu hạn Giải pháp Công nghệ Phần Mềm Vàng Việt Nam – Chi nhánh Thành phố Hồ Chí Minh",
        address="Tầng 12A, Tòa nhà Văn phòng Sài Gòn Trade Center, số 37 Tôn Đức Thắng, Phường Sài Gòn, Thành phố "
                "Hồ Chí Minh, Việt Nam (lối vào phía đường Nguyễn Hữu Cảnh, gửi xe tầng hầm B2)",
        tax_code="0399999999-001", hotline="1900 6037")
    maintenance = tuple(MaintenanceContract(dt.date(2027 + i, 1, 16), dt.date(2028 + i, 1, 15), "Bảo trì ưu tiên")
                        for i in range(3))
    contract = Contract("KP-0001", "Tiệm vàng Kim Phát & Con <Chợ Lớn>", "PMV-GOLD-PRO", 12, dt.date(2026, 1, 15),
                        maintenance, dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC), "012/2027/HĐBT-PMV/KP-0001",
                        long_vendor)
    shop = ShopSettings(address="Số 1 đường Trần Hưng Đạo, Phường Cầu Ông Lãnh, Thành phố Hồ Chí Minh, Việt Nam")
    pdf = render(tmp_path, contract, language, shop)
    pages, width = words_of(pdf)
    assert len(pages) == 1  # still one A4 page
    [page] = pages
    margin = 20 * 72 / 25.4 + 6  # the page margin and reportlab's frame padding: where the header text starts
    assert [w.text for w in page if w.x0 < margin - 0.5] == [], "text sticks out into the left margin"
    assert [w.text for w in page if w.x1 > width - margin + 0.5] == [], "text runs into the right margin"
    # The address wrapped onto a second line rather than running off the page.
    address_lines = {round(w.y0) for w in page if w.text in {"Trade", "Cảnh,", "B2)"}}
    assert len(address_lines) >= 2
    # No two words overlap (pdftotext's boxes use the font's ascent and descent, so lines touch but never cross).
    for a, b in itertools.combinations(page, 2):
        overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
        overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
        assert overlap_x <= 0.5 or overlap_y <= 0.5, f"{a.text!r} overlaps {b.text!r}"
    text = text_of(pdf)
    assert "Tiệm vàng Kim Phát & Con <Chợ Lớn>" in text  # printed as signed, not read as markup
    assert long_vendor.address in text and "0399999999-001" in text


def test_the_pdf_names_its_author_and_title(tmp_path: Path) -> None:
    info = subprocess.run(["pdfinfo", str(render(tmp_path, FULL))], capture_output=True, text=True).stdout
    assert re.search(r"^Title:\s+Phiếu bảo hành$", info, re.M)
    assert re.search(r"^Author:\s+Công ty TNHH Phần Mềm Vàng$", info, re.M)


@pytest.mark.parametrize(("language", "standard", "priority"), [("vi", "Tiêu chuẩn", "Ưu tiên"),
                                                                 ("en", "Standard", "Priority")])
def test_the_tier_codes_the_vendor_signs_are_said_in_words(tmp_path: Path, language: str, standard: str,
                                                           priority: str) -> None:
    # The vendor's console and CLI sign "standard" or "priority" (vendor_server/console/templates/contracts.html,
    # vendor_server/cli.py): printed as signed, a Vietnamese certificate said "standard".
    coded = Contract("KP-0001", "Tiệm vàng Kim Phát", "PMV-GOLD-PRO", 12, dt.date(2026, 1, 15),
                     (MaintenanceContract(dt.date(2027, 1, 16), dt.date(2028, 1, 15), "standard"),
                      MaintenanceContract(dt.date(2028, 1, 16), dt.date(2029, 1, 15), "priority")),
                     dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC), "HD-KP-0001-001", VENDOR)
    rows = [line for line in lines_of(render(tmp_path, coded, language)) if "/2028" in line or "/2029" in line]
    assert [row.split("   ")[-1].strip() for row in rows[-2:]] == [standard, priority], rows  # the tier column


def test_before_acceptance_the_certificate_says_the_warranty_has_not_begun(tmp_path: Path) -> None:
    text = write_certificate(FULL, SHOP, dt.date(2026, 1, 10), tmp_path / "phieu.pdf", "vi")
    words = text_of(text)
    assert "Chưa nghiệm thu: bảo hành bắt đầu từ ngày 15/01/2026" in words and "Hết hạn" not in words
