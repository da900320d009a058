"""A page for an area that is not built yet: says so plainly, and what it will do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app import HOTLINE


class ComingSoonPage(QWidget):
    """Title, a 'coming soon' line, what the area will offer, and the hotline."""

    def __init__(self, title: str, promises: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        soon = QLabel(self.tr("Tính năng này đang được xây dựng và sẽ có trong bản cập nhật sắp tới."))
        soon.setObjectName("comingSoon")
        soon.setWordWrap(True)
        intro = QLabel(self.tr("Khi hoàn thành, mục này sẽ giúp bạn:"))
        items = QLabel("".join(f"<li>{line}</li>" for line in promises).join(("<ul>", "</ul>")))
        items.setTextFormat(Qt.TextFormat.RichText)
        items.setWordWrap(True)
        hotline = QLabel(
            self.tr("Cần hỗ trợ ngay? Gọi đường dây nóng <b>%1</b> (24/7, kể cả cuối tuần và ngày lễ).")
            .replace("%1", HOTLINE)
        )
        hotline.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        for widget in (heading, soon, intro, items, hotline):
            layout.addWidget(widget)
        layout.addStretch(1)
