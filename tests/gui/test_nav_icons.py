"""The navigation's icons: one drawing per area, shipped as SVG, gold on the dark list, dark when selected."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QIcon, QImage
from pytestqt.qtbot import QtBot

from app.infra.navigation import PAGE_KEYS
from app.infra.resources import icons_dir
from app.ui import nav_icons
from app.ui.main_window import MainWindow


def image(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal, size: int = 20) -> QImage:
    return icon.pixmap(size, size, mode).toImage().convertToFormat(QImage.Format.Format_ARGB32)


def inked(picture: QImage) -> list[QColor]:
    """The colours of the fully drawn pixels (the antialiased edges blend into the background)."""
    return [picture.pixelColor(x, y) for x in range(picture.width()) for y in range(picture.height())
            if picture.pixelColor(x, y).alpha() == 255]


def near(colour: QColor, wanted: QColor) -> bool:
    return max(abs(colour.red() - wanted.red()), abs(colour.green() - wanted.green()),
               abs(colour.blue() - wanted.blue())) <= 2


@pytest.fixture(autouse=True)
def fresh_icons():  # type: ignore[no-untyped-def]
    nav_icons.nav_icon.cache_clear()
    yield
    nav_icons.nav_icon.cache_clear()


@pytest.mark.parametrize("area", PAGE_KEYS)
def test_each_area_has_its_own_drawing_in_gold_and_dark_when_selected(qtbot: QtBot, area: str) -> None:
    assert (icons_dir() / f"nav-{area}.svg").is_file()  # shipped with resources/icons (wheel and bundle)
    icon = nav_icons.nav_icon(area)
    normal, selected = inked(image(icon)), inked(image(icon, QIcon.Mode.Selected))
    assert len(normal) > 20 and len(selected) > 20  # a drawing, not an empty square
    gold, dark = QColor(nav_icons.NORMAL_COLOUR), QColor(nav_icons.SELECTED_COLOUR)
    assert all(near(c, gold) for c in normal)
    assert all(near(c, dark) for c in selected)


def test_no_two_areas_share_a_drawing(qtbot: QtBot) -> None:
    drawings = {area: image(nav_icons.nav_icon(area), size=32) for area in PAGE_KEYS}
    for first, second in itertools.combinations(PAGE_KEYS, 2):
        assert drawings[first] != drawings[second], (first, second)


def test_the_window_shows_them_once_decorated(qtbot: QtBot) -> None:
    window = MainWindow("vi", decorate=False)
    qtbot.addWidget(window)
    blank = image(window.nav.item(0).icon())
    window.decorate()
    for row, area in enumerate(PAGE_KEYS):
        assert image(window.nav.item(row).icon()) == image(nav_icons.nav_icon(area))
    assert image(window.nav.item(0).icon()) != blank


def test_a_missing_file_leaves_the_name_without_an_icon(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(nav_icons, "icons_dir", lambda: tmp_path)  # an install that lost its icons
    assert nav_icons.nav_icon("devices").isNull()
    assert "nav-devices.svg" in caplog.text
