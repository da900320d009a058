"""Chế độ kỹ thuật viên: offline unlock for a named technician, a countdown, and the audit log.

Every unlock attempt (and its result) is recorded in the append-only audit log.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.formatting import format_datetime
from app.keys import load_trusted_keys
from app.runtime import Runtime
from app.technician.audit import AuditEntry, AuditLog
from app.technician.unlock import Challenge, Session, TechnicianUnlock, UnlockError, UnlockReason, make_challenge
from app.ui.levels import Level
from app.ui.tasks import TaskRunner
from app.ui.widgets.message import MessageLabel


def reason_text(reason: UnlockReason) -> str:
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    return {
        UnlockReason.MALFORMED: translate("TechnicianTexts", "Mã mở khóa gõ chưa đúng: kiểm tra lại từng nhóm ký tự."),
        UnlockReason.BAD_SIGNATURE: translate("TechnicianTexts", "Mã mở khóa không hợp lệ (chữ ký không khớp)."),
        UnlockReason.UNKNOWN_KEY: translate("TechnicianTexts", "Mã được ký bằng khóa không được tin cậy."),
        UnlockReason.OTHER_SHOP: translate("TechnicianTexts", "Mã này dành cho cửa hàng khác."),
        UnlockReason.WRONG_CHALLENGE: translate("TechnicianTexts", "Mã này dành cho một mã thử thách khác."),
        UnlockReason.EXPIRED: translate("TechnicianTexts", "Mã mở khóa đã hết hạn."),
        UnlockReason.REPLAYED: translate("TechnicianTexts", "Mã mở khóa này đã được dùng rồi."),
        UnlockReason.RATE_LIMITED: translate(
            "TechnicianTexts", "Nhập sai quá nhiều lần: tạm khóa 10 phút. Gọi 1900 6037 nếu cần."),
    }[reason]


class TechnicianDialog(QDialog):
    """Unlock, then see who is in technician mode until when, and what technicians did."""

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QWidget | None = None,
                 clock=lambda: dt.datetime.now(dt.UTC)) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self._clock = clock
        self.session: Session | None = None
        self.setWindowTitle(self.tr("Chế độ kỹ thuật viên"))
        self.resize(720, 480)
        self.challenge: Challenge = make_challenge(runtime.settings.shop.shop_id or "-", clock())
        intro = QLabel(self.tr("Đọc mã thử thách này cho nhà cung cấp (1900 6037) để nhận mã mở khóa:"))
        intro.setWordWrap(True)
        self.challenge_label = QLabel(self.challenge.code())
        self.challenge_label.setStyleSheet("font-family: monospace; font-size: 14pt; font-weight: 700;")
        copy = QPushButton(self.tr("Sao chép"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.challenge.code()))
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("Dán hoặc gõ mã mở khóa"))
        self.unlock_button = QPushButton(self.tr("Mở khóa"))
        self.unlock_button.clicked.connect(self.unlock)
        self.status = QLabel(self.tr("Chưa mở khóa."))
        self.message = MessageLabel()
        self.audit = QTableWidget(0, 4)
        self.audit.setHorizontalHeaderLabels([self.tr("Lúc"), self.tr("Kỹ thuật viên"), self.tr("Thao tác"),
                                              self.tr("Kết quả")])
        self.audit.verticalHeader().hide()
        self.audit.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.audit.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        challenge_row = QHBoxLayout()
        challenge_row.addWidget(self.challenge_label, 1)
        challenge_row.addWidget(copy)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(challenge_row)
        layout.addLayout(code_row)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addWidget(QLabel(self.tr("Nhật ký thao tác của kỹ thuật viên")))
        layout.addWidget(self.audit, 1)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self.load_audit()

    def _verifier(self) -> TechnicianUnlock:
        return TechnicianUnlock(load_trusted_keys("technician"), self._runtime.state, self._clock)

    def unlock(self) -> None:
        code, challenge = self.code.text().strip(), self.challenge
        audit = AuditLog(self._runtime.database)

        def work() -> Session:
            try:
                session = self._verifier().verify(challenge, code)
            except UnlockError as exc:
                audit.record("?", "unlock", exc.reason.value)
                raise
            audit.record(session.technician, "unlock", "ok", until=session.expires_at.isoformat())
            return session

        self.unlock_button.setEnabled(False)
        self._runner.run(work, on_success=self._unlocked, on_failure=self._refused, context=self)

    def _unlocked(self, session: Session) -> None:
        self.session = session
        self.unlock_button.setEnabled(True)
        self.message.show_message(self.tr("Đã mở chế độ kỹ thuật viên cho %1.").replace("%1", session.technician),
                                  Level.OK)
        self.ticker.start()
        self._tick()
        self.load_audit()

    def _refused(self, exc: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        text = reason_text(exc.reason) if isinstance(exc, UnlockError) else str(exc)
        self.message.show_message(text, Level.CRITICAL)
        self.load_audit()

    def _tick(self) -> None:
        if self.session is None:
            return
        left = self.session.expires_at - self._clock()
        if left.total_seconds() <= 0:
            self.session = None
            self.ticker.stop()
            self.status.setText(self.tr("Phiên kỹ thuật viên đã hết hạn."))
            return
        minutes = int(left.total_seconds() // 60)
        self.status.setText(self.tr("Kỹ thuật viên: %1 – còn %2 phút").replace("%1", self.session.technician)
                            .replace("%2", str(minutes)))

    def load_audit(self) -> None:
        self._runner.run(lambda: AuditLog(self._runtime.database).entries(limit=200), on_success=self._show_audit,
                         context=self)

    def _show_audit(self, entries: list[AuditEntry]) -> None:
        self.audit.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = [format_datetime(entry.at.astimezone()), entry.technician, entry.action, entry.result]
            for column, text in enumerate(cells):
                self.audit.setItem(row, column, QTableWidgetItem(text))
