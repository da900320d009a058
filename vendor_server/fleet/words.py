"""The fleet pages' words: the Vietnamese as written in their templates and routes, and its English.

Merged into :data:`vendor_server.console.words.ENGLISH` (tests/unit/vendor_server/console/test_words.py checks
every ``_()`` text has its English).  Imports nothing: the console's words import this.

:data:`CHECK_TITLES` names the shop app's checks as the app itself titles them (``Check(...)`` in
app/health/checks/, app/health/registry.py; read, not imported: the server never imports the app).  A page
shows ``_(check_title(id))``, so the English comes through the same table; a check the server does not know
yet (a newer app) is shown by its id.
"""

from __future__ import annotations

CHECK_TITLES: dict[str, tuple[str, str]] = {
    "backup.age": ("Sao lưu dữ liệu", "Data backup"),
    "backup.restorable": ("Bản sao lưu khôi phục được", "Backup can be restored"),
    "pos.db.connect": ("Kết nối cơ sở dữ liệu PMV", "Connection to the PMV database"),
    "pos.db.integrity": ("Tính toàn vẹn dữ liệu PMV", "PMV data integrity"),
    "prices.fresh": ("Bảng giá vàng", "Gold price board"),
    "invoices.sequence": ("Số hóa đơn liên tục", "Invoice numbers in sequence"),
    "pos.log.errors": ("Lỗi trong nhật ký PMV", "Errors in the PMV log"),
    "pos.process": ("Phần mềm PMV đang chạy", "PMV software running"),
    "settings.valid": ("Tệp cấu hình", "Settings file"),
    "printers.reachable": ("Máy in", "Printers"),
    "scanners.ports": ("Cổng máy quét", "Scanner ports"),
    "vendor.reachable": ("Máy chủ hỗ trợ", "Support server"),
    "versions": ("Phiên bản phần mềm", "Software versions"),
    "disk.free": ("Dung lượng ổ đĩa", "Free disk space"),
    "clock.skew": ("Đồng hồ máy tính", "Computer clock"),
    "system.resources": ("Bộ nhớ và CPU", "Memory and CPU"),
    "updates.current": ("Gói quy định được cập nhật", "Regulation packs up to date"),
    "compliance.cash_limit": ("Thanh toán không qua tài khoản ngân hàng (Nghị định 232)",
                              "Payments not through a bank account (Decree 232)"),
    "support.outbox": ("Yêu cầu hỗ trợ chưa gửi được", "Support requests not yet sent"),
    "warranty.coverage": ("Bảo hành / bảo trì sắp hết hạn", "Warranty / maintenance ending soon"),
}


def check_title(check_id: str) -> str:
    """The check's Vietnamese title (``_()`` gives its English), or its id when the server has no title for it."""
    found = CHECK_TITLES.get(check_id)
    return check_id if found is None else found[0]


ENGLISH: dict[str, str] = {
    "Tình trạng các máy": "Fleet",
    # the fleet page
    "Tổng số cửa hàng": "Shops in all",
    "Ổn định": "Healthy",
    "Cảnh báo": "Warning",
    "Nghiêm trọng": "Critical",
    "Im lặng": "Silent",
    "không tính ngày lễ, Tết": "public holidays and Tết not counted",
    "Không rõ": "Unknown",
    "Chưa gửi lần nào": "Never reported",
    "Cần chú ý": "Needs attention",
    "Cửa hàng im lặng": "Silent shops",
    "im lặng từ": "silent since",
    "chưa gửi lần nào, thêm lúc": "never reported, added",
    "báo động lúc": "alarm since",
    "Không có cửa hàng nào im lặng.": "No shop is silent.",
    "Cửa hàng có kiểm tra nghiêm trọng": "Shops with a critical check",
    "Không có cửa hàng nào có kiểm tra nghiêm trọng.": "No shop has a critical check.",
    "Yêu cầu do hệ thống mở": "Requests opened by the system",
    "Không có yêu cầu nào do hệ thống mở đang chờ.": "No request opened by the system is open.",
    "Các kiểm tra lỗi nhiều nhất": "Most common failing checks",
    "Số cửa hàng": "Shops",  # also in releases/words.py, with the same English
    "Không có kiểm tra nào đang lỗi.": "No check is failing.",
    "Gói quy định": "Regulation pack",  # also in releases/words.py, with the same English
    "Phiên bản gói": "Pack version",
    "Chưa có dữ liệu.": "No data yet.",
    "Hạn phản hồi": "Response due",
    "Cửa hàng có hợp đồng còn hiệu lực bị coi là im lặng khi không gửi tình trạng trong": (
        "A shop with a contract in force is silent when it has not reported for"),
    "khung giờ bán hàng": "shop hours",  # after "2 trading hours (": not "trading hours" twice
    "Không rõ: tình trạng chưa xác định, hoặc cửa hàng không gửi dữ liệu tình trạng theo hợp đồng.": (
        "Unknown: no verdict yet, or the shop does not share its health under its contract."),
    # the shop list and the shop page
    "Tình trạng máy": "Health",
    "Báo cáo gần nhất": "Last report",
    "Cửa hàng chưa gửi tình trạng lần nào.": "The shop has never reported its health.",
    "Cửa hàng không gửi dữ liệu tình trạng (hợp đồng)": "The shop does not send health data (contract)",
    "Kết luận": "Verdict",
    "Phiên bản PMV": "PMV version",
    "Bản sao lưu gần nhất": "Newest backup",
    "giờ trước": "hours ago",
    "Yêu cầu chờ gửi": "Requests waiting to be sent",
    "Các gói đã cài": "Installed packs",
    "Chưa cài gói nào.": "No pack installed.",
    "Từ lúc": "Since",
    "Yêu cầu của hệ thống": "System request",
    "Các kiểm tra": "Checks",
    "gửi lúc": "sent at",
}
# Every check's title in English, for ``_(check_title(id))``.
ENGLISH.update({vietnamese: english for vietnamese, english in CHECK_TITLES.values()})
