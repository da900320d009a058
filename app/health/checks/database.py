"""Health checks of the POS database itself: can we reach it, and is it intact.

Also home to the small helpers the other POS checks share (shop-time
parsing, age wording, SQLite quick_check), because every one of them reads
the same database in the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import HOTLINE
from app.health.context import CheckContext, NotConfigured, PosUnusable
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import format_datetime, format_decimal
from app.shop.pos_driver import ConnectFailure, connect_failure
from app.shop.pos_url import Flaw, PosUrlError, PosUrlProblem
from pmv_protocol.shop_time import SHOP_TZ

CONNECT_ID = "pos.db.connect"
INTEGRITY_ID = "pos.db.integrity"
# quick_check stops listing problems after this many; a few name the damage well enough.
QUICK_CHECK_MAX_ERRORS = 20
# Pages copied per step of the online backup: the POS keeps writing between steps.
BACKUP_STEP_PAGES = 2048

REMEDIES: dict[str, str] = {
    "pos.db.not_found": (
        "Không tìm thấy tệp dữ liệu của phần mềm PMV.\n"
        "1. Kiểm tra ổ đĩa hoặc máy chủ chứa dữ liệu PMV đã bật và đã kết nối (ổ mạng, ổ USB).\n"
        "2. Mở phần mềm PMV: nếu PMV cũng báo không thấy dữ liệu, không tạo dữ liệu mới và không cài lại PMV.\n"
        f"3. Gọi {HOTLINE} để kỹ thuật viên kiểm tra đường dẫn và khôi phục từ bản sao lưu gần nhất."
    ),
    "pos.db.unreadable": (
        "Không mở được cơ sở dữ liệu PMV.\n"
        "1. Đóng phần mềm PMV rồi mở lại; nếu máy vừa bị mất điện hay tắt đột ngột, khởi động lại máy.\n"
        "2. Chạy lại kiểm tra.\n"
        f"3. Nếu vẫn lỗi, không chép đè hay xóa tệp dữ liệu; gọi {HOTLINE}."
    ),
    "pos.db.slow": (
        "Cơ sở dữ liệu PMV trả lời chậm; bán hàng và in hóa đơn sẽ bị chậm theo.\n"
        "1. Đóng các chương trình không dùng trên máy thu ngân.\n"
        "2. Nếu dữ liệu nằm trên máy chủ hoặc ổ mạng, kiểm tra dây mạng và bộ phát wifi.\n"
        "3. Cuối ngày, khởi động lại máy thu ngân (và máy chủ nếu có).\n"
        "4. Nếu vẫn chậm, gửi yêu cầu hỗ trợ để kỹ thuật viên tối ưu dữ liệu."
    ),
    "pos.db.corrupt": (
        "Tệp dữ liệu PMV bị hỏng; tiếp tục ghi vào có thể làm mất thêm dữ liệu.\n"
        "1. Không tắt máy đột ngột; nếu được, tạm ngừng lập hóa đơn trên PMV.\n"
        "2. Không tự sửa, xóa hay chép đè tệp dữ liệu và các bản sao lưu.\n"
        f"3. Gọi ngay {HOTLINE}: kỹ thuật viên sẽ kiểm tra và khôi phục từ bản sao lưu gần nhất.\n"
        "4. Trong lúc chờ, ghi tay các giao dịch để nhập lại sau."
    ),
    "pos.url.invalid": (
        "Ứng dụng hỗ trợ không dùng được chuỗi kết nối tới dữ liệu PMV (mục pos.url trong cài đặt); "
        "phần mềm PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Tiếp tục bán hàng trên PMV như bình thường.\n"
        f"2. Gọi {HOTLINE} để kỹ thuật viên sửa pos.url theo dạng đúng nêu ở dòng tóm tắt.\n"
        "3. Sau khi sửa, chạy lại kiểm tra."
    ),
    "pos.url.windows_login": (
        "Chuỗi kết nối tới dữ liệu PMV dùng đăng nhập Windows; ứng dụng hỗ trợ cần một tài khoản SQL riêng, "
        "chỉ được đọc. PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Tiếp tục bán hàng trên PMV như bình thường.\n"
        "2. Kỹ thuật viên: trên SQL Server bật chế độ đăng nhập \u201cSQL Server and Windows Authentication\u201d "
        "và tạo một tài khoản chỉ đọc (vai trò db_datareader trên cơ sở dữ liệu của PMV).\n"
        "3. Ghi vào pos.url: Server=...;Database=...;User Id=tên;Password=mật khẩu (bỏ Trusted_Connection), "
        "rồi chạy lại kiểm tra.\n"
        f"4. Cần giúp, gọi {HOTLINE}."
    ),
    "pos.driver.missing": (
        "Bản cài đặt ứng dụng hỗ trợ thiếu thành phần để đọc dữ liệu PMV; "
        "PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Vào mục \u201cCập nhật\u201d, cài bản mới nhất của ứng dụng.\n"
        f"2. Nếu vẫn báo thiếu, gọi {HOTLINE} để kỹ thuật viên cài lại ứng dụng."
    ),
    "pos.db.unreachable": (
        "Không liên lạc được với máy chủ chứa dữ liệu PMV.\n"
        "1. Kiểm tra máy chủ (máy chứa dữ liệu PMV) đã bật, và PMV trên máy này vẫn lập được hóa đơn.\n"
        "2. Kiểm tra dây mạng hoặc wifi của máy này và của máy chủ.\n"
        f"3. Gọi {HOTLINE}: kỹ thuật viên kiểm tra SQL Server nhận kết nối TCP/IP (cổng 1433, hoặc dịch vụ "
        "SQL Server Browser cho tên phiên bản như SQLEXPRESS) và tường lửa của máy chủ."
    ),
    "pos.db.unreachable_pg": (
        "Không liên lạc được với máy chủ chứa dữ liệu PMV.\n"
        "1. Kiểm tra máy chủ (máy chứa dữ liệu PMV) đã bật, và PMV trên máy này vẫn lập được hóa đơn.\n"
        "2. Kiểm tra dây mạng hoặc wifi của máy này và của máy chủ.\n"
        f"3. Gọi {HOTLINE}: kỹ thuật viên kiểm tra PostgreSQL nhận kết nối từ mạng (cổng 5432, listen_addresses "
        "trong postgresql.conf, pg_hba.conf) và tường lửa của máy chủ."
    ),
    "pos.db.login": (
        "Máy chủ dữ liệu PMV không nhận tên đăng nhập hoặc mật khẩu trong cài đặt của ứng dụng hỗ trợ; "
        "PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Không thử đoán mật khẩu nhiều lần: tài khoản có thể bị khóa.\n"
        f"2. Gọi {HOTLINE} để kỹ thuật viên kiểm tra tài khoản chỉ đọc của ứng dụng và sửa pos.url."
    ),
}

# What a technician should write, named in every "wrong form" summary.
EXPECTED_FORMS = (
    "Server=máy-chủ\\SQLEXPRESS;Database=PMV;User Id=tên;Password=mật-khẩu (SQL Server), "
    "postgresql://tên:mật-khẩu@máy-chủ:5432/PMV (PostgreSQL)"
)


# --- shared helpers -----------------------------------------------------------

def to_shop_time(value: object) -> dt.datetime:
    """A POS timestamp as an aware shop-time datetime.

    The PMV POS writes local ISO text on SQLite; on SQL Server the driver
    returns a datetime.  Naive values are shop time, as the POS means them.
    """
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    return moment.replace(tzinfo=SHOP_TZ) if moment.tzinfo is None else moment.astimezone(SHOP_TZ)


def format_age(delta: dt.timedelta) -> str:
    """``3 giờ``, ``1 giờ 30 phút``, ``2 ngày 4 giờ``: how a cashier says an age."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{minutes} phút"


def sqlite_file(ctx: CheckContext) -> Path | None:
    """The POS database file when it is a plain SQLite file we know the path of."""
    pos = ctx.settings.pos
    if not pos.url:
        return Path(pos.database) if pos.database is not None else None
    url = ctx.pos_url()
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's quick_check: an empty list when the file is intact, else its complaints."""
    rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_MAX_ERRORS})").fetchall()
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


# --- pos.db.connect -----------------------------------------------------------

def _flaw_words(error: PosUrlError) -> str:
    detail = error.detail
    return {
        Flaw.EMPTY: "chuỗi rỗng",
        Flaw.NOT_A_URL: "không phải URL (có ://) cũng không phải chuỗi Khóa=Giá trị;...",
        Flaw.BAD_URL: f"không đọc được URL ({detail})",
        Flaw.NO_EQUALS: (f"phần sau khóa '{detail}' thiếu dấu = (giá trị có dấu ; phải đặt trong {{...}})"
                         if detail else "phần đầu chuỗi thiếu dấu ="),
        Flaw.EMPTY_KEY: "có dấu = mà không có tên khóa đứng trước",
        Flaw.TWICE: f"khóa '{detail}' được ghi hai lần với hai giá trị khác nhau",
        Flaw.UNCLOSED: f"giá trị của '{detail}' mở ngoặc mà không đóng",
        Flaw.TRAILING: f"có chữ thừa sau dấu đóng ngoặc của '{detail}'",
        Flaw.BAD_FLAG: f"{detail} (chỉ nhận yes, no, true, false hoặc SSPI)",
        Flaw.BAD_PORT: f"cổng '{detail}' không phải số từ 1 đến 65535",
    }.get(error.flaw or Flaw.NOT_A_URL, detail)


def unusable_url(error: PosUrlError) -> CheckResult:
    """pos.url cannot be used as written (or its driver is missing): one line saying what to write instead."""
    detail, remedy = error.detail, "pos.url.invalid"
    match error.problem:
        case PosUrlProblem.MALFORMED:
            summary = f"Chuỗi kết nối PMV (pos.url) không đúng dạng: {_flaw_words(error)}; dạng đúng: {EXPECTED_FORMS}"
        case PosUrlProblem.FILE_PATH:
            summary = (f"pos.url đang là đường dẫn tệp ({detail}): tệp dữ liệu SQLite khai báo ở pos.database, "
                       f"còn pos.url là chuỗi kết nối máy chủ, dạng: {EXPECTED_FORMS}")
        case PosUrlProblem.UNSUPPORTED_DATABASE:
            summary = f"Chưa hỗ trợ cơ sở dữ liệu '{detail}' trong pos.url; hỗ trợ SQL Server, PostgreSQL và SQLite"
        case PosUrlProblem.WINDOWS_LOGIN:
            summary = (f"Chuỗi kết nối PMV dùng đăng nhập Windows ({detail}), ứng dụng chưa hỗ trợ; hãy dùng tài "
                       "khoản SQL: ghi User Id=tên;Password=mật-khẩu thay cho Trusted_Connection")
            remedy = "pos.url.windows_login"
        case PosUrlProblem.MISSING_LOGIN:
            summary = "Chuỗi kết nối PMV thiếu tài khoản SQL; thêm User Id=tên;Password=mật-khẩu"
        case PosUrlProblem.MISSING_DATABASE:
            summary = "Chuỗi kết nối PMV thiếu tên cơ sở dữ liệu; thêm Database=tên (ví dụ Database=PMV)"
        case PosUrlProblem.DSN:
            summary = (f"Chuỗi kết nối PMV dùng nguồn dữ liệu ODBC (DSN={detail}), ứng dụng không đọc được DSN; "
                       "hãy ghi thẳng Server=...;Database=...;User Id=...;Password=...")
        case PosUrlProblem.PROTOCOL:
            summary = (f"Máy chủ '{detail}' dùng named pipes, shared memory hoặc LocalDB; ứng dụng chỉ kết nối "
                       "SQL Server qua TCP/IP: ghi Server=tên-máy\\SQLEXPRESS hoặc Server=tên-máy,1433")
        case PosUrlProblem.MISSING_DRIVER:
            summary = f"Bản cài đặt thiếu trình điều khiển cơ sở dữ liệu {detail}; cài lại hoặc cập nhật ứng dụng"
            remedy = "pos.driver.missing"
    return result(Status.CRITICAL, summary, remedy=remedy)


# SQLite's primary result codes (https://www.sqlite.org/rescode.html) in the shop's words; its English message
# stays in the details for the technician.
_SQLITE_REASONS = {
    5: "tệp đang bị PMV hoặc chương trình khác khóa",  # SQLITE_BUSY
    6: "tệp đang bị PMV hoặc chương trình khác khóa",  # SQLITE_LOCKED
    10: "ổ đĩa báo lỗi khi đọc",  # SQLITE_IOERR
    11: "nội dung tệp bị hỏng",  # SQLITE_CORRUPT
    14: "không mở được tệp: kiểm tra quyền truy cập",  # SQLITE_CANTOPEN
    23: "không có quyền đọc tệp",  # SQLITE_AUTH
    26: "tệp không phải dữ liệu SQLite",  # SQLITE_NOTADB
}


def sqlite_reason(error: BaseException) -> str:
    """Why SQLite refused the POS file, in Vietnamese; "no such table" means the file is not PMV's."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_REASONS:
        return _SQLITE_REASONS[code & 0xFF]
    if "no such table" in str(error):
        return "tệp không có bảng dữ liệu của PMV"
    return "lỗi SQLite"


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _server_failure(ctx: CheckContext, kind: ConnectFailure, reason: str, details: str) -> CheckResult:
    url = ctx.pos_url()
    where = f"{url.host or 'localhost'}{f':{url.port}' if url.port else ''}"
    # The driver's own words (English, from the server) go to the details: the summary says it in Vietnamese.
    details = f"{reason}\n{details}" if reason and reason not in details else details
    if kind is ConnectFailure.UNREACHABLE:
        remedy = "pos.db.unreachable_pg" if url.get_backend_name() == "postgresql" else "pos.db.unreachable"
        return result(Status.CRITICAL, f"Không liên lạc được máy chủ dữ liệu PMV ({where})",
                      details=details, remedy=remedy)
    if kind is ConnectFailure.LOGIN:
        return result(Status.CRITICAL, f"Máy chủ dữ liệu PMV ({where}) từ chối đăng nhập '{url.username}'",
                      details=details, remedy="pos.db.login")
    if kind is ConnectFailure.NO_DATABASE:
        return result(Status.CRITICAL, f"Máy chủ {where} không có cơ sở dữ liệu '{url.database}' (hoặc tài khoản "
                                       "không có quyền mở)", details=details, remedy="pos.url.invalid")
    return result(Status.CRITICAL, "Không mở được cơ sở dữ liệu PMV", details=details, remedy="pos.db.unreadable")


def check_connect(ctx: CheckContext) -> CheckResult:
    try:
        ctx.pos_url()  # NotConfigured -> skipped, before anything else
        engine = ctx.pos_engine
    except PosUnusable as exc:
        return unusable_url(exc.error)
    path = sqlite_file(ctx)
    if path is not None and not path.is_file():
        # A read-only SQLite open of a missing file says only "unable to open": say what is wrong.
        return result(Status.CRITICAL, f"Không tìm thấy tệp dữ liệu PMV: {path}",
                      details=f"Đường dẫn trong cài đặt: {path}", remedy="pos.db.not_found")
    warn_ms = ctx.settings.health.db_latency_warn_ms
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
            # "key" quoted: KEY is a reserved word in T-SQL.
            version = conn.execute(text("SELECT value FROM pos_info WHERE \"key\" = 'version'")).scalar()
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = str(cause).splitlines()[0]
        if engine.dialect.name != "sqlite":
            kind, reason = connect_failure(cause)
            return _server_failure(ctx, kind, reason, str(exc))
        if path is not None and _is_empty(path):
            # An empty file opens as an empty database ("no such table"): the POS's data is gone from it.
            return result(Status.CRITICAL, f"Tệp dữ liệu PMV trống (0 byte): {path}", details=str(exc),
                          remedy="pos.db.corrupt")
        if isinstance(cause, sqlite3.DatabaseError) and not isinstance(cause, sqlite3.OperationalError):
            # "file is not a database", "malformed": the bytes are wrong, not the access to them.
            return result(Status.CRITICAL, f"Tệp dữ liệu PMV bị hỏng, không đọc được ({sqlite_reason(cause)})",
                          details=str(exc), remedy="pos.db.corrupt")
        return result(Status.CRITICAL, f"Không mở được cơ sở dữ liệu PMV ({sqlite_reason(cause)})",
                      details=str(exc), remedy="pos.db.unreadable")
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    metrics = (Metric("latency_ms", latency_ms, "ms", warn=warn_ms),)
    where = f"PMV {version}" if version else "PMV"
    if latency_ms > warn_ms:
        return result(Status.WARNING,
                      f"Cơ sở dữ liệu {where} trả lời chậm: {format_decimal(latency_ms, None)} ms "
                      f"(ngưỡng {format_decimal(warn_ms, None)} ms)",
                      remedy="pos.db.slow", metrics=metrics)
    return result(Status.OK, f"Kết nối được cơ sở dữ liệu {where} trong {format_decimal(latency_ms, None)} ms",
                  metrics=metrics)


# --- pos.db.integrity ---------------------------------------------------------

INTEGRITY_EVERY = dt.timedelta(hours=24)


def check_integrity(ctx: CheckContext) -> CheckResult:
    """A full check at most once a day: it copies the whole POS database, heavy on a till that runs
    checks every half hour. A damaged file header is still caught every run by ``pos.db.connect``."""
    dialect = ctx.pos_dialect()
    if dialect != "sqlite":
        # SQL Server has DBCC CHECKDB, but it needs rights a till account does not have.
        return result(Status.SKIPPED, f"Bỏ qua: chỉ kiểm tra được với SQLite (PMV đang dùng {dialect})")
    cache = ctx.data_dir / "health" / "integrity.json" if ctx.data_dir is not None else None
    recent = _recent_ok(cache, ctx)
    if recent is not None:
        return recent
    outcome = _full_integrity_check(ctx)
    if cache is not None and outcome.status is Status.OK:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"database": str(ctx.settings.pos.database), "at": ctx.now().isoformat(),
                                     "summary": outcome.summary}), encoding="utf-8")
    return outcome


def _recent_ok(cache: Path | None, ctx: CheckContext) -> CheckResult | None:
    if cache is None or not cache.is_file():
        return None
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        at = dt.datetime.fromisoformat(data["at"])
    except (OSError, ValueError, KeyError):
        return None
    if (data.get("database") != str(ctx.settings.pos.database)
            or not dt.timedelta(0) <= ctx.now() - at < INTEGRITY_EVERY):
        return None
    when = format_datetime(at.astimezone(SHOP_TZ))
    return result(Status.OK, f"{data.get('summary', 'Dữ liệu PMV nguyên vẹn')} (kiểm tra đầy đủ lúc {when})")


def _full_integrity_check(ctx: CheckContext) -> CheckResult:
    with tempfile.TemporaryDirectory(prefix="pmv-integrity-", ignore_cleanup_errors=True) as tmp:
        copy_path = Path(tmp) / "pmv-copy.sqlite3"
        try:
            pages = _snapshot(ctx, copy_path)
            copy = sqlite3.connect(copy_path)
            try:
                problems = quick_check(copy)
            finally:
                copy.close()
        except (sqlite3.DatabaseError, SQLAlchemyError) as exc:
            cause = getattr(exc, "orig", None) or exc
            if isinstance(cause, sqlite3.OperationalError):
                raise  # locked, busy, out of disk: the check could not run ('unknown'), not corruption
            # The backup or the check hit a page SQLite cannot parse: the file is damaged.
            problems, pages = [str(cause).splitlines()[0]], 0
    if problems:
        shown = "\n".join(f"- {line}" for line in problems[:QUICK_CHECK_MAX_ERRORS])
        return result(Status.CRITICAL, f"Tệp dữ liệu PMV bị hỏng: {len(problems)} lỗi cấu trúc ({problems[0]})",
                      details=shown, remedy="pos.db.corrupt",
                      metrics=(Metric("problems", len(problems), crit=1),))
    return result(Status.OK, f"Dữ liệu PMV nguyên vẹn: kiểm tra nhanh {pages} trang, không có lỗi",
                  metrics=(Metric("problems", 0, crit=1), Metric("pages", pages)))


def _snapshot(ctx: CheckContext, target: Path) -> int:
    """Copy the live database into ``target`` with SQLite's online backup.

    quick_check on the live file would hold a read lock for the whole scan
    and make the till's own writes wait; the backup copies a few pages at a
    time and restarts by itself if the POS writes meanwhile, so the copy is
    consistent and the till is never blocked for long.
    """
    dest = sqlite3.connect(target)
    try:
        with ctx.pos_engine.connect() as conn:
            source = conn.connection.driver_connection
            if not isinstance(source, sqlite3.Connection):
                raise NotConfigured("trình điều khiển SQLite không hỗ trợ sao chép trực tuyến")
            source.backup(dest, pages=BACKUP_STEP_PAGES, sleep=0.005)
        pages = int(dest.execute("PRAGMA page_count").fetchone()[0])
    finally:
        dest.close()
    return pages


CHECKS: list[Check] = [
    # 20 s: an SQL Server that accepts TCP but never answers takes FreeTDS ~13 s to give up (pos_driver).
    Check(CONNECT_ID, "Kết nối cơ sở dữ liệu PMV", Category.DATABASE, check_connect, timeout=20),
    Check(INTEGRITY_ID, "Tính toàn vẹn dữ liệu PMV", Category.DATABASE, check_integrity, timeout=60,
          depends_on=(CONNECT_ID,)),
]
