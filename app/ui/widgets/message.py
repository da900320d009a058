"""An inline message under a page's buttons: outcome of the last action, coloured by level."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.ui.levels import Level

_BACKGROUNDS = {Level.OK: "#e8f5e9", Level.INFO: "#e3f2fd", Level.WARNING: "#fff3e0", Level.CRITICAL: "#ffebee"}


class MessageLabel(QLabel):
    """Hidden until :meth:`show_message`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageMessage")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, level: Level) -> None:
        self.setStyleSheet(f"QLabel#pageMessage {{ background: {_BACKGROUNDS[level]}; "
                           f"border-left: 4px solid {level.color.name()}; padding: 8px; }}")
        self.setText(text)
        self.show()
