"""A page whose content scrolls when the window is smaller than it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget


def set_scrolling_content(page: QWidget, content: QWidget) -> None:
    """Give ``page`` a frameless, resizable scroll area holding ``content``, scrolling up and down only.

    Sideways scrolling hides the buttons on the right of a narrow window (a 1024x768 till at 125 %), so the
    content must fit the width: wrapping labels, button rows that wrap (``app.ui.widgets.flow``).
    """
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(content)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
