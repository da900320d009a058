"""Words for the device feature's codes."""

from __future__ import annotations

from app.devices.diagnosis import Fault
from app.devices.labels import LayoutNote, PrinterFault, TagFieldError, TransportErrorKind, VerifyProblem
from app.devices.serial_scanner import ScannerErrorKind, ScanProblemKind
from app.ui.i18n import QT_TRANSLATE_NOOP, Words, tr_args, translate

# The test sheet's codes on screen, by TestCode.key (app/devices/test_sheet.py): the sheet itself is printed with
# its Vietnamese captions, the list beside the scan box follows the interface language ("Code 39" is the same in
# both: its caption is shown as it is).
test_code_name = Words({
    "item": QT_TRANSLATE_NOOP("DeviceTexts", "Mã tem nữ trang (Code 128)"),
    "ean13": QT_TRANSLATE_NOOP("DeviceTexts", "Mã vạch sản phẩm (EAN-13)"),
    "ime": QT_TRANSLATE_NOOP("DeviceTexts", "Mã bẫy bộ gõ tiếng Việt (Code 128)"),
    "qr": QT_TRANSLATE_NOOP("DeviceTexts", "Mã QR"),
    "ime_vni": QT_TRANSLATE_NOOP("DeviceTexts", "Mã bẫy bộ gõ kiểu VNI (Code 128)"),
})


# The label templates shipped in resources/labels, by file name; one added later shows its file name.
template_name = Words({
    "rat_tail_75x10": QT_TRANSLATE_NOOP("DeviceTexts", "Tem đuôi chuột 75 × 10 mm"),
    "plain_40x30": QT_TRANSLATE_NOOP("DeviceTexts", "Tem 40 × 30 mm"),
})


fault_name = Words({
    Fault.IME_TELEX: QT_TRANSLATE_NOOP("DeviceTexts", "Bộ gõ tiếng Việt (Unikey/EVKey) đang bật kiểu Telex"),
    Fault.IME_VNI: QT_TRANSLATE_NOOP("DeviceTexts", "Bộ gõ tiếng Việt (Unikey/EVKey) đang bật kiểu VNI"),
    Fault.CAPS_LOCK: QT_TRANSLATE_NOOP("DeviceTexts", "Phím Caps Lock đang bật"),
    Fault.MISSING_TERMINATOR: QT_TRANSLATE_NOOP("DeviceTexts", "Máy quét không gửi phím Enter sau mã"),
    Fault.KEYBOARD_LAYOUT: QT_TRANSLATE_NOOP("DeviceTexts", "Windows đang dùng bàn phím không phải tiếng Anh (Mỹ)"),
    Fault.PREFIX_SUFFIX: QT_TRANSLATE_NOOP("DeviceTexts", "Máy quét thêm ký tự vào đầu hoặc cuối mã"),
    Fault.DROPPED_CHARS: QT_TRANSLATE_NOOP("DeviceTexts", "Mất ký tự: máy quét gửi nhanh hơn máy tính nhận"),
    Fault.CHECK_DIGIT: QT_TRANSLATE_NOOP("DeviceTexts", "Sai số kiểm tra của mã vạch"),
    Fault.SYMBOLOGY_DISABLED: QT_TRANSLATE_NOOP("DeviceTexts", "Máy quét chưa bật loại mã vạch này"),
})


problem_text = Words({
    ScanProblemKind.GARBAGE: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Nhận được ký tự lạ: có thể sai tốc độ truyền (baud). Thử \u201cTự dò tốc độ\u201d."),
    ScanProblemKind.MISSING_TERMINATOR: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Máy quét gửi mã nhưng không gửi ký tự kết thúc (Enter): phần mềm bán hàng sẽ không nhận mã. "
        "Quét mã cài đặt “thêm Enter” trong sách hướng dẫn máy quét."),
    ScanProblemKind.TOO_LONG: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Dữ liệu quá dài mà không có ký tự kết thúc: kiểm tra cài đặt ký tự kết thúc."),
})


scanner_error_text = Words({
    ScannerErrorKind.NOT_FOUND: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Không tìm thấy cổng này. Kiểm tra dây cắm rồi bấm \u201cLàm mới\u201d."),
    ScannerErrorKind.BUSY: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Cổng đang được chương trình khác dùng (thường là phần mềm bán hàng). Đóng chương trình "
        "đó rồi thử lại."),
    ScannerErrorKind.GONE: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Máy quét vừa bị ngắt kết nối (rút dây hoặc mất nguồn). "
        "Cắm lại rồi bấm \u201cKết nối\u201d."),
    ScannerErrorKind.BAD_SETTINGS: QT_TRANSLATE_NOOP("DeviceTexts", "Thông số cổng không hợp lệ."),
})


verify_problem_text = Words({
    VerifyProblem.TOO_LONG_FOR_LABEL: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Mã quá dài so với đầu tem ở độ phân giải này: tem in ra sẽ không quét được. "
        "Dùng mã ngắn hơn, mẫu tem lớn hơn hoặc máy in 300 dpi."),
    VerifyProblem.BARS_TOO_THIN: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Vạch mã quá mảnh so với độ phân giải máy in: máy quét sẽ khó đọc."),
    VerifyProblem.DOES_NOT_DECODE: QT_TRANSLATE_NOOP("DeviceTexts", "Mã vạch trên tem không đọc lại được: không in."),
    VerifyProblem.DECODES_WRONG: QT_TRANSLATE_NOOP("DeviceTexts", "Mã vạch đọc lại ra nội dung khác: không in."),
    VerifyProblem.TEXT_TOO_WIDE: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Một dòng chữ dài quá chỗ trên tem (ra ngoài đầu in hoặc lấn vào mã vạch): không in. "
        "Rút ngắn tên hàng hoặc chọn mẫu tem rộng hơn."),
})


# Said beside the preview when the tag carries a 2D code because Code 128 would not fit.
layout_note_text = Words({
    LayoutNote.LONG_CODE_DATAMATRIX: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Mã dài: in mã 2D DataMatrix. Máy quét của quầy cần đọc được mã 2D (loại quét hình ảnh)."),
    LayoutNote.LONG_CODE_QR: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Mã dài: in mã 2D QR. Máy quét của quầy cần đọc được mã 2D (loại quét hình ảnh)."),
})


transport_error_text = Words({
    TransportErrorKind.NOT_REACHABLE: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Không kết nối được máy in: kiểm tra nguồn, dây mạng/cáp và địa chỉ IP."),
    TransportErrorKind.TIMEOUT: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Máy in không trả lời kịp: có thể đang bận, kẹt giấy hoặc sai ngôn ngữ máy in."),
    TransportErrorKind.REFUSED: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Máy in từ chối kết nối: sai cổng (thường là 9100) hoặc máy in đang bận."),
    TransportErrorKind.NOT_FOUND: QT_TRANSLATE_NOOP("DeviceTexts", "Không tìm thấy máy in, cổng hoặc hàng đợi này."),
    TransportErrorKind.BAD_TARGET: QT_TRANSLATE_NOOP(
        "DeviceTexts", "Địa chỉ máy in không đúng dạng (ví dụ tcp://192.168.1.50:9100, serial://COM3?baud=9600)."),
})


printer_fault_name = Words({
    PrinterFault.PAPER_OUT: QT_TRANSLATE_NOOP("DeviceTexts", "hết giấy"),
    PrinterFault.PAPER_JAM: QT_TRANSLATE_NOOP("DeviceTexts", "kẹt giấy"),
    PrinterFault.HEAD_OPEN: QT_TRANSLATE_NOOP("DeviceTexts", "nắp đầu in đang mở"),
    PrinterFault.RIBBON_OUT: QT_TRANSLATE_NOOP("DeviceTexts", "hết mực ruy băng"),
    PrinterFault.PAUSED: QT_TRANSLATE_NOOP("DeviceTexts", "đang tạm dừng"),
    PrinterFault.BUFFER_FULL: QT_TRANSLATE_NOOP("DeviceTexts", "bộ nhớ đệm đầy"),
    PrinterFault.OTHER: QT_TRANSLATE_NOOP("DeviceTexts", "lỗi khác"),
})


def tag_field_error_text(error: TagFieldError) -> str:
    """Why the test tag (or a numbered run of it) cannot be made from what the form holds (the printer tab's words)."""
    if error.reason == "no_number":
        return translate("PrinterTab", "Để in loạt, mã hàng phải kết thúc bằng số (ví dụ 75000001): các tem được "
                                       "đánh số tăng dần.")
    if error.reason == "too_long":
        return translate("PrinterTab", "Mã hàng của tem cuối loạt quá dài: hãy in ít tem hơn hoặc dùng mã ngắn hơn.")
    # The form's own label for the two fields it edits; the rest of the test tag is fixed demo values.
    names = {"item_code": translate("PrinterTab", "Mã hàng (mã vạch)"),
             "product_name": translate("PrinterTab", "Tên hàng")}
    return tr_args(translate("PrinterTab", "Giá trị không hợp lệ: %1"), names.get(error.field, error.field))
