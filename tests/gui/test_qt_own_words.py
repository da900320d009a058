"""Qt's own words in the Vietnamese window: a field's right-click menu and a message box's buttons.

Qt ships no Vietnamese catalogue (PySide6 carries qtbase_en among others, no qtbase_vi), so "&Paste" and "Cancel"
showed in English beside Vietnamese text. The contexts and source texts below are Qt's own, as Qt 6's qtbase
catalogues hold them (QLineEdit, QWidgetTextControl, QPlatformTheme); the Vietnamese is the words Windows uses for
the same commands.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPlainTextEdit

from app.ui.i18n import Translators

MENU_VI = ["&Hoàn tác", "&Làm lại", "Cắ&t", "&Sao chép", "&Dán", "Xóa", "Chọn tất cả"]
MENU_EN = ["&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All"]


def _menu(widget: QLineEdit | QPlainTextEdit) -> list[str]:
    menu = widget.createStandardContextMenu()
    try:
        return [action.text().split("\t")[0] for action in menu.actions() if not action.isSeparator()]
    finally:
        menu.deleteLater()


def _buttons() -> list[str]:
    box = QMessageBox()
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                           | QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Close)
    try:
        return [box.button(button).text() for button in (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No,
                                                          QMessageBox.StandardButton.Cancel,
                                                          QMessageBox.StandardButton.Close)]
    finally:
        box.deleteLater()


def test_a_fields_menu_and_a_message_boxs_buttons_are_in_vietnamese(qapp: QApplication) -> None:
    translators = Translators()  # kept: a translator is uninstalled when it is collected
    assert translators.install(qapp, "vi")
    assert _menu(QLineEdit()) == MENU_VI
    assert _menu(QPlainTextEdit())[:5] == MENU_VI[:5]
    assert _buttons() == ["&Có", "&Không", "Hủy", "Đóng"]


def test_in_english_they_are_qts_own_again(qapp: QApplication) -> None:
    earlier = Translators()  # another set that installed Vietnamese and is still alive
    assert earlier.install(qapp, "vi")
    translators = Translators()  # the window's, as a language switch uses it
    assert translators.install(qapp, "vi")
    assert translators.install(qapp, "en")
    try:
        assert _menu(QLineEdit()) == MENU_EN
        assert _buttons() == ["&Yes", "&No", "Cancel", "Close"]
    finally:
        assert translators.install(qapp, "vi")
    assert _menu(QLineEdit()) == MENU_VI  # and back


def test_a_language_whose_catalogue_is_missing_leaves_the_window_vietnamese_with_qts_words(qapp: QApplication) -> None:
    translators = Translators()
    assert translators.install(qapp, "vi")
    assert not translators.install(qapp, "fr")  # no pmv_support_fr.qm: it stays Vietnamese
    assert translators.language == "vi" and _menu(QLineEdit()) == MENU_VI
