"""Words for the warranty feature's codes (statuses, refusals, network failures) and the contract's vendor."""

from __future__ import annotations

from app import HOTLINE
from app.support.vendor_api import ApiFailure, VendorApiError
from app.ui.i18n import tr_args, translate
from pmv_protocol.contract import Contract, ContractError, ContractProblem
from pmv_protocol.coverage import CoverageStatus
from pmv_protocol.signed_json import JsonProblem


def status_title(status: CoverageStatus) -> str:
    if status is CoverageStatus.WARRANTY:
        return translate("WarrantyTexts", "Đang bảo hành")
    if status is CoverageStatus.MAINTENANCE:
        return translate("WarrantyTexts", "Đang bảo trì – khách hàng ưu tiên")
    return translate("WarrantyTexts", "Hết hạn bảo hành")


def contract_refusal(error: ContractError) -> str:
    reasons = {
        ContractProblem.MALFORMED: translate("WarrantyTexts", "Tệp này không phải là hợp đồng của Phần Mềm Vàng."),
        ContractProblem.UNSIGNED: translate("WarrantyTexts", "Hợp đồng không có chữ ký số."),
        ContractProblem.UNKNOWN_KEY: translate(
            "WarrantyTexts", "Hợp đồng được ký bằng một khóa mà ứng dụng không tin cậy."),
        ContractProblem.BAD_SIGNATURE: translate(
            "WarrantyTexts", "Chữ ký số không khớp: nội dung hợp đồng đã bị sửa sau khi ký."),
        ContractProblem.WRONG_SHOP: translate("WarrantyTexts", "Hợp đồng này là của một cửa hàng khác."),
        ContractProblem.INVALID: translate(
            "WarrantyTexts", "Nội dung hợp đồng không hợp lệ (thiếu mục, sai ngày, thời hạn, số hợp đồng hoặc thông "
            "tin nhà cung cấp)."),
    }
    keep = translate("WarrantyTexts", "Hợp đồng đang dùng vẫn được giữ nguyên. Cần hỗ trợ, gọi %1.")
    return f"{_unreadable(error) or reasons[error.problem]} {tr_args(keep, HOTLINE)}"


def _unreadable(error: ContractError) -> str | None:
    """What exactly made a MALFORMED file unreadable (a key given twice, NaN ...), naming the key; None if unknown."""
    fault = error.fault
    if fault is None:
        return None
    named = {
        JsonProblem.DUPLICATE_KEY: translate("WarrantyTexts", "Tệp hợp đồng có khóa trùng lặp (“%1”): tệp bị từ chối."),
        JsonProblem.NON_FINITE_NUMBER: translate(
            "WarrantyTexts", "Tệp hợp đồng có giá trị số không hợp lệ (NaN hoặc Infinity) ở “%1”: tệp bị từ chối."),
        JsonProblem.NUMBER_OUT_OF_RANGE: translate(
            "WarrantyTexts", "Tệp hợp đồng có số quá lớn ở “%1”: tệp bị từ chối."),
        JsonProblem.LONE_SURROGATE: translate("WarrantyTexts", "Tệp hợp đồng có ký tự hỏng ở “%1”: tệp bị từ chối."),
    }
    whole = {
        JsonProblem.NOT_UTF8: translate("WarrantyTexts", "Tệp hợp đồng không phải văn bản UTF-8: tệp bị từ chối."),
        JsonProblem.TOO_DEEP: translate("WarrantyTexts", "Tệp hợp đồng lồng nhau quá nhiều tầng: tệp bị từ chối."),
    }
    if fault.problem in named and fault.key:
        return tr_args(named[fault.problem], fault.key)
    return whole.get(fault.problem)


def api_failure(error: VendorApiError) -> str:
    texts = {
        ApiFailure.NOT_CONFIGURED: translate(
            "WarrantyTexts", "Máy này chưa được cài mã kết nối cửa hàng. Kỹ thuật viên cài bằng lệnh "
            "“pmv-support shop-token”."),
        ApiFailure.OFFLINE: translate("WarrantyTexts", "Không kết nối được máy chủ hỗ trợ (mất mạng?)."),
        ApiFailure.TIMEOUT: translate("WarrantyTexts", "Máy chủ hỗ trợ không trả lời kịp."),
        ApiFailure.UNAUTHORIZED: translate("WarrantyTexts", "Máy chủ từ chối mã kết nối của cửa hàng."),
        ApiFailure.NOT_FOUND: translate("WarrantyTexts", "Máy chủ chưa có hợp đồng cho cửa hàng này."),
        ApiFailure.SERVER: translate("WarrantyTexts", "Máy chủ hỗ trợ đang gặp lỗi."),
        ApiFailure.BAD_RESPONSE: translate("WarrantyTexts", "Máy chủ trả lời không đúng định dạng."),
    }
    keep = translate("WarrantyTexts", "Đang dùng hợp đồng đã lưu trên máy.")
    return f"{texts[error.kind]} {keep}"


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
