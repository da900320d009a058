"""A dismissible message strip across the top of the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui.levels import Level


class Banner(QFrame):
    """Shows a problem the user should know about without blocking the till."""

    def __init__(self, message: str, level: Level = Level.WARNING, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        background = {Level.WARNING: "#fff3e0", Level.CRITICAL: "#ffebee"}.get(level, "#e3f2fd")
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border-bottom: 2px solid {level.color.name()}; }}"
        )
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        close = QPushButton(self.tr("Đã hiểu"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
