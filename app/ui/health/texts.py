"""Words for the health feature's statuses, verdicts and categories."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor

from app.health.model import Category, Status
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, translate
from app.ui.levels import Level

status_name = Words({
    Status.OK: QT_TRANSLATE_NOOP("HealthTexts", "Đạt"),
    Status.WARNING: QT_TRANSLATE_NOOP("HealthTexts", "Cảnh báo"),
    Status.CRITICAL: QT_TRANSLATE_NOOP("HealthTexts", "Nghiêm trọng"),
    Status.UNKNOWN: QT_TRANSLATE_NOOP("HealthTexts", "Không rõ"),
    Status.SKIPPED: QT_TRANSLATE_NOOP("HealthTexts", "Bỏ qua"),
})


def verdict_name(status: Status | None) -> str:
    if status is None:
        return translate("HealthTexts", "Chưa kiểm tra")
    if status is Status.CRITICAL:
        return translate("HealthTexts", "Cần xử lý ngay")
    if status is Status.WARNING:
        return translate("HealthTexts", "Có cảnh báo")
    return translate("HealthTexts", "Sẵn sàng bán hàng")


category_name = Words({
    Category.DATABASE: QT_TRANSLATE_NOOP("HealthTexts", "Cơ sở dữ liệu"),
    Category.BACKUP: QT_TRANSLATE_NOOP("HealthTexts", "Sao lưu"),
    Category.DATA: QT_TRANSLATE_NOOP("HealthTexts", "Dữ liệu bán hàng"),
    Category.SYSTEM: QT_TRANSLATE_NOOP("HealthTexts", "Máy tính"),
    Category.DEVICES: QT_TRANSLATE_NOOP("HealthTexts", "Thiết bị"),
    Category.SERVICE: QT_TRANSLATE_NOOP("HealthTexts", "Dịch vụ hỗ trợ"),
})


def status_colour(status: Status) -> QColor:
    """Skipped and unknown are neither good nor bad news: grey and brown, not green."""
    if status is Status.SKIPPED:
        return QColor("#757575")
    if status is Status.UNKNOWN:
        return QColor("#6d4c41")
    return level_of(status).color


def level_of(status: Status | None) -> Level:
    if status is None:
        return Level.INFO
    return {Status.CRITICAL: Level.CRITICAL, Status.WARNING: Level.WARNING, Status.UNKNOWN: Level.WARNING}.get(
        status, Level.OK)


_CHECK_TITLES = Words({
    "settings.valid": QT_TRANSLATE_NOOP("HealthTexts", "Tệp cấu hình"),
    "pos.db.connect": QT_TRANSLATE_NOOP("HealthTexts", "Kết nối cơ sở dữ liệu PMV"),
    "pos.db.integrity": QT_TRANSLATE_NOOP("HealthTexts", "Tính toàn vẹn dữ liệu PMV"),
    "backup.age": QT_TRANSLATE_NOOP("HealthTexts", "Sao lưu dữ liệu"),
    "backup.restorable": QT_TRANSLATE_NOOP("HealthTexts", "Bản sao lưu khôi phục được"),
    "prices.fresh": QT_TRANSLATE_NOOP("HealthTexts", "Bảng giá vàng"),
    "invoices.sequence": QT_TRANSLATE_NOOP("HealthTexts", "Số hóa đơn liên tục"),
    "pos.log.errors": QT_TRANSLATE_NOOP("HealthTexts", "Lỗi trong nhật ký PMV"),
    "disk.free": QT_TRANSLATE_NOOP("HealthTexts", "Dung lượng ổ đĩa"),
    "clock.skew": QT_TRANSLATE_NOOP("HealthTexts", "Đồng hồ máy tính"),
    "system.resources": QT_TRANSLATE_NOOP("HealthTexts", "Bộ nhớ và CPU"),
    "pos.process": QT_TRANSLATE_NOOP("HealthTexts", "Phần mềm PMV đang chạy"),
    "printers.reachable": QT_TRANSLATE_NOOP("HealthTexts", "Máy in"),
    "scanners.ports": QT_TRANSLATE_NOOP("HealthTexts", "Cổng máy quét"),
    "vendor.reachable": QT_TRANSLATE_NOOP("HealthTexts", "Máy chủ hỗ trợ"),
    "versions": QT_TRANSLATE_NOOP("HealthTexts", "Phiên bản phần mềm"),
    "support.outbox": QT_TRANSLATE_NOOP("HealthTexts", "Yêu cầu hỗ trợ chưa gửi được"),
    "warranty.coverage": QT_TRANSLATE_NOOP("HealthTexts", "Bảo hành / bảo trì sắp hết hạn"),
    "compliance.cash_limit": QT_TRANSLATE_NOOP(
        "HealthTexts", "Thanh toán không qua tài khoản ngân hàng (Nghị định 232)"),
    "updates.current": QT_TRANSLATE_NOOP("HealthTexts", "Gói quy định được cập nhật"),
})


def checks_progress(progress: Callable[[float, str], None]) -> Callable[[float, str], None]:
    """The runner's progress names the check that finished by its id; shown, it is the check's title in the
    interface language (translate() is thread-safe: this runs in the worker)."""
    return lambda fraction, check_id: progress(fraction, check_title(check_id, check_id) if check_id else "")


def check_title(check_id: str, fallback: str) -> str:
    """The check's title in the interface language (the report's own titles are Vietnamese)."""
    return _CHECK_TITLES.get(check_id, fallback)
