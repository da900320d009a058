from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from app.health.model import Status
from app.infra.settings import ShopSettings
from app.warranty.certificate import write_certificate
from app.warranty.check import CHECK_ID, REMEDIES, check_coverage
from pmv_protocol.contract import Contract, MaintenanceContract

CONTRACT = Contract(
    "KP-0001", "Tiệm vàng Kim Phát", "PMV-GOLD-PRO", 12, dt.date(2026, 1, 15),
    (MaintenanceContract(dt.date(2027, 1, 16), dt.date(2028, 1, 15), "Bảo trì tiêu chuẩn"),),
    dt.datetime(2027, 1, 10, 2, 0, tzinfo=dt.UTC),
)


def test_certificate_is_one_a4_page_with_the_shop_dates_and_hotline(tmp_path: Path) -> None:
    target = write_certificate(CONTRACT, ShopSettings(address="123 Lê Lợi"), dt.date(2027, 3, 1), tmp_path / "p.pdf")
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"DejaVuSans" in data  # the Vietnamese-capable font is embedded
    assert [p.name for p in tmp_path.iterdir()] == ["p.pdf"]  # no temp file left behind
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True).stdout
    assert text.count("\f") == 1  # one page
    for expected in ("PHIẾU BẢO HÀNH", "Tiệm vàng Kim Phát", "15/01/2026", "15/01/2027",
                     "Đang bảo trì – khách hàng ưu tiên", "15/01/2028", "1900 6037"):
        assert expected in text


def test_a_full_disk_leaves_the_old_certificate_and_no_debris(tiny_disk: Path) -> None:
    target = tiny_disk / "p.pdf"
    target.write_bytes(b"old certificate")
    with pytest.raises(OSError):
        write_certificate(CONTRACT, ShopSettings(), dt.date(2027, 3, 1), target)
    assert target.read_bytes() == b"old certificate"
    assert [p.name for p in tiny_disk.iterdir()] == ["p.pdf"]


@pytest.mark.parametrize(
    "day, status, fragment",
    [
        # The warranty ends 15/01/2027 and the maintenance year follows: it said "Bảo hành còn 593 ngày (đến
        # hết 15/01/2028)", a warranty a year longer than signed.
        (dt.date(2026, 6, 1), Status.OK,
         "Bảo hành đến hết 15/01/2027, bảo trì nối tiếp; được hỗ trợ còn 593 ngày (đến hết 15/01/2028)"),
        (dt.date(2027, 12, 20), Status.WARNING, "Bảo trì còn 26 ngày"),
        (dt.date(2028, 1, 16), Status.CRITICAL, "hết hạn"),
    ],
)
def test_coverage_check(day, status, fragment) -> None:
    result = check_coverage(CONTRACT, day)
    assert result.check_id == CHECK_ID and result.status is status
    assert fragment in result.summary
    if status is not Status.OK:
        assert result.remedy in REMEDIES


def test_coverage_check_without_contract_says_how_to_get_one() -> None:
    result = check_coverage(None, dt.date(2026, 6, 1))
    assert result.status is Status.WARNING and "Nhập hợp đồng từ tệp" in REMEDIES[result.remedy]


def test_before_acceptance_the_check_says_the_shop_is_being_installed() -> None:
    # It said "Đã hết hạn bảo hành và bảo trì", critical, while the vendor was still installing the shop.
    result = check_coverage(CONTRACT, dt.date(2026, 1, 10))
    assert result.status is Status.OK
    assert result.summary == "Chưa nghiệm thu: bảo hành 12 tháng bắt đầu từ ngày 15/01/2026"
