"""Reading a shop's diagnostics bundle for the console: real bundles written by the app, and hostile zips.

The bundles are made by the shop app's own ``write_bundle`` (tests may import
both sides), so a change to what the app writes breaks these tests rather
than the staff page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import struct
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.health.model import CheckResult, HealthReport, Metric, Status
from app.health.output import to_json
from app.infra.settings import PosSettings, Settings, ShopSettings
from app.support.bundle import BundlePart, collect_parts, write_bundle
from app.support.redaction import RedactionKind
from pmv_protocol.shop_time import SHOP_TZ as HCM
from pmv_protocol.wire import NewTicket
from tests.unit.vendor_server.conftest import shop_row
from vendor_server import tickets
from vendor_server.attachments import attachment_path
from vendor_server.console import bundle_cache, bundle_till, bundle_zip, diagnostics
from vendor_server.console.diagnostics import (
    LOG_LINES_MAX,
    Bundle,
    CheckRow,
    Device,
    LogTail,
    RemoteAccess,
    bundles_of,
    read_bundle,
    read_remote_access,
    remote_access_of,
    search_lines,
)
from vendor_server.db import Attachment, VendorDatabase

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM)
MB = 1024 * 1024
DEVICES = [{"device": "COM3", "description": "Máy quét mã vạch Honeywell", "hwid": "USB VID:PID=0C2E:0B61"},
           {"device": "COM4", "description": "Máy in tem Godex", "hwid": "USB VID:PID=195F:0001"}]


def health_report() -> HealthReport:
    results = (
        CheckResult("pos.db.connect", Status.OK, "Kết nối được cơ sở dữ liệu POS", duration_ms=12),
        CheckResult("backup.age", Status.CRITICAL, "Bản sao lưu gần nhất đã 5 ngày", details="D:\\Backup\\pmv.bak",
                    remedy="backup.run", metrics=(Metric("age", 120.0, "h", warn=24, crit=48),)),
        CheckResult("printer.tag", Status.SKIPPED, "Bỏ qua: chưa cấu hình máy in tem"),
    )
    return HealthReport(T0, T0 + dt.timedelta(seconds=3), results,
                        {"pos.db.connect": "Cơ sở dữ liệu POS", "backup.age": "Sao lưu"})


def shop_settings(tmp_path: Path) -> Settings:
    logs = tmp_path / "pos-logs"
    logs.mkdir()
    (logs / "pmv-a.log").write_text("10:00 INFO mở ca\n10:01 WARNING Máy in tem không phản hồi\n", encoding="utf-8")
    (logs / "pmv-b.log").write_text("11:00 INFO đóng ca\n", encoding="utf-8")
    return Settings(shop=ShopSettings(name="Kim Phát", phone="028 3822 1234"), pos=PosSettings(logs_dir=logs),
                    data_dir=tmp_path)


def app_log(tmp_path: Path) -> Path:
    log = tmp_path / "app.log"
    log.write_text("08:00:01 INFO khởi động\n08:00:02 ERROR Lỗi kết nối https://admin:matkhau@pmv.example/api\n",
                   encoding="utf-8")
    return log


def full_parts(tmp_path: Path, *, health: bool = True) -> list[BundlePart]:
    extra = [BundlePart("health_report", "health.json", to_json(health_report(), {"backup.run": "Chạy sao lưu"}))]
    parts = collect_parts(shop_settings(tmp_path), app_log(tmp_path), extra=extra if health else ())
    # The test machine's serial ports are whatever they are: the devices part is made known here.
    return [BundlePart("devices", "devices.json", json.dumps(DEVICES, ensure_ascii=False)) if p.key == "devices"
            else p for p in parts]


def zip_of(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


MANIFEST = json.dumps({"app": "PMV Support 1.0", "created_at": "2026-03-02T09:00:00+07:00", "parts": [],
                       "left_out": []})


# --- real bundles ---------------------------------------------------------------------------------------------

def test_a_full_bundle_shows_checks_logs_settings_system_devices_and_redactions(tmp_path: Path) -> None:
    path = write_bundle(full_parts(tmp_path), tmp_path / "chan-doan-20260302-0900.zip")
    bundle = read_bundle(path, 7, "chan-doan-20260302-0900.zip")

    assert bundle.problems == ()
    assert (bundle.attachment_id, bundle.filename) == (7, "chan-doan-20260302-0900.zip")
    assert bundle.app is not None and bundle.app.startswith("PMV")
    assert bundle.created_at is not None and dt.datetime.fromisoformat(bundle.created_at).tzinfo is not None
    assert bundle.verdict == "critical"
    assert bundle.checks == (
        CheckRow("pos.db.connect", "Cơ sở dữ liệu POS", "ok", "Kết nối được cơ sở dữ liệu POS", "", None),
        CheckRow("backup.age", "Sao lưu", "critical", "Bản sao lưu gần nhất đã 5 ngày", "D:\\Backup\\pmv.bak",
                 "Chạy sao lưu"),
        CheckRow("printer.tag", "printer.tag", "skipped", "Bỏ qua: chưa cấu hình máy in tem", "", None),
    )
    assert [log.name for log in bundle.logs] == ["app.log", "pos.log/pmv-a.log", "pos.log/pmv-b.log"]
    app_tail, pos_a, pos_b = bundle.logs
    assert app_tail.lines[0] == "08:00:01 INFO khởi động"
    assert "matkhau" not in "\n".join(app_tail.lines)  # the app's redaction, shown as it came
    assert pos_a.lines == ("10:00 INFO mở ca", "10:01 WARNING Máy in tem không phản hồi")
    assert pos_b.lines == ("11:00 INFO đóng ca",)
    assert bundle.redactions.get(RedactionKind.URL_CREDENTIAL.value, 0) >= 1
    assert all(isinstance(count, int) and count > 0 for count in bundle.redactions.values())
    assert bundle.settings is not None and json.loads(bundle.settings)["shop"]["name"] == "Kim Phát"
    assert "\n  " in bundle.settings  # pretty
    assert bundle.till is not None and bundle.till.local_time and bundle.till.disks
    assert bundle.devices == tuple(Device(**item) for item in DEVICES)
    assert bundle.left_out == ()


def test_a_bundle_without_health_and_with_parts_left_out(tmp_path: Path) -> None:
    path = write_bundle(full_parts(tmp_path, health=False), tmp_path / "chan-doan.zip",
                        included={"app_log", "system"})
    bundle = read_bundle(path, 1, "chan-doan.zip")
    assert bundle.problems == ()
    assert (bundle.checks, bundle.verdict, bundle.settings, bundle.devices) == ((), None, None, ())
    assert [log.name for log in bundle.logs] == ["app.log"]
    assert sorted(bundle.left_out) == ["devices", "pos_log", "settings"]
    assert bundle.till is not None  # system.json was read


def test_the_technicians_audit_csv_is_shown_as_a_log(tmp_path: Path) -> None:
    parts = [*full_parts(tmp_path), BundlePart("audit_log", "audit.csv", "at,who,what\n2026-03-02,Tâm,login\n")]
    bundle = read_bundle(write_bundle(parts, tmp_path / "b.zip"), 1, "b.zip")
    assert LogTail("audit.csv", ("at,who,what", "2026-03-02,Tâm,login")) in bundle.logs


def test_a_log_shows_only_its_last_lines(tmp_path: Path) -> None:
    lines = [f"dòng {number}" for number in range(LOG_LINES_MAX + 500)]
    pos = "===== pmv.log =====\n" + "\n".join(lines)
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "app.log": "\n".join(lines), "pos.log": pos})
    bundle = read_bundle(path, 1, "b.zip")
    assert bundle.problems == ()
    for tail in bundle.logs:
        assert len(tail.lines) == LOG_LINES_MAX
        assert tail.lines[0] == "dòng 500" and tail.lines[-1] == f"dòng {LOG_LINES_MAX + 499}"
    assert [tail.name for tail in bundle.logs] == ["app.log", "pos.log/pmv.log"]


# --- bad files: never a crash, always a line for staff ----------------------------------------------------------

def test_a_corrupt_zip_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "chan-doan.zip"
    path.write_bytes(b"PK" + bytes(range(256)) * 4)
    bundle = read_bundle(path, 3, "chan-doan.zip")
    assert bundle == Bundle(3, "chan-doan.zip", problems=bundle.problems)
    assert len(bundle.problems) == 1 and "hỏng" in bundle.problems[0]


def test_a_text_file_renamed_zip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "chan-doan.zip"
    path.write_text("đây không phải tệp zip\n", encoding="utf-8")
    bundle = read_bundle(path, 3, "chan-doan.zip")
    assert len(bundle.problems) == 1 and "không phải tệp zip" in bundle.problems[0]


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    bundle = read_bundle(tmp_path / "gone.zip", 3, "chan-doan.zip")
    assert bundle.problems == ("Không tìm thấy tệp đính kèm trên máy chủ",)


def test_a_member_that_is_not_json_or_not_utf8_is_skipped_and_the_rest_shown(tmp_path: Path) -> None:
    path = zip_of(tmp_path / "b.zip", {
        "manifest.json": MANIFEST, "health.json": "{not json", "settings.json": "Kim Ph\xe1t".encode("latin-1"),
        "system.json": "[1, 2]", "devices.json": json.dumps([DEVICES[0], "COM9", {"description": "không tên"}]),
        "app.log": b"08:00 INFO ok\n08:01 INFO gi\xe1 v\xe0ng\n",
    })
    bundle = read_bundle(path, 1, "b.zip")
    assert (bundle.checks, bundle.verdict, bundle.settings, bundle.till) == ((), None, None, None)
    assert bundle.devices == (Device(**DEVICES[0]),)
    assert bundle.logs[0].lines[0] == "08:00 INFO ok" and "\ufffd" in bundle.logs[0].lines[1]
    problems = "\n".join(bundle.problems)
    assert "health.json không phải JSON hợp lệ" in problems
    assert "settings.json không phải văn bản UTF-8" in problems
    assert "system.json không đúng dạng" in problems
    assert "Thiết bị thứ 2" in problems and "Thiết bị thứ 3" in problems
    assert "app.log có ký tự không phải UTF-8" in problems
    assert bundle.app == "PMV Support 1.0"  # the manifest still read


def test_malformed_check_rows_are_skipped_with_a_line_each(tmp_path: Path) -> None:
    health = {"verdict": "warning", "results": [
        {"id": "disk.free", "status": "warning", "summary": "Ổ C còn 2 GB", "remedy": {"code": "x", "steps": ""}},
        {"id": 5, "status": "ok"}, "rác",
        {"id": "future.check", "status": "something-new", "title": None},
    ]}
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "health.json": json.dumps(health)})
    bundle = read_bundle(path, 1, "b.zip")
    assert bundle.verdict == "warning"
    assert bundle.checks == (CheckRow("disk.free", "disk.free", "warning", "Ổ C còn 2 GB", "", None),
                             CheckRow("future.check", "future.check", "something-new", "", "", None))
    assert sum("Kết quả kiểm tra thứ" in line for line in bundle.problems) == 2


def test_a_zip_without_a_manifest_says_so_and_still_shows_its_logs(tmp_path: Path) -> None:
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"app.log": "một dòng"}), 1, "b.zip")
    assert bundle.logs == (LogTail("app.log", ("một dòng",)),)
    assert len(bundle.problems) == 1 and "manifest.json" in bundle.problems[0]


def test_a_part_the_manifest_lists_but_the_zip_lacks_is_named(tmp_path: Path) -> None:
    manifest = {"parts": [{"key": "app_log", "file": "app.log", "redactions": {"phone": 2, "email": "many"}},
                          {"key": "system", "file": "system.json", "redactions": {"phone": 1}}], "left_out": []}
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"manifest.json": json.dumps(manifest), "app.log": "x"}), 1,
                         "b.zip")
    assert bundle.redactions == {"phone": 3}
    assert bundle.problems == ("Gói thiếu tệp system.json dù manifest.json có ghi",)


# --- system.json: the till's details, each field the page shows checked ------------------------------------------
# Till, Disk and Pack are read from the module inside each test, so a missing one fails that test alone.

PACKS = [{"id": "nd-232-2025", "version": "1.1.0", "title": "Nghị định 232/2025/NĐ-CP"}]
SENT_AT = dt.datetime(2026, 3, 2, 8, 58, 41, tzinfo=HCM)
GOOD_SYSTEM = {"app": "PMV Support Assistant 1.4.0", "platform": "Windows-10-10.0.19045-SP0",
               "local_time": SENT_AT.isoformat(), "disks": {"pos_database": {"free_bytes": 5, "total_bytes": 9}},
               "packs": PACKS}


def good_till() -> bundle_till.Till:
    return bundle_till.Till(app="PMV Support Assistant 1.4.0", platform="Windows-10-10.0.19045-SP0",
                            local_time=SENT_AT, disks=(bundle_till.Disk("pos_database", 5, 9),),
                            packs=(bundle_till.Pack("nd-232-2025", "1.1.0", "Nghị định 232/2025/NĐ-CP"),))


def system_bundle(tmp_path: Path, system: object) -> Bundle:
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "system.json": json.dumps(system)})
    return read_bundle(path, 1, "b.zip")


def test_the_tills_details_of_a_real_bundle_are_read_into_their_types(tmp_path: Path) -> None:
    settings = shop_settings(tmp_path)
    parts = collect_parts(settings, app_log(tmp_path), now=SENT_AT, packs=lambda: PACKS)
    bundle = read_bundle(write_bundle(parts, tmp_path / "b.zip", included={"system"}), 1, "b.zip")
    assert bundle.problems == ()
    till = bundle.till
    assert till is not None
    assert till.app.startswith("PMV") and till.platform and till.pos_version == ""  # no POS install here
    assert till.local_time == SENT_AT and till.local_time.utcoffset() == dt.timedelta(hours=7)
    assert [disk.label for disk in till.disks] == ["data_dir"]  # the POS database is not set in these settings
    assert 0 < till.disks[0].free_bytes <= till.disks[0].total_bytes
    assert till.packs == (bundle_till.Pack("nd-232-2025", "1.1.0", "Nghị định 232/2025/NĐ-CP"),)


def test_the_tills_time_is_shown_in_shop_time(tmp_path: Path) -> None:
    till = system_bundle(tmp_path, {"local_time": "2026-03-02T01:58:41+00:00"}).till
    assert till == bundle_till.Till(local_time=SENT_AT)
    assert till.local_time is not None and till.local_time.utcoffset() == dt.timedelta(hours=7)


# Each wrong where the page reads it, beside well-formed fields: (what replaces GOOD_SYSTEM's field, what is left of
# the till, what the problem line says).  Those that made the whole ticket page fail before are also sent through
# the server, in tests/integration/test_console_hostile_bundles.py.
MALFORMED = {
    "local_time not a time": ({"local_time": "x"}, {"local_time": None}, "local_time"),
    "local_time a number": ({"local_time": 5}, {"local_time": None}, "local_time"),
    "local_time without its offset": ({"local_time": "2026-03-02T08:58:41"}, {"local_time": None}, "local_time"),
    "local_time past the calendar in shop time": ({"local_time": "0001-01-01T00:00:00+14:00"},
                                                   {"local_time": None}, "local_time"),
    "app a number": ({"app": 5}, {"app": ""}, "Mục app"),
    "platform a list": ({"platform": ["Windows"]}, {"platform": ""}, "Mục platform"),
    "pos_version a number": ({"pos_version": 5.2}, {}, "Mục pos_version"),
    "disks a list": ({"disks": [{"free_bytes": 1, "total_bytes": 2}]}, {"disks": ()}, "Mục disks"),
    "a disk a number": ({"disks": {"C:": 5}}, {"disks": ()}, "Ổ đĩa C:"),
    "a disk without its total": ({"disks": {"C:": {"free_bytes": 1}}}, {"disks": ()}, "Ổ đĩa C:"),
    "a disk's size as text": ({"disks": {"C:": {"free_bytes": "1", "total_bytes": 2}}}, {"disks": ()}, "Ổ đĩa C:"),
    "a disk's size a boolean": ({"disks": {"C:": {"free_bytes": True, "total_bytes": 2}}}, {"disks": ()},
                                "Ổ đĩa C:"),
    "a disk's size a fraction": ({"disks": {"C:": {"free_bytes": 1.5, "total_bytes": 2}}}, {"disks": ()},
                                 "Ổ đĩa C:"),
    "a disk's size negative": ({"disks": {"C:": {"free_bytes": -1, "total_bytes": 2}}}, {"disks": ()}, "Ổ đĩa C:"),
    "a disk's size past what a float holds": ({"disks": {"C:": {"free_bytes": 10 ** 400, "total_bytes": 1}}},
                                              {"disks": ()}, "Ổ đĩa C:"),
    "packs a number": ({"packs": 5}, {"packs": None}, "Mục packs"),
    "packs an object": ({"packs": PACKS[0]}, {"packs": None}, "Mục packs"),
    "a pack without its id": ({"packs": [{"title": ""}]}, {"packs": None}, "Gói cập nhật thứ 1"),
    "a pack a string": ({"packs": ["nd-232-2025"]}, {"packs": None}, "Gói cập nhật thứ 1"),
    "a pack's version a number": ({"packs": [{"id": "nd", "version": 1}]}, {"packs": None}, "Gói cập nhật thứ 1"),
}


@pytest.mark.parametrize(("wrong", "left", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_field_of_system_json_is_left_out_with_a_line_and_the_rest_shown(
        tmp_path: Path, wrong: dict[str, object], left: dict[str, Any], problem: str) -> None:
    bundle = system_bundle(tmp_path, GOOD_SYSTEM | wrong)
    assert bundle.till == dataclasses.replace(good_till(), **left)
    assert len(bundle.problems) == 1
    assert problem in bundle.problems[0] and "system.json" in bundle.problems[0]


def test_the_readable_disks_and_packs_are_kept_beside_malformed_ones(tmp_path: Path) -> None:
    system = GOOD_SYSTEM | {"disks": {"C:": 5, "D:": {"free_bytes": 1, "total_bytes": 2}},
                            "packs": [{"title": "không mã"}, *PACKS]}
    bundle = system_bundle(tmp_path, system)
    assert bundle.till == dataclasses.replace(good_till(), disks=(bundle_till.Disk("D:", 1, 2),))
    assert bundle.problems == ("Ổ đĩa C: trong system.json không đọc được",
                               "Gói cập nhật thứ 1 trong system.json không đọc được")


def test_absent_fields_are_not_problems_and_no_packs_is_said(tmp_path: Path) -> None:
    bundle = system_bundle(tmp_path, {"app": "PMV Support 1.0", "local_time": None, "disks": {}, "packs": []})
    assert bundle.till == bundle_till.Till(app="PMV Support 1.0", packs=())  # the page says "Chưa có"
    assert bundle.problems == ()


def test_a_system_json_with_nothing_the_page_shows_is_no_till(tmp_path: Path) -> None:
    bundle = system_bundle(tmp_path, {"python": "3.11.7", "cpu_count": 4})
    assert (bundle.till, bundle.problems) == (None, ())


class Opened:
    """Which members the reader decompresses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        real = zipfile.ZipFile.open

        def spy(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
            self.names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
            return real(archive, name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(zipfile.ZipFile, "open", spy)


def test_a_zip_bomb_member_is_refused_without_inflating_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = zip_of(tmp_path / "bomb.zip", {"manifest.json": MANIFEST, "app.log": bytes(30 * MB),
                                          "system.json": "{\"app\": \"PMV Support 0.1.0\"}"})
    assert path.stat().st_size < MB  # small on the wire
    opened = Opened(monkeypatch)
    bundle = read_bundle(path, 1, "bomb.zip")
    assert "app.log" not in opened.names
    assert bundle.logs == ()
    assert bundle.till is not None and bundle.till.app == "PMV Support 0.1.0"  # the rest was read
    assert len(bundle.problems) == 1 and "app.log quá lớn" in bundle.problems[0]


def test_members_over_the_total_budget_are_refused(tmp_path: Path) -> None:
    four_mb = bytes(4 * MB)
    names = ["app.log", "pos.log", "a.txt", "b.txt", "c.txt", "d.txt"]
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST} | dict.fromkeys(names, four_mb)),
                         1, "b.zip")
    # The manifest's bytes and four logs of 4 MB fit in 20 MB; the fifth and sixth do not.
    assert [tail.name for tail in bundle.logs] == ["app.log", "pos.log", "a.txt", "b.txt"]
    refused = [line for line in bundle.problems if "vượt tổng dung lượng" in line]
    assert len(refused) == 2 and "c.txt" in refused[0] and "d.txt" in refused[1]


def test_a_header_that_understates_the_size_does_not_inflate_more(tmp_path: Path) -> None:
    """The central directory says 10 bytes; the data inflates to 3 MB: read stops at the cap and is refused."""
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "app.log": b"x" * (3 * MB)})
    with zipfile.ZipFile(path) as archive:
        start = archive.start_dir
    data = bytearray(path.read_bytes())
    # The second central-directory entry is app.log's; its uncompressed size is at offset 24.
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02", start) + 4)
    struct.pack_into("<I", data, central + 24, 10)
    path.write_bytes(bytes(data))
    bundle = read_bundle(path, 1, "b.zip")
    assert bundle.logs == ()
    assert any("app.log" in line and "hỏng" in line for line in bundle.problems)
    assert bundle.app == "PMV Support 1.0"


def test_too_many_members_is_refused_whole(tmp_path: Path) -> None:
    members: dict[str, bytes | str] = {"manifest.json": MANIFEST}
    members |= {f"{number}.txt": "x" for number in range(60)}
    bundle = read_bundle(zip_of(tmp_path / "b.zip", members), 1, "b.zip")
    assert bundle == Bundle(1, "b.zip", problems=bundle.problems)
    assert "61 tệp" in bundle.problems[0]


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd.log", "logs/../../evil.log", "C:\\Windows\\evil.log",
                                  "..\\evil.txt"])
def test_a_member_named_out_of_the_archive_is_refused_and_never_read(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, name: "pwned", "app.log": "bình thường"})
    opened = Opened(monkeypatch)
    bundle = read_bundle(path, 1, "b.zip")
    assert name not in opened.names
    assert bundle.logs == (LogTail("app.log", ("bình thường",)),)
    assert len(bundle.problems) == 1 and "tên không an toàn" in bundle.problems[0] and name in bundle.problems[0]


def test_control_characters_in_a_member_name_never_reach_the_page() -> None:
    assert bundle_zip.shown("a\u202egol.exe\x1b[31m") == "agol.exe[31m"
    assert len(bundle_zip.shown("x" * 500)) == bundle_zip.NAME_SHOWN_MAX


# --- the remote-assistance note ---------------------------------------------------------------------------------

def note(tmp_path: Path, content: object, name: str = "truy-cap-tu-xa.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_the_remote_note_gives_the_tool_and_id(tmp_path: Path) -> None:
    good = {"remote_tool": "ultraviewer", "remote_tool_name": "UltraViewer", "remote_id": "123456789"}
    assert read_remote_access(note(tmp_path, good)) == RemoteAccess("UltraViewer", "123456789")
    spaced = good | {"remote_id": "123 456 789"}
    assert read_remote_access(note(tmp_path, spaced)) == RemoteAccess("UltraViewer", "123456789")
    unnamed = {"remote_tool": "anydesk", "remote_id": "987654"}
    assert read_remote_access(note(tmp_path, unnamed)) == RemoteAccess("anydesk", "987654")


@pytest.mark.parametrize("content", [
    {"remote_tool_name": "UltraViewer", "remote_id": "12345"},  # too short
    {"remote_tool_name": "UltraViewer", "remote_id": "1234567890123"},  # too long
    {"remote_tool_name": "UltraViewer", "remote_id": "12345a789"},
    {"remote_tool_name": "UltraViewer", "remote_id": "١٢٣٤٥٦٧"},  # not ASCII digits
    {"remote_tool_name": "UltraViewer", "remote_id": 123456789},
    {"remote_tool_name": "", "remote_id": "123456789"},
    {"remote_tool_name": "UltraViewer"},
    ["UltraViewer", "123456789"],
    "{not json",
])
def test_a_malformed_remote_note_is_none(content: object, tmp_path: Path) -> None:
    assert read_remote_access(note(tmp_path, content)) is None


def test_an_unreadable_remote_note_is_none(tmp_path: Path) -> None:
    assert read_remote_access(tmp_path / "missing.json") is None
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"remote_tool_name": "x" * 10_000, "remote_id": "123456789"}), encoding="utf-8")
    assert read_remote_access(big) is None
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"remote_tool_name": "Ultra\xe9", "remote_id": "123456789"}')
    assert read_remote_access(latin) is None


# --- a ticket's attachments -------------------------------------------------------------------------------------

@pytest.fixture
def db(db: VendorDatabase) -> VendorDatabase:
    """The vendor database (tests/unit/vendor_server/conftest.py) with shop KP-0001."""
    db.add_shop("KP-0001", "Kim Phát")
    return db


def open_ticket(db: VendorDatabase) -> int:
    shop = shop_row(db)
    new = NewTicket(category="incident", severity="normal", title="Máy in kẹt giấy", description="",
                    contact_name="Chị Lan", contact_phone="0901234567", channel="phone", opened_at=T0)
    record, _ = tickets.create_ticket(db, shop, str(uuid.uuid4()), new, now=T0)
    return record.id


def attach(db: VendorDatabase, root: Path, ticket_id: int, filename: str, source: Path | None) -> int:
    """An attachment row, and its bytes at the stored path (none when ``source`` is None: the file is gone)."""
    client_id = str(uuid.uuid4())
    data = source.read_bytes() if source is not None else b""
    if source is not None:
        target = attachment_path(root, ticket_id, client_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    with db.sessions.begin() as session:
        row = Attachment(ticket_id=ticket_id, client_id=client_id, filename=filename, size=len(data),
                         sha256="0" * 64, created_at=T0)
        session.add(row)
        session.flush()
        return row.id


def test_bundles_and_the_newest_remote_note_of_a_ticket(db: VendorDatabase, tmp_path: Path) -> None:
    root = tmp_path / "attachments"
    ticket, other = open_ticket(db), open_ticket(db)
    photo = tmp_path / "anh.png"
    photo.write_bytes(b"\x89PNG")
    bundle_zip = write_bundle(full_parts(tmp_path), tmp_path / "made" / "chan-doan-20260302-0900.zip")
    assert remote_access_of(db, ticket, root) is None

    attach(db, root, ticket, "anh.png", photo)
    first = attach(db, root, ticket, "chan-doan-20260302-0900.zip", bundle_zip)
    ultraviewer = {"remote_tool": "ultraviewer", "remote_tool_name": "UltraViewer", "remote_id": "111 222 333"}
    attach(db, root, ticket, "truy-cap-tu-xa.json", note(tmp_path, ultraviewer))
    gone = attach(db, root, ticket, "chan-doan-20260302-1000.ZIP", None)
    attach(db, root, ticket, "truy-cap-tu-xa.json",
           note(tmp_path, {"remote_tool": "anydesk", "remote_tool_name": "AnyDesk", "remote_id": "987 654 321"}))
    attach(db, root, ticket, "truy-cap-tu-xa.json", note(tmp_path, {"remote_id": "bad"}))  # newest, unreadable
    attach(db, root, other, "chan-doan-khac.zip", bundle_zip)
    attach(db, root, other, "truy-cap-tu-xa.json",
           note(tmp_path, {"remote_tool": "x", "remote_tool_name": "RustDesk", "remote_id": "555555555"}))

    bundles = bundles_of(db, ticket, root)
    assert [(b.attachment_id, b.filename) for b in bundles] == [(first, "chan-doan-20260302-0900.zip"),
                                                               (gone, "chan-doan-20260302-1000.ZIP")]
    assert bundles[0].problems == () and bundles[0].verdict == "critical" and len(bundles[0].checks) == 3
    assert bundles[1] == Bundle(gone, "chan-doan-20260302-1000.ZIP",
                                problems=("Không tìm thấy tệp đính kèm trên máy chủ",))
    assert remote_access_of(db, ticket, root) == RemoteAccess("AnyDesk", "987654321")
    assert remote_access_of(db, other, root) == RemoteAccess("RustDesk", "555555555")
    assert bundles_of(db, 999, root) == []


# --- searching a log --------------------------------------------------------------------------------------------

def test_search_is_case_insensitive_and_keeps_diacritics_as_typed() -> None:
    lines = ["08:00 INFO Khởi động", "08:01 ERROR Lỗi kết nối", "08:02 WARNING loi in tem", "08:03 LỖI máy in",
             "08:04 lo\u0302\u0303i tách dấu"]  # the last one decomposed (NFD), as some Windows tools write it
    assert search_lines(lines, "lỗi") == [1, 3, 4]
    assert search_lines(lines, "LOI") == [2]
    assert search_lines(lines, "error") == [1]
    assert search_lines(lines, "") == []
    assert search_lines((line for line in lines), "08:0") == [0, 1, 2, 3, 4]


# --- what one bundle may cost a page: bounded whatever the shop (or a compromised till) sends ---------------------
# The caps are read from the module inside each test (diagnostics.X), so a missing one fails that test alone.

def vietnamese_count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def test_a_deeply_nested_settings_file_is_shown_as_received_not_indented(tmp_path: Path) -> None:
    """Indenting 200 levels turns each "0," into a line of 400 spaces: the text is shown as it came instead."""
    deep = "[" * 200 + ",".join(["0"] * 20_000) + "]" * 200  # 40 KB; indented it would be 8 million characters
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "settings.json": deep}), 1, "b.zip")
    assert bundle.settings == deep
    assert bundle.problems == ()


def test_a_large_settings_file_is_cut_with_a_note(tmp_path: Path) -> None:
    big = json.dumps({f"khóa {number}": "giá trị" for number in range(30_000)}, ensure_ascii=False)
    assert len(big) > 2 * diagnostics.SETTINGS_SHOWN_MAX
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "settings.json": big}), 1, "b.zip")
    assert bundle.settings is not None
    shown_text, note_text = bundle.settings[:diagnostics.SETTINGS_SHOWN_MAX], bundle.settings[
        diagnostics.SETTINGS_SHOWN_MAX:]
    assert shown_text == big[:diagnostics.SETTINGS_SHOWN_MAX]  # the received text, not re-indented
    assert len(note_text) < 200
    assert f"…và {vietnamese_count(len(big) - diagnostics.SETTINGS_SHOWN_MAX)} ký tự khác" in note_text
    assert bundle.problems == ()


def test_a_small_shallow_settings_file_is_still_indented(tmp_path: Path) -> None:
    settings = {"shop": {"name": "Kim Phát", "printers": [{"port": "COM4"}]}}
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "settings.json": json.dumps(settings)}),
                         1, "b.zip")
    assert bundle.settings == json.dumps(settings, ensure_ascii=False, indent=2)


def test_problem_lines_are_capped_with_the_count_of_the_rest(tmp_path: Path) -> None:
    health = {"verdict": "critical", "results": [0] * 3000}  # 3,000 unreadable rows: a line each before the cap
    bundle = read_bundle(zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "health.json": json.dumps(health)}),
                         1, "b.zip")
    checks_max, problems_max = diagnostics.CHECKS_MAX, diagnostics.PROBLEMS_MAX
    assert len(bundle.problems) == problems_max + 1
    # The note on what was not read comes first, then one line per unreadable row read, then the rest counted.
    assert bundle.problems[0] == (f"Chỉ đọc {checks_max} kết quả kiểm tra đầu tiên trong health.json: "
                                  f"…và {vietnamese_count(3000 - checks_max)} kết quả khác không hiện")
    assert bundle.problems[1] == "Kết quả kiểm tra thứ 1 trong health.json không đọc được"
    assert bundle.problems[-1] == f"…và {1 + checks_max - problems_max} vấn đề khác không hiện"


def test_checks_are_capped_with_the_count_of_the_rest(tmp_path: Path) -> None:
    rows = [{"id": f"check.{number}", "status": "ok"} for number in range(diagnostics.CHECKS_MAX + 300)]
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "health.json": json.dumps({"results": rows})})
    bundle = read_bundle(path, 1, "b.zip")
    assert [check.id for check in bundle.checks] == [row["id"] for row in rows[:diagnostics.CHECKS_MAX]]
    assert bundle.problems == (f"Chỉ đọc {diagnostics.CHECKS_MAX} kết quả kiểm tra đầu tiên trong health.json: "
                               "…và 300 kết quả khác không hiện",)


def test_devices_are_capped_with_the_count_of_the_rest(tmp_path: Path) -> None:
    devices = [{"device": f"COM{number}", "description": "", "hwid": ""}
               for number in range(diagnostics.DEVICES_MAX + 5)]
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "devices.json": json.dumps(devices)})
    bundle = read_bundle(path, 1, "b.zip")
    assert bundle.devices == tuple(Device(**item) for item in devices[:diagnostics.DEVICES_MAX])
    assert bundle.problems == (f"Chỉ đọc {diagnostics.DEVICES_MAX} thiết bị đầu tiên trong devices.json: "
                               "…và 5 thiết bị khác không hiện",)


def test_the_tills_disks_and_packs_are_capped_with_the_count_of_the_rest(tmp_path: Path) -> None:
    disks = {f"disk-{number}": {"free_bytes": 1, "total_bytes": 2} for number in range(bundle_till.DISKS_MAX + 3)}
    packs = [{"id": f"pack-{number}", "version": "1.0.0"} for number in range(bundle_till.PACKS_MAX + 4)]
    bundle = system_bundle(tmp_path, {"disks": disks, "packs": packs})
    assert bundle.till is not None
    assert [disk.label for disk in bundle.till.disks] == list(disks)[:bundle_till.DISKS_MAX]
    assert [pack.id for pack in bundle.till.packs or ()] == [pack["id"] for pack in packs[:bundle_till.PACKS_MAX]]
    assert bundle.problems == (
        f"Chỉ đọc {bundle_till.DISKS_MAX} ổ đĩa đầu tiên trong system.json: …và 3 ổ đĩa khác không hiện",
        f"Chỉ đọc {bundle_till.PACKS_MAX} gói cập nhật đầu tiên trong system.json: "
        "…và 4 gói cập nhật khác không hiện")


def test_log_tails_are_capped_with_the_count_of_the_rest(tmp_path: Path) -> None:
    pos = "\n".join(f"===== pmv-{number}.log =====\nmột dòng" for number in range(40))
    path = zip_of(tmp_path / "b.zip", {"manifest.json": MANIFEST, "app.log": "khởi động", "pos.log": pos})
    bundle = read_bundle(path, 1, "b.zip")
    tails_max = diagnostics.LOG_TAILS_MAX
    assert [tail.name for tail in bundle.logs] == ["app.log", *(f"pos.log/pmv-{n}.log" for n in range(tails_max - 1))]
    assert bundle.problems == (f"Chỉ hiện {tails_max} tệp nhật ký đầu tiên: …và {41 - tails_max} tệp khác không hiện",)


class Directories:
    """How many times zipfile parses a central directory (the work a zip of many entries costs before any check)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed = 0
        real = zipfile.ZipFile._RealGetContents  # type: ignore[attr-defined]

        def spy(archive: zipfile.ZipFile) -> None:
            self.parsed += 1
            real(archive)

        monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", spy)


TOO_MANY = "Gói có quá nhiều tệp (mục lục của gói quá lớn): không phải gói chẩn đoán của ứng dụng, không đọc"


@pytest.mark.parametrize("comment", [b"", "một ghi chú".encode()])
def test_a_zip_of_many_entries_is_refused_before_its_directory_is_parsed(
        comment: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = comment
        for number in range(3000):
            archive.writestr(f"{number}.txt", b"")
    directories = Directories(monkeypatch)
    bundle = read_bundle(path, 1, "b.zip")
    assert directories.parsed == 0
    assert bundle == Bundle(1, "b.zip", problems=(TOO_MANY,))


def test_a_zip64_end_record_is_refused_before_its_directory_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ZipFile trusts a ZIP64 end record's directory size over the classic one; the app never writes one."""
    path = tmp_path / "b.zip"
    with monkeypatch.context() as patched:
        patched.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # makes zipfile write the ZIP64 end records
        zip_of(path, {"manifest.json": MANIFEST, "app.log": "x"})
    directories = Directories(monkeypatch)
    bundle = read_bundle(path, 1, "b.zip")
    assert directories.parsed == 0
    assert bundle == Bundle(1, "b.zip", problems=(TOO_MANY,))


def test_a_zip_with_a_comment_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = "ghi chú của người gửi".encode() * 10
        archive.writestr("manifest.json", MANIFEST)
        archive.writestr("app.log", "một dòng")
    bundle = read_bundle(path, 1, "b.zip")
    assert bundle.problems == () and bundle.logs == (LogTail("app.log", ("một dòng",)),)


@pytest.fixture
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of the console's bundles for this test alone (the module's one lives as long as the server)."""
    monkeypatch.setattr(bundle_cache, "CACHE", bundle_cache.BundleCache())


def test_a_bundle_is_read_once_then_served_from_the_cache_until_its_file_changes(
        db: VendorDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_cache: None) -> None:
    root = tmp_path / "attachments"
    ticket = open_ticket(db)
    first = zip_of(tmp_path / "first.zip", {"manifest.json": MANIFEST, "app.log": "lần một"})
    attachment = attach(db, root, ticket, "chan-doan.zip", first)
    opened = Opened(monkeypatch)

    assert [bundle.logs for bundle in bundles_of(db, ticket, root)] == [(LogTail("app.log", ("lần một",)),)]
    assert opened.names == ["manifest.json", "app.log"]
    opened.names.clear()
    assert [bundle.logs for bundle in bundles_of(db, ticket, root)] == [(LogTail("app.log", ("lần một",)),)]
    assert opened.names == []  # the second view reads no member: the zip is not opened again

    # A file put back from another copy (its row unchanged) is read again: the cache keys on the stored file too.
    with db.sessions() as session:
        client_id = session.get(Attachment, attachment).client_id  # type: ignore[union-attr]
    stored = attachment_path(root, ticket, client_id)
    zip_of(stored, {"manifest.json": MANIFEST, "app.log": "lần hai, dài hơn"})
    opened.names.clear()  # writing the zip went through ZipFile.open too
    assert [bundle.logs for bundle in bundles_of(db, ticket, root)] == [(LogTail("app.log", ("lần hai, dài hơn",)),)]
    assert opened.names == ["manifest.json", "app.log"]


def test_the_cache_is_bounded_by_count_and_by_the_bytes_its_bundles_inflated() -> None:
    cache: bundle_cache.BundleCache[Bundle] = bundle_cache.BundleCache(bundles_max=2, bytes_max=100)
    a, b, c = (Bundle(number, f"{number}.zip") for number in range(3))
    cache.put(("a",), a, 10)
    cache.put(("b",), b, 10)
    assert cache.get(("a",)) is a  # a is now the most recently used
    cache.put(("c",), c, 10)
    assert (cache.get(("a",)), cache.get(("b",)), cache.get(("c",))) == (a, None, c)  # b, least recent, left

    cache.put(("big",), b, 95)  # fits alone: the others leave to make room
    assert (cache.get(("a",)), cache.get(("c",)), cache.get(("big",))) == (None, None, b)
    cache.put(("huge",), c, 101)  # never fits: not kept, and nothing else is dropped for it
    assert (cache.get(("huge",)), cache.get(("big",))) == (None, b)


def test_a_bundle_keeps_only_what_the_page_shows_of_system_json(tmp_path: Path) -> None:
    # The parsed system.json (a 4 MB member of junk: many times that as Python objects) stayed in every
    # cached bundle, past what the cache counts: a dozen 5 KB zips pinned over a gigabyte.
    import pickle

    junk = json.dumps({"app": "PMV Support 0.1.0", "junk": ["x" * 10] * 300_000})
    path = zip_of(tmp_path / "big.zip", {"manifest.json": MANIFEST, "system.json": junk})
    bundle = read_bundle(path, 1, "big.zip")
    assert bundle.till is not None and bundle.till.app == "PMV Support 0.1.0"
    assert len(pickle.dumps(bundle)) < 50_000
