"""Cập nhật: regulation packs (what each changes and when it takes effect) and app updates."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QTableWidgetItem,
    QTextBrowser,
    QWidget,
)

from app import HOTLINE
from app.infra.formatting import format_datetime
from app.runtime import Runtime
from app.ui.fleet.telemetry_box import TelemetryBox
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.tasks import Task
from app.ui.updates.app_panel import AppUpdatePanel
from app.ui.updates.state import UpdatesState
from app.ui.updates.texts import (
    copy_folder_text,
    error_text,
    refused_packs_text,
    rule_line,
    usb_refusal_text,
    usb_result_text,
    what_changed,
)
from app.ui.updates.time_texts import effective_text
from app.ui.widgets.build import hbox, page_title, push_button, vbox
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.scroll import set_scrolling_content
from app.ui.widgets.tables import fit_table_height, read_only_table
from app.updates.install import InstallResult, PackStoreError
from app.updates.offline import CopyFolderError, OfflineCopyRefused, OfflineRefusal
from app.updates.pack_folders import InstalledPack
from app.updates.service import NotConfigured, RollbackRefused, UpdateRun
from app.updates.targets import UpdateError, UpdateErrorKind

log = logging.getLogger(__name__)


class UpdatesPage(QWidget):
    """The manager's view of regulation packs."""

    def __init__(self, runtime: Runtime, state: UpdatesState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._state = state
        heading = page_title(self.tr("Cập nhật quy định và phần mềm"))
        intro = QLabel(self.tr("Các gói quy định kinh doanh vàng do nhà cung cấp ký số, được tự động tải và cài "
                               "trước ngày có hiệu lực."))
        intro.setWordWrap(True)
        self.check_button = push_button(self.tr("Kiểm tra cập nhật"), self.check_now)
        self.usb_button = push_button(self.tr("Cập nhật từ USB…"), self.choose_usb_folder, tooltip=self.tr(
            "Cài các gói quy định và bản phần mềm từ bản sao nhà cung cấp chép vào USB, khi máy không có Internet. "
            "Bản sao được kiểm tra chữ ký như khi tải về."))
        self.rollback_button = push_button(self.tr("Quay lại bản trước"), self._rollback_selected)
        self.rollback_button.setEnabled(False)  # until a pack with a previous version is chosen
        # An import from USB: its progress and a way to stop it, on their own line while it runs.
        self.usb_progress = QProgressBar()
        self.usb_progress.setRange(0, 1000)
        self.usb_progress_label = QLabel()
        self.usb_progress_label.setWordWrap(True)
        self.usb_cancel_button = push_button(self.tr("Hủy"), self.cancel_usb_import)
        self._usb_task: Task | None = None
        self._usb_folder = Path()
        self.last = QLabel()
        self.last.setWordWrap(True)  # beside the buttons on a narrow (819 px) window
        self.message = MessageLabel()
        self.table = read_only_table([self.tr("Gói quy định"), self.tr("Phiên bản"), self.tr("Hiệu lực"),
                                      self.tr("Bản trước")], select_rows=True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.detail = QTextBrowser()
        buttons = hbox(self.check_button, self.usb_button, self.rollback_button, (self.last, 1))
        self.usb_row = QWidget()
        progress_row = hbox((self.usb_progress, 1), (self.usb_progress_label, 1), self.usb_cancel_button,
                            parent=self.usb_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.usb_row.hide()
        # The page scrolls when the till's window is smaller than it (the app panel and the telemetry box below
        # the packs need their wrapped lines in full).
        self.app_panel = AppUpdatePanel(runtime.settings.health.trading_hours)
        self.app_panel.restart_requested.connect(state.restart_requested)
        # What the till tells the vendor, and that update events are part of it (issue 23): said here too.
        self.telemetry = TelemetryBox(runtime, state.runner)
        content = QWidget()
        # The table as tall as its packs (one pack left blank rows while the pack's text below was cut); the page
        # scrolls when there are many.
        layout = vbox(heading, intro, buttons, self.usb_row, self.message, self.table, (self.detail, 1),
                      self.app_panel, self.telemetry, parent=content)
        layout.setContentsMargins(24, 20, 24, 20)
        self.detail.setMinimumHeight(130)
        set_scrolling_content(self, content)
        state.app_status_changed.connect(self.app_panel.show_status)
        if state.app_status is not None:
            self.app_panel.show_status(state.app_status)
        state.packs_changed.connect(self.show_packs)
        state.ran.connect(self.show_run)
        state.failed.connect(self._on_failed)
        state.imported.connect(self.show_import)
        state.import_failed.connect(self._on_import_failed)
        state.import_cancelled.connect(self._on_import_cancelled)
        state.rolled_back.connect(self._on_rolled_back)
        state.check_cancelled.connect(self._on_check_cancelled)
        self.show_packs(state.packs)

    def check_now(self) -> None:
        self.check_button.setEnabled(False)
        self._state.run_now(title=self.tr("Đang kiểm tra cập nhật…"))

    def show_packs(self, packs: list[InstalledPack]) -> None:
        today = self._runtime.shop_today()
        self.table.setRowCount(len(packs))
        for row, pack in enumerate(packs):
            cells = [pack.title_vi or pack.id, pack.version, effective_text(pack.effective_date, today),
                     pack.previous_version or "—"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(256, pack.id)
                self.table.setItem(row, column, item)
        fit_table_height(self.table)
        if not packs:
            self._show_hint(self._detail_hint(packs))
        if packs and not self.table.selectedItems():
            self.table.selectRow(0)
        # The same row may stay selected over a new list (a check installed 1.1.0): its pane and button follow.
        self._show_selected()
        last = self._state.last_success
        self.last.setText(tr_args(self.tr("Lần kiểm tra thành công gần nhất: %1"), format_datetime(last))
                          if last else "")  # shop time

    def _show_hint(self, text: str) -> None:
        # In the pane itself, wrapped and grey: a QTextEdit placeholder is drawn on one line, cut at the edge.
        self.detail.setHtml(f'<p style="color: #6b6b6b;">{html.escape(text)}</p>')

    def _detail_hint(self, packs: list[InstalledPack]) -> str:
        """What the detail pane says while it shows no pack (an empty pane reads as a fault)."""
        if not packs:
            return self.tr("Chưa có gói quy định nào trên máy này. Bấm “Kiểm tra cập nhật” để tải các gói "
                           "do nhà cung cấp ký; gói mới cũng được tự động tải và cài trước ngày có hiệu lực.")
        return self.tr("Chọn một gói quy định trong bảng phía trên để xem nội dung thay đổi và ngày có hiệu lực.")

    def _selected(self) -> InstalledPack | None:
        items = self.table.selectedItems()
        pack_id = items[0].data(256) if items else None
        return next((p for p in self._state.packs if p.id == pack_id), None)

    def _show_selected(self) -> None:
        pack = self._selected()
        # Only a pack with a version to go back to can be rolled back: the button did nothing, silently, else.
        self.rollback_button.setEnabled(pack is not None and bool(pack.previous_version))
        self.rollback_button.setToolTip(
            "" if pack is not None and pack.previous_version
            else self.tr("Chọn một gói có bản trước (cột “Bản trước”) để quay lại bản đó."))
        if pack is None:
            self._show_hint(self._detail_hint(self._state.packs))
            return
        content = self._state.contents.get(pack.id)  # read in the worker with the list: no file read here
        current = content.current if content is not None else None
        if current is None:  # never the previous pack's text under this one's name
            self._show_hint(self.tr("Không đọc được nội dung gói này trên máy; bấm “Kiểm tra cập nhật” để tải lại."))
            return
        rules = "".join(f"<li>{html.escape(rule_line(current, rule))}</li>" for rule in current.rules)
        changes_html = ""
        if pack.previous_version:
            changes = what_changed(content.previous, current) if content.previous is not None else []
            heading = tr_args(self.tr("Thay đổi so với bản %1"), pack.previous_version)
            lines = changes or [self.tr("Không thay đổi quy tắc nào")]
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            changes_html = f"<h4>{html.escape(heading)}</h4><ul>{items}</ul>"
        self.detail.setHtml(f"<h3>{html.escape(current.title_vi)}</h3><p><i>{html.escape(current.legal_reference)}"
                            f"</i></p><p>{html.escape(current.summary_vi)}</p><ul>{rules}</ul>{changes_html}")

    def show_run(self, run: UpdateRun) -> None:
        self.check_button.setEnabled(True)
        if run.error is not None:
            level = Level.CRITICAL if run.error.kind is UpdateErrorKind.SECURITY else Level.WARNING
            self.message.show_message(error_text(run.error.kind), level)
        elif run.installed:
            names = ", ".join(tr_args(self.tr("%1 (phiên bản %2)"), r.title or r.pack_id, r.version)
                              for r in run.installed if not r.unchanged)
            self.message.show_message(tr_args(self.tr("Đã cài gói quy định: %1"), names or "—"), Level.OK)
        elif run.app_staged is not None:
            self.message.show_message(tr_args(self.tr("Bản phần mềm %1 đã sẵn sàng để cài."), run.app_staged.version),
                                      Level.INFO)
        elif not run.refused_packs:
            self.message.show_message(self.tr("Đã cập nhật đầy đủ: không có gói mới."), Level.OK)
        if run.error is None and run.refused_packs:
            self.message.show_message(refused_packs_text(run), Level.WARNING)
        if run.app_stage_error is not None:
            self.app_panel.show_stage_error(run.app_stage_error)

    def _on_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self._show_selected()  # a refused or busy rollback: its button back, to try again
        if isinstance(exc, NotConfigured):
            text = self.tr("Máy này chưa nhận được cập nhật tự động: thiếu khóa xác thực của nhà cung cấp (đi kèm "
                           "bộ cài). Gọi %1 để kỹ thuật viên cài lại; phần mềm và các gói quy định hiện có vẫn dùng "
                           "bình thường.")
            self.message.show_message(tr_args(text, HOTLINE), Level.WARNING)
        elif isinstance(exc, UpdateError):
            # The kind, said once and in words; the technical detail is in the log (tuf_client logs it).
            level = Level.CRITICAL if exc.kind is UpdateErrorKind.SECURITY else Level.WARNING
            self.message.show_message(error_text(exc.kind), level)
        elif isinstance(exc, RollbackRefused):  # the pack changed since the page listed it (another process)
            text = (self.tr("Gói này chưa được cài trên máy này nên không có gì để quay lại.")
                    if exc.reason == RollbackRefused.UNKNOWN_PACK else
                    self.tr("Gói này không có bản trước để quay lại; bản đang dùng được giữ nguyên."))
            self.message.show_message(text, Level.INFO)
        elif isinstance(exc, PackStoreError):  # the packs' lock is held: the background update is installing
            self.message.show_message(self.tr(
                "Một tiến trình khác (cập nhật tự động) đang cài gói quy định; hãy chờ một lát rồi thử lại. Không "
                "có gì bị thay đổi."), Level.INFO)
        else:
            log.error("update run failed: %s", exc)
            text = self.tr("Không kiểm tra được cập nhật do lỗi không mong muốn; không cài gì, phần mềm và các gói "
                           "quy định vẫn như trước. Gọi %1 nếu lỗi lặp lại.")
            self.message.show_message(tr_args(text, HOTLINE), Level.WARNING)

    # -- Cập nhật từ USB… --------------------------------------------------------------------------------------

    def choose_usb_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục bản cập nhật trên USB"))
        if folder:
            self.import_from(Path(folder))

    def import_from(self, folder: Path) -> None:
        """Verify and install the copy in ``folder`` in the background, with its progress and a Cancel button."""
        if self._usb_task is not None:
            return
        self._usb_folder = folder
        for button in (self.check_button, self.usb_button, self.rollback_button):
            button.setEnabled(False)
        self.usb_progress.setValue(0)
        self.usb_progress_label.setText(tr_args(self.tr("Đang kiểm tra bản cập nhật trong %1…"), str(folder)))
        self.usb_cancel_button.setEnabled(True)
        self.usb_row.show()
        self.message.hide()
        task = self._state.import_offline(folder, title=self.tr("Đang cập nhật từ USB…"))
        task.progressed.connect(self._on_usb_progress)
        task.finished.connect(self._usb_done)
        self._usb_task = task

    def cancel_usb_import(self) -> None:
        if self._usb_task is not None:
            self.usb_cancel_button.setEnabled(False)
            self.usb_progress_label.setText(self.tr("Đang dừng…"))
            self._usb_task.cancel()

    def _on_usb_progress(self, fraction: float, message: str) -> None:
        self.usb_progress.setValue(int(fraction * 1000))
        if message:
            self.usb_progress_label.setText(tr_args(self.tr("Đang cài %1…"), message))

    def _usb_done(self) -> None:
        self._usb_task = None
        self.usb_row.hide()
        for button in (self.check_button, self.usb_button):
            button.setEnabled(True)
        self._show_selected()  # the rollback button only where the pack has a version to go back to

    def show_import(self, run: UpdateRun) -> None:
        error = run.error
        if isinstance(error, OfflineCopyRefused):
            level = Level.WARNING if error.problem in (OfflineRefusal.STALE, OfflineRefusal.INCOMPLETE) \
                else Level.CRITICAL
            self.message.show_message(usb_refusal_text(error), level)
        elif error is not None:
            self.message.show_message(error_text(error.kind), Level.WARNING)
        else:
            level = Level.OK if run.installed or run.calendars or run.app_staged else Level.INFO
            self.message.show_message(usb_result_text(run), Level.WARNING if run.refused_packs else level)
        if run.app_stage_error is not None:
            self.app_panel.show_stage_error(run.app_stage_error)

    def _on_import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CopyFolderError):
            self.message.show_message(copy_folder_text(exc.problem, str(self._usb_folder)), Level.WARNING)
        else:
            self._on_failed(exc)

    def _on_import_cancelled(self) -> None:
        self.message.show_message(self.tr("Đã dừng cập nhật từ USB; các gói đã cài xong trước đó vẫn được giữ."),
                                  Level.INFO)

    def _rollback_selected(self) -> None:
        pack = self._selected()
        if pack is None or not pack.previous_version:
            return
        question = tr_args(self.tr("Quay lại %1 bản %2 và bỏ bản %3? Bản %3 sẽ không tự cài lại trên máy này; "
                                   "bản mới hơn của nhà cung cấp vẫn được cài như thường."),
                           pack.title_vi or pack.id, pack.previous_version, pack.version)
        if not self._confirm(question):
            return
        self.rollback_button.setEnabled(False)  # one rollback at a time: the pane follows once it is done
        self._state.rollback(pack.id)

    def _confirm(self, question: str) -> bool:
        """Asked before a rollback (a seam: the tests answer it without a modal box)."""
        answer = QMessageBox.question(self, self.tr("Quay lại bản trước"), question)
        return answer == QMessageBox.StandardButton.Yes

    def _on_rolled_back(self, result: InstallResult) -> None:
        self.message.show_message(tr_args(self.tr("Đã quay lại %1 bản %2 (bỏ bản %3)."), result.title or result.pack_id,
                                          result.version, result.previous_version or "—"), Level.OK)

    def _on_check_cancelled(self) -> None:
        self.check_button.setEnabled(True)
        self.message.show_message(self.tr("Đã dừng kiểm tra cập nhật; các gói đã cài xong trước đó vẫn được giữ."),
                                  Level.INFO)
