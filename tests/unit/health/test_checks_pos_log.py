"""pos.log.errors against a real demo shop's PMV logs, with error lines appended for real."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest

from app.health.checks import pos_log
from app.health.model import CheckResult, Status
from app.infra.settings import Settings
from app.shop.demo import DemoShop
from tests.helpers import refuse_listing

from .conftest import SHOP_NOW, find, run_one, settings_with

LOG = find(pos_log.CHECKS, "pos.log.errors")


def _append(path: Path, *lines: str, newline: str = "\n") -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("".join(line + newline for line in lines))


def _today_log(shop: DemoShop) -> Path:
    return shop.logs_dir / "pmv-2026-11-25.log"


def _run(make_ctx, **kwargs: object) -> CheckResult:
    return run_one(LOG, make_ctx(**kwargs))


def test_id_and_title() -> None:
    assert [c.id for c in pos_log.CHECKS] == ["pos.log.errors"]
    assert LOG.title == "Lỗi trong nhật ký PMV"


def test_remedies_are_numbered_vietnamese_steps() -> None:
    for code, steps in pos_log.REMEDIES.items():
        assert re.search(r"^1\. ", steps, re.MULTILINE) and re.search(r"^2\. ", steps, re.MULTILINE), code
        assert "nhật ký" in steps or "lỗi" in steps, code
    assert "1900 6037" in pos_log.REMEDIES["pos_log.fatal"]


def test_demo_logs_have_only_a_warning(make_ctx) -> None:
    outcome = _run(make_ctx)
    assert outcome.status is Status.OK, outcome.summary
    assert "1 cảnh báo" in outcome.summary
    assert "Máy in tem: hết thời gian chờ (COM3)" in outcome.details
    values = {m.name: m.value for m in outcome.metrics}
    assert values["errors"] == 0 and values["warnings"] == 1


def test_a_few_errors_today_are_a_warning(make_ctx, demo_shop: DemoShop) -> None:
    _append(_today_log(demo_shop),
            "2026-11-25 09:15:02 ERROR Không in được hóa đơn: máy in HĐ không phản hồi",
            "2026-11-25 09:40:31 ERROR Mất kết nối máy chủ hóa đơn điện tử (timeout 30s)")
    outcome = _run(make_ctx)
    assert outcome.status is Status.WARNING
    assert outcome.remedy == "pos_log.errors" and outcome.remedy in pos_log.REMEDIES
    assert outcome.summary.startswith("2 lỗi")
    assert "09:40 25/11/2026" in outcome.summary and "hóa đơn điện tử" in outcome.summary
    assert "Không in được hóa đơn" in outcome.details
    values = {m.name: m.value for m in outcome.metrics}
    assert values["errors"] == 2 and values["warnings"] == 1


def test_many_errors_are_critical(make_ctx, demo_shop: DemoShop) -> None:
    _append(_today_log(demo_shop),
            *[f"2026-11-25 09:{minute:02d}:00 ERROR Đầu đọc mã vạch COM4: lỗi cổng" for minute in range(12)])
    outcome = _run(make_ctx)
    assert outcome.status is Status.CRITICAL and outcome.remedy == "pos_log.fatal"
    assert len(outcome.details.splitlines()) == pos_log.LAST_SHOWN  # only the last few lines are listed
    assert "09:11 25/11/2026" in outcome.details and "09:00 25/11/2026" not in outcome.details


def test_one_fatal_is_critical(make_ctx, demo_shop: DemoShop) -> None:
    _append(_today_log(demo_shop), "2026-11-25 09:05:00 FATAL Lỗi ghi cơ sở dữ liệu, PMV dừng")
    outcome = _run(make_ctx)
    assert outcome.status is Status.CRITICAL and outcome.remedy == "pos_log.fatal"
    assert "1 lỗi nghiêm trọng" in outcome.summary


def test_only_the_last_24_hours_count(make_ctx, demo_shop: DemoShop) -> None:
    _append(demo_shop.logs_dir / "pmv-2026-11-24.log",
            "2026-11-24 09:59:00 ERROR lỗi cũ hơn 24 giờ")
    _append(demo_shop.logs_dir / "pmv-2026-11-23.log",
            "2026-11-23 15:00:00 FATAL lỗi hôm kia")
    assert _run(make_ctx).status is Status.OK
    _append(demo_shop.logs_dir / "pmv-2026-11-24.log",
            "2026-11-24 10:01:00 ERROR lỗi trong 24 giờ")
    outcome = _run(make_ctx)
    assert outcome.status is Status.WARNING and "lỗi trong 24 giờ" in outcome.summary


def test_undated_log_counts_by_its_lines(make_ctx, demo_shop: DemoShop) -> None:
    current = demo_shop.logs_dir / "pmv.log"
    _append(current, "2026-11-25 08:05:00 INFO  PMV khởi động",
            "2026-11-25 08:06:10 ERROR Không mở được ngăn kéo tiền", newline="\r\n")  # written on Windows
    os.utime(current, (SHOP_NOW.timestamp(), SHOP_NOW.timestamp()))
    outcome = _run(make_ctx)
    assert outcome.status is Status.WARNING
    assert outcome.summary.endswith("Không mở được ngăn kéo tiền")  # no stray '\r'


def test_an_old_undated_log_is_not_read(make_ctx, demo_shop: DemoShop) -> None:
    old = demo_shop.logs_dir / "pmv-cu.log"
    _append(old, "2026-11-20 08:06:10 FATAL sự cố tuần trước")
    stamp = (SHOP_NOW - dt.timedelta(days=5)).timestamp()
    os.utime(old, (stamp, stamp))
    assert _run(make_ctx).status is Status.OK


def test_large_log_reads_only_its_tail(make_ctx, demo_shop: DemoShop) -> None:
    log = _today_log(demo_shop)
    filler = "2026-11-25 08:31:00 INFO  Đồng bộ tồn kho: 120 món, không thay đổi gì thêm trong lần này\n"
    with log.open("a", encoding="utf-8") as handle:
        handle.write("2026-11-25 08:30:30 FATAL đầu tệp, quá xa để đọc\n")
        handle.write(filler * (3 * pos_log.MAX_BYTES_PER_FILE // len(filler.encode())))
        handle.write("2026-11-25 09:59:00 ERROR Máy in tem TSC: hết giấy\n")
    started = time.perf_counter()
    outcome = _run(make_ctx)
    assert time.perf_counter() - started < 5
    assert outcome.status is Status.WARNING, outcome.summary  # the early FATAL is beyond the cap
    assert "hết giấy" in outcome.summary and "phần cuối" in outcome.details


def test_missing_logs_folder_is_a_warning(make_ctx, shop_settings: Settings, tmp_path: Path) -> None:
    outcome = _run(make_ctx, settings=settings_with(shop_settings, "pos", logs_dir=tmp_path / "khong-co"))
    assert outcome.status is Status.WARNING and outcome.remedy == "pos_log.folder_missing"


def test_not_configured_is_skipped(make_ctx, shop_settings: Settings) -> None:
    outcome = _run(make_ctx, settings=settings_with(shop_settings, "pos", logs_dir=None))
    assert outcome.status is Status.SKIPPED and "pos.logs_dir" in outcome.summary


def test_read_tail_starts_at_a_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_text("dòng một\ndòng hai\ndòng ba\n", encoding="utf-8")
    assert pos_log.read_tail(path, 12) == "dòng ba\n"
    assert pos_log.read_tail(path, 1000).startswith("dòng một")


def test_an_error_carrying_a_whole_invoice_keeps_the_summary_short_and_the_details_whole(
        make_ctx, demo_shop: DemoShop) -> None:
    # A POS logs the e-invoice XML it was refused on one line (the TT78 XML of a 40-line invoice is ~4 KB); as
    # the summary it made the PDF report's row taller than a page (reportlab's LayoutError), which also stopped
    # the diagnostics of a support request.
    xml = "<HDon>" + "<HHDVu><THHDVu>Nhẫn tròn trơn vàng 9999 1 chỉ</THHDVu><DGia>8450000</DGia></HHDVu>" * 40
    _append(_today_log(demo_shop), f"2026-11-25 09:15:02 ERROR Gửi hóa đơn điện tử bị từ chối: {xml}</HDon>")
    outcome = _run(make_ctx)
    assert outcome.status is Status.WARNING
    assert "Gửi hóa đơn điện tử bị từ chối: <HDon>" in outcome.summary
    assert len(outcome.summary) < 400 and outcome.summary.endswith("…")
    assert xml in outcome.details  # the whole line, for the technician


def test_a_logs_folder_this_account_may_not_read_is_said_in_words(make_ctx, demo_shop: DemoShop,
                                                                  monkeypatch) -> None:
    # It showed "PermissionError: [Errno 13] …" as an unknown.
    refuse_listing(monkeypatch, demo_shop.logs_dir)
    outcome = _run(make_ctx)
    assert outcome.status is Status.WARNING and "không có quyền" in outcome.summary
    assert "Errno" not in outcome.summary


# Layouts from outside this project: log4net's documented example pattern "%date [%thread] %-5level %logger -
# %message%newline", NLog's default layout "${longdate}|${level:uppercase=true}|${logger}|${message}", the date as
# Vietnamese Windows writes it, and PMV's own lines written by .NET's Encoding.Unicode (UTF-16 with its mark).
FATAL_LINE = "Không ghi được hóa đơn 1C26TVG-0000051: database is locked"
LAYOUTS = {
    "log4net": f"2026-11-25 09:12:44,123 [12] FATAL PMV.Sales - {FATAL_LINE}\r\n".encode(),
    "nlog": f"2026-11-25 09:12:44.1234|FATAL|PMV.Sales|{FATAL_LINE}\r\n".encode(),
    "dd/MM/yyyy": f"25/11/2026 09:12:44 FATAL {FATAL_LINE}\r\n".encode(),
    "utf-16": f"2026-11-25 09:12:44 FATAL {FATAL_LINE}\r\n".encode("utf-16"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_fatal_line_in_a_common_layout_is_read(make_ctx, demo_shop: DemoShop, layout: str) -> None:
    for old in demo_shop.logs_dir.iterdir():
        old.unlink()
    _today_log(demo_shop).write_bytes(LAYOUTS[layout])
    outcome = _run(make_ctx)
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert outcome.summary.endswith(FATAL_LINE)


def test_a_log_in_a_layout_not_understood_is_never_no_errors(make_ctx, demo_shop: DemoShop) -> None:
    for old in demo_shop.logs_dir.iterdir():
        old.unlink()
    _today_log(demo_shop).write_text(f"[Tue Nov 25 09:12:44 2026] F {FATAL_LINE}\n" * 20, encoding="utf-8")
    outcome = _run(make_ctx)
    assert outcome.status is Status.WARNING and outcome.remedy == "pos_log.unreadable"
    assert "pmv-2026-11-25.log" in outcome.details


def test_a_long_utf16_log_is_read_from_a_whole_line_of_its_tail(tmp_path: Path) -> None:
    log = tmp_path / "pmv.log"
    log.write_bytes("".join(f"2026-11-25 09:{n % 60:02d}:00 INFO dòng {n}\r\n" for n in range(2000)).encode("utf-16"))
    lines = pos_log.parse_lines(pos_log.read_tail(log, 4001), "pmv.log")  # an odd limit: cut mid-character
    assert lines and lines[-1].message == "dòng 1999" and all(line.message.startswith("dòng ") for line in lines)
