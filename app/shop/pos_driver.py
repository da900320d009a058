"""The drivers behind pos.url: which one each database needs, how it connects, what its errors mean.

Kept apart from the parsing of ``pos.url`` (app.shop.pos_url) because this
is about the drivers' behaviour: pymssql (FreeTDS inside, so nothing to
install on a till) for SQL Server, psycopg with its binary wheel (libpq
inside) for PostgreSQL, the standard library for SQLite.
"""

from __future__ import annotations

import enum
import importlib
import math
import re

from sqlalchemy import URL, create_engine
from sqlalchemy.engine import Engine

from app import APP_NAME
from app.shop.file_uri import file_uri
from app.shop.pos_url import PosUrlError, PosUrlProblem

# The module each supported backend imports: what the PyInstaller bundle must carry.
DRIVER_MODULES: dict[str, str] = {"mssql": "pymssql", "postgresql": "psycopg", "sqlite": "sqlite3"}


def ensure_driver(url: URL) -> None:
    """Import the driver ``url`` needs; :class:`PosUrlError` (missing driver) names it if absent.

    Imported rather than looked up: a wheel whose native library is missing
    is found by ``find_spec`` but still cannot connect.
    """
    module = DRIVER_MODULES.get(url.get_backend_name())
    if module is None:
        raise PosUrlError(PosUrlProblem.UNSUPPORTED_DATABASE, url.get_backend_name())
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise PosUrlError(PosUrlProblem.MISSING_DRIVER, f"{module} ({str(exc).splitlines()[0]})") from None


def pos_engine_for(url: URL) -> Engine:
    """An engine for the POS at ``url`` with the driver it needs and the connect options below; :class:`PosUrlError`
    (missing driver) if that driver cannot be imported.

    An SQLite file is opened read-only whatever form ``url`` names it in, and the timeouts ``url`` itself sets are
    held to the ones below (:func:`bounded_timeouts`)."""
    ensure_driver(url)  # a missing driver is a clear error, not an ImportError deep in SQLAlchemy
    url = guarded_url(url)
    return create_engine(url, connect_args=driver_options(url), pool_pre_ping=True)


def guarded_url(url: URL) -> URL:
    """``url`` as every reader of the POS opens it (the checks, the overview, the setup's proof): its timeouts held
    to the caps, an SQLite file read-only, PostgreSQL's read-only session kept beside the URL's own options."""
    return read_only_postgres(read_only_sqlite(bounded_timeouts(url)))


# Seconds.  FreeTDS retries the login once with an older TDS version when the
# first try times out, so a server that accepts TCP but never answers costs
# about 2 x LOGIN_TIMEOUT_S + 5 s: it must stay inside the connect check's timeout.
LOGIN_TIMEOUT_S = 4
QUERY_TIMEOUT_S = 10
# How long a read waits for the POS to release SQLite's write lock before SQLITE_BUSY.
SQLITE_BUSY_TIMEOUT_S = 5

# The longest wait a URL may ask of each driver, by URL query key.  A POS's own connection string often says
# 'Connect Timeout=30' (or 0, "wait for ever"): the driver would still be waiting when the check gives up, and the
# check would say 'unknown' instead of naming the server that does not answer.  A shorter wait is kept.
_TIMEOUT_CAPS: dict[str, dict[str, float]] = {
    "mssql": {"login_timeout": LOGIN_TIMEOUT_S, "timeout": QUERY_TIMEOUT_S},  # pymssql.connect()
    "postgresql": {"connect_timeout": LOGIN_TIMEOUT_S},  # libpq; 0 waits for ever
    "sqlite": {"timeout": SQLITE_BUSY_TIMEOUT_S},  # sqlite3.connect(); 0 does not wait at all
}


def bounded_timeouts(url: URL) -> URL:
    """``url`` with each timeout it sets held to at most the driver's cap above.

    A value that is not a number, negative, or (SQL Server, PostgreSQL) 0, which means no limit, becomes the
    cap.  The cap goes into the URL rather than the connect arguments: what the URL sets wins there.
    """
    backend = url.get_backend_name()
    caps = _TIMEOUT_CAPS.get(backend, {})
    query = dict(url.query)
    for key, value in url.query.items():
        cap = caps.get(key.lower())
        if cap is None:
            continue
        written = value if isinstance(value, str) else value[-1]
        try:
            seconds = float(written)
        except ValueError:
            seconds = -1.0
        if not (math.isfinite(seconds) and (0 < seconds <= cap or (seconds == 0 and backend == "sqlite"))):
            query[key] = f"{cap:g}"
    return url.set(query=query) if query != dict(url.query) else url


_TRUTHY = {"true", "yes", "on", "y", "t", "1"}  # what SQLAlchemy's asbool reads as true


def read_only_sqlite(url: URL) -> URL:
    """An SQLite ``url`` as a ``file:`` URI opened ``mode=ro``, the way ``pos.database`` is opened; other URLs as
    they are.

    ``sqlite:///C:\\PMV\\pmv.sqlite3`` in ``pos.url`` used to open the file read-write.  A path, Windows or
    POSIX, relative or absolute, with spaces or Vietnamese letters, becomes ``file:///...?mode=ro`` (percent-encoded;
    SQLite decodes it); a URI already written with ``uri=true`` keeps its other parameters and gets ``mode=ro``.
    An in-memory database has no file to protect.
    """
    if url.get_backend_name() != "sqlite":
        return url
    name = url.database or ""
    query = dict(url.query)
    is_uri = str(query.get("uri", "")).strip().lower() in _TRUTHY and name.startswith("file:")
    modes = [str(value).lower() for key, value in query.items() if key.lower() == "mode"]
    if not name or name == ":memory:" or (is_uri and ("memory" in modes or "mode=memory" in name.lower())):
        return url
    if is_uri:
        base, _, inner = name.partition("?")
        # SQLAlchemy appends the URL's own query to the name: parameters written inside the name move there.
        for pair in filter(None, inner.split("&")):
            key, _, value = pair.partition("=")
            query.setdefault(key, value)
        name = base
    else:
        name = file_uri(name)
    query = {key: value for key, value in query.items() if key.lower() != "mode"}
    query.update({"mode": "ro", "uri": "true"})
    return url.set(database=name, query=query)


_PG_SESSION = f"-c default_transaction_read_only=on -c statement_timeout={QUERY_TIMEOUT_S}s"


def read_only_postgres(url: URL) -> URL:
    """A PostgreSQL ``url`` whose own libpq ``options`` (a search_path, say) would replace the read-only session
    settings in :func:`driver_options`: the settings are added to them, after them, so they win."""
    if url.get_backend_name() != "postgresql":
        return url
    key = next((k for k in url.query if k.lower() == "options"), None)
    if key is None:
        return url
    value = url.query[key]
    own = value if isinstance(value, str) else " ".join(value)
    return url.set(query={**url.query, key: f"{own} {_PG_SESSION}".strip()})


def driver_options(url: URL) -> dict[str, object]:
    """Connect arguments that keep a read of the POS short and harmless.

    Timeouts, so an unreachable server is a clear failure rather than a check
    timing out; the app's name, so the shop's DBA sees who is connected; on
    PostgreSQL, read-only transactions, so this app cannot change the books
    even through a login that could.  What the URL itself sets wins.
    """
    backend = url.get_backend_name()
    query = {key.lower() for key in url.query}
    options: dict[str, object] = {}
    if backend == "sqlite":
        options["timeout"] = SQLITE_BUSY_TIMEOUT_S
    elif backend == "mssql":
        options.update({"login_timeout": LOGIN_TIMEOUT_S, "timeout": QUERY_TIMEOUT_S, "appname": APP_NAME})
    elif backend == "postgresql":
        options.update({
            "connect_timeout": LOGIN_TIMEOUT_S,
            "application_name": APP_NAME,
            "options": _PG_SESSION,
        })
    return {key: value for key, value in options.items() if key not in query}


class ConnectFailure(enum.StrEnum):
    UNREACHABLE = "unreachable"  # nothing answers at that address (server off, network, firewall, TCP/IP off)
    LOGIN = "login"  # the server refused the user name or password
    NO_DATABASE = "no_database"  # the login works but that database is not there (or not open to it)
    OTHER = "other"


# pymssql (DB-Library) message numbers: 20009 unable to connect, 20003 timed out,
# 20002 connection failed; SQL Server's own: 18456 login failed, 4060 cannot open database.
_MSSQL_CODES = {20009: ConnectFailure.UNREACHABLE, 20003: ConnectFailure.UNREACHABLE,
                20002: ConnectFailure.UNREACHABLE, 18456: ConnectFailure.LOGIN, 4060: ConnectFailure.NO_DATABASE}
# PostgreSQL SQLSTATEs: 28P01 / 28000 authentication, 3D000 invalid catalog name.  libpq gives
# no SQLSTATE for a refused connection, so the server's (English) words are read as well; a server
# speaking another language falls back to OTHER, still with its own message.
_PG_STATES = {"28P01": ConnectFailure.LOGIN, "28000": ConnectFailure.LOGIN, "3D000": ConnectFailure.NO_DATABASE}
_PG_NOISE = re.compile(r'^(connection failed: )?(connection to server at "[^"]*"(, port \d+)? failed: )?(FATAL: )?')
_PG_WORDS = (
    (re.compile(r'database ".*" does not exist'), ConnectFailure.NO_DATABASE),
    (re.compile(r'role ".*" does not exist|password authentication failed|no pg_hba\.conf entry'),
     ConnectFailure.LOGIN),
    (re.compile(r"connection refused|timeout expired|could not translate host name|no route to host",
                re.IGNORECASE), ConnectFailure.UNREACHABLE),
)
_DBLIB_HEADER = re.compile(r"DB-Lib error message \d+, severity \d+:", re.IGNORECASE)


def connect_failure(error: BaseException) -> tuple[ConnectFailure, str]:
    """What a driver's connection error means, and its message as one readable line."""
    args = getattr(error, "args", ())
    if args and isinstance(args[0], tuple) and len(args[0]) == 2:  # pymssql: ((number, b"messages"),)
        number, raw = args[0]
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        # "Login failed for user 'sa'.DB-Lib error message 20018, severity 14:\nGeneral SQL Server error..."
        lines = [line.strip() for line in _DBLIB_HEADER.sub("\n", text).splitlines() if line.strip()]
        kind = _MSSQL_CODES.get(number, ConnectFailure.OTHER) if isinstance(number, int) else ConnectFailure.OTHER
        if kind is ConnectFailure.OTHER and any("login failed" in line.lower() for line in lines):
            kind = ConnectFailure.LOGIN
        # "Net-Lib error during Connection refused (111)" repeats the line before it in OS terms.
        useful = [line for line in lines if not line.lower().startswith("net-lib error")] or lines
        return kind, useful[0] if useful else str(number)
    text = str(error).strip()
    state = getattr(error, "sqlstate", None)
    kind = _PG_STATES.get(str(state), ConnectFailure.OTHER)
    if kind is ConnectFailure.OTHER:
        kind = next((found for pattern, found in _PG_WORDS if pattern.search(text)), ConnectFailure.OTHER)
    line = next((part.strip() for part in text.splitlines() if part.strip()), type(error).__name__)
    # 'connection failed: connection to server at "h", port 5432 failed: FATAL:  role "x" does not exist':
    # the check names the server itself, so only the last part says something.
    return kind, _PG_NOISE.sub("", " ".join(line.split())) or line
