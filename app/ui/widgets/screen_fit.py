"""Open windows no larger than the screen they are on.

Till PCs often have 1024×768 screens, and Windows' 125 % scaling leaves about
819×582 device-independent pixels above the taskbar. ``QWidget.resize`` does
not clamp a window to its screen, so a dialog that asks for 960×660 would open
with its buttons below the taskbar; every window that picks its own size goes
through :func:`fit_to_screen` instead.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

UNBOUNDED = (1 << 24, 1 << 24)


def available_size(widget: QWidget) -> tuple[int, int]:
    """The room on ``widget``'s screen (or the primary one) outside the taskbar, in device-independent pixels.

    Qt's ``offscreen`` platform (the tests, ``--screenshot`` on a server) makes up an 800×800 screen unless it is
    given a ``configfile`` describing one: there is no real screen to fit then, and windows keep the size they ask
    for, as on a large monitor. With a configfile (tests/gui/screens.py) its screen is fitted like a real one.
    """
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if QGuiApplication.platformName() == "offscreen" and "configfile=" not in platform:
        return UNBOUNDED
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all (a display going away): do not shrink anything
        return UNBOUNDED
    room = screen.availableGeometry().size()
    return room.width(), room.height()


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` × ``height``, or to its screen's available room where that is smaller."""
    room_width, room_height = available_size(widget)
    widget.resize(min(width, room_width), min(height, room_height))
