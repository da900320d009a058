"""GUI start-up: the window (or, at logon, the tray icon) first; the shop's data behind it.

1. On the GUI thread, with Qt and the standard library only: the
   QApplication, the single-instance claim, the translator for the language
   :mod:`app.infra.early_settings` reads, and the main window's frame (navigation,
   menus, status bar, "loading" pages) painted; at logon (``--minimized``)
   only the tray icon.  This is why the first paint costs little more than a
   bare Qt window (``tests/bench/cold_start.py``).
2. A first-read thread reads what the overview shows with the standard
   library (:mod:`app.overview.first_read`) and the frame shows the overview
   filled with it, unless only the full start-up can say those values (new
   settings, a database to migrate, the demo).  Then a loader thread imports
   the data layer (pydantic, SQLAlchemy, APScheduler, the checks) and runs
   :func:`app.bootstrap.bootstrap` (settings, logging, crash capture, the
   database opened and migrated).  The window stays responsive meanwhile.
   At logon both wait until the window is first wanted: until then the
   tray's jobs run in short-lived processes (:mod:`app.ui.tray_jobs`) and
   the tray process stays as small as a bare Qt window.
3. Back on the GUI thread, :class:`app.ui.application.Application` takes the
   window and tray over: the pages go in, the background agent starts.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from app import APP_ID, APP_NAME, VENDOR, __version__
from app.infra.early_settings import first_paint_language
from app.storage.errors import StorageError
from app.ui.i18n import Translators
from app.ui.icons import app_icon
from app.ui.main_window import MainWindow

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.ui.application import Application
    from app.ui.single_instance import SingleInstance
    from app.ui.tray import Tray
    from app.ui.tray_jobs import TrayJobs

log = logging.getLogger(__name__)

# After an update applied at logon (--minimized), the new version's window is built this much after the tray
# shows, so the waiting update helper sees it build without slowing the till's logon.
WINDOW_BUILD_DELAY_MS = 3000

FIRST_PAINT_WAIT_MS = 500  # the first read starts at the frame's first paint, or after this at the latest
# The loader starts once the first read is on screen (they would compete for the interpreter), or after this at
# the latest: a read held up by a slow disk must not hold the start.
FIRST_READ_WAIT_MS = 1500

# The background agent and the garbage collector's freeze wait for the overview's first reads (they compete with
# them for the interpreter), or this long at the most, should a read never end.
AFTER_FILL_WAIT_MS = 5000

HANDED_OVER = "handed over"  # the loader's result when a waiting app version takes over instead

HEADLESS_PLATFORMS = ("offscreen", "minimal")  # Qt platforms with no screen: no one would see a dialog


def make_qapp() -> QApplication:
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


@dataclass
class Loaded:
    """What the loader thread hands the GUI thread: the open runtime and the language the app would choose."""

    runtime: Runtime
    language: str


def load_runtime(args: argparse.Namespace, closing: threading.Event | None = None) -> Loaded | str:
    """The loader thread's work: the data layer imported and opened; HANDED_OVER if an update takes over.

    ``closing``: set when the user quit while this ran; then no update is handed over (it would restart
    the app the user just closed).
    """
    from app.bootstrap import bootstrap

    runtime = bootstrap(args.config, demo=args.demo, log_to_stderr=args.no_err_windows)
    closed = closing is not None and closing.is_set()
    if not args.screenshot and not closed and hand_over_to_update(runtime):
        runtime.close()
        return HANDED_OVER
    # The first paint's guess (app.infra.early_settings) may have missed it; read here, off the GUI thread.
    language = runtime.interface_language(args.lang)
    # Imported here, off the GUI thread, so that it only has widgets left to build.
    import app.ui.application  # noqa: F401
    import app.ui.health.page  # noqa: F401
    import app.ui.pages.overview  # noqa: F401
    import app.ui.support.page  # noqa: F401
    import app.ui.warranty.page  # noqa: F401

    return Loaded(runtime, language)


def hand_over_to_update(runtime: Runtime) -> bool:
    """'Applied on the next start': if a verified version waits, let the helper switch and start it."""
    from app.background.registry import HandOverMoment, hand_over

    try:
        return hand_over(runtime, HandOverMoment.OPENING, sys.argv[1:])
    except OSError:
        log.exception("could not start the update helper; starting this version")
        return False


class Startup(QObject):
    """Runs one GUI start: first paint, the first read, the loader thread, then hands over to :class:`Application`.

    Signals:
        first_read(object): the first-read thread finished (the :class:`~app.overview.facts.OverviewFacts`, or
            None); queued to the GUI thread.
        loaded(object): the loader thread finished (a Runtime, HANDED_OVER or the exception); queued to the
            GUI thread.
    """

    first_read = Signal(object)
    loaded = Signal(object)

    def __init__(self, qapp: QApplication, args: argparse.Namespace, instance: SingleInstance | None) -> None:
        super().__init__()
        self.qapp = qapp
        self.args = args
        self.instance = instance
        self.translators = Translators()
        self.language = "vi"
        self.frame: MainWindow | None = None
        self.tray: Tray | None = None
        self.jobs: TrayJobs | None = None  # at logon, until the window is wanted
        self.app: Application | None = None
        self.runtime: Runtime | None = None
        self._wanted: str | None = None  # what the tray asked for before the data loaded ("open", "support")
        self._wanted_language: str | None = None  # chosen in the frame's menu before the data loaded
        self._frame_connections: list[Any] = []
        self._result: Any = None
        self._thread: threading.Thread | None = None
        self._first_read_started = False
        self._closing = threading.Event()  # the event loop has ended: a late "loaded" must start nothing
        self._loaded_language = "vi"
        self.loaded.connect(self._on_loaded)
        self.first_read.connect(self._on_first_read)

    # -- 1. first paint ---------------------------------------------------------------------------
    def run(self) -> int:
        args = self.args
        try:
            self.language = first_paint_language(args.config, demo=args.demo, requested=args.lang)
        except Exception:  # noqa: BLE001  (a guess for the first paint must never stop the start)
            log.exception("reading the language for the first paint")
            self.language = "vi"
        if not self.translators.install(self.qapp, self.language):
            self.language = "vi"
        if self.instance is not None:
            self.instance.activation_requested.connect(self._bring_forward)
        if args.minimized and not args.screenshot and _tray_available():
            from app.ui.tray import Tray

            self.tray = Tray()
            self.tray.open_requested.connect(self._bring_forward)
            self.tray.support_requested.connect(self._open_support)
            self.tray.quit_requested.connect(self._quit)
            self.tray.show()
            log.info("first paint: tray")
            if args.demo:
                QTimer.singleShot(0, self._start_loader)  # the demo's vendor server runs inside the app
            else:
                self._start_tray_jobs()
        else:
            frame = self._frame()
            frame.show()
            if args.screenshot and args.first_paint:
                return self._screenshot_now(frame)
            # The reads compete with the GUI thread for the interpreter: start them once the frame is on
            # screen (or after FIRST_PAINT_WAIT_MS if the window system never asks for a paint).
            frame.first_painted.connect(self._on_first_paint)
            QTimer.singleShot(FIRST_PAINT_WAIT_MS, self._start_first_read)
        try:
            return self.qapp.exec()
        finally:
            self._close()

    def _start_tray_jobs(self) -> None:
        """At logon: the jobs run in short-lived processes; the data layer loads when the window is wanted."""
        from app.ui.tray_jobs import TrayJobs

        assert self.tray is not None
        self.jobs = TrayJobs(self.tray, self.args, self)
        self.jobs.data_unusable.connect(self._start_loader)  # the loader meets the error and says it
        self.jobs.window_wanted.connect(self._start_loader)
        self.jobs.handed_over.connect(self._quit)
        QTimer.singleShot(0, self.jobs.start)

    def _on_first_paint(self) -> None:
        log.info("first paint: window")
        self._start_first_read()  # the navigation icons come with its overview (decorate() would compete with it)

    # -- 2a. the first read: the overview filled before the data layer loads -------------------------
    def _start_first_read(self) -> None:
        if self._first_read_started or self._closing.is_set():
            return  # started already (by the paint or the fallback timer), or the app has quit
        self._first_read_started = True
        threading.Thread(target=self._read_first, name="first read", daemon=True).start()
        QTimer.singleShot(FIRST_READ_WAIT_MS, self._start_loader)

    def _read_first(self) -> None:
        facts = None
        try:
            from app.overview.first_read import read_first

            facts = read_first(self.args.config, demo=self.args.demo)
            import app.ui.pages.overview  # noqa: F401  (here, so the GUI thread only builds widgets)
        except Exception:  # noqa: BLE001  (a first look must never stop the start: the loader reads it all)
            log.exception("the overview's first read")
        try:
            self.first_read.emit(facts)
        except RuntimeError:  # the app quit and this Startup is gone
            pass

    @Slot(object)
    def _on_first_read(self, facts: object) -> None:
        from app.overview.facts import OverviewFacts
        from pmv_protocol.shop_time import utc_now

        if self.frame is not None and not self._closing.is_set():
            if isinstance(facts, OverviewFacts):
                self.frame.show_first_read(facts, utc_now)
            QTimer.singleShot(0, self.frame.decorate)  # the navigation icons, with the overview
        QTimer.singleShot(0, self._start_loader)  # after the filled overview is painted

    def _quit(self) -> None:
        # exit(0), not quit(): Qt 6's quit() first asks every window to close, and the frame may be one
        # that hides instead.  Startup._close then waits for the loader and closes what it opened.
        self.qapp.exit(0)

    def _start_loader(self) -> None:
        if self._thread is not None or self._closing.is_set():
            return  # started already (by the paint or the fallback timer), or the app has quit
        self._thread = threading.Thread(target=self._load, name="start-up loader", daemon=True)
        self._thread.start()

    def _frame(self) -> MainWindow:
        if self.frame is None:
            self.frame = MainWindow(self.language, decorate=False)
            self.frame.hide_on_close = self.tray is not None  # at logon, closing it goes back to the tray
            self._frame_connections = [
                self.frame.quit_requested.connect(self._quit),
                self.frame.language_requested.connect(self._switch_language_later),
            ]
        return self.frame

    def _screenshot_now(self, frame: MainWindow) -> int:
        self.qapp.processEvents()
        return _save(frame, self.args.screenshot)

    # -- 2. the loader thread ---------------------------------------------------------------------
    def _load(self) -> None:
        try:
            self._result = load_runtime(self.args, self._closing)
        except BaseException as exc:  # noqa: BLE001  (reported on the GUI thread, never lost in this thread)
            self._result = exc
        self.loaded.emit(self._result)

    # -- while loading: the tray and a second launch can already ask for the window -------------------
    def _bring_forward(self) -> None:
        if self.app is not None:
            self.app.bring_forward()
            return
        self._wanted = self._wanted or "open"
        self._show_frame()

    def _open_support(self) -> None:
        if self.app is not None:
            self.app.open_support()
            return
        self._wanted = "support"
        self._show_frame()

    def _show_frame(self) -> None:
        frame = self._frame()
        frame.bring_forward()
        QTimer.singleShot(0, frame.decorate)
        self._start_first_read()  # at logon the data has not been loaded yet: the overview first, then the rest

    def _switch_language_later(self, language: str) -> None:
        self._wanted_language = language  # applied once the app can rebuild the window with its pages

    # -- 3. hand over to the Application -----------------------------------------------------------
    @Slot(object)
    def _on_loaded(self, result: object) -> None:
        if self._closing.is_set():
            return  # quit while loading: Startup._close closes what was opened
        if isinstance(result, StorageError):
            self._fail_storage(result)
        elif isinstance(result, BaseException):
            self._fail(result)
        elif result == HANDED_OVER:
            self.qapp.exit(0)
        else:
            assert isinstance(result, Loaded)
            self.runtime, self._loaded_language = result.runtime, result.language
            self._start_app()

    def _fail(self, error: BaseException) -> None:
        """Anything else that stops the start (a read-only data folder, a full disk, a broken install): said,
        not silent; exit code 1."""
        from PySide6.QtWidgets import QMessageBox

        from app.ui.start_texts import start_error_text  # the frame paints before the data layer loads

        self._say_failure(error)
        if self._dialogs_wanted():
            QMessageBox.critical(self.frame, APP_NAME, start_error_text(error))
        self.qapp.exit(1)

    def _fail_storage(self, error: StorageError) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.ui.start_texts import storage_error_text

        self._say_failure(error)
        if self._dialogs_wanted():
            QMessageBox.critical(self.frame, APP_NAME, storage_error_text(error))
        self.qapp.exit(1)

    def _dialogs_wanted(self) -> bool:
        """A modal dialog nobody can see never returns: none without a display (the offscreen and minimal
        platforms), for --screenshot (a script waits for it) or with --no-err-windows."""
        return not (self.args.no_err_windows or self.args.screenshot
                    or self.qapp.platformName() in HEADLESS_PLATFORMS)

    def _say_failure(self, error: BaseException) -> None:
        """One line on stderr in the window's language; the traceback to the log file only (a log on stderr,
        with --no-err-windows, would say it twice; before logging is set up there is no file)."""
        from app.cli_texts import line, start_failure

        record = log.makeRecord(log.name, logging.ERROR, __file__, 0, "start-up failed: %s", (error,),
                                (type(error), error, error.__traceback__))
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.FileHandler):
                handler.handle(record)
        print(line("error", start_failure(error), self.language), file=sys.stderr)

    def _start_app(self) -> None:
        """The Application takes the runtime, the tray and the painted frame over, one named step at a time."""
        from app.infra.memory import freeze_startup_objects

        app = self._create_application()
        if self.args.screenshot:
            take_screenshot(app, self.args.screenshot, self.args.page, self._frame(), done=self._screenshot_done)
            return
        self._hand_tray_over(app)
        # At logon the tray's first job process has already sent the start signal and recorded the start.
        already_started = self.jobs is not None and self.jobs.started_signalled
        self._build_window(app, send_start_signal=not already_started)
        # What the overview does not show waits for it to be filled: these reads competed with its own.
        self._once_overview_filled(app, lambda: self._start_periodic_looks(app))
        self._start_background_agent(app)
        if not already_started:
            self._record_start(app)  # at once: a start quit before the fill is still a start
        self._show_window(app)
        self._apply_language(app)
        self._open_what_the_tray_asked_for(app)
        self._open_setup_on_first_start(app)
        log.info("GUI ready (language %s, tray %s)", app.language, "on" if app.tray else "off")
        self._once_overview_filled(app, freeze_startup_objects)
        if app.window is not None:
            self._once_overview_filled(app, import_later_pages)

    def _create_application(self) -> Application:
        """The Application on the loaded runtime, in the language the frame was painted in; the frame's menu
        now speaks to it."""
        from app.ui.application import Application

        assert self.runtime is not None
        app = Application(self.qapp, self.runtime, self.args, translators=self.translators, language=self.language)
        self.app = app
        self.qapp.aboutToQuit.connect(app.shutdown)
        for connection in self._frame_connections:
            QObject.disconnect(connection)
        return app

    def _hand_tray_over(self, app: Application) -> None:
        """The tray shown at logon (or a new one) now answers to the app, with what it already told the shop."""
        if self.tray is not None:
            for signal in (self.tray.open_requested, self.tray.support_requested, self.tray.quit_requested):
                signal.disconnect()
            app.start_tray(self.tray)
        else:
            app.start_tray()
        if self.jobs is not None:
            app.notifier.history = list(self.jobs.notifier.history)  # what the tray said before, in the status bar

    def _send_start_signal(self, app: Application) -> None:
        """The update helper waits for this to know the new version starts (and rolls back without it): sent
        once the window exists, so a version whose window fails to build is rolled back."""
        from app.updates.app_swap import signal_started

        data_dir = app.runtime.paths.data_dir
        app.runner.run(lambda: signal_started(data_dir, __version__),
                       on_failure=lambda exc: log.error("start signal: %s", exc))

    def _build_window(self, app: Application, *, send_start_signal: bool) -> None:
        """The pages into the painted frame, then the start signal; at logon, the window only when first wanted."""
        from app.infra.memory import freeze_startup_objects
        from app.updates.app_swap import handover_file

        if self.frame is None and app.tray is not None:
            # At logon only the tray shows and the window is built when first wanted: it is ~25 MB the till
            # would otherwise hold all day (tests/bench/idle.py).  Except when the update helper is waiting
            # to see this version's window build (and rolls back without it).
            if handover_file(app.runtime.paths.data_dir).exists():
                def build_later() -> None:
                    app.ensure_window()
                    freeze_startup_objects()  # the window's objects live as long as the app too
                    self._send_start_signal(app)

                QTimer.singleShot(WINDOW_BUILD_DELAY_MS, build_later)
            elif send_start_signal:
                QTimer.singleShot(0, lambda: self._send_start_signal(app))
        else:
            app.build_window(self._frame())
            if send_start_signal:
                # Not after the fill: the update helper rolls back a version that quits without this signal.
                QTimer.singleShot(0, lambda: self._send_start_signal(app))

    @staticmethod
    def _start_periodic_looks(app: Application) -> None:
        """Coverage and visit reminders now, then the window's periodic looks (coverage, a quiet moment to update,
        the visit reminders)."""
        app.warranty.check_reminders()
        app.daily.start()
        app.support.conversations.check_reminders()
        app.visit_clock.start()

    def _once_overview_filled(self, app: Application, step: Callable[[], object]) -> None:
        """``step`` once the window's overview holds the shop's data (at once without a window, or once filled:
        whichever window is current then, a language switch rebuilds it), or after AFTER_FILL_WAIT_MS at the
        latest; never once the app has quit."""
        window = app.window
        if window is None or window.overview.is_filled:
            step()
            return
        done = False

        def once() -> None:
            nonlocal done
            if not done and not self._closing.is_set():
                done = True
                step()

        # Queued: the filled tiles are painted before the step runs.
        app.overview_filled.connect(lambda: QTimer.singleShot(0, once))
        QTimer.singleShot(AFTER_FILL_WAIT_MS, once)

    def _start_background_agent(self, app: Application) -> None:
        """The app's own agent runs the background jobs from now on, unless a headless agent already does.

        With a window, once its overview is filled: the agent's first jobs (the checks, the vendor poll and its
        keyring, the heartbeat) start at once and would compete with the overview's reads (issue 24's profile:
        ~150 ms later filled).  At logon, once the tray's job process has ended instead (it holds the lock)."""
        from app.background.jobs import agent_lock, window_lock

        def start_agent() -> None:
            app.agent_lock = agent_lock(app.runtime.paths.data_dir)
            if app.agent_lock is not None:
                app.agent.start()
            else:
                log.info("a headless agent already runs the background jobs; this window only shows them")

        if self.jobs is not None:
            # The tray's job process still running must not hand over to an update now that the app is open
            # (a window built already holds the lock: Application.build_window; a second take would fail).
            if app.window_lock is None:
                app.window_lock = window_lock(app.runtime.paths.data_dir)
            self.jobs.stop(then=start_agent)  # once a job process still running has ended (it holds the lock)
        else:
            self._once_overview_filled(app, start_agent)

    @staticmethod
    def _record_start(app: Application) -> None:
        """'The app started' in the activity the overview shows."""
        runtime = app.runtime
        app.runner.run(lambda: runtime.activity.add("app", "started", version=__version__),
                       on_success=lambda _entry: app.window.overview.refresh() if app.window else None)

    def _show_window(self, app: Application) -> None:
        if app.window is not None and (self.tray is None or app.window.isVisible()):
            app.window.show()  # at logon, a frame opened from the tray and hidden again stays hidden

    def _apply_language(self, app: Application) -> None:
        """The language chosen in the frame's menu while loading, else the app's own choice."""
        if self._wanted_language is not None:
            app.switch_language(self._wanted_language)
        elif self._loaded_language != app.language:
            # The first paint misread it (a damaged settings file, a busy database): follow the app's own
            # choice, without recording it as the user's menu choice.
            app.switch_language(self._loaded_language, remember=False)

    def _open_setup_on_first_start(self, app: Application) -> None:
        """No settings file yet: the setup wizard opens over the window (an installer's /ENROL=CODE filled in)."""
        if app.needs_setup() or self.args.enrol:
            app.bring_forward()
            app.open_setup(self.args.enrol or "")

    def _open_what_the_tray_asked_for(self, app: Application) -> None:
        if self._wanted == "support" and app.window is not None and app.window.isVisible():
            app.open_support()  # asked for while loading (the window came forward then)

    def _screenshot_done(self, status: int) -> None:
        self.qapp.exit(status)

    def _close(self) -> None:
        """After the event loop (the app's own shutdown ran on aboutToQuit): close what the loader opened."""
        self._closing.set()
        if self.jobs is not None:
            self.jobs.stop()  # a job process still running finishes its work on its own
        if self._thread is not None and self._thread.is_alive():
            log.info("waiting for start-up to finish before quitting (the database may be mid-upgrade)")
            self._thread.join()
        QCoreApplication.removePostedEvents(self)  # a "loaded" queued meanwhile is dropped, not delivered
        if self.runtime is None and isinstance(self._result, Loaded):
            self.runtime = self._result.runtime
        if self.runtime is not None:
            self.runtime.close()


LATER_PAGES = ("app.ui.devices.page",)  # built on their first visit (LazyPage), with code of their own


def import_later_pages() -> threading.Thread:
    """The code of the pages built on their first visit, imported in a thread once the overview is filled.

    The devices page brings the label engine and the scanner reader (~30 modules, ~60 ms on 2 cores): imported
    here, the cashier's first click on it only builds widgets (issue 24: a page switch <= 100 ms on the GUI
    thread).  Python's import lock makes a click during the import wait for it, never import twice.
    """
    import importlib

    def run() -> None:
        for name in LATER_PAGES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001  (only a head start: the first visit imports it again and says why)
                log.exception("importing %s ahead of its first visit", name)

    thread = threading.Thread(target=run, name="later pages", daemon=True)
    thread.start()
    return thread


def take_screenshot(app: Application, path: Path, page: str, frame: MainWindow, *,
                    done: Callable[[int], None], timeout_ms: int = 15000) -> None:
    """Put the pages in, wait for their background loads, save a PNG; ``done(0)`` on success."""
    window = app.build_window(frame)
    window.show_page(page)
    window.show()
    waited = 0

    def grab() -> None:
        nonlocal waited
        if app.runner.is_busy() and waited < timeout_ms:
            waited += 50
            QTimer.singleShot(50, grab)
            return
        done(_save(window, path))

    QTimer.singleShot(0, grab)


def _save(window: MainWindow, path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path), "PNG")
    except OSError as exc:
        log.error("cannot save screenshot %s: %s", path, exc)
        ok = False
    if ok:
        print(path)
        return 0
    print(f"{APP_ID}: error: could not save {path}", file=sys.stderr)
    return 1


def _tray_available() -> bool:
    from PySide6.QtWidgets import QSystemTrayIcon

    return QSystemTrayIcon.isSystemTrayAvailable()


def run_gui(args: argparse.Namespace) -> int:
    qapp = make_qapp()
    instance: SingleInstance | None = None
    if not args.screenshot:
        from app.ui.single_instance import SingleInstance, instance_key

        # Before anything touches the data dir: a second launch only hands over.
        instance = SingleInstance(instance_key(args.config, args.demo), qapp)
        if not instance.claim():
            print(f"{APP_ID}: already running; brought the open window forward")
            return 0
    try:
        return Startup(qapp, args, instance).run()
    finally:
        if instance is not None:
            instance.release()
