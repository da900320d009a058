"""Nhờ hỗ trợ từ xa: find the remote-desktop tool, start it, send its ID with a request, run a consented session.

Detection, reading the ID and every audit write run in workers; the tool is
started detached, and a timer notices when it is closed (that ends the session).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from subprocess import Popen

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app import HOTLINE
from app.infra.formatting import format_time
from app.runtime import Runtime
from app.storage.support_requests import AttachmentSource
from app.support.models import AttachmentKind, SupportRequest
from app.technician.consent import (
    DEFAULT_CONSENT_TIMEOUT_S,
    ConsentDecision,
    ConsentFlow,
    RemoteSession,
    SessionEndReason,
)
from app.technician.remote_tools import (
    IdReason,
    IdResult,
    RemoteTool,
    ToolDetector,
    launch,
    parse_id,
    read_id,
    support_note,
    tool_running,
)
from app.ui.failure_texts import failure_text, os_failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.state import SupportState
from app.ui.support.texts import open_request_choices
from app.ui.tasks import TaskRunner
from app.ui.technician.consent_dialog import ConsentDialog
from app.ui.technician.texts import id_reason_text
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.screen_fit import fit_to_screen
from pmv_protocol.remote_note import NOTE_FILE, note_json

log = logging.getLogger(__name__)


class RemoteAssistDialog(QDialog):
    """The cashier's way to let the vendor in, tied to a support request and on record.

    Signals:
        session_changed(object): the running :class:`RemoteSession`, or None once it ended.
        new_request_requested(str): open the request form with this text (the tool and its ID) filled in.
    """

    session_changed = Signal(object)
    new_request_requested = Signal(str)

    def __init__(self, runtime: Runtime, runner: TaskRunner, support: SupportState, parent: QWidget | None = None,
                 *, technician: str = "", detector: ToolDetector | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._runner = runner
        self._support = support
        self._detector = detector or ToolDetector()
        self.tools: list[RemoteTool] = []
        self.process: Popen[bytes] | None = None
        self.session: RemoteSession | None = None
        self.consent: ConsentDialog | None = None
        self.consent_timeout_s = DEFAULT_CONSENT_TIMEOUT_S
        self.setWindowTitle(self.tr("Nhờ hỗ trợ từ xa"))
        fit_to_screen(self, 640, 560)

        tools_box = QGroupBox(self.tr("1. Phần mềm điều khiển từ xa trên máy này"))
        self.tool_list = QListWidget()
        self.tool_list.setMaximumHeight(110)
        self.open_button = push_button(self.tr("Mở phần mềm"), self.open_tool)
        self.read_button = push_button(self.tr("Đọc ID"), self.read_tool_id)
        tool_buttons = hbox(self.open_button, self.read_button, STRETCH)
        self.remote_id = QLineEdit()
        self.remote_id.setPlaceholderText(self.tr("ID hiện trên cửa sổ phần mềm, ví dụ 123 456 789"))
        self.id_status = QLabel()
        self.id_status.setWordWrap(True)
        vbox(self.tool_list, tool_buttons, self.remote_id, self.id_status, parent=tools_box)

        request_box = QGroupBox(self.tr("2. Gửi ID kèm yêu cầu hỗ trợ"))
        self.request_combo = QComboBox()
        # A long request title must not widen the window past a small screen (1024x768, 125 %).
        self.request_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.request_combo.setMinimumContentsLength(20)
        self.send_button = push_button(self.tr("Gửi ID cho nhà cung cấp"), self.send_id)
        self.new_request_button = push_button(self.tr("Yêu cầu mới kèm ID…"), self.new_request_with_id)
        # The request on its own line: beside the two buttons its title was cut after a few words.
        vbox(self.request_combo, hbox(self.send_button, self.new_request_button, STRETCH), parent=request_box)

        session_box = QGroupBox(self.tr("3. Phiên hỗ trợ (cửa hàng đồng ý trước khi kỹ thuật viên điều khiển máy)"))
        self.technician = QLineEdit(technician)
        self.technician.setPlaceholderText(self.tr("Tên kỹ thuật viên của nhà cung cấp"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Việc cần làm, ví dụ: sửa máy in tem"))
        self.start_button = push_button(self.tr("Bắt đầu phiên hỗ trợ"), self.ask_consent)
        self.end_button = push_button(self.tr("Kết thúc phiên"), lambda: self.end_session(SessionEndReason.ENDED))
        self.end_button.setEnabled(False)
        self.session_label = QLabel(self.tr("Chưa có phiên hỗ trợ nào."))
        session_form = QFormLayout()
        session_form.addRow(self.tr("Kỹ thuật viên:"), self.technician)
        session_form.addRow(self.tr("Lý do:"), self.reason)
        session_buttons = hbox(self.start_button, self.end_button, STRETCH)
        vbox(session_form, session_buttons, self.session_label, parent=session_box)

        self.message = MessageLabel()
        close = push_button(self.tr("Đóng"), self.close)  # the title bar's × alone was the only way out
        vbox(tools_box, request_box, session_box, self.message, STRETCH, hbox(STRETCH, close), parent=self)

        self.watch = QTimer(self)
        self.watch.setInterval(2000)
        self.watch.timeout.connect(self._watch_tool)
        support.changed.connect(self.show_requests)
        self.show_requests(support.requests)
        self.tool_list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.request_combo.currentIndexChanged.connect(self._fill_reason)
        self._update_buttons()
        self._runner.run(self._detector.detect, on_success=self.show_tools,
                         on_failure=lambda exc: self.show_tools([]), context=self)

    # -- tools ---------------------------------------------------------------
    def show_tools(self, tools: list[RemoteTool]) -> None:
        self.tools = tools
        self.tool_list.clear()
        for tool in tools:
            text = tool.kind.display_name + (f" {tool.version}" if tool.version else "")
            item = QListWidgetItem(text)
            item.setToolTip(str(tool.path))
            self.tool_list.addItem(item)
        self.tool_list.setVisible(bool(tools))  # no empty white box above "this PC has no such tool"
        if tools:
            self.tool_list.setCurrentRow(0)
            self.id_status.setText("")
        else:
            self.id_status.setText(tr_args(self.tr("Máy này chưa có phần mềm điều khiển từ xa. Gọi %1 để được "
                                                   "hướng dẫn cài UltraViewer (miễn phí)."), HOTLINE))
        self._update_buttons()

    def selected_tool(self) -> RemoteTool | None:
        row = self.tool_list.currentRow()
        return self.tools[row] if 0 <= row < len(self.tools) else None

    def open_tool(self) -> None:
        tool = self.selected_tool()
        if tool is None:
            return
        try:
            self.process = launch(tool)  # detached; returns at once
        except OSError as exc:
            log.warning("could not start %s: %s", tool.path, exc)  # the system's own words, for the technician
            self.message.show_message(tr_args(self.tr("Không mở được %1: %2"), tool.kind.display_name,
                                              os_failure_text(exc)), Level.CRITICAL)
            return
        self.message.show_message(tr_args(self.tr("Đã mở %1."), tool.kind.display_name), Level.OK)
        QTimer.singleShot(1500, self.read_tool_id)  # the tool needs a moment before it can answer

    def read_tool_id(self) -> None:
        tool = self.selected_tool()
        if tool is None:
            return
        self.read_button.setEnabled(False)
        self._runner.run(lambda: read_id(tool), on_success=self.show_id,
                         on_failure=lambda exc: self.show_id(IdResult(tool.kind, None, IdReason.NOT_STARTED)),
                         context=self)

    def show_id(self, result: IdResult) -> None:
        self.read_button.setEnabled(True)
        if result.remote_id:
            self.remote_id.setText(result.remote_id)
        self.id_status.setText(id_reason_text(result.reason))

    def typed_id(self) -> str | None:
        text = self.remote_id.text().strip()
        return parse_id(text) if text else None

    # -- the request -----------------------------------------------------------
    def show_requests(self, requests: list[SupportRequest]) -> None:
        current = self.request_combo.currentData()
        self.request_combo.clear()
        for label, request_id in open_request_choices(requests):
            self.request_combo.addItem(label, request_id)
        if not self.request_combo.count():
            self.request_combo.addItem(self.tr("Chưa có yêu cầu đang mở: hãy gửi yêu cầu hỗ trợ trước"), None)
        index = self.request_combo.findData(current)
        self.request_combo.setCurrentIndex(max(0, index))
        self._fill_reason()
        self._update_buttons()

    def select_request(self, request_id: str) -> None:
        index = self.request_combo.findData(request_id)
        if index >= 0:
            self.request_combo.setCurrentIndex(index)

    def selected_request(self) -> SupportRequest | None:
        request_id = self.request_combo.currentData()
        return next((r for r in self._support.requests if r.id == request_id), None)

    def _fill_reason(self) -> None:
        request = self.selected_request()
        if request is not None and not self.reason.isModified():
            # The request's title: the vendor's whole proposed solution was put here, shown from its end.
            self.reason.setText(request.title)
            self.reason.setCursorPosition(0)

    def send_id(self) -> None:
        request, tool, remote_id = self.selected_request(), self.selected_tool(), self.typed_id()
        if request is None or tool is None:
            return
        if remote_id is None:
            self.message.show_message(self.tr("ID gồm 6 đến 12 chữ số: hãy kiểm tra lại."), Level.WARNING)
            return
        note = note_json(tool.kind.value, tool.kind.display_name, remote_id)

        def write_note() -> list[AttachmentSource]:
            folder = Path(tempfile.mkdtemp(prefix="pmv-remote-"))
            path = folder / NOTE_FILE
            path.write_text(note, encoding="utf-8")
            return [AttachmentSource(path, AttachmentKind.FILE)]

        self.send_button.setEnabled(False)
        self._support.attach(request.id, write_note, "remote_id", on_success=self._sent,
                             on_failure=self._send_failed, context=self)

    def _sent(self, request: SupportRequest | None) -> None:
        self.send_button.setEnabled(True)
        if request is not None and request.ticket_number:
            text = tr_args(self.tr("Đã gửi ID kèm yêu cầu %1."), request.ticket_number)
        else:
            text = self.tr("Đã lưu ID vào yêu cầu; nhà cung cấp nhận được ngay khi có mạng.")
        self.message.show_message(text, Level.OK)

    def _send_failed(self, exc: BaseException) -> None:
        self.send_button.setEnabled(True)
        self.message.show_message(tr_args(self.tr("Không lưu được ID vào yêu cầu: %1"), failure_text(exc)),
                                  Level.CRITICAL)

    def new_request_with_id(self) -> None:
        tool, remote_id = self.selected_tool(), self.typed_id()
        if tool is None or remote_id is None:
            self.message.show_message(self.tr("ID gồm 6 đến 12 chữ số: hãy kiểm tra lại."), Level.WARNING)
            return
        note = support_note(IdResult(tool.kind, remote_id, IdReason.OK))
        self.new_request_requested.emit(tr_args(self.tr("Nhờ hỗ trợ từ xa qua %1."), note.line()))
        self.accept()

    # -- the session -----------------------------------------------------------
    def ask_consent(self) -> ConsentDialog | None:
        request, tool = self.selected_request(), self.selected_tool()
        technician = self.technician.text().strip()
        if request is None or tool is None or not technician:
            self.message.show_message(self.tr("Cần chọn phần mềm, yêu cầu hỗ trợ và ghi tên kỹ thuật viên."),
                                      Level.WARNING)
            return None
        flow = ConsentFlow.ask(self._runtime.audit_log(), request_number=request.ticket_number or request.id,
                               technician=technician, reason=self.reason.text().strip() or request.title,
                               tool=tool.kind, remote_id=self.typed_id(), timeout_s=self.consent_timeout_s)
        dialog = ConsentDialog(flow, self._runner, self, request_label=self.request_combo.currentText())
        dialog.decided.connect(self._consent_decided)
        dialog.open()
        self.consent = dialog
        return dialog

    def _consent_decided(self, decision: ConsentDecision) -> None:
        if not decision.approved:
            self.message.show_message(self.tr("Cửa hàng không đồng ý (hoặc hết thời gian chờ): kỹ thuật viên "
                                              "không được điều khiển máy."), Level.WARNING)
            return
        pid = self.process.pid if self.process is not None else None
        self._runner.run(lambda: RemoteSession.start(decision, self._runtime.audit_log(), tool_pid=pid),
                         on_success=self._session_started, context=self)

    def _session_started(self, session: RemoteSession) -> None:
        self.session = session
        self.session_label.setText(tr_args(self.tr("Đang hỗ trợ từ xa: %1, từ %2."),
                                           session.decision.request.technician, format_time(session.started_at)))
        self.message.show_message(self.tr("Cửa hàng đã đồng ý; phiên hỗ trợ được ghi vào nhật ký."), Level.OK)
        self.watch.start()
        self._update_buttons()
        self.session_changed.emit(session)

    def _watch_tool(self) -> None:
        """End the session when the tool is closed: any process of its program, not only the one we started
        (a tool already running hands over to its open instance, and the one we started exits at once)."""
        tool = self.selected_tool()
        if self.session is None or tool is None:
            return
        self._runner.run(lambda: tool_running(tool.path), context=self,
                         on_success=lambda running: None if running else self.end_session(SessionEndReason.TOOL_EXITED))

    def end_session(self, reason: SessionEndReason) -> None:
        session = self._close_session()
        if session is not None:
            self._runner.run(lambda: session.end(reason), on_failure=lambda exc: None)

    def end_at_exit(self) -> None:
        """The app is quitting with this session running: record its end as "app closed", before returning.

        On this (the GUI) thread, not in a worker: the quit is about to cancel the runner's queued jobs and stop
        delivering their results, and the database closes right after, so a queued write could be lost and the
        audit log would keep a session that never ended.  It is one small insert into the local SQLite file,
        and nobody is waiting on a window that is going away.
        """
        session = self._close_session()
        if session is None:
            return
        try:
            session.end(SessionEndReason.APP_CLOSED)
        except Exception:  # the quit goes on; the log says what the audit log misses
            log.exception("the remote session's end was not recorded at exit")

    def _close_session(self) -> RemoteSession | None:
        """Forget the running session (the one to record the end of), and say so on screen."""
        session, self.session = self.session, None
        self.watch.stop()
        if session is None:
            return None
        self.session_label.setText(self.tr("Phiên hỗ trợ đã kết thúc."))
        self._update_buttons()
        self.session_changed.emit(None)
        return session

    def done(self, result: int) -> None:
        self.end_session(SessionEndReason.ENDED)  # a session never outlives its window unrecorded
        super().done(result)

    def _update_buttons(self) -> None:
        has_tool = self.selected_tool() is not None
        has_request = self.request_combo.currentData() is not None
        self.open_button.setEnabled(has_tool)
        self.read_button.setEnabled(has_tool)
        self.send_button.setEnabled(has_tool and has_request)
        self.start_button.setEnabled(has_tool and has_request and self.session is None)
        self.end_button.setEnabled(self.session is not None)
