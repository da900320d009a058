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
