"""The updates feature's state: installed packs, the app update's status, runs on demand and on schedule."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app import __version__
from app.background.agent import BackgroundAgent
from app.background.registry import UPDATES
from app.runtime import Runtime
from app.ui.feature_state import FeatureState
from app.ui.tasks import Task, TaskRunner
from app.updates.app_swap import AppUpdateStatus, app_update_status
from app.updates.pack_folders import InstalledPack
from app.updates.service import LAST_SUCCESS_KEY, NotConfigured, Updater, UpdateRun
from pmv_protocol.packs import RegulationPack

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackContent:
    """An installed pack's rules as the page shows them, read from disk in the worker with the list."""

    current: RegulationPack | None
    previous: RegulationPack | None  # the version "what changed" compares against, where there is one


def read_contents(runtime: Runtime, packs: list[InstalledPack]) -> dict[str, PackContent]:
    store = runtime.pack_store
    return {pack.id: PackContent(store.current(pack.id),
                                 store.pack_at(pack.id, pack.previous_version) if pack.previous_version else None)
            for pack in packs}


class UpdatesState(FeatureState):
    """Installed packs and the last update run.

    Signals:
        packs_changed(object): the list of :class:`InstalledPack`.
        app_status_changed(object): an :class:`AppUpdateStatus` (running, waiting, last switch).
        ran(object): an :class:`UpdateRun` (on demand or scheduled).
        failed(object): an exception that stopped a run (e.g. no trusted root).
        imported(object): the :class:`UpdateRun` of an offline copy (a USB stick), refused or not.
        import_failed(object): an exception that stopped the import before it ran (not a copy, no trusted root).
        import_cancelled(): the import was stopped on request.
        rolled_back(object): the :class:`InstallResult` of a pack rolled back by hand.
        check_cancelled(): a check started here was stopped on request.
        restart_requested(): hand over to the waiting app version now (the Application does it).
    """

    packs_changed = Signal(object)
    app_status_changed = Signal(object)
    ran = Signal(object)
    failed = Signal(object)
    imported = Signal(object)
    import_failed = Signal(object)
    import_cancelled = Signal()
    rolled_back = Signal(object)
    check_cancelled = Signal()
    restart_requested = Signal()

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(runtime, runner, parent)
        self.updater = Updater(runtime)
        self.packs: list[InstalledPack] = []
        self.contents: dict[str, PackContent] = {}  # by pack id; the page's detail pane reads no file itself
        self.last_success: dt.datetime | None = None  # the last update check that reached the vendor
        self.app_status: AppUpdateStatus | None = None
        self.ran.connect(self._after_run)
        self.imported.connect(self._after_run)
        self.import_cancelled.connect(self.load)  # packs installed before the stop stay installed
        self.check_cancelled.connect(self.load)  # likewise for a check
        self.rolled_back.connect(lambda _result: self.load())

    def shop_today(self) -> dt.date:
        return self._runtime.shop_today()

    def load(self) -> None:
        runtime = self._runtime

        def read() -> tuple[list[InstalledPack], dict[str, PackContent], dt.datetime | None]:
            # The last good check is a database read, and each pack's rules a file: here, in the worker, with the
            # list (the page read them on the GUI thread each time the list or the selection changed).
            last = runtime.state.get(LAST_SUCCESS_KEY)
            packs = runtime.pack_store.installed()
            return packs, read_contents(runtime, packs), dt.datetime.fromisoformat(last) if last else None

        self._runner.run(read, on_success=lambda loaded: self._set_packs(*loaded),
                         on_failure=lambda exc: log.error("packs: %s", exc))
        self._runner.run(lambda: app_update_status(self._runtime.paths.data_dir, self.updater.app_install,
                                                   __version__),
                         on_success=self._set_app_status, on_failure=lambda exc: log.error("app update: %s", exc))

    def _set_app_status(self, status: AppUpdateStatus) -> None:
        self.app_status = status
        self.app_status_changed.emit(status)

    def _set_packs(self, packs: list[InstalledPack], contents: dict[str, PackContent] | None = None,
                   last_success: dt.datetime | None = None) -> None:
        self.packs = packs
        self.contents = contents or {}
        self.last_success = last_success
        self.packs_changed.emit(packs)

    @Slot(object)
    def _after_run(self, _run: UpdateRun) -> None:
        self.load()

    def run_now(self, title: str = "") -> None:
        self._runner.run_job(lambda cancel, progress: self.updater.run(cancel, progress),
                             on_success=self.ran.emit, on_failure=self.failed.emit,
                             on_cancelled=self.check_cancelled.emit, title=title, cancellable=True)

    def import_offline(self, folder: Path, title: str = "") -> Task:
        """Verify and install the offline copy in ``folder`` (app/updates/offline.py) in the background."""
        from app.updates.offline import import_offline

        return self._runner.run_job(
            lambda cancel, progress: import_offline(self.updater, folder, cancel=cancel, progress=progress),
            on_success=self.imported.emit, on_failure=self.import_failed.emit,
            on_cancelled=self.import_cancelled.emit, title=title, cancellable=True)

    def rollback(self, pack_id: str) -> None:
        self._runner.run(lambda: self.updater.rollback(pack_id), on_success=self.rolled_back.emit,
                         on_failure=self.failed.emit)

    def register(self, agent: BackgroundAgent) -> None:
        agent.add(UPDATES, self._scheduled, self._runtime.settings)  # soon after start, then every few hours

    def _scheduled(self) -> None:  # an agent thread
        try:
            self.ran.emit(self.updater.run())
        except NotConfigured as exc:
            log.info("updates not configured: %s", exc)
        except Exception:
            log.exception("scheduled update failed")
