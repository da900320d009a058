"""The app-update box on the Cập nhật page: which version runs, which waits, how the last switch went."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QWidget

from app import HOTLINE
from app.infra.formatting import format_datetime
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.updates.texts import rollback_reason_text, stage_problem_text
from app.ui.widgets.build import hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel
from app.updates.app_install import InstallKind, StageError, StageProblem
from app.updates.app_swap import AppUpdateStatus, SwapReason, SwapResult


def _when(iso: str) -> str:
    try:
        return format_datetime(dt.datetime.fromisoformat(iso))  # shop time, whatever the PC's zone
    except ValueError:
        return iso


class AppUpdatePanel(QGroupBox):
    """Shows an :class:`AppUpdateStatus`; the restart button asks the app to hand over to the new version.

    Signals:
        restart_requested(): the user wants the waiting version now.
    """

    restart_requested = Signal()

    def __init__(self, trading_hours: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Phần mềm PMV Support Assistant"), parent)
        self._trading_hours = trading_hours
        self.version = QLabel()
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.last = MessageLabel()
        self.restart_button = push_button(self.tr("Khởi động lại để cập nhật"), self._confirm_restart)
        self.restart_button.hide()
        row = hbox((self.state, 1), self.restart_button)
        vbox(self.version, row, self.last, parent=self)

    def _confirm_restart(self) -> None:
        self.restart_button.setEnabled(False)
        self.restart_requested.emit()

    def show_status(self, status: AppUpdateStatus) -> None:
        self.version.setText(tr_args(self.tr("Đang dùng bản %1"), status.running_version))
        pending = status.pending
        self.restart_button.setEnabled(True)
        self.restart_button.setVisible(pending is not None)
        if pending is not None and status.install_kind is InstallKind.INSTALLER:
            self.state.setText(tr_args(self.tr(
                "Bản %1 đã tải về và kiểm tra chữ ký. Sẽ cài khi mở lại phần mềm (Windows hỏi quyền quản trị); bản "
                "đang dùng được giữ lại để quay về nếu bản mới không chạy."), pending.version))
        elif pending is not None:
            self.state.setText(tr_args(self.tr(
                "Bản %1 đã tải về và kiểm tra chữ ký. Sẽ tự cài khi mở lại phần mềm hoặc ngoài giờ giao dịch "
                "(%2) khi cửa sổ đang ẩn; bản đang dùng được giữ lại để quay về nếu bản mới không chạy."),
                pending.version, self._trading_hours))
        elif status.install_kind is InstallKind.UNMANAGED:
            # Said in the shop's words: who updates this copy and how to reach them (not how it was installed).
            self.state.setText(tr_args(self.tr(
                "Phần mềm trên máy này do kỹ thuật viên của nhà cung cấp cập nhật, không tự đổi phiên bản. Khi cần "
                "bản mới, hãy gọi %1; dữ liệu của cửa hàng được giữ nguyên."), HOTLINE))
        else:
            self.state.setText(self.tr("Không có bản phần mềm mới đang chờ cài."))
        self._show_last(status)

    def _show_last(self, status: AppUpdateStatus) -> None:
        last = status.last
        if last is None:
            self.last.hide()
            return
        if last.result is SwapResult.APPLIED:
            self.last.show_message(tr_args(self.tr("Đã cập nhật lên bản %1 lúc %2."), last.version, _when(last.at)),
                                   Level.OK)
        elif last.result is SwapResult.ROLLED_BACK:
            self.last.show_message(tr_args(self.tr(
                "Bản %1 không chạy được trên máy này (%2) nên đã tự quay về bản %3 lúc %4; bản %1 sẽ không được cài "
                "lại. Gọi %5 nếu cần hỗ trợ."), last.version, rollback_reason_text(last.reason),
                last.previous or status.running_version, _when(last.at), HOTLINE), Level.WARNING)
        elif last.reason is SwapReason.HELPER_FAILED:
            self.last.show_message(tr_args(self.tr(
                "Bản %1 không cài được (trình cập nhật không chạy xong hai lần) nên đã bỏ qua; phần mềm vẫn dùng bản "
                "đang chạy. Gọi %2 nếu cần hỗ trợ."), last.version, HOTLINE), Level.WARNING)
        elif last.reason is SwapReason.POINTER_UNREADABLE:
            self.last.show_message(tr_args(self.tr(
                "Chưa cài bản %1: tệp ghi phiên bản đang dùng (current) của bản cài này bị sửa hoặc hỏng, nên không "
                "đổi gì; phần mềm vẫn dùng bản đang chạy. Gọi %2 để kỹ thuật viên kiểm tra."), last.version, HOTLINE),
                Level.WARNING)
        elif last.reason is SwapReason.NO_SNAPSHOT:
            self.last.show_message(tr_args(self.tr(
                "Chưa cài được bản %1: không sao lưu được dữ liệu trước khi cài (ổ đĩa đầy, hoặc tệp dữ liệu hỏng), "
                "nên chưa đổi gì. Phần mềm sẽ thử lại sau 12 giờ; hãy giải phóng ổ đĩa, hoặc gọi %2 nếu lỗi lặp lại."),
                last.version, HOTLINE), Level.WARNING)
        else:
            self.last.show_message(tr_args(self.tr(
                "Chưa cài được bản %1: phần mềm chưa đóng hẳn; sẽ thử lại lần sau."), last.version), Level.INFO)

    def show_stage_error(self, error: StageError) -> None:
        if error.problem is StageProblem.UNMANAGED:
            return  # the state line already says how this copy is updated
        self.last.show_message(stage_problem_text(error.problem), Level.WARNING)
