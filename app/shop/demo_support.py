"""The demo shop's support requests and their conversations, as data: who says what, when, with which files.

:mod:`app.demo_vendor` plays them through the embedded vendor server (the vendor's steps) and the app's own
conversation service and outbox (the shop's), so the pages show real data: a request with a whole
conversation (files both ways, a refused proposal, a confirmed on-site visit), one whose proposed solution
waits for the shop's word, and one resolved and not rated yet.

Every moment is an offset from the demo's own clock, never the real one.
"""

from __future__ import annotations

import datetime as dt
import enum
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pmv_protocol.shop_time import shop_time
from pmv_protocol.wire import Category, Channel, RequestWords, Severity

STAFF = "Nguyễn Thu Hà"  # the vendor's support agent in every sample
TECHNICIAN = "Trần Minh"


class Step(enum.Enum):
    """Who acts in a sample's script."""

    VENDOR_REPLY = "vendor_reply"  # text, files
    VENDOR_PROPOSE = "vendor_propose"  # kind, text
    VENDOR_VISIT = "vendor_visit"  # a visit in ``visit_in_days`` days, 14:00-16:00, TECHNICIAN
    VENDOR_STATUS = "vendor_status"  # text: the new status
    SHOP_REPLY = "shop_reply"  # text, files
    SHOP_REFUSE = "shop_refuse"  # text: the reason
    SHOP_CONFIRM_VISIT = "shop_confirm_visit"
    SEEN = "seen"  # the cashier opened the request: everything so far is read and was announced


@dataclass(frozen=True)
class ScriptStep:
    step: Step
    after: dt.timedelta  # since the request was opened
    text: str = ""
    files: tuple[str, ...] = ()  # names in :func:`write_sample_files`' folder
    kind: Channel | None = None


@dataclass(frozen=True)
class SampleRequest(RequestWords):
    """A sample request's words (:class:`RequestWords`), when it was opened, and what happens to it."""

    opened_at: dt.datetime
    script: tuple[ScriptStep, ...] = field(default_factory=tuple)


def _minutes(count: int) -> dt.timedelta:
    return dt.timedelta(minutes=count)


def sample_requests(now: dt.datetime) -> list[SampleRequest]:
    """The three samples, opened in the shop's past relative to ``now`` (the demo clock), oldest first."""
    # In working hours, in shop time: the resolved one two days ago in the afternoon, the long conversation
    # yesterday morning; the question waiting for the shop's word was asked three hours ago.
    yesterday = shop_time(now - dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    two_days_ago = shop_time(now - dt.timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)
    return [
        SampleRequest(
            Category.BARCODE_DEVICE, Severity.HIGH, "Máy in tem in mờ, máy quét không đọc được tem",
            "Từ chiều qua tem in ra bị mờ nửa bên phải.", "Chị Lan", "+84903112233", Channel.REMOTE, two_days_ago,
            (ScriptStep(Step.VENDOR_PROPOSE, dt.timedelta(hours=1), kind=Channel.REMOTE,
                        text="Đã truy cập từ xa: tăng nhiệt độ đầu in lên 12 và vệ sinh đầu in bằng cồn. "
                             "Tem in rõ, quét được."),
             ScriptStep(Step.VENDOR_STATUS, dt.timedelta(hours=3, minutes=20), text="resolved"),
             ScriptStep(Step.SEEN, dt.timedelta(hours=3, minutes=30))),
        ),
        SampleRequest(
            Category.INCIDENT, Severity.HIGH, "Máy in hóa đơn báo lỗi giấy, không in được",
            "Máy in hóa đơn ở quầy 1 báo đèn đỏ và không in, dù còn giấy. Đã tắt mở lại máy in.",
            "Chị Lan", "+84903112233", Channel.ON_SITE, yesterday,
            (ScriptStep(Step.VENDOR_REPLY, _minutes(20),
                        "Chào chị Lan, chị chụp giúp em đèn báo trên máy in và gửi nhật ký in của phần mềm nhé. "
                        "Em gửi kèm hướng dẫn lấy nhật ký.", ("huong-dan-lay-nhat-ky.txt",)),
             ScriptStep(Step.SHOP_REPLY, _minutes(35), "Ảnh đèn báo và nhật ký đây em.",
                        ("den-bao-may-in.png", "nhat-ky-in.txt")),
             ScriptStep(Step.VENDOR_REPLY, _minutes(50),
                        "Đèn đỏ nháy 3 lần là cảm biến giấy bị bẩn. Em gửi hướng dẫn vệ sinh cảm biến.",
                        ("ve-sinh-cam-bien-giay.txt",)),
             ScriptStep(Step.VENDOR_PROPOSE, _minutes(55), kind=Channel.PHONE,
                        text="Vệ sinh cảm biến giấy theo hướng dẫn (em gọi điện hướng dẫn từng bước)."),
             ScriptStep(Step.SHOP_REFUSE, _minutes(100), "Đã vệ sinh theo hướng dẫn nhưng máy vẫn báo lỗi giấy."),
             ScriptStep(Step.VENDOR_REPLY, _minutes(120),
                        "Em xin lỗi chị, có lẽ cảm biến đã hỏng. Kỹ thuật viên sẽ qua thay cảm biến cho chị."),
             ScriptStep(Step.VENDOR_VISIT, _minutes(125)),
             ScriptStep(Step.SHOP_CONFIRM_VISIT, _minutes(140)),
             ScriptStep(Step.SEEN, _minutes(141)),
             ScriptStep(Step.VENDOR_REPLY, _minutes(150),
                        "Anh Minh sẽ mang cảm biến thay thế và gọi chị trước khi đến. Chị cứ dùng máy in quầy 2 "
                        "trong lúc chờ nhé.")),
        ),
        SampleRequest(
            Category.REGULATION_UPDATE, Severity.NORMAL, "Hỏi về giới hạn thanh toán tiền mặt 20 triệu",
            "Khách mua 2 lần trong ngày tổng hơn 20 triệu thì có phải chuyển khoản không?", "Anh Tâm",
            "+84918223344", Channel.PHONE, now - dt.timedelta(hours=3),
            (ScriptStep(Step.VENDOR_REPLY, _minutes(25),
                        "Chào anh Tâm, em xem giúp anh: Nghị định 232/2025 tính tổng trong ngày của một khách."),
             ScriptStep(Step.SEEN, _minutes(30)),
             ScriptStep(Step.VENDOR_PROPOSE, _minutes(70), kind=Channel.EMAIL,
                        text="Em đã gửi email hướng dẫn: tổng các hóa đơn trong ngày của một khách từ 20 triệu "
                             "đồng thì phải thanh toán qua tài khoản ngân hàng, kể cả khi chia nhiều hóa đơn. "
                             "Gói quy định ND 232/2025 trong mục Cập nhật sẽ cảnh báo các ngày như vậy.")),
        ),
    ]


VISIT_IN_DAYS = 2  # the confirmed visit: two days after the demo's today, 14:00-16:00
VISIT_HOURS = (dt.time(14, 0), dt.time(16, 0))


def visit_day(now: dt.datetime) -> dt.date:
    return shop_time(now).date() + dt.timedelta(days=VISIT_IN_DAYS)


_TEXTS = {
    "huong-dan-lay-nhat-ky.txt": (
        "Lấy nhật ký in của Phần Mềm Vàng\n\n"
        "1. Mở Phần Mềm Vàng, chọn Hệ thống > Nhật ký.\n"
        "2. Chọn ngày hôm nay, bấm Xuất tệp.\n"
        "3. Gửi tệp nhat-ky-in.txt trong yêu cầu hỗ trợ.\n"),
    "nhat-ky-in.txt": (
        "08:02:11 IN HD 1C26TVG-0000412 -> May in quay 1: OK\n"
        "08:47:30 IN HD 1C26TVG-0000413 -> May in quay 1: LOI GIAY (paper end)\n"
        "08:47:31 Thu lai 1/3: LOI GIAY\n"
        "08:47:33 Thu lai 2/3: LOI GIAY\n"
        "08:47:35 Thu lai 3/3: LOI GIAY\n"),
    "ve-sinh-cam-bien-giay.txt": (
        "Vệ sinh cảm biến giấy máy in hóa đơn\n\n"
        "1. Tắt máy in, rút điện.\n"
        "2. Mở nắp, lấy cuộn giấy ra.\n"
        "3. Dùng tăm bông khô lau mắt cảm biến (ô nhỏ màu đen cạnh khe giấy).\n"
        "4. Lắp giấy, đóng nắp, bật máy, in thử.\n"),
}


def sample_png(width: int = 64, height: int = 48) -> bytes:
    """A small real PNG (a grey panel with a red lamp): the cashier's photo of the printer's light."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            lamp = (x - width * 3 // 4) ** 2 + (y - height // 3) ** 2 <= (height // 8) ** 2
            row += bytes((220, 30, 30) if lamp else (90, 90, 96))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def write_sample_files(folder: Path) -> Path:
    """The samples' files, written into ``folder`` (created); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "den-bao-may-in.png").write_bytes(sample_png())
    return folder
