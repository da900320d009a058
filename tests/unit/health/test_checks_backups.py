"""backup.age and backup.restorable against a real demo shop's backups, broken for real."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from app.health.checks import backups
from app.health.machine import DiskUsage, MachineProbes
from app.health.model import CheckResult, Status
from app.health.runner import run_checks
from app.infra.settings import Settings
from app.shop.demo import DemoShop
from pmv_protocol.shop_time import SHOP_TZ
from tests.helpers import refuse_listing, zip_marked_encrypted

from .conftest import SHOP_NOW, find, run_one, settings_with

AGE = find(backups.CHECKS, "backup.age")
RESTORABLE = find(backups.CHECKS, "backup.restorable")
NEWEST = "PMV_backup_2026-11-24_2200.zip"


def _newest(shop: DemoShop) -> Path:
    return shop.backups_dir / NEWEST


def _run_both(make_ctx, settings: Settings | None = None) -> tuple[CheckResult, CheckResult]:
    ctx = make_ctx(settings)
    return run_one(AGE, ctx), run_one(RESTORABLE, ctx)


def _set_mtime(path: Path, moment: dt.datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def _shift_backups(shop: DemoShop, days: int, *, keep_mtime_fresh: bool = False) -> None:
    """Rename every dated backup ``days`` earlier (newest first, so names never collide)."""
    for path in sorted(shop.backups_dir.glob("PMV_backup_*.zip")):
        taken = dt.datetime.strptime(path.stem, "PMV_backup_%Y-%m-%d_%H%M").replace(tzinfo=SHOP_TZ)
        older = taken - dt.timedelta(days=days)
        target = path.with_name(f"PMV_backup_{older:%Y-%m-%d_%H%M}.zip")
        path.rename(target)
        _set_mtime(target, SHOP_NOW if keep_mtime_fresh else older)


def _zip_with(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _modified_database(shop: DemoShop, tmp_path: Path, *statements: str) -> bytes:
    """The live database's bytes after ``statements``, on a copy (the live file stays as it is)."""
    copy = tmp_path / "edited.sqlite3"
    copy.write_bytes(shop.pos_database.read_bytes())
    conn = sqlite3.connect(copy)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return copy.read_bytes()


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_ids_titles_and_dependencies() -> None:
    assert [c.id for c in backups.CHECKS] == ["backup.age", "backup.restorable"]
    assert AGE.title == "Sao lưu dữ liệu"
    assert set(RESTORABLE.depends_on) == {"backup.age", "pos.db.connect"}
    assert 20 <= RESTORABLE.timeout <= 60


def test_remedies_are_numbered_vietnamese_steps() -> None:
    for code, steps in backups.REMEDIES.items():
        assert re.search(r"^1\. ", steps, re.MULTILINE) and re.search(r"^2\. ", steps, re.MULTILINE), code
        assert "sao lưu" in steps.lower(), code
    assert all("1900 6037" in backups.REMEDIES[c] for c in ("backup.corrupt", "backup.live_fewer_rows"))


def test_demo_backups_are_recent_and_restorable(make_ctx, demo_shop: DemoShop) -> None:
    before = _digests(demo_shop.backups_dir)
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.OK, age.summary
    assert age.summary == "Bản sao lưu mới nhất cách đây 12 giờ (22:00 24/11/2026)"
    metric = {m.name: m for m in age.metrics}["age_hours"]
    assert metric.value == pytest.approx(12) and metric.warn == 26 and metric.crit == 78
    assert restorable.status is Status.OK, restorable.summary
    assert "72 chứng từ" in restorable.summary and "120 món hàng" in restorable.summary
    # Only read: no file changed, none added (the restore happens in a temp folder).
    assert _digests(demo_shop.backups_dir) == before


def test_backups_two_days_old_are_a_warning(make_ctx, demo_shop: DemoShop) -> None:
    _shift_backups(demo_shop, 2)  # newest 22/11 22:00: 60 h > 26 h
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.WARNING
    assert age.remedy == "backup.stale" and age.remedy in backups.REMEDIES
    assert "2 ngày 12 giờ" in age.summary and "22:00 22/11/2026" in age.summary
    assert restorable.status is Status.OK  # old, but still a good copy


def test_backup_age_comes_from_the_name_not_the_mtime(make_ctx, demo_shop: DemoShop) -> None:
    _shift_backups(demo_shop, 2, keep_mtime_fresh=True)  # copied to a new drive today
    age = run_one(AGE, make_ctx())
    assert age.status is Status.WARNING
    assert "22:00 22/11/2026" in age.summary


def test_backups_four_days_old_are_critical(make_ctx, demo_shop: DemoShop) -> None:
    _shift_backups(demo_shop, 4)  # 108 h > 3 x 26 h
    age = run_one(AGE, make_ctx())
    assert age.status is Status.CRITICAL
    assert age.remedy == "backup.stale"


def test_a_pmv_name_with_an_impossible_date_falls_back_to_mtime(make_ctx, demo_shop: DemoShop) -> None:
    # Only PMV's own names count (README "The demo shop": PMV_backup_YYYY-MM-DD_HHMM.zip); a name of that shape
    # whose date cannot be (month 13, 25:00) is still PMV's file, aged by the file system.
    for path in demo_shop.backups_dir.iterdir():
        path.unlink()
    odd = demo_shop.backups_dir / "PMV_backup_2026-13-45_2500.zip"
    odd.write_bytes(_newest_bytes_of_template(demo_shop))
    _set_mtime(odd, SHOP_NOW - dt.timedelta(hours=40))  # 40 h: past 26 h (warning), under 78 h (critical)
    notes = demo_shop.backups_dir / "ghi-chu.txt"  # fresh, but not a backup
    notes.write_text("đổi ổ sao lưu\n", encoding="utf-8")
    _set_mtime(notes, SHOP_NOW)
    (demo_shop.backups_dir / "PMV_backup_2026-11-24_2200.zip").write_bytes(b"")  # never written: not a backup
    age = run_one(AGE, make_ctx())
    assert age.status is Status.WARNING, age.summary
    assert "1 ngày 16 giờ" in age.summary, age.summary
    assert "1 bản sao lưu" in age.details and "ghi-chu.txt" in age.details


def _newest_bytes_of_template(shop: DemoShop) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pmv.sqlite3", shop.pos_database.read_bytes())
    return buffer.getvalue()


def test_no_backups_is_critical_and_restore_is_not_tried(make_ctx, demo_shop: DemoShop) -> None:
    for path in demo_shop.backups_dir.iterdir():
        path.unlink()
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.CRITICAL and age.remedy == "backup.none"
    assert restorable.status is Status.SKIPPED


def test_missing_backups_folder_is_critical(make_ctx, shop_settings: Settings, tmp_path: Path) -> None:
    ctx = make_ctx(settings_with(shop_settings, "pos", backups_dir=tmp_path / "o-usb-da-rut"))
    age = run_one(AGE, ctx)
    assert age.status is Status.CRITICAL and age.remedy == "backup.folder_missing"


def test_not_configured_is_skipped(make_ctx, shop_settings: Settings) -> None:
    age = run_one(AGE, make_ctx(settings_with(shop_settings, "pos", backups_dir=None)))
    assert age.status is Status.SKIPPED and "pos.backups_dir" in age.summary


def test_truncated_zip_is_not_restorable(make_ctx, demo_shop: DemoShop) -> None:
    newest = _newest(demo_shop)
    data = newest.read_bytes()
    newest.write_bytes(data[: len(data) // 2])  # the copy to the USB drive was cut off
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.OK
    assert restorable.status is Status.CRITICAL
    assert "không khôi phục được" in restorable.summary
    assert restorable.remedy == "backup.corrupt" and restorable.remedy in backups.REMEDIES


def test_zip_with_damaged_data_is_not_restorable(make_ctx, demo_shop: DemoShop) -> None:
    newest = _newest(demo_shop)
    data = bytearray(newest.read_bytes())
    data[2000:6000] = os.urandom(4000)  # inside the compressed member: CRC / inflate error
    newest.write_bytes(bytes(data))
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL and restorable.remedy == "backup.corrupt"


def test_zip_holding_a_damaged_database_is_not_restorable(make_ctx, demo_shop: DemoShop) -> None:
    database = bytearray(demo_shop.pos_database.read_bytes())
    database[8 * 4096:16 * 4096] = os.urandom(8 * 4096)
    _zip_with(_newest(demo_shop), {"pmv.sqlite3": bytes(database)})
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL and restorable.remedy == "backup.corrupt"
    assert "không khôi phục được" in restorable.summary


def test_zip_without_the_database_is_not_restorable(make_ctx, demo_shop: DemoShop) -> None:
    _zip_with(_newest(demo_shop), {"readme.txt": b"empty"})
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL and restorable.remedy == "backup.corrupt"


@pytest.mark.parametrize("evil", ["../evil.sqlite3", "/tmp/evil.sqlite3", "C:/Windows/evil.sqlite3",
                                  "data\\..\\..\\evil.sqlite3"])
def test_zip_with_path_tricks_is_refused(make_ctx, demo_shop: DemoShop, evil: str) -> None:
    _zip_with(_newest(demo_shop), {"pmv.sqlite3": demo_shop.pos_database.read_bytes(), evil: b"x"})
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL and restorable.remedy == "backup.unsafe"
    assert not (demo_shop.backups_dir.parent / "evil.sqlite3").exists()


def test_zip_bomb_is_refused(make_ctx, demo_shop: DemoShop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backups, "MIN_EXTRACT_CAP", 1024**2)
    # 10 x the ~100 KB live database is about 1 MB; this member inflates to 4 MB from a few KB.
    _zip_with(_newest(demo_shop), {"pmv.sqlite3": bytes(4 * 1024**2)})
    assert _newest(demo_shop).stat().st_size < 64 * 1024
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL and restorable.remedy == "backup.unsafe"


def test_backup_missing_many_invoices_is_a_warning(make_ctx, demo_shop: DemoShop, tmp_path: Path) -> None:
    older = _modified_database(demo_shop, tmp_path, "DELETE FROM invoice_lines WHERE invoice_id > 35",
                               "DELETE FROM invoices WHERE id > 35")
    _zip_with(_newest(demo_shop), {"pmv.sqlite3": older})
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.WARNING
    assert restorable.remedy == "backup.incomplete"
    assert "chứng từ 35 < 72" in restorable.summary


def test_backup_with_more_rows_than_live_is_critical(make_ctx, demo_shop: DemoShop, tmp_path: Path) -> None:
    extra = [f"INSERT INTO customers(code, full_name) VALUES ('KHX{n}', 'Khách {n}')" for n in range(10)]
    _zip_with(_newest(demo_shop), {"pmv.sqlite3": _modified_database(demo_shop, tmp_path, *extra)})
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL
    assert restorable.remedy == "backup.live_fewer_rows"
    assert "khách hàng 18 > 8" in restorable.summary


def test_a_days_new_invoices_are_within_tolerance(make_ctx, demo_shop: DemoShop) -> None:
    conn = sqlite3.connect(demo_shop.pos_database)  # this morning's sales, after last night's backup
    for number, time in ((51, "08:45:00"), (52, "09:20:00")):  # the sales series ends at 50
        conn.execute("INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method,"
                     " total_vnd) VALUES ('1C26TVG', ?, 'sell', ?, 2, 'card', 15000000)",
                     (number, f"2026-11-25T{time}"))
    conn.commit()
    conn.close()
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.OK, restorable.summary
    values = {m.name: m.value for m in restorable.metrics}
    assert values["invoices_backup"] == 72 and values["invoices_live"] == 74


def test_restore_depends_on_the_database_connection(shop_settings: Settings, demo_shop: DemoShop, make_ctx) -> None:
    from app.health.checks import database

    demo_shop.pos_database.unlink()
    report = run_checks(database.CHECKS + backups.CHECKS, make_ctx())
    by_id = report.by_id()
    assert by_id["backup.age"].status is Status.OK
    assert by_id["backup.restorable"].status is Status.SKIPPED


def test_a_backup_dated_in_the_future_does_not_hide_that_backups_stopped(make_ctx, demo_shop: DemoShop) -> None:
    # Nightly backups stopped 6 days ago, and one stray copy is named for 2027 (made under a wrong clock): the
    # check took it as the newest, "cách đây 0 phút", green for a year.
    _shift_backups(demo_shop, 6)
    stray = demo_shop.backups_dir / "PMV_backup_2027-11-19_2200.zip"
    stray.write_bytes(_newest_bytes_of_template(demo_shop))
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.CRITICAL and age.remedy == "backup.stale"
    assert "22:00 18/11/2026" in age.summary
    # The restore is tried on the real newest copy too (it tried the 2027 one, green for a year).
    assert "PMV_backup_2026-11-18_2200.zip" in restorable.summary, restorable.summary


def test_backups_all_dated_after_the_clock_point_at_the_clock(make_ctx, demo_shop: DemoShop) -> None:
    # A CMOS battery gone flat sets the clock back: every backup is then "in the future".
    _shift_backups(demo_shop, -400)
    age = run_one(AGE, make_ctx())
    assert age.status is Status.WARNING and age.remedy == "clock.skew"
    assert "tương lai" in age.summary


def test_a_backup_with_a_password_says_it_cannot_be_tried(make_ctx, demo_shop: DemoShop) -> None:
    # zipfile raises RuntimeError on an encrypted member: it was shown as "RuntimeError: File <ZipInfo …>".
    newest = _newest(demo_shop)
    newest.write_bytes(zip_marked_encrypted(newest.read_bytes()))
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.WARNING, restorable.summary
    assert "mật khẩu" in restorable.summary and "RuntimeError" not in restorable.summary


def test_a_backups_folder_this_account_may_not_read_is_said_in_words(make_ctx, demo_shop: DemoShop,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # It showed "PermissionError: [Errno 13] Permission denied: '…'" as an unknown.
    refuse_listing(monkeypatch, demo_shop.backups_dir)
    age = run_one(AGE, make_ctx())
    assert age.status is Status.CRITICAL and age.remedy == "backup.no_access"
    assert "không có quyền" in age.summary and "Errno" not in age.summary
    assert backups.REMEDIES["backup.no_access"].startswith("Máy không cho phần mềm đọc thư mục sao lưu")
    assert run_one(RESTORABLE, make_ctx()).status is Status.SKIPPED


# --- only PMV's own backups count (review r07) ---------------------------------------------------------------------

@pytest.mark.parametrize("stray", ["PMV.ini.bak", "sao-luu-tay.zip"])
def test_files_not_named_as_pmv_backups_do_not_hide_that_backups_stopped(make_ctx, demo_shop: DemoShop,
                                                                          stray: str) -> None:
    # Nightly backups stopped after 20/11 22:00; SHOP_NOW is 25/11 10:00 shop time, so the newest real backup is
    # 4 days 12 hours (108 h) old, past 3 x 26 h (backup_max_age_hours' default): critical. This morning a
    # technician saved a copy of the POS config (or a zip of their own) in the same folder; it was taken as "the
    # newest backup, cách đây 1 giờ" (green) and the restore test was skipped.
    for path in demo_shop.backups_dir.glob("PMV_backup_*.zip"):
        if path.name > "PMV_backup_2026-11-20_2200.zip":
            path.unlink()
    foreign = demo_shop.backups_dir / stray
    if stray.endswith(".zip"):
        foreign.write_bytes(_newest_bytes_of_template(demo_shop))
    else:
        foreign.write_text("[Data]\nDatabase=..\\pos\\pmv.sqlite3\n", encoding="utf-8")
    _set_mtime(foreign, SHOP_NOW - dt.timedelta(hours=1))
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.CRITICAL and age.remedy == "backup.stale", age.summary
    assert age.summary == "Bản sao lưu mới nhất cách đây 4 ngày 12 giờ (22:00 20/11/2026)"
    # The demo writer makes the 7 nights before its day (18/11 to 24/11), so three real backups remain
    # (18/11 to 20/11); the stray file is named in the details, not counted.
    assert {m.name: m.value for m in age.metrics}["backups"] == 3
    assert "3 bản sao lưu; mới nhất: PMV_backup_2026-11-20_2200.zip" in age.details
    assert stray in age.details
    # The restore is tried on the newest real backup, a good copy of the live database (the demo writer's).
    assert restorable.status is Status.OK, restorable.summary
    assert "PMV_backup_2026-11-20_2200.zip" in restorable.summary


def test_a_folder_holding_only_other_files_has_no_backup(make_ctx, demo_shop: DemoShop) -> None:
    for path in demo_shop.backups_dir.iterdir():
        path.unlink()
    stray = demo_shop.backups_dir / "PMV.ini.bak"
    stray.write_text("[Data]\n", encoding="utf-8")
    _set_mtime(stray, SHOP_NOW)
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.CRITICAL and age.remedy == "backup.none", age.summary
    assert "PMV.ini.bak" in age.details
    assert restorable.status is Status.SKIPPED


# --- the summary is Vietnamese, the driver's words go to the details (review r16) ------------------------------------

def _damaged_pages(shop: DemoShop) -> bytes:
    database = bytearray(shop.pos_database.read_bytes())
    database[8 * 4096:16 * 4096] = os.urandom(8 * 4096)
    return bytes(database)


@pytest.mark.parametrize("member", ["empty", "damaged"])
def test_a_broken_database_in_the_backup_is_said_in_vietnamese(make_ctx, demo_shop: DemoShop, member: str) -> None:
    # "empty": the POS zipped pmv.sqlite3 while re-creating it (0 bytes); SQLite then says "no such table: items".
    # "damaged": pages overwritten; SQLite's quick_check speaks English ("*** in database main *** …").
    data = b"" if member == "empty" else _damaged_pages(demo_shop)
    _zip_with(_newest(demo_shop), {"pmv.sqlite3": data})
    restorable = run_one(RESTORABLE, make_ctx())
    assert restorable.status is Status.CRITICAL and restorable.remedy == "backup.corrupt"
    # NEWEST is 24/11 22:00 (the demo writer's last night before SHOP_NOW's day).
    assert restorable.summary == ("Bản sao lưu PMV_backup_2026-11-24_2200.zip (22:00 24/11/2026) không khôi phục "
                                  "được: dữ liệu hỏng"), restorable.summary
    assert restorable.details.strip()  # the driver's own words, for the technician
    if member == "empty":
        assert "no such table: items" in restorable.details


# --- the restore test never fills the till's disk (review r08's pattern) ---------------------------------------------

def _room_probe(free: int, seen: list[str]) -> MachineProbes:
    def disk_usage(path: str) -> DiskUsage:
        seen.append(path)
        return DiskUsage(500 * 1024**3, 500 * 1024**3 - free, free)

    return MachineProbes(disk_usage=disk_usage)


@pytest.mark.parametrize("spare", [-1, 0])
def test_restore_is_skipped_when_the_temp_drive_has_no_room(make_ctx, demo_shop: DemoShop, shop_settings: Settings,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            spare: int) -> None:
    temp = tmp_path / "Temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    # Needed: the database member as the zip declares it (the demo writer zips the live file's bytes, so its size),
    # plus the shop's own low-disk floor, [health] disk_min_free_gb (2 GB by default), so the POS keeps room to write.
    with zipfile.ZipFile(_newest(demo_shop)) as archive:
        member_size = archive.getinfo("pmv.sqlite3").file_size
    assert member_size == demo_shop.pos_database.stat().st_size
    assert shop_settings.health.disk_min_free_gb == 2
    needed = member_size + 2 * 1024**3
    seen: list[str] = []
    restorable = run_one(RESTORABLE, make_ctx(machine=_room_probe(needed + spare, seen)))
    # Measured where the backup would be unpacked: the restore's own folder inside the temp folder.
    assert seen and all(temp in Path(p).parents for p in seen), seen
    if spare < 0:
        assert restorable.status is Status.SKIPPED, restorable.summary
        assert restorable.summary.startswith("Bỏ qua: ổ đĩa chứa thư mục tạm không đủ chỗ trống"), restorable.summary
        assert str(temp) in restorable.details
        assert list(temp.iterdir()) == []  # nothing was unpacked
    else:
        assert restorable.status is Status.OK, restorable.summary


def test_a_database_servers_own_backup_counts_and_a_text_file_named_bak_does_not(make_ctx,
                                                                                 demo_shop: DemoShop) -> None:
    """A POS on SQL Server is backed up by BACKUP DATABASE, a .bak in Microsoft Tape Format (its first descriptor
    block reads "TAPE", MTF 1.00a s.5.2.1); it is a backup, aged by its file time, that only SQL Server restores.
    The technician's PMV.ini.bak beside it is text, not one."""
    for path in demo_shop.backups_dir.iterdir():
        path.unlink()
    full = demo_shop.backups_dir / "PMVGold_full_20261124.bak"
    full.write_bytes(b"TAPE" + bytes(1020))
    _set_mtime(full, SHOP_NOW - dt.timedelta(hours=5))
    stray = demo_shop.backups_dir / "PMV.ini.bak"
    stray.write_text("[Data]\n", encoding="utf-8")
    _set_mtime(stray, SHOP_NOW)
    age, restorable = _run_both(make_ctx)
    assert age.status is Status.OK and "5 giờ" in age.summary, age.summary
    assert "1 bản sao lưu; mới nhất: PMVGold_full_20261124.bak" in age.details and "PMV.ini.bak" in age.details
    assert restorable.status is Status.SKIPPED and ".zip" in restorable.summary
