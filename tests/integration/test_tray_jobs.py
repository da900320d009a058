"""``pmv-support tray-jobs``: the tray's job process, run for real against the real vendor server.

At logon the tray runs its jobs in these processes (app/ui/tray_jobs.py) so
that the tray itself never holds the data layer; each must do the work the
app's own agent does and report what the tray shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.background.jobs import agent_lock
from app.bootstrap import bootstrap
from app.infra.paths import AppPaths
from app.shop.demo import DemoShop
from app.support.models import Category, Channel, NewRequest, Severity
from app.support.service import raise_request
from app.updates.app_swap import handover_file, started_file
from tests.integration.conftest import VendorServer
from vendor_server.db import VendorDatabase
from vendor_server.tickets import update_ticket

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
NEW = NewRequest(Category.INCIDENT, Severity.HIGH, "Máy in hóa đơn không in", "Bấm in không ra giấy",
                 "Chị Lan", "+84903112233", Channel.PHONE)
TRAY_PID = 424242  # stands for the tray process: the job process only writes it down


@pytest.fixture
def shop(demo_shop: DemoShop, vendor_server: VendorServer, app_paths: AppPaths) -> Path:
    """The demo shop's settings pointing at the real vendor server, with the shop's token."""
    settings = demo_shop.settings_file
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('base_url = "https://support.phanmemvang.vn"',
                                     f'base_url = "{vendor_server.base_url}"'), encoding="utf-8")
    token = vendor_server.add_shop(_shop_id(settings), "Tiệm vàng Kim Phát")
    secret = app_paths.data_dir / "secrets" / "shop-token"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(token + "\n", encoding="utf-8")
    return settings


def _shop_id(settings: Path) -> str:
    import tomllib

    return str(tomllib.loads(settings.read_text(encoding="utf-8"))["shop"]["shop_id"])


def _queue_request(settings: Path, app_paths: AppPaths) -> str:
    runtime = bootstrap(settings, paths=app_paths, install_crash_handler=False)
    try:
        request = raise_request(runtime.support, NEW, contract=None, calendar=runtime.working_calendar(),
                                opened_at=dt.datetime.now(dt.UTC))
        return request.id
    finally:
        runtime.close()


def tray_jobs(settings: Path, report: Path, *jobs: str, first: bool = False,
              extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess[str], dict]:
    command = [sys.executable, "-m", "app", "--config", str(settings), "tray-jobs", *jobs, "--report", str(report),
               "--tray-pid", str(TRAY_PID), *extra] + (["--first"] if first else [])
    done = subprocess.run(command, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120)
    loaded = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return done, loaded


def test_the_job_process_delivers_polls_and_reports_what_the_tray_needs(
        shop: Path, app_paths: AppPaths, vendor_server: VendorServer, tmp_path: Path) -> None:
    _queue_request(shop, app_paths)
    done, report = tray_jobs(shop, tmp_path / "r1.json", "deliver", "poll", "health", "warranty", first=True)
    assert done.returncode == 0, done.stderr
    assert report["delivered"] == {"sent": 1, "failed": 0}
    assert report["schedule"]["waiting_requests"] == 1  # sent, not resolved: the tray polls every 2 minutes
    assert report["schedule"]["next_delivery_in"] is None  # nothing left to send: the outbox is not visited
    assert report["health"]["verdict"] in ("ok", "warning", "critical")
    assert report["errors"] == {}
    # The update helper's start signal names the tray's process, not this short-lived one.
    assert json.loads(started_file(app_paths.data_dir).read_text(encoding="utf-8"))["pid"] == TRAY_PID
    assert Path(report["log_dir"], "pmv-support-jobs.log").is_file()

    number = _ticket_number(app_paths)
    update_ticket(VendorDatabase(vendor_server.db_url), number, status="solution_proposed", solution_kind="remote",
                  solution_text="Thay cuộn giấy in mới.")
    done, report = tray_jobs(shop, tmp_path / "r2.json", "poll")
    assert done.returncode == 0, done.stderr
    (change,) = report["status_changes"]
    assert change["new"] == "solution_proposed" and change["ticket_number"] == number
    assert change["solution_text"] == "Thay cuộn giấy in mới."
    done, report = tray_jobs(shop, tmp_path / "r3.json", "poll")
    assert report["status_changes"] == []  # told once


def _ticket_number(app_paths: AppPaths) -> str:
    with sqlite3.connect(app_paths.database_file) as connection:
        (number,) = connection.execute("SELECT ticket_number FROM support_requests").fetchone()
    return str(number)


def test_while_another_process_runs_the_jobs_they_are_skipped(shop: Path, app_paths: AppPaths,
                                                              tmp_path: Path) -> None:
    _queue_request(shop, app_paths)
    lock = agent_lock(app_paths.data_dir)  # as a headless agent, or a window that loaded its data, holds it
    assert lock is not None
    try:
        done, report = tray_jobs(shop, tmp_path / "r.json", "deliver", "health")
    finally:
        lock.release()
    assert done.returncode == 0, done.stderr
    assert report["skipped"] == "agent elsewhere"
    assert "delivered" not in report and "health" not in report


def test_when_the_update_helper_waits_for_the_window_the_first_run_only_says_so(
        shop: Path, app_paths: AppPaths, tmp_path: Path) -> None:
    handover_file(app_paths.data_dir).parent.mkdir(parents=True, exist_ok=True)
    handover_file(app_paths.data_dir).write_text("{}", encoding="utf-8")
    done, report = tray_jobs(shop, tmp_path / "r.json", "health", first=True)
    assert done.returncode == 0, done.stderr
    assert report["handover_waiting"] is True
    assert "health" not in report
    assert not started_file(app_paths.data_dir).exists()  # sent once the window has built (app/ui/startup.py)


def test_a_database_from_a_newer_version_is_reported_and_left_untouched(
        shop: Path, app_paths: AppPaths, tmp_path: Path) -> None:
    _queue_request(shop, app_paths)
    with sqlite3.connect(app_paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    before = _dump(app_paths.database_file)
    done, report = tray_jobs(shop, tmp_path / "r.json", "deliver")
    assert done.returncode == 1
    assert "newer" in report["fatal"].lower()
    assert _dump(app_paths.database_file) == before


def _dump(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return list(connection.iterdump())


def test_a_malformed_relaunch_list_is_refused(shop: Path, tmp_path: Path) -> None:
    done, report = tray_jobs(shop, tmp_path / "r.json", "health", extra=("--relaunch", "not json"))
    assert done.returncode == 1
    assert "--relaunch phải là một danh sách JSON" in done.stderr
    assert report == {}


def test_a_damaged_database_is_reported_once_and_kept_for_the_window(
        shop: Path, app_paths: AppPaths, tmp_path: Path) -> None:
    """The tray's job process is often first to open the database at logon: it reports the recovery (the tray
    notifies), and the window that opens later still has the notice to show."""
    from app.storage.errors import NoticeKind

    app_paths.database_file.write_bytes(b"not a database " * 3000)
    done, report = tray_jobs(shop, tmp_path / "r.json", "health")
    assert done.returncode == 0, done.stderr
    kept = Path(report["recovered_database"])
    assert kept.read_bytes() == b"not a database " * 3000
    _done, again = tray_jobs(shop, tmp_path / "r2.json", "health")
    assert "recovered_database" not in again  # the tray said it once
    window = bootstrap(shop, paths=app_paths, install_crash_handler=False)
    try:
        assert [(n.kind, n.path, n.new) for n in window.storage_notices] == [
            (NoticeKind.RECOVERED_FROM_CORRUPT, kept, False)]
    finally:
        window.close()
