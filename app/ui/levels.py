"""Status levels shared by overview tiles, the tray icon and notifications."""

from __future__ import annotations

import enum

from PySide6.QtGui import QColor


class Level(enum.IntEnum):
    """Ordered so that ``max()`` gives the worst of several levels."""

    OK = 0
    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def color(self) -> QColor:
        return QColor(_COLORS[self])


_COLORS = {
    Level.OK: "#2e7d32",
    Level.INFO: "#1565c0",
    Level.WARNING: "#ef6c00",
    Level.CRITICAL: "#c62828",
}
