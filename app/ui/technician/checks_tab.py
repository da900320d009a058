"""Technician mode: every check with its raw output (details, metrics, remedy code, timing)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTreeWidget, QTreeWidgetItem, QWidget

from app.health.model import HealthReport, Status
from app.health.output import to_dict
from app.health.registry import remedies
from app.technician.actions import Action
from app.ui.health.texts import checks_progress, status_colour, status_name, verdict_name
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.technician.context import ToolContext, tool_failure_text
from app.ui.widgets.build import hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel


class ChecksTab(QWidget):
    """Runs the full suite (recorded in the history like any run) and shows each check's JSON."""

    def __init__(self, ctx: ToolContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.results: list[dict[str, object]] = []
        self.run_button = push_button(self.tr("Chạy toàn bộ kiểm tra"), self.run_checks)
        # Two empty panes said nothing: what the tab is for, until the first run fills them.
        self.summary = QLabel(self.tr("Bấm “Chạy toàn bộ kiểm tra” để xem kết quả, thời gian và dữ liệu (JSON) "
                                      "của từng kiểm tra."))
        self.summary.setWordWrap(True)
        self.message = MessageLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Kiểm tra"), self.tr("Trạng thái"), self.tr("Thời gian (ms)")])
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setStyleSheet("font-family: monospace;")
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.raw)
        splitter.setSizes([300, 500])
        top = hbox(self.run_button, (self.summary, 1))
        vbox(top, self.message, (splitter, 1), parent=self)

    def run_checks(self) -> None:
        from app.health.service import run_health

        runtime = self._ctx.runtime
        self.run_button.setEnabled(False)
        self._ctx.run_job(Action.VIEW_CHECKS, lambda cancel, progress: run_health(
                              runtime, cancel=cancel, progress=checks_progress(progress)),
                          title=self.tr("Đang chạy kiểm tra chi tiết…"), on_success=self.show_report,
                          on_failure=self._failed, context=self,
                          summary=lambda report: {"verdict": report.verdict.value})

    def show_report(self, report: HealthReport) -> None:
        self.run_button.setEnabled(True)
        data = to_dict(report, remedies())
        self.results = list(data["results"])  # type: ignore[arg-type]
        self.tree.clear()
        for result in self.results:
            status = Status(str(result["status"]))
            item = QTreeWidgetItem(self.tree, [str(result["id"]), status_name(status), str(result["duration_ms"])])
            item.setForeground(1, status_colour(status))
            item.setToolTip(0, str(result["title"]))
        self.tree.resizeColumnToContents(0)
        checks = len(self.results)
        self.summary.setText(tr_args(self.tr("Kết luận: %1 – %2 kiểm tra", "", checks), verdict_name(report.verdict),
                                     checks))
        self.message.hide()
        if self.results:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _show_selected(self) -> None:
        item = self.tree.currentItem()
        index = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        if 0 <= index < len(self.results):
            self.raw.setPlainText(json.dumps(self.results[index], ensure_ascii=False, indent=2))

    def _failed(self, exc: BaseException) -> None:
        self.run_button.setEnabled(True)
        self.message.show_message(tr_args(self.tr("Không chạy được kiểm tra: %1"), tool_failure_text(exc)),
                                  Level.CRITICAL)
