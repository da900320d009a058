"""The shop's contract and coverage as the GUI sees it, loaded in workers.

One :class:`WarrantyState` feeds the page, the overview tile and the
reminders, so the contract is read once per change, never on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.runtime import Runtime
from app.ui.feature_state import FeatureState
from app.ui.tasks import TaskRunner
from app.warranty.cache import WarrantySnapshot, snapshot_on
from app.warranty.reminders import due_reminder
from app.warranty.service import RefreshResult
from pmv_protocol.contract import Contract

log = logging.getLogger(__name__)


class WarrantyState(FeatureState):
    """Loads, refreshes and imports the contract in the background.

    Signals:
        changed(object): a new :class:`WarrantySnapshot`.
        refreshed(object): a :class:`RefreshResult` from the vendor server.
        refresh_failed(object): the exception that stopped a refresh outside the vendor's answer (the contract
            fetched could not be saved: a full disk, a locked folder); the saved contract stays as it was.
        imported(object): the imported :class:`Contract`.
        import_failed(object): the :class:`ContractError` (or OSError) that refused an import.
        reminder_due(int): coverage ends in at most this many days (30, 7 or 1); once each.
    """

    changed = Signal(object)
    refreshed = Signal(object)
    refresh_failed = Signal(object)
    imported = Signal(object)
    import_failed = Signal(object)
    reminder_due = Signal(int)

    def __init__(
        self, runtime: Runtime, runner: TaskRunner, today: Callable[[], dt.date] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runtime, runner, parent)
        self._today = today or runtime.shop_today
        self.snapshot: WarrantySnapshot | None = None

    def _read(self) -> WarrantySnapshot:
        return snapshot_on(self._runtime.contract_service().cached(), self._today())

    def _set(self, snapshot: WarrantySnapshot) -> None:
        self.snapshot = snapshot
        self.changed.emit(snapshot)

    def load(self) -> None:
        self._runner.run(self._read, on_success=self._set, on_failure=lambda exc: log.error("warranty load: %s", exc))

    def refresh(self, title: str = "") -> None:
        def job(_cancel: object, progress: Callable[[float, str], None]) -> tuple[RefreshResult, WarrantySnapshot]:
            progress(0.1, "")
            result = self._runtime.contract_service().refresh()
            progress(0.9, "")
            return result, self._read()

        def done(outcome: tuple[RefreshResult, WarrantySnapshot]) -> None:
            result, snapshot = outcome
            self._set(snapshot)
            self.refreshed.emit(result)

        def failed(exc: BaseException) -> None:
            log.error("contract refresh failed: %r", exc)
            self.refresh_failed.emit(exc)

        self._runner.run_job(job, on_success=done, on_failure=failed, title=title)

    def import_file(self, path: Path) -> None:
        def job() -> tuple[Contract, WarrantySnapshot]:
            contract = self._runtime.contract_service().import_file(path)
            return contract, self._read()

        def done(outcome: tuple[Contract, WarrantySnapshot]) -> None:
            contract, snapshot = outcome
            self._set(snapshot)
            self.imported.emit(contract)

        self._runner.run(job, on_success=done, on_failure=self.import_failed.emit)

    def check_reminders(self) -> None:
        def job() -> int | None:
            snapshot = self._read()
            if snapshot.coverage is None:
                return None
            return due_reminder(snapshot.coverage, self._runtime.state)

        def done(threshold: int | None) -> None:
            if threshold is not None:
                self.reminder_due.emit(threshold)

        self._runner.run(job, on_success=done, on_failure=lambda exc: log.error("reminders: %s", exc))

