"""The support-request form with the keyboard and a screen reader: Tab walks the fields (it never types a tab into
the description sent to the vendor), the form opens on its first field, an empty send puts the cursor where the
first fix is needed, and every field is named by the label printed beside it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.service import FormField
from app.ui.support.form import RequestForm
from app.ui.support.page import SupportPage
from app.ui.support.state import SupportState
from app.ui.support.tile import SupportTile

# Wednesday 25/11/2026 10:00 in Hồ Chí Minh City: inside working hours (no hotline banner above the fields).
MORNING = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


def _shown_form(qtbot: QtBot, runtime: Runtime, page_and_tile) -> RequestForm:
    _page, _tile, state, runner = page_and_tile(SupportPage, SupportTile, SupportState, runtime,
                                                 clock=lambda: MORNING)
    form = RequestForm(runtime, runner, state)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    return form


def _focus() -> QWidget | None:
    return QApplication.focusWidget()


def _label_of(form: QWidget, field: QWidget) -> QLabel:
    (label,) = [label for label in form.findChildren(QLabel) if label.buddy() is field]
    return label


def test_tab_leaves_the_description_for_the_contact_fields(qtbot: QtBot, runtime: Runtime, page_and_tile) -> None:
    form = _shown_form(qtbot, runtime, page_and_tile)
    form.title.setFocus()
    qtbot.keyClicks(form.title, "May quet khong nhan ma")  # QTest types ASCII only (no Vietnamese marks)
    qtbot.keyClick(form.title, Qt.Key.Key_Tab)
    assert _focus() is form.description
    qtbot.keyClicks(form.description, "Quet ra chu la")
    qtbot.keyClick(form.description, Qt.Key.Key_Tab)
    assert _focus() is form.contact_name
    qtbot.keyClicks(form.contact_name, "Chi Lan")
    qtbot.keyClick(form.contact_name, Qt.Key.Key_Tab)
    assert _focus() is form.contact_phone
    qtbot.keyClick(form.contact_phone, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(form.contact_name, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert _focus() is form.description  # and back
    assert form.description.toPlainText() == "Quet ra chu la"  # no '\t' goes to the vendor


def test_the_form_opens_on_its_first_field_and_tab_never_stops_on_the_scroll_area(
    qtbot: QtBot, runtime: Runtime, page_and_tile
) -> None:
    form = _shown_form(qtbot, runtime, page_and_tile)
    assert _focus() is form.category  # typing at once goes into the form, not into the scroll area
    stops: list[QWidget | None] = []
    while len(stops) < 40 and (not stops or _focus() is not form.category):
        stops.append(_focus())
        qtbot.keyClick(_focus(), Qt.Key.Key_Tab)
    assert form.body not in stops
    assert {form.title, form.description, form.contact_name, form.contact_phone, form.send_button} <= set(stops)


def test_an_empty_send_puts_the_cursor_on_the_first_field_to_fix(
    qtbot: QtBot, runtime: Runtime, page_and_tile
) -> None:
    form = _shown_form(qtbot, runtime, page_and_tile)
    form.title.setFocus()
    qtbot.keyClicks(form.title, "May quet khong nhan ma")
    qtbot.keyClick(form.title, Qt.Key.Key_Return)  # Enter: the default button, Gửi yêu cầu
    assert not form.errors[FormField.CONTACT_NAME].isHidden()
    assert _focus() is form.contact_name  # the first wrong field, not the title that was fine
    # A screen reader says why along with the field's name.
    assert form.contact_name.accessibleDescription() == form.errors[FormField.CONTACT_NAME].text()

    form.title.clear()
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
    assert _focus() is form.title
    qtbot.keyClicks(form.title, "May quet khong nhan ma")
    qtbot.keyClicks(form.contact_name, "Chi Lan")
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
    assert _focus() is form.contact_phone
    assert form.contact_name.accessibleDescription() == ""  # fixed: nothing more to say


def test_on_a_short_screen_the_field_to_fix_is_scrolled_into_view(
    qtbot: QtBot, runtime: Runtime, page_and_tile
) -> None:
    form = _shown_form(qtbot, runtime, page_and_tile)
    form.resize(form.width(), 260)  # 1024x768 at 150 %: the fields scroll between the banner and the buttons
    qtbot.waitUntil(lambda: form.body.verticalScrollBar().maximum() > 0)
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)  # all empty: the title, at the top
    assert _focus() is form.title
    form.title.setText("May quet khong nhan ma")
    form.contact_name.setText("Chi Lan")
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)  # the phone is missing, at the bottom
    assert _focus() is form.contact_phone
    viewport = form.body.viewport()
    for widget in (form.contact_phone, form.errors[FormField.CONTACT_PHONE]):  # the field and why, on screen
        corners = (widget.rect().topLeft(), widget.rect().bottomRight())
        assert all(viewport.rect().contains(widget.mapTo(viewport, corner)) for corner in corners)


def test_every_field_is_named_by_its_label(qtbot: QtBot, runtime: Runtime, page_and_tile) -> None:
    form = _shown_form(qtbot, runtime, page_and_tile)
    named = {form.category: "Loại yêu cầu", form.title: "Tiêu đề", form.description: "Mô tả",
             form.contact_name: "Người liên hệ", form.contact_phone: "Số điện thoại",
             form.channel: "Cách hỗ trợ mong muốn", form.files: "Đính kèm"}
    for field, text in named.items():
        assert _label_of(form, field).text() == text
        assert field.accessibleName() == text  # Windows: a combo box was announced by its value alone
        # Linux (AT-SPI) reads a combo box's name from its label relation, which the buddy makes.
        relations = QAccessible.queryAccessibleInterface(field).relations(QAccessible.RelationFlag.Label)
        assert [other.text(QAccessible.Text.Name) for other, _relation in relations] == [text]


def test_the_names_follow_a_language_switch(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.build_window()
    app.switch_language("en")
    form = app.window.open_request_form()
    qtbot.addWidget(form)
    assert _label_of(form, form.title).text() == "Title"
    assert (form.title.accessibleName(), form.contact_phone.accessibleName()) == ("Title", "Phone number")
