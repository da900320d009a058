"""Words for the health feature's statuses, verdicts and categories."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.health.model import Category, Status
from app.ui.i18n import translate
from app.ui.levels import Level


def status_name(status: Status) -> str:
    return {
        Status.OK: translate("HealthTexts", "Đạt"),
        Status.WARNING: translate("HealthTexts", "Cảnh báo"),
        Status.CRITICAL: translate("HealthTexts", "Nghiêm trọng"),
        Status.UNKNOWN: translate("HealthTexts", "Không rõ"),
        Status.SKIPPED: translate("HealthTexts", "Bỏ qua"),
    }[status]


def verdict_name(status: Status | None) -> str:
    if status is None:
        return translate("HealthTexts", "Chưa kiểm tra")
    if status is Status.CRITICAL:
        return translate("HealthTexts", "Cần xử lý ngay")
    if status is Status.WARNING:
        return translate("HealthTexts", "Có cảnh báo")
    return translate("HealthTexts", "Sẵn sàng bán hàng")


def category_name(category: Category) -> str:
    return {
        Category.DATABASE: translate("HealthTexts", "Cơ sở dữ liệu"),
        Category.BACKUP: translate("HealthTexts", "Sao lưu"),
        Category.DATA: translate("HealthTexts", "Dữ liệu bán hàng"),
        Category.SYSTEM: translate("HealthTexts", "Máy tính"),
        Category.DEVICES: translate("HealthTexts", "Thiết bị"),
        Category.SERVICE: translate("HealthTexts", "Dịch vụ hỗ trợ"),
    }[category]


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


def check_title(check_id: str, fallback: str) -> str:
    """The check's title in the interface language (the report's own titles are Vietnamese)."""
    titles = {
        "settings.valid": translate("HealthTexts", "Tệp cấu hình"),
        "pos.db.connect": translate("HealthTexts", "Kết nối cơ sở dữ liệu PMV"),
        "pos.db.integrity": translate("HealthTexts", "Tính toàn vẹn dữ liệu PMV"),
        "backup.age": translate("HealthTexts", "Sao lưu dữ liệu"),
        "backup.restorable": translate("HealthTexts", "Bản sao lưu khôi phục được"),
        "prices.fresh": translate("HealthTexts", "Bảng giá vàng"),
        "invoices.sequence": translate("HealthTexts", "Số hóa đơn liên tục"),
        "pos.log.errors": translate("HealthTexts", "Lỗi trong nhật ký PMV"),
        "disk.free": translate("HealthTexts", "Dung lượng ổ đĩa"),
        "clock.skew": translate("HealthTexts", "Đồng hồ máy tính"),
        "system.resources": translate("HealthTexts", "Bộ nhớ và CPU"),
        "pos.process": translate("HealthTexts", "Phần mềm PMV đang chạy"),
        "printers.reachable": translate("HealthTexts", "Máy in"),
        "scanners.ports": translate("HealthTexts", "Cổng máy quét"),
        "vendor.reachable": translate("HealthTexts", "Máy chủ hỗ trợ"),
        "versions": translate("HealthTexts", "Phiên bản phần mềm"),
        "support.outbox": translate("HealthTexts", "Yêu cầu hỗ trợ chưa gửi được"),
        "warranty.coverage": translate("HealthTexts", "Bảo hành / bảo trì sắp hết hạn"),
        "compliance.cash_limit": translate("HealthTexts",
                                           "Thanh toán không qua tài khoản ngân hàng (Nghị định 232)"),
        "updates.current": translate("HealthTexts", "Gói quy định được cập nhật"),
    }
    return titles.get(check_id, fallback)
