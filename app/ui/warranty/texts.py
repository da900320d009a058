"""Words for the warranty feature's codes (statuses, refusals, network failures) and the contract's vendor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app import HOTLINE
from app.support.api_failure import ApiFailure
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate
from pmv_protocol.contract import Contract, ContractError, ContractProblem, MaintenanceTier
from pmv_protocol.coverage import CoverageStatus
from pmv_protocol.signed_json import JsonProblem

if TYPE_CHECKING:
    from app.support.vendor_api import VendorApiError

status_title = Words({
    CoverageStatus.WARRANTY: QT_TRANSLATE_NOOP("WarrantyTexts", "Đang bảo hành"),
    CoverageStatus.MAINTENANCE: QT_TRANSLATE_NOOP("WarrantyTexts", "Đang bảo trì – khách hàng ưu tiên"),
    CoverageStatus.EXPIRED: QT_TRANSLATE_NOOP("WarrantyTexts", "Hết hạn bảo hành"),
})


def not_accepted_title() -> str:
    """The coverage's title while the acceptance day is ahead (the shop is being installed)."""
    return translate("WarrantyTexts", "Chưa nghiệm thu")


_TIERS = Words({
    MaintenanceTier.STANDARD: QT_TRANSLATE_NOOP("WarrantyTexts", "Tiêu chuẩn"),
    MaintenanceTier.PRIORITY: QT_TRANSLATE_NOOP("WarrantyTexts", "Ưu tiên"),
})


def tier_name(tier: str) -> str:
    """A maintenance tier in words: the codes the vendor signs, or an older contract's own words as signed."""
    code = MaintenanceTier.of(tier)
    return tier if code is None else _TIERS(code)


_CONTRACT_PROBLEMS = Words({
    ContractProblem.MALFORMED: QT_TRANSLATE_NOOP("WarrantyTexts", "Tệp này không phải là hợp đồng của Phần Mềm Vàng."),
    ContractProblem.UNSIGNED: QT_TRANSLATE_NOOP("WarrantyTexts", "Hợp đồng không có chữ ký số."),
    ContractProblem.UNKNOWN_KEY: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Hợp đồng được ký bằng một khóa mà ứng dụng không tin cậy."),
    ContractProblem.BAD_SIGNATURE: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Chữ ký số không khớp: nội dung hợp đồng đã bị sửa sau khi ký."),
    ContractProblem.WRONG_SHOP: QT_TRANSLATE_NOOP("WarrantyTexts", "Hợp đồng này là của một cửa hàng khác."),
    ContractProblem.INVALID: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Nội dung hợp đồng không hợp lệ (thiếu mục, sai ngày, thời hạn, số hợp đồng hoặc thông "
        "tin nhà cung cấp)."),
})


def contract_problem_text(error: ContractError) -> str:
    """Why a contract document was refused, in one sentence (the key named where one is at fault)."""
    return _unreadable(error) or _CONTRACT_PROBLEMS(error.problem)


def contract_refusal(error: ContractError) -> str:
    keep = translate("WarrantyTexts", "Hợp đồng đang dùng vẫn được giữ nguyên. Cần hỗ trợ, gọi %1.")
    return f"{contract_problem_text(error)} {tr_args(keep, HOTLINE)}"


# Why a contract file is unreadable: the faults that name the key (the %1), and those of the whole file.
_KEY_PROBLEMS = Words({
    JsonProblem.DUPLICATE_KEY: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Tệp hợp đồng có khóa trùng lặp (“%1”): tệp bị từ chối."),
    JsonProblem.NON_FINITE_NUMBER: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Tệp hợp đồng có giá trị số không hợp lệ (NaN hoặc Infinity) ở “%1”: tệp bị từ chối."),
    JsonProblem.NUMBER_OUT_OF_RANGE: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Tệp hợp đồng có số quá lớn ở “%1”: tệp bị từ chối."),
    JsonProblem.LONE_SURROGATE: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Tệp hợp đồng có ký tự hỏng ở “%1”: tệp bị từ chối."),
})
_FILE_PROBLEMS = Words({
    JsonProblem.NOT_UTF8: QT_TRANSLATE_NOOP("WarrantyTexts", "Tệp hợp đồng không phải văn bản UTF-8: tệp bị từ chối."),
    JsonProblem.TOO_DEEP: QT_TRANSLATE_NOOP("WarrantyTexts", "Tệp hợp đồng lồng nhau quá nhiều tầng: tệp bị từ chối."),
})


def _unreadable(error: ContractError) -> str | None:
    """What exactly made a MALFORMED file unreadable (a key given twice, NaN ...), naming the key; None if unknown."""
    fault = error.fault
    if fault is None:
        return None
    if fault.problem in _KEY_PROBLEMS and fault.key:
        return _KEY_PROBLEMS(fault.problem, fault.key)
    if fault.problem in _FILE_PROBLEMS:
        return _FILE_PROBLEMS(fault.problem)
    return None


_API_FAILURES = Words({
    ApiFailure.NOT_CONFIGURED: QT_TRANSLATE_NOOP(
        "WarrantyTexts", "Máy này chưa được cài mã kết nối cửa hàng. Kỹ thuật viên cài bằng lệnh "
        "“pmv-support shop-token”."),
    ApiFailure.OFFLINE: QT_TRANSLATE_NOOP("WarrantyTexts", "Không kết nối được máy chủ hỗ trợ (mất mạng?)."),
    ApiFailure.TIMEOUT: QT_TRANSLATE_NOOP("WarrantyTexts", "Máy chủ hỗ trợ không trả lời kịp."),
    ApiFailure.UNAUTHORIZED: QT_TRANSLATE_NOOP("WarrantyTexts", "Máy chủ từ chối mã kết nối của cửa hàng."),
    ApiFailure.NOT_FOUND: QT_TRANSLATE_NOOP("WarrantyTexts", "Máy chủ chưa có hợp đồng cho cửa hàng này."),
    ApiFailure.TOO_LARGE: QT_TRANSLATE_NOOP("WarrantyTexts", "Máy chủ hỗ trợ từ chối vì yêu cầu quá lớn."),
    ApiFailure.SERVER: QT_TRANSLATE_NOOP("WarrantyTexts", "Máy chủ hỗ trợ đang gặp lỗi."),
    ApiFailure.BAD_RESPONSE: QT_TRANSLATE_NOOP("WarrantyTexts", "Máy chủ trả lời không đúng định dạng."),
})


def api_failure(error: VendorApiError, has_contract: bool = True) -> str:
    """Why the contract could not be fetched, and what the page shows instead: the saved one, or nothing yet."""
    if has_contract:
        then = translate("WarrantyTexts", "Đang dùng hợp đồng đã lưu trên máy.")
    else:  # it said "using the saved contract" under "no contract"
        then = tr_args(translate("WarrantyTexts", "Máy này chưa có hợp đồng: hãy thử lại khi có mạng, nhập tệp hợp "
                                 "đồng nhà cung cấp gửi, hoặc gọi %1."), HOTLINE)
    return f"{_API_FAILURES(error.kind)} {then}"


# What coverage includes, from the vendor's policy (seed, sections 1 a–d and 2).
def coverage_includes() -> list[str]:
    return [
        translate("WarrantyTexts", "Khắc phục sự cố: đề xuất phương án trong tối đa 2–4 giờ làm việc; hướng dẫn "
                  "qua điện thoại, email, truy cập từ xa hoặc cử nhân viên đến tận nơi."),
        translate("WarrantyTexts", "Hướng dẫn sử dụng phần mềm qua điện thoại, fax, email hoặc truy cập từ xa."),
        translate("WarrantyTexts", "Cập nhật phiên bản mới khi có quy định mới về kinh doanh vàng."),
        translate("WarrantyTexts", "Cài đặt lại phần mềm khi máy tính gặp sự cố."),
        tr_args(translate("WarrantyTexts", "Hỗ trợ lỗi thiết bị mã vạch; đường dây nóng %1 trực 24/7."), HOTLINE),
        translate("WarrantyTexts", "Có hợp đồng bảo trì: được hỗ trợ ưu tiên (2 giờ cho sự cố nghiêm trọng và "
                  "mức cao, 4 giờ cho mức thường)."),
    ]


def vendor_text(contract: Contract) -> str:
    """The vendor the contract names, with its tax code; older contracts name none (the page's words)."""
    vendor = contract.vendor
    if vendor is None or not vendor.name:
        return translate("WarrantyPage", "(hợp đồng không ghi)")
    if vendor.tax_code:
        return tr_args(translate("WarrantyPage", "%1 – MST %2"), vendor.name, vendor.tax_code)
    return vendor.name
