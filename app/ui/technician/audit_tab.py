"""The technician audit log: who did what on this till, exportable and attachable to a request."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.infra.formatting import format_datetime
from app.runtime import Runtime
from app.storage.support_requests import AttachmentSource
from app.support.models import AttachmentKind, SupportRequest
from app.technician.actions import Action, audited
from app.technician.audit import AuditEntry
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.state import SupportState
from app.ui.support.texts import open_request_choices
from app.ui.tasks import TaskRunner
from app.ui.technician.context import tool_failure_text
from app.ui.technician.texts import action_name, result_name
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.tables import read_only_table

AUDIT_FILE = "nhat-ky-ky-thuat-vien.csv"


class AuditTab(QWidget):
    """Read by anyone who opens technician mode; export and attach only once unlocked."""

    def __init__(self, runtime: Runtime, runner: TaskRunner, support: SupportState,
                 technician: Callable[[], str | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self._support = support
        self._technician = technician
        self.since: dt.datetime | None = None  # the unlock: what this visit did goes with the request
        self.table = read_only_table([self.tr("Lúc"), self.tr("Kỹ thuật viên"), self.tr("Thao tác"),
                                      self.tr("Kết quả")])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.export_button = QPushButton(self.tr("Xuất CSV…"))
        self.export_button.clicked.connect(lambda: self.export())
        self.request_combo = QComboBox()
        # A long request title must not widen the window past a small screen (1024x768, 125 %).
        self.request_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.request_combo.setMinimumContentsLength(20)
        self.attach_button = QPushButton(self.tr("Gắn vào yêu cầu"))
        self.attach_button.clicked.connect(self.attach)
        self.message = MessageLabel()
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(self.request_combo, 2)
        row.addWidget(self.attach_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        support.changed.connect(self.show_requests)
        self.show_requests(support.requests)
        self.set_unlocked(False)
        self.load()

    def set_unlocked(self, unlocked: bool) -> None:
        for widget in (self.export_button, self.request_combo, self.attach_button):
            widget.setEnabled(unlocked)

    def load(self) -> None:
        self._runner.run(lambda: self._runtime.audit_log().entries(limit=200), on_success=self.show_entries,
                         context=self)

    def show_entries(self, entries: list[AuditEntry]) -> None:
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = [format_datetime(entry.at.astimezone()), entry.technician, action_name(entry.action),
                     result_name(entry.result)]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def show_requests(self, requests: list[SupportRequest]) -> None:
        self.request_combo.clear()
        for label, request_id in open_request_choices(requests):
            self.request_combo.addItem(label, request_id)

    def export(self, target: Path | None = None) -> None:
        if target is None:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Xuất nhật ký kỹ thuật viên"),
                                                    str(Path.home() / AUDIT_FILE), "CSV (*.csv)")
            if not chosen:
                return
            target = Path(chosen)
        audit, who = self._runtime.audit_log(), self._technician() or "?"
        self._runner.run(lambda: audited(audit, who, Action.AUDIT_EXPORT, lambda: audit.export_csv(target),
                                         lambda rows: {"rows": rows}),
                         on_success=lambda rows: self._done(tr_args(self.tr("Đã xuất %1 dòng.", "", rows), rows)),
                         on_failure=self._failed, context=self)

    def attach(self) -> None:
        request_id = self.request_combo.currentData()
        if not request_id:
            return
        audit, who, since = self._runtime.audit_log(), self._technician() or "?", self.since

        def write_csv() -> list[AttachmentSource]:
            folder = Path(tempfile.mkdtemp(prefix="pmv-audit-"))
            path = folder / AUDIT_FILE
            audited(audit, who, Action.AUDIT_ATTACH, lambda: audit.export_csv(path, since),
                    lambda rows: {"rows": rows}, request=request_id)
            return [AttachmentSource(path, AttachmentKind.FILE)]

        self.attach_button.setEnabled(False)
        self._support.attach(request_id, write_csv, "audit_log",
                             on_success=lambda _r: self._done(self.tr("Đã gắn nhật ký vào yêu cầu.")),
                             on_failure=self._failed, context=self)

    def _done(self, text: str) -> None:
        self.attach_button.setEnabled(True)
        self.message.show_message(text, Level.OK)
        self.load()

    def _failed(self, exc: BaseException) -> None:
        self.attach_button.setEnabled(True)
        self.message.show_message(tr_args(self.tr("Không thực hiện được: %1"), tool_failure_text(exc)), Level.CRITICAL)
        self.load()
