"""The selected request's detail: what happens next, the timeline, the shop's answers and the reply box."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTextBrowser, QWidget

from app.support.conversation import ActInvalid, ActRefused, FileProblem, FileRefused
from app.support.models import SupportRequest
from app.support.thread_models import Conversation, EntryState
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.conversation_state import ConversationState, Loaded
from app.ui.support.texts import act_problem_text, file_problem_text, next_step_text, refusal_text
from app.ui.support.thread_dialogs import RatingDialog, ReasonDialog
from app.ui.support.thread_html import FILE_SCHEME, request_html, timeline_html
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox
from app.ui.widgets.labelled import name_by_label
from pmv_protocol.thread import MESSAGE_FILES_MAX, MESSAGE_MAX, VisitState
from pmv_protocol.ticket_flow import refuse_decision, refuse_message, refuse_rating, refuse_reopen, refuse_visit_answer


def open_with_system_viewer(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ThreadView(QWidget):
    """One request: the next step in words, the buttons the state allows, the timeline and the reply box.

    Signals:
        message(str, object): a line for the page's message bar (text, :class:`Level`).
    """

    message = Signal(str, object)

    def __init__(self, state: ConversationState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.request: SupportRequest | None = None
        self.conversation: Conversation | None = None
        self.open_file: Callable[[Path], None] = open_with_system_viewer  # tests put a recorder here
        self.ask_reason: Callable[[ReasonDialog], bool] = lambda dialog: bool(dialog.exec())
        self.ask_rating: Callable[[RatingDialog], bool] = lambda dialog: bool(dialog.exec())
        self._files: list[Path] = []
        self._author = ""

        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        self.next_step.setObjectName("nextStep")
        self.accept_button = push_button(self.tr("Đã khắc phục"), self._accept,
                                         style="font-weight: 600; padding: 4px 12px;")
        self.refuse_button = push_button(self.tr("Chưa khắc phục…"), self._refuse)
        self.confirm_visit_button = push_button(self.tr("Xác nhận lịch"), self._confirm_visit)
        self.reschedule_button = push_button(self.tr("Đề nghị giờ khác…"), self._reschedule)
        self.rate_button = push_button(self.tr("Đánh giá…"), self._rate)
        self.reopen_button = push_button(self.tr("Lỗi xuất hiện lại…"), self._reopen)
        self.timeline = QTextBrowser()
        self.timeline.setOpenLinks(False)
        self.timeline.anchorClicked.connect(self._link)

        self.author = QLineEdit()
        self.author.setPlaceholderText(self.tr("Người gửi"))
        self.author.setMaximumWidth(170)
        self.reply = QPlainTextEdit()
        self.reply.setPlaceholderText(self.tr("Nhắn cho bộ phận hỗ trợ: trả lời câu hỏi, báo thêm thông tin…"))
        # The box has no label: its prompt is its name (the prompt is gone from the screen once text is typed).
        self.reply.setAccessibleName(self.reply.placeholderText())
        self.reply.setFixedHeight(64)
        self.reply.setTabChangesFocus(True)  # Tab goes on to Gửi: it typed a tab into the message to the vendor
        self.attach_button = push_button(self.tr("Đính kèm tệp…"), self._pick_files)
        self.send_button = push_button(self.tr("Gửi"), self._send, style="font-weight: 600; padding: 4px 16px;")
        self.files_label = QLabel()
        self.files_label.setWordWrap(True)
        self.files_label.hide()

        actions = hbox(*self._action_buttons(), STRETCH)
        # A visible label: the placeholder alone left a lone name box once it was filled in.
        self.author_label = QLabel(self.tr("Người gửi:"))
        name_by_label(self.author_label, self.author)
        side = vbox(hbox(self.author_label, self.author), self.attach_button)  # two rows: the timeline keeps room
        reply_row = hbox(side, (self.reply, 1), self.send_button)
        layout = vbox(self.next_step, actions, (self.timeline, 1), self.files_label, reply_row, parent=self)
        layout.setContentsMargins(0, 0, 0, 0)

        state.loaded.connect(self._on_loaded)
        state.act_saved.connect(self._on_saved)
        state.act_failed.connect(self._on_failed)
        state.file_ready.connect(self._open_ready_file)
        state.file_failed.connect(self._on_file_failed)
        self.show_nothing()

    # -- showing ---------------------------------------------------------------
    def show_nothing(self) -> None:
        self.request = self.conversation = None
        self.timeline.clear()
        self.next_step.hide()
        for widget in (*self._action_buttons(), self.reply, self.author, self.attach_button, self.send_button):
            widget.setEnabled(False)
        for button in self._action_buttons():
            button.hide()

    def show_request(self, request: SupportRequest, facts: list[tuple[str, str]]) -> None:
        """Show what is known at once, then the conversation when the worker has read it."""
        if self.request is None or self.request.id != request.id:
            self.conversation = None
            self.author.setText(self._author or request.contact_name)
        self.request = request
        self._facts = facts
        self._state.load(request.id)

    def _on_loaded(self, loaded: Loaded) -> None:
        if self.request is None or loaded.request_id != self.request.id:
            return
        self.conversation = loaded.conversation
        if loaded.conversation is not None:
            self.request = loaded.conversation.request
        self.timeline.setHtml(request_html(self.request, self._facts) + timeline_html(loaded.conversation,
                                                                                      loaded.events))
        # The newest at the bottom, as in any chat: scrolled there once the text is laid out.
        QTimer.singleShot(0, self.timeline, lambda: self.timeline.verticalScrollBar().setValue(
            self.timeline.verticalScrollBar().maximum()))
        self._update_actions()

    def _action_buttons(self) -> tuple[QPushButton, ...]:
        return (self.accept_button, self.refuse_button, self.confirm_visit_button, self.reschedule_button,
                self.rate_button, self.reopen_button)

    def _update_actions(self) -> None:
        conversation, now = self.conversation, self._state.now()
        for button in self._action_buttons():
            button.hide()
        if conversation is None:
            self.next_step.hide()
            for widget in (self.reply, self.author, self.attach_button, self.send_button):
                widget.setEnabled(False)
            return
        flow, visit = conversation.flow, conversation.visit
        self.next_step.setText(next_step_text(conversation, now))
        shop_acts = (refuse_decision(flow) is None or (visit is not None and visit.state == VisitState.PROPOSED))
        colour, border = ("#fff3e0", "#ef6c00") if shop_acts else ("#eef5ee", "#2e7d32")
        self.next_step.setStyleSheet(f"QLabel#nextStep {{ background: {colour}; border-left: 4px solid {border};"
                                     " padding: 8px; }")
        self.next_step.show()
        offers = [
            (self.accept_button, refuse_decision(flow) is None),
            (self.refuse_button, refuse_decision(flow) is None),
            (self.confirm_visit_button, visit is not None and refuse_visit_answer(flow, visit.id) is None),
            (self.reschedule_button, visit is not None and refuse_visit_answer(flow, visit.id) is None),
            (self.rate_button, refuse_rating(flow) is None),
            (self.reopen_button, refuse_reopen(flow, now) is None),
        ]
        for button, allowed in offers:
            button.setVisible(allowed)
            button.setEnabled(allowed)
        can_write = refuse_message(flow) is None and conversation.request.ticket_id is not None
        for widget in (self.reply, self.author, self.attach_button, self.send_button):
            widget.setEnabled(can_write)
        if refuse_message(flow) is not None:
            self.reply.setPlaceholderText(self.tr("Yêu cầu đã đóng. Nếu lỗi xuất hiện lại, bấm \u201cLỗi xuất hiện "
                                                  "lại\u201d hoặc gửi yêu cầu mới."))
        elif conversation.request.ticket_id is None:
            self.reply.setPlaceholderText(self.tr("Có thể nhắn khi yêu cầu đã đến bộ phận hỗ trợ."))
        else:
            self.reply.setPlaceholderText(self.tr("Nhắn cho bộ phận hỗ trợ: trả lời câu hỏi, báo thêm thông tin…"))

    # -- the shop's acts ---------------------------------------------------------
    def _name(self) -> str:
        name = self.author.text().strip()
        if name:
            self._author = name
        return name

    def _pick_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Chọn tệp gửi kèm"))
        self.add_files([Path(p) for p in paths])

    def add_files(self, paths: list[Path]) -> None:
        self._files = (self._files + paths)[:MESSAGE_FILES_MAX]
        self.files_label.setText(tr_args(self.tr("Gửi kèm: %1"), ", ".join(p.name for p in self._files)))
        self.files_label.setVisible(bool(self._files))

    def _send(self) -> None:
        if self.request is None:
            return
        text, name = self.reply.toPlainText().strip(), self._name()
        if not name:
            self.message.emit(self.tr("Vui lòng nhập tên người gửi."), Level.WARNING)
            return
        if not text and not self._files:
            self.message.emit(self.tr("Hãy nhập nội dung hoặc đính kèm tệp."), Level.WARNING)
            return
        if len(text) > MESSAGE_MAX:
            self.message.emit(tr_args(self.tr("Tin nhắn quá dài (tối đa %1 ký tự)."), MESSAGE_MAX), Level.WARNING)
            return
        self.send_button.setEnabled(False)
        self._state.reply(self.request.id, name, text, list(self._files))

    def _accept(self) -> None:
        if self.request is not None and self._name():
            self._state.decide(self.request.id, self._name(), True)

    def _with_reason(self, title: str, prompt: str, placeholder: str, ok: str,
                     act: Callable[[str, str, str], None]) -> None:
        """Ask why (and who asks) about the shown request; if the cashier answers, ``act(request_id, author,
        reason)``."""
        if self.request is None:
            return
        request_id = self.request.id
        dialog = ReasonDialog(title, prompt, placeholder, ok, self.author.text().strip(), self)
        if not self.ask_reason(dialog):
            return
        self.author.setText(dialog.author_name())
        self._name()
        act(request_id, dialog.author_name(), dialog.reason())

    def _refuse(self) -> None:
        self._with_reason(self.tr("Chưa khắc phục"), self.tr(
            "Phương án chưa khắc phục được lỗi? Hãy cho biết lỗi còn thế nào. Yêu cầu sẽ được mở lại với hạn đề "
            "xuất phương án mới."), self.tr("Ví dụ: vẫn không in được tem, máy in báo lỗi đèn đỏ"),
            self.tr("Gửi"), lambda request_id, author, reason: self._state.decide(request_id, author, False, reason))

    def _confirm_visit(self) -> None:
        if self.request is not None and self.conversation is not None and self.conversation.visit is not None:
            if self._name():
                self._state.answer_visit(self.request.id, self._name(), self.conversation.visit.id, True)

    def _reschedule(self) -> None:
        if self.request is None or self.conversation is None or self.conversation.visit is None:
            return
        visit_id = self.conversation.visit.id
        self._with_reason(self.tr("Đề nghị giờ khác"), self.tr(
            "Giờ hẹn chưa tiện cho cửa hàng? Hãy cho biết ngày giờ nào tiện để nhà cung cấp hẹn lại."),
            self.tr("Ví dụ: sáng thứ Ba hoặc sau 17:00 các ngày trong tuần"), self.tr("Gửi đề nghị"),
            lambda request_id, author, reason: self._state.answer_visit(request_id, author, visit_id, False, reason))

    def _rate(self) -> None:
        if self.request is None:
            return
        dialog = RatingDialog(self.request.ticket_number or self.request.title, self.author.text().strip(), self)
        if self.ask_rating(dialog) and dialog.value:
            self._state.rate(self.request.id, dialog.author_name(), dialog.value, dialog.comment_text())
        elif dialog.skipped:
            self._state.skip_rating(self.request.id)

    def _reopen(self) -> None:
        self._with_reason(self.tr("Lỗi xuất hiện lại"), self.tr(
            "Lỗi đã được giải quyết nay lại xuất hiện? Yêu cầu sẽ được mở lại với hạn đề xuất phương án mới, "
            "không cần gửi yêu cầu mới."), self.tr("Ví dụ: từ sáng nay máy quét lại ra chữ có dấu"),
            self.tr("Mở lại yêu cầu"), self._state.reopen)

    def _link(self, url: QUrl) -> None:
        target = url.toString()
        if not target.startswith(FILE_SCHEME) or self.conversation is None:
            return
        file_id = target[len(FILE_SCHEME):]
        for entry in self.conversation.entries:
            for file in entry.files:
                if file.id == file_id:
                    self._state.fetch_file(self.conversation.request.id, file.id, file.local_path)
                    return

    # -- outcomes ---------------------------------------------------------------
    def _open_ready_file(self, path: Path) -> None:
        self.open_file(path)

    def _on_saved(self, entry: object) -> None:
        self.reply.clear()
        self._files = []
        self.files_label.hide()
        self.send_button.setEnabled(True)
        pending = getattr(entry, "state", None) == EntryState.PENDING
        self.message.emit(self.tr("Đã lưu; đang gửi cho bộ phận hỗ trợ.") if pending else
                          self.tr("Đã gửi cho bộ phận hỗ trợ."), Level.OK)

    def _on_failed(self, exc: BaseException) -> None:
        self.send_button.setEnabled(True)
        if isinstance(exc, ActRefused):
            text = tr_args(self.tr("Không thực hiện được: %1."), refusal_text(exc.code))
        elif isinstance(exc, ActInvalid):
            text = act_problem_text(exc.code, exc.detail)
        else:
            text = tr_args(self.tr("Không lưu được: %1"), exc)
        self.message.emit(text, Level.WARNING)

    def _on_file_failed(self, exc: BaseException) -> None:
        if isinstance(exc, FileRefused):
            level = Level.CRITICAL if exc.code in (FileProblem.MISMATCH, FileProblem.SIZE) else Level.WARNING
            self.message.emit(file_problem_text(exc.code), level)
        else:
            self.message.emit(tr_args(self.tr("Không tải được tệp: %1"), exc), Level.WARNING)
        self._state.load(self.request.id if self.request else None)
