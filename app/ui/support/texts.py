"""Words for the support feature's codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app import HOTLINE
from app.infra.formatting import format_datetime
from app.support.api_failure import ApiFailure
from app.support.bundle import BundlePart
from app.support.conversation import ActProblem, FileProblem
from app.support.models import AttachmentError, Category, Channel, RequestEvent, RequestStatus, Severity, SupportRequest
from app.support.service import FormError, FormProblem
from app.support.thread_models import Author, Conversation, EntryState, EventKind, FileState, ThreadEntry, ThreadFile
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from app.ui.support.time_texts import visit_slot_text
from pmv_protocol.phone import PhoneErrorCode
from pmv_protocol.thread import VisitState
from pmv_protocol.ticket_flow import Refusal, reopen_until

category_name = Words({
    Category.INCIDENT: QT_TRANSLATE_NOOP("SupportTexts", "Sự cố"),
    Category.HOW_TO: QT_TRANSLATE_NOOP("SupportTexts", "Hướng dẫn sử dụng"),
    Category.REGULATION_UPDATE: QT_TRANSLATE_NOOP("SupportTexts", "Cập nhật quy định"),
    Category.REINSTALL: QT_TRANSLATE_NOOP("SupportTexts", "Cài lại phần mềm"),
    Category.BARCODE_DEVICE: QT_TRANSLATE_NOOP("SupportTexts", "Thiết bị mã vạch"),
})


severity_name = Words({
    Severity.CRITICAL: QT_TRANSLATE_NOOP("SupportTexts", "Nghiêm trọng – không bán hàng được"),
    Severity.HIGH: QT_TRANSLATE_NOOP("SupportTexts", "Cao – ảnh hưởng việc bán hàng"),
    Severity.NORMAL: QT_TRANSLATE_NOOP("SupportTexts", "Bình thường"),
})


# Why the outbox could not hand a request over (app.support.api_failure), after "Chưa gửi được: ".
delivery_failure_text = Words({
    ApiFailure.NOT_CONFIGURED: QT_TRANSLATE_NOOP(
        "SupportTexts", "máy này chưa được kết nối với nhà cung cấp (chưa có mã kết nối)"),
    ApiFailure.OFFLINE: QT_TRANSLATE_NOOP("SupportTexts", "không kết nối được máy chủ hỗ trợ (mất mạng?)"),
    ApiFailure.TIMEOUT: QT_TRANSLATE_NOOP("SupportTexts", "máy chủ hỗ trợ không trả lời kịp"),
    ApiFailure.UNAUTHORIZED: QT_TRANSLATE_NOOP("SupportTexts", "máy chủ hỗ trợ từ chối mã kết nối của cửa hàng"),
    ApiFailure.NOT_FOUND: QT_TRANSLATE_NOOP("SupportTexts", "máy chủ hỗ trợ không tìm thấy nơi nhận yêu cầu"),
    ApiFailure.TOO_LARGE: QT_TRANSLATE_NOOP("SupportTexts", "tệp đính kèm quá lớn với máy chủ hỗ trợ"),
    ApiFailure.SERVER: QT_TRANSLATE_NOOP("SupportTexts", "máy chủ hỗ trợ đang gặp lỗi"),
    ApiFailure.BAD_RESPONSE: QT_TRANSLATE_NOOP("SupportTexts", "máy chủ hỗ trợ không nhận nội dung yêu cầu"),
})


channel_name = Words({
    Channel.PHONE: QT_TRANSLATE_NOOP("SupportTexts", "Điện thoại"),
    Channel.EMAIL: QT_TRANSLATE_NOOP("SupportTexts", "Email"),
    Channel.REMOTE: QT_TRANSLATE_NOOP("SupportTexts", "Truy cập từ xa"),
    Channel.ON_SITE: QT_TRANSLATE_NOOP("SupportTexts", "Đến tận nơi"),
})


status_name = Words({
    RequestStatus.PENDING: QT_TRANSLATE_NOOP("SupportTexts", "Chờ gửi"),
    RequestStatus.SENT: QT_TRANSLATE_NOOP("SupportTexts", "Đã gửi"),
    RequestStatus.RECEIVED: QT_TRANSLATE_NOOP("SupportTexts", "Đã tiếp nhận"),
    RequestStatus.IN_PROGRESS: QT_TRANSLATE_NOOP("SupportTexts", "Đang xử lý"),
    RequestStatus.SOLUTION_PROPOSED: QT_TRANSLATE_NOOP("SupportTexts", "Đã đề xuất phương án"),
    RequestStatus.ON_SITE_SCHEDULED: QT_TRANSLATE_NOOP("SupportTexts", "Đã hẹn đến tận nơi"),
    RequestStatus.RESOLVED: QT_TRANSLATE_NOOP("SupportTexts", "Đã giải quyết"),
    RequestStatus.CLOSED: QT_TRANSLATE_NOOP("SupportTexts", "Đã đóng"),
})


def system_opened_text() -> str:
    """What the list, the detail and the notification say of a ticket the vendor's system opened for the shop."""
    return translate("SupportTexts", "Nhà cung cấp đã phát hiện và mở yêu cầu")


def event_text(event: RequestEvent) -> str:
    """One line of a request's timeline (the page's words)."""
    if event.kind == "created":
        return translate("SupportPage", "Đã lưu yêu cầu trên máy")
    if event.kind == "learnt":
        return tr_args(translate("SupportPage", "Máy này đã nhận yêu cầu từ bộ phận hỗ trợ, số %1"),
                       event.detail.get("number", ""))
    if event.kind == "sent":
        return tr_args(translate("SupportPage", "Đã gửi tới bộ phận hỗ trợ, số %1"), event.detail.get("number", ""))
    if event.kind == "attempt_failed":
        return tr_args(translate("SupportPage", "Chưa gửi được (lần %1), sẽ tự thử lại"),
                       event.detail.get("attempt", ""))
    if event.kind == "status":
        try:
            return status_name(RequestStatus(event.detail.get("status")))
        except ValueError:
            return str(event.detail.get("status"))
    if event.kind == "attachment_failed":
        return tr_args(translate("SupportPage", "Không gửi được tệp %1"), event.detail.get("filename", ""))
    return event.kind


_ATTACHMENT_ERRORS = Words({
    AttachmentError.MISSING: QT_TRANSLATE_NOOP("SupportTexts", "tệp đã bị xóa khỏi máy"),
    AttachmentError.TAMPERED: QT_TRANSLATE_NOOP("SupportTexts", "tệp đã bị thay đổi sau khi đính kèm nên không gửi"),
    AttachmentError.TOO_LARGE: QT_TRANSLATE_NOOP("SupportTexts", "tệp quá lớn, máy chủ từ chối"),
    AttachmentError.REJECTED: QT_TRANSLATE_NOOP("SupportTexts", "máy chủ từ chối tệp (sai mã kiểm tra)"),
    AttachmentError.TICKET_GONE: QT_TRANSLATE_NOOP(
        "SupportTexts", "Yêu cầu không còn trên máy chủ nhà cung cấp nên tệp chưa gửi được (tệp vẫn lưu trên "
        "máy này). Hãy gửi yêu cầu mới hoặc gọi %1."),
})


def attachment_error(value: AttachmentError) -> str:
    return _ATTACHMENT_ERRORS(value, HOTLINE)  # a text's %1 is the hotline


_PHONE_ERRORS = Words({
    PhoneErrorCode.EMPTY.value: QT_TRANSLATE_NOOP(
        "SupportTexts", "Vui lòng nhập số điện thoại để kỹ thuật viên gọi lại."),
    PhoneErrorCode.BAD_CHARACTERS.value: QT_TRANSLATE_NOOP(
        "SupportTexts", "Số điện thoại chỉ gồm chữ số (có thể có +84)."),
    PhoneErrorCode.WRONG_LENGTH.value: QT_TRANSLATE_NOOP("SupportTexts", "Số điện thoại không đủ hoặc thừa chữ số."),
    PhoneErrorCode.UNKNOWN_PREFIX.value: QT_TRANSLATE_NOOP(
        "SupportTexts", "Đầu số không đúng (di động 10 số như 0912 345 678, cố định như 028 3822 1234)."),
})


def form_error(error: FormError) -> str:
    if error.problem is FormProblem.REQUIRED:
        return translate("SupportTexts", "Vui lòng nhập mục này.")
    if error.problem is FormProblem.TOO_LONG:
        return tr_args(translate("SupportTexts", "Quá dài (tối đa %1 ký tự)."), error.detail)
    if error.problem is FormProblem.TOO_LARGE:
        return tr_args(translate("SupportTexts", "Tệp %1 lớn hơn 10 MB."), error.detail)
    if error.problem is FormProblem.UNREADABLE:
        return tr_args(translate("SupportTexts", "Không đọc được tệp %1."), error.detail)
    return _PHONE_ERRORS.get(error.detail, translate("SupportTexts", "Số điện thoại không hợp lệ."))


def open_request_choices(requests: Sequence[SupportRequest]) -> list[tuple[str, str]]:
    """(label, request id) for each request still open, for pickers that attach something to one."""
    not_sent = translate("SupportTexts", "(chưa gửi)")
    return [(f"{request.ticket_number or not_sent} – {request.title}", request.id)
            for request in requests if request.status.is_open]


_BUNDLE_PARTS = Words({
    "app_log": QT_TRANSLATE_NOOP("BundlePreviewDialog", "Nhật ký ứng dụng"),
    "pos_log": QT_TRANSLATE_NOOP("BundlePreviewDialog", "Nhật ký phần mềm bán hàng"),
    "settings": QT_TRANSLATE_NOOP("BundlePreviewDialog", "Cấu hình (đã che mật khẩu)"),
    "system": QT_TRANSLATE_NOOP("BundlePreviewDialog", "Thông tin máy tính"),
    "devices": QT_TRANSLATE_NOOP("BundlePreviewDialog", "Thiết bị kết nối"),
    "health_report": QT_TRANSLATE_NOOP("BundlePreviewDialog", "Báo cáo kiểm tra hệ thống"),
})


def bundle_part_label(part: BundlePart) -> str:
    """A diagnostics-bundle part as the preview lists it, with how much was hidden (the preview's words)."""
    label = _BUNDLE_PARTS.get(part.key, part.filename)
    hidden = sum(part.redactions.values())
    if hidden:
        # lupdate takes no count from translate(): English's singular is its own message, disambiguated "one"
        text = (translate("BundlePreviewDialog", "(%1 chỗ đã che)", "one") if hidden == 1
                else translate("BundlePreviewDialog", "(%1 chỗ đã che)"))
        label += " " + tr_args(text, hidden)
    return label


# --- the conversation on a request ---------------------------------------------------

def stars_text(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)


def author_text(entry: ThreadEntry) -> str:
    if entry.author == Author.VENDOR:
        return tr_args(translate("SupportTexts", "Nhà cung cấp – %1"), entry.author_name)
    if entry.author == Author.SHOP:
        return tr_args(translate("SupportTexts", "Cửa hàng – %1"), entry.author_name)
    return translate("SupportTexts", "Hệ thống")


_REFUSALS = Words({
    Refusal.CLOSED: QT_TRANSLATE_NOOP("SupportTexts", "yêu cầu đã đóng; bấm \u201cLỗi xuất hiện lại\u201d để mở lại"),
    Refusal.NO_PROPOSAL: QT_TRANSLATE_NOOP("SupportTexts", "không có phương án nào đang chờ cửa hàng trả lời"),
    Refusal.NO_VISIT: QT_TRANSLATE_NOOP("SupportTexts", "không có lịch hẹn nào đang chờ cửa hàng xác nhận"),
    Refusal.OTHER_VISIT: QT_TRANSLATE_NOOP("SupportTexts", "nhà cung cấp đã đổi lịch hẹn; hãy xem lịch mới"),
    Refusal.NOT_RESOLVED: QT_TRANSLATE_NOOP("SupportTexts", "yêu cầu chưa được giải quyết"),
    Refusal.ALREADY_RATED: QT_TRANSLATE_NOOP("SupportTexts", "yêu cầu này đã được đánh giá"),
    Refusal.REOPEN_TOO_LATE: QT_TRANSLATE_NOOP(
        "SupportTexts", "đã quá 7 ngày kể từ khi giải quyết; hãy gửi yêu cầu mới"),
    Refusal.TICKET_FULL: QT_TRANSLATE_NOOP(
        "SupportTexts", "yêu cầu này đã có quá nhiều tệp đính kèm; hãy nhắn không kèm tệp hoặc gọi tổng đài"),
})


def refusal_text(code: str | None) -> str:
    """Why the vendor's server refused one of the shop's acts (a pmv_protocol.ticket_flow.Refusal value).

    A reason this version has no words for (the server's own sentence, or a code a later server added) is not
    shown: it would be English on a Vietnamese screen; the log and the request's history keep it."""
    if code in _REFUSALS:
        return _REFUSALS(Refusal(code))
    return translate("SupportTexts", "máy chủ từ chối")


def entry_text(entry: ThreadEntry) -> str:
    """What one step of the timeline says, apart from a message's own text and files."""
    kind, text = entry.kind, entry.text or ""
    if kind == EventKind.OPENED:
        if entry.author == Author.SYSTEM:  # a ticket the vendor's system opened for the shop
            return system_opened_text()
        # The shop's own step (its author is the shop): it read "Cửa hàng – Chị Lan: Bộ phận hỗ trợ đã nhận yêu
        # cầu", before the line saying it was delivered.
        return translate("SupportTexts", "Mở yêu cầu")
    if kind == EventKind.STATUS:
        try:
            return tr_args(translate("SupportTexts", "Chuyển trạng thái: %1"), status_name(RequestStatus(text)))
        except ValueError:
            return tr_args(translate("SupportTexts", "Chuyển trạng thái: %1"), text)
    if kind == EventKind.PROPOSED:
        how = channel_name(Channel(entry.solution_kind)) if entry.solution_kind in set(Channel) else ""
        return tr_args(translate("SupportTexts", "Đề xuất phương án (%1): %2"), how, text)
    if kind == EventKind.ACCEPTED:
        return translate("SupportTexts", "Cửa hàng xác nhận: đã khắc phục")
    if kind in (EventKind.REFUSED, EventKind.REOPENED):
        said = (translate("SupportTexts", "Cửa hàng báo chưa khắc phục: %1") if kind == EventKind.REFUSED
                else translate("SupportTexts", "Cửa hàng báo lỗi xuất hiện lại: %1"))
        line = tr_args(said, text)
        if entry.response_due_at is not None:
            due = format_datetime(entry.response_due_at)
            line += " " + tr_args(translate("SupportTexts", "Hạn đề xuất mới: %1."), due)
        return line
    if kind == EventKind.VISIT_PROPOSED and entry.visit is not None:
        return tr_args(translate("SupportTexts", "Đề xuất lịch đến tận nơi: %1"), visit_slot_text(entry.visit))
    if kind == EventKind.VISIT_CONFIRMED:
        return translate("SupportTexts", "Cửa hàng xác nhận lịch hẹn")
    if kind == EventKind.VISIT_RESCHEDULE:
        return tr_args(translate("SupportTexts", "Cửa hàng đề nghị giờ khác: %1"), text)
    if kind == EventKind.RATED:
        line = tr_args(translate("SupportTexts", "Đánh giá %1"), stars_text(entry.stars or 0))
        return f"{line}: {text}" if text else line
    if kind == EventKind.CLOSED:
        if entry.author == Author.SYSTEM:
            return translate("SupportTexts", "Đã đóng vì cửa hàng chưa trả lời phương án trong thời hạn")
        return translate("SupportTexts", "Đã đóng yêu cầu") + (f": {text}" if text else "")
    return text or str(kind)


def entry_state_text(entry: ThreadEntry) -> str:
    if entry.state == EntryState.PENDING:
        return translate("SupportTexts", "chờ gửi")
    if entry.state == EntryState.REFUSED:
        return tr_args(translate("SupportTexts", "không gửi được: %1"), refusal_text(entry.error))
    return ""


_FILE_STATES = Words({
    FileState.TO_UPLOAD: QT_TRANSLATE_NOOP("SupportTexts", "chờ gửi"),
    FileState.UPLOADED: QT_TRANSLATE_NOOP("SupportTexts", "đã gửi"),
    FileState.AVAILABLE: QT_TRANSLATE_NOOP("SupportTexts", "bấm để tải về"),
    FileState.DOWNLOADED: QT_TRANSLATE_NOOP("SupportTexts", "bấm để mở"),
    FileState.REFUSED: QT_TRANSLATE_NOOP("SupportTexts", "tệp không khớp mã kiểm tra, không mở"),
})


def file_state_text(file: ThreadFile) -> str:
    return _FILE_STATES.get(FileState(file.state), "")


def next_step_text(conversation: Conversation, now: dt.datetime) -> str:
    """What happens next and who acts, for every state of a request."""
    request, flow = conversation.request, conversation.flow
    pending = [e for e in conversation.entries if e.state == EntryState.PENDING]
    if request.status is RequestStatus.PENDING:
        return tr_args(translate("SupportTexts", "Yêu cầu đang chờ gửi: máy sẽ tự gửi khi kết nối được máy chủ hỗ "
                                                 "trợ. Việc gấp xin gọi %1."), HOTLINE)
    if pending:
        return translate("SupportTexts", "Trả lời của cửa hàng đang chờ gửi: máy sẽ tự gửi khi kết nối được, "
                                         "không cần bấm lại.")
    visit = conversation.visit
    if visit is not None and visit.state == VisitState.PROPOSED and request.status.is_open:
        return tr_args(translate("SupportTexts", "Cửa hàng cần trả lời: nhà cung cấp đề xuất đến %1. Bấm \u201cXác "
                                                 "nhận lịch\u201d hoặc \u201cĐề nghị giờ khác\u201d."),
                       visit_slot_text(visit.slot))
    if request.status is RequestStatus.SOLUTION_PROPOSED:
        text = translate("SupportTexts", "Cửa hàng cần trả lời: phương án đã khắc phục được lỗi chưa?")
        if conversation.close_after is not None:
            closing = format_datetime(conversation.close_after)
            text += " " + tr_args(translate("SupportTexts", "Nếu cửa hàng không trả lời trước %1, nhà cung cấp có "
                                                            "thể đóng yêu cầu."), closing)
        return text
    if request.status is RequestStatus.ON_SITE_SCHEDULED and visit is not None:
        return tr_args(translate("SupportTexts", "Đã hẹn: %1. Kỹ thuật viên sẽ gọi trước khi đến."),
                       visit_slot_text(visit.slot))
    if request.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        until = reopen_until(flow)
        if until is not None and now <= until:
            return tr_args(translate("SupportTexts", "Đã xong. Nếu lỗi xuất hiện lại trước %1, bấm \u201cLỗi xuất "
                                                     "hiện lại\u201d thay vì gửi yêu cầu mới."), format_datetime(until))
        return translate("SupportTexts", "Đã xong. Nếu có lỗi mới, hãy gửi yêu cầu mới.")
    if request.opened_by_system and request.response_due_at is not None:
        return tr_args(translate("SupportTexts", "Nhà cung cấp đã phát hiện sự cố trên máy bán hàng và mở yêu cầu thay "
                                                 "cho cửa hàng; kỹ thuật viên sẽ liên hệ và đề xuất phương án trước "
                                                 "%1. Cửa hàng có thể nhắn thêm thông tin bên dưới."),
                       format_datetime(request.response_due_at))
    if request.response_due_at is not None:
        return tr_args(translate("SupportTexts", "Nhà cung cấp đang xử lý và sẽ đề xuất phương án trước %1. Cửa hàng "
                                                 "có thể nhắn thêm thông tin bên dưới."),
                       format_datetime(request.response_due_at))
    return tr_args(translate("SupportTexts", "Nhà cung cấp đang xử lý. Việc gấp xin gọi %1."), HOTLINE)


_ACT_PROBLEMS = Words({
    ActProblem.NAME_REQUIRED: QT_TRANSLATE_NOOP("SupportTexts", "Vui lòng nhập tên người gửi."),
    ActProblem.EMPTY: QT_TRANSLATE_NOOP("SupportTexts", "Hãy nhập nội dung hoặc đính kèm tệp."),
    ActProblem.TOO_LONG: QT_TRANSLATE_NOOP("SupportTexts", "Quá dài (tối đa %1 ký tự)."),
    ActProblem.REASON_REQUIRED: QT_TRANSLATE_NOOP("SupportTexts", "Hãy cho biết lý do."),
    ActProblem.NOTE_REQUIRED: QT_TRANSLATE_NOOP("SupportTexts", "Hãy cho biết ngày giờ nào tiện cho cửa hàng."),
    ActProblem.STARS: QT_TRANSLATE_NOOP("SupportTexts", "Hãy chọn từ 1 đến 5 sao."),
    ActProblem.TOO_MANY_FILES: QT_TRANSLATE_NOOP("SupportTexts", "Mỗi tin nhắn gửi kèm tối đa %1 tệp."),
    ActProblem.FILE_TOO_LARGE: QT_TRANSLATE_NOOP("SupportTexts", "Tệp %1 lớn hơn 10 MB."),
    ActProblem.FILE_UNREADABLE: QT_TRANSLATE_NOOP("SupportTexts", "Không đọc được tệp %1."),
})


def act_problem_text(problem: ActProblem, detail: str = "") -> str:
    """What is wrong with what the cashier typed or picked for a reply, a decision, a rating…"""
    return _ACT_PROBLEMS(problem, detail)  # a text's %1 is the detail


# Why a file from the vendor was not opened.
file_problem_text = Words({
    FileProblem.UNKNOWN: QT_TRANSLATE_NOOP("SupportTexts", "Không tìm thấy tệp này trong yêu cầu."),
    FileProblem.NOT_ON_SERVER: QT_TRANSLATE_NOOP(
        "SupportTexts", "Tệp chưa sẵn sàng trên máy chủ; hãy thử lại sau ít phút."),
    FileProblem.MISMATCH: QT_TRANSLATE_NOOP(
        "SupportTexts", "Tệp tải về không khớp mã kiểm tra mà máy chủ công bố nên đã bị loại bỏ và không mở. Hãy nhắn "
        "bộ phận hỗ trợ gửi lại tệp."),
    FileProblem.SIZE: QT_TRANSLATE_NOOP(
        "SupportTexts", "Tệp tải về không đúng kích thước mà máy chủ công bố nên đã bị loại bỏ và không mở. Hãy nhắn "
        "bộ phận hỗ trợ gửi lại tệp."),
})
