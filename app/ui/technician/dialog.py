"""Chế độ kỹ thuật viên: offline unlock for a named technician, a countdown, the tools, and the audit log.

Every unlock attempt (and its result) and every tool action is recorded in the
append-only audit log. The tools are built only once the dialog is unlocked.
"""

from __future__ import annotations

import datetime as dt
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import HOTLINE
from app.infra.formatting import format_datetime
from app.infra.keys import load_trusted_keys
from app.runtime import Runtime
from app.technician.actions import Action
from app.technician.unlock import Monotonic, Session, TechnicianUnlock
from app.ui.failure_texts import failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.state import SupportState
from app.ui.tasks import TaskRunner
from app.ui.technician.audit_tab import AuditTab
from app.ui.technician.context import ToolContext
from app.ui.technician.texts import unlock_reason_text
from app.ui.updates.state import UpdatesState
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.screen_fit import fit_to_screen
from pmv_protocol.unlock_codes import Challenge, UnlockError, UnlockReason, make_challenge


class TechnicianDialog(QDialog):
    """Unlock, then the technician's tools for the time the code allows; the audit log is always there.

    Signals:
        session_changed(object): the unlocked :class:`Session`, or None once locked or expired.
    """

    session_changed = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QWidget | None = None,
                 clock=lambda: dt.datetime.now(dt.UTC), *,  # type: ignore[no-untyped-def]
                 support: SupportState | None = None, updates: UpdatesState | None = None,
                 session: Session | None = None, monotonic: Monotonic = time.monotonic) -> None:
        """``clock``: the PC's; ``monotonic``: the one an unlock's session also ends on (tests give their own)."""
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self._clock = clock
        self._monotonic = monotonic
        self.support = support or _loaded(SupportState(runtime, runner, parent=self))
        self.updates = updates or _loaded(UpdatesState(runtime, runner, parent=self))
        self.session: Session | None = None
        self.unlocked_at: dt.datetime | None = None
        self.tool_tabs: dict[str, QWidget] = {}
        self.setWindowTitle(self.tr("Chế độ kỹ thuật viên"))
        fit_to_screen(self, 960, 660)
        self.challenge: Challenge = make_challenge(runtime.settings.shop.shop_id or "-", clock())
        self.unlock_box = QGroupBox(self.tr("Mở khóa"))
        intro = QLabel(tr_args(self.tr("Đọc mã thử thách này cho nhà cung cấp (%1) để nhận mã mở khóa:"), HOTLINE))
        intro.setWordWrap(True)
        self.challenge_label = QLabel(self.challenge.code())
        self.challenge_label.setStyleSheet("font-family: monospace; font-size: 14pt; font-weight: 700;")
        copy = QPushButton(self.tr("Sao chép"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.challenge.code()))
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("Dán hoặc gõ mã mở khóa"))
        self.code.returnPressed.connect(self.unlock)
        self.unlock_button = QPushButton(self.tr("Mở khóa"))
        self.unlock_button.clicked.connect(self.unlock)
        challenge_row = QHBoxLayout()
        challenge_row.addWidget(self.challenge_label, 1)
        challenge_row.addWidget(copy)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.unlock_button)
        unlock_layout = QVBoxLayout(self.unlock_box)
        unlock_layout.addWidget(intro)
        unlock_layout.addLayout(challenge_row)
        unlock_layout.addLayout(code_row)
        self.status = QLabel(self.tr("Chưa mở khóa."))
        self.status.setStyleSheet("font-weight: 600;")
        self.lock_button = QPushButton(self.tr("Khóa lại"))
        self.lock_button.clicked.connect(lambda: self.lock(Action.LOCK.value))
        self.lock_button.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.lock_button)
        self.message = MessageLabel()
        self.tabs = QTabWidget()
        self.audit_tab = AuditTab(runtime, runner, self.support, lambda: self.session.technician if self.session
                                  else None)
        self.tabs.addTab(self.audit_tab, self.tr("Nhật ký kỹ thuật viên"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.unlock_box)
        layout.addLayout(status_row)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        if session is not None and session.is_open(clock()):
            self._unlocked(session, announce=False)

    def _verifier(self) -> TechnicianUnlock:
        return TechnicianUnlock(load_trusted_keys("technician"), self._runtime.state, self._clock, self._monotonic)

    def unlock(self) -> None:
        code, challenge = self.code.text().strip(), self.challenge
        audit = self._runtime.audit_log()

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

    def _unlocked(self, session: Session, announce: bool = True) -> None:
        self.session = session
        self.unlocked_at = self._clock()
        self.unlock_button.setEnabled(True)
        self.code.clear()
        if announce:
            self.message.show_message(tr_args(self.tr("Đã mở chế độ kỹ thuật viên cho %1."), session.technician),
                                      Level.OK)
        self.unlock_box.hide()
        self.lock_button.show()
        self._build_tools()
        self.audit_tab.since = self.unlocked_at
        self.audit_tab.set_unlocked(True)
        self.ticker.start()
        self._tick()
        self.audit_tab.load()
        self.session_changed.emit(session)

    def _build_tools(self) -> None:
        from app.ui.technician.checks_tab import ChecksTab
        from app.ui.technician.logs_tab import LogsTab
        from app.ui.technician.maintenance_tab import MaintenanceTab
        from app.ui.technician.profile_tab import ProfileTab
        from app.ui.technician.settings_tab import SettingsTab

        ctx = ToolContext(self._runtime, self._runner, lambda: self.session.technician if self.session else "?",
                          self.audit_tab.load)
        self.tool_tabs = {
            "checks": ChecksTab(ctx),
            "logs": LogsTab(ctx),
            "settings": SettingsTab(ctx),
            "maintenance": MaintenanceTab(ctx, self.updates),
            "profile": ProfileTab(ctx),
        }
        titles = {"checks": self.tr("Kiểm tra chi tiết"), "logs": self.tr("Nhật ký"), "settings": self.tr("Cài đặt"),
                  "maintenance": self.tr("Bảo trì"), "profile": self.tr("Sao lưu để cài lại")}
        for index, (key, tab) in enumerate(self.tool_tabs.items()):
            self.tabs.insertTab(index, tab, titles[key])
        self.tabs.setCurrentIndex(0)

    def lock(self, reason: str = "expired") -> None:
        """Close the tools; recorded when a person locks it (an expiry is implied by the unlock's 'until')."""
        session, self.session = self.session, None
        self.ticker.stop()
        for tab in self.tool_tabs.values():
            self.tabs.removeTab(self.tabs.indexOf(tab))
            tab.deleteLater()
        self.tool_tabs = {}
        # A fresh challenge: the one shown before was answered, and its code may not be used twice.
        self._new_challenge()
        self.unlock_box.show()
        self.lock_button.hide()
        self.audit_tab.set_unlocked(False)
        if session is not None and reason == Action.LOCK.value:
            audit = self._runtime.audit_log()
            self._runner.run(lambda: audit.record(session.technician, Action.LOCK.value, "ok"),
                             on_success=lambda _e: self.audit_tab.load(), context=self)
        self.status.setText(self.tr("Phiên kỹ thuật viên đã hết hạn.") if reason != Action.LOCK.value
                            else self.tr("Đã khóa chế độ kỹ thuật viên."))
        self.session_changed.emit(None)

    def _new_challenge(self) -> None:
        self.challenge = make_challenge(self._runtime.settings.shop.shop_id or "-", self._clock())
        self.challenge_label.setText(self.challenge.code())
        self.code.clear()

    def _refused(self, exc: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        text = unlock_reason_text(exc.reason) if isinstance(exc, UnlockError) else failure_text(exc)
        if isinstance(exc, UnlockError) and exc.reason is UnlockReason.EXPIRED:
            # A code lives from when its challenge was shown, on this PC's clock; an old challenge, a clock or time
            # zone changed meanwhile, or a code signed by the vendor's clock for a till far ahead ends it.  Say
            # what time the PC believes it is in Vietnam (a wrong zone shows as hours off), and show a fresh
            # challenge to read out: a code for this one is no use any more.
            text += " " + tr_args(self.tr("Theo đồng hồ của máy tính này, bây giờ là %1 (giờ Việt Nam). Nếu sai, "
                                          "hãy chỉnh lại ngày, giờ và múi giờ (UTC+07:00) của máy, rồi đọc mã "
                                          "thử thách mới ở trên cho nhà cung cấp."),
                                  format_datetime(self._clock()))
            self._new_challenge()
        self.message.show_message(text, Level.CRITICAL)
        self.audit_tab.load()

    def _tick(self) -> None:
        if self.session is None:
            return
        left = self.session.time_left(self._clock())
        if left.total_seconds() <= 0:
            self.lock("expired")
            return
        minutes = int(left.total_seconds() // 60)
        self.status.setText(tr_args(self.tr("Kỹ thuật viên: %1 – còn %2 phút", "", minutes), self.session.technician,
                                    minutes))

    def load_audit(self) -> None:
        self.audit_tab.load()


def _loaded(state):  # type: ignore[no-untyped-def]
    state.load()
    return state
