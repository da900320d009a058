"""Icons drawn at run time, so the tray can take the colour of the shop's state."""

from __future__ import annotations

from functools import cache

# No Qt namespace here: the app icon is drawn before the window's first paint, and PySide6 builds the
# Qt namespace's ~120 enums on first use (~20 ms; app/ui/main_window.py).
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QIcon, QPainter, QPainterPath, QPen, QPixmap

from app.infra.resources import icons_dir
from app.ui.levels import Level

GOLD = QColor("#c9a227")
TRANSPARENT = QColor(0, 0, 0, 0)


def _badge(size: int, ring: QColor) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(TRANSPARENT)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.04
    outer = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setPen(QPen(TRANSPARENT))
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
    metrics = QFontMetricsF(font)  # centred by hand: the alignment flags live in the Qt namespace
    centre = inner.center()
    painter.drawText(QPointF(centre.x() - metrics.horizontalAdvance("P") / 2,
                             centre.y() + (metrics.ascent() - metrics.descent()) / 2), "P")
    painter.end()
    return pixmap


@cache
def _drawn_icon(level: Level) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(_badge(size, level.color))
    return icon


@cache
def status_icon(level: Level) -> QIcon:
    """The badge in the level's colour; for OK, the shipped icon (``resources/icons``, the same badge).

    Loaded rather than drawn where it can be, because it is needed before the first paint (window and tray
    icon): drawing calls overloads that make PySide6 build the Qt namespace's ~120 enums (~25 ms of a start
    budgeted in tens of milliseconds).
    """
    if level is Level.OK:
        shipped = QIcon(str(icons_dir() / "pmv-support.png"))
        if not shipped.isNull():
            return shipped
    return _drawn_icon(level)


def app_icon() -> QIcon:
    return status_icon(Level.OK)


def blank_icon(size: int) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(TRANSPARENT)
    return QIcon(pixmap)


def dot_pixmap(colour: Level | QColor, size: int = 12) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(TRANSPARENT)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addEllipse(QRectF(1, 1, size - 2, size - 2))
    painter.fillPath(path, colour.color if isinstance(colour, Level) else colour)
    painter.end()
    return pixmap
