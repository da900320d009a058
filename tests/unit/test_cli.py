"""The CLI as a user runs it: real subprocesses of ``python -m app``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import APP_NAME, __version__
from tests.conftest import DEMO_NOW, DEMO_TODAY, SHOP_TZ

ROOT = Path(__file__).resolve().parents[2]


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
    violations = report["decree_232_violations"]
    assert violations[0]["day"] == "2026-11-22" and violations[0]["how"] == "cash_split"
    # Every way the decree is broken in the demo is reported, each a customer-day of 20M or more with a
    # part not paid from a bank account (Decree 232/2025, clause 10; State Bank guidance of 17/10/2025).
    assert {v["how"] for v in violations} == {"cash_split", "transfer_and_cash", "card", "split_payment",
                                              "sale_and_buyback"}
    assert all(v["total_vnd"] >= 20_000_000 and 0 < v["not_via_bank_vnd"] <= v["total_vnd"] and v["documents"]
               for v in violations)


@pytest.mark.parametrize(
    "args, code, line",
    [
        (["demo-shop", "{tmp}/shop", "--today", "25/11/2026"], 2,
         "pmv-support: lỗi: --today: '25/11/2026' không phải ngày dạng YYYY-MM-DD (ví dụ 2026-11-25). "
         "Xem hướng dẫn: pmv-support demo-shop --help"),
        (["--config", "{tmp}/nope.toml", "--screenshot", "{tmp}/x.png"], 1,
         "pmv-support: lỗi: Không tìm thấy tệp cài đặt {tmp}/nope.toml; hãy kiểm tra đường dẫn sau --config."),
        (["--lang", "fr"], 2,
         "pmv-support: lỗi: --lang không nhận 'fr'; hãy chọn một trong: 'vi', 'en'. Xem hướng dẫn: pmv-support --help"),
        (["no-such-command"], 2, "pmv-support: lỗi: Không có lệnh 'no-such-command'; các lệnh có: 'demo-shop', "),
        (["--lang", "en", "no-such-command"], 2, "pmv-support: error: There is no command 'no-such-command'; "),
        (["check", "--lang", "en", "--json", "--nagios"], 2,
         "pmv-support: error: --nagios cannot be used with --json; choose one. See pmv-support check --help"),
    ],
)
def test_bad_input_exits_with_one_line_in_the_interface_language(tmp_path: Path, args: list[str], code: int,
                                                                 line: str) -> None:
    result = run(*[arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert result.returncode == code
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(line.replace("{tmp}", str(tmp_path)))
    assert "Traceback" not in result.stderr


def test_demo_shop_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "keep.txt").write_text("x")
    result = run("demo-shop", str(tmp_path / "shop"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "không trống và không phải cửa hàng mẫu" in result.stderr


def run_in_fixed_world(now: dt.datetime, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI with the clock at ``now`` and a quiet till PC (tests/cli_fixed_world.py)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "tests.cli_fixed_world", now.isoformat(), *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


EXIT_BY_VERDICT = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}  # Nagios plugin guidelines' return codes


def test_check_json_on_a_demo_shop_is_all_ok_or_skipped_with_a_reason(tmp_path: Path) -> None:
    shop = run("demo-shop", str(tmp_path / "shop"), "--today", DEMO_TODAY.isoformat())
    settings = json.loads(shop.stdout)["settings"]
    # The shop's own evening (after closing), on a quiet PC: whatever day CI runs and however busy its cores are.
    result = run_in_fixed_world(DEMO_NOW, "--config", settings, "check", "--json", "--report", str(tmp_path / "r.pdf"))
    data = json.loads(result.stdout)
    assert result.returncode == EXIT_BY_VERDICT[data["verdict"]], result.stderr  # check --json exits by its verdict
    statuses = {item["id"]: item for item in data["results"]}
    # not reachable from here: the default vendor server; not given: a signed contract
    offline = {"vendor.reachable", "clock.skew", "warranty.coverage"}
    for check_id, item in statuses.items():
        if check_id in offline:
            continue
        assert item["status"] in ("ok", "skipped"), (check_id, item["summary"])
        if item["status"] == "skipped":
            assert item["summary"].startswith("Bỏ qua")
    assert statuses["system.resources"]["status"] == "ok"  # the injected quiet machine, not the busy CI box
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_check_reads_the_injected_clock_in_the_shops_zone(tmp_path: Path) -> None:
    """10:30 in Hà Nội is trading hours (08:00-20:00): the demo shop has no POS process running, which is critical.

    The same instant written in UTC must give the same answer: the shop's hours are shop time, not the PC's.
    """
    shop = run("demo-shop", str(tmp_path / "shop"), "--today", DEMO_TODAY.isoformat())
    settings = json.loads(shop.stdout)["settings"]
    morning = dt.datetime.combine(DEMO_TODAY, dt.time(10, 30), tzinfo=SHOP_TZ).astimezone(dt.UTC)
    result = run_in_fixed_world(morning, "--config", settings, "check", "--json")
    data = json.loads(result.stdout)
    process = next(item for item in data["results"] if item["id"] == "pos.process")
    assert process["status"] == "critical", process["summary"]
    assert data["verdict"] == "critical" and result.returncode == 2


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
    for language, marker in (("zpl", b"^XA"), ("tspl", b"SIZE"), ("ezpl", b"^Q"), ("pdf", b"%PDF"),
                             ("png", b"\x89PNG")):
        out = tmp_path / f"tem.{language}"
        result = run("label", "--lang", language, "--dpi", "300", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert marker in out.read_bytes()[:200]
    # The demo shop's long code: Code 128 does not fit the rat-tail head at 203 dpi, so a DataMatrix, said so.
    long_code = run("label", "--lang", "zpl", "--item-code", "PMV999900001", "--out", str(tmp_path / "dm.zpl"))
    assert long_code.returncode == 0 and "lưu ý: Mã dài: in mã 2D DataMatrix" in long_code.stderr
    assert b"^BXN,2,200,14,14,,_" in (tmp_path / "dm.zpl").read_bytes()
    # A template asking for Code 128 only refuses it.
    from app.devices.labels.model import templates_dir

    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    (tmp_path / "c128.json").write_text(json.dumps({**data, "symbology": "code128"}), encoding="utf-8")
    refused = run("label", "--lang", "zpl", "--item-code", "PMV75000001", "--template", str(tmp_path / "c128.json"),
                  "--out", str(tmp_path / "x.zpl"))
    assert refused.returncode == 1 and "Không in: mã quá dài so với đầu tem" in refused.stderr
    assert not (tmp_path / "x.zpl").exists()  # nothing written for a tag that would not scan


def test_label_count_writes_a_run_of_numbered_tags_in_one_job(tmp_path: Path) -> None:
    out = tmp_path / "run.tspl"
    result = run("label", "--lang", "tspl", "--item-code", "75000098", "--count", "40", "--out", str(out))
    assert result.returncode == 0, result.stderr
    job = out.read_bytes().decode("latin-1")  # ASCII commands around binary BITMAP payloads (Vietnamese lines)
    assert job.count("SIZE ") == 40
    positions = [job.index(f'"{75000098 + n}"') for n in range(40)]  # every code's barcode, in counting order
    assert positions == sorted(positions)
    for argv, error in ((["--lang", "pdf", "--count", "3"], "Loạt tem (--count) là lệnh cho máy in"),
                        (["--lang", "zpl", "--item-code", "NHAN", "--count", "3"],
                         "mã hàng (--item-code) phải kết thúc bằng chữ số"),
                        (["--lang", "zpl", "--count", "1001"], "số tem (--count) phải trong khoảng 1–1000")):
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
    assert dead.returncode == 1 and f"Không in được tới tcp://127.0.0.1:{port}: máy in từ chối kết nối" in dead.stderr


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
    assert bad.returncode == 1 and f"{unwritable} là một tệp, không phải thư mục" in bad.stderr


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
    from app.cli.parser import build_parser
    from app.cli.parser import is_gui_start as _is_gui_start

    argv = ["--config", "check", "--lang", "en", "--screenshot", "x.png", "--page", "devices", "--first-paint",
            "--minimized", "--no-err-windows", "--demo"]  # "check" here is a settings file's name, not a command
    assert _is_gui_start(argv)
    assert vars(build_parser(commands=False).parse_args(argv)) == vars(build_parser().parse_args(argv))
    for not_gui in (["check"], ["--config", "x.toml", "chek"], ["--help"], ["--he"], ["-h"],
                    ["agent", "--config", "x"]):
        assert not _is_gui_start(not_gui), not_gui


def test_check_json_exits_by_the_verdict_as_nagios_does(tmp_path: Path) -> None:
    import sqlite3

    shop = json.loads(run("demo-shop", str(tmp_path / "shop"), "--today", "2026-11-25").stdout)
    with sqlite3.connect(shop["pos_database"]) as conn:
        conn.execute("UPDATE gold_prices SET sell_vnd_per_chi = 1 WHERE purity_code = '9999'")
    as_json = run("--config", shop["settings"], "check", "--json", timeout=120)
    as_nagios = run("--config", shop["settings"], "check", "--nagios", timeout=120)
    assert json.loads(as_json.stdout)["verdict"] == "critical"
    assert as_json.returncode == as_nagios.returncode == 2  # CRITICAL (README: exit codes)


def test_a_settings_warning_is_printed_once_in_the_settings_language(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('language = "en"\nfoo = 1\n', encoding="utf-8")
    result = run("--config", str(settings), "updates", "list")
    assert result.returncode == 0 and json.loads(result.stdout) == []
    assert result.stderr == (f"pmv-support: warning: {settings}: unknown key “foo” ignored (perhaps a typo). "
                             "Fix the file.\n")


def test_lang_goes_before_or_after_the_sub_command_and_label_keeps_its_own() -> None:
    from app.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["check", "--lang", "en"]).lang == "en"
    assert parser.parse_args(["--lang", "en", "updates", "list"]).lang == "en"
    assert parser.parse_args(["updates", "list", "--lang", "en"]).lang == "en"
    assert parser.parse_args(["check"]).lang is None
    both = parser.parse_args(["--lang", "en", "label", "--lang", "zpl", "--out", "x.zpl"])
    assert (both.lang, both.label_lang) == ("en", "zpl")


def test_rollback_without_an_earlier_version_or_of_an_unknown_pack_is_one_line(app_home: Path) -> None:
    from app.infra.resources import resources_dir
    from app.updates.install import PackStore

    pack = json.loads((resources_dir() / "regulation" / "nd-232-2025.json").read_text(encoding="utf-8"))
    store = PackStore(app_home / "data" / "updates")
    store.install(json.dumps({**pack, "version": "1.0.0"}).encode("utf-8"))
    only_one = run("updates", "rollback", "nd-232-2025")
    assert only_one.returncode == 1 and only_one.stderr.count("\n") == 1
    assert "Gói quy định 'nd-232-2025' không có bản trước để quay lại" in only_one.stderr
    unknown = run("--lang", "en", "updates", "rollback", "no-such-pack")
    assert unknown.returncode == 1
    assert unknown.stderr == ("pmv-support: error: The regulation pack 'no-such-pack' is not installed; see the "
                              "installed packs with: pmv-support updates list.\n")
    store.install(json.dumps({**pack, "version": "1.1.0"}).encode("utf-8"))
    back = run("updates", "rollback", "nd-232-2025")
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["version"] == "1.0.0" and store.current("nd-232-2025").version == "1.0.0"


def test_an_update_failure_is_said_once_from_its_kind_never_from_its_text() -> None:
    from app.cli.updates import update_failure
    from app.cli_texts import say
    from app.updates.targets import UpdateError, UpdateErrorKind

    error = UpdateError(UpdateErrorKind.SECURITY, "security: security: BadVersionNumberError: expected 3, got 2")
    text = say(update_failure(error).message, "vi")
    assert text.startswith("Bản cập nhật không có chữ ký hợp lệ của nhà cung cấp")
    assert "security" not in text and "BadVersion" not in text and text.count("không cài gì") == 1


def test_a_refused_contract_with_none_before_does_not_claim_one_stays(tmp_path: Path) -> None:
    garbage = tmp_path / "hop-dong.json"
    garbage.write_bytes(b"\x00not json")
    result = run("warranty", "--import", str(garbage))
    assert result.returncode == 1
    assert result.stderr == (f"pmv-support: lỗi: Không nhận hợp đồng trong {garbage}: tệp này không phải là hợp đồng "
                             "của Phần Mềm Vàng. Máy này vẫn chưa có hợp đồng; hãy xin nhà cung cấp tệp đúng hoặc "
                             "gọi 1900 6037.\n")


def test_the_test_sheet_is_a_pdf_under_a_pdf_name_or_refused(tmp_path: Path) -> None:
    refused = run("devices", "test-sheet", str(tmp_path / "t.png"))
    assert refused.returncode == 1 and "Tờ mã thử chỉ ghi dạng PDF" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    written = run("devices", "test-sheet", str(tmp_path / "To-ma-thu.PDF"))
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "To-ma-thu.PDF").read_bytes().startswith(b"%PDF")


def test_check_prints_its_results_when_the_history_cannot_be_written(tmp_path: Path, app_paths) -> None:  # type: ignore[no-untyped-def]
    """Another program holds the app database's write lock (a real SQLite lock): ``check`` still prints what it
    found, and says on stderr, in words, that the run was not kept (it said "Lỗi ngoài dự kiến
    (OperationalError)" and printed nothing)."""
    import sqlite3

    from app.storage.db import Database

    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    Database.open(app_paths.database_file)[0].close()  # the app's database, as a first start leaves it
    other = sqlite3.connect(app_paths.database_file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        result = run("--config", shop["settings"], "check", "--json", timeout=120)
    finally:
        other.close()
    data = json.loads(result.stdout)
    assert len(data["results"]) >= 17 and result.returncode in (0, 1, 2)  # the verdict's code, not a failure's
    warning = result.stderr.strip().splitlines()[-1]
    assert warning.startswith("pmv-support: cảnh báo: Kết quả kiểm tra ở trên chưa được lưu vào lịch sử.")
    assert "đang bị chương trình khác giữ" in warning and str(app_paths.database_file) in warning
    assert "OperationalError" not in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_database_found_by_the_command_line_is_said_and_kept(tmp_path: Path, app_paths) -> None:  # type: ignore[no-untyped-def]
    """The command works on a fresh database, says on stderr where the damaged one was kept, and leaves the
    notice for the window (it said nothing at all)."""
    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    Path(app_paths.database_file).write_bytes(b"\x00garbage" * 5000)
    result = run("--config", shop["settings"], "check", "--json", timeout=120)
    assert json.loads(result.stdout)["results"]
    (warning,) = [line for line in result.stderr.splitlines() if "bị hỏng" in line]
    assert warning.startswith("pmv-support: cảnh báo: Cơ sở dữ liệu của phần mềm bị hỏng nên đã được tạo mới")
    kept = next(app_paths.database_file.parent.glob(app_paths.database_file.name + ".corrupt-*"))
    assert str(kept) in warning and kept.read_bytes() == b"\x00garbage" * 5000
    again = run("--config", shop["settings"], "check", "--json", timeout=120)  # no window yet: still said
    assert str(kept) in again.stderr


def test_a_failed_refresh_with_no_saved_contract_is_one_clear_error(tmp_path: Path) -> None:
    """No shop token and no contract yet: one error naming why and what to do.  It warned "using the saved
    contract", then failed with "run again with --refresh", the very command just run."""
    shop = json.loads(run("demo-shop", str(tmp_path / "shop")).stdout)
    result = run("--config", shop["settings"], "warranty", "--refresh")
    assert result.returncode != 0 and result.stdout == ""
    (said,) = [line for line in result.stderr.splitlines() if line.startswith("pmv-support:")]
    assert said.startswith("pmv-support: lỗi: Không lấy được hợp đồng từ máy chủ: máy này chưa được cài mã kết nối")
    assert "--import" in said and "1900 6037" in said and "đã lưu" not in said
