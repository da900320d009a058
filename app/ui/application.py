"""GUI start-up: QApplication, translators, single instance, tray, main window.

:func:`run_gui` is called by the CLI with a bootstrapped :class:`Runtime`
(settings read, logging and crash capture on, database open and migrated).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_ID, APP_NAME, VENDOR, __version__
from app.runtime import Runtime
from app.settings import ProblemKind, SettingsProblem, save_settings
from app.storage.db import NoticeKind, StorageNotice
from app.ui.crash_dialog import CrashBridge
from app.ui.i18n import Translators
from app.ui.icons import app_icon
from app.ui.levels import Level
from app.ui.main_window import MainWindow
from app.ui.notifier import Notifier
from app.ui.single_instance import SingleInstance, server_name
from app.ui.tasks import TaskRunner
from app.ui.tray import Tray
from app.ui.warranty.state import WarrantyState
from app.ui.widgets.banner import Banner

log = logging.getLogger(__name__)


def settings_problem_text(problem: SettingsProblem) -> str:
    translate = QCoreApplication.translate
    if problem.kind is ProblemKind.SYNTAX:
        text = translate("SettingsProblems", "Tệp cấu hình không đúng cú pháp TOML (%1). Đang dùng cấu hình mặc định.")
        return text.replace("%1", problem.reason)
    if problem.kind is ProblemKind.UNREADABLE:
        text = translate("SettingsProblems", "Không đọc được tệp cấu hình (%1). Đang dùng cấu hình mặc định.")
        return text.replace("%1", problem.reason)
    if problem.kind is ProblemKind.UNKNOWN_KEY:
        text = translate("SettingsProblems", "Khóa lạ '%1' trong tệp cấu hình đã bị bỏ qua.")
        return text.replace("%1", problem.key or "")
    text = translate("SettingsProblems", "Khóa '%1' có giá trị không hợp lệ %2 (%3). Đang dùng giá trị mặc định.")
    return text.replace("%1", problem.key or "").replace("%2", repr(problem.value)).replace("%3", problem.reason)


def storage_notice_text(notice: StorageNotice) -> str:
    translate = QCoreApplication.translate
    if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT:
        text = translate(
            "StorageNotices",
            "Cơ sở dữ liệu của ứng dụng bị hỏng nên đã được tạo mới. Tệp cũ được giữ lại tại %1 "
            "để kỹ thuật viên khôi phục; hãy gọi 1900 6037 nếu cần.",
        )
    else:
        text = translate("StorageNotices", "Dữ liệu đã được nâng cấp lên phiên bản mới; bản sao trước khi nâng cấp: %1")
    return text.replace("%1", str(notice.path))


class Application(QObject):
    """Owns the long-lived GUI objects and switches language by rebuilding the window."""

    def __init__(self, qapp: QApplication, runtime: Runtime, args: argparse.Namespace) -> None:
        super().__init__()
        self.qapp = qapp
        self.runtime = runtime
        self.args = args
        self.translators = Translators()
        self.runner = TaskRunner(parent=self)
        self.notifier = Notifier(self)
        self.crash_bridge = CrashBridge(show_dialogs=not args.no_err_windows, parent=self)
        runtime.crash.add_listener(self.crash_bridge.listener)
        self.tray: Tray | None = None
        self.window: MainWindow | None = None
        self.warranty = WarrantyState(runtime, self.runner, parent=self)
        self.warranty.reminder_due.connect(self._remind_coverage)
        # Coverage changes with the date: look again every few hours.
        self.daily = QTimer(self)
        self.daily.setInterval(6 * 3600 * 1000)
        self.daily.timeout.connect(self.refresh_periodic)
        self.language = args.lang or runtime.settings.language
        if not self.translators.install(qapp, self.language):
            self.language = "vi"

    def build_window(self) -> MainWindow:
        window = MainWindow(self.runtime, self.runner, self.notifier, self.language, self.warranty)
        window.language_requested.connect(self.switch_language)
        window.quit_requested.connect(self.quit)
        window.overview.level_changed.connect(self._on_level)
        for problem in self.runtime.loaded.problems:
            window.add_banner(Banner(settings_problem_text(problem), Level.WARNING))
        for notice in self.runtime.storage_notices:
            level = Level.CRITICAL if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT else Level.INFO
            window.add_banner(Banner(storage_notice_text(notice), level))
        window.hide_on_close = self.tray is not None and self.tray.icon.isVisible()
        window.overview.refresh()
        self.warranty.load()
        self.window = window
        return window

    def refresh_periodic(self) -> None:
        self.warranty.load()
        self.warranty.check_reminders()

    def _remind_coverage(self, days: int) -> None:
        title = self.tr("Bảo hành/bảo trì sắp hết hạn")
        if days <= 1:
            message = self.tr("Ngày mai cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì hoặc gọi 1900 6037.")
        else:
            message = self.tr("Còn %1 ngày nữa cửa hàng hết được hỗ trợ. Hãy gia hạn bảo trì.").replace(
                "%1", str(days))
        self.notifier.notify(title, message, Level.CRITICAL if days <= 1 else Level.WARNING)

    def start_tray(self) -> None:
        tray = Tray(self)
        if not tray.show():
            log.info("no system tray here; closing the window quits")
            return
        tray.open_requested.connect(self.bring_forward)
        tray.support_requested.connect(self.open_support)
        tray.quit_requested.connect(self.quit)
        self.tray = tray
        self.notifier.attach_tray(tray.icon)

    def bring_forward(self) -> None:
        if self.window is not None:
            self.window.bring_forward()

    def open_support(self) -> None:
        if self.window is not None:
            self.window.show_page("support")
            self.window.bring_forward()

    def switch_language(self, language: str) -> None:
        if language == self.language:
            return
        if not self.translators.install(self.qapp, language):
            QMessageBox.warning(self.window, APP_NAME, "Không tìm thấy bản dịch / translation not found")
            return
        self.language = language
        self._remember_language(language)
        old = self.window
        window = self.build_window()
        if old is not None:
            window.setGeometry(old.geometry())
            window.show_page(_current_key(old))
            old.hide_on_close = False
            old.quit_requested.disconnect()
            old.close()
            old.deleteLater()
        window.show()

    def _remember_language(self, language: str) -> None:
        loaded = self.runtime.loaded
        if loaded.problems:
            return  # never rewrite a file the user has to fix by hand
        updated = loaded.settings.model_copy(update={"language": language})
        try:
            save_settings(updated, loaded.path)
            loaded.settings = updated
        except OSError:
            log.exception("could not save the language setting")

    def _on_level(self, level: Level) -> None:
        if self.tray is not None:
            self.tray.set_level(level)

    def quit(self) -> None:
        self.runner.cancel_all()
        if self.tray is not None:
            self.tray.hide()
        self.qapp.quit()


def _current_key(window: MainWindow) -> str:
    from app.ui.main_window import PAGE_KEYS

    return PAGE_KEYS[max(0, window.nav.currentRow())]


def _make_qapp() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setApplicationName(APP_ID)
    QApplication.setOrganizationName(VENDOR)
    QApplication.setApplicationVersion(__version__)
    QApplication.setApplicationDisplayName(APP_NAME)
    qapp = QApplication(sys.argv[:1])
    qapp.setWindowIcon(app_icon())
    qapp.setQuitOnLastWindowClosed(False)  # the tray keeps running
    return qapp


def take_screenshot(app: Application, path: Path, page: str, timeout_ms: int = 15000) -> int:
    """Show the window, wait for its background loads, save a PNG."""
    window = app.build_window()
    window.show_page(page)
    window.show()
    waited = 0

    def grab() -> None:
        nonlocal waited
        if app.runner.is_busy() and waited < timeout_ms:
            waited += 50
            QTimer.singleShot(50, grab)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path))
        app.qapp.exit(0 if ok else 1)

    QTimer.singleShot(100, grab)
    return app.qapp.exec()


def run_gui(runtime: Runtime, args: argparse.Namespace) -> int:
    qapp = _make_qapp()
    app = Application(qapp, runtime, args)
    if args.screenshot:
        status = take_screenshot(app, args.screenshot, args.page)
        print(args.screenshot if status == 0 else f"{APP_ID}: error: could not save {args.screenshot}")
        return status
    instance = SingleInstance(server_name(runtime.paths.data_dir), app)
    if not instance.claim():
        print(f"{APP_ID}: already running; brought the open window forward")
        return 0
    instance.activation_requested.connect(app.bring_forward)
    app.start_tray()
    window = app.build_window()
    app.warranty.check_reminders()
    app.daily.start()
    app.runner.run(lambda: runtime.activity.add("app", "started", version=__version__),
                   on_success=lambda _entry: window.overview.refresh())
    if not (args.minimized and app.tray is not None):
        window.show()
    log.info("GUI ready (language %s, tray %s)", app.language, "on" if app.tray else "off")
    try:
        return qapp.exec()
    finally:
        instance.release()
