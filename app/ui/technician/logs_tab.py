"""Technician mode: the app's and the POS's logs, the recent part of each, searchable."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.infra.formatting import format_datetime
from app.technician.actions import Action
from app.technician.log_viewer import LogExcerpt, LogKind, LogSource, log_sources, read_log
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.technician.context import ToolContext, tool_failure_text
from app.ui.widgets.build import hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel


class LogsTab(QWidget):
    """Pick a log, optionally type what to look for; reading happens in a worker."""

    def __init__(self, ctx: ToolContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.sources: list[LogSource] = []
        self._seq = 0
        self.source_combo = QComboBox()
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("Tìm (không phân biệt hoa thường), ví dụ: ERROR, máy in, 1C26TVG"))
        self.query.returnPressed.connect(self.show_log)
        self.search_button = push_button(self.tr("Tìm"), self.show_log)
        self.refresh_button = push_button(self.tr("Làm mới danh sách"), self.load_sources)
        self.info = QLabel()
        self.message = MessageLabel()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setStyleSheet("font-family: monospace;")
        row = hbox((self.source_combo, 2), (self.query, 3), self.search_button, self.refresh_button)
        vbox(row, self.info, self.message, (self.text, 1), parent=self)
        self.source_combo.currentIndexChanged.connect(lambda _i: self.show_log())
        self.load_sources()

    def load_sources(self) -> None:
        runtime = self._ctx.runtime
        self._ctx.runner.run(lambda: log_sources(runtime.paths.log_dir, runtime.settings.pos.logs_dir),
                             on_success=self._set_sources, on_failure=self._failed, context=self)

    def _set_sources(self, sources: list[LogSource]) -> None:
        self.sources = sources
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        for source in sources:
            kind = self.tr("Ứng dụng") if source.kind is LogKind.APP else self.tr("Phần mềm bán hàng")
            when = format_datetime(dt.datetime.fromtimestamp(source.modified, dt.UTC))  # shop time
            self.source_combo.addItem(f"{kind}: {source.path.name} ({source.size // 1024} KB, {when})")
        self.source_combo.blockSignals(False)
        if not sources:
            self.info.setText(self.tr("Không tìm thấy tệp nhật ký nào."))
        if self.isVisible():
            self.show_log()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        # Read (and record reading) a log only when the technician looks at this tab.
        super().showEvent(event)
        if self.sources and not self.text.toPlainText():
            self.show_log()

    def show_log(self) -> None:
        index = self.source_combo.currentIndex()
        if not 0 <= index < len(self.sources):
            return
        path, query = self.sources[index].path, self.query.text()
        action = Action.SEARCH_LOG if query.strip() else Action.VIEW_LOG
        self._seq += 1
        seq = self._seq  # a slower earlier read must not overwrite a newer one
        self._ctx.run(action, lambda: read_log(path, query),
                      on_success=lambda excerpt: self._show(excerpt) if seq == self._seq else None,
                      on_failure=self._failed,
                      context=self, summary=lambda excerpt: {"matched": excerpt.matched}, file=path.name,
                      query=query)

    def _show(self, excerpt: LogExcerpt) -> None:
        self.message.hide()
        self.text.setPlainText("\n".join(line.text for line in excerpt.lines))
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())
        info = tr_args(self.tr("%1 dòng", "", excerpt.matched), excerpt.matched)
        if excerpt.truncated:
            info += " – " + self.tr("chỉ đọc phần cuối của tệp")
        self.info.setText(info)

    def _failed(self, exc: BaseException) -> None:
        self.message.show_message(tr_args(self.tr("Không đọc được nhật ký: %1"), tool_failure_text(exc)),
                                  Level.CRITICAL)
