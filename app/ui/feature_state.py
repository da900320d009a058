"""The common part of the features' state controllers (health, support, conversations, updates, warranty)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.ui.tasks import TaskRunner


class FeatureState(QObject):
    """Does a feature's work through the runtime in the runner's workers and hands the results back to the GUI
    thread as its subclass's signals, for the feature's page, its overview tile and the tray to show."""

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner

    @property
    def runner(self) -> TaskRunner:
        """The runner this state's work goes through (the page's other boxes use it too)."""
        return self._runner
