"""The console's words: Vietnamese first (the text in the templates and the code), English beside it.

Templates call ``_("…")`` with the Vietnamese text; :func:`translator` gives the English for it when the staff
member picked English.  tests/unit/vendor_server/console/test_words.py fails for any ``_()`` text in a
template, or any word table entry here, without its English.  The wire's codes (statuses, severities…) have
their own tables, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pmv_protocol.wire import Severity, SolutionKind, TicketStatus

STATUS = {
    TicketStatus.RECEIVED: ("Đã tiếp nhận", "Received"),
    TicketStatus.IN_PROGRESS: ("Đang xử lý", "In progress"),
    TicketStatus.SOLUTION_PROPOSED: ("Đã đề xuất phương án", "Solution proposed"),
    TicketStatus.ON_SITE_SCHEDULED: ("Đã hẹn đến tận nơi", "On-site visit booked"),
    TicketStatus.RESOLVED: ("Đã giải quyết", "Resolved"),
    TicketStatus.CLOSED: ("Đã đóng", "Closed"),
}
SEVERITY = {
    Severity.CRITICAL: ("Nghiêm trọng – không bán được", "Critical – cannot trade"),
    Severity.HIGH: ("Cao", "High"),
    Severity.NORMAL: ("Bình thường", "Normal"),
}
SOLUTION = {
    SolutionKind.PHONE: ("Qua điện thoại", "By phone"),
    SolutionKind.EMAIL: ("Qua email", "By e-mail"),
    SolutionKind.REMOTE: ("Hỗ trợ từ xa", "Remote assistance"),
    SolutionKind.ON_SITE: ("Đến tận nơi", "On site"),
}
ROLE = {
    "agent": ("Nhân viên hỗ trợ", "Support agent"),
    "technician": ("Kỹ thuật viên", "Technician"),
    "admin": ("Quản lý", "Manager"),
}
ACTION = {
    "sign_in": ("Đăng nhập", "Sign-in"),
    "sign_out": ("Đăng xuất", "Sign-out"),
    "second_factor": ("Mã xác thực", "Second factor"),
    "password_changed": ("Đổi mật khẩu", "Password changed"),
    "reply": ("Trả lời", "Reply"),
    "note": ("Ghi chú nội bộ", "Internal note"),
    "propose": ("Đề xuất phương án", "Solution proposed"),
    "visit": ("Hẹn đến tận nơi", "Visit proposed"),
    "status": ("Đổi trạng thái", "Status changed"),
    "close": ("Đóng yêu cầu", "Ticket closed"),
    "assign": ("Phân công", "Assignment"),
    "code_signed": ("Ký mã kỹ thuật viên", "Technician code signed"),
    "contract_issued": ("Cấp hợp đồng", "Contract issued"),
    "staff_added": ("Thêm nhân viên", "Staff added"),
    "staff_changed": ("Sửa nhân viên", "Staff changed"),
    "csrf_refused": ("Biểu mẫu không hợp lệ", "Form token refused"),
    "role_refused": ("Không đủ quyền", "Role refused"),
    "session_refused": ("Phiên không hợp lệ", "Session refused"),
    "shop_token_refused": ("Mã cửa hàng dùng sai chỗ", "Shop token refused"),
}
COVERAGE = {
    "warranty": ("Bảo hành", "Warranty"),
    "maintenance": ("Bảo trì", "Maintenance"),
    "expired": ("Hết hạn", "Expired"),
}
OUTCOME = {"ok": ("Thành công", "Done"), "refused": ("Bị từ chối", "Refused")}

# Every other visible text: the Vietnamese as written in the templates and the routes, and its English.
ENGLISH: dict[str, str] = {
    "Bàn làm việc hỗ trợ": "Support desk",
    "Hàng chờ": "Queue",
    "Nhật ký": "Audit log",
    "Đăng xuất": "Sign out",
    "Đăng nhập": "Sign in",
    "Tên đăng nhập": "Login",
    "Mật khẩu": "Password",
    "Tiếp tục": "Continue",
    "Mã xác thực": "Verification code",
    "Nhập mã 6 số trong ứng dụng xác thực trên điện thoại.": "Enter the 6-digit code from the authenticator app "
                                                            "on your phone.",
    "Xác nhận": "Confirm",
    "Sai tên đăng nhập hoặc mật khẩu.": "Wrong login or password.",
    "Sai mã xác thực, hoặc mã đã được dùng. Hãy chờ mã mới.": "Wrong verification code, or one already used. "
                                                             "Wait for the next code.",
    "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.": "Too many failed sign-ins. Try again in 15 minutes.",
    "Tài khoản này đã bị khóa. Hãy liên hệ quản lý.": "This account is disabled. Ask your manager.",
    "Trang đăng nhập đã hết hạn. Hãy nhập lại.": "The sign-in page expired. Please enter your details again.",
    "Yêu cầu đang mở": "Open requests",
    "Số": "Number",
    "Cửa hàng": "Shop",
    "Tiêu đề": "Title",
    "Mức độ": "Severity",
    "Trạng thái": "Status",
    "Người xử lý": "Assignee",
    "Hạn đề xuất": "Solution due",
    "Còn lại (giờ làm việc)": "Left (working hours)",
    "Quá hạn": "Overdue",
    "Sắp đến hạn": "Due soon",
    "Chờ cửa hàng": "Waiting for the shop",
    "Không có hạn": "No deadline",
    "Nhận xử lý": "Assign to me",
    "Tất cả": "All",
    "Của tôi": "Mine",
    "Chưa ai nhận": "Unassigned",
    "Lọc": "Filter",
    "Không có yêu cầu nào đang mở khớp bộ lọc.": "No open request matches the filter.",
    "Tự làm mới mỗi 60 giây": "Refreshes itself every 60 seconds",
    "Yêu cầu": "Request",
    "Mở lúc": "Opened",
    "Người liên hệ": "Contact",
    "Kênh": "Channel",
    "Phiên bản ứng dụng": "App version",
    "Hợp đồng khi mở": "Coverage when opened",
    "Mô tả": "Description",
    "Trao đổi với cửa hàng": "Conversation with the shop",
    "Ghi chú nội bộ": "Internal notes",
    "Cửa hàng không thấy các ghi chú này.": "The shop never sees these notes.",
    "Thêm ghi chú": "Add note",
    "Trả lời cửa hàng": "Reply to the shop",
    "Tệp đính kèm": "Files",
    "Gửi trả lời": "Send reply",
    "Đề xuất phương án": "Propose a solution",
    "Cách khắc phục": "How",
    "Nội dung phương án": "The solution",
    "Gửi đề xuất": "Send proposal",
    "Hẹn đến tận nơi": "Propose a visit",
    "Ngày": "Day",
    "Từ": "From",
    "Đến": "To",
    "Kỹ thuật viên": "Technician",
    "Gửi lịch hẹn": "Send visit",
    "Đổi trạng thái": "Change status",
    "Lưu trạng thái": "Save status",
    "Đóng yêu cầu": "Close the request",
    "Nhà cung cấp": "Vendor",
    "Hệ thống": "System",
    "Chưa có trao đổi nào.": "No messages yet.",
    "Chưa có ghi chú nào.": "No notes yet.",
    "Đã lưu.": "Saved.",
    "Không làm được:": "Could not do it:",
    "Không tìm thấy yêu cầu này.": "No such request.",
    "Quay lại hàng chờ": "Back to the queue",
    "Tài khoản của bạn không có quyền làm việc này.": "Your account is not allowed to do this.",
    "Biểu mẫu đã hết hạn hoặc không phải từ trang này. Hãy mở lại trang và làm lại.":
        "The form expired or did not come from this page. Open the page again and redo it.",
    "Trang này dành cho nhân viên nhà cung cấp: hãy đăng nhập bằng tài khoản nhân viên.":
        "This page is for the vendor's staff: sign in with a staff account.",
    "Không làm được việc này": "This cannot be done",
    "Thời điểm": "When",
    "Nhân viên": "Staff",
    "Việc": "Action",
    "Kết quả": "Outcome",
    "Địa chỉ": "Address",
    "Chi tiết": "Detail",
    "Trang sau": "Older entries",
    "Hạn mới": "New deadline",
    "Lý do": "Reason",
    "Đánh giá": "Rating",
    "sao": "stars",
    "Lịch hẹn": "Visit",
    "đã xác nhận": "confirmed",
    "cửa hàng đề nghị giờ khác": "the shop asked for another time",
    "chờ cửa hàng xác nhận": "waiting for the shop",
    "Đã khắc phục": "Fixed",
    "Chưa khắc phục": "Not fixed",
    "Lỗi xuất hiện lại": "The problem came back",
    "Đã nhận yêu cầu": "Request received",
    "Xác nhận lịch hẹn": "Visit confirmed",
    "Đề nghị giờ khác": "Asked for another time",
    "Đóng": "Closed",
    "Hạn tự đóng nếu cửa hàng không trả lời": "Closed automatically if the shop does not answer by",
    "Yêu cầu đang ở trạng thái không cho phép việc này (đã đóng, hoặc đã có quyết định).":
        "The request's state does not allow this (closed, or already decided).",
    "Nội dung chưa hợp lệ: hãy xem lại các ô đã nhập.": "Something entered is not valid: check the fields.",
    "Không nhận được tệp đính kèm.": "The attached files could not be taken.",
}


def _pick(table: Mapping[Any, tuple[str, str]], key: object, lang: str) -> str:
    words = table.get(key)
    if words is None:
        return str(key)
    return words[1] if lang == "en" else words[0]


def translator(lang: str) -> Callable[[str], str]:
    """``_`` for the templates: the Vietnamese text as written, or its English."""
    if lang != "en":
        return lambda text: text
    return lambda text: ENGLISH.get(text, text)


def status_name(code: str, lang: str) -> str:
    return _pick(STATUS, code, lang)


def severity_name(code: str, lang: str) -> str:
    return _pick(SEVERITY, code, lang)


def solution_name(code: str, lang: str) -> str:
    return _pick(SOLUTION, code, lang)


def role_name(code: str, lang: str) -> str:
    return _pick(ROLE, code, lang)


def action_name(code: str, lang: str) -> str:
    return _pick(ACTION, code, lang)


def outcome_name(code: str, lang: str) -> str:
    return _pick(OUTCOME, code, lang)


def coverage_text(coverage: Any, lang: str) -> str:
    """"Bảo hành · còn 45 ngày", "Hết hạn", "Chưa có hợp đồng" (a :class:`pmv_protocol.coverage.Coverage`)."""
    if coverage is None:
        return "No contract" if lang == "en" else "Chưa có hợp đồng"
    name = _pick(COVERAGE, coverage.status.value, lang)
    if coverage.status.value == "expired":
        return name
    days = f"{coverage.days_left} days left" if lang == "en" else f"còn {coverage.days_left} ngày"
    return f"{name} · {days}"
