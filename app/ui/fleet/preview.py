"""Shows exactly what the next heartbeat delivery sends to the vendor (read-only, as the bundle's preview)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.ui.fleet.texts import nothing_to_send, preview_intro
from app.ui.widgets.screen_fit import fit_to_screen


class HeartbeatPreviewDialog(QDialog):
    """Xem dữ liệu gửi đi: the JSON bodies, request by request."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Dữ liệu gửi cho nhà cung cấp"))
        fit_to_screen(self, 760, 560)
        intro = QLabel(preview_intro())
        intro.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(text or nothing_to_send())
        close = QPushButton(self.tr("Đóng"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
