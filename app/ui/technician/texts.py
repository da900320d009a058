"""Words for technician-mode codes: audit actions and results, remote tools, consent outcomes."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.technician.actions import Action
from app.technician.consent import ACTION_CONSENT, ACTION_SESSION_END, ACTION_SESSION_START, ConsentOutcome
from app.technician.remote_tools import IdReason
from pmv_protocol.unlock_codes import UnlockReason


def action_name(code: str) -> str:
    translate = QCoreApplication.translate
    names = {
        Action.UNLOCK.value: translate("TechnicianTexts", "Mở khóa chế độ kỹ thuật viên"),
        Action.LOCK.value: translate("TechnicianTexts", "Khóa chế độ kỹ thuật viên"),
        Action.VIEW_CHECKS.value: translate("TechnicianTexts", "Chạy kiểm tra chi tiết"),
        Action.VIEW_LOG.value: translate("TechnicianTexts", "Xem nhật ký"),
        Action.SEARCH_LOG.value: translate("TechnicianTexts", "Tìm trong nhật ký"),
        Action.SETTINGS_SAVE.value: translate("TechnicianTexts", "Lưu cài đặt"),
        Action.UPDATES_RUN.value: translate("TechnicianTexts", "Cập nhật ngay"),
        Action.UPDATES_ROLLBACK.value: translate("TechnicianTexts", "Quay lại gói quy định trước"),
        Action.DB_INTEGRITY.value: translate("TechnicianTexts", "Kiểm tra toàn vẹn cơ sở dữ liệu"),
        Action.DB_VACUUM.value: translate("TechnicianTexts", "Thu gọn cơ sở dữ liệu"),
        Action.BUNDLE_EXPORT.value: translate("TechnicianTexts", "Xuất gói chẩn đoán"),
        Action.AUDIT_EXPORT.value: translate("TechnicianTexts", "Xuất nhật ký kỹ thuật viên"),
        Action.AUDIT_ATTACH.value: translate("TechnicianTexts", "Gắn nhật ký vào yêu cầu hỗ trợ"),
        Action.PROFILE_EXPORT.value: translate("TechnicianTexts", "Sao lưu để cài lại"),
        Action.PROFILE_IMPORT.value: translate("TechnicianTexts", "Khôi phục từ bản sao lưu"),
        ACTION_CONSENT: translate("TechnicianTexts", "Xin phép hỗ trợ từ xa"),
        ACTION_SESSION_START: translate("TechnicianTexts", "Bắt đầu phiên hỗ trợ từ xa"),
        ACTION_SESSION_END: translate("TechnicianTexts", "Kết thúc phiên hỗ trợ từ xa"),
    }
    return names.get(code, code)


def result_name(code: str) -> str:
    translate = QCoreApplication.translate
    names = {
        "ok": translate("TechnicianTexts", "Thành công"),
        "failed": translate("TechnicianTexts", "Lỗi"),
        ConsentOutcome.APPROVED.value: translate("TechnicianTexts", "Đồng ý"),
        ConsentOutcome.DENIED.value: translate("TechnicianTexts", "Từ chối"),
        ConsentOutcome.TIMED_OUT.value: translate("TechnicianTexts", "Hết thời gian chờ"),
    }
    if code in names:
        return names[code]
    if code in {reason.value for reason in UnlockReason}:  # a refused unlock: why, in words
        from app.ui.technician.dialog import reason_text

        return translate("TechnicianTexts", "Từ chối: %1").replace("%1", reason_text(UnlockReason(code)))
    return code


def id_reason_text(reason: IdReason) -> str:
    translate = QCoreApplication.translate
    return {
        IdReason.OK: translate("TechnicianTexts", "Đã đọc được ID."),
        IdReason.SHOWN_IN_WINDOW: translate(
            "TechnicianTexts", "Phần mềm này chỉ hiện ID trong cửa sổ của nó: hãy đọc ID trên cửa sổ và gõ vào đây."),
        IdReason.TIMED_OUT: translate("TechnicianTexts", "Phần mềm không trả lời ID kịp: hãy gõ ID từ cửa sổ của nó."),
        IdReason.EXIT_STATUS: translate("TechnicianTexts", "Phần mềm báo lỗi khi hỏi ID: hãy gõ ID từ cửa sổ của nó."),
        IdReason.UNREADABLE: translate("TechnicianTexts", "Không đọc được ID: hãy gõ ID từ cửa sổ của phần mềm."),
        IdReason.NOT_STARTED: translate("TechnicianTexts", "Không chạy được phần mềm để hỏi ID."),
    }[reason]
