"""The demo vendor's contract carries the demo vendor's signed identity, so --demo shows a full certificate."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from app.demo_vendor import DEMO_VENDOR, ensure_demo_contract
from app.infra.keys import load_trusted_keys
from app.infra.settings import ShopSettings
from app.warranty.certificate import missing_details, write_certificate
from pmv_protocol.contract import verify_document
from pmv_protocol.vendor_identity import is_tax_code


def test_the_demo_contract_names_the_demo_vendor(tmp_path: Path) -> None:
    keys_file, contract_file = ensure_demo_contract(tmp_path, "DEMO-0001", "Tiệm vàng Kim Phát (demo)",
                                                    dt.date(2027, 3, 1))
    contract = verify_document(contract_file.read_bytes(), load_trusted_keys("contract", keys_file), "DEMO-0001")
    assert contract.contract_number == "HD-DEMO-0001-001"  # what pmv-vendor issue-contract numbers a first contract
    assert contract.vendor is not None and contract.vendor.to_payload() == DEMO_VENDOR
    assert is_tax_code(DEMO_VENDOR["tax_code"])
    assert "(demo)" in DEMO_VENDOR["name"]  # a made-up company says so on paper
    assert missing_details(contract) == []

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = write_certificate(contract, ShopSettings(), dt.date(2027, 3, 1), tmp_path / "phieu.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert DEMO_VENDOR["name"] in text and f"Mã số thuế: {DEMO_VENDOR['tax_code']}" in text
    assert DEMO_VENDOR["address"] in text and "Số hợp đồng: HD-DEMO-0001-001" in text
