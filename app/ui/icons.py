"""Icons drawn at run time, so the tray can take the colour of the shop's state."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

from app.ui.levels import Level

GOLD = QColor("#c9a227")


def _badge(size: int, ring: QColor) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.04
    outer = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(ring))
    painter.drawEllipse(outer)
    inner = outer.adjusted(size * 0.12, size * 0.12, -size * 0.12, -size * 0.12)
    painter.setBrush(QBrush(GOLD))
    painter.drawEllipse(inner)
    # A small gold ingot shape over the letter keeps the icon readable at 16 px.
    painter.setPen(QPen(QColor("#ffffff")))
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(int(size * 0.42))
    painter.setFont(font)
    painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "P")
    painter.end()
    return pixmap


@cache
def status_icon(level: Level) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(_badge(size, level.color))
    return icon


def app_icon() -> QIcon:
    return status_icon(Level.OK)


def dot_pixmap(colour: Level | QColor, size: int = 12) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addEllipse(QRectF(1, 1, size - 2, size - 2))
    painter.fillPath(path, colour.color if isinstance(colour, Level) else colour)
    painter.end()
    return pixmap
