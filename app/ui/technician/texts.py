"""Words for technician-mode codes: unlock refusals, audit actions and results, remote tools, consent outcomes,
and the shop profile's export and restore."""

from __future__ import annotations

from app import HOTLINE
from app.technician.actions import Action
from app.technician.consent import ACTION_CONSENT, ACTION_SESSION_END, ACTION_SESSION_START, ConsentOutcome
from app.technician.profile import ProfileProblem
from app.technician.profile_export import ExportNote
from app.technician.profile_import import PackAction, PartAction
from app.technician.remote_tools import IdReason
from app.ui.i18n import tr_args, translate
from pmv_protocol.unlock_codes import UnlockReason


def unlock_reason_text(reason: UnlockReason) -> str:
    return {
        UnlockReason.MALFORMED: translate("TechnicianTexts", "Mã mở khóa gõ chưa đúng: kiểm tra lại từng nhóm ký tự."),
        UnlockReason.BAD_SIGNATURE: translate("TechnicianTexts", "Mã mở khóa không hợp lệ (chữ ký không khớp)."),
        UnlockReason.UNKNOWN_KEY: translate("TechnicianTexts", "Mã được ký bằng khóa không được tin cậy."),
        UnlockReason.OTHER_SHOP: translate("TechnicianTexts", "Mã này dành cho cửa hàng khác."),
        UnlockReason.WRONG_CHALLENGE: translate("TechnicianTexts", "Mã này dành cho một mã thử thách khác."),
        UnlockReason.EXPIRED: translate("TechnicianTexts", "Mã mở khóa đã hết hạn."),
        UnlockReason.REPLAYED: translate("TechnicianTexts", "Mã mở khóa này đã được dùng rồi."),
        UnlockReason.RATE_LIMITED: tr_args(translate(
            "TechnicianTexts", "Nhập sai quá nhiều lần: tạm khóa 10 phút. Gọi %1 nếu cần."), HOTLINE),
    }[reason]


def action_name(code: str) -> str:
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
        return tr_args(translate("TechnicianTexts", "Từ chối: %1"), unlock_reason_text(UnlockReason(code)))
    return code


def id_reason_text(reason: IdReason) -> str:
    return {
        IdReason.OK: translate("TechnicianTexts", "Đã đọc được ID."),
        IdReason.SHOWN_IN_WINDOW: translate(
            "TechnicianTexts", "Phần mềm này chỉ hiện ID trong cửa sổ của nó: hãy đọc ID trên cửa sổ và gõ vào đây."),
        IdReason.TIMED_OUT: translate("TechnicianTexts", "Phần mềm không trả lời ID kịp: hãy gõ ID từ cửa sổ của nó."),
        IdReason.EXIT_STATUS: translate("TechnicianTexts", "Phần mềm báo lỗi khi hỏi ID: hãy gõ ID từ cửa sổ của nó."),
        IdReason.UNREADABLE: translate("TechnicianTexts", "Không đọc được ID: hãy gõ ID từ cửa sổ của phần mềm."),
        IdReason.NOT_STARTED: translate("TechnicianTexts", "Không chạy được phần mềm để hỏi ID."),
    }[reason]


# -- the shop profile (Sao lưu để cài lại) ----------------------------------------------------------------------------

def profile_problem_text(problem: ProfileProblem) -> str:
    return {
        ProfileProblem.READ_FAILED: translate("ProfileTexts", "Không mở được tệp."),
        ProfileProblem.NOT_A_PROFILE: translate(
            "ProfileTexts", "Tệp này không phải bản sao lưu của PMV Support Assistant."),
        ProfileProblem.DAMAGED: translate(
            "ProfileTexts", "Tệp sao lưu bị hỏng (chép thiếu hoặc lỗi ổ đĩa). Hãy chép lại."),
        ProfileProblem.TOO_LARGE: translate("ProfileTexts", "Tệp quá lớn để là một bản sao lưu."),
        ProfileProblem.UNSAFE_NAME: translate(
            "ProfileTexts", "Tệp sao lưu chứa đường dẫn không an toàn: đã từ chối."),
        ProfileProblem.MANIFEST_INVALID: translate("ProfileTexts", "Mục lục của bản sao lưu không hợp lệ."),
        ProfileProblem.NEWER_FORMAT: translate(
            "ProfileTexts", "Bản sao lưu do phiên bản mới hơn tạo: hãy cập nhật phần mềm trước."),
        ProfileProblem.MISSING_PART: translate("ProfileTexts", "Bản sao lưu thiếu một phần."),
        ProfileProblem.UNEXPECTED_PART: translate("ProfileTexts", "Bản sao lưu có phần lạ không có trong mục lục."),
        ProfileProblem.CHECKSUM_MISMATCH: translate(
            "ProfileTexts", "Một phần của bản sao lưu đã bị sửa sau khi tạo: đã từ chối."),
        ProfileProblem.SETTINGS_UNREADABLE: translate(
            "ProfileTexts", "Tệp cài đặt không đọc được (không phải TOML hợp lệ)."),
        ProfileProblem.PACK_INVALID: translate("ProfileTexts", "Một gói quy định trong bản sao lưu không hợp lệ."),
        ProfileProblem.CONTRACT_REFUSED: translate(
            "ProfileTexts", "Hợp đồng trong bản sao lưu không có chữ ký hợp lệ."),
        ProfileProblem.CONTRACT_WRONG_SHOP: translate(
            "ProfileTexts", "Hợp đồng trong bản sao lưu là của cửa hàng khác."),
        ProfileProblem.PASSPHRASE_REQUIRED: translate("ProfileTexts", "Cần cụm mật khẩu để mở phần bí mật."),
        ProfileProblem.PASSPHRASE_TOO_SHORT: translate("ProfileTexts", "Cụm mật khẩu cần ít nhất 8 ký tự."),
        ProfileProblem.WRONG_PASSPHRASE: translate(
            "ProfileTexts", "Sai cụm mật khẩu (hoặc phần bí mật không thuộc bản sao lưu này)."),
        ProfileProblem.SECRETS_INVALID: translate("ProfileTexts", "Phần bí mật của bản sao lưu không đọc được."),
        ProfileProblem.FOREIGN_SHOP: translate(
            "ProfileTexts", "Máy này đang cài cho cửa hàng khác: chỉ khôi phục khi chắc chắn, và tích ô cho phép "
            "ghi đè."),
        ProfileProblem.WOULD_OVERWRITE: translate(
            "ProfileTexts", "Máy này đã có cài đặt khác: tích ô cho phép ghi đè nếu muốn thay."),
        ProfileProblem.WRITE_FAILED: translate("ProfileTexts", "Không ghi được ra đĩa (đầy hoặc không có quyền)."),
    }[problem]


def export_note_text(note: ExportNote) -> str:
    return {
        ExportNote.NO_SETTINGS_FILE: translate(
            "ProfileTexts", "Máy chạy cài đặt mặc định: không có tệp cài đặt để chép."),
        ExportNote.NO_CONTRACT: translate("ProfileTexts", "Chưa có hợp đồng trên máy này."),
        ExportNote.CONTRACT_LEFT_OUT: translate(
            "ProfileTexts", "Hợp đồng đang lưu không còn hợp lệ nên không chép; tải lại trên máy mới."),
        ExportNote.SECRETS_LEFT_OUT: translate(
            "ProfileTexts", "Mật khẩu trong cài đặt được thay bằng *** (không chép)."),
        ExportNote.NO_TOKEN: translate("ProfileTexts", "Máy này chưa lưu mã cửa hàng."),
        ExportNote.NOTHING_TO_SEAL: translate("ProfileTexts", "Không có thông tin bí mật nào để mã hóa."),
    }[note]


def part_action_text(action: PartAction) -> str:
    """What a restore would do to one part (settings, contract, shop token)."""
    return {
        PartAction.NONE: translate("ProfileTexts", "không có trong bản sao lưu"),
        PartAction.WRITE: translate("ProfileTexts", "sẽ ghi mới"),
        PartAction.SAME: translate("ProfileTexts", "giống hệt, giữ nguyên"),
        PartAction.REPLACE: translate("ProfileTexts", "sẽ THAY bản đang có"),
        PartAction.KEEP_NEWER: translate("ProfileTexts", "máy đã có bản mới hơn, giữ nguyên"),
    }[action]


def pack_action_text(action: PackAction) -> str:
    """What a restore would do to one regulation pack."""
    return {
        PackAction.INSTALL: translate("ProfileTexts", "sẽ cài"),
        PackAction.SAME: translate("ProfileTexts", "đã có"),
        PackAction.UPGRADE: translate("ProfileTexts", "sẽ nâng cấp"),
        PackAction.KEEP_NEWER: translate("ProfileTexts", "máy có bản mới hơn, giữ nguyên"),
        PackAction.KEEP_DIFFERENT: translate("ProfileTexts", "máy có bản khác cùng số, giữ nguyên"),
    }[action]
