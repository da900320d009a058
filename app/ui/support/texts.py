"""Words for the support feature's codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from app import HOTLINE
from app.infra.formatting import format_date
from pmv_protocol.shop_time import SHOP_TZ
from app.support.models import AttachmentError, Category, Channel, RequestStatus, Severity, SupportRequest
from pmv_protocol.phone import PhoneErrorCode
from app.support.service import FormError, FormProblem

VN = SHOP_TZ  # the shop's zone (defined in app.infra.formatting)


def category_name(value: Category) -> str:
    translate = QCoreApplication.translate
    return {
        Category.INCIDENT: translate("SupportTexts", "Sự cố"),
        Category.HOW_TO: translate("SupportTexts", "Hướng dẫn sử dụng"),
        Category.REGULATION_UPDATE: translate("SupportTexts", "Cập nhật quy định"),
        Category.REINSTALL: translate("SupportTexts", "Cài lại phần mềm"),
        Category.BARCODE_DEVICE: translate("SupportTexts", "Thiết bị mã vạch"),
    }[value]


def severity_name(value: Severity) -> str:
    translate = QCoreApplication.translate
    return {
        Severity.CRITICAL: translate("SupportTexts", "Nghiêm trọng – không bán hàng được"),
        Severity.HIGH: translate("SupportTexts", "Cao – ảnh hưởng việc bán hàng"),
        Severity.NORMAL: translate("SupportTexts", "Bình thường"),
    }[value]


def channel_name(value: Channel) -> str:
    translate = QCoreApplication.translate
    return {
        Channel.PHONE: translate("SupportTexts", "Điện thoại"),
        Channel.EMAIL: translate("SupportTexts", "Email"),
        Channel.REMOTE: translate("SupportTexts", "Truy cập từ xa"),
        Channel.ON_SITE: translate("SupportTexts", "Đến tận nơi"),
    }[value]


def status_name(value: RequestStatus) -> str:
    translate = QCoreApplication.translate
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


def attachment_error(value: AttachmentError) -> str:
    translate = QCoreApplication.translate
    return {
        AttachmentError.MISSING: translate("SupportTexts", "tệp đã bị xóa khỏi máy"),
        AttachmentError.TAMPERED: translate("SupportTexts", "tệp đã bị thay đổi sau khi đính kèm nên không gửi"),
        AttachmentError.TOO_LARGE: translate("SupportTexts", "tệp quá lớn, máy chủ từ chối"),
        AttachmentError.REJECTED: translate("SupportTexts", "máy chủ từ chối tệp (sai mã kiểm tra)"),
        AttachmentError.TICKET_GONE: translate(
            "SupportTexts", "Yêu cầu không còn trên máy chủ nhà cung cấp nên tệp chưa gửi được (tệp vẫn lưu trên "
            "máy này). Hãy gửi yêu cầu mới hoặc gọi %1.").replace("%1", HOTLINE),
    }[value]


def form_error(error: FormError) -> str:
    translate = QCoreApplication.translate
    if error.problem is FormProblem.REQUIRED:
        return translate("SupportTexts", "Vui lòng nhập mục này.")
    if error.problem is FormProblem.TOO_LONG:
        return translate("SupportTexts", "Quá dài (tối đa %1 ký tự).").replace("%1", error.detail)
    if error.problem is FormProblem.TOO_LARGE:
        return translate("SupportTexts", "Tệp %1 lớn hơn 10 MB.").replace("%1", error.detail)
    if error.problem is FormProblem.UNREADABLE:
        return translate("SupportTexts", "Không đọc được tệp %1.").replace("%1", error.detail)
    phone = {
        PhoneErrorCode.EMPTY.value: translate("SupportTexts", "Vui lòng nhập số điện thoại để kỹ thuật viên gọi lại."),
        PhoneErrorCode.BAD_CHARACTERS.value: translate("SupportTexts", "Số điện thoại chỉ gồm chữ số (có thể có +84)."),
        PhoneErrorCode.WRONG_LENGTH.value: translate("SupportTexts", "Số điện thoại không đủ hoặc thừa chữ số."),
        PhoneErrorCode.UNKNOWN_PREFIX.value: translate(
            "SupportTexts", "Đầu số không đúng (di động 10 số như 0912 345 678, cố định như 028 3822 1234)."),
    }
    return phone.get(error.detail, translate("SupportTexts", "Số điện thoại không hợp lệ."))


def _duration(delta: dt.timedelta) -> str:
    translate = QCoreApplication.translate
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return translate("SupportTexts", "%1 giờ %2 phút").replace("%1", str(hours)).replace("%2", str(minutes))
    if hours:
        return translate("SupportTexts", "%1 giờ").replace("%1", str(hours))
    return translate("SupportTexts", "%1 phút").replace("%1", str(minutes))


def deadline_text(due: dt.datetime | None, now: dt.datetime) -> str:
    """'Hạn đề xuất phương án: 15:40 hôm nay, còn 1 giờ 20 phút'."""
    translate = QCoreApplication.translate
    if due is None:
        return translate("SupportTexts", "Không có hạn cam kết (cửa hàng đã hết hạn bảo hành/bảo trì); việc gấp gọi %1.").replace(
            "%1", HOTLINE)
    local, today = due.astimezone(VN), now.astimezone(VN).date()
    if local.date() == today:
        when = translate("SupportTexts", "%1 hôm nay").replace("%1", local.strftime("%H:%M"))
    elif local.date() == today + dt.timedelta(days=1):
        when = translate("SupportTexts", "%1 ngày mai").replace("%1", local.strftime("%H:%M"))
    else:
        when = f"{local.strftime('%H:%M')} {format_date(local.date())}"
    if due <= now:
        return translate("SupportTexts", "Hạn đề xuất phương án: %1 (đã quá hạn %2)").replace("%1", when).replace(
            "%2", _duration(now - due))
    return translate("SupportTexts", "Hạn đề xuất phương án: %1, còn %2").replace("%1", when).replace(
        "%2", _duration(due - now))


def open_request_choices(requests: Sequence[SupportRequest]) -> list[tuple[str, str]]:
    """(label, request id) for each request still open, for pickers that attach something to one."""
    not_sent = QCoreApplication.translate("SupportTexts", "(chưa gửi)")
    return [(f"{request.ticket_number or not_sent} – {request.title}", request.id)
            for request in requests if request.status.is_open]
