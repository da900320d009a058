"""A dashboard tile: a titled card with a coloured edge showing its level."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.ui.levels import Level


class Tile(QFrame):
    """One overview card.

    Signals:
        level_changed(object): the tile's :class:`Level` changed.
    """

    level_changed = Signal(object)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.level = Level.OK
        self.title_label = QLabel(title)
        self.title_label.setObjectName("tileTitle")
        self.value_label = QLabel("…")
        self.value_label.setObjectName("tileValue")
        self.value_label.setWordWrap(True)
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label = QLabel("")
        self.detail_label.setObjectName("tileDetail")
        self.detail_label.setWordWrap(True)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.detail_label)
        layout.addLayout(self.body)
        layout.addStretch(1)
        self._apply_style()

    def set_content(self, value: str, detail: str = "", level: Level | None = None) -> None:
        self.value_label.setText(value)
        self.value_label.setVisible(bool(value))
        self.detail_label.setText(detail)
        self.detail_label.setVisible(bool(detail))
        if level is not None:
            self.set_level(level)

    def set_level(self, level: Level) -> None:
        if level != self.level:
            self.level = level
            self._apply_style()
            self.level_changed.emit(level)

    def _apply_style(self) -> None:
        self.setStyleSheet(
            "QFrame#tile { background: #ffffff; border: 1px solid #dcdcdc; border-radius: 6px;"
            f" border-left: 5px solid {self.level.color.name()}; }}"
            "QLabel#tileTitle { color: #555555; font-size: 10pt; }"
            "QLabel#tileValue { color: #1a1a1a; font-size: 15pt; font-weight: 600; }"
            "QLabel#tileDetail { color: #444444; font-size: 9pt; }"
        )
