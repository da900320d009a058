from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.health.model import Category, CheckResult, HealthReport, Metric, Status
from app.health.output import nagios, to_json
from app.health.report_pdf import write_report
from app.infra.settings import ShopSettings
from app.storage.check_history import CheckHistory
from app.storage.db import Database
from app.storage.tables import CheckResultRow

T0 = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
TITLES = {"disk.free": "Dung lượng ổ đĩa", "backup.age": "Sao lưu dữ liệu", "printers.reachable": "Máy in"}


def report(statuses: dict[str, Status], at: dt.datetime = T0) -> HealthReport:
    results = tuple(
        CheckResult(check_id, status, f"{TITLES[check_id]}: {status.value}", "chi tiết",
                    "disk.cleanup" if status is not Status.OK else None,
                    (Metric("free_gb", 1.5, "GB", warn=2, crit=1),) if check_id == "disk.free" else (), 12)
        for check_id, status in statuses.items()
    )
    return HealthReport(at, at + dt.timedelta(seconds=2), results, TITLES)


def test_json_has_stable_fields_and_the_fix_steps() -> None:
    data = json.loads(to_json(report({"disk.free": Status.WARNING, "backup.age": Status.OK}),
                              {"disk.cleanup": "1. Xóa tệp tạm."}))
    assert data["verdict"] == "warning"
    first = data["results"][0]
    assert set(first) >= {"id", "status", "summary", "details", "remedy", "metrics", "duration_ms"}
    assert first["remedy"] == {"code": "disk.cleanup", "steps": "1. Xóa tệp tạm."}
    assert first["metrics"][0] == {"name": "free_gb", "value": 1.5, "unit": "GB", "warn": 2, "crit": 1}
    assert data["results"][1]["remedy"] is None


@pytest.mark.parametrize(
    "statuses, code, state",
    [
        ({"disk.free": Status.OK, "backup.age": Status.SKIPPED}, 0, "OK"),
        ({"disk.free": Status.WARNING, "backup.age": Status.OK}, 1, "WARNING"),
        ({"disk.free": Status.WARNING, "backup.age": Status.CRITICAL}, 2, "CRITICAL"),
        ({"disk.free": Status.UNKNOWN, "backup.age": Status.OK}, 3, "UNKNOWN"),
    ],
)
def test_nagios_line_and_exit_code(statuses, code, state) -> None:
    line, exit_code = nagios(report(statuses))
    assert exit_code == code
    assert line.startswith(f"PMV {state} - ")
    # The thresholds' ranges, and which are left out, are tested in test_output_nagios.py.
    assert line.count("|") == 1 and "'disk.free.free_gb'=1.5GB;" in line
    assert "\n" not in line


def test_history_knows_since_when_each_check_has_its_state(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    history = CheckHistory(db)
    assert history.last_verdict() is None
    runs = [Status.OK, Status.WARNING, Status.WARNING, Status.CRITICAL]
    for hours, status in enumerate(runs):
        history.record(report({"disk.free": status, "backup.age": Status.OK}, T0 + dt.timedelta(hours=hours)))
    states = history.states()
    assert states["disk.free"].status is Status.CRITICAL
    assert states["disk.free"].since == T0 + dt.timedelta(hours=3, seconds=2)
    assert states["backup.age"].since == T0 + dt.timedelta(seconds=2)  # ok all along
    assert history.last_verdict() is Status.CRITICAL
    history.record(report({"disk.free": Status.WARNING, "backup.age": Status.OK}, T0 + dt.timedelta(hours=4)))
    history.record(report({"disk.free": Status.WARNING, "backup.age": Status.OK}, T0 + dt.timedelta(hours=5)))
    assert history.states()["disk.free"].since == T0 + dt.timedelta(hours=4, seconds=2)
    db.close()


def test_one_run_under_a_clock_a_year_ahead_neither_erases_the_history_nor_hides_the_runs_after_it(
        tmp_path: Path) -> None:
    # A till whose CMOS clock jumped ahead (or a year typed wrong) runs the checks once, then the clock is put
    # right. The history was pruned against that run's time (two weeks of half-hourly runs went at once) and the
    # "latest" run was the one with the greatest time, so the OK of 2027 hid every real result after it.
    db, _ = Database.open(tmp_path / "app.sqlite3")
    history = CheckHistory(db)
    half_hour = dt.timedelta(minutes=30)
    for run in range(672):  # two weeks at the default interval
        history.record(report({"backup.age": Status.OK}, T0 + run * half_hour))
    history.record(report({"backup.age": Status.OK}, T0 + dt.timedelta(days=365)))
    history.record(report({"backup.age": Status.CRITICAL}, T0 + 672 * half_hour))
    latest = history.latest_run()
    assert latest is not None and latest.run_at == T0 + 672 * half_hour + dt.timedelta(seconds=2)
    assert [r.status for r in latest.results] == [Status.CRITICAL]
    assert history.last_verdict() is Status.CRITICAL
    assert history.states()["backup.age"].status is Status.CRITICAL
    with db.read() as session:
        kept = session.scalar(select(func.count()).select_from(CheckResultRow))
    assert kept >= 672  # at most a couple of runs went with the year-ahead one
    # What is 90 days older than a run is still pruned, a couple of runs a record: the steady state keeps up.
    for run in range(5):
        history.record(report({"backup.age": Status.OK}, T0 + dt.timedelta(days=91) + run * half_hour))
    with db.read() as session:
        oldest = session.scalar(select(func.min(CheckResultRow.run_at)))
    assert oldest is not None and oldest > T0 + 4 * half_hour
    db.close()


def test_pdf_report_is_readable_and_vietnamese(tmp_path: Path) -> None:
    target = write_report(report({"disk.free": Status.CRITICAL, "backup.age": Status.OK,
                                  "printers.reachable": Status.SKIPPED}),
                          ShopSettings(name="Tiệm vàng Kim Phát", shop_id="KP-0001"),
                          {"disk.free": Category.SYSTEM, "backup.age": Category.BACKUP,
                           "printers.reachable": Category.DEVICES},
                          {"disk.cleanup": "1. Xóa các tệp tạm trong thư mục Tải về."}, tmp_path / "r.pdf")
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True).stdout
    for expected in ("BÁO CÁO KIỂM TRA HỆ THỐNG", "Tiệm vàng Kim Phát", "Cần xử lý ngay", "Dung lượng ổ đĩa",
                     "Nghiêm trọng", "Bỏ qua", "Cách khắc phục", "Xóa các tệp tạm", "1900 6037"):
        assert expected in text


def test_a_pdf_report_is_written_whatever_the_length_of_a_summary(tmp_path: Path) -> None:
    # A summary taller than a page made reportlab raise LayoutError: no report, and no diagnostics for a
    # support request. 20,000 characters with and without spaces (a log line of XML or base64).
    for text in ("Lỗi " * 5_000, "x" * 20_000):
        result = CheckResult("disk.free", Status.CRITICAL, text, "", None, (), 1)
        target = write_report(HealthReport(T0, T0, (result,), TITLES), ShopSettings(name="Kim Phát", shop_id="KP"),
                              {"disk.free": Category.SYSTEM}, {}, tmp_path / "long.pdf")
        assert target.read_bytes().startswith(b"%PDF")
        if shutil.which("pdftotext") is not None:
            shown = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
            assert "…" in shown and "1900 6037" in shown
