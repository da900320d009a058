"""Words for the setup's codes: enrolment failures, code problems, what the POS search found."""

from __future__ import annotations

from app import HOTLINE
from app.setup.enrolment import EnrolFailure, EnrolmentError
from app.setup.pos_discovery import FoundBy, InstallProblem
from app.setup.pos_proof import ProofProblem
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from pmv_protocol.enrolment_codes import CodeProblem, CodeReading


def code_problem_text(reading: CodeReading) -> str:
    """What is wrong with a typed code, before anything is sent."""
    if reading.problem is CodeProblem.EMPTY:
        return translate("SetupTexts", "Nhập mã kích hoạt nhà cung cấp đã gửi (10 ký tự).")
    if reading.problem is CodeProblem.LENGTH:
        return tr_args(translate("SetupTexts", "Mã kích hoạt có 10 ký tự; ô này đang có %1."), str(reading.found))
    if reading.problem is CodeProblem.INPUT_METHOD:  # Unikey/EVKey left on: Đ, Ư, Á… where the code's keys were
        return tr_args(translate("SetupTexts", "Mã có chữ tiếng Việt (ký tự thứ %1): hãy tắt bộ gõ tiếng Việt "
                                               "(Unikey, EVKey) rồi gõ lại mã."), str(reading.position or 1))
    if reading.position is not None:
        return tr_args(translate("SetupTexts", "Mã không đúng — kiểm tra lại ký tự thứ %1"), str(reading.position))
    return translate("SetupTexts", "Mã không đúng — kiểm tra lại từng ký tự.")


_ENROL_FAILURES = Words({
    EnrolFailure.UNKNOWN: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không có mã kích hoạt này. Kiểm tra lại mã, hoặc gọi %1 để được cấp mã mới."),
    EnrolFailure.EXPIRED: QT_TRANSLATE_NOOP(
        "SetupTexts", "Mã kích hoạt đã hết hạn (mã dùng được 72 giờ). Gọi %1 để được cấp mã mới."),
    EnrolFailure.USED: QT_TRANSLATE_NOOP(
        "SetupTexts", "Mã kích hoạt này đã được dùng. Mỗi mã chỉ dùng một lần; gọi %1 để được cấp mã mới."),
    EnrolFailure.OFFLINE: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không kết nối được máy chủ hỗ trợ. Kiểm tra mạng; nếu cửa hàng không có Internet, hãy "
                      "nhập mã cửa hàng và tệp hợp đồng ở phần dưới, hoặc gọi %1."),
    EnrolFailure.TIMEOUT: QT_TRANSLATE_NOOP(
        "SetupTexts", "Máy chủ hỗ trợ không trả lời kịp. Thử lại sau ít phút, hoặc gọi %1."),
    EnrolFailure.SERVER: QT_TRANSLATE_NOOP(
        "SetupTexts", "Máy chủ hỗ trợ đang gặp lỗi. Thử lại sau ít phút, hoặc gọi %1."),
    EnrolFailure.BAD_ANSWER: QT_TRANSLATE_NOOP(
        "SetupTexts", "Máy chủ trả lời không đúng định dạng. Gọi %1."),
    EnrolFailure.CONTRACT_REFUSED: QT_TRANSLATE_NOOP(
        "SetupTexts", "Hợp đồng máy chủ gửi không xác thực được nên chưa nhận. Gọi %1."),
})


def enrol_failure_text(error: EnrolmentError) -> str:
    failure = error.failure
    if failure is EnrolFailure.FORMAT:
        return code_problem_text(CodeReading(None, error.problem or CodeProblem.CHECK, error.position, error.found))
    if failure is EnrolFailure.THROTTLED:
        minutes = max(1, -(-(error.retry_after or 60) // 60))
        # lupdate takes no count from translate(): English's singular is its own message, disambiguated "one"
        text = (translate("SetupTexts", "Nhập sai quá nhiều lần. Thử lại sau %1 phút, hoặc gọi %2.", "one")
                if minutes == 1 else
                translate("SetupTexts", "Nhập sai quá nhiều lần. Thử lại sau %1 phút, hoặc gọi %2."))
        return tr_args(text, str(minutes), HOTLINE)
    return _ENROL_FAILURES(failure, HOTLINE)  # a text's %1 is the hotline


found_by_text = Words({
    FoundBy.PROCESS: QT_TRANSLATE_NOOP("SetupTexts", "PMV đang chạy ở đây"),
    FoundBy.REGISTRY: QT_TRANSLATE_NOOP("SetupTexts", "theo mục cài đặt của Windows"),
    FoundBy.FOLDER: QT_TRANSLATE_NOOP("SetupTexts", "thư mục cài thường gặp"),
    FoundBy.GIVEN: QT_TRANSLATE_NOOP("SetupTexts", "do bạn chọn"),
})


install_problem_text = Words({
    InstallProblem.CONFIG_MISSING: QT_TRANSLATE_NOOP(
        "SetupTexts",
        "Không có tệp PMV.ini: các thư mục dưới đây được đoán theo cách PMV thường cài. Kiểm tra lại."),
    InstallProblem.CONFIG_UNREADABLE: QT_TRANSLATE_NOOP(
        "SetupTexts",
        "Tệp PMV.ini bị hỏng hoặc không đọc được: các thư mục dưới đây được đoán. Kiểm tra lại."),
    InstallProblem.CONFIG_INCOMPLETE: QT_TRANSLATE_NOOP(
        "SetupTexts", "PMV.ini không ghi đủ các đường dẫn: phần còn thiếu được đoán. Kiểm tra lại."),
    InstallProblem.URL_UNUSABLE: QT_TRANSLATE_NOOP(
        "SetupTexts", "Chuỗi kết nối máy chủ dữ liệu trong PMV.ini không dùng được."),
    InstallProblem.DATABASE_MISSING: QT_TRANSLATE_NOOP(
        "SetupTexts", "PMV.ini ghi một tệp dữ liệu không có ở đó: chọn đúng tệp dữ liệu bán hàng."),
    InstallProblem.DATABASE_NOT_FOUND: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không thấy tệp dữ liệu bán hàng cạnh thư mục cài: chọn tệp bằng nút Chọn…"),
    InstallProblem.BACKUPS_MISSING: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không thấy thư mục sao lưu: chọn thư mục PMV ghi bản sao lưu."),
    InstallProblem.LOGS_MISSING: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không thấy thư mục nhật ký của PMV: chọn nếu biết, hoặc để trống."),
})


_PROOF_PROBLEMS = Words({
    ProofProblem.MISSING: QT_TRANSLATE_NOOP("SetupTexts", "Không có tệp dữ liệu ở đường dẫn này."),
    ProofProblem.NOT_A_DATABASE: QT_TRANSLATE_NOOP(
        "SetupTexts", "Tệp này không phải dữ liệu PMV hoặc đã bị hỏng. Chọn đúng tệp, hoặc gọi %1."),
    ProofProblem.UNREADABLE: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không mở được tệp dữ liệu (không có quyền hoặc đang bị khóa). Gọi %1 nếu cần."),
    ProofProblem.NO_POS_TABLES: QT_TRANSLATE_NOOP(
        "SetupTexts", "Đây là một cơ sở dữ liệu nhưng không phải của PMV. Chọn đúng tệp dữ liệu bán hàng."),
    ProofProblem.BAD_URL: QT_TRANSLATE_NOOP("SetupTexts", "Chuỗi kết nối máy chủ dữ liệu không dùng được. Gọi %1."),
    ProofProblem.DRIVER_MISSING: QT_TRANSLATE_NOOP(
        "SetupTexts", "Bản cài này thiếu trình kết nối máy chủ dữ liệu. Gọi %1."),
    ProofProblem.SERVER_UNREACHABLE: QT_TRANSLATE_NOOP(
        "SetupTexts", "Không kết nối được máy chủ dữ liệu của PMV. Kiểm tra máy chủ đã bật và mạng nội bộ."),
    ProofProblem.LOGIN_REFUSED: QT_TRANSLATE_NOOP(
        "SetupTexts", "Máy chủ dữ liệu từ chối tên đăng nhập hoặc mật khẩu trong PMV.ini."),
    ProofProblem.SERVER_NO_DATABASE: QT_TRANSLATE_NOOP(
        "SetupTexts", "Máy chủ dữ liệu không có cơ sở dữ liệu PMV ghi trong PMV.ini."),
    ProofProblem.SERVER_ERROR: QT_TRANSLATE_NOOP("SetupTexts", "Máy chủ dữ liệu báo lỗi. Gọi %1."),
})


def proof_problem_text(problem: ProofProblem) -> str:
    return _PROOF_PROBLEMS(problem, HOTLINE)  # a text's %1 is the hotline
