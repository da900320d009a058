from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app import HOTLINE, __version__
from app.health.model import Status
from app.infra.crash import CrashReport
from app.infra.settings import load_settings
from app.shop.demo import DemoShop
from app.ui.crash_dialog import CrashBridge, CrashDialog
from app.ui.levels import Level
from app.ui.main_window import PAGE_KEYS
from app.ui.tray import Tray
from app.ui.widgets.banner import Banner


def _nav_texts(window) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]


def _labels(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_main_window_is_vietnamese_with_six_areas_and_shop_data(qtbot: QtBot, make_app) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    assert _nav_texts(window) == [
        "Tổng quan", "Kiểm tra hệ thống", "Yêu cầu hỗ trợ", "Bảo hành & bảo trì", "Thiết bị mã vạch", "Cập nhật",
    ]
    assert len(window.pages) == len(PAGE_KEYS)
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=10000)
    overview = window.overview
    text = _labels(overview)
    assert "Tiệm vàng Kim Phát (demo)" in text
    assert HOTLINE in text and __version__ in text
    assert "Phần mềm vàng PMV: 5.8.2" in text
    assert overview.board_table.rowCount() == 8
    assert overview.board_table.item(0, 0).text() == "Vàng 24K (9999)"
    assert "." in overview.board_table.item(0, 2).text()  # 15.190.000 style
    assert HOTLINE in _labels(window.statusBar())


def test_pages_put_into_a_painted_frame_are_not_shown_until_chosen(qtbot: QtBot, make_app) -> None:
    # Issue 24: the frame is on screen when the pages go in; only the current one may be shown (a shown page is
    # laid out and starts its reads, e.g. the telemetry boxes', which slowed the overview's first fill).
    from PySide6.QtCore import QEvent, QObject

    from app.ui.main_window import MainWindow

    class ShowLog(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.shown: list[QObject] = []

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
            if event.type() == QEvent.Type.Show:
                self.shown.append(watched)
            return False

    app = make_app()
    frame = MainWindow(app.language)
    qtbot.addWidget(frame)
    frame.show()
    qtbot.waitExposed(frame)
    log = ShowLog()
    app.qapp.installEventFilter(log)
    try:
        window = app.build_window(frame)
        qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=10000)
    finally:
        app.qapp.removeEventFilter(log)
    pages = set(window.pages.values())
    assert [page for page in log.shown if page in pages] == [window.overview]
    assert window.warranty_page.telemetry.status is None and window.updates_page.telemetry.status is None
    window.show_page("warranty")
    qtbot.waitUntil(lambda: window.warranty_page.telemetry.status is not None, timeout=10000)


def test_lang_en_switches_visible_strings(qtbot: QtBot, make_app) -> None:
    window = make_app("--lang", "en").build_window()
    qtbot.addWidget(window)
    assert _nav_texts(window)[0] == "Overview"
    assert _nav_texts(window)[3] == "Warranty & maintenance"


def test_switching_language_in_the_app_rebuilds_the_window_and_remembers_it(
    qtbot: QtBot, make_app, runtime, demo_shop: DemoShop
) -> None:
    settings_before = demo_shop.settings_file.read_bytes()
    app = make_app()
    window = app.build_window()
    window.show_page("warranty")
    app.switch_language("en")
    assert app.window is not window
    assert _nav_texts(app.window)[0] == "Overview"
    assert app.window.nav.currentRow() == PAGE_KEYS.index("warranty")
    qtbot.waitUntil(lambda: runtime.state.get("ui.language") == "en", timeout=5000)
    # the choice is remembered in the app's state; the technician's file is never rewritten
    assert demo_shop.settings_file.read_bytes() == settings_before
    next_start = make_app()
    assert next_start.language == "en"  # the next start opens in English
    next_start.translators.install(next_start.qapp, "vi")  # only one app's translator at a time here
    app.switch_language("vi")
    assert _nav_texts(app.window)[0] == "Tổng quan"


def test_a_broken_settings_file_shows_a_banner_and_is_not_rewritten(
    qtbot: QtBot, make_app, runtime, demo_shop: DemoShop
) -> None:
    original = demo_shop.settings_file.read_text(encoding="utf-8") + '\n[ui]\nzoom = "lớn"\n'
    demo_shop.settings_file.write_text(original, encoding="utf-8")
    runtime.loaded = load_settings(demo_shop.settings_file)
    app = make_app()
    window = app.build_window()
    banners = window.findChildren(Banner)
    assert len(banners) == 1 and "ui" in banners[0].label.text()
    app.switch_language("en")
    assert demo_shop.settings_file.read_text(encoding="utf-8") == original


def test_close_hides_to_tray_when_there_is_one(qtbot: QtBot, make_app) -> None:
    window = make_app().build_window()
    qtbot.addWidget(window)
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))
    window.hide_on_close = True
    window.show()
    window.close()
    assert not window.isVisible() and quits == []
    window.hide_on_close = False
    window.show()
    window.close()
    assert quits == [True]


def test_about_box_shows_version_and_hotline(qtbot: QtBot, make_app) -> None:
    window = make_app().build_window()
    qtbot.addWidget(window)
    dialog = window.show_about()
    text = _labels(dialog)
    assert f"Phiên bản {__version__}" in text
    assert HOTLINE in text
    # The folders a technician asks for, named in the interface language (they were "Config:", "Data:", "Log:").
    assert "Tệp cấu hình: " in dialog.details and "Thư mục dữ liệu: " in dialog.details
    assert "Config:" not in dialog.details


def test_a_long_notification_is_cut_with_an_ellipsis_and_whole_in_the_tooltip(qtbot: QtBot, make_app) -> None:
    """At 1024x768 the status bar has little room beside the shop's name and the hotline: the message was clipped
    mid-word ("…phát hiệ") with nothing to read the rest."""
    from app.ui.notifier import Notification

    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    window.resize(820, 580)
    window.show()
    title, message = "Máy bán hàng cần xử lý ngay", "Kiểm tra hệ thống phát hiện lỗi nghiêm trọng: " + ", ".join(
        ["Đồng hồ máy tính", "Thanh toán không qua tài khoản ngân hàng (Nghị định 232)", "Sao lưu dữ liệu"])
    window._on_notified(Notification(title, message, Level.CRITICAL))
    shown = window.statusBar().currentMessage()
    assert shown.startswith(title + " – ") and shown.endswith("…") and len(shown) < len(title) + len(message)
    assert window.statusBar().toolTip() == f"{title} – {message}"
    window.statusBar().clearMessage()  # as when its 15 s are over
    assert window.statusBar().toolTip() == ""  # no stale notification over the shop's name and the hotline


def test_tray_colour_follows_the_worst_overview_tile(qtbot: QtBot, make_app) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    tray = Tray()
    window.overview.level_changed.connect(tray.set_level)
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=10000)
    window.overview.board_tile.set_level(Level.CRITICAL)
    assert window.overview.level is Level.CRITICAL and tray.level is Level.CRITICAL
    assert "sự cố" in tray.icon.toolTip()
    window.overview.board_tile.set_level(Level.OK)
    # Without a signed contract the warranty tile asks for attention; info tiles never count.
    qtbot.waitUntil(lambda: window.overview.level is Level.WARNING, timeout=5000)
    assert tray.level is Level.WARNING and "chú ý" in tray.icon.toolTip()
    assert window.overview.hotline_tile not in window.overview.tiles
    assert [a.text() for a in tray.menu.actions() if a.text()] == [
        "Mở PMV Support Assistant", "Gửi yêu cầu hỗ trợ…", f"Đường dây nóng 24/7: {HOTLINE}", "Thoát",
    ]


def test_tray_support_action_opens_the_request_form(qtbot: QtBot, make_app) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    app.open_support()
    assert window.stack.currentWidget() is window.pages["support"]
    assert window.request_form.isVisible()
    window.request_form.reject()


def test_notifications_reach_the_status_bar_and_history(qtbot: QtBot, make_app) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    with qtbot.waitSignal(app.notifier.notified):
        app.notifier.notify("Sao lưu", "Chưa có bản sao lưu hôm qua", Level.WARNING)
    assert "Chưa có bản sao lưu hôm qua" in window.statusBar().currentMessage()
    assert app.notifier.history[0].level is Level.WARNING


def test_crash_from_a_worker_thread_opens_the_dialog_on_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    bridge = CrashBridge(show_dialogs=True)
    report = CrashReport("ValueError: hỏng", "Traceback…\nValueError: hỏng\n", tmp_path / "crash.txt")
    thread = threading.Thread(target=bridge.listener, args=(report,))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bridge._open is not None, timeout=5000)
    dialog = bridge._open
    assert isinstance(dialog, CrashDialog) and dialog.isVisible()
    dialog.copy_report()
    assert QGuiApplication.clipboard().text() == report.text
    dialog.accept()


def test_a_crash_report_copied_for_the_vendor_is_redacted_and_the_file_stays_whole(qtbot: QtBot,
                                                                                   tmp_path: Path) -> None:
    # What the cashier copies goes to the vendor; an exception may quote a POS line (a customer's phone, a
    # connection string's password), which a bundle would have hidden.
    text = ("Traceback…\nValueError: cannot parse 'KH0001 Nguyễn Văn An 0903112233'\n"
            "--- recent log ---\npos.url = mssql+pyodbc://sa:Kim@2026@192.168.1.10/PMV\n")
    dialog = CrashDialog(CrashReport("ValueError: cannot parse", text, tmp_path / "crash.txt"))
    qtbot.addWidget(dialog)
    dialog.copy_report()
    copied = QGuiApplication.clipboard().text()
    assert "0903112233" not in copied and "Kim@2026" not in copied and "Nguyễn Văn A***" in copied
    assert dialog.text.toPlainText() == copied  # what is shown is what is copied
    assert dialog.report.text == text  # the file's text (on disk, for a technician at the till) is untouched


def test_screenshot_command_renders_the_demo_shop(tmp_path: Path, app_home: Path) -> None:
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "--demo", "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 1000 and image.height() >= 700
    # the demo lives in its own data dir, apart from a real shop's database
    assert (app_home / "data" / "demo" / "demo-shop" / "settings.toml").is_file()
    assert (app_home / "data" / "demo" / "pmv-support.sqlite3").is_file()
    assert not (app_home / "data" / "pmv-support.sqlite3").exists()


def test_screenshot_to_an_unusable_path_fails_quickly_with_a_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "--demo", "--screenshot", str(blocker / "shot.png")],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 1
    assert f"{blocker} là một tệp, không phải thư mục" in result.stderr


def test_the_tray_builds_the_window_only_when_it_is_first_wanted(qtbot: QtBot, make_app) -> None:
    """At logon only the tray starts; opening it (or the request form) builds the window then."""
    app = make_app("--minimized")
    assert app.window is None
    app.open_support()
    assert app.window is not None and app.window.stack.currentWidget() is app.window.pages["support"]
    qtbot.addWidget(app.window)
    first = app.window
    app.bring_forward()
    assert app.window is first  # built once
    app.window.request_form.reject()


# --- shop time on the overview, and the demo as a living shop ----------------------------------------------------

def test_the_overview_shows_the_shops_day_and_times_with_the_pc_in_another_zone(
    qtbot: QtBot, make_app, runtime, demo_clock, monkeypatch
) -> None:
    """00:30 on 26/11 in the shop is still 12:30 on 25/11 for a PC set to New York."""
    import datetime as dt
    import time

    from app.storage.repositories import ActivityRepository

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        demo_clock.now = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC)
        assert demo_clock().astimezone().strftime("%H:%M %d/%m/%Y") == "12:30 25/11/2026"  # the PC's view
        ActivityRepository(runtime.database, clock=demo_clock).add("app", "started", version=__version__)
        app = make_app()
        window = app.build_window()
        qtbot.addWidget(window)
        overview = window.overview
        qtbot.waitUntil(lambda: "Khởi động ứng dụng" in overview.activity_list.text(), timeout=10000)
        assert overview.today_label.text() == "Hôm nay: Thứ Năm, 26/11/2026"
        assert overview.activity_list.text().startswith("00:30 26/11/2026 – Khởi động ứng dụng")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_demo_opens_at_once_then_installs_its_pack_and_runs_the_checks(
    qtbot: QtBot, qapp, app_paths, demo_clock, quiet_machine
) -> None:
    """--demo is a living shop: Decree 232 installed through the real updater from the embedded vendor, then the
    checks run with it, so the cash-limit check flags the demo's customer-days; the window never waits for it."""
    from PySide6.QtCore import QThreadPool

    from app.bootstrap import bootstrap
    from app.cli import build_parser
    from app.ui.application import Application
    from app.ui.health.tile import HealthTile

    pytest.importorskip("uvicorn", reason="the demo vendor needs the vendor extras")
    runtime = bootstrap(demo=True, paths=app_paths, install_crash_handler=False, clock=demo_clock,
                        machine=quiet_machine)
    app = Application(qapp, runtime, build_parser().parse_args(["--no-err-windows", "--demo"]))
    try:
        window = app.build_window()
        qtbot.addWidget(window)
        # Built and shown before either step has run: both are in workers, started on the next turn of the loop.
        assert app.health.latest is None and not app.updates.packs
        assert window.health_page.verdict.text() == "Chưa kiểm tra"
        with qtbot.waitSignal(app.health.finished, timeout=90000) as checked:
            pass
        qtbot.waitUntil(lambda: bool(app.updates.packs), timeout=10000)
        assert [pack.id for pack in app.updates.packs] == ["nd-232-2025"]
        cash = checked.args[0].report.by_id()["compliance.cash_limit"]
        assert cash.status is Status.CRITICAL and "1C26TVG-" in cash.summary  # the invoices are named
        assert window.health_page.verdict.text() == "Cần xử lý ngay"
        tile = next(t for t in window.overview.tiles if isinstance(t, HealthTile))
        assert tile.level is Level.CRITICAL and "Thanh toán không qua tài khoản ngân hàng" in tile.detail_label.text()
    finally:
        app.runner.shutdown(10000)
        QThreadPool.globalInstance().waitForDone(10000)
        if app.window is not None:
            app.window.hide_on_close = False
            app.window.close()
        runtime.close()
