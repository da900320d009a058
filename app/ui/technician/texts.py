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
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from pmv_protocol.unlock_codes import UnlockReason

_UNLOCK_REASONS = Words({
    UnlockReason.MALFORMED: QT_TRANSLATE_NOOP(
        "TechnicianTexts", "Mã mở khóa gõ chưa đúng: kiểm tra lại từng nhóm ký tự."),
    UnlockReason.BAD_SIGNATURE: QT_TRANSLATE_NOOP("TechnicianTexts", "Mã mở khóa không hợp lệ (chữ ký không khớp)."),
    UnlockReason.UNKNOWN_KEY: QT_TRANSLATE_NOOP("TechnicianTexts", "Mã được ký bằng khóa không được tin cậy."),
    UnlockReason.OTHER_SHOP: QT_TRANSLATE_NOOP("TechnicianTexts", "Mã này dành cho cửa hàng khác."),
    UnlockReason.WRONG_CHALLENGE: QT_TRANSLATE_NOOP("TechnicianTexts", "Mã này dành cho một mã thử thách khác."),
    UnlockReason.EXPIRED: QT_TRANSLATE_NOOP("TechnicianTexts", "Mã mở khóa đã hết hạn."),
    UnlockReason.REPLAYED: QT_TRANSLATE_NOOP("TechnicianTexts", "Mã mở khóa này đã được dùng rồi."),
    UnlockReason.RATE_LIMITED: QT_TRANSLATE_NOOP(
        "TechnicianTexts", "Nhập sai quá nhiều lần: tạm khóa 10 phút. Gọi %1 nếu cần."),
})


def unlock_reason_text(reason: UnlockReason) -> str:
    return _UNLOCK_REASONS(reason, HOTLINE)  # a text's %1 is the hotline


_ACTIONS = Words({
    Action.UNLOCK.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Mở khóa chế độ kỹ thuật viên"),
    Action.LOCK.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Khóa chế độ kỹ thuật viên"),
    Action.VIEW_CHECKS.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Chạy kiểm tra chi tiết"),
    Action.VIEW_LOG.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Xem nhật ký"),
    Action.SEARCH_LOG.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Tìm trong nhật ký"),
    Action.SETTINGS_SAVE.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Lưu cài đặt"),
    Action.UPDATES_RUN.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Cập nhật ngay"),
    Action.UPDATES_ROLLBACK.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Quay lại gói quy định trước"),
    Action.DB_INTEGRITY.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Kiểm tra toàn vẹn cơ sở dữ liệu"),
    Action.DB_VACUUM.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Thu gọn cơ sở dữ liệu"),
    Action.BUNDLE_EXPORT.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Xuất gói chẩn đoán"),
    Action.AUDIT_EXPORT.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Xuất nhật ký kỹ thuật viên"),
    Action.AUDIT_ATTACH.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Gắn nhật ký vào yêu cầu hỗ trợ"),
    Action.PROFILE_EXPORT.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Sao lưu để cài lại"),
    Action.PROFILE_IMPORT.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Khôi phục từ bản sao lưu"),
    ACTION_CONSENT: QT_TRANSLATE_NOOP("TechnicianTexts", "Xin phép hỗ trợ từ xa"),
    ACTION_SESSION_START: QT_TRANSLATE_NOOP("TechnicianTexts", "Bắt đầu phiên hỗ trợ từ xa"),
    ACTION_SESSION_END: QT_TRANSLATE_NOOP("TechnicianTexts", "Kết thúc phiên hỗ trợ từ xa"),
})


def action_name(code: str) -> str:
    return _ACTIONS.get(code, code)


_RESULTS = Words({
    "ok": QT_TRANSLATE_NOOP("TechnicianTexts", "Thành công"),
    "failed": QT_TRANSLATE_NOOP("TechnicianTexts", "Lỗi"),
    ConsentOutcome.APPROVED.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Đồng ý"),
    ConsentOutcome.DENIED.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Từ chối"),
    ConsentOutcome.TIMED_OUT.value: QT_TRANSLATE_NOOP("TechnicianTexts", "Hết thời gian chờ"),
})


def result_name(code: str) -> str:
    if code in _RESULTS:
        return _RESULTS(code)
    if code in {reason.value for reason in UnlockReason}:  # a refused unlock: why, in words
        return tr_args(translate("TechnicianTexts", "Từ chối: %1"), unlock_reason_text(UnlockReason(code)))
    return code


id_reason_text = Words({
    IdReason.OK: QT_TRANSLATE_NOOP("TechnicianTexts", "Đã đọc được ID."),
    IdReason.SHOWN_IN_WINDOW: QT_TRANSLATE_NOOP(
        "TechnicianTexts", "Phần mềm này chỉ hiện ID trong cửa sổ của nó: hãy đọc ID trên cửa sổ và gõ vào đây."),
    IdReason.TIMED_OUT: QT_TRANSLATE_NOOP(
        "TechnicianTexts", "Phần mềm không trả lời ID kịp: hãy gõ ID từ cửa sổ của nó."),
    IdReason.EXIT_STATUS: QT_TRANSLATE_NOOP(
        "TechnicianTexts", "Phần mềm báo lỗi khi hỏi ID: hãy gõ ID từ cửa sổ của nó."),
    IdReason.UNREADABLE: QT_TRANSLATE_NOOP("TechnicianTexts", "Không đọc được ID: hãy gõ ID từ cửa sổ của phần mềm."),
    IdReason.NOT_STARTED: QT_TRANSLATE_NOOP("TechnicianTexts", "Không chạy được phần mềm để hỏi ID."),
})


# -- the shop profile (Sao lưu để cài lại) ----------------------------------------------------------------------------

profile_problem_text = Words({
    ProfileProblem.READ_FAILED: QT_TRANSLATE_NOOP("ProfileTexts", "Không mở được tệp."),
    ProfileProblem.NOT_A_PROFILE: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Tệp này không phải bản sao lưu của PMV Support Assistant."),
    ProfileProblem.DAMAGED: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Tệp sao lưu bị hỏng (chép thiếu hoặc lỗi ổ đĩa). Hãy chép lại."),
    ProfileProblem.TOO_LARGE: QT_TRANSLATE_NOOP("ProfileTexts", "Tệp quá lớn để là một bản sao lưu."),
    ProfileProblem.UNSAFE_NAME: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Tệp sao lưu chứa đường dẫn không an toàn: đã từ chối."),
    ProfileProblem.MANIFEST_INVALID: QT_TRANSLATE_NOOP("ProfileTexts", "Mục lục của bản sao lưu không hợp lệ."),
    ProfileProblem.NEWER_FORMAT: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Bản sao lưu do phiên bản mới hơn tạo: hãy cập nhật phần mềm trước."),
    ProfileProblem.MISSING_PART: QT_TRANSLATE_NOOP("ProfileTexts", "Bản sao lưu thiếu một phần."),
    ProfileProblem.UNEXPECTED_PART: QT_TRANSLATE_NOOP("ProfileTexts", "Bản sao lưu có phần lạ không có trong mục lục."),
    ProfileProblem.CHECKSUM_MISMATCH: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Một phần của bản sao lưu đã bị sửa sau khi tạo: đã từ chối."),
    ProfileProblem.SETTINGS_UNREADABLE: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Tệp cài đặt không đọc được (không phải TOML hợp lệ)."),
    ProfileProblem.PACK_INVALID: QT_TRANSLATE_NOOP("ProfileTexts", "Một gói quy định trong bản sao lưu không hợp lệ."),
    ProfileProblem.CONTRACT_REFUSED: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Hợp đồng trong bản sao lưu không có chữ ký hợp lệ."),
    ProfileProblem.CONTRACT_WRONG_SHOP: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Hợp đồng trong bản sao lưu là của cửa hàng khác."),
    ProfileProblem.PASSPHRASE_REQUIRED: QT_TRANSLATE_NOOP("ProfileTexts", "Cần cụm mật khẩu để mở phần bí mật."),
    ProfileProblem.PASSPHRASE_TOO_SHORT: QT_TRANSLATE_NOOP("ProfileTexts", "Cụm mật khẩu cần ít nhất 8 ký tự."),
    ProfileProblem.WRONG_PASSPHRASE: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Sai cụm mật khẩu (hoặc phần bí mật không thuộc bản sao lưu này)."),
    ProfileProblem.SECRETS_INVALID: QT_TRANSLATE_NOOP("ProfileTexts", "Phần bí mật của bản sao lưu không đọc được."),
    ProfileProblem.FOREIGN_SHOP: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Máy này đang cài cho cửa hàng khác: chỉ khôi phục khi chắc chắn, và tích ô cho phép "
        "ghi đè."),
    ProfileProblem.WOULD_OVERWRITE: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Máy này đã có cài đặt khác: tích ô cho phép ghi đè nếu muốn thay."),
    ProfileProblem.WRITE_FAILED: QT_TRANSLATE_NOOP("ProfileTexts", "Không ghi được ra đĩa (đầy hoặc không có quyền)."),
})


export_note_text = Words({
    ExportNote.NO_SETTINGS_FILE: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Máy chạy cài đặt mặc định: không có tệp cài đặt để chép."),
    ExportNote.NO_CONTRACT: QT_TRANSLATE_NOOP("ProfileTexts", "Chưa có hợp đồng trên máy này."),
    ExportNote.CONTRACT_LEFT_OUT: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Hợp đồng đang lưu không còn hợp lệ nên không chép; tải lại trên máy mới."),
    ExportNote.SECRETS_LEFT_OUT: QT_TRANSLATE_NOOP(
        "ProfileTexts", "Mật khẩu trong cài đặt được thay bằng *** (không chép)."),
    ExportNote.NO_TOKEN: QT_TRANSLATE_NOOP("ProfileTexts", "Máy này chưa lưu mã cửa hàng."),
    ExportNote.NOTHING_TO_SEAL: QT_TRANSLATE_NOOP("ProfileTexts", "Không có thông tin bí mật nào để mã hóa."),
})


# What a restore would do to one part (settings, contract, shop token).
part_action_text = Words({
    PartAction.NONE: QT_TRANSLATE_NOOP("ProfileTexts", "không có trong bản sao lưu"),
    PartAction.WRITE: QT_TRANSLATE_NOOP("ProfileTexts", "sẽ ghi mới"),
    PartAction.SAME: QT_TRANSLATE_NOOP("ProfileTexts", "giống hệt, giữ nguyên"),
    PartAction.REPLACE: QT_TRANSLATE_NOOP("ProfileTexts", "sẽ THAY bản đang có"),
    PartAction.KEEP_NEWER: QT_TRANSLATE_NOOP("ProfileTexts", "máy đã có bản mới hơn, giữ nguyên"),
})


# What a restore would do to one regulation pack.
pack_action_text = Words({
    PackAction.INSTALL: QT_TRANSLATE_NOOP("ProfileTexts", "sẽ cài"),
    PackAction.SAME: QT_TRANSLATE_NOOP("ProfileTexts", "đã có"),
    PackAction.UPGRADE: QT_TRANSLATE_NOOP("ProfileTexts", "sẽ nâng cấp"),
    PackAction.KEEP_NEWER: QT_TRANSLATE_NOOP("ProfileTexts", "máy có bản mới hơn, giữ nguyên"),
    PackAction.KEEP_DIFFERENT: QT_TRANSLATE_NOOP("ProfileTexts", "máy có bản khác cùng số, giữ nguyên"),
})
