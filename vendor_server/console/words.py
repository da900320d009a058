"""The console's words: Vietnamese first (the text in the templates and the code), English beside it.

Templates call ``_("…")`` with the Vietnamese text; :func:`translator` gives the English for it when the staff
member picked English.  tests/unit/vendor_server/console/test_words.py fails for any ``_()`` text in a
template, or any word table entry here, without its English.  The wire's codes (statuses, severities…) have
their own tables, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from pmv_protocol.wire import Severity, SolutionKind, TicketStatus
from vendor_server.fleet.words import ENGLISH as FLEET_ENGLISH
from vendor_server.releases.words import ENGLISH as RELEASES_ENGLISH

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
    "shop_added": ("Thêm cửa hàng", "Shop added"),
    "enrol_code": ("Tạo mã kích hoạt", "Enrolment code made"),
    "enrol": ("Kích hoạt máy cửa hàng", "Shop install enrolled"),
    "enrol_refused": ("Mã kích hoạt bị từ chối", "Enrolment code refused"),
    "rollout_paused": ("Tạm dừng phát hành", "Rollout paused"),
    "rollout_resumed": ("Tiếp tục phát hành", "Rollout resumed"),
    "rollout_percent": ("Đổi tỉ lệ phát hành", "Rollout percentage changed"),
    "rollout_auto_stopped": ("Phát hành tự dừng", "Rollout stopped automatically"),
}
COVERAGE = {
    "warranty": ("Bảo hành", "Warranty"),
    "maintenance": ("Bảo trì", "Maintenance"),
    "expired": ("Hết hạn", "Expired"),
}
CHECK_STATUS = {  # the shop app's check results (app/health/model.py Status)
    "ok": ("Đạt", "OK"),
    "warning": ("Cảnh báo", "Warning"),
    "critical": ("Nghiêm trọng", "Critical"),
    "unknown": ("Không kiểm tra được", "Could not check"),
    "skipped": ("Bỏ qua", "Skipped"),
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
    "Người khác đã nhận yêu cầu này trước bạn:": "Someone else took this request before you:",
    "Tất cả": "All",
    "Của tôi": "Mine",
    "Chưa ai nhận": "Unassigned",
    "Lọc": "Filter",
    "Không có yêu cầu nào đang mở khớp bộ lọc.": "No open request matches the filter.",
    "Chưa hiện": "Not shown:",
    ("xếp sau các dòng trên (hạn xa hơn, đã trả lời hoặc không có hạn). Lọc theo trạng thái, mức độ, cửa hàng hoặc "
     "người xử lý để xem."):
        ("that come after the rows above (later deadlines, answered, or no deadline). Filter by status, severity, "
         "shop or assignee to see them."),
    "Tự cập nhật": "Updates itself",
    "lúc": "at",
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
    "Không tìm thấy nhân viên này.": "No such staff member.",
    "Tệp này không còn trên máy chủ.": "This file is no longer on the server.",
    "Máy chủ gặp lỗi không mong muốn nên chưa làm được việc này (đã ghi vào nhật ký máy chủ). Hãy thử lại; nếu vẫn "
    "lỗi, báo cho bộ phận kỹ thuật.": "The server hit an unexpected error, so this was not done (it is in the "
                                      "server's log). Try again; if it happens again, tell the technical team.",
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
    "Lịch hẹn": "Visit",
    "đã xác nhận": "confirmed",
    "cửa hàng đề nghị giờ khác": "the shop asked for another time",
    "chờ cửa hàng xác nhận": "waiting for the shop",
    "Đã khắc phục": "Fixed",
    "Chưa khắc phục": "Not fixed",
    "Lỗi xuất hiện lại": "The problem came back",
    "Đã nhận yêu cầu": "Request received",
    # A ticket the vendor's system opened for a shop (vendor_server/fleet/system_tickets.py).
    "Hệ thống mở": "Opened by the system",
    "Hệ thống mở yêu cầu thay cho cửa hàng": "The system opened the request for the shop",
    "Kiểm tra": "Check",
    "báo nghiêm trọng quá ngưỡng; cửa hàng không tự gửi yêu cầu này.":
        "stayed critical past its threshold; the shop did not raise this request itself.",
    "Xác nhận lịch hẹn": "Visit confirmed",
    "Đề nghị giờ khác": "Asked for another time",
    "Đóng": "Closed",
    "Hạn tự đóng nếu cửa hàng không trả lời": "Closed automatically if the shop does not answer by",
    "Yêu cầu đang ở trạng thái không cho phép việc này (đã đóng, hoặc đã có quyết định).":
        "The request's state does not allow this (closed, or already decided).",
    "Nội dung chưa hợp lệ: hãy xem lại các ô đã nhập.": "Something entered is not valid: check the fields.",
    "Không nhận được tệp đính kèm.": "The attached files could not be taken.",
    "Yêu cầu đã đóng nên không cho phép việc này: chọn “Đang xử lý” ở ô “Đổi trạng thái” để mở lại trước.":
        "The request is closed, so this cannot be done: choose “In progress” under “Change status” to reopen it "
        "first.",
    "Chưa có nội dung: hãy nhập nội dung rồi gửi lại.": "Nothing was written: write something, then send again.",
    "Nội dung quá dài: ghi chú tối đa 4.000 ký tự, tin nhắn và phương án tối đa 10.000 ký tự.":
        "Too long: a note holds at most 4,000 characters, a message or a solution 10,000.",
    "Ngày hoặc giờ hẹn chưa đúng: hãy chọn lại ngày và giờ.": "The visit's day or time is not valid: choose them "
                                                              "again.",
    "Giờ kết thúc phải sau giờ bắt đầu.": "The visit must end after it starts.",
    "Lịch hẹn đã qua: hãy chọn một ngày giờ từ bây giờ trở đi.": "That time has passed: choose a day and time from "
                                                                 "now on.",
    "Mỗi lần trả lời gửi được tối đa 10 tệp.": "A reply carries at most 10 files.",
    "Tệp lớn hơn 20 MB": "A file is larger than 20 MB",
    "Trạng thái này không đặt tay được: đề xuất phương án bằng ô “Đề xuất phương án”, hẹn đến tận nơi bằng ô "
    "“Hẹn đến tận nơi” (cửa hàng xác nhận thì thành “Đã hẹn đến tận nơi”).":
        "This status is not set by hand: propose a solution with “Propose a solution” and a visit with “Propose a "
        "visit” (the shop's confirmation makes it “On-site visit booked”).",
    "Đã có đề xuất": "Answered",
    "Chưa gửi: nội dung bạn đã nhập": "Not sent: what you wrote",
    'Báo cáo SLA': 'SLA report',
    'Bảo hành': 'Warranty',
    'Bảo trì': 'Maintenance',
    'Bảo trì (không bắt buộc)': 'Maintenance (optional)',
    'Bắt đầu': 'Started',
    'Chép ID': 'Copy ID',
    'Chép mã': 'Copy code',
    'Chưa có': 'None yet',
    'Chưa có hợp đồng': 'No contract',
    'Chưa có yêu cầu nào.': 'No requests yet.',
    'Chưa đến hạn': 'Not yet due',
    'Chưa đề xuất': 'Not proposed yet',
    'Chẩn đoán': 'Diagnostics',
    'Cài đặt (đã che thông tin riêng)': 'Settings (private details masked)',
    'Các lần quá hạn': 'Breaches',
    'Cả nhóm': 'Whole team',
    'Cấp hoặc gia hạn hợp đồng': 'Issue or renew a contract',
    'Cấp hợp đồng cần mã xác thực mới (trong 5 phút gần nhất).':
        'Issuing a contract needs a fresh verification code (from the last 5 minutes).',
    'Cửa hàng này chưa có hợp đồng.': 'This shop has no contract yet.',
    'Gia hạn': 'Renew',
    'Gói bảo trì': 'Maintenance tier',
    'Gói chẩn đoán không có kết quả kiểm tra hệ thống.': 'The diagnostics bundle has no system check results.',
    'Gói cập nhật đã cài': 'Installed update packs',
    'Gói phần mềm': 'Software package',
    'Hiệu lực': 'Coverage',
    'Hiệu lực hôm nay': 'Coverage today',
    'Hết hạn': 'Expires',
    'Hợp đồng': 'Contracts',
    'Khóa': 'Disable',
    'Không có cửa hàng này.': 'No such shop.',
    'Không có hạn (hết hợp đồng)': 'No deadline (no coverage)',
    'Không có lần quá hạn nào.': 'No breaches.',
    'Không tự khóa hoặc đổi quyền tài khoản đang dùng.':
        'You cannot disable or change the role of the account you are using.',
    'Ký mã': 'Sign code',
    'Ký mã cần mã xác thực mới (trong 5 phút gần nhất).':
        'Signing a code needs a fresh verification code (from the last 5 minutes).',
    'Ký và cấp hợp đồng': 'Sign and issue the contract',
    'Liên lạc gần nhất': 'Last contact',
    'Lịch sử yêu cầu': 'Request history',
    'Máy bán hàng': 'Till PC',
    'Mã kỹ thuật viên': 'Technician code',
    'Mã yêu cầu trên màn hình của cửa hàng': "Challenge shown on the shop's screen",
    'Mật khẩu ban đầu': 'First password',
    'Mật khẩu hiện tại': 'Current password',
    'Mật khẩu mới (từ 10 ký tự)': 'New password (10 characters or more)',
    'Mở khóa': 'Enable',
    'Mục kiểm tra': 'Check',
    'Ngày nghiệm thu': 'Acceptance date',
    'Nhập lại mật khẩu mới': 'New password again',
    'Phân vị 90 (giờ làm việc)': '90th percentile (working hours)',
    'Số tháng': 'Months',
    'Số yêu cầu hỗ trợ': 'Support request number',
    'Thiết bị': 'Devices',
    'Tháng': 'Month',
    'Thêm': 'Add',
    'Thêm nhân viên': 'Add a staff member',
    'Thời hạn': 'Valid for',
    'Tiêu chuẩn': 'Standard',
    'Trung vị (giờ làm việc)': 'Median (working hours)',
    'Truy cập từ xa': 'Remote access',
    'Tên': 'Name',
    'Tên của bạn được ghi vào mã; việc ký được ghi vào nhật ký.':
        'Your name goes into the code; the signing is written to the audit log.',
    'Tìm theo mã hoặc tên': 'Search by id or name',
    'Tìm trong nhật ký…': 'Search the log…',
    'Tóm tắt': 'Summary',
    'Tải tệp': 'Download',
    'Tải tệp hợp đồng': 'Download the contract file',
    'Tỉ lệ đúng hạn': 'On time',
    'Vai trò': 'Role',
    'Xem': 'Show',
    'Yêu cầu có hạn': 'Requests with a deadline',
    'bảo hành': 'warranty',
    'còn trống': 'free',
    'nghiệm thu': 'accepted',
    'tháng': 'months',
    'Đang dùng': 'Active',
    'Đã chép': 'Copied',
    ('Đã cấp hợp đồng. Ứng dụng của cửa hàng sẽ tự tải về; cửa hàng không có Internet thì tải tệp và chép sang bằng '
     'USB:'):
        ("Contract issued. The shop's app fetches it by itself; for a shop without Internet, download the file and "
         'bring it on a USB stick:'),
    'Đã khóa': 'Disabled',
    'Đã thêm tài khoản. Đưa khóa này cho nhân viên để thêm vào ứng dụng xác thực; khóa chỉ hiện một lần:':
        'Account added. Give this key to the staff member for their authenticator app; it is shown only this once:',
    'Đã đổi mật khẩu. Các trình duyệt khác đang đăng nhập bằng tài khoản này đã bị đăng xuất.':
        'Password changed. Other browsers signed in with this account have been signed out.',
    'Đúng hạn': 'Met',
    'Đề xuất lúc': 'Proposed at',
    'Đọc mã này cho cửa hàng (hoặc gửi qua Zalo). Mã chỉ mở được máy của cửa hàng đã tạo mã yêu cầu.':
        'Read this code to the shop (or send it by Zalo). It only opens the till that made the challenge.',
    'Đổi mật khẩu': 'Change password',
    'Đổi vai trò': 'Change role',
    'đề xuất phương án trong hạn 2–4 giờ làm việc': 'a proposed solution within 2–4 working hours',
    'Ưu tiên': 'Priority',
    'Ổ đĩa': 'Disk',
    'Tệp nhật ký': 'Log',
    'Số hợp đồng': 'Contract',
    'Các cửa hàng': 'Shops',
    'Ứng dụng hỗ trợ': 'Support app',
    'Phần mềm bán hàng': 'POS software',
    'Hệ điều hành': 'Operating system',
    'Giờ trên máy lúc gửi': "The till's clock when sent",
    'Máy chủ chưa có khóa ký: quản trị viên chạy pmv-vendor keys init.':
        'The server has no signing keys yet: an administrator runs pmv-vendor keys init.',
    'Mã yêu cầu không đúng: hãy đọc lại mã trên màn hình của cửa hàng (thường do gõ nhầm).':
        "The challenge is not valid: read it again from the shop's screen (usually a typo).",
    'Yêu cầu hỗ trợ này không phải của cửa hàng đã tạo mã yêu cầu.':
        'This support request is not from the shop that made the challenge.',
    'Hãy ghi lý do mở chế độ kỹ thuật viên.': 'Write why technician mode is opened.',
    'Hãy chọn thời hạn của mã.': 'Choose how long the code is valid.',
    'Hợp đồng chưa hợp lệ: hãy xem lại các ô đã nhập.': 'The contract is not valid: check the fields.',
    ('Thông tin chưa hợp lệ: tên đăng nhập 3–64 ký tự a-z, 0-9, dấu chấm, gạch; mật khẩu từ 10 ký tự; tên đăng nhập '
     'chưa được dùng.'):
        ('Not valid: a login of 3–64 characters a-z, 0-9, dot, dash or underscore, not already used; a password of '
         '10 characters or more.'),
    'Mật khẩu hiện tại không đúng.': 'The current password is wrong.',
    'Mật khẩu mới cần từ 10 ký tự và khác mật khẩu cũ.':
        'The new password needs 10 characters or more and must differ from the old one.',
    'Hai lần nhập mật khẩu mới không giống nhau.': 'The two new passwords differ.',
    # Shops and their enrolment codes (shops.html, shop.html, shop_routes.py)
    'Thêm cửa hàng': 'Add a shop',
    'rồi tạo mã kích hoạt để cài ứng dụng trên máy của cửa hàng':
        "then make an enrolment code to install the app on the shop's PC",
    'Mã cửa hàng': 'Shop id',
    'Tên cửa hàng': 'Shop name',
    'Điện thoại': 'Phone',
    'Đã thêm cửa hàng. Tạo mã kích hoạt để cài ứng dụng trên máy của cửa hàng.':
        "Shop added. Make an enrolment code to install the app on the shop's PC.",
    'Đọc mã này cho cửa hàng để nhập vào trình cài đặt của ứng dụng (hoặc gửi qua Zalo). Mã chỉ hiện một lần.':
        "Read this code to the shop for the app's setup wizard (or send it by Zalo). It is shown only this once.",
    'Mã dùng một lần, hết hạn sau 72 giờ': 'One use only, expires after 72 hours',
    'Mã kích hoạt': 'Enrolment code',
    'Chưa tạo mã nào.': 'No code made yet.',
    'Đang chờ dùng': 'Waiting to be used',
    'hết hạn': 'expires',
    'Đã dùng': 'Used',
    'từ': 'from',
    'Đã hết hạn': 'Expired',
    'tạo lúc': 'made',
    'bởi': 'by',
    'Tạo mã kích hoạt': 'Make an enrolment code',
    ('Máy cài ứng dụng bằng mã kích hoạt nhận mã truy cập mới của cửa hàng; máy cũ (nếu có) sẽ không kết nối được nữa. '
     'Tạo mã mới thì mã cũ chưa dùng sẽ không dùng được nữa.'):
        ("The PC that installs the app with an enrolment code gets the shop's new access token; the old PC (if any) "
         'can no longer connect. Making a new code voids an unused older one.'),
    ('Thông tin cửa hàng chưa hợp lệ: mã cửa hàng 1–64 ký tự chữ, số, dấu chấm, gạch; tên không để trống; '
     'địa chỉ tối đa 300 ký tự, điện thoại tối đa 40.'):
        ('Not valid: a shop id of 1–64 letters, digits, dots, dashes or underscores; a name; an address of at most '
         '300 characters and a phone of at most 40.'),
    'Mã cửa hàng này đã có: hãy mở cửa hàng đó trong danh sách.':
        'This shop id is already registered: open that shop from the list.',
}
# The fleet's and the releases' pages keep their words beside them (each package owns its file).
ENGLISH.update(FLEET_ENGLISH)
ENGLISH.update(RELEASES_ENGLISH)


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


# ``name(code, lang)`` for each table: the code's words in ``lang``, or the code itself.
status_name = partial(_pick, STATUS)
severity_name = partial(_pick, SEVERITY)
solution_name = partial(_pick, SOLUTION)
role_name = partial(_pick, ROLE)
action_name = partial(_pick, ACTION)
outcome_name = partial(_pick, OUTCOME)
coverage_name = partial(_pick, COVERAGE)
check_status_name = partial(_pick, CHECK_STATUS)


# The units the console counts: Vietnamese -> English (one, other).  English says "1 hour" but "2 hours" and
# "0 hours" (CLDR plural rules); Vietnamese has one form.
UNITS: dict[str, tuple[str, str]] = {
    "giờ": ("hour", "hours"),
    "giờ bán hàng": ("trading hour", "trading hours"),
    "sao": ("star", "stars"),
    "dòng": ("line", "lines"),
    "yêu cầu": ("request", "requests"),
}


def count_text(number: float, unit: str, lang: str) -> str:
    """"2 giờ", "1 hour", "2 hours", "1.5 trading hours": a number and its unit (a key of :data:`UNITS`)."""
    shown = f"{number:g}" if isinstance(number, float) else str(number)
    if lang != "en":
        return f"{shown} {unit}"
    one, other = UNITS[unit]
    return f"{shown} {one if number == 1 else other}"


def coverage_text(coverage: Any, lang: str) -> str:
    """"Bảo hành · còn 45 ngày", "Hết hạn", "Chưa có hợp đồng" (a :class:`pmv_protocol.coverage.Coverage`)."""
    if coverage is None:
        return "No contract" if lang == "en" else "Chưa có hợp đồng"
    name = _pick(COVERAGE, coverage.status.value, lang)
    if coverage.status.value == "expired":
        return name
    left = coverage.days_left
    days = (f"{left} day left" if left == 1 else f"{left} days left") if lang == "en" else f"còn {left} ngày"
    return f"{name} · {days}"
