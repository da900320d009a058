"""Health checks of the POS backups: is there a recent one, and would it restore.

A backup nobody ever tried to restore is a hope, not a backup: the second
check unpacks the newest one into a temporary folder, checks it with SQLite
and compares its row counts with the live database.  The backups folder and
the live database are only ever read.
"""

from __future__ import annotations

import datetime as dt
import errno
import math
import re
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import text

from app import HOTLINE
from app.health.checks.database import AHEAD_OF_CLOCK, CONNECT_ID, format_age, quick_check, sqlite_file, to_shop_time
from app.health.checks.room import copy_margin
from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import format_bytes, format_datetime
from app.infra.job_protocol import Cancelled
from app.infra.phrase import Phrase, joined, raised_with, say
from pmv_protocol.shop_time import SHOP_TZ

AGE_ID = "backup.age"
RESTORABLE_ID = "backup.restorable"
# How PMV names its backups (nightly and "Sao lưu ngay" alike; README "The demo shop"); the time in the name is shop
# time.  Only these files count: a technician's PMV.ini.bak or a zip of their own saved in the same folder is not a
# backup PMV made, and taking it as "the newest" would hide that the nightly backups stopped.  No setting names
# another pattern.
_DATED_NAME = re.compile(r"^PMV_backup_(\d{4}-\d{2}-\d{2})_(\d{2})(\d{2})\.zip$", re.IGNORECASE)
BACKUP_NAME_PATTERN = "PMV_backup_YYYY-MM-DD_HHMM.zip"
OTHER_FILES_SHOWN = 5  # the other files named in the details; the rest are counted
DATABASE_MEMBERS = ("pmv.sqlite3", "pmv.db")
COMPARED_TABLES = ("items", "invoices", "customers")
# Zip-bomb guard: never unpack more than this many times the live database,
# with a floor for small shops and a hard ceiling for the temp folder's sake.
EXTRACT_FACTOR = 10
MIN_EXTRACT_CAP = 64 * 1024**2
MAX_EXTRACT_CAP = 8 * 1024**3
CHUNK = 1024**2

REMEDIES: dict[str, str] = {
    "backup.folder_missing": say(
        "HealthCheck",
        "Không thấy thư mục sao lưu của PMV.\n"
        "1. Kiểm tra ổ sao lưu (ổ USB, ổ cứng ngoài, ổ mạng) đã cắm và mở được trong File Explorer.\n"
        "2. Trong PMV, mở phần cài đặt sao lưu và xem thư mục sao lưu có đúng không.\n"
        "3. Nếu không tìm thấy, gọi %1 để kỹ thuật viên cài lại sao lưu tự động.",
    ).fill(HOTLINE),
    "backup.none": say(
        "HealthCheck",
        "Chưa có bản sao lưu nào của dữ liệu PMV; nếu máy hỏng sẽ mất toàn bộ sổ sách.\n"
        "1. Trong PMV, mở phần sao lưu và bấm \u201cSao lưu ngay\u201d.\n"
        "2. Bật sao lưu tự động hằng đêm.\n"
        "3. Chạy lại kiểm tra; nếu vẫn không có bản sao lưu, gọi %1.",
    ).fill(HOTLINE),
    "backup.stale": say(
        "HealthCheck",
        "Bản sao lưu mới nhất đã cũ: sao lưu tự động hằng đêm không chạy.\n"
        "1. Để máy thu ngân và PMV bật đến sau giờ sao lưu tự động (thường 22:00).\n"
        "2. Kiểm tra ổ sao lưu đang cắm và còn chỗ trống.\n"
        "3. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm \u201cSao lưu ngay\u201d.\n"
        "4. Nếu PMV báo lỗi khi sao lưu, gọi %1.",
    ).fill(HOTLINE),
    "backup.corrupt": say(
        "HealthCheck",
        "Bản sao lưu mới nhất không khôi phục được (tệp hỏng hoặc không đầy đủ).\n"
        "1. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm \u201cSao lưu ngay\u201d.\n"
        "2. Chạy lại kiểm tra.\n"
        "3. Nếu bản mới cũng hỏng, ổ sao lưu có thể bị lỗi: đổi sang ổ khác và gọi %1.",
    ).fill(HOTLINE),
    "backup.unsafe": say(
        "HealthCheck",
        "Tệp sao lưu có nội dung bất thường (đường dẫn lạ hoặc dung lượng giải nén quá lớn) nên không được mở.\n"
        "1. Không giải nén hay mở tệp này.\n"
        "2. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm \u201cSao lưu ngay\u201d.\n"
        "3. Gọi %1 để kỹ thuật viên kiểm tra máy (có thể có phần mềm lạ ghi vào thư mục sao lưu).",
    ).fill(HOTLINE),
    "backup.no_access": say(
        "HealthCheck",
        "Máy không cho phần mềm đọc thư mục sao lưu, nên không biết sao lưu còn chạy hay không.\n"
        "1. Mở thư mục sao lưu trong File Explorer bằng tài khoản Windows của máy thu ngân; nếu Windows hỏi "
        "quyền, chọn \u201cContinue\u201d.\n"
        "2. Nếu thư mục nằm trên ổ mạng, kiểm tra máy vẫn đăng nhập được vào ổ đó.\n"
        "3. Chạy lại kiểm tra; nếu vẫn không đọc được, gọi %1.",
    ).fill(HOTLINE),
    "backup.incomplete": say(
        "HealthCheck",
        "Bản sao lưu thiếu nhiều dữ liệu so với dữ liệu đang dùng; khôi phục từ bản này sẽ mất dữ liệu.\n"
        "1. Sao lưu ngay bằng tay: trong PMV, mở phần sao lưu và bấm \u201cSao lưu ngay\u201d.\n"
        "2. Chạy lại kiểm tra.\n"
        "3. Nếu vẫn lệch, gọi %1: có thể PMV đang sao lưu nhầm tệp dữ liệu.",
    ).fill(HOTLINE),
    "backup.live_fewer_rows": say(
        "HealthCheck",
        "Dữ liệu đang dùng có ít dòng hơn bản sao lưu đêm qua: có thể đã bị xóa hoặc mất dữ liệu.\n"
        "1. Không xóa, không ghi đè bản sao lưu và không tự khôi phục.\n"
        "2. Hỏi lại nhân viên có ai vừa xóa hàng, hóa đơn hay khách hàng không.\n"
        "3. Gọi ngay %1 để kỹ thuật viên đối chiếu và khôi phục phần bị mất.",
    ).fill(HOTLINE),
}


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: dt.datetime  # shop time
    dated_name: bool  # the time came from the file name, not the file system


class UnsafeArchive(Exception):
    """The zip holds something we refuse to unpack (path tricks, a bomb)."""


class NoDatabase(Exception):
    """A readable zip without the POS database in it."""


class PasswordProtected(Exception):
    """The database in the zip is encrypted (APPNOTE.TXT 4.4.4, flag bit 0): it cannot be tried without it."""


class NoRoom(Exception):
    """The temp folder's drive has too little free space to unpack the database and still leave the margin."""

    def __init__(self, folder: Path, free: int, member_size: int, margin: int) -> None:
        super().__init__(folder, free, member_size, margin)
        self.folder, self.free, self.member_size, self.margin = folder, free, member_size, margin


# --- finding backups ----------------------------------------------------------

def _backups_dir(ctx: CheckContext) -> Path:
    folder = ctx.settings.pos.backups_dir
    if folder is None:
        raise NotConfigured(say("HealthCheck", "chưa khai báo thư mục sao lưu (pos.backups_dir)"))
    return Path(folder)


def scan_backups(folder: Path) -> tuple[list[Backup], list[str]]:
    """The PMV backups in ``folder``, newest first, and the names of the other files there (sorted).

    Only files named as PMV names its backups count.  That name carries the
    time the backup was taken, which survives copying to another drive;
    mtime is only a fallback for a name whose date cannot be.
    """
    found: list[Backup] = []
    others: list[str] = []
    for entry in folder.iterdir():
        if not entry.is_file():
            continue
        match = _DATED_NAME.match(entry.name)
        if match is None:
            if _database_dump(entry):  # a SQL Server or PostgreSQL POS's own backup: aged by its file time
                found.append(Backup(entry, dt.datetime.fromtimestamp(entry.stat().st_mtime, SHOP_TZ), False))
            else:
                others.append(entry.name)
            continue
        stat = entry.stat()
        if stat.st_size == 0:
            continue  # a backup that never got written; not a copy of anything
        taken: dt.datetime | None
        try:
            taken = to_shop_time(f"{match.group(1)}T{match.group(2)}:{match.group(3)}:00")
        except ValueError:
            taken = None  # a name like ..._2026-13-45_2500.zip: trust the file system instead
        if taken is None:
            found.append(Backup(entry, dt.datetime.fromtimestamp(stat.st_mtime, SHOP_TZ), False))
        else:
            found.append(Backup(entry, taken, True))
    return sorted(found, key=lambda b: b.taken_at, reverse=True), sorted(others)


# A POS on SQL Server or PostgreSQL is backed up by the database server, not as PMV's zip: SQL Server's BACKUP
# DATABASE writes Microsoft Tape Format, whose first descriptor block is "TAPE" (MTF 1.00a, 5.2.1); pg_dump's custom
# format starts "PGDMP" (pg_backup_archiver.c).  Their usual suffixes, and their first bytes so that a text file
# such as a technician's PMV.ini.bak is never taken for one.
DUMP_SUFFIXES = (".bak", ".backup", ".dump")
DUMP_MAGICS = (b"TAPE", b"PGDMP")


def _database_dump(entry: Path) -> bool:
    if entry.suffix.lower() not in DUMP_SUFFIXES:
        return False
    try:
        with entry.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith(DUMP_MAGICS)


def find_backups(folder: Path) -> list[Backup]:
    """The PMV backups in ``folder``, newest first (other files ignored)."""
    return scan_backups(folder)[0]


def _other_files(names: list[str]) -> Phrase | None:
    """A line for the details naming the files that were not counted, or None when there are none."""
    if not names:
        return None
    shown = names[:OTHER_FILES_SHOWN]
    listed = joined(shown if len(names) == len(shown) else [*shown, "…"])
    return say("HealthCheck", "Không tính %1 tệp không mang tên bản sao lưu của PMV (%2): %3").fill(
        len(names), BACKUP_NAME_PATTERN, listed)


def taken_by_now(backups: list[Backup], now: dt.datetime) -> list[Backup]:
    """The backups not ahead of the clock, newest first: a copy named for 2027 (made under a wrong clock) would
    otherwise be "the newest" for a year, hiding stopped backups from both checks."""
    return [backup for backup in backups if backup.taken_at <= now + AHEAD_OF_CLOCK]


# --- backup.age ---------------------------------------------------------------

def check_age(ctx: CheckContext) -> CheckResult:
    folder = _backups_dir(ctx)
    if not folder.is_dir():
        return result(Status.CRITICAL, say("HealthCheck", "Không thấy thư mục sao lưu: %1").fill(str(folder)),
                      remedy="backup.folder_missing")
    try:
        backups, others = scan_backups(folder)
    except PermissionError:
        return result(Status.CRITICAL, say("HealthCheck", "Không đọc được thư mục sao lưu %1: tài khoản Windows "
                                                          "đang dùng không có quyền đọc").fill(str(folder)),
                      remedy="backup.no_access")
    ignored = _other_files(others)
    if not backups:
        return result(Status.CRITICAL, say("HealthCheck", "Chưa có bản sao lưu nào trong %1").fill(str(folder)),
                      ignored or "", remedy="backup.none", metrics=(Metric("backups", 0, crit=0),))
    now = ctx.local_now()
    taken = taken_by_now(backups, now)
    if not taken:  # every backup after the clock: the clock is wrong (a flat CMOS battery sets it back)
        return result(Status.WARNING, say("HealthCheck", "Mọi bản sao lưu đều mang thời gian trong tương lai "
                                                         "(mới nhất %1): đồng hồ máy có thể bị lùi").fill(
                          format_datetime(backups[0].taken_at)), remedy="clock.skew")
    newest = taken[0]
    max_hours = ctx.settings.health.backup_max_age_hours
    age = max(dt.timedelta(0), now - newest.taken_at)  # a few minutes ahead: fresh
    hours = age.total_seconds() / 3600
    metrics = (
        Metric("age_hours", round(hours, 2), "h", warn=max_hours, crit=3 * max_hours),
        Metric("backups", len(backups)),
    )
    summary = say("HealthCheck", "Bản sao lưu mới nhất cách đây %1 (%2)").fill(
        format_age(age), format_datetime(newest.taken_at))
    details: str
    if newest.dated_name:
        details = say("HealthCheck", "%1 bản sao lưu; mới nhất: %2 (theo thời gian trong tên tệp)").fill(
            len(backups), newest.path.name)
    else:
        details = say("HealthCheck", "%1 bản sao lưu; mới nhất: %2 (theo thời gian sửa tệp)").fill(
            len(backups), newest.path.name)
    if ignored is not None:
        details = joined([details, ignored], "\n")
    if hours > 3 * max_hours:
        return result(Status.CRITICAL, summary, details, remedy="backup.stale", metrics=metrics)
    if hours > max_hours:
        return result(Status.WARNING, summary, details, remedy="backup.stale", metrics=metrics)
    return result(Status.OK, summary, details, metrics=metrics)


# --- backup.restorable --------------------------------------------------------

def _extract_cap(ctx: CheckContext) -> int:
    live = sqlite_file(ctx)
    live_size = live.stat().st_size if live is not None and live.is_file() else 0
    return min(MAX_EXTRACT_CAP, max(MIN_EXTRACT_CAP, EXTRACT_FACTOR * live_size))


def _unsafe_name(name: str) -> bool:
    # Zip names use '/', but a Windows-made zip may carry '\' or a drive letter.
    normalised = name.replace("\\", "/")
    return (
        normalised.startswith("/")
        or re.match(r"^[A-Za-z]:", normalised) is not None
        or ".." in PurePosixPath(normalised).parts
    )


def extract_database(archive_path: Path, target: Path, cap: int, ctx: CheckContext) -> str:
    """Unpack the POS database from a backup zip into ``target``; returns the member name.

    The member is written under a name we choose, so nothing in the archive
    decides where bytes land; still, an archive with path tricks is refused
    outright, because no PMV backup ever looks like that.
    """
    with zipfile.ZipFile(archive_path) as archive:
        members = archive.infolist()
        bad = [m.filename for m in members if _unsafe_name(m.filename)]
        if bad:
            raise UnsafeArchive(say("HealthCheck", "đường dẫn không an toàn trong tệp nén: %1").fill(bad[0]))
        candidates = [m for m in members if PurePosixPath(m.filename).name.lower() in DATABASE_MEMBERS]
        if not candidates:
            names = ", ".join(m.filename for m in members[:5]) or say("HealthCheck", "tệp nén rỗng")
            raise NoDatabase(say("HealthCheck", "không có tệp dữ liệu PMV trong tệp nén (%1)").fill(names))
        member = candidates[0]
        if member.flag_bits & 0x1:
            raise PasswordProtected(member.filename)
        if member.file_size > cap:
            raise UnsafeArchive(say("HealthCheck", "%1 giải nén ra %2 byte, vượt giới hạn %3 byte").fill(
                member.filename, member.file_size, cap))
        # zipfile never yields more than the declared size, so that is all the room the copy can take.
        margin = copy_margin(ctx)  # the POS must still be able to write meanwhile
        free = ctx.machine.disk_usage(str(target.parent)).free
        if free < member.file_size + margin:
            raise NoRoom(target.parent, free, member.file_size, margin)
        written = 0
        with archive.open(member) as source, target.open("wb") as sink:
            # The declared size can lie: count what really comes out.
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > cap:
                    raise UnsafeArchive(say("HealthCheck", "%1 giải nén vượt giới hạn %2 byte").fill(
                        member.filename, cap))
                if ctx.cancel.is_set():  # the run was cancelled: the runner reports it, not this check
                    raise Cancelled(say("HealthCheck", "đã hủy"))
                sink.write(chunk)
        return member.filename


def _count_rows(conn: sqlite3.Connection) -> dict[str, int]:
    return {table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in COMPARED_TABLES}


def _live_counts(ctx: CheckContext) -> dict[str, int]:
    with ctx.pos_engine.connect() as conn:
        return {table: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                for table in COMPARED_TABLES}


def check_restorable(ctx: CheckContext) -> CheckResult:
    folder = _backups_dir(ctx)
    try:
        backups = find_backups(folder) if folder.is_dir() else []
    except PermissionError:  # backup.age says so, with its fix steps
        return result(Status.SKIPPED, say("HealthCheck", "Bỏ qua: không đọc được thư mục sao lưu"))
    backups = taken_by_now(backups, ctx.local_now()) or backups  # all ahead: backup.age says why
    if not backups:
        return result(Status.SKIPPED, say("HealthCheck", "Bỏ qua: không có bản sao lưu để thử khôi phục"))
    newest = backups[0]
    label = f"{newest.path.name} ({format_datetime(newest.taken_at)})"
    if newest.path.suffix.lower() != ".zip":  # a database server's own backup: only its server can restore it
        return result(Status.SKIPPED, say(
            "HealthCheck", "Bỏ qua: chỉ thử khôi phục được bản sao lưu dạng .zip, không phải %1").fill(label))
    with tempfile.TemporaryDirectory(prefix="pmv-restore-", ignore_cleanup_errors=True) as tmp:
        restored = Path(tmp) / "restored.sqlite3"
        try:
            extract_database(newest.path, restored, _extract_cap(ctx), ctx)
        except NoRoom as exc:
            return result(
                Status.SKIPPED,
                say("HealthCheck", "Bỏ qua: ổ đĩa chứa thư mục tạm không đủ chỗ trống để thử khôi phục %1 "
                                   "(còn %2, cần %3)").fill(
                    label, format_bytes(exc.free), format_bytes(exc.member_size + exc.margin)),
                say("HealthCheck", "Thư mục tạm: %1. Dữ liệu trong bản sao lưu giải nén ra %2; sau khi giải nén "
                                   "phải còn trống ít nhất %3 để PMV vẫn ghi được dữ liệu.").fill(
                    str(Path(tempfile.gettempdir())), format_bytes(exc.member_size), format_bytes(exc.margin)))
        except UnsafeArchive as exc:
            return result(Status.CRITICAL, say("HealthCheck", "Bản sao lưu %1 không khôi phục được: %2").fill(
                label, raised_with(exc)), remedy="backup.unsafe")
        except NoDatabase as exc:
            return result(Status.CRITICAL, say("HealthCheck", "Bản sao lưu %1 không khôi phục được: %2").fill(
                label, raised_with(exc)), remedy="backup.corrupt")
        except PasswordProtected:
            return result(Status.WARNING, say("HealthCheck", "Không thử khôi phục được bản sao lưu %1: tệp nén có "
                                                             "mật khẩu").fill(label))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError) as exc:
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                raise  # our temp folder is full: the check could not run, the backup may be fine
            # Truncated copies, CRC errors, unreadable drives, unsupported compression: "cannot restore".
            return result(Status.CRITICAL,
                          say("HealthCheck", "Bản sao lưu %1 không khôi phục được: tệp nén hỏng hoặc chép dở").fill(
                              label),
                          details=f"{type(exc).__name__}: {_reason(exc)}", remedy="backup.corrupt")
        try:
            conn = sqlite3.connect(restored)
            try:
                problems = quick_check(conn)
                backup_counts = _count_rows(conn) if not problems else {}
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            problems = [_reason(exc)]
    if problems:  # SQLite's own (English) words go to the details; the cashier's summary stays Vietnamese
        return result(Status.CRITICAL,
                      say("HealthCheck", "Bản sao lưu %1 không khôi phục được: dữ liệu hỏng").fill(label),
                      details="\n".join(f"- {p}" for p in problems), remedy="backup.corrupt")
    return _compare(ctx, label, backup_counts, _live_counts(ctx))


# The invoices table holds sales invoices and purchase records (bảng kê) alike, so "chứng từ".
_TABLE_NAMES: dict[str, Phrase] = {
    "items": say("HealthCheck", "món hàng"),
    "invoices": say("HealthCheck", "chứng từ"),
    "customers": say("HealthCheck", "khách hàng"),
}
# "120 món hàng": a count of a table's rows.
_TABLE_COUNTS: dict[str, Phrase] = {
    "items": say("HealthCheck", "%1 món hàng"),
    "invoices": say("HealthCheck", "%1 chứng từ"),
    "customers": say("HealthCheck", "%1 khách hàng"),
}


def _compare(ctx: CheckContext, label: str, backup: dict[str, int], live: dict[str, int]) -> CheckResult:
    """Row counts of the backup against the live database.

    A backup from last night lacks at most a day of new rows, so it may be
    short by the tolerance; it must never hold noticeably *more* rows than
    the live database, which would mean the live data lost some.
    """
    tolerance = ctx.settings.health.backup_row_tolerance_percent
    short: list[str] = []
    over: list[str] = []
    metrics: list[Metric] = []
    lines: list[str] = []
    for table in COMPARED_TABLES:
        b, live_n = backup[table], live[table]
        # At least one row of slack (when any is allowed), or a tiny table could never grow by one.
        allowed = max(1, math.ceil(live_n * tolerance / 100)) if tolerance > 0 else 0
        name = _TABLE_NAMES[table]
        lines.append(say("HealthCheck", "%1: bản sao lưu %2, đang dùng %3 (cho phép lệch %4)").fill(
            name, b, live_n, allowed))
        metrics.append(Metric(f"{table}_backup", b))
        metrics.append(Metric(f"{table}_live", live_n))
        if b > live_n + allowed:
            over.append(joined([name, f"{b} > {live_n}"], " "))  # "khách hàng 18 > 8": no words of its own
        elif b < live_n - allowed:
            short.append(joined([name, f"{b} < {live_n}"], " "))
    counts = joined([_TABLE_COUNTS[t].fill(backup[t]) for t in COMPARED_TABLES], ", ")
    details = joined(lines, "\n")
    if over:
        return result(Status.CRITICAL,
                      say("HealthCheck", "Dữ liệu đang dùng ít hơn bản sao lưu %1: %2").fill(label, joined(over, "; ")),
                      details, remedy="backup.live_fewer_rows", metrics=tuple(metrics))
    if short:
        return result(Status.WARNING,
                      say("HealthCheck", "Bản sao lưu %1 thiếu dữ liệu: %2").fill(label, joined(short, "; ")),
                      details, remedy="backup.incomplete", metrics=tuple(metrics))
    return result(Status.OK, say("HealthCheck", "Bản sao lưu %1 khôi phục được: %2").fill(label, counts), details,
                  metrics=tuple(metrics))


def _reason(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0] or type(exc).__name__


CHECKS: list[Check] = [
    Check(AGE_ID, "Sao lưu dữ liệu", Category.BACKUP, check_age, timeout=10),
    Check(RESTORABLE_ID, "Bản sao lưu khôi phục được", Category.BACKUP, check_restorable, timeout=30,
          depends_on=(AGE_ID, CONNECT_ID)),
]
