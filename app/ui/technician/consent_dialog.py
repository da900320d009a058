"""The shop's yes or no to a remote session: who, for which request, why, with a countdown.

Silence is a no: when the countdown ends the question times out (recorded),
and a late click is refused by :class:`ConsentFlow` itself.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.technician.consent import ConsentDecision, ConsentFlow
from app.technician.remote_tools import format_id
from app.ui.i18n import tr_args
from app.ui.tasks import TaskRunner


class ConsentDialog(QDialog):
    """Asks the cashier or manager; the decision is written to the audit log in a worker.

    Signals:
        decided(object): the :class:`ConsentDecision` once it is recorded.
    """

    decided = Signal(object)

    def __init__(self, flow: ConsentFlow, runner: TaskRunner, parent: QWidget | None = None,
                 request_label: str = "") -> None:
        super().__init__(parent)
        self._flow = flow
        self._runner = runner
        self._settling = False
        request = flow.request
        self.setWindowTitle(self.tr("Cho phép hỗ trợ từ xa?"))
        self.setModal(True)
        self.setMinimumWidth(520)
        intro = QLabel(self.tr("Một kỹ thuật viên muốn điều khiển máy này từ xa. Chỉ đồng ý nếu cửa hàng đã gọi "
                               "hoặc được nhà cung cấp hẹn trước."))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Kỹ thuật viên:"), QLabel(f"<b>{request.technician}</b>"))
        form.addRow(self.tr("Yêu cầu hỗ trợ:"), QLabel(request_label or request.request_number))
        reason = QLabel(request.reason)
        reason.setWordWrap(True)
        form.addRow(self.tr("Lý do:"), reason)
        tool = request.tool.display_name
        if request.remote_id:
            tool += f" – ID {format_id(request.remote_id)}"
        form.addRow(self.tr("Phần mềm:"), QLabel(tool))
        self.by = QLineEdit()
        self.by.setPlaceholderText(self.tr("Tên người đồng ý (thu ngân hoặc quản lý)"))
        form.addRow(self.tr("Người quyết định:"), self.by)
        self.countdown = QProgressBar()
        self.countdown.setRange(0, int(request.timeout_s))
        self.countdown.setTextVisible(True)
        self.buttons = QDialogButtonBox()
        self.approve_button = self.buttons.addButton(self.tr("Đồng ý"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.deny_button = self.buttons.addButton(self.tr("Từ chối"), QDialogButtonBox.ButtonRole.RejectRole)
        self.approve_button.clicked.connect(lambda: self._decide(True))
        self.deny_button.clicked.connect(lambda: self._decide(False))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.countdown)
        layout.addWidget(self.buttons)
        self.ticker = QTimer(self)
        self.ticker.setInterval(250)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start()
        self._tick()

    def _tick(self) -> None:
        left = self._flow.remaining().total_seconds()
        self.countdown.setValue(max(0, int(left)))
        minutes, seconds = divmod(max(0, int(left)), 60)
        self.countdown.setFormat(tr_args(self.tr("Tự từ chối sau %1"), f"{minutes}:{seconds:02d}"))
        if left <= 0 and not self._settling:
            self._settle(self._flow.expire)

    def _decide(self, approved: bool) -> None:
        by = self.by.text().strip() or self.tr("Nhân viên cửa hàng")
        self._settle(lambda: self._flow.decide(approved, by))

    def _settle(self, work) -> None:  # type: ignore[no-untyped-def]
        self._settling = True
        self.ticker.stop()
        self.approve_button.setEnabled(False)
        self.deny_button.setEnabled(False)
        # context: the answer is recorded by the worker either way; if the dialog (or the remote-assistance
        # dialog it belongs to) is already gone, there is nothing left to tell.
        self._runner.run(work, on_success=self._done, on_failure=lambda exc: self._done(None), context=self)

    def _done(self, decision: ConsentDecision | None) -> None:
        decision = decision or self._flow.decision
        if decision is not None:
            self.decided.emit(decision)
        if decision is not None and decision.approved:
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        # Closing the window (Esc, the X) is a "no" too, and it must be on record.
        if not self._settling:
            self._decide(False)
            return
        super().reject()
