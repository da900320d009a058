"""Builders for what every page, tab and dialog makes by hand: its title, buttons wired to their action, and the
rows and columns that hold them.

Each makes exactly the Qt calls the pages used to write out, so a page built with them looks the same. Texts are
translated at the call site (``push_button(self.tr("…"), …)``), where lupdate finds them in their own context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QLayout, QPushButton, QVBoxLayout, QWidget


class _Stretch:
    """The marker for ``addStretch(1)`` among a row's or a column's items."""


STRETCH: Final = _Stretch()

Item = QWidget | QLayout | tuple[QWidget | QLayout, int] | _Stretch
"""A widget or a layout (optionally with its stretch factor), or :data:`STRETCH` for the free space."""

BoxT = TypeVar("BoxT", bound=QBoxLayout)


def page_title(text: str) -> QLabel:
    """A main-window page's heading (styled by the window's ``QLabel#pageTitle`` rule)."""
    label = QLabel(text)
    label.setObjectName("pageTitle")
    return label


def push_button(text: str, on_click: Callable[..., object] | SignalInstance | None = None, *, tooltip: str = "",
                style: str = "", default: bool = False) -> QPushButton:
    """A button that runs ``on_click`` when clicked (a slot, or a signal to pass the click on to)."""
    button = QPushButton(text)
    button.setToolTip(tooltip)  # "" (no tooltip), "" (no style sheet) and False are a new button's own
    button.setStyleSheet(style)
    button.setDefault(default)
    if on_click is not None:
        button.clicked.connect(on_click)
    return button


def fill(layout: BoxT, *items: Item) -> BoxT:
    """Add ``items`` to ``layout`` in order and return it."""
    for item in items:
        if isinstance(item, _Stretch):
            layout.addStretch(1)
            continue
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def hbox(*items: Item, parent: QWidget | None = None) -> QHBoxLayout:
    """A row of ``items`` (the layout of ``parent`` when given)."""
    return fill(QHBoxLayout() if parent is None else QHBoxLayout(parent), *items)


def vbox(*items: Item, parent: QWidget | None = None) -> QVBoxLayout:
    """A column of ``items`` (the layout of ``parent`` when given)."""
    return fill(QVBoxLayout() if parent is None else QVBoxLayout(parent), *items)
