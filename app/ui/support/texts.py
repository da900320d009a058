"""Words for the support feature's codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app import HOTLINE
from app.infra.formatting import format_date
from app.support.bundle import BundlePart
from app.support.conversation import ActProblem, FileProblem
from app.support.models import AttachmentError, Category, Channel, RequestEvent, RequestStatus, Severity, SupportRequest
from app.support.service import FormError, FormProblem
from app.support.thread_models import (
    Author,
    Conversation,
    EntryState,
    EventKind,
    FileState,
    ThreadEntry,
    ThreadFile,
    VisitSlot,
)
from app.ui.i18n import tr_args, translate
from pmv_protocol.phone import PhoneErrorCode
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import VisitState
from pmv_protocol.ticket_flow import Refusal, reopen_until

VN = SHOP_TZ  # the shop's zone (defined in app.infra.formatting)


def category_name(value: Category) -> str:
    return {
        Category.INCIDENT: translate("SupportTexts", "Sự cố"),
        Category.HOW_TO: translate("SupportTexts", "Hướng dẫn sử dụng"),
        Category.REGULATION_UPDATE: translate("SupportTexts", "Cập nhật quy định"),
        Category.REINSTALL: translate("SupportTexts", "Cài lại phần mềm"),
        Category.BARCODE_DEVICE: translate("SupportTexts", "Thiết bị mã vạch"),
    }[value]


def severity_name(value: Severity) -> str:
    return {
        Severity.CRITICAL: translate("SupportTexts", "Nghiêm trọng – không bán hàng được"),
        Severity.HIGH: translate("SupportTexts", "Cao – ảnh hưởng việc bán hàng"),
        Severity.NORMAL: translate("SupportTexts", "Bình thường"),
    }[value]


def channel_name(value: Channel) -> str:
    return {
        Channel.PHONE: translate("SupportTexts", "Điện thoại"),
        Channel.EMAIL: translate("SupportTexts", "Email"),
        Channel.REMOTE: translate("SupportTexts", "Truy cập từ xa"),
        Channel.ON_SITE: translate("SupportTexts", "Đến tận nơi"),
    }[value]


def status_name(value: RequestStatus) -> str:
    return {
        RequestStatus.PENDING: translate("SupportTexts", "Chờ gửi"),
        RequestStatus.SENT: translate("SupportTexts", "Đã gửi"),
        RequestStatus.RECEIVED: translate("SupportTexts", "Đã tiếp nhận"),
        RequestStatus.IN_PROGRESS: translate("SupportTexts", "Đang xử lý"),
        RequestStatus.SOLUTION_PROPOSED: translate("SupportTexts", "Đã đề xuất phương án"),
        RequestStatus.ON_SITE_SCHEDULED: translate("SupportTexts", "Đã hẹn đến tận nơi"),
        RequestStatus.RESOLVED: translate("SupportTexts", "Đã giải quyết"),
        RequestStatus.CLOSED: translate("SupportTexts", "Đã đóng"),
    }[value]


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


def attachment_error(value: AttachmentError) -> str:
    return {
        AttachmentError.MISSING: translate("SupportTexts", "tệp đã bị xóa khỏi máy"),
        AttachmentError.TAMPERED: translate("SupportTexts", "tệp đã bị thay đổi sau khi đính kèm nên không gửi"),
        AttachmentError.TOO_LARGE: translate("SupportTexts", "tệp quá lớn, máy chủ từ chối"),
        AttachmentError.REJECTED: translate("SupportTexts", "máy chủ từ chối tệp (sai mã kiểm tra)"),
        AttachmentError.TICKET_GONE: tr_args(translate(
            "SupportTexts", "Yêu cầu không còn trên máy chủ nhà cung cấp nên tệp chưa gửi được (tệp vẫn lưu trên "
            "máy này). Hãy gửi yêu cầu mới hoặc gọi %1."), HOTLINE),
    }[value]


def form_error(error: FormError) -> str:
    if error.problem is FormProblem.REQUIRED:
        return translate("SupportTexts", "Vui lòng nhập mục này.")
    if error.problem is FormProblem.TOO_LONG:
        return tr_args(translate("SupportTexts", "Quá dài (tối đa %1 ký tự)."), error.detail)
    if error.problem is FormProblem.TOO_LARGE:
        return tr_args(translate("SupportTexts", "Tệp %1 lớn hơn 10 MB."), error.detail)
    if error.problem is FormProblem.UNREADABLE:
        return tr_args(translate("SupportTexts", "Không đọc được tệp %1."), error.detail)
    phone = {
        PhoneErrorCode.EMPTY.value: translate("SupportTexts", "Vui lòng nhập số điện thoại để kỹ thuật viên gọi lại."),
        PhoneErrorCode.BAD_CHARACTERS.value: translate("SupportTexts", "Số điện thoại chỉ gồm chữ số (có thể có +84)."),
        PhoneErrorCode.WRONG_LENGTH.value: translate("SupportTexts", "Số điện thoại không đủ hoặc thừa chữ số."),
        PhoneErrorCode.UNKNOWN_PREFIX.value: translate(
            "SupportTexts", "Đầu số không đúng (di động 10 số như 0912 345 678, cố định như 028 3822 1234)."),
    }
    return phone.get(error.detail, translate("SupportTexts", "Số điện thoại không hợp lệ."))


def _duration(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return tr_args(translate("SupportTexts", "%1 giờ %2 phút"), hours, minutes)
    if hours:
        return tr_args(translate("SupportTexts", "%1 giờ"), hours)
    return tr_args(translate("SupportTexts", "%1 phút"), minutes)


def deadline_text(due: dt.datetime | None, now: dt.datetime) -> str:
    """'Hạn đề xuất phương án: 15:40 hôm nay, còn 1 giờ 20 phút'."""
    if due is None:
        return tr_args(translate("SupportTexts", "Không có hạn cam kết (cửa hàng đã hết hạn bảo hành/bảo trì); việc "
                                                 "gấp gọi %1."), HOTLINE)
    local, today = due.astimezone(VN), now.astimezone(VN).date()
    if local.date() == today:
        when = tr_args(translate("SupportTexts", "%1 hôm nay"), local.strftime("%H:%M"))
    elif local.date() == today + dt.timedelta(days=1):
        when = tr_args(translate("SupportTexts", "%1 ngày mai"), local.strftime("%H:%M"))
    else:
        when = f"{local.strftime('%H:%M')} {format_date(local.date())}"
    if due <= now:
        return tr_args(translate("SupportTexts", "Hạn đề xuất phương án: %1 (đã quá hạn %2)"), when,
                       _duration(now - due))
    return tr_args(translate("SupportTexts", "Hạn đề xuất phương án: %1, còn %2"), when, _duration(due - now))


def open_request_choices(requests: Sequence[SupportRequest]) -> list[tuple[str, str]]:
    """(label, request id) for each request still open, for pickers that attach something to one."""
    not_sent = translate("SupportTexts", "(chưa gửi)")
    return [(f"{request.ticket_number or not_sent} – {request.title}", request.id)
            for request in requests if request.status.is_open]


def bundle_part_label(part: BundlePart) -> str:
    """A diagnostics-bundle part as the preview lists it, with how much was hidden (the preview's words)."""
    names = {
        "app_log": translate("BundlePreviewDialog", "Nhật ký ứng dụng"),
        "pos_log": translate("BundlePreviewDialog", "Nhật ký phần mềm bán hàng"),
        "settings": translate("BundlePreviewDialog", "Cấu hình (đã che mật khẩu)"),
        "system": translate("BundlePreviewDialog", "Thông tin máy tính"),
        "devices": translate("BundlePreviewDialog", "Thiết bị kết nối"),
        "health_report": translate("BundlePreviewDialog", "Báo cáo kiểm tra hệ thống"),
    }
    label = names.get(part.key, part.filename)
    hidden = sum(part.redactions.values())
    if hidden:
        label += " " + tr_args(translate("BundlePreviewDialog", "(%1 chỗ đã che)"), hidden)
    return label


# --- the conversation on a request ---------------------------------------------------

def weekday_name(day: dt.date) -> str:
    return [
        translate("SupportTexts", "Thứ Hai"), translate("SupportTexts", "Thứ Ba"),
        translate("SupportTexts", "Thứ Tư"), translate("SupportTexts", "Thứ Năm"),
        translate("SupportTexts", "Thứ Sáu"), translate("SupportTexts", "Thứ Bảy"),
        translate("SupportTexts", "Chủ Nhật"),
    ][day.weekday()]


def visit_slot_text(slot: VisitSlot) -> str:
    """'Thứ Hai 07/12/2026, 14:00–16:00, kỹ thuật viên Trần Minh'."""
    return tr_args(translate("SupportTexts", "%1 %2, %3–%4, kỹ thuật viên %5"), weekday_name(slot.day),
                   format_date(slot.day), slot.start.strftime("%H:%M"), slot.end.strftime("%H:%M"), slot.technician)


def moment_text(moment: dt.datetime) -> str:
    """A moment in shop time, 'HH:MM dd/MM/yyyy'."""
    local = moment.astimezone(VN)
    return f"{local.strftime('%H:%M')} {format_date(local.date())}"


def stars_text(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)


def author_text(entry: ThreadEntry) -> str:
    if entry.author == Author.VENDOR:
        return tr_args(translate("SupportTexts", "Nhà cung cấp – %1"), entry.author_name)
    if entry.author == Author.SHOP:
        return tr_args(translate("SupportTexts", "Cửa hàng – %1"), entry.author_name)
    return translate("SupportTexts", "Hệ thống")


def refusal_text(code: str | None) -> str:
    """Why the vendor's server refused one of the shop's acts (a pmv_protocol.ticket_flow.Refusal value)."""
    words = {
        Refusal.CLOSED: translate("SupportTexts", "yêu cầu đã đóng; bấm \u201cLỗi xuất hiện lại\u201d để mở lại"),
        Refusal.NO_PROPOSAL: translate("SupportTexts", "không có phương án nào đang chờ cửa hàng trả lời"),
        Refusal.NO_VISIT: translate("SupportTexts", "không có lịch hẹn nào đang chờ cửa hàng xác nhận"),
        Refusal.OTHER_VISIT: translate("SupportTexts", "nhà cung cấp đã đổi lịch hẹn; hãy xem lịch mới"),
        Refusal.NOT_RESOLVED: translate("SupportTexts", "yêu cầu chưa được giải quyết"),
        Refusal.ALREADY_RATED: translate("SupportTexts", "yêu cầu này đã được đánh giá"),
        Refusal.REOPEN_TOO_LATE: translate("SupportTexts", "đã quá 7 ngày kể từ khi giải quyết; hãy gửi yêu cầu mới"),
    }
    try:
        return words[Refusal(code)]
    except (ValueError, KeyError):
        return code or translate("SupportTexts", "máy chủ từ chối")


def entry_text(entry: ThreadEntry) -> str:
    """What one step of the timeline says, apart from a message's own text and files."""
    kind, text = entry.kind, entry.text or ""
    if kind == EventKind.OPENED:
        if entry.author == Author.SYSTEM:  # a ticket the vendor's system opened for the shop
            return system_opened_text()
        return translate("SupportTexts", "Bộ phận hỗ trợ đã nhận yêu cầu")
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
            line += " " + tr_args(translate("SupportTexts", "Hạn đề xuất mới: %1."), moment_text(entry.response_due_at))
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


def file_state_text(file: ThreadFile) -> str:
    return {
        FileState.TO_UPLOAD: translate("SupportTexts", "chờ gửi"),
        FileState.UPLOADED: translate("SupportTexts", "đã gửi"),
        FileState.AVAILABLE: translate("SupportTexts", "bấm để tải về"),
        FileState.DOWNLOADED: translate("SupportTexts", "bấm để mở"),
        FileState.REFUSED: translate("SupportTexts", "tệp không khớp mã kiểm tra, không mở"),
    }.get(FileState(file.state), "")


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
            text += " " + tr_args(translate("SupportTexts", "Nếu cửa hàng không trả lời trước %1, nhà cung cấp có "
                                                            "thể đóng yêu cầu."), moment_text(conversation.close_after))
        return text
    if request.status is RequestStatus.ON_SITE_SCHEDULED and visit is not None:
        return tr_args(translate("SupportTexts", "Đã hẹn: %1. Kỹ thuật viên sẽ gọi trước khi đến."),
                       visit_slot_text(visit.slot))
    if request.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        until = reopen_until(flow)
        if until is not None and now <= until:
            return tr_args(translate("SupportTexts", "Đã xong. Nếu lỗi xuất hiện lại trước %1, bấm \u201cLỗi xuất "
                                                     "hiện lại\u201d thay vì gửi yêu cầu mới."), moment_text(until))
        return translate("SupportTexts", "Đã xong. Nếu có lỗi mới, hãy gửi yêu cầu mới.")
    if request.opened_by_system and request.response_due_at is not None:
        return tr_args(translate("SupportTexts", "Nhà cung cấp đã phát hiện sự cố trên máy bán hàng và mở yêu cầu thay "
                                                 "cho cửa hàng; kỹ thuật viên sẽ liên hệ và đề xuất phương án trước "
                                                 "%1. Cửa hàng có thể nhắn thêm thông tin bên dưới."),
                       moment_text(request.response_due_at))
    if request.response_due_at is not None:
        return tr_args(translate("SupportTexts", "Nhà cung cấp đang xử lý và sẽ đề xuất phương án trước %1. Cửa hàng "
                                                 "có thể nhắn thêm thông tin bên dưới."),
                       moment_text(request.response_due_at))
    return tr_args(translate("SupportTexts", "Nhà cung cấp đang xử lý. Việc gấp xin gọi %1."), HOTLINE)


def act_problem_text(problem: ActProblem, detail: str = "") -> str:
    """What is wrong with what the cashier typed or picked for a reply, a decision, a rating…"""
    return {
        ActProblem.NAME_REQUIRED: translate("SupportTexts", "Vui lòng nhập tên người gửi."),
        ActProblem.EMPTY: translate("SupportTexts", "Hãy nhập nội dung hoặc đính kèm tệp."),
        ActProblem.TOO_LONG: tr_args(translate("SupportTexts", "Quá dài (tối đa %1 ký tự)."), detail),
        ActProblem.REASON_REQUIRED: translate("SupportTexts", "Hãy cho biết lý do."),
        ActProblem.NOTE_REQUIRED: translate("SupportTexts", "Hãy cho biết ngày giờ nào tiện cho cửa hàng."),
        ActProblem.STARS: translate("SupportTexts", "Hãy chọn từ 1 đến 5 sao."),
        ActProblem.TOO_MANY_FILES: tr_args(translate("SupportTexts", "Mỗi tin nhắn gửi kèm tối đa %1 tệp."), detail),
        ActProblem.FILE_TOO_LARGE: tr_args(translate("SupportTexts", "Tệp %1 lớn hơn 10 MB."), detail),
        ActProblem.FILE_UNREADABLE: tr_args(translate("SupportTexts", "Không đọc được tệp %1."), detail),
    }[problem]


def file_problem_text(problem: FileProblem) -> str:
    """Why a file from the vendor was not opened."""
    return {
        FileProblem.UNKNOWN: translate("SupportTexts", "Không tìm thấy tệp này trong yêu cầu."),
        FileProblem.NOT_ON_SERVER: translate("SupportTexts", "Tệp chưa sẵn sàng trên máy chủ; hãy thử lại sau ít "
                                                             "phút."),
        FileProblem.MISMATCH: translate("SupportTexts", "Tệp tải về không khớp mã kiểm tra mà máy chủ công bố nên đã "
                                                        "bị loại bỏ và không mở. Hãy nhắn bộ phận hỗ trợ gửi lại tệp."),
        FileProblem.SIZE: translate("SupportTexts", "Tệp tải về không đúng kích thước mà máy chủ công bố nên đã bị "
                                                    "loại bỏ và không mở. Hãy nhắn bộ phận hỗ trợ gửi lại tệp."),
    }[problem]
