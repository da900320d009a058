"""The one way features tell the user something in the background.

Features call :meth:`Notifier.notify`; the notifier shows a tray balloon when
there is a tray, and always keeps a short history and emits ``notified`` so
the main window can put it in the status bar.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from app.ui.levels import Level

log = logging.getLogger(__name__)

_TRAY_ICONS = {
    Level.OK: QSystemTrayIcon.MessageIcon.Information,
    Level.INFO: QSystemTrayIcon.MessageIcon.Information,
    Level.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Level.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}


@dataclass(frozen=True)
class Notification:
    title: str
    message: str
    level: Level = Level.INFO
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())


class Notifier(QObject):
    """Shows and remembers notifications.

    Signals:
        notified(object): a :class:`Notification` was shown.
    """

    notified = Signal(object)

    HISTORY = 50

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray: QSystemTrayIcon | None = None
        self.history: list[Notification] = []

    def attach_tray(self, tray: QSystemTrayIcon | None) -> None:
        self._tray = tray

    def notify(self, title: str, message: str, level: Level = Level.INFO, timeout_ms: int = 8000) -> Notification:
        note = Notification(title, message, level)
        self.history = [note, *self.history][: self.HISTORY]
        log.info("notification [%s] %s: %s", level.name, title, message)
        if self._tray is not None and self._tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self._tray.showMessage(title, message, _TRAY_ICONS[level], timeout_ms)
        self.notified.emit(note)
        return note
