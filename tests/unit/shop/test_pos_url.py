"""pos.url: SQLAlchemy URLs and ODBC / ADO.NET connection strings, to the URL of a shipped driver.

The tables are built from the documents that define these forms; each case
names its source:

[SqlClient]  Microsoft, SqlConnection.ConnectionString (dotnet/SqlClient,
             doc/snippets/Microsoft.Data.SqlClient/SqlConnection.xml): keyword
             table (Data Source | Server | Address | Addr | Network Address;
             Initial Catalog | Database; User ID | UID; Password | PWD;
             Integrated Security | Trusted_Connection with true/yes/sspi;
             Connect Timeout | Connection Timeout | Timeout), "keywords are not
             case sensitive", values quoted with " or ' to hold ; and the
             quote doubled inside.
[Synonyms]   dotnet/SqlClient DbConnectionStringSynonyms.cs (addr, address,
             network address, server, uid, user, pwd, trusted_connection ...).
[ODBC]       Microsoft, "Using Connection String Keywords with SQL Server
             Native Client" (the ODBC keyword table the ODBC Driver for SQL
             Server links to): attribute-value in {braces}; Server=
             [protocol:]Server[,port], protocol tcp | lpc | np; "\\InstanceName";
             Server=; Server=. and Server=(local) for the local default
             instance; (localdb); DSN; Trusted_Connection=yes; UID, PWD.
[ODBC18]     Microsoft, "DSN and Connection String Keywords and Attributes"
             (ODBC Driver 18): Encrypt yes|mandatory|no|optional|strict.
[Npgsql]     npgsql.org, Connection String Parameters: Host (optionally with
             the port), Port, Database, Username, Password, SSL Mode.
[SQLAlchemy] SQLAlchemy 2 mssql+pyodbc dialect docs: a host with no database
             and no driver is a DSN; odbc_connect passes an ODBC string;
             mssql+pymssql://user:password@host:port/db.
[Issue 18]   the string from the issue, as a technician copies it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import URL

from app.shop.pos_url import Flaw, PosUrlError, PosUrlProblem, parse_connection_string, to_sqlalchemy_url

SECRET = "Kh0!Vang#2026"


def _parts(url: URL) -> tuple[str, str | None, str | None, str | None, int | None, str | None, dict[str, str]]:
    return (url.drivername, url.username, url.password, url.host, url.port, url.database,
            {key: str(value) for key, value in url.query.items()})


# (source, written, (driver, user, password, host, port, database, query))
ACCEPTED = [
    ("[SqlClient] Server/Database/User ID/Password",
     f"Server=192.168.1.10;Database=PMV;User ID=pmv_doc;Password={SECRET}",
     ("mssql+pymssql", "pmv_doc", SECRET, "192.168.1.10", None, "PMV", {})),
    ("[SqlClient] Data Source/Initial Catalog synonyms; keywords not case sensitive",
     f"data source=POS-SERVER;INITIAL CATALOG=PMV;user id=pmv_doc;PASSWORD={SECRET}",
     ("mssql+pymssql", "pmv_doc", SECRET, "POS-SERVER", None, "PMV", {})),
    ("[Synonyms] Address / UID / PWD", f"Address=10.0.0.5;Database=PMV;UID=sa;PWD={SECRET}",
     ("mssql+pymssql", "sa", SECRET, "10.0.0.5", None, "PMV", {})),
    ("[Synonyms] Addr and User", "Addr=10.0.0.5;Database=PMV;User=sa;Pwd=x",
     ("mssql+pymssql", "sa", "x", "10.0.0.5", None, "PMV", {})),
    ("[Synonyms] Network Address", "Network Address=srv;Initial Catalog=PMV;Uid=sa;Pwd=x",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[ODBC] Server=host,port", "Server=192.168.1.10,1500;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "192.168.1.10", 1500, "PMV", {})),
    ("[ODBC] \\InstanceName: FreeTDS asks SQL Server Browser for the port",
     "Server=POS-SERVER\\SQLEXPRESS;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "POS-SERVER\\SQLEXPRESS", None, "PMV", {})),
    ("[ODBC] instance and port: the port is enough", "Server=POS-SERVER\\SQLEXPRESS,1433;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "POS-SERVER", 1433, "PMV", {})),
    ("[ODBC] tcp: protocol prefix", "Server=tcp:pos.kimphat.vn,1433;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "pos.kimphat.vn", 1433, "PMV", {})),
    ("[ODBC] Server=. is the local default instance", "Server=.;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "localhost", None, "PMV", {})),
    ("[ODBC] Server=(local)\\SQLEXPRESS", "Server=(local)\\SQLEXPRESS;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "localhost\\SQLEXPRESS", None, "PMV", {})),
    ("[ODBC] Server= (empty) is the local default instance", "Server=;Database=PMV;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "localhost", None, "PMV", {})),
    ("[ODBC] braces hold ; and '}}' is a literal }", "Server=srv;Database=PMV;UID=sa;PWD={Kh0;Vang}}26}",
     ("mssql+pymssql", "sa", "Kh0;Vang}26", "srv", None, "PMV", {})),
    ("[ODBC] Driver named (ours replaces it)",
     "DRIVER={ODBC Driver 17 for SQL Server};SERVER=srv;DATABASE=PMV;UID=sa;PWD=x;",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[SqlClient] double quotes hold ; and a doubled quote is literal",
     'Server=srv;Database=PMV;User Id=sa;Password="a;b""c"',
     ("mssql+pymssql", "sa", 'a;b"c', "srv", None, "PMV", {})),
    ("[SqlClient] single quotes hold a double quote", "Server=srv;Database=PMV;User Id=sa;Password='say \"hi\"; ok'",
     ("mssql+pymssql", "sa", 'say "hi"; ok', "srv", None, "PMV", {})),
    ("[SqlClient] spaces around keys and values are ignored", "  Server = srv ; Database = PMV ; User Id = sa ; "
     "Password = x ;", ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[SqlClient] Integrated Security=false means the SQL login",
     "Server=srv;Database=PMV;Integrated Security=false;User Id=sa;Password=x",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[ODBC] Trusted_Connection=no means the SQL login", "Server=srv;Database=PMV;Trusted_Connection=no;UID=sa;PWD=x",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[SqlClient] Connect Timeout -> pymssql login_timeout", "Server=srv;Database=PMV;UID=sa;PWD=x;Connect Timeout=7",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {"login_timeout": "7"})),
    ("[ODBC18] Encrypt=yes -> FreeTDS encryption=require",
     "Server=srv;Database=PMV;UID=sa;PWD=x;Encrypt=yes;TrustServerCertificate=yes",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {"encryption": "require"})),
    ("[ODBC18] Encrypt=strict requires encryption too", "Server=srv;Database=PMV;UID=sa;PWD=x;Encrypt=strict",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {"encryption": "require"})),
    ("[ODBC18] Encrypt=optional leaves it to the server", "Server=srv;Database=PMV;UID=sa;PWD=x;Encrypt=optional",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[SqlClient] keys a read does not need are ignored",
     "Server=srv;Database=PMV;UID=sa;PWD=x;Application Name=PMV;"
     "MultipleActiveResultSets=True;Persist Security Info=False",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[Npgsql] Host/Port/Database/Username/Password", f"Host=db;Port=5433;Database=pmv;Username=pmv;Password={SECRET}",
     ("postgresql+psycopg", "pmv", SECRET, "db", 5433, "pmv", {})),
    ("[Npgsql] Host with the port", "Host=db:5433;Database=pmv;Username=pmv",
     ("postgresql+psycopg", "pmv", None, "db", 5433, "pmv", {})),
    ("[Npgsql] SSL Mode=VerifyFull -> libpq sslmode=verify-full", "Host=db;Database=pmv;Username=u;SSL Mode=VerifyFull",
     ("postgresql+psycopg", "u", None, "db", None, "pmv", {"sslmode": "verify-full"})),
    ("[ODBC] a Driver naming PostgreSQL", "Driver={PostgreSQL Unicode};Server=db;Port=5432;Database=pmv;Uid=u;Pwd=x",
     ("postgresql+psycopg", "u", "x", "db", 5432, "pmv", {})),
    ("[SQLAlchemy] mssql+pymssql kept", f"mssql+pymssql://pmv_doc:{SECRET.replace('#', '%23')}@srv:1433/PMV",
     ("mssql+pymssql", "pmv_doc", SECRET, "srv", 1433, "PMV", {})),
    ("[SQLAlchemy] mssql+pyodbc hostname form -> the shipped driver, ODBC-only options dropped",
     "mssql+pyodbc://sa:x@192.168.1.10:1433/PMV?driver=ODBC+Driver+17+for+SQL+Server&TrustServerCertificate=yes",
     ("mssql+pymssql", "sa", "x", "192.168.1.10", 1433, "PMV", {})),
    ("[SQLAlchemy] mssql:// (no driver) -> pymssql", "mssql://sa:x@srv/PMV?driver=SQL+Server",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {})),
    ("[SQLAlchemy] instance name in the host", "mssql+pyodbc://sa:x@SRV\\SQLEXPRESS/PMV?driver=ODBC+Driver+18+for+SQL+Server",
     ("mssql+pymssql", "sa", "x", "SRV\\SQLEXPRESS", None, "PMV", {})),
    ("[SQLAlchemy] odbc_connect carries an ODBC string",
     "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC+Driver+17+for+SQL+Server%7D%3BSERVER%3D192.168.1.10"
     "%3BDATABASE%3DPMV%3BUID%3Dsa%3BPWD%3D%7BKh0%3BVang%7D",
     ("mssql+pymssql", "sa", "Kh0;Vang", "192.168.1.10", None, "PMV", {})),
    ("[SQLAlchemy] pymssql query options kept", "mssql+pymssql://sa:x@srv/PMV?login_timeout=3&tds_version=7.4",
     ("mssql+pymssql", "sa", "x", "srv", None, "PMV", {"login_timeout": "3", "tds_version": "7.4"})),
    ("[SQLAlchemy] postgresql:// -> the shipped psycopg", "postgresql://pmv:x@db/pmv",
     ("postgresql+psycopg", "pmv", "x", "db", None, "pmv", {})),
    ("[SQLAlchemy] postgres:// (libpq's alias) too, libpq options kept", "postgres://pmv@db:5432/pmv?sslmode=disable",
     ("postgresql+psycopg", "pmv", None, "db", 5432, "pmv", {"sslmode": "disable"})),
    ("[SQLAlchemy] another PostgreSQL driver name", "postgresql+psycopg2://pmv:x@db/pmv",
     ("postgresql+psycopg", "pmv", "x", "db", None, "pmv", {})),
    ("[SQLAlchemy] sqlite kept as written", "sqlite:////srv/pmv/pmv.sqlite3",
     ("sqlite", None, None, None, None, "/srv/pmv/pmv.sqlite3", {})),
]


@pytest.mark.parametrize(("source", "written", "expected"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_accepted_forms(source: str, written: str, expected: tuple) -> None:
    assert _parts(to_sqlalchemy_url(written)) == expected


# (source, written, problem, flaw, detail)
REFUSED = [
    ("[Issue 18] the technician's string: a Windows login",
     "Server=POS-SERVER\\SQLEXPRESS;Database=PMV;Trusted_Connection=yes", PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[SqlClient] Integrated Security=SSPI", "Data Source=(local);Initial Catalog=PMV;Integrated Security=SSPI",
     PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[SqlClient] Integrated Security=true wins over a user and password",
     "Server=srv;Database=PMV;Integrated Security=true;User Id=sa;Password=x", PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[ODBC18] Authentication=ActiveDirectoryIntegrated",
     "Server=srv;Database=PMV;Authentication=ActiveDirectoryIntegrated",
     PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[SQLAlchemy] pyodbc with no user logs in as Windows", "mssql+pyodbc://srv/PMV?driver=ODBC+Driver+17+for+SQL+Server",
     PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[SQLAlchemy] Trusted_Connection in a pyodbc URL",
     "mssql+pyodbc://sa@srv/PMV?driver=SQL+Server&Trusted_Connection=yes", PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[ODBC] UID missing and no Windows login", "Server=srv;Database=PMV;PWD=x", PosUrlProblem.MISSING_LOGIN,
     None, None),
    ("[SQLAlchemy] pymssql URL without a user", "mssql+pymssql://srv/PMV", PosUrlProblem.MISSING_LOGIN, None, None),
    ("[ODBC] no Database", "Server=srv;UID=sa;PWD=x", PosUrlProblem.MISSING_DATABASE, None, None),
    ("[Issue 18] no Database and a Windows login: the login is named first", "Server=.;Trusted_Connection=yes",
     PosUrlProblem.WINDOWS_LOGIN, None, None),
    ("[Npgsql] no Database", "Host=db;Username=u", PosUrlProblem.MISSING_DATABASE, None, None),
    ("[SQLAlchemy] postgresql URL without a database", "postgresql://pmv:x@db", PosUrlProblem.MISSING_DATABASE, None,
     None),
    ("[ODBC] DSN", "DSN=PMV;UID=sa;PWD=x", PosUrlProblem.DSN, None, "PMV"),
    ("[ODBC] FileDSN", "FileDSN=C:\\pmv.dsn;UID=sa", PosUrlProblem.DSN, None, "C:\\pmv.dsn"),
    ("[SQLAlchemy] pyodbc host with no database and no driver is a DSN", "mssql+pyodbc://sa:x@PMV_DSN",
     PosUrlProblem.DSN, None, "PMV_DSN"),
    ("[ODBC] np: named pipes", "Server=np:\\\\.\\pipe\\MSSQL$PMV\\sql\\query;Database=PMV;UID=sa;PWD=x",
     PosUrlProblem.PROTOCOL, None, None),
    ("[ODBC] lpc: shared memory", "Server=lpc:(local);Database=PMV;UID=sa;PWD=x", PosUrlProblem.PROTOCOL, None, None),
    ("[ODBC] (localdb)", "Server=(localdb)\\MSSQLLocalDB;Database=PMV;UID=sa;PWD=x", PosUrlProblem.PROTOCOL,
     None, None),
    ("unsupported database", "mysql://u:x@db/pmv", PosUrlProblem.UNSUPPORTED_DATABASE, None, "mysql"),
    ("a Windows path typed into pos.url", "C:\\PMV\\Data\\pmv.sqlite3", PosUrlProblem.FILE_PATH, None,
     "C:\\PMV\\Data\\pmv.sqlite3"),
    ("a UNC path", "\\\\POS-SERVER\\PMV\\pmv.db", PosUrlProblem.FILE_PATH, None, "\\\\POS-SERVER\\PMV\\pmv.db"),
    ("empty", "   ", PosUrlProblem.MALFORMED, Flaw.EMPTY, None),
    ("neither URL nor pairs", "POS-SERVER", PosUrlProblem.MALFORMED, Flaw.NOT_A_URL, None),
    ("[SQLAlchemy] unparseable port", "mssql+pymssql://sa:x@srv:abc/PMV", PosUrlProblem.MALFORMED, Flaw.BAD_URL, None),
    ("[ODBC] a part without '=': an unbraced ';' inside a password",
     "Server=srv;Database=PMV;UID=sa;PWD=ab;cd;", PosUrlProblem.MALFORMED, Flaw.NO_EQUALS, "pwd"),
    ("[ODBC] an unclosed brace", "Server=srv;Database=PMV;UID=sa;PWD={abc", PosUrlProblem.MALFORMED, Flaw.UNCLOSED,
     "pwd"),
    ("[SqlClient] an unclosed quote", "Server=srv;Database=\"PMV;UID=sa", PosUrlProblem.MALFORMED, Flaw.UNCLOSED,
     "database"),
    ("[ODBC] text after the closing brace", "Server=srv;Database=PMV;UID=sa;PWD={ab}c", PosUrlProblem.MALFORMED,
     Flaw.TRAILING, "pwd"),
    ("one key twice with two values", "Server=a;Server=b;Database=PMV;UID=sa", PosUrlProblem.MALFORMED, Flaw.TWICE,
     "server"),
    ("[Synonyms] two synonyms with two values", "Server=a;Data Source=b;Database=PMV;UID=sa", PosUrlProblem.MALFORMED,
     Flaw.TWICE, None),
    ("[ODBC] a bad port", "Server=srv,99999;Database=PMV;UID=sa;PWD=x", PosUrlProblem.MALFORMED, Flaw.BAD_PORT,
     "99999"),
    # "²" passes str.isdigit() but int() refuses it: it raised ValueError instead of this refusal.
    ("[ODBC] a port in superscript digits", "Server=srv,1²;Database=PMV;UID=sa;PWD=x", PosUrlProblem.MALFORMED,
     Flaw.BAD_PORT, "1²"),
    ("[SqlClient] a value Trusted_Connection does not take", "Server=srv;Database=PMV;Trusted_Connection=maybe;UID=a",
     PosUrlProblem.MALFORMED, Flaw.BAD_FLAG, "Trusted_Connection=maybe"),
    ("'=' with no key", "=x;Server=srv", PosUrlProblem.MALFORMED, Flaw.EMPTY_KEY, None),
]


@pytest.mark.parametrize(("source", "written", "problem", "flaw", "detail"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_forms(source: str, written: str, problem: PosUrlProblem, flaw: Flaw | None,
                       detail: str | None) -> None:
    with pytest.raises(PosUrlError) as caught:
        to_sqlalchemy_url(written)
    assert caught.value.problem is problem
    assert caught.value.flaw is flaw
    if detail is not None:
        assert caught.value.detail == detail


@pytest.mark.parametrize("written", [
    f"Server=srv;Database=PMV;UID=sa;PWD={SECRET};Trusted_Connection=yes",
    f"Server=srv;UID=sa;PWD={SECRET}",
    f"Server=srv;Database=PMV;UID=sa;PWD={SECRET[:4]};{SECRET[4:]}",  # the password's tail becomes a bad part
    f"Server=srv;Database=PMV;UID=sa;PWD={{{SECRET}",
    f"mssql+pymssql://sa:{SECRET.replace('#', '%23')}@srv:x/PMV",
    f"mssql+pyodbc://sa:{SECRET.replace('#', '%23')}@PMVDSN",
    f"postgresql://pmv:{SECRET.replace('#', '%23')}@db",
])
def test_no_refusal_repeats_the_password(written: str) -> None:
    with pytest.raises(PosUrlError) as caught:
        to_sqlalchemy_url(written)
    for piece in (SECRET, SECRET[4:], "Vang"):
        assert piece not in str(caught.value) and piece not in caught.value.detail


def test_parse_connection_string_keeps_values_exactly() -> None:
    # [ODBC] braces keep spaces; [SqlClient] unquoted values are trimmed, keys collapsed and lower-cased.
    assert parse_connection_string("User  ID = sa ; PWD={ a b };Server=h") == {
        "user id": "sa", "pwd": " a b ", "server": "h"}


def test_the_same_key_twice_with_the_same_value_is_fine() -> None:
    assert to_sqlalchemy_url("Server=a;SERVER=a;Database=PMV;UID=sa").host == "a"
