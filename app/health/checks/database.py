"""Health checks of the POS database itself: can we reach it, and is it intact.

Also home to the small helpers the other POS checks share (shop-time
parsing, age wording, SQLite quick_check), because every one of them reads
the same database in the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app import HOTLINE
from app.health.checks.room import GB, copy_margin
from app.health.context import CheckContext, NotConfigured, PosUnusable
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import format_datetime
from app.infra.job_protocol import Cancelled
from app.infra.phrase import Phrase, number, phrase_from_json, say
from app.shop.pos_driver import ConnectFailure, connect_failure
from app.shop.pos_url import Flaw, PosUrlError, PosUrlProblem
from pmv_protocol.shop_time import SHOP_TZ

log = logging.getLogger(__name__)

CONNECT_ID = "pos.db.connect"
INTEGRITY_ID = "pos.db.integrity"
# quick_check stops listing problems after this many; a few name the damage well enough.
QUICK_CHECK_MAX_ERRORS = 20
# Pages copied per step of the online backup: the POS keeps writing between steps.
BACKUP_STEP_PAGES = 2048
# The POS holding SQLite's write lock (its own backup, a VACUUM, a big import) is read again this many times, each
# try waiting the driver's busy timeout (pos_driver.SQLITE_BUSY_TIMEOUT_S, at most), with a pause between tries:
# 2 x 5 s + 1 s stays well inside the connect check's 20 s.
SQLITE_BUSY_TRIES = 2
SQLITE_BUSY_PAUSE_S = 1.0
MB = 1024**2

REMEDIES: dict[str, str] = {
    "pos.db.not_found": say(
        "HealthCheck",
        "Không tìm thấy tệp dữ liệu của phần mềm PMV.\n"
        "1. Kiểm tra ổ đĩa hoặc máy chủ chứa dữ liệu PMV đã bật và đã kết nối (ổ mạng, ổ USB).\n"
        "2. Mở phần mềm PMV: nếu PMV cũng báo không thấy dữ liệu, không tạo dữ liệu mới và không cài lại PMV.\n"
        "3. Gọi %1 để kỹ thuật viên kiểm tra đường dẫn và khôi phục từ bản sao lưu gần nhất.",
    ).fill(HOTLINE),
    "pos.db.unreadable": say(
        "HealthCheck",
        "Không mở được cơ sở dữ liệu PMV.\n"
        "1. Đóng phần mềm PMV rồi mở lại; nếu máy vừa bị mất điện hay tắt đột ngột, khởi động lại máy.\n"
        "2. Chạy lại kiểm tra.\n"
        "3. Nếu vẫn lỗi, không chép đè hay xóa tệp dữ liệu; gọi %1.",
    ).fill(HOTLINE),
    "pos.db.busy": say(
        "HealthCheck",
        "Phần mềm PMV đang bận ghi dữ liệu (thường là lúc PMV tự sao lưu, dọn dẹp dữ liệu hoặc nhập nhiều hàng "
        "một lúc) nên ứng dụng hỗ trợ tạm thời chưa đọc được; dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Không cần đóng PMV: cứ tiếp tục bán hàng như bình thường.\n"
        "2. Chờ vài phút cho PMV làm xong rồi chạy lại kiểm tra.\n"
        "3. Nếu sau 30 phút vẫn báo bận, hoặc PMV cũng không lưu được hóa đơn, gọi %1.",
    ).fill(HOTLINE),
    "pos.db.no_room": say(
        "HealthCheck",
        "Ổ đĩa gần đầy nên chưa kiểm tra đầy đủ được dữ liệu PMV: bản chép tạm để kiểm tra sẽ chiếm chỗ PMV cần "
        "để lưu hóa đơn. Dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Dọn bớt ổ đĩa: làm trống Thùng rác, xóa tệp tải về và tệp tạm không dùng (không xóa thư mục PMV "
        "và các bản sao lưu).\n"
        "2. Chạy lại kiểm tra khi ổ đĩa còn đủ chỗ như nêu ở dòng tóm tắt.\n"
        "3. Nếu không biết xóa gì, gọi %1.",
    ).fill(HOTLINE),
    "pos.db.slow": say(
        "HealthCheck",
        "Cơ sở dữ liệu PMV trả lời chậm; bán hàng và in hóa đơn sẽ bị chậm theo.\n"
        "1. Đóng các chương trình không dùng trên máy thu ngân.\n"
        "2. Nếu dữ liệu nằm trên máy chủ hoặc ổ mạng, kiểm tra dây mạng và bộ phát wifi.\n"
        "3. Cuối ngày, khởi động lại máy thu ngân (và máy chủ nếu có).\n"
        "4. Nếu vẫn chậm, gửi yêu cầu hỗ trợ để kỹ thuật viên tối ưu dữ liệu.",
    ),
    "pos.db.corrupt": say(
        "HealthCheck",
        "Tệp dữ liệu PMV bị hỏng; tiếp tục ghi vào có thể làm mất thêm dữ liệu.\n"
        "1. Không tắt máy đột ngột; nếu được, tạm ngừng lập hóa đơn trên PMV.\n"
        "2. Không tự sửa, xóa hay chép đè tệp dữ liệu và các bản sao lưu.\n"
        "3. Gọi ngay %1: kỹ thuật viên sẽ kiểm tra và khôi phục từ bản sao lưu gần nhất.\n"
        "4. Trong lúc chờ, ghi tay các giao dịch để nhập lại sau.",
    ).fill(HOTLINE),
    "pos.url.invalid": say(
        "HealthCheck",
        "Ứng dụng hỗ trợ không dùng được chuỗi kết nối tới dữ liệu PMV (mục pos.url trong cài đặt); "
        "phần mềm PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Tiếp tục bán hàng trên PMV như bình thường.\n"
        "2. Gọi %1 để kỹ thuật viên sửa pos.url theo dạng đúng nêu ở dòng tóm tắt.\n"
        "3. Sau khi sửa, chạy lại kiểm tra.",
    ).fill(HOTLINE),
    "pos.url.windows_login": say(
        "HealthCheck",
        "Chuỗi kết nối tới dữ liệu PMV dùng đăng nhập Windows; ứng dụng hỗ trợ cần một tài khoản SQL riêng, "
        "chỉ được đọc. PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Tiếp tục bán hàng trên PMV như bình thường.\n"
        "2. Kỹ thuật viên: trên SQL Server bật chế độ đăng nhập \u201cSQL Server and Windows Authentication\u201d "
        "và tạo một tài khoản chỉ đọc (vai trò db_datareader trên cơ sở dữ liệu của PMV).\n"
        "3. Ghi vào pos.url: Server=...;Database=...;User Id=tên;Password=mật khẩu (bỏ Trusted_Connection), "
        "rồi chạy lại kiểm tra.\n"
        "4. Cần giúp, gọi %1.",
    ).fill(HOTLINE),
    "pos.driver.missing": say(
        "HealthCheck",
        "Bản cài đặt ứng dụng hỗ trợ thiếu thành phần để đọc dữ liệu PMV; "
        "PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Vào mục \u201cCập nhật\u201d, cài bản mới nhất của ứng dụng.\n"
        "2. Nếu vẫn báo thiếu, gọi %1 để kỹ thuật viên cài lại ứng dụng.",
    ).fill(HOTLINE),
    "pos.db.unreachable": say(
        "HealthCheck",
        "Không liên lạc được với máy chủ chứa dữ liệu PMV.\n"
        "1. Kiểm tra máy chủ (máy chứa dữ liệu PMV) đã bật, và PMV trên máy này vẫn lập được hóa đơn.\n"
        "2. Kiểm tra dây mạng hoặc wifi của máy này và của máy chủ.\n"
        "3. Gọi %1: kỹ thuật viên kiểm tra SQL Server nhận kết nối TCP/IP (cổng 1433, hoặc dịch vụ "
        "SQL Server Browser cho tên phiên bản như SQLEXPRESS) và tường lửa của máy chủ.",
    ).fill(HOTLINE),
    "pos.db.unreachable_pg": say(
        "HealthCheck",
        "Không liên lạc được với máy chủ chứa dữ liệu PMV.\n"
        "1. Kiểm tra máy chủ (máy chứa dữ liệu PMV) đã bật, và PMV trên máy này vẫn lập được hóa đơn.\n"
        "2. Kiểm tra dây mạng hoặc wifi của máy này và của máy chủ.\n"
        "3. Gọi %1: kỹ thuật viên kiểm tra PostgreSQL nhận kết nối từ mạng (cổng 5432, listen_addresses "
        "trong postgresql.conf, pg_hba.conf) và tường lửa của máy chủ.",
    ).fill(HOTLINE),
    "pos.db.login": say(
        "HealthCheck",
        "Máy chủ dữ liệu PMV không nhận tên đăng nhập hoặc mật khẩu trong cài đặt của ứng dụng hỗ trợ; "
        "PMV và dữ liệu bán hàng không bị ảnh hưởng.\n"
        "1. Không thử đoán mật khẩu nhiều lần: tài khoản có thể bị khóa.\n"
        "2. Gọi %1 để kỹ thuật viên kiểm tra tài khoản chỉ đọc của ứng dụng và sửa pos.url.",
    ).fill(HOTLINE),
}

# What a technician should write, named in every "wrong form" summary.
EXPECTED_FORMS = say(
    "HealthCheck",
    "Server=máy-chủ\\SQLEXPRESS;Database=PMV;User Id=tên;Password=mật-khẩu (SQL Server), "
    "postgresql://tên:mật-khẩu@máy-chủ:5432/PMV (PostgreSQL)",
)


# --- shared helpers -----------------------------------------------------------

def to_shop_time(value: object) -> dt.datetime:
    """A POS timestamp as an aware shop-time datetime.

    The PMV POS writes local ISO text on SQLite; on SQL Server the driver
    returns a datetime.  Naive values are shop time, as the POS means them.
    """
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    return moment.replace(tzinfo=SHOP_TZ) if moment.tzinfo is None else moment.astimezone(SHOP_TZ)


# A time in the POS's data (a backup's name, a price row) later than the till's clock by more than this was
# written under another clock: it is not "fresh", and taken as the newest it would stay so for as long.
AHEAD_OF_CLOCK = dt.timedelta(minutes=10)


def format_age(delta: dt.timedelta) -> Phrase:
    """``3 giờ``, ``1 giờ 30 phút``, ``2 ngày 4 giờ``: how a cashier says an age."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return (say("HealthCheck", "%1 ngày %2 giờ").fill(days, hours) if hours
                else say("HealthCheck", "%1 ngày").fill(days))
    if hours:
        return (say("HealthCheck", "%1 giờ %2 phút").fill(hours, minutes) if minutes
                else say("HealthCheck", "%1 giờ").fill(hours))
    return say("HealthCheck", "%1 phút").fill(minutes)


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


def quick_check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """SQLite's quick_check (or with ``full`` its integrity_check): an empty list when the file is intact, else
    its complaints.

    quick_check "does not verify that index content matches table content" (SQLite's pragma documentation):
    an index out of step with its rows, where an item cannot be found by its code, only the full check sees.
    """
    pragma = "integrity_check" if full else "quick_check"
    rows = conn.execute(f"PRAGMA {pragma}({QUICK_CHECK_MAX_ERRORS})").fetchall()
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


# --- pos.db.connect -----------------------------------------------------------

def _flaw_words(error: PosUrlError) -> str:
    detail = error.detail
    words: dict[Flaw, str] = {
        Flaw.EMPTY: say("HealthCheck", "chuỗi rỗng"),
        Flaw.NOT_A_URL: say("HealthCheck", "không phải URL (có ://) cũng không phải chuỗi Khóa=Giá trị;..."),
        Flaw.BAD_URL: say("HealthCheck", "không đọc được URL (%1)").fill(detail),
        Flaw.NO_EQUALS: (say("HealthCheck", "phần sau khóa '%1' thiếu dấu = (giá trị có dấu ; phải đặt trong {...})")
                         .fill(detail) if detail else say("HealthCheck", "phần đầu chuỗi thiếu dấu =")),
        Flaw.EMPTY_KEY: say("HealthCheck", "có dấu = mà không có tên khóa đứng trước"),
        Flaw.TWICE: say("HealthCheck", "khóa '%1' được ghi hai lần với hai giá trị khác nhau").fill(detail),
        Flaw.UNCLOSED: say("HealthCheck", "giá trị của '%1' mở ngoặc mà không đóng").fill(detail),
        Flaw.TRAILING: say("HealthCheck", "có chữ thừa sau dấu đóng ngoặc của '%1'").fill(detail),
        Flaw.BAD_FLAG: say("HealthCheck", "%1 (chỉ nhận yes, no, true, false hoặc SSPI)").fill(detail),
        Flaw.BAD_PORT: say("HealthCheck", "cổng '%1' không phải số từ 1 đến 65535").fill(detail),
    }
    return words.get(error.flaw or Flaw.NOT_A_URL, detail)


def unusable_url(error: PosUrlError) -> CheckResult:
    """pos.url cannot be used as written (or its driver is missing): one line saying what to write instead."""
    detail, remedy = error.detail, "pos.url.invalid"
    match error.problem:
        case PosUrlProblem.MALFORMED:
            summary = say("HealthCheck", "Chuỗi kết nối PMV (pos.url) không đúng dạng: %1; dạng đúng: %2").fill(
                _flaw_words(error), EXPECTED_FORMS)
        case PosUrlProblem.FILE_PATH:
            summary = say("HealthCheck", "pos.url đang là đường dẫn tệp (%1): tệp dữ liệu SQLite khai báo ở "
                                         "pos.database, còn pos.url là chuỗi kết nối máy chủ, dạng: %2").fill(
                detail, EXPECTED_FORMS)
        case PosUrlProblem.UNSUPPORTED_DATABASE:
            summary = say("HealthCheck", "Chưa hỗ trợ cơ sở dữ liệu '%1' trong pos.url; "
                                         "hỗ trợ SQL Server, PostgreSQL và SQLite").fill(detail)
        case PosUrlProblem.WINDOWS_LOGIN:
            summary = say("HealthCheck", "Chuỗi kết nối PMV dùng đăng nhập Windows (%1), ứng dụng chưa hỗ trợ; "
                                         "hãy dùng tài khoản SQL: ghi User Id=tên;Password=mật-khẩu thay cho "
                                         "Trusted_Connection").fill(detail)
            remedy = "pos.url.windows_login"
        case PosUrlProblem.MISSING_LOGIN:
            summary = say("HealthCheck", "Chuỗi kết nối PMV thiếu tài khoản SQL; thêm User Id=tên;Password=mật-khẩu")
        case PosUrlProblem.MISSING_DATABASE:
            summary = say("HealthCheck",
                          "Chuỗi kết nối PMV thiếu tên cơ sở dữ liệu; thêm Database=tên (ví dụ Database=PMV)")
        case PosUrlProblem.DSN:
            summary = say("HealthCheck", "Chuỗi kết nối PMV dùng nguồn dữ liệu ODBC (DSN=%1), ứng dụng không đọc "
                                         "được DSN; hãy ghi thẳng Server=...;Database=...;User Id=...;Password=..."
                          ).fill(detail)
        case PosUrlProblem.PROTOCOL:
            summary = say("HealthCheck", "Máy chủ '%1' dùng named pipes, shared memory hoặc LocalDB; ứng dụng chỉ "
                                         "kết nối SQL Server qua TCP/IP: ghi Server=tên-máy\\SQLEXPRESS hoặc "
                                         "Server=tên-máy,1433").fill(detail)
        case PosUrlProblem.MISSING_DRIVER:
            summary = say("HealthCheck", "Bản cài đặt thiếu trình điều khiển cơ sở dữ liệu %1; "
                                         "cài lại hoặc cập nhật ứng dụng").fill(detail)
            remedy = "pos.driver.missing"
    return result(Status.CRITICAL, summary, remedy=remedy)


# SQLite's primary result codes (https://www.sqlite.org/rescode.html) in the shop's words; its English message
# stays in the details for the technician.
_SQLITE_REASONS: dict[int, str] = {
    5: say("HealthCheck", "tệp đang bị PMV hoặc chương trình khác khóa"),  # SQLITE_BUSY
    6: say("HealthCheck", "tệp đang bị PMV hoặc chương trình khác khóa"),  # SQLITE_LOCKED
    10: say("HealthCheck", "ổ đĩa báo lỗi khi đọc"),  # SQLITE_IOERR
    11: say("HealthCheck", "nội dung tệp bị hỏng"),  # SQLITE_CORRUPT
    14: say("HealthCheck", "không mở được tệp: kiểm tra quyền truy cập"),  # SQLITE_CANTOPEN
    23: say("HealthCheck", "không có quyền đọc tệp"),  # SQLITE_AUTH
    26: say("HealthCheck", "tệp không phải dữ liệu SQLite"),  # SQLITE_NOTADB
}


def sqlite_reason(error: BaseException) -> str:
    """Why SQLite refused the POS file, in Vietnamese; "no such table" means the file is not PMV's."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_REASONS:
        return _SQLITE_REASONS[code & 0xFF]
    if "no such table" in str(error):
        return say("HealthCheck", "tệp không có bảng dữ liệu của PMV")
    return say("HealthCheck", "lỗi SQLite")


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
        return result(Status.CRITICAL, say("HealthCheck", "Không liên lạc được máy chủ dữ liệu PMV (%1)").fill(where),
                      details=details, remedy=remedy)
    if kind is ConnectFailure.LOGIN:
        return result(Status.CRITICAL, say("HealthCheck", "Máy chủ dữ liệu PMV (%1) từ chối đăng nhập '%2'").fill(
                          where, str(url.username)), details=details, remedy="pos.db.login")
    if kind is ConnectFailure.NO_DATABASE:
        return result(Status.CRITICAL, say("HealthCheck", "Máy chủ %1 không có cơ sở dữ liệu '%2' (hoặc tài khoản "
                                                          "không có quyền mở)").fill(where, str(url.database)),
                      details=details, remedy="pos.url.invalid")
    return result(Status.CRITICAL, say("HealthCheck", "Không mở được cơ sở dữ liệu PMV"), details=details,
                  remedy="pos.db.unreadable")


def _is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection (the POS) holds the lock; it passes."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.OperationalError) and isinstance(code, int) and code & 0xFF in (5, 6)


def _read_version(engine: Engine, busy_wait_s: float | None) -> object:
    with engine.connect() as conn:
        if busy_wait_s is not None and engine.dialect.name == "sqlite":
            # This connection only, and only for this check: the pool hands it to other checks after.
            previous = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {max(0, round(busy_wait_s * 1000))}")
            try:
                return _select_version(conn)
            finally:
                with contextlib.suppress(SQLAlchemyError):
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous or 0)}")
        return _select_version(conn)


def _select_version(conn: Connection) -> object:
    conn.execute(text("SELECT 1")).scalar_one()
    # "key" quoted: KEY is a reserved word in T-SQL.
    return conn.execute(text("SELECT value FROM pos_info WHERE \"key\" = 'version'")).scalar()


def _busy(waited_s: float, details: str) -> CheckResult:
    """The POS kept its write lock through every try: a passing state, said as such, with nothing to close."""
    busy = result(Status.WARNING,
                  say("HealthCheck", "PMV đang bận ghi dữ liệu (tệp dữ liệu bị khóa suốt %1 giây) nên chưa kiểm tra "
                                     "được; chạy lại kiểm tra sau vài phút").fill(number(waited_s, 0)),
                  details=details, remedy="pos.db.busy")
    return replace(busy, holds_dependants=True)  # the checks that read the POS would meet the same lock


def _connect_failed(ctx: CheckContext, dialect: str, path: Path | None, exc: SQLAlchemyError) -> CheckResult:
    cause = getattr(exc, "orig", None) or exc
    reason = str(cause).splitlines()[0]
    if dialect != "sqlite":
        kind, reason = connect_failure(cause)
        return _server_failure(ctx, kind, reason, str(exc))
    if path is not None and _is_empty(path):
        # An empty file opens as an empty database ("no such table"): the POS's data is gone from it.
        return result(Status.CRITICAL, say("HealthCheck", "Tệp dữ liệu PMV trống (0 byte): %1").fill(str(path)),
                      details=str(exc), remedy="pos.db.corrupt")
    if isinstance(cause, sqlite3.DatabaseError) and not isinstance(cause, sqlite3.OperationalError):
        # "file is not a database", "malformed": the bytes are wrong, not the access to them.
        return result(Status.CRITICAL,
                      say("HealthCheck", "Tệp dữ liệu PMV bị hỏng, không đọc được (%1)").fill(sqlite_reason(cause)),
                      details=str(exc), remedy="pos.db.corrupt")
    return result(Status.CRITICAL, say("HealthCheck", "Không mở được cơ sở dữ liệu PMV (%1)").fill(
                      sqlite_reason(cause)), details=str(exc), remedy="pos.db.unreadable")


def check_connect(ctx: CheckContext, *, busy_tries: int | None = None, busy_wait_s: float | None = None,
                  pause: Callable[[float], object] | None = None) -> CheckResult:
    """Reach the POS database and read its version.

    An SQLite file the POS holds locked is read again ``busy_tries`` times (SQLITE_BUSY_TRIES), each try waiting
    ``busy_wait_s`` (the driver's busy timeout unless given), with ``pause`` (the run's cancel event's wait)
    between tries; still locked, it is a warning to try later.
    """
    try:
        ctx.pos_url()  # NotConfigured -> skipped, before anything else
        engine = ctx.pos_engine
    except PosUnusable as exc:
        return unusable_url(exc.error)
    path = sqlite_file(ctx)
    if path is not None and not path.is_file():
        # A read-only SQLite open of a missing file says only "unable to open": say what is wrong.
        return result(Status.CRITICAL, say("HealthCheck", "Không tìm thấy tệp dữ liệu PMV: %1").fill(str(path)),
                      details=say("HealthCheck", "Đường dẫn trong cài đặt: %1").fill(str(path)),
                      remedy="pos.db.not_found")
    warn_ms = ctx.settings.health.db_latency_warn_ms
    tries = max(1, busy_tries if busy_tries is not None else SQLITE_BUSY_TRIES)
    wait = pause if pause is not None else ctx.cancel.wait
    first_try = time.perf_counter()
    for attempt in range(1, tries + 1):
        started = time.perf_counter()
        try:
            version = _read_version(engine, busy_wait_s)
            break
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            if engine.dialect.name == "sqlite" and _is_busy(cause):
                if attempt < tries and not ctx.cancel.is_set():
                    wait(SQLITE_BUSY_PAUSE_S)
                    continue
                return _busy(time.perf_counter() - first_try, str(exc))
            return _connect_failed(ctx, engine.dialect.name, path, exc)
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    metrics = (Metric("latency_ms", latency_ms, "ms", warn=warn_ms),)
    where = f"PMV {version}" if version else "PMV"
    if latency_ms > warn_ms:
        return result(Status.WARNING,
                      say("HealthCheck", "Cơ sở dữ liệu %1 trả lời chậm: %2 ms (ngưỡng %3 ms)").fill(
                          where, number(latency_ms, None), number(warn_ms, None)),
                      remedy="pos.db.slow", metrics=metrics)
    return result(Status.OK, say("HealthCheck", "Kết nối được cơ sở dữ liệu %1 trong %2 ms").fill(
                      where, number(latency_ms, None)), metrics=metrics)


# --- pos.db.integrity ---------------------------------------------------------

INTEGRITY_EVERY = dt.timedelta(hours=24)


def check_integrity(ctx: CheckContext) -> CheckResult:
    """A full check at most once a day: it copies the whole POS database, heavy on a till that runs
    checks every half hour. A damaged file header is still caught every run by ``pos.db.connect``."""
    dialect = ctx.pos_dialect()
    if dialect != "sqlite":
        # SQL Server has DBCC CHECKDB, but it needs rights a till account does not have.
        return result(Status.SKIPPED,
                      say("HealthCheck", "Bỏ qua: chỉ kiểm tra được với SQLite (PMV đang dùng %1)").fill(str(dialect)))
    cache = ctx.data_dir / "health" / "integrity.json" if ctx.data_dir is not None else None
    recent = _recent_ok(cache, ctx)
    if recent is not None:
        return recent
    no_room = _no_room_for_copy(ctx)
    if no_room is not None:
        return no_room
    outcome = _full_integrity_check(ctx)
    if cache is not None and outcome.status is Status.OK:
        said = outcome.summary.to_json() if isinstance(outcome.summary, Phrase) else None
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps({"database": str(ctx.settings.pos.database), "at": ctx.now().isoformat(),
                                         "summary": outcome.summary, "phrase": said}), encoding="utf-8")
        except OSError as exc:  # a full disk: the database was checked all the same; it is checked again next run
            log.warning("the integrity check's daily mark was not kept: %s", exc)
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
    # The summary as said then (its phrase, so an English window says it in English); an older cache: its words.
    if "summary" not in data:
        summary: str = say("HealthCheck", "Dữ liệu PMV nguyên vẹn")
    elif isinstance(data["summary"], str):
        stored = data.get("phrase")
        summary = phrase_from_json(stored if isinstance(stored, str) else None, data["summary"])
    else:
        summary = str(data["summary"])
    return result(Status.OK, say("HealthCheck", "%1 (kiểm tra đầy đủ lúc %2)").fill(summary, when))


def _no_room_for_copy(ctx: CheckContext) -> CheckResult | None:
    """A warning when the copy would leave its drive (the temp folder's, C: on a till, where the POS writes too)
    with less than the margin free; None when it fits.

    A warning, not 'skipped': until there is room the books go unchecked, and the temp folder may be on another
    drive than the one the disk check measures, so nothing else would say so.
    """
    with ctx.pos_engine.connect() as conn:
        # The copy's size exactly: pages, WAL content included, whatever form pos.database / pos.url names it in.
        size = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0) * int(
            conn.exec_driver_sql("PRAGMA page_size").scalar() or 0)
    folder = tempfile.gettempdir()
    free = ctx.machine.disk_usage(folder).free
    margin = copy_margin(ctx)
    if free >= size + margin:
        return None
    return result(Status.WARNING,
                  say("HealthCheck", "Ổ đĩa gần đầy, chưa kiểm tra đầy đủ dữ liệu PMV: bản chép tạm cần %1 MB, ổ "
                                     "chứa thư mục tạm còn trống %2 MB, cần ít nhất %3 MB").fill(
                      number(size / MB, 0), number(free / MB, 0), number((size + margin) / MB, 0)),
                  details=say("HealthCheck", "Thư mục tạm: %1; sau khi chép phải còn trống ít nhất %2 GB để PMV "
                                             "ghi dữ liệu").fill(folder, number(margin / GB, None)),
                  remedy="pos.db.no_room",
                  metrics=(Metric("copy_mb", round(size / MB, 1), "MB"), Metric("free_mb", round(free / MB, 1), "MB")))


def _full_integrity_check(ctx: CheckContext) -> CheckResult:
    with tempfile.TemporaryDirectory(prefix="pmv-integrity-", ignore_cleanup_errors=True) as tmp:
        copy_path = Path(tmp) / "pmv-copy.sqlite3"
        try:
            pages = _snapshot(ctx, copy_path)
            copy = sqlite3.connect(copy_path)
            try:
                # A long scan of a big file stops when the run is cancelled (SQLite then raises "interrupted").
                copy.set_progress_handler(ctx.cancel.is_set, 10_000)
                problems = quick_check(copy, full=True)
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
        return result(Status.CRITICAL,
                      say("HealthCheck", "Tệp dữ liệu PMV bị hỏng: %1 lỗi cấu trúc (%2)").fill(
                          len(problems), problems[0]),
                      details=shown, remedy="pos.db.corrupt",
                      metrics=(Metric("problems", len(problems), crit=1),))
    return result(Status.OK,
                  say("HealthCheck",
                      "Dữ liệu PMV nguyên vẹn: kiểm tra đủ %1 trang và chỉ mục, không có lỗi").fill(pages),
                  metrics=(Metric("problems", 0, crit=1), Metric("pages", pages)))


def _stop_when_cancelled(ctx: CheckContext) -> Callable[[int, int, int], None]:
    """The online backup's progress callback: an exception from it ends the copy between two steps."""
    def step(_status: int, _remaining: int, _total: int) -> None:
        if ctx.cancel.is_set():
            raise Cancelled(say("HealthCheck", "đã hủy"))
    return step


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
                raise NotConfigured(say("HealthCheck", "trình điều khiển SQLite không hỗ trợ sao chép trực tuyến"))
            source.backup(dest, pages=BACKUP_STEP_PAGES, sleep=0.005, progress=_stop_when_cancelled(ctx))
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
