"""Technician mode: the app's database, updates now, the support bundle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox, QFileDialog, QGroupBox, QWidget

from app.infra.formatting import format_bytes
from app.technician.actions import Action
from app.technician.maintenance import IntegrityResult, VacuumResult, integrity_check, vacuum
from app.technician.support_bundle import BundleResult, write_support_bundle
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.technician.context import ToolContext, tool_failure_text
from app.ui.updates.state import UpdatesState
from app.ui.updates.texts import error_text
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel
from app.updates.service import UpdateRun


class MaintenanceTab(QWidget):
    """Buttons for the work a technician does on every visit; each one is audited."""

    def __init__(self, ctx: ToolContext, updates: UpdatesState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._updates = updates
        self.message = MessageLabel()

        db_box = QGroupBox(self.tr("Cơ sở dữ liệu của ứng dụng"))
        self.integrity_button = push_button(self.tr("Kiểm tra toàn vẹn"), self.check_integrity)
        self.vacuum_button = push_button(self.tr("Thu gọn (VACUUM)"), self.vacuum)
        hbox(self.integrity_button, self.vacuum_button, STRETCH, parent=db_box)

        updates_box = QGroupBox(self.tr("Cập nhật"))
        self.update_button = push_button(self.tr("Cập nhật ngay"), self.update_now)
        self.pack_combo = QComboBox()
        self.pack_combo.setPlaceholderText(self.tr("Không có gói nào có bản trước để quay lại"))
        self.rollback_button = push_button(self.tr("Quay lại bản trước"), self.rollback)
        hbox(self.update_button, (self.pack_combo, 1), self.rollback_button, parent=updates_box)

        bundle_box = QGroupBox(self.tr("Gói chẩn đoán (kèm nhật ký kỹ thuật viên)"))
        self.bundle_button = push_button(self.tr("Xuất gói chẩn đoán…"), self.export_bundle)
        hbox(self.bundle_button, STRETCH, parent=bundle_box)

        vbox(db_box, updates_box, bundle_box, self.message, STRETCH, parent=self)
        updates.packs_changed.connect(self._show_packs)
        self._show_packs(updates.packs)

    # -- database --------------------------------------------------------------
    def check_integrity(self) -> None:
        db = self._ctx.runtime.database
        self.integrity_button.setEnabled(False)
        self._ctx.run(Action.DB_INTEGRITY, lambda: integrity_check(db), on_success=self._integrity_done,
                      on_failure=self._failed, context=self,
                      summary=lambda r: {"ok": r.ok, "problems": r.problems[:20]})

    def _integrity_done(self, result: IntegrityResult) -> None:
        self.integrity_button.setEnabled(True)
        if result.ok:
            self.message.show_message(tr_args(self.tr("Cơ sở dữ liệu nguyên vẹn (%1 ms)."), result.duration_ms),
                                      Level.OK)
        else:
            self.message.show_message(self.tr("Cơ sở dữ liệu có lỗi:") + "\n" + "\n".join(result.problems[:10]),
                                      Level.CRITICAL)

    def vacuum(self) -> None:
        db = self._ctx.runtime.database
        self.vacuum_button.setEnabled(False)
        self._ctx.run(Action.DB_VACUUM, lambda: vacuum(db), on_success=self._vacuum_done, on_failure=self._failed,
                      context=self, summary=lambda r: {"before": r.bytes_before, "after": r.bytes_after})

    def _vacuum_done(self, result: VacuumResult) -> None:
        self.vacuum_button.setEnabled(True)
        point = QLocale().decimalPoint()  # 1,5 MB in Vietnamese, 1.5 MB in English
        self.message.show_message(tr_args(self.tr("Đã thu gọn: %1 → %2."),
                                          format_bytes(result.bytes_before, decimal=point),
                                          format_bytes(result.bytes_after, decimal=point)), Level.OK)

    # -- updates -----------------------------------------------------------------
    def _show_packs(self, packs: list[object]) -> None:
        self.pack_combo.clear()
        for pack in packs:
            previous = getattr(pack, "previous_version", None)
            if previous:
                self.pack_combo.addItem(f"{pack.id} {pack.version} → {previous}",
                                        pack.id)
        self.rollback_button.setEnabled(self.pack_combo.count() > 0)

    def update_now(self) -> None:
        updater = self._updates.updater
        self.update_button.setEnabled(False)
        self._ctx.run_job(Action.UPDATES_RUN, lambda cancel, progress: updater.run(cancel, progress),
                          title=self.tr("Đang cập nhật…"), on_success=self._updated, on_failure=self._failed,
                          context=self, summary=lambda run: {
                              "installed": [f"{r.pack_id} {r.version}" for r in run.installed],
                              "error": run.error.kind.value if run.error else None,
                              "app_staged": run.app_staged.version if run.app_staged else None})

    def _updated(self, run: UpdateRun) -> None:
        self.update_button.setEnabled(True)
        self._updates.ran.emit(run)
        if run.error is not None:
            self.message.show_message(error_text(run.error.kind), Level.WARNING)
        else:
            names = ", ".join(f"{r.pack_id} {r.version}" for r in run.installed if not r.unchanged) or "—"
            self.message.show_message(tr_args(self.tr("Đã kiểm tra cập nhật; gói mới cài: %1"), names), Level.OK)

    def rollback(self) -> None:
        pack_id = self.pack_combo.currentData()
        if not pack_id:
            return
        updater = self._updates.updater
        self._ctx.run(Action.UPDATES_ROLLBACK, lambda: updater.rollback(pack_id), on_success=self._rolled_back,
                      on_failure=self._failed, context=self, pack=pack_id,
                      summary=lambda r: {"now": r.version})

    def _rolled_back(self, result: object) -> None:
        self._updates.load()
        self.message.show_message(tr_args(self.tr("Đã quay lại %1 bản %2."), result.pack_id,
                                          result.version), Level.OK)

    # -- bundle ------------------------------------------------------------------
    def export_bundle(self, target: Path | None = None) -> None:
        if target is None:
            name = f"pmv-chan-doan-{dt.datetime.now():%Y%m%d-%H%M}.zip"
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu gói chẩn đoán"), str(Path.home() / name),
                                                    "Zip (*.zip)")
            if not chosen:
                return
            target = Path(chosen)
        runtime = self._ctx.runtime
        self.bundle_button.setEnabled(False)
        self._ctx.run_job(Action.BUNDLE_EXPORT, lambda cancel, progress: write_support_bundle(
            runtime, target, with_health=True, cancel=cancel, progress=progress),
            title=self.tr("Đang tạo gói chẩn đoán…"), on_success=self._bundled, on_failure=self._failed,
            context=self, summary=lambda r: {"file": r.path.name, "redacted": r.redacted})

    def _bundled(self, result: BundleResult) -> None:
        self.bundle_button.setEnabled(True)
        saved = self.tr("Đã lưu %1 (đã che %2 thông tin riêng tư).", "", result.redacted)
        self.message.show_message(tr_args(saved, result.path, result.redacted), Level.OK)

    def _failed(self, exc: BaseException) -> None:
        for button in (self.integrity_button, self.vacuum_button, self.update_button, self.bundle_button):
            button.setEnabled(True)
        self.message.show_message(tr_args(self.tr("Không thực hiện được: %1"), tool_failure_text(exc)), Level.CRITICAL)
