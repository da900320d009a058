"""The vendor's identity end to end: pmv-vendor issue-contract signs it, the shop fetches it, the certificate names it.

Real parts only: the vendor CLI with its SQLite database and keys, the vendor server on 127.0.0.1, the shop's
contract service over HTTP, and the certificate read back with poppler's pdftotext.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.infra.keys import load_trusted_keys
from app.infra.settings import ShopSettings
from app.support.vendor_api import VendorClient
from app.warranty.certificate import write_certificate
from app.warranty.service import ContractService, RefreshOutcome
from pmv_protocol.vendor_identity import VendorIdentity
from tests.integration.conftest import VendorServer
from vendor_server.cli import main as vendor_main

pytestmark = pytest.mark.integration

CONFIG = """
[vendor]
name = "Công ty TNHH Phần Mềm Vàng"
address = "Tầng 5, 123 Nguyễn Thị Minh Khai, Phường Bến Thành, Thành phố Hồ Chí Minh"
tax_code = "0399999999"
hotline = "1900 6037"
"""


def issue(vendor: VendorServer, tmp_path: Path, *extra: str, config: str = CONFIG) -> int:
    config_file = tmp_path / "vendor.toml"
    config_file.write_text(config, encoding="utf-8")
    return vendor_main(["issue-contract", "--config", str(config_file), "--shop-id", "KP-0001",
                        "--package", "PMV-GOLD-PRO", "--warranty-months", "12", "--accepted-on", "2026-01-15",
                        "--maintenance", "2027-01-16:2028-01-15:Tiêu chuẩn", *extra, "--db", vendor.db_url,
                        "--data", str(vendor.data), "--keys", str(vendor.keys)])


def registered_shop(vendor: VendorServer, capsys: pytest.CaptureFixture[str]) -> str:
    """Adds KP-0001 on the vendor and makes its signing keys (their listing read off stdout); the shop's token."""
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    vendor.trusted_keys_file()
    capsys.readouterr()  # keys init prints the public keys
    return token


def pdf_text(pdf: Path) -> str:
    """The words of a PDF as poppler's pdftotext reads them, runs of white space made one space."""
    return " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())


def shop_service(vendor: VendorServer, tmp_path: Path, token: str) -> ContractService:
    keys = load_trusted_keys("contract", vendor.trusted_keys_file())
    client = VendorClient(vendor.base_url, token, timeout=3)
    return ContractService(tmp_path / "shop" / "contract.json", keys, "KP-0001", fetch=client.get_contract)


def test_issue_contract_signs_the_vendor_block_and_the_certificate_names_it(
    vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = registered_shop(vendor_server, capsys)
    assert issue(vendor_server, tmp_path) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["payload"]["vendor"] == {
        "name": "Công ty TNHH Phần Mềm Vàng",
        "address": "Tầng 5, 123 Nguyễn Thị Minh Khai, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "tax_code": "0399999999", "hotline": "1900 6037"}
    assert printed["payload"]["contract_number"] == "HD-KP-0001-001"  # the shop's first contract

    result = shop_service(vendor_server, tmp_path, token).refresh()
    assert result.outcome is RefreshOutcome.UPDATED
    contract = result.contract
    assert contract.contract_number == "HD-KP-0001-001"
    assert contract.vendor == VendorIdentity("Công ty TNHH Phần Mềm Vàng",
                                             "Tầng 5, 123 Nguyễn Thị Minh Khai, Phường Bến Thành, "
                                             "Thành phố Hồ Chí Minh",
                                             "0399999999", "1900 6037")

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = write_certificate(contract, ShopSettings(), dt.date(2027, 3, 1), tmp_path / "phieu.pdf")
    text = pdf_text(pdf)
    for expected in ("Công ty TNHH Phần Mềm Vàng", "Mã số thuế: 0399999999", "Số hợp đồng: HD-KP-0001-001",
                     "Phường Bến Thành", "PMV-GOLD-PRO", "15/01/2026", "15/01/2027", "16/01/2027", "15/01/2028"):
        assert expected in text, expected


def test_options_override_the_config_and_numbers_count_up(
    vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registered_shop(vendor_server, capsys)
    assert issue(vendor_server, tmp_path) == 0
    assert issue(vendor_server, tmp_path, "--vendor-tax-code", "0399999999-001",
                 "--vendor-hotline", "028 3822 1234") == 0
    assert issue(vendor_server, tmp_path, "--contract-number", "012/2027/HĐBT-PMV") == 0
    first, second, third = (json.loads(doc)["payload"] for doc in
                            capsys.readouterr().out.replace("}\n{", "}\0{").split("\0"))
    assert (first["contract_number"], second["contract_number"]) == ("HD-KP-0001-001", "HD-KP-0001-002")
    assert second["vendor"]["tax_code"] == "0399999999-001" and second["vendor"]["hotline"] == "028 3822 1234"
    assert second["vendor"]["name"] == "Công ty TNHH Phần Mềm Vàng"  # the rest still from the config
    assert third["contract_number"] == "012/2027/HĐBT-PMV"


@pytest.mark.parametrize("tax_code", ["039999999", "0399999999001", "0399999999-000"])
def test_a_malformed_tax_code_is_refused_and_nothing_is_issued(
    vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], tax_code: str
) -> None:
    token = registered_shop(vendor_server, capsys)
    assert issue(vendor_server, tmp_path, "--vendor-tax-code", tax_code) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vendor.tax_code" in err  # one line naming the field
    assert shop_service(vendor_server, tmp_path, token).refresh().contract is None  # nothing was stored


def test_without_a_vendor_identity_it_still_issues_and_warns(
    vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registered_shop(vendor_server, capsys)
    assert issue(vendor_server, tmp_path, config="") == 0
    captured = capsys.readouterr()
    assert "vendor" not in json.loads(captured.out)["payload"]
    assert "warning" in captured.err and "[vendor]" in captured.err


@pytest.mark.parametrize("lang, title, label", [("vi", "PHIẾU BẢO HÀNH PHẦN MỀM", "Mã số thuế: 0399999999"),
                                                ("en", "SOFTWARE WARRANTY CERTIFICATE", "Tax code (MST): 0399999999")])
def test_pmv_support_prints_the_certificate_in_the_interface_language(
    vendor_server: VendorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, demo_shop,
    lang: str, title: str, label: str,
) -> None:
    """File import then ``pmv-support --lang LANG warranty --certificate``; the one stand-in, as in
    test_contract_refresh: the app's shipped trust file points at this test vendor's public keys."""
    from app.cli import main as shop_main

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    vendor_server.add_shop("DEMO-0001", "Tiệm vàng Kim Phát (demo)")
    keys_file = vendor_server.trusted_keys_file()
    monkeypatch.setattr("app.infra.keys.shipped_keys_file", lambda: keys_file)
    document = tmp_path / "hop-dong.json"
    config_file = tmp_path / "vendor.toml"
    config_file.write_text(CONFIG, encoding="utf-8")
    assert vendor_main(["issue-contract", "--config", str(config_file), "--shop-id", "DEMO-0001",
                        "--package", "PMV-GOLD-PRO", "--warranty-months", "12", "--accepted-on", "2026-01-15",
                        "--out", str(document), "--db", vendor_server.db_url, "--data", str(vendor_server.data),
                        "--keys", str(vendor_server.keys)]) == 0
    config = str(demo_shop.settings_file)
    capsys.readouterr()
    assert shop_main(["--config", config, "warranty", "--json", "--import", str(document)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["contract_number"] == "HD-DEMO-0001-001" and status["vendor"]["tax_code"] == "0399999999"
    # Before its acceptance day a shop being installed is not covered (policy W1: from acceptance), and the JSON
    # says why rather than leaving "expired" to be read as a lapsed contract.
    assert shop_main(["--config", config, "warranty", "--json", "--today", "2026-01-10"]) == 0
    ahead = json.loads(capsys.readouterr().out)
    assert ahead["status"] == "expired" and ahead["accepted_on_ahead"] == "2026-01-15"
    assert shop_main(["--config", config, "warranty", "--json", "--today", "2026-01-15"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted_on_ahead"] is None
    pdf = tmp_path / "phieu.pdf"
    assert shop_main(["--lang", lang, "--config", config, "warranty", "--certificate", str(pdf),
                      "--today", "2027-03-01"]) == 0
    text = pdf_text(pdf)
    assert title in text and label in text and "Công ty TNHH Phần Mềm Vàng" in text
    assert "HD-DEMO-0001-001" in text and "01/03/2027" in text
