"""The shipped POS drivers: which one a URL needs, its connect options, what its errors mean.

Connection failures come from the real drivers over real TCP on 127.0.0.1
(a closed port).  SQL Server's own refusals (login failed, no such
database) need an SQL Server, which cannot run here: those two cases use
pymssql's own exception class in the shape its _mssql.pyx raises,
``MSSQLDatabaseException((number, b"messages"))`` re-raised as
``OperationalError(e.args[0])``.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pymssql
import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import DBAPIError

from app import APP_NAME
from app.shop.pos_driver import (
    DRIVER_MODULES,
    LOGIN_TIMEOUT_S,
    ConnectFailure,
    connect_failure,
    driver_options,
    ensure_driver,
)
from app.shop.pos_url import PosUrlError, PosUrlProblem, to_sqlalchemy_url

ROOT = Path(__file__).resolve().parents[3]


def _closed_port() -> int:
    with socket.socket() as probe:  # bound then released: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _connect_error(url: str, **options: object) -> BaseException:
    engine = create_engine(url, connect_args=options)
    try:
        with pytest.raises(DBAPIError) as caught:
            engine.connect()
    finally:
        engine.dispose()
    return caught.value.orig


@pytest.mark.parametrize("url", ["mssql+pymssql://sa:x@srv/PMV", "postgresql+psycopg://u@db/pmv", "sqlite:///x.db"])
def test_every_supported_driver_is_installed(url: str) -> None:
    ensure_driver(make_url(url))  # a dependency of the app: its absence is a broken install


def test_the_bundle_list_names_the_shipped_drivers() -> None:
    assert DRIVER_MODULES == {"mssql": "pymssql", "postgresql": "psycopg", "sqlite": "sqlite3"}


def test_a_missing_driver_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # Python's import system: a None entry in sys.modules makes `import pymssql` raise ImportError.
    monkeypatch.setitem(sys.modules, "pymssql", None)
    with pytest.raises(PosUrlError) as caught:
        ensure_driver(to_sqlalchemy_url("Server=srv;Database=PMV;UID=sa;PWD=x"))
    assert caught.value.problem is PosUrlProblem.MISSING_DRIVER
    assert caught.value.detail.startswith("pymssql")


def test_sql_server_options_bound_the_login_and_name_the_app() -> None:
    options = driver_options(make_url("mssql+pymssql://sa:x@srv/PMV"))
    assert options == {"login_timeout": LOGIN_TIMEOUT_S, "timeout": 10, "appname": APP_NAME}


def test_postgres_options_make_every_transaction_read_only() -> None:
    options = driver_options(make_url("postgresql+psycopg://u@db/pmv"))
    assert options["connect_timeout"] == LOGIN_TIMEOUT_S
    assert options["application_name"] == APP_NAME
    assert "default_transaction_read_only=on" in str(options["options"])


def test_what_the_url_sets_wins() -> None:
    options = driver_options(make_url("mssql+pymssql://sa:x@srv/PMV?login_timeout=30"))
    assert "login_timeout" not in options and options["appname"] == APP_NAME
    assert driver_options(make_url("postgresql+psycopg://u@db/pmv?connect_timeout=9")).get("connect_timeout") is None


def test_sqlite_waits_for_a_busy_file() -> None:
    assert driver_options(make_url("sqlite:///x.db")) == {"timeout": 5}


def test_pymssql_closed_port_is_unreachable_with_a_readable_line() -> None:
    port = _closed_port()
    error = _connect_error(f"mssql+pymssql://sa:x@127.0.0.1:{port}/PMV", login_timeout=2)
    kind, line = connect_failure(error)
    assert kind is ConnectFailure.UNREACHABLE
    assert "127.0.0.1" in line and "DB-Lib" not in line and "\\n" not in line and "\n" not in line


def test_psycopg_closed_port_is_unreachable_with_a_readable_line() -> None:
    port = _closed_port()
    error = _connect_error(f"postgresql+psycopg://u@127.0.0.1:{port}/pmv", connect_timeout=2)
    assert isinstance(error, psycopg.OperationalError)
    kind, line = connect_failure(error)
    assert kind is ConnectFailure.UNREACHABLE
    assert line == "Connection refused"


@pytest.mark.parametrize(("number", "raw", "kind", "line"), [
    (18456, b"Login failed for user 'pmv_doc'.DB-Lib error message 20018, severity 14:\n"
            b"General SQL Server error: Check messages from the SQL Server\n",
     ConnectFailure.LOGIN, "Login failed for user 'pmv_doc'."),
    (4060, b"Cannot open database \"PMV\" requested by the login. The login failed.DB-Lib error message 20018, "
           b"severity 11:\nGeneral SQL Server error: Check messages from the SQL Server\n",
     ConnectFailure.NO_DATABASE, "Cannot open database \"PMV\" requested by the login. The login failed."),
    (208, b"Invalid object name 'pos_info'.DB-Lib error message 20018, severity 16:\n",
     ConnectFailure.OTHER, "Invalid object name 'pos_info'."),
])
def test_sql_server_refusals(number: int, raw: bytes, kind: ConnectFailure, line: str) -> None:
    # 4060's text ends "The login failed", but its number says what failed: the database, not the password.
    assert connect_failure(pymssql.OperationalError((number, raw))) == (kind, line)


# --- the PyInstaller bundle -------------------------------------------------------

def _build_spec_hidden_imports() -> list[str]:
    spec = importlib.util.spec_from_file_location("build_spec", ROOT / "build_spec.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines constants and functions only; main() is guarded
    return list(module.HIDDEN_IMPORTS)


def test_the_bundle_lists_every_import_the_drivers_make_at_run_time() -> None:
    """SQLAlchemy loads the dialect by name and the dialect __import__s its DBAPI: PyInstaller's scan sees neither."""
    hidden = set(_build_spec_hidden_imports())
    for written in ("Server=srv;Database=PMV;UID=sa;PWD=x", "postgresql://u@db/pmv"):
        url = to_sqlalchemy_url(written)
        dialect = url.get_dialect()
        assert dialect.__module__ in hidden, dialect.__module__
        assert dialect.import_dbapi().__name__ in hidden
        assert DRIVER_MODULES[url.get_backend_name()] in hidden
    # psycopg chooses its libpq wrapper when imported; the shipped one is the binary wheel's.
    assert psycopg.pq.__impl__ == "binary"
    assert {"psycopg_binary", "psycopg_binary.pq", "psycopg_binary._psycopg"} <= hidden


def test_every_driver_hidden_import_imports() -> None:
    """A misspelt hidden import only shows when the frozen app first reads a POS server: import each one now."""
    drivers = [name for name in _build_spec_hidden_imports()
               if name.split(".")[0] in ("pymssql", "psycopg", "psycopg_binary") or ".dialects." in name]
    assert len(drivers) >= 5
    done = subprocess.run([sys.executable, "-c",
                           "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)",
                           *drivers], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
