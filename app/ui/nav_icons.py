"""The navigation's area icons: line drawings shipped as SVG (``resources/icons/nav-<area>.svg``).

Each file strokes in ``currentColor``, which Qt's SVG renderer does not take
from the palette; the colour is filled in here, gold on the dark navigation
and dark on the gold of the selected row (the text's colours in the main
window's style sheet). Loaded after the window's first paint (QtSvg costs a
few milliseconds), by :meth:`app.ui.main_window.MainWindow.decorate`.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.infra.resources import icons_dir

log = logging.getLogger(__name__)

NORMAL_COLOUR = "#e3c35a"  # the brand's gold, lightened to stand out on #2b2b2b
SELECTED_COLOUR = "#1a1a1a"  # as the selected row's text, on #c9a227
SIZES = (20, 25, 30, 40)  # the navigation's 20 px at 100, 125, 150 and 200 % scaling


def _pixmap(renderer: QSvgRenderer, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@cache
def nav_icon(area: str) -> QIcon:
    """The icon of navigation area ``area`` (a key of ``app.infra.navigation.PAGE_KEYS``).

    Empty if its file is missing.
    """
    path = icons_dir() / f"nav-{area}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError as exc:  # a damaged install: the names still say where each area is
        log.warning("navigation icon %s: %s", path, exc)
        return QIcon()
    icon = QIcon()
    for mode, colour in ((QIcon.Mode.Normal, NORMAL_COLOUR), (QIcon.Mode.Selected, SELECTED_COLOUR)):
        renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", colour).encode("utf-8")))
        for size in SIZES:
            icon.addPixmap(_pixmap(renderer, size), mode)
    return icon
