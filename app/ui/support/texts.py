"""Words for the support feature's codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app import HOTLINE
from app.infra.formatting import format_date
from app.support.bundle import BundlePart
from app.support.models import AttachmentError, Category, Channel, RequestEvent, RequestStatus, Severity, SupportRequest
from app.support.service import FormError, FormProblem
from app.ui.i18n import tr_args, translate
from pmv_protocol.phone import PhoneErrorCode
from pmv_protocol.shop_time import SHOP_TZ

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


def event_text(event: RequestEvent) -> str:
    """One line of a request's timeline (the page's words)."""
    if event.kind == "created":
        return translate("SupportPage", "Đã lưu yêu cầu trên máy")
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
