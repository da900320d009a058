"""Contract refresh against the real vendor server, and the CLIs of both sides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.infra.keys import load_trusted_keys
from app.support.vendor_api import ApiFailure, VendorClient
from app.warranty.service import ContractService, RefreshOutcome
from pmv_protocol.contract import ContractProblem
from tests.integration.conftest import VendorServer, free_port, wait_until_serving
from vendor_server.cli import main as vendor_main

pytestmark = pytest.mark.integration


def issue(vendor: VendorServer, shop_id: str, *extra: str, out: Path | None = None) -> int:
    args = ["issue-contract", "--shop-id", shop_id, "--package", "PMV-GOLD-PRO", "--warranty-months", "12",
            "--accepted-on", "2026-01-15", *extra, "--db", vendor.db_url, "--data", str(vendor.data),
            "--keys", str(vendor.keys)]
    if out is not None:
        args += ["--out", str(out)]
    return vendor_main(args)


def client_service(vendor: VendorServer, tmp_path: Path, token: str | None, base_url: str | None = None,
                   shop_id: str = "KP-0001") -> ContractService:
    keys = load_trusted_keys("contract", vendor.trusted_keys_file())
    client = VendorClient(base_url or vendor.base_url, token, timeout=3)
    return ContractService(tmp_path / "shop" / "contract.json", keys, shop_id, fetch=client.get_contract)


def test_refresh_from_the_server_then_work_offline_from_the_cache(vendor_server: VendorServer, tmp_path: Path) -> None:
    token = vendor_server.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    vendor_server.trusted_keys_file()
    assert issue(vendor_server, "KP-0001", "--maintenance", "2027-01-16:2028-01-15:Tiêu chuẩn") == 0

    svc = client_service(vendor_server, tmp_path, token)
    result = svc.refresh()
    assert result.outcome is RefreshOutcome.UPDATED
    assert result.contract.shop_name == "Tiệm vàng Kim Phát"
    assert result.contract.maintenance[0].tier == "Tiêu chuẩn"

    vendor_server.stop()  # the shop loses its connection
    offline = svc.refresh()
    assert offline.outcome is RefreshOutcome.OFFLINE
    assert offline.api_error.kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT)
    assert offline.contract == result.contract
    assert svc.current() == result.contract


def test_a_renewal_on_the_server_reaches_the_shop(vendor_server: VendorServer, tmp_path: Path) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    vendor_server.trusted_keys_file()
    assert issue(vendor_server, "KP-0001") == 0
    svc = client_service(vendor_server, tmp_path, token)
    assert svc.refresh().outcome is RefreshOutcome.UPDATED
    assert svc.refresh().outcome is RefreshOutcome.UNCHANGED
    assert issue(vendor_server, "KP-0001", "--maintenance", "2027-01-16:2028-01-15") == 0
    renewed = svc.refresh()
    assert renewed.outcome is RefreshOutcome.UPDATED and len(renewed.contract.maintenance) == 1


def test_wrong_token_and_missing_contract_are_told_apart(vendor_server: VendorServer, tmp_path: Path) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    vendor_server.trusted_keys_file()
    no_contract = client_service(vendor_server, tmp_path, token).refresh()
    assert no_contract.api_error.kind is ApiFailure.NOT_FOUND
    bad_token = client_service(vendor_server, tmp_path, "pmv_not-a-real-token").refresh()
    assert bad_token.api_error.kind is ApiFailure.UNAUTHORIZED
    no_token = client_service(vendor_server, tmp_path, None).refresh()
    assert no_token.api_error.kind is ApiFailure.NOT_CONFIGURED


def test_a_contract_for_another_shop_is_refused_and_the_old_one_kept(
    vendor_server: VendorServer, tmp_path: Path
) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    vendor_server.trusted_keys_file()
    assert issue(vendor_server, "KP-0001") == 0
    good = client_service(vendor_server, tmp_path, token).refresh().contract
    # The shop's PC is misconfigured as another shop: the server's document must not be taken.
    wrong = client_service(vendor_server, tmp_path, token, shop_id="VB-0002").refresh()
    assert wrong.outcome is RefreshOutcome.REFUSED
    assert wrong.contract_error.problem is ContractProblem.WRONG_SHOP
    assert client_service(vendor_server, tmp_path, token).current() == good


def test_a_server_that_is_not_there(tmp_path: Path, vendor_server: VendorServer) -> None:
    svc = client_service(vendor_server, tmp_path, "pmv_x", base_url=f"http://127.0.0.1:{free_port()}")
    result = svc.refresh()
    assert result.outcome is RefreshOutcome.OFFLINE and result.api_error.kind is ApiFailure.OFFLINE


def test_vendor_cli_rejects_bad_input_with_one_line(vendor_server: VendorServer, capsys) -> None:
    assert issue(vendor_server, "NO-SUCH-SHOP") == 1
    assert "unknown shop NO-SUCH-SHOP" in capsys.readouterr().err
    vendor_server.add_shop("KP-0001", "Kim Phát")
    with pytest.raises(SystemExit) as caught:
        issue(vendor_server, "KP-0001", "--maintenance", "2027-02-01:2027-01-01")
    assert caught.value.code == 2
    assert "ends before it starts" in capsys.readouterr().err


def test_shop_cli_imports_a_file_and_prints_coverage_and_certificate(
    vendor_server: VendorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, demo_shop
) -> None:
    """File import for shops without Internet, end to end through both CLIs.

    The one stand-in: the app's shipped trust file is pointed at this test
    vendor's public keys (the vendor's production key cannot exist here).
    """
    from app.cli import main as shop_main

    vendor_server.add_shop("DEMO-0001", "Tiệm vàng Kim Phát (demo)")
    keys_file = vendor_server.trusted_keys_file()
    monkeypatch.setattr("app.infra.keys.shipped_keys_file", lambda: keys_file)
    document = tmp_path / "hop-dong.json"
    assert issue(vendor_server, "DEMO-0001", "--maintenance", "2027-01-16:2028-01-15:Tiêu chuẩn", out=document) == 0
    capsys.readouterr()

    config = str(demo_shop.settings_file)
    assert shop_main(["--config", config, "warranty", "--json", "--import", str(document),
                      "--today", "2027-03-01"]) == 0
    coverage = json.loads(capsys.readouterr().out)
    assert coverage["status"] == "maintenance" and coverage["priority"] is True
    assert coverage["covered_until"] == "2028-01-15" and coverage["days_left"] == 320

    tampered = tmp_path / "sua.json"
    tampered.write_text(document.read_text(encoding="utf-8").replace("2028-01-15", "2030-01-15"), encoding="utf-8")
    assert shop_main(["--config", config, "warranty", "--import", str(tampered)]) == 1
    assert "chữ ký số không khớp" in capsys.readouterr().err
    assert shop_main(["--config", config, "warranty", "--today", "2027-03-01"]) == 0
    assert json.loads(capsys.readouterr().out)["covered_until"] == "2028-01-15"  # the good one stayed

    pdf = tmp_path / "phieu.pdf"
    assert shop_main(["--config", config, "warranty", "--certificate", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_pmv_vendor_serve_answers_on_loopback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    import requests

    port = free_port()
    data = tmp_path / "vendor"
    token = json.loads(subprocess.run(
        [sys.executable, "-m", "vendor_server.cli", "add-shop", "--shop-id", "KP-0001", "--name", "Kim Phát",
         "--data", str(data)], capture_output=True, text=True, check=True).stdout)["token"]
    server = subprocess.Popen(
        [sys.executable, "-m", "vendor_server.cli", "serve", "--data", str(data), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ),
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", server, 20)
        answer = requests.get(f"http://127.0.0.1:{port}/api/v1/contract",
                              headers={"Authorization": f"Bearer {token}"}, timeout=3)
        assert answer.status_code == 404 and "no contract" in answer.json()["detail"]
    finally:
        server.terminate()
        server.wait(10)
