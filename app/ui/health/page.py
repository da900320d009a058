"""Kiểm tra hệ thống: one button, a verdict, results grouped by area with fix steps."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.health.model import Category, Status
from app.health.report_pdf import write_report
from app.health.service import categories
from app.infra.formatting import format_datetime
from app.runtime import Runtime
from app.storage.check_history import CheckState
from app.ui.failure_texts import failure_text, storage_failure_text
from app.ui.health.state import HealthRun, HealthState
from app.ui.health.texts import category_name, check_title, status_colour, status_name, verdict_name
from app.ui.i18n import said, tr_args
from app.ui.icons import dot_pixmap
from app.ui.tasks import TaskRunner
from app.ui.widgets.build import hbox, page_title, push_button, vbox
from app.ui.widgets.feature_page import FeaturePage
from app.ui.widgets.flow import FlowLayout
from pmv_protocol.shop_time import shop_time

VERDICT_COLOURS = {None: "#757575", Status.OK: "#2e7d32", Status.WARNING: "#ef6c00", Status.CRITICAL: "#c62828"}


class HealthPage(FeaturePage[HealthState]):
    """The cashier's system check.

    Signals:
        attach_requested(object): send the given :class:`HealthRun` with a support request.
    """

    attach_requested = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, state: HealthState,
                 parent: QWidget | None = None) -> None:
        super().__init__(runtime, runner, state, parent)
        self._category_map: dict[str, Category] | None = None
        heading = page_title(self.tr("Kiểm tra hệ thống"))
        self.verdict_card = QFrame()
        self.verdict_card.setObjectName("verdictCard")
        self.verdict = QLabel()
        self.verdict.setObjectName("verdictTitle")
        self.verdict_detail = QLabel()
        self.verdict_detail.setWordWrap(True)
        card = vbox(self.verdict, self.verdict_detail, parent=self.verdict_card)
        card.setContentsMargins(18, 12, 18, 12)

        self.run_button = push_button(self.tr("Kiểm tra ngay"), self.run_now,
                                      style="font-weight: 700; padding: 8px 22px; font-size: 11pt;")
        self.cancel_button = push_button(self.tr("Dừng"), state.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.hide()
        self.report_button = push_button(self.tr("Lưu báo cáo PDF…"), self._choose_report)
        self.attach_button = push_button(self.tr("Gửi kèm yêu cầu hỗ trợ"),
                                         lambda: self.attach_requested.emit(self._state.last))
        for button in (self.report_button, self.attach_button):
            button.setEnabled(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        # One line a check, its summary cut to the width; the selected check's whole story (summary, details,
        # since when, and the fix steps) in the pane below.  Fix steps as rows of the tree wrapped a word or two
        # a line beside the long check names at 1024x768 (the Details column was pushed off the screen).
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("Kiểm tra"), self.tr("Kết quả"), self.tr("Chi tiết")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(lambda current, _previous: self._show_detail(current))
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self._run: HealthRun | None = None

        # The buttons wrap on a narrow window (1024x768 at 125 %) instead of widening it; the progress of a
        # run goes on its own line below, where the name of the check being run has room.
        actions = FlowLayout()
        for button in (self.run_button, self.cancel_button, self.report_button, self.attach_button):
            actions.addWidget(button)
        self.progress_label.setWordWrap(True)
        progress_row = hbox((self.progress, 1), (self.progress_label, 1))
        layout = vbox(heading, self.verdict_card, actions, progress_row, self.message, (split, 1), parent=self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)

        state.started.connect(self._on_started)
        state.progressed.connect(self._on_progress)
        state.finished.connect(self.show_run)
        state.restored.connect(self._show_stored)
        state.failed.connect(self._on_failed)
        state.cancelled.connect(self._on_cancelled)
        self._set_verdict(None, self.tr("Bấm \u201cKiểm tra ngay\u201d để kiểm tra máy bán hàng trong vài giây."))
        if state.latest is not None:
            self.show_run(state.latest)

    def _set_verdict(self, verdict: Status | None, detail: str) -> None:
        self.verdict_card.setStyleSheet(
            f"QFrame#verdictCard {{ background: {VERDICT_COLOURS[verdict]}; border-radius: 8px; }}"
            "QFrame#verdictCard QLabel { color: white; } QLabel#verdictTitle { font-size: 18pt; font-weight: 700; }")
        self.verdict.setText(verdict_name(verdict))
        self.verdict_detail.setText(detail)

    def run_now(self) -> None:
        self._state.run_now(title=self.tr("Đang kiểm tra hệ thống…"))

    def _on_started(self) -> None:
        self.run_button.setEnabled(False)
        self.cancel_button.show()
        self.progress.setValue(0)
        self.progress.show()
        self.progress_label.setText("")
        self.progress_label.show()
        self.message.hide()

    def _on_progress(self, fraction: float, title: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress_label.setText(title)

    def _done(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.hide()
        self.progress.hide()
        self.progress_label.setText("")
        self.progress_label.hide()  # an empty line's height between the buttons and the list otherwise

    def _on_cancelled(self) -> None:
        self._done()
        self.message.setText(self.tr("Đã dừng kiểm tra; kết quả lần này không được lưu."))
        self.message.show()

    def _on_failed(self, exc: BaseException) -> None:
        self._done()
        self.message.setText(tr_args(self.tr("Không chạy được kiểm tra: %1."), failure_text(exc)))
        self.message.show()

    def _show_stored(self, run: HealthRun) -> None:
        if self._state.task is not None and not self._state.task.done:
            return  # a run of this window's is under way: its progress stays, its result follows
        self.show_run(run)

    def show_run(self, run: HealthRun) -> None:
        self._done()
        report = run.report
        counts = {status: sum(1 for r in report.results if r.status is status) for status in Status}
        when = format_datetime(report.finished_at)  # shop time, whatever the PC's zone
        if run.stored:
            # Read back from the history: only statuses and summaries were kept, so say when, and how to see more.
            detail = self.tr("Kết quả lần kiểm tra lúc %1: %2 đạt, %3 cảnh báo, %4 nghiêm trọng, %5 bỏ qua. "
                             "Bấm \u201cKiểm tra ngay\u201d để kiểm tra lại và xem cách khắc phục.")
        else:
            detail = self.tr("Lúc %1: %2 đạt, %3 cảnh báo, %4 nghiêm trọng, %5 bỏ qua.")
        warnings = counts[Status.WARNING] + counts[Status.UNKNOWN]  # a result it could not tell counts as a warning
        detail = tr_args(detail, when, counts[Status.OK], warnings, counts[Status.CRITICAL], counts[Status.SKIPPED])
        self._set_verdict(report.verdict, detail)
        # The PDF and the request attachment need a full run (details, fix steps): one this window made.
        self.report_button.setEnabled(not run.stored)
        self.attach_button.setEnabled(not run.stored)
        self._fill_tree(run)
        if report.not_recorded is not None:
            self._show_message(tr_args(self.tr("Kết quả lần này chưa được lưu vào lịch sử: %1."),
                                       storage_failure_text(report.not_recorded)))

    @property
    def _categories(self) -> dict[str, Category]:
        # Not at construction: it imports every check module (requests, psutil…) on the GUI thread at start-up.
        # By the time results are shown, the run's worker has imported them already.
        if self._category_map is None:
            self._category_map = categories()
        return self._category_map

    def _fill_tree(self, run: HealthRun) -> None:
        self._run = run
        self.tree.clear()
        groups: dict[Category, QTreeWidgetItem] = {}
        worst: dict[Category, Status] = {}
        for item in run.report.results:
            category = self._categories.get(item.check_id, Category.SERVICE)
            group = groups.get(category)
            if group is None:
                group = QTreeWidgetItem([category_name(category), "", ""])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                groups[category] = group
                self.tree.addTopLevelItem(group)
            title = check_title(item.check_id, run.report.titles.get(item.check_id, item.check_id))
            row = QTreeWidgetItem([title, status_name(item.status), said(item.summary)])
            row.setIcon(1, dot_pixmap(status_colour(item.status)))
            row.setForeground(1, QBrush(status_colour(item.status)))
            row.setData(0, Qt.ItemDataRole.UserRole, item.check_id)
            row.setToolTip(0, title)
            since = run.states.get(item.check_id)
            tooltip = said(item.details or item.summary)
            if since is not None:
                tooltip += "\n" + self._since_text(since)
            row.setToolTip(2, tooltip)
            group.addChild(row)
            if item.status.severity > worst.get(category, Status.SKIPPED).severity:
                worst[category] = item.status
        for category, group in groups.items():
            status = worst.get(category, Status.OK)
            group.setIcon(0, dot_pixmap(status_colour(status if status is not Status.SKIPPED else Status.OK)))
            group.setExpanded(True)
        self._fit_names()
        # The worst first, as listed: a critical check's fix steps are what the cashier needs on opening the page.
        statuses = run.report.by_id()
        rows = [group.child(i) for group in groups.values() for i in range(group.childCount())]
        for wanted in ((Status.CRITICAL,), (Status.WARNING, Status.UNKNOWN)):
            first = next((row for row in rows
                          if statuses[row.data(0, Qt.ItemDataRole.UserRole)].status in wanted), None)
            if first is not None:
                self.tree.setCurrentItem(first)
                return
        self._show_detail(None)

    def _since_text(self, since: CheckState) -> str:
        return tr_args(self.tr("Tình trạng này từ %1"), format_datetime(since.since))

    def _fit_names(self, *, to_contents: bool = True) -> None:
        """The names column as wide as its longest name, but never more than 45 % of the tree: the summary
        column keeps room for a few words, and the whole name is in the tooltip and the pane below."""
        if to_contents:
            self.tree.resizeColumnToContents(0)
        widest = int(self.tree.viewport().width() * 0.45)
        if widest > 0 and self.tree.columnWidth(0) > widest:
            self.tree.setColumnWidth(0, widest)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        if self._run is not None:
            self._fit_names(to_contents=False)  # only narrower: a width the cashier dragged is kept

    def _show_detail(self, row: QTreeWidgetItem | None) -> None:
        check_id = row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None
        run = self._run
        result = run.report.by_id().get(check_id) if run is not None and check_id else None
        if run is None or result is None:
            hint = self.tr("Chọn một mục kiểm tra để xem chi tiết và cách khắc phục.") if run is not None else ""
            self.detail.setHtml(f"<p style='color:#666'>{html.escape(hint)}</p>")
            return
        title = check_title(result.check_id, run.report.titles.get(result.check_id, result.check_id))
        colour = status_colour(result.status).name()
        parts = [f"<p><b>{html.escape(title)}</b> &nbsp;<span style='color:{colour}'><b>"
                 f"{html.escape(status_name(result.status))}</b></span></p>",
                 f"<p>{_lines(said(result.summary))}</p>"]
        if result.details:
            parts.append(f"<p style='color:#444'>{_lines(said(result.details))}</p>")
        since = run.states.get(result.check_id)
        if since is not None:
            parts.append(f"<p style='color:#666'><i>{html.escape(self._since_text(since))}</i></p>")
        if result.remedy and result.status not in (Status.OK, Status.SKIPPED):
            steps = _remedies().get(result.remedy, "")
            if steps:
                heading = self.tr("Cách khắc phục")
                parts.append(f"<p><b>{html.escape(heading)}</b></p><p>{_lines(said(steps))}</p>")
        elif run.stored and result.status not in (Status.OK, Status.SKIPPED):
            again = self.tr("Bấm “Kiểm tra ngay” để kiểm tra lại và xem cách khắc phục.")
            parts.append(f"<p style='color:#666'>{html.escape(again)}</p>")
        self.detail.setHtml("".join(parts))

    def _choose_report(self) -> None:
        stamp = shop_time(self._runtime.clock()).strftime("%Y%m%d-%H%M")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu báo cáo kiểm tra"),
                                              str(Path.home() / f"kiem-tra-he-thong-{stamp}.pdf"), "PDF (*.pdf)")
        if path:
            self.save_report(Path(path))

    def save_report(self, path: Path) -> None:
        run = self._state.last
        if run is None:
            return
        shop, cats = self._runtime.settings.shop, self._categories
        self._runner.run(
            lambda: write_report(run.report, shop, cats, _remedies(), path, words=said),  # in the window's language
            on_success=lambda saved: self._show_message(tr_args(self.tr("Đã lưu báo cáo: %1"), saved)),
            on_failure=lambda exc: self._show_message(
                tr_args(self.tr("Không lưu được báo cáo: %1."), failure_text(exc))),
            title=self.tr("Đang tạo báo cáo PDF…"), context=self,
        )

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


def _lines(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _remedies() -> dict[str, str]:
    from app.health.registry import remedies  # every check module: not at start-up (see _categories)

    return remedies()
