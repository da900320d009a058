"""``pos.url`` as a technician writes it, turned into a URL for a driver this app ships.

Two forms are accepted:

- an SQLAlchemy URL: ``mssql+pymssql://user:password@host:1433/PMV``,
  ``postgresql://user:password@host:5432/PMV`` or ``sqlite:///path``.  Any
  SQL Server driver name (``mssql://``, ``mssql+pyodbc://``) is read as
  ``mssql+pymssql`` and any PostgreSQL one (``postgres://``,
  ``postgresql+psycopg2://``) as ``postgresql+psycopg``: the app ships those
  two drivers, both wheels that need nothing else installed (pymssql carries
  FreeTDS, psycopg[binary] carries libpq);
- a connection string as ODBC and ADO.NET write it, which is what a
  technician copies from the POS's own configuration:
  ``Server=host\\instance,port;Database=PMV;User Id=...;Password=...``, with
  the synonyms ``Data Source``, ``Address``, ``Addr``, ``Network Address``,
  ``Initial Catalog``, ``UID``, ``User``, ``PWD`` (Microsoft's
  SqlConnection.ConnectionString keyword table and the SQL Server ODBC
  keyword list).  A string whose ``Driver`` names PostgreSQL, or that uses
  Npgsql's ``Host`` keyword, is read as PostgreSQL.

Windows logins (``Trusted_Connection=yes``, ``Integrated Security=SSPI``)
are refused: FreeTDS would need SSPI, Kerberos or NTLM set up on every till
to log in as the Windows user, and a read-only SQL login is the safer way
for a support tool to read the shop's books anyway.  Every refusal is a
:class:`PosUrlError` carrying a :class:`PosUrlProblem` code and the
offending part (never a password); the health check words it.
"""

from __future__ import annotations

import enum
import re

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from pmv_protocol.digits import ascii_digits

MSSQL_DRIVER = "mssql+pymssql"
POSTGRES_DRIVER = "postgresql+psycopg"


class PosUrlProblem(enum.StrEnum):
    MALFORMED = "malformed"  # neither a URL nor keyword=value pairs, or a bad part of one
    FILE_PATH = "file_path"  # a file path: it belongs in pos.database
    UNSUPPORTED_DATABASE = "unsupported_database"  # MySQL, Oracle, ...
    WINDOWS_LOGIN = "windows_login"  # Trusted_Connection / Integrated Security
    MISSING_LOGIN = "missing_login"  # SQL Server without a user name
    MISSING_DATABASE = "missing_database"
    DSN = "dsn"  # an ODBC data source name: its settings live in the Windows registry
    PROTOCOL = "protocol"  # named pipes, shared memory, LocalDB: FreeTDS speaks TCP only
    MISSING_DRIVER = "missing_driver"  # the driver module is not installed (a broken install)


class Flaw(enum.StrEnum):
    """What exactly is malformed (with :attr:`PosUrlProblem.MALFORMED`)."""

    EMPTY = "empty"
    NOT_A_URL = "not_a_url"  # no "://" and no "key=value"
    BAD_URL = "bad_url"  # SQLAlchemy cannot parse it; detail: its reason
    NO_EQUALS = "no_equals"  # a part without '='; detail: the key before it (never the part: it may be a password)
    EMPTY_KEY = "empty_key"
    TWICE = "twice"  # one key (or two synonyms) with two values; detail: the key
    UNCLOSED = "unclosed"  # {..., "... or '... not closed; detail: the key
    TRAILING = "trailing"  # text after a closing brace or quote; detail: the key
    BAD_FLAG = "bad_flag"  # Trusted_Connection=maybe; detail: key=value
    BAD_PORT = "bad_port"  # detail: the port as written


class PosUrlError(ValueError):
    """``pos.url`` cannot be used.

    ``detail`` names the part at fault and never holds a password;
    ``flaw`` says what is malformed when ``problem`` is MALFORMED.
    """

    def __init__(self, problem: PosUrlProblem, detail: str = "", flaw: Flaw | None = None) -> None:
        super().__init__(" ".join(part for part in (problem.value, flaw.value if flaw else "", detail) if part))
        self.problem = problem
        self.detail = detail
        self.flaw = flaw


def _malformed(flaw: Flaw, detail: str = "") -> PosUrlError:
    return PosUrlError(PosUrlProblem.MALFORMED, detail, flaw)


# --- connection strings (ODBC / ADO.NET) --------------------------------------

# Synonyms -> one canonical key.  SqlClient's keyword table (and its
# DbConnectionStringSynonyms), the SQL Server ODBC keyword list, and Npgsql's
# Host/Username for PostgreSQL strings.
_SYNONYMS: dict[str, str] = {
    "server": "server", "data source": "server", "address": "server", "addr": "server",
    "network address": "server", "host": "server",
    "database": "database", "initial catalog": "database",
    "uid": "user", "user id": "user", "user": "user", "username": "user", "user name": "user",
    "pwd": "password", "password": "password",
    "trusted_connection": "integrated", "integrated security": "integrated",
    "authentication": "authentication",
    "encrypt": "encrypt", "port": "port", "driver": "driver", "provider": "provider",
    "ssl mode": "sslmode", "sslmode": "sslmode",
    "dsn": "dsn", "filedsn": "dsn",
    "connect timeout": "timeout", "connection timeout": "timeout", "timeout": "timeout",
    "connecttimeout": "timeout",
}  # fmt: skip
_TRUE = {"yes", "true", "sspi"}  # 'sspi' is SqlClient's recommended "true" for Integrated Security
_FALSE = {"no", "false"}
_URL_START = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.\-]*://")
_PATH_LIKE = re.compile(r"^\s*([A-Za-z]:[\\/]|\\\\|/|\.{1,2}[\\/])|\.(db|sqlite3?|mdf|ldf)\s*$", re.IGNORECASE)


def parse_connection_string(text: str) -> dict[str, str]:
    """``key=value;...`` pairs, keys lower-cased with their spaces collapsed.

    Values may be wrapped in ``{...}`` (ODBC; ``}}`` is a literal ``}``) or in
    ``"..."`` / ``'...'`` (ADO.NET; the quote doubled inside is literal), and
    then hold ``;``.  Unwrapped values are trimmed.  A key given twice with
    two different values is refused rather than guessed at: ODBC and ADO.NET
    do not agree on which one wins.
    """
    pairs: dict[str, str] = {}
    previous = ""
    i, n = 0, len(text)
    while i < n:
        if text[i] in "; \t\r\n":
            i += 1
            continue
        eq = text.find("=", i)
        semi = text.find(";", i)
        if eq < 0 or (0 <= semi < eq):
            raise _malformed(Flaw.NO_EQUALS, previous)
        key = " ".join(text[i:eq].split()).lower()
        if not key:
            raise _malformed(Flaw.EMPTY_KEY, previous)
        value, i = _read_value(text, eq + 1, key)
        if key in pairs and pairs[key] != value:
            raise _malformed(Flaw.TWICE, key)
        pairs[key] = value
        previous = key
    return pairs


def _read_value(text: str, start: int, key: str) -> tuple[str, int]:
    """The value starting at ``start`` (after '='), and where the next pair starts."""
    j = start
    while j < len(text) and text[j] in " \t":
        j += 1
    opener = text[j] if j < len(text) else ""
    closer = {"{": "}", '"': '"', "'": "'"}.get(opener)
    if closer is None:
        end = text.find(";", start)
        end = len(text) if end < 0 else end
        return text[start:end].strip(), end + 1
    chars: list[str] = []
    k = j + 1
    while k < len(text):
        if text[k] == closer:
            if text[k + 1:k + 2] == closer:  # doubled: a literal closer
                chars.append(closer)
                k += 2
                continue
            rest = text.find(";", k + 1)
            rest = len(text) if rest < 0 else rest
            if text[k + 1:rest].strip():
                raise _malformed(Flaw.TRAILING, key)
            return "".join(chars), rest + 1
        chars.append(text[k])
        k += 1
    raise _malformed(Flaw.UNCLOSED, key)


def _canonical(pairs: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs.items():
        name = _SYNONYMS.get(key)
        if name is None:
            continue  # Application Name, MultipleActiveResultSets, ...: nothing a read needs
        if name in out and out[name] != value:
            raise _malformed(Flaw.TWICE, key)
        out[name] = value
    return out


def _flag(pairs: dict[str, str], key: str, written: str) -> bool:
    value = pairs.get(key, "").strip().lower()
    if not value or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise _malformed(Flaw.BAD_FLAG, f"{written}={pairs[key]}")


def _port(value: str) -> int:
    value = value.strip()
    if not ascii_digits(value) or not 0 < int(value) < 65536:
        raise _malformed(Flaw.BAD_PORT, value)
    return int(value)


def _sql_server_host(server: str) -> tuple[str, int | None]:
    """``[tcp:]host[\\instance][,port]`` (the SQL Server ODBC Server keyword) -> (host, port).

    With a port the instance name is not needed (it only serves to find the
    port); without one, ``host\\instance`` goes to FreeTDS, which asks the
    SQL Server Browser service for the port.
    """
    value = server.strip()
    prefix, colon, rest = value.partition(":")
    if colon and prefix.lower() in ("tcp", "np", "lpc", "admin"):
        if prefix.lower() != "tcp":
            raise PosUrlError(PosUrlProblem.PROTOCOL, value)
        value = rest.strip()
    if value.lower().startswith("(localdb)"):
        raise PosUrlError(PosUrlProblem.PROTOCOL, value)
    host, comma, port_text = value.partition(",")
    port = _port(port_text) if comma else None
    name, backslash, instance = host.strip().partition("\\")
    if name.strip().lower() in ("", ".", "(local)", "(localhost)"):
        name = "localhost"  # the ODBC keyword list's names for the local default instance
    if backslash and port is None:
        return f"{name.strip()}\\{instance.strip()}", None
    return name.strip(), port


def _from_connection_string(text: str) -> URL:
    raw = parse_connection_string(text)
    pairs = _canonical(raw)
    if "dsn" in pairs:
        raise PosUrlError(PosUrlProblem.DSN, pairs["dsn"])
    driver = f"{pairs.get('driver', '')} {pairs.get('provider', '')}".lower()
    # Npgsql (PostgreSQL's ADO.NET provider) writes Host=; SQL Server's keywords never do.
    is_postgres = "postgres" in driver or "npgsql" in driver or ("host" in raw and "sql server" not in driver)
    database = pairs.get("database", "").strip()
    timeout = pairs.get("timeout", "").strip()
    if is_postgres:
        if not database:
            raise PosUrlError(PosUrlProblem.MISSING_DATABASE, "Database=")
        return _postgres_from_pairs(pairs, database, timeout)
    # The login first: a Windows login is the bigger change to ask of the technician.
    if _flag(pairs, "integrated", "Trusted_Connection"):
        raise PosUrlError(PosUrlProblem.WINDOWS_LOGIN, "Trusted_Connection / Integrated Security")
    method = " ".join(pairs.get("authentication", "").lower().split())
    if method and method not in ("sqlpassword", "sql password"):
        raise PosUrlError(PosUrlProblem.WINDOWS_LOGIN, f"Authentication={pairs['authentication']}")
    user = pairs.get("user", "").strip()
    if not user:
        raise PosUrlError(PosUrlProblem.MISSING_LOGIN, "User Id=")
    if not database:
        raise PosUrlError(PosUrlProblem.MISSING_DATABASE, "Database=")
    host, port = _sql_server_host(pairs.get("server", ""))
    if port is None and pairs.get("port", "").strip() and "\\" not in host:
        port = _port(pairs["port"])
    query: dict[str, str] = {}
    if _encrypt_required(pairs.get("encrypt", "")):
        query["encryption"] = "require"
    if ascii_digits(timeout):
        query["login_timeout"] = timeout
    return URL.create(MSSQL_DRIVER, username=user, password=pairs.get("password") or None,
                      host=host, port=port, database=database, query=query)


def _postgres_from_pairs(pairs: dict[str, str], database: str, timeout: str) -> URL:
    """Npgsql's (or the PostgreSQL ODBC driver's) keywords as a libpq URL."""
    server = pairs.get("server", "").strip() or "localhost"
    port_text = pairs.get("port", "").strip()
    host, colon, tail = server.rpartition(":")
    if colon and ascii_digits(tail) and "]" not in tail:  # Npgsql: "Host may also carry the port", db:5433
        server, port_text = host, port_text or tail
    query: dict[str, str] = {"connect_timeout": timeout} if ascii_digits(timeout) else {}
    mode = pairs.get("sslmode", "").strip().lower()
    if mode:
        # Npgsql writes VerifyCA / VerifyFull where libpq writes verify-ca / verify-full.
        query["sslmode"] = {"verifyca": "verify-ca", "verifyfull": "verify-full"}.get(mode, mode)
    return URL.create(POSTGRES_DRIVER, username=pairs.get("user") or None, password=pairs.get("password") or None,
                      host=server, port=_port(port_text) if port_text else None, database=database, query=query)


def _encrypt_required(value: str) -> bool:
    # ODBC Driver 18: yes/mandatory/strict encrypt; no/optional leave it to the server.
    # FreeTDS never checks the certificate unless told to, so TrustServerCertificate
    # has nothing to switch off.
    return value.strip().lower() in ("yes", "true", "mandatory", "strict")


# --- SQLAlchemy URLs ----------------------------------------------------------

# pymssql.connect() keywords a URL's query may carry through to the driver.
_PYMSSQL_QUERY = ("login_timeout", "timeout", "charset", "tds_version", "encryption", "appname")


def _from_url(text: str) -> URL:
    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError) as exc:
        raise _malformed(Flaw.BAD_URL, str(exc).splitlines()[0]) from None
    backend, _, driver = url.drivername.partition("+")
    backend = backend.lower()
    if backend == "sqlite":
        return url
    if backend in ("postgresql", "postgres"):
        if not url.database:
            raise PosUrlError(PosUrlProblem.MISSING_DATABASE, url.render_as_string())
        return url.set(drivername=POSTGRES_DRIVER)
    if backend != "mssql":
        raise PosUrlError(PosUrlProblem.UNSUPPORTED_DATABASE, backend)
    query = {key.lower(): value for key, value in url.query.items()}
    odbc = query.get("odbc_connect")
    if odbc:
        return _from_connection_string(odbc if isinstance(odbc, str) else odbc[-1])
    pyodbc_rules = driver.lower() in ("", "pyodbc", "aioodbc", "mssqlpython")
    if pyodbc_rules and url.host and not url.database and "driver" not in query:
        # SQLAlchemy's pyodbc dialect reads a host with no database as an ODBC DSN name.
        raise PosUrlError(PosUrlProblem.DSN, url.host)
    flags = {key: str(value) for key, value in query.items()}
    if _flag(flags, "trusted_connection", "Trusted_Connection") or _flag(
            flags, "integrated security", "Integrated Security"):
        raise PosUrlError(PosUrlProblem.WINDOWS_LOGIN, "Trusted_Connection")
    if not url.username:
        # pyodbc logs in as the Windows user when the URL names none.
        problem = PosUrlProblem.WINDOWS_LOGIN if pyodbc_rules else PosUrlProblem.MISSING_LOGIN
        raise PosUrlError(problem, url.render_as_string())
    if not url.database:
        raise PosUrlError(PosUrlProblem.MISSING_DATABASE, url.render_as_string())
    kept = {key: value for key, value in query.items() if key in _PYMSSQL_QUERY}
    if "encryption" not in kept and _encrypt_required(str(query.get("encrypt", ""))):
        kept["encryption"] = "require"
    host, port = _sql_server_host(url.host or "")
    return url.set(drivername=MSSQL_DRIVER, host=host, port=url.port or port, query=kept)


# --- the public face ----------------------------------------------------------

def to_sqlalchemy_url(text: str) -> URL:
    """``pos.url`` as the URL of a shipped driver; :class:`PosUrlError` if it cannot be used."""
    if not text.strip():
        raise _malformed(Flaw.EMPTY)
    if _URL_START.match(text):
        return _from_url(text)
    if "=" in text:
        return _from_connection_string(text)
    if _PATH_LIKE.search(text):
        raise PosUrlError(PosUrlProblem.FILE_PATH, text.strip())
    raise _malformed(Flaw.NOT_A_URL)
