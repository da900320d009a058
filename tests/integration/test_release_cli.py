"""The vendor CLI's release parts: ``serve`` with the config's [releases] (one worker and several), ``repo
export-offline``, ``issue-contract --no-telemetry``; each bad input refused in one line, changing nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from app.updates.tuf_client import UpdateClient
from pmv_protocol.contract import Contract
from pmv_protocol.fleet import EVENTS_PATH
from tests.integration.conftest import free_port, wait_until_serving
from tests.unit.vendor_server.releases.folder_fetcher import tuf_client
from vendor_server.cli import main as vendor_main
from vendor_server.db import Shop, VendorDatabase
from vendor_server.releases.offline import MARKER
from vendor_server.tuf_repo import VendorRepository

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
PACK_FILE = REPO_ROOT / "resources" / "regulation" / "nd-232-2025.json"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = vendor_main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _one_line(err: str, says: str) -> None:
    assert err.startswith("pmv-vendor: error: ") and err.count("\n") == 1 and says in err, err


# --------------------------------------------------------------------------- serve reads [releases]


def _post(base: str, token: str, *kinds: str) -> requests.Response:
    events = [{"id": str(uuid.uuid4()), "at": "2026-03-10T09:00:00+07:00", "kind": kind, "target_kind": "app",
               "target_id": "app", "version": "9.9.0", **({"reason": "crashed_on_start"}
                                                          if kind == "rolled_back" else {})} for kind in kinds]
    return requests.post(base + EVENTS_PATH, json={"events": events}, headers={"Authorization": f"Bearer {token}"},
                         timeout=10)


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_stops_a_rollout_by_the_configs_releases_table_on_its_configured_repository(
        tmp_path: Path, workers: int) -> None:
    """[releases] says one shop in two is enough, and the repository lives outside the data folder: the server
    (each worker, with --workers) re-signs that repository when the first shop rolls back."""
    data, repo, keys = tmp_path / "data", tmp_path / "published" / "tuf", tmp_path / "secret" / "tuf-keys"
    port = free_port()
    config = tmp_path / "vendor.toml"
    config.write_text(f'data = "{data}"\ntuf_repo = "{repo}"\ntuf_keys = "{keys}"\nport = {port}\n\n'
                      "[releases]\nauto_stop_rollback_rate = 0.5\nauto_stop_min_shops = 2\n\n"
                      "[fleet]\nsilent_after_hours = 3\n", encoding="utf-8")
    assert vendor_main(["repo", "init", "--config", str(config)]) == 0
    build = tmp_path / "pmv-support-9.9.0.zip"
    build.write_bytes(os.urandom(1000))
    assert vendor_main(["repo", "add", str(build), "--kind", "app", "--version", "9.9.0", "--rollout-percent", "30",
                        "--config", str(config)]) == 0
    tokens = [VendorDatabase(f"sqlite:///{(data / 'vendor.sqlite3').resolve()}").add_shop(f"KP-{n}", f"Shop {n}")
              for n in (1, 2)]
    server = subprocess.Popen([sys.executable, "-m", "vendor_server.cli", "serve", "--config", str(config),
                               "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server, 30)
        root = VendorRepository(repo, keys).root_bytes(1)

        def percent() -> int | None:
            folder = tmp_path / "shop" / uuid.uuid4().hex
            [app] = UpdateClient(folder / "metadata", folder / "cache", base, root, read_timeout=5).refresh()
            return app.rollout_percent

        assert percent() == 30  # served from the configured folder, not DATA/tuf
        assert _post(base, tokens[0], "installed").json() == {"stored": 1, "duplicates": 0}
        assert percent() == 30
        assert _post(base, tokens[1], "installed", "rolled_back").status_code == 200  # 1 of 2 = 50 %
        assert percent() == 0
    finally:
        server.terminate()
        server.wait(20)
    assert not (data / "tuf").exists()


@pytest.mark.parametrize(("table", "says"), [
    ("[releases]\nauto_stop_rollback_rate = 2\n", "auto_stop_rollback_rate must be in (0, 1]"),
    ("[releases]\nauto_stop_min_shops = 0\n", "auto_stop_min_shops must be at least 1"),
    ("[releases]\nauto_stop_min_shops = 'ten'\n", "[releases]: invalid literal"),
    ("[releases]\nstop_after = 3\n", "[releases]: unknown key(s) stop_after"),
    ("releases = 5\n", "[releases] in the config must be a table"),
    ("[fleet]\nsilent_after_hours = 0\n", "silent_after_hours must be above 0"),
    # TOML has nan and inf (toml.io, "Float"): they pass "> 0" and broke the fleet view and the sweep later.
    ("[fleet]\nsilent_after_hours = nan\n", "silent_after_hours must be above 0, got nan"),
    ("[fleet]\nsilent_after_hours = inf\n", "silent_after_hours must be above 0, got inf"),
    ("[fleet.proactive_hours]\n\"backup.age\" = nan\n", "proactive hours for backup.age must be above 0"),
    ("[fleet]\ntrading_hours_only = \"pos.db.connect\"\n", "trading_hours_only must be a list of check ids"),
    ("[fleet]\ntrading_hours = 2026-01-01\n", "[fleet]"),
])
def test_serve_refuses_a_bad_releases_or_fleet_table_in_one_line_before_starting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, says: str) -> None:
    config = tmp_path / "vendor.toml"
    config.write_text(f'data = "{tmp_path / "data"}"\nport = {free_port()}\n' + table, encoding="utf-8")
    status, out, err = _run(capsys, "serve", "--config", str(config))
    assert status == 1 and "PMV vendor server" not in out
    _one_line(err, says)
    assert not (tmp_path / "data" / "vendor.sqlite3").exists()  # refused before the database was touched


# --------------------------------------------------------------------------- repo export-offline


def test_export_offline_writes_a_copy_the_shops_root_verifies(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(tmp_path / "data")]
    assert vendor_main(["repo", "init", *data]) == 0
    assert vendor_main(["repo", "add", str(PACK_FILE), "--kind", "regulation", "--version", "1.0.0", *data]) == 0
    capsys.readouterr()
    status, out, err = _run(capsys, "repo", "export-offline", str(tmp_path / "usb"), "--kinds", "pack", *data)
    assert (status, err) == (0, "")
    made = json.loads(out)
    assert made["targets"] == ["regulation/nd-232-2025-1.0.0.json"] and made["bytes"] == PACK_FILE.stat().st_size
    assert dt.datetime.fromisoformat(made["expires"]) > dt.datetime.fromisoformat(made["made_at"])
    repo = VendorRepository(tmp_path / "data" / "tuf", tmp_path / "data" / "tuf-keys")
    client, _fetcher = tuf_client(tmp_path / "usb", repo.root_bytes(1), tmp_path / "shop")
    client.refresh()
    info = client.get_targetinfo("regulation/nd-232-2025-1.0.0.json")
    assert info is not None and Path(client.download_target(info)).read_bytes() == PACK_FILE.read_bytes()
    # A second export into the same folder replaces it (the folder is this command's own).
    assert _run(capsys, "repo", "export-offline", str(tmp_path / "usb"), *data)[0] == 0


@pytest.mark.parametrize(("setup", "args", "says"), [
    ("foreign", [], "is not empty and was not made by pmv-vendor repo export-offline"),
    ("file", [], "is a file, not a folder"),
    ("none", ["--kinds", "app,firmware"], "--kinds takes a comma-separated list of app, pack, calendar"),
    ("none", ["--kinds", ""], "--kinds takes a comma-separated list"),
    ("no-repo", [], "run: pmv-vendor repo init"),
])
def test_export_offline_refuses_bad_input_in_one_line_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, args: list[str], says: str) -> None:
    data = tmp_path / "data"
    if setup != "no-repo":
        assert vendor_main(["repo", "init", "--data", str(data)]) == 0
    data.mkdir(exist_ok=True)  # every command makes its data folder
    target = tmp_path / "usb"
    if setup == "foreign":
        target.mkdir()
        (target / "ke-toan-2025.xlsx").write_bytes(b"the shop's own file")
    elif setup == "file":
        target.write_bytes(b"not a folder")
    capsys.readouterr()
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    status, out, err = _run(capsys, "repo", "export-offline", str(target), *args, "--data", str(data))
    assert status == 1 and out == ""
    _one_line(err, says)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before
    assert not (target / MARKER).exists()


# --------------------------------------------------------------------------- issue-contract --no-telemetry


def test_issue_contract_no_telemetry_signs_telemetry_false(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(tmp_path / "data")]
    assert vendor_main(["keys", "init", *data]) == 0
    assert vendor_main(["add-shop", "--shop-id", "KP-0001", "--name", "Tiệm vàng Kim Phát", *data]) == 0
    common = ["issue-contract", "--shop-id", "KP-0001", "--package", "PMV-GOLD-PRO", "--warranty-months", "12",
              "--accepted-on", "2026-01-15", "--vendor-name", "Công ty PMV", "--vendor-tax-code", "0312345678", *data]
    capsys.readouterr()
    status, out, _err = _run(capsys, *common, "--no-telemetry")
    assert status == 0
    declined = json.loads(out)
    assert declined["payload"]["telemetry"] is False
    assert Contract.from_payload(declined["payload"]).telemetry is False
    status, out, _err = _run(capsys, *common)
    assert status == 0 and "telemetry" not in json.loads(out)["payload"]  # absent means yes
    db = VendorDatabase(f"sqlite:///{(tmp_path / 'data' / 'vendor.sqlite3').resolve()}")
    with db.sessions() as session:
        shop = session.query(Shop).filter(Shop.shop_id == "KP-0001").one()
        assert json.loads(db.latest_contract(session, shop) or "{}")["payload"].get("telemetry", True) is True
    status, out, err = _run(capsys, *[a if a != "KP-0001" else "KP-9999" for a in common], "--no-telemetry")
    assert status == 1 and out == ""
    _one_line(err, "unknown shop KP-9999")
