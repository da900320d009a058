"""Technician mode: the settings file as text, checked before it is saved (the old file is kept)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from app.infra.settings import LoadedSettings
from app.technician.actions import Action
from app.technician.settings_editor import SavedSettings, SettingsRejected, check_settings_text, save_settings_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.settings_texts import settings_problem_list
from app.ui.technician.context import ToolContext, tool_failure_text
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel


class SettingsTab(QWidget):
    """Shop, POS paths, printers (``[[devices.printers]]``), scanner ports, thresholds: one TOML text."""

    def __init__(self, ctx: ToolContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.path: Path = ctx.runtime.loaded.path
        self.file_label = QLabel(tr_args(self.tr("Tệp: %1"), self.path))
        self.file_label.setWordWrap(True)
        hint = QLabel(self.tr("Máy in tem: [[devices.printers]] (name, language, dpi, host/port, serial hoặc queue). "
                              "Máy quét: [devices] scanner_ports. Lưu xong cần mở lại phần mềm để áp dụng."))
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setStyleSheet("font-family: monospace;")
        self.check_button = push_button(self.tr("Kiểm tra"), self.check)
        self.save_button = push_button(self.tr("Lưu"), self.save)
        self.reload_button = push_button(self.tr("Đọc lại tệp"), self.load)
        self.message = MessageLabel()
        buttons = hbox(self.check_button, self.save_button, self.reload_button, STRETCH)
        vbox(self.file_label, hint, buttons, self.message, (self.editor, 1), parent=self)
        self.load()

    def load(self) -> None:
        path = self.path
        self._ctx.runner.run(lambda: path.read_text(encoding="utf-8-sig") if path.exists() else "",
                             on_success=self.editor.setPlainText, on_failure=self._failed, context=self)

    def check(self) -> None:
        text, path = self.editor.toPlainText(), self.path
        self._ctx.runner.run(lambda: check_settings_text(text, path), on_success=self._checked,
                             on_failure=self._failed, context=self)

    def _checked(self, loaded: LoadedSettings) -> None:
        if loaded.problems:
            self.message.show_message(
                self.tr("Chưa lưu được, cần sửa:") + "\n" + settings_problem_list(loaded.problems), Level.WARNING)
        else:
            self.message.show_message(self.tr("Cài đặt hợp lệ."), Level.OK)

    def save(self) -> None:
        text, path = self.editor.toPlainText(), self.path
        self.save_button.setEnabled(False)
        self._ctx.run(Action.SETTINGS_SAVE, lambda: save_settings_text(text, path), on_success=self._saved,
                      on_failure=self._failed, context=self,
                      summary=lambda saved: {"backup": saved.backup.name if saved.backup else None})

    def _saved(self, saved: SavedSettings) -> None:
        self.save_button.setEnabled(True)
        backup = saved.backup.name if saved.backup else "—"
        self.message.show_message(tr_args(self.tr("Đã lưu. Bản cũ giữ ở %1. Mở lại phần mềm để áp dụng."), backup),
                                  Level.OK)

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, SettingsRejected):
            text = settings_problem_list(exc.problems)
            self.message.show_message(self.tr("Không lưu: cài đặt có lỗi, tệp cũ giữ nguyên.") + "\n" + text,
                                      Level.CRITICAL)
        else:
            self.message.show_message(tr_args(self.tr("Không đọc hoặc ghi được tệp cài đặt: %1"),
                                              tool_failure_text(exc)), Level.CRITICAL)
