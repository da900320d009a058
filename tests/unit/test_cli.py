"""The CLI as a user runs it: real subprocesses of ``python -m app``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import APP_NAME, __version__


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"


def test_demo_shop_writes_a_shop_and_reports_it(tmp_path: Path) -> None:
    result = run("demo-shop", str(tmp_path / "shop"), "--today", "2026-11-25")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert Path(report["settings"]).is_file()
    assert report["invoices"] > 0
    assert report["cash_over_limit"]["day"] == "2026-11-22"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["demo-shop", "{tmp}/shop", "--today", "25/11/2026"], "not a date"),
        (["--config", "{tmp}/nope.toml", "--screenshot", "{tmp}/x.png"], "settings file not found"),
        (["--lang", "fr"], "invalid choice"),
        (["no-such-command"], "invalid choice"),
    ],
)
def test_bad_input_exits_non_zero_with_a_one_line_reason(tmp_path: Path, args: list[str], fragment: str) -> None:
    result = run(*[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.returncode != 0
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_shop_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "keep.txt").write_text("x")
    result = run("demo-shop", str(tmp_path / "shop"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "not empty" in result.stderr


def test_check_json_on_a_demo_shop_is_all_ok_or_skipped_with_a_reason(tmp_path: Path) -> None:
    shop = run("demo-shop", str(tmp_path / "shop"))
    settings = json.loads(shop.stdout)["settings"]
    result = run("--config", settings, "check", "--json", "--report", str(tmp_path / "r.pdf"), timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    statuses = {item["id"]: item for item in data["results"]}
    # the vendor server of the default settings is not reachable from here: those say so
    # not reachable from here: the default vendor server; not given: a signed contract
    offline = {"vendor.reachable", "clock.skew", "warranty.coverage"}
    for check_id, item in statuses.items():
        if check_id in offline:
            continue
        assert item["status"] in ("ok", "skipped"), (check_id, item["summary"])
        if item["status"] == "skipped":
            assert item["summary"].startswith("Bỏ qua")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_check_nagios_exit_code_follows_the_worst_result(tmp_path: Path) -> None:
    import sqlite3

    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    with sqlite3.connect(shop["pos_database"]) as conn:
        conn.execute("UPDATE gold_prices SET sell_vnd_per_chi = 1 WHERE purity_code = '9999'")
    result = run("--config", shop["settings"], "check", "--nagios", timeout=120)
    assert result.returncode == 2
    assert result.stdout.startswith("PMV CRITICAL - ") and "prices.fresh" in result.stdout
    assert result.stdout.count("\n") == 1


def test_config_works_before_or_after_the_sub_command() -> None:
    from app.cli import build_parser

    parser = build_parser()
    for argv in (["--config", "a.toml", "check"], ["check", "--config", "a.toml"]):
        assert str(parser.parse_args(argv).config) == "a.toml"
    assert parser.parse_args(["check"]).config is None


def test_label_writes_each_language_and_refuses_a_tag_that_would_not_scan(tmp_path: Path) -> None:
    for language, marker in (("zpl", b"^XA"), ("tspl", b"SIZE"), ("ezpl", b"^Q"), ("pdf", b"%PDF"), ("png", b"\x89PNG")):
        out = tmp_path / f"tem.{language}"
        result = run("label", "--lang", language, "--dpi", "300", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert marker in out.read_bytes()[:200]
    refused = run("label", "--lang", "zpl", "--item-code", "PMV75000001", "--out", str(tmp_path / "x.zpl"))
    assert refused.returncode == 1 and "too_long_for_label" in refused.stderr
    assert not (tmp_path / "x.zpl").exists()  # nothing written for a tag that would not scan


def test_label_count_writes_a_run_of_numbered_tags_in_one_job(tmp_path: Path) -> None:
    out = tmp_path / "run.tspl"
    result = run("label", "--lang", "tspl", "--item-code", "75000098", "--count", "40", "--out", str(out))
    assert result.returncode == 0, result.stderr
    job = out.read_text(encoding="utf-8")
    assert job.count("SIZE ") == 40
    positions = [job.index(f'"{75000098 + n}"') for n in range(40)]  # every code's barcode, in counting order
    assert positions == sorted(positions)
    for argv, error in ((["--lang", "pdf", "--count", "3"], "a run of tags (--count) is a printer job"),
                        (["--lang", "zpl", "--item-code", "NHAN", "--count", "3"], "item_code: no_number"),
                        (["--lang", "zpl", "--count", "1001"], "count: out_of_range")):
        refused = run("label", *argv, "--out", str(tmp_path / "x.job"))
        assert refused.returncode == 1 and error in refused.stderr, refused.stderr
    assert not (tmp_path / "x.job").exists()


def test_label_send_to_a_port_9100_listener(tmp_path: Path) -> None:
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    result = run("label", "--lang", "tspl", "--send", f"tcp://127.0.0.1:{port}")
    thread.join(5)
    server.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent"] == len(received[0])
    assert b'BARCODE' in received[0] and b'"75000001"' in received[0]
    dead = run("label", "--lang", "tspl", "--send", f"tcp://127.0.0.1:{port}")
    assert dead.returncode == 1 and "could not print" in dead.stderr


def test_the_headless_agent_runs_once_per_data_folder_and_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "app", "--config", shop["settings"], "agent"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert first.stdout.readline().strip() == "pmv-support: agent running"
        second = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert second.returncode == 0 and "already running" in second.stdout
        time.sleep(1)
        first.send_signal(signal.SIGTERM)
        assert first.wait(20) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert "PySide6" not in (first.stderr.read() or "")


def test_bundle_writes_a_redacted_zip_with_the_health_report(tmp_path: Path) -> None:
    import zipfile

    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    out = tmp_path / "goi-chan-doan.zip"
    result = run("--config", shop["settings"], "bundle", str(out), "--with-health", timeout=120)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert "health_report" in summary["parts"] and "settings" in summary["parts"]
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "health.json", "settings.json", "system.json"} <= names
        assert json.loads(archive.read("health.json"))["results"]
    unwritable = tmp_path / "file"
    unwritable.write_text("x")
    bad = run("--config", shop["settings"], "bundle", str(unwritable / "b.zip"))
    assert bad.returncode == 1 and "cannot write" in bad.stderr


def test_bundle_carries_the_technician_audit_log(tmp_path: Path, app_home: Path) -> None:
    import zipfile

    from app.storage.db import Database
    from app.technician.audit import AuditLog

    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    assert run("--config", shop["settings"], "bundle", str(tmp_path / "first.zip")).returncode == 0
    db, _ = Database.open(app_home / "data" / "pmv-support.sqlite3")
    AuditLog(db).record("Nguyễn Văn Kỹ", "settings.edit", "ok", key="vendor.timeout_seconds")
    db.close()
    out = tmp_path / "b.zip"
    assert run("--config", shop["settings"], "bundle", str(out)).returncode == 0
    with zipfile.ZipFile(out) as archive:
        audit = archive.read("audit.csv").decode("utf-8")
    assert "Nguyễn Văn Kỹ,settings.edit,ok" in audit


def test_the_sub_command_list_known_without_parsers_matches_the_parser() -> None:
    import argparse

    from app.cli import COMMANDS, build_parser

    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1 and tuple(actions[0].choices) == COMMANDS


def test_a_gui_start_parses_the_same_with_the_gui_options_alone(tmp_path: Path) -> None:
    from app.cli import _is_gui_start, build_parser

    argv = ["--config", "check", "--lang", "en", "--screenshot", "x.png", "--page", "devices", "--first-paint",
            "--minimized", "--no-err-windows", "--demo"]  # "check" here is a settings file's name, not a command
    assert _is_gui_start(argv)
    assert vars(build_parser(commands=False).parse_args(argv)) == vars(build_parser().parse_args(argv))
    for not_gui in (["check"], ["--config", "x.toml", "chek"], ["--help"], ["--he"], ["-h"],
                    ["agent", "--config", "x"]):
        assert not _is_gui_start(not_gui), not_gui
