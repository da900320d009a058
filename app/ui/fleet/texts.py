"""Words for what this till tells the vendor (the telemetry box and its preview)."""

from __future__ import annotations

from app.fleet.heartbeat import TelemetryOff
from app.fleet.service import TelemetryStatus
from app.infra.formatting import format_datetime
from app.ui.i18n import tr_args, translate


def what_is_sent(status: TelemetryStatus) -> str:
    """What goes to the vendor, how often, and why only the version when the contract or the settings say so."""
    minutes = status.period_minutes
    if status.off_by is TelemetryOff.CONTRACT:
        return tr_args(translate(
            "FleetTexts", "Hợp đồng của cửa hàng không cho gửi tình trạng máy: cứ khoảng %1 phút, ứng dụng chỉ gửi "
            "phiên bản ứng dụng để nhà cung cấp biết máy còn hoạt động."), minutes)
    if status.off_by is TelemetryOff.SETTINGS:
        return tr_args(translate(
            "FleetTexts", "Cài đặt của máy này đã tắt việc gửi tình trạng máy ([fleet] telemetry = false): cứ "
            "khoảng %1 phút, ứng dụng chỉ gửi phiên bản ứng dụng để nhà cung cấp biết máy còn hoạt động."), minutes)
    return tr_args(translate(
        "FleetTexts", "Cứ khoảng %1 phút, và ngay khi tình trạng máy thay đổi, ứng dụng gửi cho nhà cung cấp một bản "
        "tóm tắt: kết quả từng mục kiểm tra (mã, trạng thái, các con số đo), phiên bản ứng dụng và phần mềm PMV, "
        "các gói quy định đã cài, tuổi của bản sao lưu gần nhất và số mục đang chờ gửi. Nhờ vậy nhà cung cấp thấy "
        "sự cố sớm và chủ động hỗ trợ."), minutes)


def never_sent() -> str:
    return translate("FleetTexts", "Không gửi nội dung nhật ký, hóa đơn, giá vàng hay thông tin khách hàng.")


def last_report(status: TelemetryStatus) -> str:
    """When the vendor last had a report from this till, and what waits."""
    last = status.last_report
    text = (tr_args(translate("FleetTexts", "Lần gần nhất nhà cung cấp nhận được: %1."),
                    format_datetime(last.received_at)) if last is not None
            else translate("FleetTexts", "Nhà cung cấp chưa nhận được báo cáo nào từ máy này."))
    if status.waiting:
        # lupdate takes no count from translate(): English's singular is its own message, disambiguated "one"
        waiting = (translate("FleetTexts", "%1 mục đang chờ gửi, sẽ tự gửi khi có mạng.", "one") if status.waiting == 1
                   else translate("FleetTexts", "%1 mục đang chờ gửi, sẽ tự gửi khi có mạng."))
        text += " " + tr_args(waiting, status.waiting)
    return text


def status_failed(error: BaseException) -> str:
    return tr_args(translate("FleetTexts", "Không đọc được thông tin gửi đi: %1"), error)


def preview_intro() -> str:
    return translate("FleetTexts", "Đây đúng là nội dung lần gửi tới, theo từng yêu cầu gửi lên máy chủ của nhà cung "
                     "cấp. Mã báo cáo (id) và thời điểm (made_at) đổi ở mỗi lần gửi.")


def nothing_to_send() -> str:
    return translate("FleetTexts", "(không có gì chờ gửi)")
