"""The running GUI: the long-lived states, tray, main window, notifications and language.

:class:`Application` is created by :mod:`app.ui.startup` once the runtime is
open (settings read, logging and crash capture on, database open and migrated).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME
from app.background.agent import BackgroundAgent
from app.background.registry import (
    WARRANTY,
    HandOverMoment,
    hand_over,
    hand_over_allowed,
    runtime_outside_trading_hours,
)
from app.health.model import Status as HealthStatus
from app.infra.early_settings import LANGUAGE_STATE_KEY
from app.infra.navigation import PAGE_KEYS
from app.infra.program import relaunch_args
from app.runtime import Runtime
from app.storage.db import NoticeKind
from app.support.models import StatusChange
from app.support.thread_models import EventKind, ThreadEntry, UpcomingVisit
from app.ui import notices
from app.ui.crash_dialog import CrashBridge
from app.ui.fleet.state import register_heartbeat
from app.ui.health.state import HealthRun, HealthState
from app.ui.health.texts import check_title
from app.ui.i18n import Translators
from app.ui.levels import Level
from app.ui.notifier import Notifier
from app.ui.settings_texts import settings_banners
from app.ui.start_texts import storage_notice_text
from app.ui.support.state import SupportState
from app.ui.support.texts import entry_text
from app.ui.support.time_texts import visit_slot_text
from app.ui.tasks import Task, TaskRunner, when_all_done
from app.ui.tray import Tray
from app.ui.updates.state import UpdatesState
from app.ui.warranty.state import WarrantyState
from app.ui.widgets.banner import Banner
from app.updates.app_install import read_pending
from app.updates.service import UpdateRun

if TYPE_CHECKING:
    from app.setup.environment import SetupEnvironment
    from app.setup.finish import SetupChoices
    from app.ui.main_window import MainWindow
    from app.ui.setup.wizard import SetupWizard
    from pmv_protocol.filelock import FileLock

log = logging.getLogger(__name__)

VISIT_REMINDER_CHECK_MS = 5 * 60 * 1000  # reminders come within 5 minutes of when they are due


class Application(QObject):
    """Owns the long-lived GUI objects and switches language by rebuilding the window.

    Signals:
        overview_filled(): the current window's overview holds the shop's data (each window built, once).
    """

    overview_filled = Signal()

    def __init__(self, qapp: QApplication, runtime: Runtime, args: argparse.Namespace, *,
                 translators: Translators | None = None, language: str | None = None) -> None:
        """``translators`` and ``language``: what start-up already installed for the window's first paint."""
        super().__init__()
        self.qapp = qapp
        self.runtime = runtime
        self.args = args
        self.translators = translators or Translators()
        self.runner = TaskRunner(parent=self)
        self.notifier = Notifier(self)
        self.crash_bridge = CrashBridge(show_dialogs=not args.no_err_windows, parent=self)
        runtime.crash.add_listener(self.crash_bridge.listener)
        self.tray: Tray | None = None
        self.window: MainWindow | None = None
        self.setup_wizard: SetupWizard | None = None
        self.setup_choices: SetupChoices | None = None  # a cancelled setup's, to resume with
        self.setup_environment: SetupEnvironment | None = None  # None: this PC's (tests give their own)
        self._setup_done = False
        self.warranty = WarrantyState(runtime, self.runner, parent=self)
        self.warranty.reminder_due.connect(self._remind_coverage)
        self.support = SupportState(runtime, self.runner, parent=self)
        self.support.status_changed.connect(self._notify_status_changes)
        self.support.conversations.new_entries.connect(self._notify_new_entries)
        self.support.conversations.reminders_due.connect(self._notify_visit_reminders)
        self.health = HealthState(runtime, self.runner, parent=self)
        self.health.finished.connect(self._notify_health)
        self.updates = UpdatesState(runtime, self.runner, parent=self)
        self.updates.ran.connect(self._notify_updates)
        self.updates.restart_requested.connect(lambda: self.restart_to_update(minimized=False))
        self.agent = BackgroundAgent()
        self.agent_lock: FileLock | None = None  # taken once this app's agent runs the jobs (app/ui/startup.py)
        self.window_lock: FileLock | None = None  # held while this app has a window (build_window; until shutdown)
        self.support.register(self.agent)
        self.health.register(self.agent)
        self.updates.register(self.agent)
        register_heartbeat(self.agent, runtime)
        if args.demo:  # a living shop at first look: the demo's pack installed, the checks run (in workers)
            from app.ui.pages.living_demo import LivingDemo

            self.living_demo = LivingDemo(self.updates, self.health, parent=self)
        # Coverage changes with the date: look again every few hours (the tray's job process, as often).
        self.daily = QTimer(self)
        self.daily.setInterval(int(WARRANTY.period() * 1000))
        self.daily.timeout.connect(self.refresh_periodic)
        # Visit reminders (the day before, one hour before) are due at a minute, not at a poll.
        self.visit_clock = QTimer(self)
        self.visit_clock.setInterval(VISIT_REMINDER_CHECK_MS)
        self.visit_clock.timeout.connect(self.support.conversations.check_reminders)
        if language is not None and self.translators.language == language:
            self.language = language
        else:
            self.language = runtime.interface_language(args.lang)
            if not self.translators.install(qapp, self.language):
                self.language = "vi"

    def build_window(self, frame: MainWindow | None = None) -> MainWindow:
        """The main window with its pages; ``frame``: the one start-up already put on screen."""
        from app.ui.main_window import MainWindow

        window = frame if frame is not None else MainWindow(self.language)
        window.decorate()  # a frame painted at start-up gets its icons now at the latest
        window.attach(self.runtime, self.runner, self.notifier, self.warranty, self.support, self.health,
                      self.updates)
        window.language_requested.connect(self.switch_language)
        window.quit_requested.connect(self.quit)
        window.setup_requested.connect(self.reopen_setup)
        window.overview.level_changed.connect(self._on_level)
        if window.overview.is_filled:  # filled by the first read before this connection: its level is the shop's
            self._on_level(window.overview.level)
        for banner in settings_banners(self.runtime.loaded):
            window.add_banner(banner)
        for notice in self.runtime.storage_notices:
            level = Level.CRITICAL if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT else Level.INFO
            window.add_banner(Banner(storage_notice_text(notice), level))
        if any(notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT for notice in self.runtime.storage_notices):
            self._clear_recovery_once_seen(window)
        window.hide_on_close = self.tray is not None and self.tray.icon.isVisible()
        self._load_overview(window)
        self.window = window
        self._hold_window_lock()
        return window

    def _hold_window_lock(self) -> None:
        """While this app has a window (built, shown or hidden to the tray), it holds the window lock: a headless
        agent or the tray's job process on the same data then never hands over to a waiting version (the app
        would quit under the cashier).  Kept until the app quits (:meth:`shutdown`); the OS frees it if the
        process dies."""
        from app.background.jobs import window_lock

        if self.window_lock is None:
            self.window_lock = window_lock(self.runtime.paths.data_dir)

    def _clear_recovery_once_seen(self, window: MainWindow) -> None:
        """The damaged-database banner is said until a person has had the window on screen with it: a window
        built hidden (the tray's, after an update) or only grabbed for a screenshot does not count."""
        from app.storage.recovery_notice import recovery_shown

        state = self.runtime.state

        def seen() -> None:  # not seen (hidden, a screenshot): the next start says it again
            if window.isVisible() and not getattr(self.args, "screenshot", None):
                self.runner.run(lambda: recovery_shown(state),
                                on_failure=lambda exc: log.error("recovery notice not cleared: %s", exc))

        if window.painted:
            seen()
        else:
            window.first_painted.connect(seen)

    def _load_overview(self, window: MainWindow) -> None:
        """Start the reads the overview's tiles show; the overview says ``filled`` once they are all in."""
        started: list[Task] = []
        collect = started.append
        self.runner.task_started.connect(collect)
        try:
            window.overview.refresh()
            self.warranty.load()
            self.support.load()
            self.updates.load()
            self.health.load()  # the newest stored results, until a run of this window's replaces them
        finally:
            self.runner.task_started.disconnect(collect)
        overview = window.overview

        def filled() -> None:
            if not shiboken6.isValid(overview):  # the window was rebuilt (a language switch) and deleted meanwhile
                return
            overview.mark_filled()
            if self.window is window:  # only the window on screen counts for what waits on the fill
                self.overview_filled.emit()

        when_all_done(started, filled)

    def refresh_periodic(self) -> None:
        self.warranty.load()
        self.warranty.check_reminders()
        self.apply_update_if_quiet()

    def apply_update_if_quiet(self) -> None:
        """With the window hidden in the tray and nobody at work, switch to a waiting app version.

        When is the rule's (:func:`app.background.registry.hand_over_allowed`); this only says whether someone
        works here: a window (the main one, a technician's or remote-assistance dialog) or a job is open.
        """
        if self.window is None:
            return  # a tray-only start that has not built its window: the tray's own job process looks
        in_use = self.runner.is_busy() or any(widget.isVisible() for widget in QApplication.topLevelWidgets())
        if self._hand_over_allowed(HandOverMoment.IDLE, in_use=in_use):
            self.runner.run(lambda: read_pending(self.runtime.paths.data_dir),
                            on_success=lambda pending: self.restart_to_update(
                                minimized=True, moment=HandOverMoment.IDLE) if pending else None,
                            on_failure=lambda exc: log.error("pending update: %s", exc))

    def _hand_over_allowed(self, moment: HandOverMoment, *, in_use: bool) -> bool:
        """The hand-over rule, asked on the GUI thread (cheap: no file is read) before a worker does the rest."""
        return hand_over_allowed(moment, self.updates.updater.app_install.kind,
                                 outside_trading_hours=runtime_outside_trading_hours(self.runtime), in_use=in_use,
                                 demo=self.runtime.demo)

    def restart_to_update(self, *, minimized: bool, moment: HandOverMoment = HandOverMoment.ASKED) -> None:
        """Start the update helper (it waits for this process to exit), then quit.

        ``moment``: someone asked (the Cập nhật page's button), or the app is idle (:meth:`apply_update_if_quiet`).
        """
        if not self._hand_over_allowed(moment, in_use=False):
            return
        relaunch = relaunch_args(sys.argv[1:], minimized=minimized)
        runtime = self.runtime

        def start_helper(_cancel: object, _progress: object) -> bool:
            if not hand_over(runtime, moment, relaunch):
                raise RuntimeError("no app update to apply")
            return True

        self.runner.run_job(start_helper,
                            on_success=lambda _started: self.quit(),
                            on_failure=lambda exc: log.error("could not start the update helper: %s", exc),
                            title=self.tr("Đang chuẩn bị cập nhật phần mềm…"))

    def _remind_coverage(self, days: int) -> None:
        self.notifier.notify(*notices.coverage_reminder(days))

    def start_tray(self, tray: Tray | None = None) -> None:
        """Show the tray icon; ``tray``: the one start-up already showed (at logon, before the data loaded)."""
        if tray is None:
            tray = Tray(self)
            if not tray.show():
                log.info("no system tray here; closing the window quits")
                return
        else:
            tray.setParent(self)
        tray.open_requested.connect(self.bring_forward)
        tray.support_requested.connect(self.open_support)
        tray.quit_requested.connect(self.quit)
        self.tray = tray
        self.notifier.attach_tray(tray.icon)

    def ensure_window(self) -> MainWindow:
        """The main window, built now if the tray-only start has not built it yet."""
        if self.window is None:
            self.build_window()
        assert self.window is not None
        return self.window

    def bring_forward(self) -> None:
        self.ensure_window().bring_forward()

    def open_support(self) -> None:
        window = self.ensure_window()
        window.bring_forward()
        window.show_page("support")
        window.open_request_form()

    # -- setup ---------------------------------------------------------------------------------------------------------

    def needs_setup(self) -> bool:
        """A first start: no settings file yet (the demo and an explicit --config bring their own)."""
        return not self.runtime.demo and self.args.config is None and not self.runtime.paths.settings_file.exists()

    def open_setup(self, code: str = "") -> SetupWizard:
        """The setup wizard over the window, resuming a cancelled one's choices; ``code``: an enrolment code
        to fill in (the installer's /ENROL=CODE)."""
        from app.setup.environment import SetupEnvironment
        from app.ui.setup.wizard import SetupWizard

        if self.setup_wizard is not None:
            self.setup_wizard.raise_()
            self.setup_wizard.activateWindow()
            return self.setup_wizard
        window = self.ensure_window()
        environment = self.setup_environment or SetupEnvironment.for_runtime(self.runtime)
        wizard = SetupWizard(self.runtime, self.runner, environment, choices=self.setup_choices, code=code,
                             parent=window)
        wizard.left_early.connect(self._setup_left)
        wizard.written.connect(self._setup_written)
        wizard.finished.connect(self._setup_closed)
        self.setup_wizard = wizard
        wizard.show()
        return wizard

    def reopen_setup(self) -> None:
        """Tệp → Thiết lập lại…: only in technician mode (it rewrites the shop's settings)."""
        window = self.ensure_window()
        session = window.technician_session
        if session is None or not session.is_open(self.runtime.clock()):
            QMessageBox.information(window, APP_NAME, self.tr(
                "Thiết lập lại cửa hàng cần chế độ kỹ thuật viên. Hãy mở khóa chế độ kỹ thuật viên, rồi chọn lại "
                "Tệp → Thiết lập lại…"))
            window.open_technician()
            return
        self.open_setup()

    def _setup_left(self, choices: SetupChoices) -> None:
        self.setup_choices = choices  # resumed with these, on the next open or the next start's enrolment
        if self.window is not None:
            self.window.statusBar().showMessage(self.tr("Chưa thiết lập xong: chọn Tệp → Thiết lập lại… để tiếp "
                                                        "tục."), 15000)

    def _setup_written(self, _written: object) -> None:
        self.setup_choices = None
        self._setup_done = True

    def _setup_closed(self) -> None:
        self.setup_wizard = None
        if self._setup_done:
            self._setup_done = False
            self._rebuild_window()  # every page and banner read the settings the setup just wrote

    @Slot(object)
    def _notify_updates(self, run: UpdateRun) -> None:
        if run.app_staged is not None:
            self.notifier.notify(*notices.app_staged(run.app_staged.version))
            self.apply_update_if_quiet()
        for result in run.installed:
            if not result.unchanged:
                self.notifier.notify(*notices.pack_installed(result.title or result.pack_id, result.version))

    @Slot(object)
    def _notify_health(self, run: HealthRun) -> None:
        if not run.became_critical:
            return  # one notification when the verdict turns critical, not one per run
        bad = [r for r in run.report.results if r.status is HealthStatus.CRITICAL]
        self.notifier.notify(*notices.health_critical(
            [check_title(r.check_id, run.report.titles.get(r.check_id, r.check_id)) for r in bad]))

    @Slot(object)
    def _notify_new_entries(self, entries: list[ThreadEntry]) -> None:
        """One notification per step the vendor took in a conversation (a message, a proposal, a visit)."""
        requests = {request.id: request for request in self.support.requests}
        for entry in entries:
            request = requests.get(entry.request_id)
            number = (request.ticket_number or request.title) if request else ""
            self.notifier.notify(*notices.vendor_message(number, entry.author_name, entry_text(entry)
                                                         if entry.kind != EventKind.MESSAGE else entry.text or ""))

    @Slot(object)
    def _notify_visit_reminders(self, due: list[tuple[UpcomingVisit, str]]) -> None:
        for visit, kind in due:
            self.notifier.notify(*notices.visit_reminder(kind, visit.ticket_number or visit.title,
                                                         visit_slot_text(visit.slot)))

    @Slot(object)
    def _notify_status_changes(self, changes: list[StatusChange]) -> None:
        for change in changes:
            notice = notices.status_change(change.new.value, change.ticket_number or change.title,
                                           change.solution_text or change.title, change.system_opened)
            if notice is not None:
                self.notifier.notify(*notice)

    def switch_language(self, language: str, *, remember: bool = True) -> None:
        """Rebuild the window in ``language``; ``remember``: keep it as the user's menu choice."""
        if language == self.language:
            return
        if not self.translators.install(self.qapp, language):
            QMessageBox.warning(self.window, APP_NAME, self.tr("Không tìm thấy bản dịch cho ngôn ngữ này."))
            return
        self.language = language
        if remember:
            self._remember_language(language)
        if self.tray is not None:
            self.tray.retranslate()
        self._rebuild_window()

    def _rebuild_window(self) -> None:
        """A new window on the runtime as it is now (another language, or the settings the setup wrote)."""
        old = self.window
        if old is None:
            return  # tray only: the window is built in this language when first opened
        window = self.build_window()
        window.setGeometry(old.geometry())
        window.show_page(_current_key(old))
        visible = old.isVisible()
        old.hide_on_close = False
        old.quit_requested.disconnect()
        old.setup_requested.disconnect()
        old.close()
        old.deleteLater()
        if visible:
            window.show()

    def _remember_language(self, language: str) -> None:
        # Kept in the app's own state, never by rewriting the technician's settings file.
        self.runner.run(lambda: self.runtime.state.set(LANGUAGE_STATE_KEY, language),
                        on_failure=lambda exc: log.error("could not remember the language: %s", exc))

    def _on_level(self, level: Level) -> None:
        if self.tray is not None:
            self.tray.set_level(level)

    def quit(self) -> None:
        if self.tray is not None:
            self.tray.hide()
        self.qapp.quit()

    def shutdown(self) -> None:
        """Stop background work before the database closes under it."""
        # First, and synchronously (RemoteAssistDialog.end_at_exit says why): the runner stops just below.
        self.end_remote_sessions()
        self.daily.stop()
        self.visit_clock.stop()
        self.agent.shutdown()
        self.runner.shutdown(3000)
        if self.window_lock is not None:
            self.window_lock.release()  # the window is gone: an agent may hand over again
            self.window_lock = None

    def end_remote_sessions(self) -> None:
        """A remote-assistance session still running as the app quits (tray Thoát, Windows logging off) ends on
        record, as "app closed": its dialog is not closed by quitting, so its own ending never runs."""
        from app.ui.technician.remote_dialog import RemoteAssistDialog

        for widget in QApplication.topLevelWidgets():  # every window, the hidden and the parented ones too
            if isinstance(widget, RemoteAssistDialog):
                widget.end_at_exit()


def _current_key(window: MainWindow) -> str:
    return PAGE_KEYS[max(0, window.nav.currentRow())]
