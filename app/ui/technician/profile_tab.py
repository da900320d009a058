"""Sao lưu để cài lại: export the shop profile, or restore one on a new PC after showing what it would change."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QFileDialog, QFormLayout, QGroupBox, QLineEdit, QTextBrowser, QWidget

from app.technician.actions import Action
from app.technician.profile import FILE_SUFFIX, ProfileError, ProfileProblem, ShopFiles
from app.technician.profile_export import ExportResult, export_profile
from app.technician.profile_import import ImportPlan, ImportResult, apply_import, plan_import
from app.technician.profile_read import Profile, read_profile
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.technician.context import ToolContext, tool_failure_text
from app.ui.technician.texts import export_note_text, pack_action_text, part_action_text, profile_problem_text
from app.ui.widgets.build import hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel


class ProfileTab(QWidget):
    """Export on the old PC, import on the new one; both audited, nothing replaced without the tick."""

    def __init__(self, ctx: ToolContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.profile: Profile | None = None
        self.plan: ImportPlan | None = None

        export_box = QGroupBox(self.tr("Sao lưu cấu hình cửa hàng (để cài lại trên máy mới)"))
        self.include_secrets = QCheckBox(self.tr("Kèm mã cửa hàng và mật khẩu (được mã hóa bằng cụm mật khẩu)"))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("Cụm mật khẩu, ít nhất 8 ký tự"))
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again.setPlaceholderText(self.tr("Gõ lại cụm mật khẩu"))
        self.export_button = push_button(self.tr("Sao lưu…"), lambda: self.export())
        export_form = QFormLayout(export_box)
        export_form.addRow(self.include_secrets)
        export_form.addRow(self.tr("Cụm mật khẩu:"), self.passphrase)
        export_form.addRow(self.tr("Nhập lại:"), self.passphrase_again)
        export_form.addRow(self.export_button)
        self.include_secrets.toggled.connect(self._secrets_toggled)
        self._secrets_toggled(False)

        import_box = QGroupBox(self.tr("Khôi phục từ bản sao lưu"))
        self.open_button = push_button(self.tr("Chọn tệp sao lưu…"), lambda: self.open_profile())
        self.plan_view = QTextBrowser()
        self.import_passphrase = QLineEdit()
        self.import_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_passphrase.setPlaceholderText(self.tr("Cụm mật khẩu của bản sao lưu (nếu có phần bí mật)"))
        self.import_passphrase.editingFinished.connect(self._replan)
        self.overwrite = QCheckBox(self.tr("Cho phép ghi đè những gì đang có trên máy này"))
        self.import_button = push_button(self.tr("Khôi phục"), self.restore)
        self.import_button.setEnabled(False)
        import_row = hbox(self.open_button, (self.import_passphrase, 1))
        restore_row = hbox((self.overwrite, 1), self.import_button)
        vbox(import_row, (self.plan_view, 1), restore_row, parent=import_box)

        self.message = MessageLabel()
        vbox(export_box, (import_box, 1), self.message, parent=self)

    def _secrets_toggled(self, on: bool) -> None:
        self.passphrase.setEnabled(on)
        self.passphrase_again.setEnabled(on)

    # -- export ----------------------------------------------------------------
    def export(self, target: Path | None = None) -> None:
        include = self.include_secrets.isChecked()
        passphrase = self.passphrase.text() if include else None
        if include and passphrase != self.passphrase_again.text():
            self.message.show_message(self.tr("Hai lần gõ cụm mật khẩu không khớp."), Level.WARNING)
            return
        if target is None:
            runtime = self._ctx.runtime
            name = f"{runtime.settings.shop.shop_id or 'cua-hang'}-{dt.date.today():%Y%m%d}{FILE_SUFFIX}"
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu bản sao lưu"), str(Path.home() / name),
                                                    f"PMV (*{FILE_SUFFIX})")
            if not chosen:
                return
            target = Path(chosen)
        runtime = self._ctx.runtime
        self.export_button.setEnabled(False)
        self._ctx.run(Action.PROFILE_EXPORT, lambda: export_profile(ShopFiles.from_runtime(runtime), target,
                                                                     include_secrets=include, passphrase=passphrase),
                      on_success=self._exported, on_failure=self._failed, context=self,
                      summary=lambda r: {"file": r.path.name, "secrets": r.secrets_included})

    def _exported(self, result: ExportResult) -> None:
        self.export_button.setEnabled(True)
        self.passphrase.clear()
        self.passphrase_again.clear()
        lines = [tr_args(self.tr("Đã sao lưu vào %1."), result.path)]
        lines += [f"• {export_note_text(note)}" for note in result.notes]
        self.message.show_message("\n".join(lines), Level.OK)

    # -- import ----------------------------------------------------------------
    def open_profile(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, self.tr("Chọn bản sao lưu"), str(Path.home()),
                                                    f"PMV (*{FILE_SUFFIX})")
            if not chosen:
                return
            path = Path(chosen)
        runtime = self._ctx.runtime

        def work() -> tuple[Profile, ImportPlan]:
            profile = read_profile(path)
            return profile, plan_import(profile, ShopFiles.from_runtime(runtime), skip_secrets=True)

        self.import_button.setEnabled(False)
        self._ctx.runner.run(work, on_success=self._opened, on_failure=self._failed, context=self)

    def _opened(self, result: tuple[Profile, ImportPlan]) -> None:
        self.profile, self.plan = result
        self.import_passphrase.setEnabled(self.profile.has_secrets)
        self.show_plan(self.plan)
        self.import_button.setEnabled(True)
        self.message.hide()

    def _replan(self) -> None:
        profile, passphrase = self.profile, self.import_passphrase.text() or None
        if profile is None or not profile.has_secrets or passphrase is None:
            return
        runtime = self._ctx.runtime
        self._ctx.runner.run(lambda: (profile, plan_import(profile, ShopFiles.from_runtime(runtime),
                                                           passphrase=passphrase)),
                             on_success=self._opened, on_failure=self._failed, context=self)

    def show_plan(self, plan: ImportPlan) -> None:
        rows = [
            (self.tr("Cửa hàng"), f"{plan.shop_name} ({plan.shop_id})"),
            (self.tr("Cài đặt"), part_action_text(plan.settings)),
            (self.tr("Hợp đồng"), part_action_text(plan.contract)),
            (self.tr("Mã cửa hàng"), part_action_text(plan.token)),
        ]
        rows += [(tr_args(self.tr("Gói %1"), pack.id), f"{pack.version}: {pack_action_text(pack.action)}")
                 for pack in plan.packs]
        body = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows)
        extra = ""
        if plan.target_shop_id and plan.target_shop_id != plan.shop_id:
            extra += "<p style='color:#c62828'>" + html.escape(tr_args(self.tr(
                "Máy này đang cài cho cửa hàng %1."), plan.target_shop_id)) + "</p>"
        if plan.missing_paths:
            items = "".join(f"<li>{html.escape(c.key)}: {html.escape(str(c.path))}</li>" for c in plan.missing_paths)
            extra += "<p>" + html.escape(self.tr("Chưa có trên máy này (chép dữ liệu bán hàng và bản sao lưu về đúng "
                                                  "chỗ):")) + f"</p><ul>{items}</ul>"
        if plan.secrets_to_reenter:
            extra += "<p>" + html.escape(tr_args(self.tr("Cần gõ lại sau khi khôi phục: %1"),
                                                 ", ".join(plan.secrets_to_reenter))) + "</p>"
        self.plan_view.setHtml(f"<table cellpadding='3'>{body}</table>{extra}")
        self.overwrite.setVisible(plan.needs_overwrite)

    def restore(self) -> None:
        profile = self.profile
        if profile is None:
            return
        runtime = self._ctx.runtime
        passphrase = self.import_passphrase.text() or None
        skip = profile.has_secrets and passphrase is None
        overwrite = self.overwrite.isChecked() and self.overwrite.isVisible()
        self.import_button.setEnabled(False)
        self._ctx.run(Action.PROFILE_IMPORT, lambda: apply_import(profile, ShopFiles.from_runtime(runtime),
                                                                   passphrase=passphrase,
                                                                   overwrite=overwrite, skip_secrets=skip),
                      on_success=self._restored, on_failure=self._failed, context=self,
                      summary=lambda r: {"packs": [f"{i} {v}" for i, v in r.packs_installed],
                                         "settings": r.settings_written, "token": r.token_restored},
                      shop=profile.shop_id, overwrite=overwrite)

    def _restored(self, result: ImportResult) -> None:
        self.import_button.setEnabled(True)
        self.show_plan(result.plan)
        text = tr_args(self.tr("Đã khôi phục cấu hình của %1. Hãy mở lại phần mềm để dùng cài đặt mới."),
                       result.plan.shop_name)
        if result.kept:  # what this PC had, copied before it was replaced: a password typed here is in it
            text += " " + tr_args(self.tr("Bản cũ của máy này được giữ lại: %1"),
                                  ", ".join(str(path) for path in result.kept))
        self.message.show_message(text, Level.OK)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.import_button.setEnabled(self.profile is not None)
        if isinstance(exc, ProfileError):
            if exc.plan is not None:
                self.show_plan(exc.plan)
            level = Level.WARNING if exc.problem in (ProfileProblem.FOREIGN_SHOP, ProfileProblem.WOULD_OVERWRITE) \
                else Level.CRITICAL
            self.message.show_message(profile_problem_text(exc.problem), level)
        else:
            self.message.show_message(tr_args(self.tr("Không thực hiện được: %1"), tool_failure_text(exc)),
                                      Level.CRITICAL)
