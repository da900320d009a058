"""The tray at logon: jobs in real short-lived processes, their reports on the tray, the data loaded on demand."""

from __future__ import annotations

import datetime as dt
import gc
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import app.ui.startup as startup_module
from app.background.schedule import RETRY_AFTER
from app.cli import build_parser
from app.infra.paths import AppPaths
from app.shop.demo import DemoShop
from app.ui.levels import Level
from app.ui.startup import Startup
from app.ui.support.time_texts import visit_slot_text
from app.ui.tray import Tray
from app.ui.tray_jobs import TrayJobs
from app.updates.app_swap import started_file
from pmv_protocol.thread import VisitSlot
from tests.gui.languages import english_installed


def _jobs(qapp: QApplication, *argv: str) -> TrayJobs:
    tray = Tray()
    return TrayJobs(tray, build_parser().parse_args(["--minimized", *argv]), tray)


def _reporting(qapp: QApplication) -> TrayJobs:
    """Jobs that take reports handed to them and start no process of their own."""
    jobs = _jobs(qapp)
    jobs._first = False  # as after the first run
    jobs.stop()
    return jobs


def test_a_report_becomes_the_tray_colour_and_its_notifications(qapp: QApplication) -> None:
    jobs = _reporting(qapp)
    report = {
        "health": {"verdict": "critical", "became_critical": True, "critical_titles": ["Sao lưu dữ liệu"]},
        "status_changes": [
            {"ticket_number": "PMV-2611-0007", "title": "Máy in", "new": "solution_proposed",
             "solution_text": "Thay cuộn giấy."},
            {"ticket_number": "PMV-2611-0008", "title": "Máy quét", "new": "in_progress", "solution_text": None},
        ],
        "updates": {"app_staged": "0.2.0", "installed": [{"pack_id": "vat-rules", "version": "2026.12"}]},
        "reminder_days": 7,
        "schedule": {"health_minutes": 30, "update_hours": 6, "waiting_requests": 2, "next_delivery_in": None},
    }
    jobs.finished.emit(["health", "poll", "updates", "warranty"], report)
    assert jobs.tray.level is Level.CRITICAL
    titles = [note.title for note in reversed(jobs.notifier.history)]
    assert titles == [
        "Máy bán hàng cần xử lý ngay",
        "Đã có phương án cho yêu cầu PMV-2611-0007",  # "in progress" is not worth a notification
        "Có bản phần mềm mới",
        "Đã cài gói quy định mới",
        "Bảo hành/bảo trì sắp hết hạn",
    ]
    assert "Sao lưu dữ liệu" in jobs.notifier.history[-1].message
    # Two requests wait on the vendor: their status is asked every two minutes.
    poll_at = jobs.schedule.next["poll"]
    assert poll_at is not None and poll_at - time.time() == pytest.approx(120, abs=5)


def test_a_visit_reminder_from_a_report_reads_as_the_windows(qapp: QApplication) -> None:
    """The job process hands the slot over as plain strings; the tray words it as the window words a VisitSlot."""
    jobs = _reporting(qapp)
    slot = VisitSlot(dt.date(2026, 12, 7), dt.time(14, 0), dt.time(16, 0), "Trần Minh")
    jobs.finished.emit(["poll"], {"visit_reminders": [{"kind": "day_before", "number": "YC-2026-000012", "slot": {
        "day": "2026-12-07", "start": "14:00", "end": "16:00", "technician": "Trần Minh"}}]})
    note = jobs.notifier.history[0]  # newest first
    assert note.title == "Ngày mai kỹ thuật viên đến cửa hàng"
    assert note.message == "Yêu cầu YC-2026-000012: " + visit_slot_text(slot)
    assert visit_slot_text(slot) == "Thứ Hai, 07/12/2026, 14:00–16:00, kỹ thuật viên Trần Minh"  # 07/12/2026: a Monday
    jobs.finished.emit(["poll"], {"visit_reminders": [{"kind": "hour_before", "number": "YC-2026-000012",
                                                       "slot": {"day": "not a day"}}]})
    assert jobs.notifier.history[0].message == "Yêu cầu YC-2026-000012: not a day"  # still names the request


def test_a_damaged_database_found_by_a_job_is_notified(qapp: QApplication) -> None:
    jobs = _reporting(qapp)
    jobs.finished.emit(["health"], {"recovered_database": "/data/pmv-support.sqlite3.corrupt-20261207-090000"})
    note = jobs.notifier.history[0]
    assert note.level is Level.CRITICAL and note.title == "Dữ liệu của ứng dụng đã được tạo mới"
    assert "/data/pmv-support.sqlite3.corrupt-20261207-090000" in note.message and "1900 6037" in note.message


def test_a_verdict_that_stays_critical_changes_the_colour_without_a_new_notification(qapp: QApplication) -> None:
    jobs = _reporting(qapp)
    jobs.finished.emit(["health"], {"health": {"verdict": "warning", "became_critical": False}})
    assert jobs.tray.level is Level.WARNING
    jobs.finished.emit(["health"], {"health": {"verdict": "critical", "became_critical": False}})
    assert jobs.tray.level is Level.CRITICAL and jobs.notifier.history == []
    assert not jobs.is_running()


def test_the_first_run_happens_in_a_real_process_and_sends_the_start_signal_for_the_tray(
        qapp: QApplication, qtbot, demo_shop: DemoShop, app_paths: AppPaths) -> None:
    jobs = _jobs(qapp, "--config", str(demo_shop.settings_file))
    with qtbot.waitSignal(jobs.finished, timeout=90_000) as finished:
        jobs.start()
        assert jobs.is_running()
    ran, report = finished.args
    jobs.stop()
    assert report is not None and set(ran) >= {"health", "poll", "deliver", "warranty"}
    assert report["health"]["verdict"] in ("ok", "warning", "critical")
    assert jobs.tray.level is {"ok": Level.OK, "warning": Level.WARNING, "critical": Level.CRITICAL}[
        report["health"]["verdict"]]
    assert jobs.started_signalled
    import json
    import os

    assert json.loads(started_file(app_paths.data_dir).read_text(encoding="utf-8"))["pid"] == os.getpid()
    health_at = jobs.schedule.next["health"]
    assert health_at is not None and health_at - time.time() == pytest.approx(30 * 60, abs=120)


def test_a_process_that_leaves_no_report_is_tried_again_later(qapp: QApplication, qtbot, tmp_path: Path) -> None:
    broken = tmp_path / "gone.toml"  # the settings file vanished: the command stops with an error, no report
    jobs = _jobs(qapp, "--config", str(broken))
    with qtbot.waitSignal(jobs.finished, timeout=60_000) as finished:
        jobs.start()
    ran, report = finished.args
    jobs.stop()
    assert report is None
    for job in ran:
        at = jobs.schedule.next[job]
        assert at is not None and at - time.time() == pytest.approx(RETRY_AFTER, abs=30)


def test_a_process_stopped_mid_way_still_hands_over_its_report_so_far(tmp_path: Path) -> None:
    # Found by the review of the background jobs: a process past the time limit gave no report at all, so the
    # alarm its checks had raised (stored, and said only once) was never shown.
    import sys

    from app.ui.tray_jobs import run_job_process

    script = ("import json, sys, time\n"
              "open(sys.argv[1], 'w').write(json.dumps({'done': ['health'], 'health': {'verdict': 'critical'}}))\n"
              "time.sleep(60)\n")
    report = run_job_process(lambda path: [sys.executable, "-c", script, str(path)], timeout=3)
    assert report == {"done": ["health"], "health": {"verdict": "critical"}}


def test_only_the_jobs_a_stopped_process_did_not_finish_are_tried_again(qapp: QApplication) -> None:
    jobs = _reporting(qapp)
    report = {"done": ["health"], "errors": {},
              "health": {"verdict": "critical", "became_critical": True, "critical_titles": ["Sao lưu dữ liệu"]}}
    jobs.finished.emit(["health", "updates"], report)
    assert jobs.tray.level is Level.CRITICAL
    assert [note.title for note in jobs.notifier.history] == ["Máy bán hàng cần xử lý ngay"]
    health_at, updates_at = jobs.schedule.next["health"], jobs.schedule.next["updates"]
    assert health_at is not None and health_at - time.time() == pytest.approx(30 * 60, abs=60)  # its own period
    assert updates_at is not None and updates_at - time.time() == pytest.approx(RETRY_AFTER, abs=30)


def test_stopping_waits_for_the_running_process_before_handing_over(qapp: QApplication, qtbot,
                                                                    demo_shop: DemoShop) -> None:
    jobs = _jobs(qapp, "--config", str(demo_shop.settings_file))
    handed: list[bool] = []
    with qtbot.waitSignal(jobs.finished, timeout=90_000):
        jobs.start()
        jobs.stop(then=lambda: handed.append(jobs.is_running()))
        assert handed == []  # the process holds the agent lock: the app's agent must not start yet
    assert handed == [False]
    assert not jobs._timer.isActive()  # nothing more is planned


def test_at_logon_the_data_loads_only_when_the_window_is_wanted(
        qapp: QApplication, demo_shop: DemoShop, monkeypatch: pytest.MonkeyPatch) -> None:
    # Offscreen Qt has no system tray; the tray icon itself is real, only its availability is assumed.
    monkeypatch.setattr(startup_module, "_tray_available", lambda: True)
    args = build_parser().parse_args(["--no-err-windows", "--minimized", "--config", str(demo_shop.settings_file)])
    startup = Startup(qapp, args, instance=None)
    seen: dict[str, object] = {}

    def after_first_jobs(_jobs: object, report: object) -> None:
        seen["report"] = report is not None
        seen["loader before the window"] = startup._thread is not None
        seen["frame before the window"] = startup.frame is not None
        startup._bring_forward()  # as a click on the tray icon

    def poll() -> None:
        app = startup.app
        if app is None or app.runner.is_busy() or not app.agent._scheduler.running:
            QTimer.singleShot(20, poll)
            return
        seen["jobs stopped"] = not startup.jobs.is_running() and startup.jobs._stopped  # type: ignore[union-attr]
        seen["window"] = app.window is not None and app.window.isVisible()
        seen["agent"] = app.agent_lock is not None
        app.agent.shutdown()
        qapp.exit(0)

    QTimer.singleShot(0, lambda: startup.jobs.finished.connect(after_first_jobs))  # type: ignore[union-attr]
    QTimer.singleShot(0, poll)
    try:
        status = startup.run()
    finally:
        gc.unfreeze()
        if startup.app is not None and startup.app.window is not None:
            startup.app.window.hide_on_close = False
            startup.app.window.close()
        if startup.tray is not None:
            startup.tray.hide()
    assert status == 0
    assert seen == {"report": True, "loader before the window": False, "frame before the window": False,
                    "jobs stopped": True, "window": True, "agent": True}


def test_the_tray_speaks_english_when_the_shop_chose_it(qapp: QApplication) -> None:
    with english_installed(qapp):
        jobs = _reporting(qapp)
        jobs.finished.emit(["warranty"], {"reminder_days": 1})
        (note,) = jobs.notifier.history
        assert (note.title, note.level) == ("Warranty/maintenance ending soon", Level.CRITICAL)
        assert note.message == "The shop's support coverage ends tomorrow. Renew maintenance or call 1900 6037."
        jobs.finished.emit(["warranty"], {"reminder_days": 0})  # the last day covered: not "tomorrow"
        note = jobs.notifier.history[0]  # newest first
        assert note.message == "Today is the last day of the shop's support coverage. Renew maintenance or call " \
                               "1900 6037."


def test_at_logon_a_database_the_app_cannot_use_is_said_in_vietnamese_and_left_untouched(
        qapp: QApplication, demo_shop: DemoShop, app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    from app.storage.db import Database

    db, _ = Database.open(app_paths.database_file)
    db.close()
    with sqlite3.connect(app_paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")  # written by a newer version
    with sqlite3.connect(app_paths.database_file) as connection:
        before = list(connection.iterdump())
    monkeypatch.setattr(startup_module, "_tray_available", lambda: True)
    # A till PC has a screen: the dialog is shown there (offscreen, the app never opens one nobody can close).
    monkeypatch.setattr(startup_module, "HEADLESS_PLATFORMS", ())
    said: list[str] = []
    # The modal dialog itself cannot be clicked away in a test: its text is what is checked.
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    args = build_parser().parse_args(["--minimized", "--config", str(demo_shop.settings_file)])
    startup = Startup(qapp, args, instance=None)
    try:
        status = startup.run()  # the first job process reports the database; the loader says it; the app exits 1
    finally:
        gc.unfreeze()
        if startup.tray is not None:
            startup.tray.hide()
    assert status == 1
    (text,) = said
    assert text.startswith("Dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng. Hãy cài lại bản mới nhất; "
                           "dữ liệu không bị thay đổi.")
    assert "1900 6037" in text
    with sqlite3.connect(app_paths.database_file) as connection:
        assert list(connection.iterdump()) == before


def test_in_english_a_critical_run_names_its_checks_in_english(qapp: QApplication) -> None:
    """The job process writes the checks' Vietnamese titles and their ids; the tray names them in the interface
    language (English showed "Sao lưu dữ liệu")."""
    with english_installed(qapp):
        jobs = _reporting(qapp)
        jobs.finished.emit(["health"], {"health": {"verdict": "critical", "became_critical": True,
                                                   "critical_titles": ["Sao lưu dữ liệu"],
                                                   "critical_ids": ["backup.age"]}})
        note = jobs.notifier.history[0]
        assert "Data backups" in note.message and "Sao lưu" not in note.message
