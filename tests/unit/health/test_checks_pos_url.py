"""pos.url that cannot be used, or a server that cannot be reached: a clear check result, never a traceback.

Issue 18, section 6: ``[pos] url = "Server=…;Database=PMV;Trusted_Connection=yes"``
printed a SQLAlchemy traceback and left the connect check 'unknown'; a
missing driver skipped every POS check with "No module named 'pyodbc'".
Servers here are real TCP endpoints on 127.0.0.1 (a closed port, a
listener that never answers); no SQL Server runs on this machine.
"""

from __future__ import annotations

import logging
import re
import socket
import sys

import pytest

from app.health.checks import backups, database, pos_data, pos_log
from app.health.context import CheckContext, PosUnusable
from app.health.model import CheckResult, Status
from app.health.runner import run_checks
from app.infra.settings import Settings
from app.shop.demo import DemoShop
from tests.helpers import silent_tcp_server

from .conftest import SHOP_NOW, find, run_one, settings_with

CONNECT = find(database.CHECKS, "pos.db.connect")
SECRET = "Kh0!Vang#2026"
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỵỷỹ]")
POS_CHECKS = database.CHECKS + pos_data.CHECKS + backups.CHECKS + pos_log.CHECKS


def _with_url(settings: Settings, url: str) -> Settings:
    return settings_with(settings, "pos", url=url)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _assert_one_clear_line(outcome: CheckResult) -> None:
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert "\n" not in outcome.summary and "Traceback" not in outcome.summary
    assert VIETNAMESE.search(outcome.summary), outcome.summary
    assert outcome.remedy in database.REMEDIES
    assert SECRET not in outcome.summary + outcome.details


# --- the string from the issue --------------------------------------------------

ISSUE_STRING = "Server=POS-SERVER\\SQLEXPRESS;Database=PMV;Trusted_Connection=yes"


def test_the_issues_odbc_string_is_refused_in_one_line_saying_what_to_write(make_ctx, shop_settings) -> None:
    outcome = run_one(CONNECT, make_ctx(_with_url(shop_settings, ISSUE_STRING)))
    _assert_one_clear_line(outcome)
    assert outcome.remedy == "pos.url.windows_login"
    assert "đăng nhập Windows" in outcome.summary and "User Id=" in outcome.summary
    assert "Password=" in outcome.summary


def test_the_issues_string_gives_one_red_line_and_no_unknown(shop_settings, caplog) -> None:
    ctx = CheckContext(_with_url(shop_settings, ISSUE_STRING), clock=lambda: SHOP_NOW)
    caplog.set_level(logging.ERROR)
    try:
        report = run_checks(POS_CHECKS, ctx)
    finally:
        ctx.close()
    by_id = report.by_id()
    assert by_id["pos.db.connect"].status is Status.CRITICAL
    assert [r.check_id for r in report.results if r.status is Status.UNKNOWN] == []
    # Dependants name the connect check; checks that read the POS without depending on it say why they skip.
    for check in POS_CHECKS:
        if CONNECT.id in check.depends_on:
            assert by_id[check.id].status is Status.SKIPPED and "Kết nối cơ sở dữ liệu PMV" in by_id[check.id].summary
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], "a check crashed"


def test_an_unusable_url_makes_pos_readers_skip_with_the_reason(make_ctx, shop_settings) -> None:
    ctx = make_ctx(_with_url(shop_settings, ISSUE_STRING))
    with pytest.raises(PosUnusable) as caught:
        ctx.pos_engine  # noqa: B018 - the property is the thing under test
    assert caught.value.error.problem.value == "windows_login"
    # A check that reads the live POS, run on its own (no connect check before it): skipped, saying why.
    restorable = run_one(find(backups.CHECKS, backups.RESTORABLE_ID), ctx)
    assert restorable.status is Status.SKIPPED
    assert "pos.url" in restorable.summary and "Kết nối cơ sở dữ liệu PMV" in restorable.summary


# --- every kind of refusal is worded, with a remedy -----------------------------

REFUSALS = [
    ("Server=srv;Database=PMV;Integrated Security=SSPI", "pos.url.windows_login", "đăng nhập Windows"),
    ("Server=srv;Database=PMV;PWD=x", "pos.url.invalid", "thiếu tài khoản SQL"),
    ("Server=srv;UID=sa;PWD=x", "pos.url.invalid", "thiếu tên cơ sở dữ liệu"),
    ("DSN=PMV;UID=sa;PWD=x", "pos.url.invalid", "DSN=PMV"),
    ("Server=np:\\\\.\\pipe\\sql\\query;Database=PMV;UID=sa;PWD=x", "pos.url.invalid", "TCP/IP"),
    ("oracle://u:x@db/pmv", "pos.url.invalid", "'oracle'"),
    ("C:\\PMV\\pmv.sqlite3", "pos.url.invalid", "pos.database"),
    ("POS-SERVER", "pos.url.invalid", "dạng đúng: Server="),
    (f"Server=srv;Database=PMV;UID=sa;PWD={SECRET[:4]};{SECRET[4:]}", "pos.url.invalid", "thiếu dấu ="),
    ("Server=srv,70000;Database=PMV;UID=sa;PWD=x", "pos.url.invalid", "cổng '70000'"),
    ("Server=srv;Database=PMV;UID=sa;PWD={x", "pos.url.invalid", "không đóng"),
    ("mssql+pymssql://sa:x@srv:port/PMV", "pos.url.invalid", "không đọc được URL"),
]


@pytest.mark.parametrize(("written", "remedy", "words"), REFUSALS, ids=[r[2] for r in REFUSALS])
def test_each_refusal_says_what_is_wrong(make_ctx, shop_settings, written: str, remedy: str, words: str) -> None:
    outcome = run_one(CONNECT, make_ctx(_with_url(shop_settings, written)))
    _assert_one_clear_line(outcome)
    assert outcome.remedy == remedy
    assert words in outcome.summary, outcome.summary


def test_new_remedies_are_numbered_vietnamese_steps_with_the_hotline() -> None:
    for code in ("pos.url.invalid", "pos.url.windows_login", "pos.driver.missing", "pos.db.unreachable",
                 "pos.db.login"):
        steps = database.REMEDIES[code]
        assert re.search(r"^1\. ", steps, re.MULTILINE) and re.search(r"^2\. ", steps, re.MULTILINE), code
        assert VIETNAMESE.search(steps) and "1900 6037" in steps, code


# --- the driver --------------------------------------------------------------------

def test_a_missing_driver_is_a_clear_line_and_the_rest_skip(monkeypatch, make_ctx, shop_settings) -> None:
    monkeypatch.setitem(sys.modules, "pymssql", None)  # as if the wheel were left out of the install
    settings = _with_url(shop_settings, f"Server=srv;Database=PMV;UID=sa;PWD={SECRET}")
    outcome = run_one(CONNECT, make_ctx(settings))
    _assert_one_clear_line(outcome)
    assert outcome.remedy == "pos.driver.missing" and "pymssql" in outcome.summary
    report = run_checks(POS_CHECKS, make_ctx(settings))
    assert [r.check_id for r in report.results if r.status is Status.UNKNOWN] == []


def test_an_sqlite_url_still_reads_the_demo_shop(make_ctx, shop_settings, demo_shop: DemoShop) -> None:
    outcome = run_one(CONNECT, make_ctx(_with_url(shop_settings, f"sqlite:///{demo_shop.pos_database}")))
    assert outcome.status is Status.OK, outcome.summary


# --- a server that is not there -------------------------------------------------

def test_sql_server_on_a_closed_port_is_unreachable(make_ctx, shop_settings) -> None:
    port = _closed_port()
    outcome = run_one(CONNECT, make_ctx(_with_url(shop_settings, f"Server=127.0.0.1,{port};Database=PMV;"
                                                                 f"UID=sa;PWD={SECRET}")))
    _assert_one_clear_line(outcome)
    assert outcome.remedy == "pos.db.unreachable"
    assert f"127.0.0.1:{port}" in outcome.summary


def test_sql_server_that_never_answers_fails_clearly_inside_the_check_timeout(shop_settings) -> None:
    """FreeTDS retries a timed-out login once, so the driver's timeout must fit twice in the check's."""
    with silent_tcp_server() as (port, accepted):
        ctx = CheckContext(_with_url(shop_settings, f"mssql+pymssql://sa:x@127.0.0.1:{port}/PMV"))
        try:
            report = run_checks([CONNECT], ctx)
        finally:
            ctx.close()
        assert accepted  # the driver really reached the listener
    outcome = report.by_id()[CONNECT.id]
    assert outcome.status is Status.CRITICAL, outcome.summary  # 'unknown' would mean the check timed out first
    assert outcome.remedy == "pos.db.unreachable"


# --- timeouts copied in with the POS's connection string --------------------------

@pytest.mark.parametrize(("url", "remedy"), [
    # ADO.NET strings often carry 'Connect Timeout=30': FreeTDS waited that long (twice), the check gave up first
    # and said 'unknown' instead of naming the unreachable server.
    ("Server=127.0.0.1,{port};Database=PMV;User Id=pmv_ro;Password={secret};Connect Timeout=30;",
     "pos.db.unreachable"),
    ("postgresql://pmv_ro:{secret}@127.0.0.1:{port}/pmv?connect_timeout=30", "pos.db.unreachable_pg"),
], ids=["sql_server", "postgresql"])
def test_a_connect_timeout_copied_from_the_pos_still_ends_inside_the_check(shop_settings, url: str,
                                                                           remedy: str) -> None:
    with silent_tcp_server() as (port, accepted):
        ctx = CheckContext(_with_url(shop_settings, url.format(port=port, secret=SECRET)), clock=lambda: SHOP_NOW)
        try:
            report = run_checks([CONNECT], ctx)
        finally:
            ctx.cancel.set()
            ctx.close()
        assert accepted
    outcome = report.by_id()[CONNECT.id]
    assert outcome.status is Status.CRITICAL, outcome.summary  # 'unknown' would mean the check timed out first
    assert outcome.remedy == remedy


CAPPED = [
    ("Server=srv;Database=PMV;UID=sa;PWD=x;Connect Timeout=30", "login_timeout", 4),
    ("Server=srv;Database=PMV;UID=sa;PWD=x;Connection Timeout=0", "login_timeout", 4),  # 0: wait for ever
    ("mssql+pymssql://sa:x@srv/PMV?login_timeout=120&timeout=600", "login_timeout", 4),
    ("mssql+pymssql://sa:x@srv/PMV?login_timeout=120&timeout=600", "timeout", 10),
    ("mssql+pymssql://sa:x@srv/PMV?timeout=0", "timeout", 10),
    ("mssql+pymssql://sa:x@srv/PMV?login_timeout=abc", "login_timeout", 4),
    ("Host=db;Database=pmv;Username=u;Password=x;Timeout=30", "connect_timeout", 4),
    ("postgresql://u:x@db/pmv?connect_timeout=0", "connect_timeout", 4),
    ("sqlite:////srv/pmv/pmv.sqlite3?timeout=60", "timeout", 5),
]


@pytest.mark.parametrize(("written", "key", "most"), CAPPED, ids=[f"{c[0]}:{c[1]}" for c in CAPPED])
def test_timeouts_written_in_pos_url_are_capped_for_every_driver(make_ctx, shop_settings, written: str, key: str,
                                                                 most: float) -> None:
    engine = make_ctx(_with_url(shop_settings, written)).pos_engine
    _args, params = engine.dialect.create_connect_args(engine.url)
    assert float(params[key]) == most, params


KEPT = [
    ("Server=srv;Database=PMV;UID=sa;PWD=x;Connect Timeout=2", "login_timeout", 2),  # shorter than ours: honoured
    ("mssql+pymssql://sa:x@srv/PMV?timeout=3", "timeout", 3),
    ("postgresql://u:x@db/pmv?connect_timeout=3", "connect_timeout", 3),
    ("sqlite:////srv/pmv/pmv.sqlite3?timeout=0.5", "timeout", 0.5),
]


@pytest.mark.parametrize(("written", "key", "value"), KEPT, ids=[f"{c[0]}:{c[1]}" for c in KEPT])
def test_shorter_timeouts_in_pos_url_are_kept(make_ctx, shop_settings, written: str, key: str, value: float) -> None:
    engine = make_ctx(_with_url(shop_settings, written)).pos_engine
    _args, params = engine.dialect.create_connect_args(engine.url)
    assert float(params[key]) == value, params


def test_the_drivers_longest_login_fits_the_connect_checks_limit() -> None:
    from app.shop.pos_driver import LOGIN_TIMEOUT_S

    # FreeTDS tries the login twice, then needs a few seconds more to report (README, pos_driver).
    assert 2 * LOGIN_TIMEOUT_S + 5 < CONNECT.timeout


# --- sqlite:/// in pos.url is opened read-only, as pos.database is ------------------

@pytest.mark.parametrize("folder", ["pos", "Dữ liệu PMV #1"])
def test_an_sqlite_url_opens_the_pos_read_only(make_ctx, shop_settings, demo_shop: DemoShop, tmp_path, folder) -> None:
    import hashlib
    import shutil

    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    path = tmp_path / folder / "cửa hàng.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(demo_shop.pos_database, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    ctx = make_ctx(_with_url(shop_settings, f"sqlite:///{path}"))
    assert run_one(CONNECT, ctx).status is Status.OK
    with pytest.raises(OperationalError, match="readonly"), ctx.pos_engine.begin() as conn:
        conn.execute(text("UPDATE pos_info SET value = value"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no journal, nothing created


def test_an_sqlite_url_to_a_missing_file_creates_nothing(make_ctx, shop_settings, tmp_path) -> None:
    path = tmp_path / "missing.sqlite3"
    ctx = make_ctx(_with_url(shop_settings, f"sqlite:///{path}"))
    with pytest.raises(Exception, match="unable to open"), ctx.pos_engine.connect():
        pass
    assert not path.exists()


WINDOWS_SQLITE = [
    ("sqlite:///C:\\PMV\\Dữ liệu\\pmv.sqlite3", "file:///C:/PMV/D%E1%BB%AF%20li%E1%BB%87u/pmv.sqlite3?mode=ro"),
    ("sqlite:///D:/PMV Data/pmv.sqlite3", "file:///D:/PMV%20Data/pmv.sqlite3?mode=ro"),
    # A share: SQLite takes no host in a file: URI (unless built to), so the UNC path goes in the path part.
    ("sqlite:///\\\\POS-SERVER\\PMV\\pmv.sqlite3", "file:////POS-SERVER/PMV/pmv.sqlite3?mode=ro"),
    ("sqlite:///file:/srv/pmv/pmv.sqlite3?mode=rw&uri=true", "file:/srv/pmv/pmv.sqlite3?mode=ro"),
    ("sqlite:///file:/srv/pmv/pmv.sqlite3?uri=true&cache=shared", "file:/srv/pmv/pmv.sqlite3?cache=shared&mode=ro"),
]


@pytest.mark.parametrize(("written", "opened"), WINDOWS_SQLITE, ids=[w[0] for w in WINDOWS_SQLITE])
def test_every_form_of_sqlite_url_is_opened_as_a_read_only_uri(make_ctx, shop_settings, written: str,
                                                               opened: str) -> None:
    engine = make_ctx(_with_url(shop_settings, written)).pos_engine
    args, params = engine.dialect.create_connect_args(engine.url)
    assert (args[0], params.get("uri")) == (opened, True)


def test_pos_database_is_still_opened_read_only_as_before(make_ctx, demo_shop: DemoShop) -> None:
    engine = make_ctx().pos_engine
    args, params = engine.dialect.create_connect_args(engine.url)
    assert args[0] == f"{demo_shop.pos_database.resolve().as_uri()}?mode=ro" and params["uri"] is True
