"""A main-window page of one feature, built on the feature's state controller."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.ui.feature_state import FeatureState
    from app.ui.tasks import TaskRunner

StateT = TypeVar("StateT", bound="FeatureState")


class FeaturePage(QWidget, Generic[StateT]):
    """Keeps the runtime, the runner for the page's own work and the feature's state (which outlives the page:
    the overview's tile and the tray show it too) as ``_runtime``, ``_runner`` and ``_state``."""

    def __init__(self, runtime: Runtime, runner: TaskRunner, state: StateT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self._state = state
