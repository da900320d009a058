"""The system-tray icon and its menu; its colour follows the shop's worst state."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app import APP_NAME, HOTLINE
from app.ui.i18n import tr_args
from app.ui.icons import status_icon
from app.ui.levels import Level
from app.ui.notices import level_tip


class Tray(QObject):
    """Tray icon with Open / Raise a support request / Quit.

    Signals:
        open_requested(): show the main window.
        support_requested(): open the support-request form.
        quit_requested(): quit the app for real.
    """

    open_requested = Signal()
    support_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.level = Level.OK
        self.icon = QSystemTrayIcon(status_icon(Level.OK), self)
        self.menu = QMenu()
        self.open_action = QAction(self)
        self.support_action = QAction(self)
        self.hotline_action = QAction(self)
        self.hotline_action.setEnabled(False)
        self.quit_action = QAction(self)
        self.open_action.triggered.connect(self.open_requested)
        self.support_action.triggered.connect(self.support_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        for action in (self.open_action, self.support_action, self.hotline_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every text (after a language switch)."""
        self.open_action.setText(self.tr("Mở PMV Support Assistant"))
        self.support_action.setText(self.tr("Gửi yêu cầu hỗ trợ…"))
        self.hotline_action.setText(tr_args(self.tr("Đường dây nóng 24/7: %1"), HOTLINE))
        self.quit_action.setText(self.tr("Thoát"))
        self.set_level(self.level)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> bool:
        if not self.available():
            return False
        self.icon.show()
        return True

    def hide(self) -> None:
        self.icon.hide()

    def set_level(self, level: Level) -> None:
        self.level = level
        self.icon.setIcon(status_icon(level))
        self.icon.setToolTip(f"{APP_NAME} – {level_tip(level)}")

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()
