"""Prove that the database an install names is the shop's POS database, without changing a byte of it (Qt-free).

The wizard shows what it read (the POS's version, how many sales invoices,
the day of the newest) so the person at the till can say "yes, that is our
shop" before the settings are saved.  An SQLite file is opened read-only
(``mode=ro``: SQLite neither writes to it nor creates it); a POS on a
database server is read through the same drivers and read-only options as
the health checks (app.shop.pos_driver).  Every failure is a
:class:`ProofProblem` code; ``detail`` carries the driver's own message
for the technician's details and logs (never a password).
"""

from __future__ import annotations

import datetime as dt
import enum
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import URL, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.health.checks.database import to_shop_time
from app.shop.file_uri import file_uri
from app.shop.pos_driver import ConnectFailure, connect_failure, driver_options, ensure_driver, guarded_url
from app.shop.pos_url import PosUrlError, PosUrlProblem, to_sqlalchemy_url

SQLITE_HEADER = b"SQLite format 3\x00"
# The tables every PMV version has: its facts and its documents.
POS_TABLES = ("pos_info", "invoices")
# Portable SQL (SQLite, SQL Server, PostgreSQL); "key" quoted, it is reserved in T-SQL.  Sales invoices are
# the documents that are not buy-backs, as app.shop.pos_reader counts them.
_VERSION_SQL = text("SELECT value FROM pos_info WHERE \"key\" = 'version'")
_INVOICES_SQL = text("SELECT COUNT(*), MAX(issued_at) FROM invoices WHERE kind <> 'buy'")


class ProofProblem(enum.StrEnum):
    """Why the database could not be proved to be the shop's."""

    MISSING = "missing"  # no database named, or the file is not there (it is never created)
    NOT_A_DATABASE = "not_a_database"  # the file is not an SQLite database, or is damaged
    UNREADABLE = "unreadable"  # an SQLite file that cannot be opened (no access, locked)
    NO_POS_TABLES = "no_pos_tables"  # a database, but not PMV's (no pos_info / invoices as PMV has them)
    BAD_URL = "bad_url"  # the ConnectionString cannot be used (PosInstall.url_problem says why)
    DRIVER_MISSING = "driver_missing"  # this app's install lacks the database driver
    SERVER_UNREACHABLE = "server_unreachable"  # nothing answers at the server's address
    LOGIN_REFUSED = "login_refused"  # the server refused the user name or password
    SERVER_NO_DATABASE = "server_no_database"  # the login works but the database is not there
    SERVER_ERROR = "server_error"  # anything else the server said (``detail``)


@dataclass(frozen=True)
class DatabaseProof:
    """What the POS database showed: its version, how many sales invoices, the shop's day of the newest."""

    ok: bool
    pos_version: str | None = None
    newest_invoice: dt.date | None = None
    invoices: int | None = None
    problem: ProofProblem | None = None
    detail: str = ""  # the driver's message, for details and logs


class DatabaseSource(Protocol):
    """What a proof reads of an install (a :class:`app.setup.pos_discovery.PosInstall`, or the wizard's fields)."""

    @property
    def database(self) -> Path | None: ...  # the SQLite file

    @property
    def url(self) -> str: ...  # a connection string or URL (a POS on a server); wins over ``database``


def prove_database(install: DatabaseSource) -> DatabaseProof:
    """Open ``install``'s database read-only and read what shows it is the shop's; never raises, never writes.

    Its ``url`` (a POS on a server) wins over its ``database`` file.  Blocking (a server may take the
    driver's login timeout to answer): run it in a worker.
    """
    if install.url:
        try:
            url = to_sqlalchemy_url(install.url)
        except PosUrlError as exc:
            return _failed(ProofProblem.BAD_URL, exc.problem.value)
        if url.get_backend_name() == "sqlite":
            name = url.database or ""
            if not name or name == ":memory:" or name.startswith("file:"):
                return _failed(ProofProblem.BAD_URL, PosUrlProblem.FILE_PATH.value)
            return _prove_file(Path(name))
        return _prove_server(url)
    return _prove_file(install.database)


def _failed(problem: ProofProblem, detail: str = "") -> DatabaseProof:
    return DatabaseProof(False, problem=problem, detail=detail)


def _prove_file(path: Path | None) -> DatabaseProof:
    if path is None:
        return _failed(ProofProblem.MISSING)
    try:
        if not path.exists():
            return _failed(ProofProblem.MISSING, str(path))
        if not path.is_file():
            return _failed(ProofProblem.NOT_A_DATABASE, str(path))
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        location = file_uri(path)
    except OSError as exc:
        return _failed(ProofProblem.UNREADABLE, str(exc))
    if header != SQLITE_HEADER:  # an empty file would read as an empty database: it is not the POS's either
        return _failed(ProofProblem.NOT_A_DATABASE, str(path))
    # Read-only, as app.health.context opens it: SQLite will not write to the file nor create one.
    url = URL.create("sqlite", database=f"{location}?mode=ro", query={"uri": "true"})
    return _read(create_engine(url, connect_args=driver_options(url), poolclass=NullPool))


def _prove_server(url: URL) -> DatabaseProof:
    try:
        ensure_driver(url)
    except PosUrlError as exc:
        return _failed(ProofProblem.DRIVER_MISSING, exc.detail)
    url = guarded_url(url)  # a copied 'Connect Timeout=30' must not keep the wizard waiting, nor a URL write
    return _read(create_engine(url, connect_args=driver_options(url), poolclass=NullPool))


_SERVER_FAILURES = {
    ConnectFailure.UNREACHABLE: ProofProblem.SERVER_UNREACHABLE,
    ConnectFailure.LOGIN: ProofProblem.LOGIN_REFUSED,
    ConnectFailure.NO_DATABASE: ProofProblem.SERVER_NO_DATABASE,
    ConnectFailure.OTHER: ProofProblem.SERVER_ERROR,
}


def _read(engine: Engine) -> DatabaseProof:
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            try:
                tables = inspect(conn)
                if not all(tables.has_table(name) for name in POS_TABLES):
                    return _failed(ProofProblem.NO_POS_TABLES)
                version = conn.execute(_VERSION_SQL).scalar()
                count, newest = conn.execute(_INVOICES_SQL).one()
            except SQLAlchemyError as exc:
                return _query_failed(exc, sqlite)
    except SQLAlchemyError as exc:  # the connection itself
        cause = getattr(exc, "orig", None) or exc
        if sqlite:
            return _sqlite_failed(cause)
        kind, reason = connect_failure(cause)
        return _failed(_SERVER_FAILURES[kind], reason)
    finally:
        engine.dispose()
    return DatabaseProof(True, str(version) if version is not None else None, _shop_day(newest),
                         int(count) if count is not None else None)


def _query_failed(exc: SQLAlchemyError, sqlite: bool) -> DatabaseProof:
    cause = getattr(exc, "orig", None) or exc
    reason = _first_line(cause)
    # A table or column PMV has is not there: "no such table/column" (SQLite), a ProgrammingError (servers).
    if isinstance(exc, ProgrammingError) or "no such" in reason.lower():
        return _failed(ProofProblem.NO_POS_TABLES, reason)
    if sqlite:
        return _sqlite_failed(cause)
    return _failed(ProofProblem.SERVER_ERROR, reason)


def _sqlite_failed(cause: BaseException) -> DatabaseProof:
    # "file is not a database", "malformed": the bytes are wrong; an OperationalError is about access to them.
    if isinstance(cause, sqlite3.DatabaseError) and not isinstance(cause, sqlite3.OperationalError):
        return _failed(ProofProblem.NOT_A_DATABASE, _first_line(cause))
    return _failed(ProofProblem.UNREADABLE, _first_line(cause))


def _first_line(error: BaseException) -> str:
    return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)


def _shop_day(value: object) -> dt.date | None:
    """The shop's day of a POS time (ISO text on SQLite, a timestamp on a server); None if unreadable."""
    if value is None:
        return None
    try:
        return to_shop_time(value).date()
    except (TypeError, ValueError):
        return None
