"""The GUI start: the window's frame is painted first, the shop's data loads behind it, one window throughout."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel

import app.ui.startup as startup_module
from app import HOTLINE
from app.cli import build_parser
from app.shop.demo import DemoShop
from app.storage.db import Database
from app.ui.i18n import Translators
from app.ui.pages.overview import OverviewPage
from app.ui.start_texts import start_error_text
from app.ui.startup import Loaded, Startup


def _gui(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "--no-err-windows", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def _dump(database: Path) -> list[str]:
    connection = sqlite3.connect(database)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_first_paint_shows_the_frame_before_any_data_is_opened(demo_shop: DemoShop, app_home: Path,
                                                               tmp_path: Path) -> None:
    shot = tmp_path / "first.png"
    result = _gui("--config", str(demo_shop.settings_file), "--screenshot", str(shot), "--first-paint")
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull() and (image.width(), image.height()) == (1100, 760)
    # Nothing of the data layer ran: no database, no log file yet.
    assert not list(app_home.rglob("*.sqlite3"))
    assert not list(app_home.rglob("*.log"))


def test_a_database_from_a_newer_version_is_refused_after_the_frame_and_left_untouched(
        demo_shop: DemoShop, app_paths, tmp_path: Path) -> None:
    db, _ = Database.open(app_paths.database_file)
    db.close()
    with sqlite3.connect(app_paths.database_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    before = _dump(app_paths.database_file)
    result = _gui("--config", str(demo_shop.settings_file), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 1
    # The failure in words and the file it is about; the code and SQLite's words go to the log only.
    assert "phiên bản mới hơn" in result.stderr and str(app_paths.database_file) in result.stderr
    assert not (tmp_path / "x.png").exists()
    assert _dump(app_paths.database_file) == before


def _run_startup(qapp: QApplication, argv: list[str], while_loading=None, when_ready=None) -> tuple[Startup, int]:
    """Run a real start (the loader thread opens the real database) until the app is up and idle, then quit."""
    startup = Startup(qapp, build_parser().parse_args(["--no-err-windows", *argv]), instance=None)
    seen: dict[str, object] = {}

    def before_loaded() -> None:
        seen["app while loading"] = startup.app
        if while_loading is not None:
            while_loading(startup)

    def poll() -> None:
        app = startup.app
        if app is None or app.runner.is_busy():
            QTimer.singleShot(20, poll)
            return
        if when_ready is not None:
            when_ready(startup)
        app.agent.shutdown()
        qapp.exit(0)

    QTimer.singleShot(0, before_loaded)
    QTimer.singleShot(0, poll)
    try:
        status = startup.run()
    finally:
        gc.unfreeze()  # the start freezes its objects out of the collector: process-wide, not for later tests
    assert seen["app while loading"] is None, "the data loaded before the event loop turned once"
    return startup, status


def _close_app(startup: Startup, qapp: QApplication) -> None:
    """Close the window for real and give later tests back a Vietnamese app."""
    if startup.app is not None and startup.app.window is not None:
        startup.app.window.hide_on_close = False
        startup.app.window.close()
    startup.translators.install(qapp, "vi")


def test_the_painted_frame_becomes_the_main_window_with_its_pages(qapp: QApplication, demo_shop: DemoShop,
                                                                  app_home: Path) -> None:
    frames: list[object] = []
    checked: dict[str, object] = {}

    def while_loading(startup: Startup) -> None:
        frames.append(startup.frame)
        checked["loading text"] = startup.frame.stack.currentWidget().text()  # type: ignore[union-attr]
        checked["menus off"] = [a.isEnabled() for a in startup.frame._runtime_actions]  # type: ignore[union-attr]

    def when_ready(startup: Startup) -> None:
        window = startup.app.window  # type: ignore[union-attr]
        checked["same window"] = window is frames[0]
        checked["overview"] = isinstance(window.stack.currentWidget(), OverviewPage)
        checked["shop"] = window.shop_label.text()
        checked["menus on"] = [a.isEnabled() for a in window._runtime_actions]
        checked["placeholders"] = [w for w in window.stack.findChildren(QLabel) if w.objectName() == "pageLoading"
                                   and w.parent() is not None and w.isVisible()]
        checked["visible"] = window.isVisible()

    startup, status = _run_startup(qapp, ["--config", str(demo_shop.settings_file)], while_loading, when_ready)
    try:
        assert status == 0
        assert checked["loading text"] == "Đang mở dữ liệu của cửa hàng…"
        assert checked["menus off"] == [False] * 5  # logs, remote help, technician, about, set up again: need data
        assert checked["same window"] is True  # no second window replacing the first
        assert checked["overview"] is True and checked["placeholders"] == []
        assert checked["shop"] == "Tiệm vàng Kim Phát (demo)"
        assert checked["menus on"] == [True] * 5
        assert checked["visible"] is True
        assert startup.runtime is not None
    finally:
        _close_app(startup, qapp)


def test_a_shop_started_before_sees_its_overview_filled_before_the_data_layer_loads(
        qapp: QApplication, demo_shop: DemoShop, app_paths) -> None:
    """Issue 24: from the second start on (the settings loaded cleanly once, the database at its schema), the frame
    shows the overview filled by the first read, before the loader has started; the window keeps that page."""
    from app.bootstrap import bootstrap

    bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False).close()  # the first start
    seen: dict[str, object] = {}

    def while_loading(startup: Startup) -> None:
        def shown(_facts: object) -> None:  # after Startup's own slot has put the first read on screen
            frame = startup.frame
            seen["filled"] = frame is not None and frame.overview.is_filled  # type: ignore[union-attr]
            seen["page"] = frame.overview if frame is not None else None  # type: ignore[union-attr]
            seen["data layer"] = startup.runtime is not None

        startup.first_read.connect(shown)

    def when_ready(startup: Startup) -> None:
        window = startup.app.window  # type: ignore[union-attr]
        seen["same page"] = window.overview is seen["page"] and window.stack.currentWidget() is seen["page"]

    startup, status = _run_startup(qapp, ["--config", str(demo_shop.settings_file)], while_loading, when_ready)
    try:
        assert status == 0
        assert seen == {"filled": True, "page": seen["page"], "data layer": False, "same page": True}
    finally:
        _close_app(startup, qapp)


def test_a_language_chosen_while_loading_is_applied_once_loaded(qapp: QApplication, demo_shop: DemoShop,
                                                                app_home: Path) -> None:
    texts: dict[str, str] = {}

    def while_loading(startup: Startup) -> None:
        startup.frame.language_requested.emit("en")  # type: ignore[union-attr]

    def when_ready(startup: Startup) -> None:
        app = startup.app
        assert app is not None and app.window is not None
        texts["language"] = app.language
        texts["nav"] = app.window.nav.item(0).text()

    startup, status = _run_startup(qapp, ["--config", str(demo_shop.settings_file)], while_loading, when_ready)
    try:
        assert status == 0
        assert texts == {"language": "en", "nav": "Overview"}
    finally:
        _close_app(startup, qapp)


def test_the_background_agent_and_the_reminders_wait_for_the_overview_to_be_filled(
        qapp: QApplication, demo_shop: DemoShop, monkeypatch) -> None:
    # Issue 24: the agent's first jobs (checks, poll, heartbeat) and the reminder reads competed with the overview's
    # reads; they start once its tiles hold the shop's data.
    from app.background.agent import BackgroundAgent
    from app.ui.warranty.state import WarrantyState

    holder: dict[str, Startup] = {}
    order: list[tuple[str, bool]] = []

    def filled_now() -> bool:
        app = holder["startup"].app
        return app is not None and app.window is not None and app.window.overview.is_filled

    real_start, real_reminders = BackgroundAgent.start, WarrantyState.check_reminders
    monkeypatch.setattr(BackgroundAgent, "start", lambda agent: (order.append(("agent", filled_now())),
                                                                 real_start(agent))[1])
    monkeypatch.setattr(WarrantyState, "check_reminders", lambda state: (order.append(("reminders", filled_now())),
                                                                         real_reminders(state))[1])
    real_import = startup_module.import_later_pages
    monkeypatch.setattr(startup_module, "import_later_pages", lambda: (order.append(("later pages", filled_now())),
                                                                      real_import())[1])

    def while_loading(startup: Startup) -> None:
        holder["startup"] = startup

    def when_ready(_startup: Startup) -> None:  # the queued steps after the fill, before the test quits the app
        deadline = time.monotonic() + 10
        while not {"agent", "later pages"} <= {name for name, _filled in order} and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)

    startup, status = _run_startup(qapp, ["--config", str(demo_shop.settings_file)], while_loading, when_ready)
    try:
        assert status == 0
        assert startup.app is not None and startup.app.window is not None and startup.app.window.overview.is_filled
        assert ("agent", True) in order and ("reminders", True) in order and ("later pages", True) in order
        assert all(filled for _name, filled in order), order
    finally:
        _close_app(startup, qapp)


def test_a_start_that_cannot_create_its_folders_exits_with_a_reason(demo_shop: DemoShop, tmp_path: Path) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "app", "--no-err-windows", "--config", str(demo_shop.settings_file), "--screenshot",
         str(tmp_path / "x.png")],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PMV_SUPPORT_HOME": str(home)})
    assert result.returncode == 1
    assert "lỗi:" in result.stderr and str(home) in result.stderr
    assert "Traceback" not in result.stderr  # a reason, not a crash dump
    assert home.read_text() == "not a folder"


def test_closing_the_window_while_the_data_loads_quits_cleanly(qapp: QApplication, demo_shop: DemoShop,
                                                              app_home: Path) -> None:
    startup = Startup(qapp, build_parser().parse_args(["--no-err-windows", "--config", str(demo_shop.settings_file)]),
                      instance=None)
    seen: dict[str, object] = {}

    def close_once_loading() -> None:
        if startup._thread is None:  # the loader starts at the first paint
            QTimer.singleShot(5, close_once_loading)
            return
        seen["app while loading"] = startup.app
        startup.frame.close()  # type: ignore[union-attr]  (the cashier closes it before the pages are in)

    QTimer.singleShot(0, close_once_loading)
    # As app.ui.startup.make_qapp sets it: otherwise Qt posts its own quit when the last window closes,
    # delivered after run() returned, where it would stop every later event loop of this test session.
    qapp.setQuitOnLastWindowClosed(False)
    try:
        status = startup.run()
    finally:
        qapp.setQuitOnLastWindowClosed(True)
        gc.unfreeze()
    assert status == 0
    assert seen["app while loading"] is None and startup.app is None  # the app never started behind the user
    assert startup._thread is not None and not startup._thread.is_alive()  # the loader was waited for
    QApplication.processEvents()  # a "loaded" the loader queued meanwhile must not start the app now
    assert startup.app is None
    runtime = startup.runtime
    assert runtime is not None  # what the loader opened was taken back...
    assert runtime.database.engine.pool.checkedin() == 0  # ...and closed


def test_the_language_the_app_chooses_wins_over_a_misread_first_paint(qapp: QApplication, runtime,
                                                                      demo_shop: DemoShop) -> None:
    """The first paint guessed Vietnamese; the loaded settings say English: the window follows, unrecorded."""
    args = build_parser().parse_args(["--no-err-windows", "--config", str(demo_shop.settings_file)])
    startup = Startup(qapp, args, instance=None)
    startup._frame().show()  # painted in Vietnamese, as the first paint's reading said
    try:
        startup._on_loaded(Loaded(runtime, "en"))
        app = startup.app
        assert app is not None and app.window is not None
        assert app.language == "en" and app.window.nav.item(0).text() == "Overview"
        assert app.window.isVisible()
        app.runner.shutdown(5000)
        assert runtime.state.get("ui.language") is None  # not recorded as the user's menu choice
    finally:
        gc.unfreeze()
        if startup.app is not None:
            startup.app.shutdown()
        _close_app(startup, qapp)


def test_a_failed_start_is_explained_in_vietnamese_with_the_hotline(qapp: QApplication) -> None:
    error = PermissionError(13, "Permission denied", "C:/PMV/data/logs")
    text = start_error_text(error)
    assert text.startswith("Phần mềm không khởi động được. Hãy khởi động lại máy")
    assert HOTLINE in text and "PermissionError" in text and "C:/PMV/data/logs" in text
    translators = Translators()
    try:
        assert translators.install(qapp, "en")
        assert start_error_text(error).startswith("The app could not start.")
    finally:
        translators.install(qapp, "vi")


def test_the_later_pages_code_is_imported_in_a_thread_ahead_of_their_first_visit() -> None:
    # Issue 24: the devices page's first visit spent ~60 ms of its 100 ms importing the label engine and the
    # scanner reader on the GUI thread.
    from tests.helpers import modules_loaded

    watched = ("app.ui.devices.page", "app.devices.labels", "app.devices.serial_scanner")
    assert modules_loaded("import app.ui.startup", watched) == []
    code = ("import threading, app.ui.startup as s\nthread = s.import_later_pages()\n"
            "assert thread is not threading.current_thread()\nthread.join()")
    assert modules_loaded(code, watched) == sorted(watched)


def test_an_open_window_holds_the_window_lock_until_the_app_quits(qapp: QApplication, demo_shop: DemoShop,
                                                                  app_home: Path) -> None:
    """Found by a review: a window started normally never took the window lock (only over the tray's job
    process), so a headless agent on the same data handed over to a waiting version under the cashier."""
    from app.background.jobs import window_open

    checked: dict[str, object] = {}

    def when_ready(startup: Startup) -> None:
        checked["open"] = window_open(startup.runtime.paths.data_dir)  # type: ignore[union-attr]

    startup, status = _run_startup(qapp, ["--config", str(demo_shop.settings_file)], when_ready=when_ready)
    try:
        assert status == 0 and checked["open"] is True
        assert startup.runtime is not None
        assert not window_open(startup.runtime.paths.data_dir)  # the app quit: the lock went with it
    finally:
        _close_app(startup, qapp)
