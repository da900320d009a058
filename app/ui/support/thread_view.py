"""The selected request's detail: what happens next, the timeline, the shop's answers and the reply box."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from app import HOTLINE
from app.support.api_failure import ApiFailure
from app.support.conversation import ActInvalid, ActProblem, ActRefused, FileProblem, FileRefused
from app.support.models import SupportRequest
from app.support.thread_models import Conversation, EntryState, EventKind, ThreadEntry
from app.ui.failure_texts import failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.conversation_state import ActFailed, ConversationState, Delivered, Loaded
from app.ui.support.reply_box import Draft, ReplyBox
from app.ui.support.texts import (
    act_problem_text,
    delivery_failure_text,
    file_problem_text,
    next_step_text,
    refusal_text,
)
from app.ui.support.thread_dialogs import RatingDialog, ReasonDialog
from app.ui.support.thread_html import FILE_SCHEME, request_html, timeline_html
from app.ui.support.timeline_view import TimelineView
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox
from pmv_protocol.thread import MESSAGE_MAX, VisitState
from pmv_protocol.ticket_flow import refuse_decision, refuse_message, refuse_rating, refuse_reopen, refuse_visit_answer


def open_with_system_viewer(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


@dataclass(frozen=True)
class Typed:
    """What the cashier typed into a dialog whose act is not saved yet: asked again with it if the act fails."""

    kind: EventKind
    text: str
    stars: int = 0


# The dialogs whose words carry over: what is still wrong reads the same after "Chưa khắc phục" as after "Lỗi xuất
# hiện lại" (a refusal on a request closed meanwhile is best reopened with the same words).
_SAME_WORDS = {EventKind.REFUSED: "fault", EventKind.REOPENED: "fault", EventKind.VISIT_RESCHEDULE: "visit",
               EventKind.RATED: "rating"}


class ThreadView(QWidget):
    """One request: the next step in words, the buttons the state allows, the timeline and the reply box.

    The vendor's new entries are marked read when the cashier looks: the request is picked, or comes on screen
    (the page shown, the window brought to the front), while this view is visible in the active window.

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
        self._author = ""
        self._sending: dict[str, Draft] = {}  # request id -> the reply being saved (its "Gửi" stays off)
        self._typed: dict[str, Typed] = {}  # request id -> a dialog's words whose act is not saved yet
        # The vendor's entries that were new when the cashier opened the request: still marked MỚI while it is
        # shown, though marked read meanwhile (dropping the marks redrew the timeline and lost the selection).
        self._new: set[str] = set()

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
        self.timeline = TimelineView()
        self.timeline.anchorClicked.connect(self._link)
        self.reply_box = ReplyBox()
        self.reply_box.send_requested.connect(self._send)
        box = self.reply_box
        self.author, self.author_label, self.reply = box.author, box.author_label, box.text
        self.attach_button, self.send_button = box.attach_button, box.send_button

        actions = hbox(*self._action_buttons(), STRETCH)
        layout = vbox(self.next_step, actions, (self.timeline, 1), self.reply_box, parent=self)
        layout.setContentsMargins(0, 0, 0, 0)

        state.loaded.connect(self._on_loaded)
        state.act_saved.connect(self._on_saved)
        state.act_failed.connect(self._on_failed)
        state.act_delivered.connect(self._on_delivered)
        state.file_ready.connect(self._open_ready_file)
        state.file_failed.connect(self._on_file_failed)
        self.show_nothing()

    # -- showing ---------------------------------------------------------------
    def show_nothing(self) -> None:
        self.request = self.conversation = None
        self.timeline.show_nothing()
        self.reply_box.show_for(None)
        self.next_step.hide()
        for button in self._action_buttons():
            button.setEnabled(False)
            button.hide()
        self.reply_box.set_writable(False, False, self.reply.placeholderText())

    def show_request(self, request: SupportRequest, facts: list[tuple[str, str]]) -> None:
        """Show what is known at once, then the conversation when the worker has read it.

        Picking a request while the view is on screen is looking at it (its new entries are marked read); the
        same request shown again (the list read again) is not."""
        picked = self.request is None or self.request.id != request.id
        if picked:
            self.conversation = None
            self._new = set()
            self.author.setText(self._author or request.contact_name)
            self.reply_box.show_for(request.id)
        self.request = request
        self._facts = facts
        self._state.load(request.id, seen=picked and self._on_screen())

    def _on_loaded(self, loaded: Loaded) -> None:
        if self.request is None or loaded.request_id != self.request.id:
            return
        self.conversation = loaded.conversation
        if loaded.conversation is not None:
            self.request = loaded.conversation.request
            self._new |= {entry.id for entry in loaded.conversation.entries if not entry.read}
        self.timeline.show_timeline(self.request.id, request_html(self.request, self._facts)
                                    + timeline_html(loaded.conversation, loaded.events, self._new))
        self._update_actions()

    # -- whether the cashier sees it ------------------------------------------------------------------
    def _on_screen(self) -> bool:
        return self.isVisible() and self.isActiveWindow()

    def seen(self) -> None:
        """The cashier looks at the shown request (it came on screen, or its row was clicked): its new vendor
        entries are marked read, if it has any."""
        if self.request is None or not self._on_screen():
            return
        unread = self._state.unread_by_request.get(self.request.id, 0)
        if self.conversation is not None and self.conversation.request.id == self.request.id:
            unread = max(unread, self.conversation.unread)
        if unread:
            self._state.load(self.request.id, seen=True)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.seen()  # the support page shown (from another page, or the window from the tray)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # The window brought to the front (from the POS, say) with this request shown; Qt passes WindowActivate
        # on to the window's visible widgets (ActivationChange stays with the window itself).
        if event.type() == QEvent.Type.WindowActivate:
            self.seen()
        return handled

    def _action_buttons(self) -> tuple[QPushButton, ...]:
        return (self.accept_button, self.refuse_button, self.confirm_visit_button, self.reschedule_button,
                self.rate_button, self.reopen_button)

    def _update_actions(self) -> None:
        conversation, now = self.conversation, self._state.now()
        for button in self._action_buttons():
            button.hide()
        if conversation is None:
            self.next_step.hide()
            self.reply_box.set_writable(False, False, self.reply.placeholderText())
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
        if refuse_message(flow) is not None:
            placeholder = self.tr("Yêu cầu đã đóng. Nếu lỗi xuất hiện lại, bấm \u201cLỗi xuất hiện lại\u201d hoặc gửi "
                                  "yêu cầu mới.")
        elif conversation.request.ticket_id is None:
            placeholder = self.tr("Có thể nhắn khi yêu cầu đã đến bộ phận hỗ trợ.")
        else:
            placeholder = self.tr("Nhắn cho bộ phận hỗ trợ: trả lời câu hỏi, báo thêm thông tin…")
        # A reply still being saved keeps its "Gửi" off, whatever reloads meanwhile: a second press sent it twice.
        self.reply_box.set_writable(can_write, conversation.request.id not in self._sending, placeholder)

    # -- the shop's acts ---------------------------------------------------------
    def _name(self) -> str:
        name = self.author.text().strip()
        if name:
            self._author = name
        return name

    def add_files(self, paths: list[Path]) -> None:
        self.reply_box.add_files(paths)

    def _send(self) -> None:
        if self.request is None or self.request.id in self._sending:
            return
        draft, name = self.reply_box.draft(), self._name()
        text = draft.text.strip()
        if not name:
            self.message.emit(self.tr("Vui lòng nhập tên người gửi."), Level.WARNING)
            return
        if not text and not draft.files:
            self.message.emit(self.tr("Hãy nhập nội dung hoặc đính kèm tệp."), Level.WARNING)
            return
        if len(text) > MESSAGE_MAX:
            self.message.emit(tr_args(self.tr("Tin nhắn quá dài (tối đa %1 ký tự)."), MESSAGE_MAX), Level.WARNING)
            return
        self._sending[self.request.id] = draft
        self.send_button.setEnabled(False)
        self._state.reply(self.request.id, name, text, list(draft.files))

    def _accept(self) -> None:
        if self.request is not None and self._name():
            self._state.decide(self.request.id, self._name(), True)

    def _with_reason(self, kind: EventKind, title: str, prompt: str, placeholder: str, ok: str,
                     act: Callable[[str, str, str], None], error: str, refused: bool) -> None:
        """Ask why (and who asks) about the shown request; if the cashier answers, ``act(request_id, author,
        reason)``.  The words typed are kept until the act is saved: a failure asks again with them (``error``;
        ``refused``: the act is not allowed as the request now stands, so the dialog only gives the words back)."""
        if self.request is None:
            return
        request_id = self.request.id
        typed = self._typed.get(request_id)
        reason = typed.text if typed is not None and _SAME_WORDS[typed.kind] == _SAME_WORDS[kind] else ""
        dialog = ReasonDialog(title, prompt, placeholder, ok, self.author.text().strip(), self, reason=reason,
                              error=error, refused=refused)
        answered = self.ask_reason(dialog)
        if dialog.reason():  # kept even when cancelled: the next dialog on this request starts from it
            self._typed[request_id] = Typed(kind, dialog.reason())
        if not answered or refused:
            return
        self.author.setText(dialog.author_name())
        self._name()
        act(request_id, dialog.author_name(), dialog.reason())

    def _refuse(self, *, error: str = "", refused: bool = False) -> None:
        self._with_reason(EventKind.REFUSED, self.tr("Chưa khắc phục"), self.tr(
            "Phương án chưa khắc phục được lỗi? Hãy cho biết lỗi còn thế nào. Yêu cầu sẽ được mở lại với hạn đề "
            "xuất phương án mới."), self.tr("Ví dụ: vẫn không in được tem, máy in báo lỗi đèn đỏ"),
            self.tr("Gửi"), lambda request_id, author, reason: self._state.decide(request_id, author, False, reason),
            error, refused)

    def _confirm_visit(self) -> None:
        if self.request is not None and self.conversation is not None and self.conversation.visit is not None:
            if self._name():
                self._state.answer_visit(self.request.id, self._name(), self.conversation.visit.id, True)

    def _reschedule(self, *, error: str = "", refused: bool = False) -> None:
        if self.request is None or self.conversation is None or self.conversation.visit is None:
            return
        visit_id = self.conversation.visit.id
        self._with_reason(EventKind.VISIT_RESCHEDULE, self.tr("Đề nghị giờ khác"), self.tr(
            "Giờ hẹn chưa tiện cho cửa hàng? Hãy cho biết ngày giờ nào tiện để nhà cung cấp hẹn lại."),
            self.tr("Ví dụ: sáng thứ Ba hoặc sau 17:00 các ngày trong tuần"), self.tr("Gửi đề nghị"),
            lambda request_id, author, reason: self._state.answer_visit(request_id, author, visit_id, False, reason),
            error, refused)

    def _rate(self, *, error: str = "", refused: bool = False) -> None:
        if self.request is None:
            return
        request_id = self.request.id
        typed = self._typed.get(request_id)
        given = typed if typed is not None and typed.kind == EventKind.RATED else Typed(EventKind.RATED, "")
        dialog = RatingDialog(self.request.ticket_number or self.request.title, self.author.text().strip(), self,
                              stars=given.stars, comment=given.text, error=error, refused=refused)
        answered = self.ask_rating(dialog)
        if answered and dialog.value and not refused:
            self._typed[request_id] = Typed(EventKind.RATED, dialog.comment_text(), dialog.value)
            self._state.rate(request_id, dialog.author_name(), dialog.value, dialog.comment_text())
        elif dialog.skipped:
            self._typed.pop(request_id, None)
            self._state.skip_rating(request_id)

    def _reopen(self, *, error: str = "", refused: bool = False) -> None:
        self._with_reason(EventKind.REOPENED, self.tr("Lỗi xuất hiện lại"), self.tr(
            "Lỗi đã được giải quyết nay lại xuất hiện? Yêu cầu sẽ được mở lại với hạn đề xuất phương án mới, "
            "không cần gửi yêu cầu mới."), self.tr("Ví dụ: từ sáng nay máy quét lại ra chữ có dấu"),
            self.tr("Mở lại yêu cầu"), self._state.reopen, error, refused)

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

    def _shown(self, request_id: str) -> bool:
        return self.request is not None and self.request.id == request_id

    def _on_saved(self, entry: ThreadEntry) -> None:
        if entry.kind == EventKind.MESSAGE:
            # Only the message's own draft goes, and only as it was sent: what is typed meanwhile, here or on
            # another request, stays.
            sent = self._sending.pop(entry.request_id, None)
            if sent is not None:
                self.reply_box.sent(entry.request_id, sent)
        elif entry.kind in _SAME_WORDS:
            self._typed.pop(entry.request_id, None)
        if not self._shown(entry.request_id):
            return
        self._update_actions()
        self.message.emit(self.tr("Đã lưu; đang gửi cho bộ phận hỗ trợ.") if entry.state == EntryState.PENDING else
                          self.tr("Đã gửi cho bộ phận hỗ trợ."), Level.OK)

    def _on_delivered(self, outcome: Delivered) -> None:
        if not self._shown(outcome.entry.request_id):
            return
        if outcome.sent:
            self.message.emit(self.tr("Đã gửi cho bộ phận hỗ trợ."), Level.OK)
        elif outcome.refusal is not None:
            self.message.emit(tr_args(self.tr("Không thực hiện được: %1."), refusal_text(outcome.refusal)),
                              Level.WARNING)
        elif outcome.failure is not None:
            self.message.emit(tr_args(self.tr("Đã lưu nhưng chưa gửi được: %1. Máy sẽ tự gửi lại, không cần bấm lại; "
                                              "việc gấp xin gọi %2."), delivery_failure_text(outcome.failure),
                                      HOTLINE), Level.WARNING)

    def _on_failed(self, failed: ActFailed) -> None:
        exc, request_id = failed.error, failed.request_id
        if failed.kind == EventKind.MESSAGE:
            self._sending.pop(request_id, None)
        if isinstance(exc, ActInvalid) and exc.code == ActProblem.FILE_UNREADABLE and failed.kind == EventKind.MESSAGE:
            # Gone since it was chosen (deleted, moved, a USB stick pulled out): sending again could never work.
            self.reply_box.drop_files_named(request_id, exc.detail)
            text = tr_args(self.tr("Không đọc được tệp %1 (tệp đã bị xóa, bị chuyển đi hoặc USB đã rút ra) nên đã bỏ "
                                   "tệp khỏi tin nhắn. Hãy chọn lại tệp nếu cần rồi bấm \u201cGửi\u201d."), exc.detail)
        elif isinstance(exc, ActRefused):
            text = tr_args(self.tr("Không thực hiện được: %1."), refusal_text(exc.code))
            self._state.reload(request_id)  # the request moved meanwhile: its buttons follow
        elif isinstance(exc, ActInvalid):
            text = act_problem_text(exc.code, exc.detail)
        else:
            text = tr_args(self.tr("Không lưu được: %1"), failure_text(exc))
        self.message.emit(text, Level.WARNING)
        if not self._shown(request_id):
            return  # the words typed wait for the cashier on that request's dialog
        self._update_actions()
        if failed.kind in _SAME_WORDS and request_id in self._typed:
            # Asked again with what was typed and why it failed; after this slot, not inside the worker's answer.
            # A refused act would only be refused again: its dialog gives the words back without its OK.
            refused = isinstance(exc, ActRefused)
            QTimer.singleShot(0, self, lambda: self._ask_again(request_id, failed.kind, text, refused))

    def _ask_again(self, request_id: str, kind: EventKind, error: str, refused: bool) -> None:
        if not self._shown(request_id):
            return
        ask = {EventKind.REFUSED: self._refuse, EventKind.REOPENED: self._reopen,
               EventKind.VISIT_RESCHEDULE: self._reschedule, EventKind.RATED: self._rate}[kind]
        ask(error=error, refused=refused)

    def _on_file_failed(self, exc: BaseException) -> None:
        if isinstance(exc, FileRefused):
            level = Level.CRITICAL if exc.code in (FileProblem.MISMATCH, FileProblem.SIZE) else Level.WARNING
            self.message.emit(file_problem_text(exc.code), level)
        else:
            # The vendor's server (by why it failed) or the disk here, in the shop's words, never the library's.
            kind = getattr(exc, "kind", None)  # a VendorApiError's; its module loads only when the network is used
            why = delivery_failure_text(kind) if isinstance(kind, ApiFailure) else failure_text(exc)
            self.message.emit(tr_args(self.tr("Không tải được tệp: %1. Việc gấp xin gọi %2."), why, HOTLINE),
                              Level.WARNING)
        if self.request is not None:
            self._state.reload(self.request.id)
