"""Sao lưu để cài lại: export the shop profile, or restore one on a new PC after showing what it would change."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.technician.actions import Action
from app.technician.profile import FILE_SUFFIX, ProfileError, ProfileProblem, ShopFiles
from app.technician.profile_export import ExportNote, ExportResult, export_profile
from app.technician.profile_import import ImportPlan, ImportResult, PackAction, PartAction, apply_import, plan_import
from app.technician.profile_read import Profile, read_profile
from app.ui.levels import Level
from app.ui.technician.context import ToolContext
from app.ui.widgets.message import MessageLabel


def problem_text(problem: ProfileProblem) -> str:
    translate = QCoreApplication.translate
    return {
        ProfileProblem.READ_FAILED: translate("ProfileTexts", "Không mở được tệp."),
        ProfileProblem.NOT_A_PROFILE: translate("ProfileTexts", "Tệp này không phải bản sao lưu của PMV Support Assistant."),
        ProfileProblem.DAMAGED: translate("ProfileTexts", "Tệp sao lưu bị hỏng (chép thiếu hoặc lỗi ổ đĩa). Hãy chép lại."),
        ProfileProblem.TOO_LARGE: translate("ProfileTexts", "Tệp quá lớn để là một bản sao lưu."),
        ProfileProblem.UNSAFE_NAME: translate("ProfileTexts", "Tệp sao lưu chứa đường dẫn không an toàn: đã từ chối."),
        ProfileProblem.MANIFEST_INVALID: translate("ProfileTexts", "Mục lục của bản sao lưu không hợp lệ."),
        ProfileProblem.NEWER_FORMAT: translate("ProfileTexts", "Bản sao lưu do phiên bản mới hơn tạo: hãy cập nhật phần mềm "
                                                       "trước."),
        ProfileProblem.MISSING_PART: translate("ProfileTexts", "Bản sao lưu thiếu một phần."),
        ProfileProblem.UNEXPECTED_PART: translate("ProfileTexts", "Bản sao lưu có phần lạ không có trong mục lục."),
        ProfileProblem.CHECKSUM_MISMATCH: translate("ProfileTexts", "Một phần của bản sao lưu đã bị sửa sau khi tạo: đã từ "
                                                            "chối."),
        ProfileProblem.SETTINGS_UNREADABLE: translate("ProfileTexts", "Tệp cài đặt không đọc được (không phải TOML hợp lệ)."),
        ProfileProblem.PACK_INVALID: translate("ProfileTexts", "Một gói quy định trong bản sao lưu không hợp lệ."),
        ProfileProblem.CONTRACT_REFUSED: translate("ProfileTexts", "Hợp đồng trong bản sao lưu không có chữ ký hợp lệ."),
        ProfileProblem.CONTRACT_WRONG_SHOP: translate("ProfileTexts", "Hợp đồng trong bản sao lưu là của cửa hàng khác."),
        ProfileProblem.PASSPHRASE_REQUIRED: translate("ProfileTexts", "Cần cụm mật khẩu để mở phần bí mật."),
        ProfileProblem.PASSPHRASE_TOO_SHORT: translate("ProfileTexts", "Cụm mật khẩu cần ít nhất 8 ký tự."),
        ProfileProblem.WRONG_PASSPHRASE: translate("ProfileTexts", "Sai cụm mật khẩu (hoặc phần bí mật không thuộc bản sao "
                                                           "lưu này)."),
        ProfileProblem.SECRETS_INVALID: translate("ProfileTexts", "Phần bí mật của bản sao lưu không đọc được."),
        ProfileProblem.FOREIGN_SHOP: translate("ProfileTexts", "Máy này đang cài cho cửa hàng khác: chỉ khôi phục khi chắc "
                                                       "chắn, và tích ô cho phép ghi đè."),
        ProfileProblem.WOULD_OVERWRITE: translate("ProfileTexts", "Máy này đã có cài đặt khác: tích ô cho phép ghi đè nếu "
                                                          "muốn thay."),
        ProfileProblem.WRITE_FAILED: translate("ProfileTexts", "Không ghi được ra đĩa (đầy hoặc không có quyền)."),
    }[problem]


def _note_text(note: ExportNote) -> str:
    translate = QCoreApplication.translate
    return {
        ExportNote.NO_SETTINGS_FILE: translate("ProfileTexts", "Máy chạy cài đặt mặc định: không có tệp cài đặt để chép."),
        ExportNote.NO_CONTRACT: translate("ProfileTexts", "Chưa có hợp đồng trên máy này."),
        ExportNote.CONTRACT_LEFT_OUT: translate("ProfileTexts", "Hợp đồng đang lưu không còn hợp lệ nên không chép; tải lại "
                                                        "trên máy mới."),
        ExportNote.SECRETS_LEFT_OUT: translate("ProfileTexts", "Mật khẩu trong cài đặt được thay bằng *** (không chép)."),
        ExportNote.NO_TOKEN: translate("ProfileTexts", "Máy này chưa lưu mã cửa hàng."),
        ExportNote.NOTHING_TO_SEAL: translate("ProfileTexts", "Không có thông tin bí mật nào để mã hóa."),
    }[note]


def _action_text(action: PartAction) -> str:
    translate = QCoreApplication.translate
    return {
        PartAction.NONE: translate("ProfileTexts", "không có trong bản sao lưu"),
        PartAction.WRITE: translate("ProfileTexts", "sẽ ghi mới"),
        PartAction.SAME: translate("ProfileTexts", "giống hệt, giữ nguyên"),
        PartAction.REPLACE: translate("ProfileTexts", "sẽ THAY bản đang có"),
        PartAction.KEEP_NEWER: translate("ProfileTexts", "máy đã có bản mới hơn, giữ nguyên"),
    }[action]


def _pack_text(action: PackAction) -> str:
    translate = QCoreApplication.translate
    return {
        PackAction.INSTALL: translate("ProfileTexts", "sẽ cài"),
        PackAction.SAME: translate("ProfileTexts", "đã có"),
        PackAction.UPGRADE: translate("ProfileTexts", "sẽ nâng cấp"),
        PackAction.KEEP_NEWER: translate("ProfileTexts", "máy có bản mới hơn, giữ nguyên"),
        PackAction.KEEP_DIFFERENT: translate("ProfileTexts", "máy có bản khác cùng số, giữ nguyên"),
    }[action]


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
        self.export_button = QPushButton(self.tr("Sao lưu…"))
        self.export_button.clicked.connect(lambda: self.export())
        export_form = QFormLayout(export_box)
        export_form.addRow(self.include_secrets)
        export_form.addRow(self.tr("Cụm mật khẩu:"), self.passphrase)
        export_form.addRow(self.tr("Nhập lại:"), self.passphrase_again)
        export_form.addRow(self.export_button)
        self.include_secrets.toggled.connect(self._secrets_toggled)
        self._secrets_toggled(False)

        import_box = QGroupBox(self.tr("Khôi phục từ bản sao lưu"))
        self.open_button = QPushButton(self.tr("Chọn tệp sao lưu…"))
        self.open_button.clicked.connect(lambda: self.open_profile())
        self.plan_view = QTextBrowser()
        self.import_passphrase = QLineEdit()
        self.import_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_passphrase.setPlaceholderText(self.tr("Cụm mật khẩu của bản sao lưu (nếu có phần bí mật)"))
        self.import_passphrase.editingFinished.connect(self._replan)
        self.overwrite = QCheckBox(self.tr("Cho phép ghi đè những gì đang có trên máy này"))
        self.import_button = QPushButton(self.tr("Khôi phục"))
        self.import_button.clicked.connect(self.restore)
        self.import_button.setEnabled(False)
        import_row = QHBoxLayout()
        import_row.addWidget(self.open_button)
        import_row.addWidget(self.import_passphrase, 1)
        import_layout = QVBoxLayout(import_box)
        import_layout.addLayout(import_row)
        import_layout.addWidget(self.plan_view, 1)
        restore_row = QHBoxLayout()
        restore_row.addWidget(self.overwrite, 1)
        restore_row.addWidget(self.import_button)
        import_layout.addLayout(restore_row)

        self.message = MessageLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(export_box)
        layout.addWidget(import_box, 1)
        layout.addWidget(self.message)

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
        lines = [self.tr("Đã sao lưu vào %1.").replace("%1", str(result.path))]
        lines += [f"• {_note_text(note)}" for note in result.notes]
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
            (self.tr("Cài đặt"), _action_text(plan.settings)),
            (self.tr("Hợp đồng"), _action_text(plan.contract)),
            (self.tr("Mã cửa hàng"), _action_text(plan.token)),
        ]
        rows += [(self.tr("Gói %1").replace("%1", pack.id), f"{pack.version}: {_pack_text(pack.action)}")
                 for pack in plan.packs]
        body = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows)
        extra = ""
        if plan.target_shop_id and plan.target_shop_id != plan.shop_id:
            extra += "<p style='color:#c62828'>" + html.escape(self.tr(
                "Máy này đang cài cho cửa hàng %1.").replace("%1", plan.target_shop_id)) + "</p>"
        if plan.missing_paths:
            items = "".join(f"<li>{html.escape(c.key)}: {html.escape(str(c.path))}</li>" for c in plan.missing_paths)
            extra += "<p>" + html.escape(self.tr("Chưa có trên máy này (chép dữ liệu bán hàng và bản sao lưu về đúng "
                                                  "chỗ):")) + f"</p><ul>{items}</ul>"
        if plan.secrets_to_reenter:
            extra += "<p>" + html.escape(self.tr("Cần gõ lại sau khi khôi phục: %1").replace(
                "%1", ", ".join(plan.secrets_to_reenter))) + "</p>"
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
        self.message.show_message(self.tr("Đã khôi phục cấu hình của %1. Hãy mở lại phần mềm để dùng cài đặt mới.")
                                  .replace("%1", result.plan.shop_name), Level.OK)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.import_button.setEnabled(self.profile is not None)
        if isinstance(exc, ProfileError):
            if exc.plan is not None:
                self.show_plan(exc.plan)
            level = Level.WARNING if exc.problem in (ProfileProblem.FOREIGN_SHOP, ProfileProblem.WOULD_OVERWRITE) \
                else Level.CRITICAL
            self.message.show_message(problem_text(exc.problem), level)
        else:
            self.message.show_message(self.tr("Không thực hiện được: %1").replace("%1", str(exc)), Level.CRITICAL)
