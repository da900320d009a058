"""pos.db.connect and pos.db.integrity against a real demo shop, broken for real."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.health.checks import database
from app.health.context import CheckContext
from app.health.model import Status
from app.health.runner import run_checks
from app.infra.settings import Settings
from app.shop.demo import DemoShop

from .conftest import find, run_one, settings_with

CONNECT = find(database.CHECKS, "pos.db.connect")
INTEGRITY = find(database.CHECKS, "pos.db.integrity")
PAGE = 4096


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_remedy(code: str | None) -> None:
    assert code is not None and code in database.REMEDIES


def test_ids_titles_and_order() -> None:
    assert [c.id for c in database.CHECKS] == ["pos.db.connect", "pos.db.integrity"]
    assert CONNECT.title == "Kết nối cơ sở dữ liệu PMV"
    assert INTEGRITY.depends_on == ("pos.db.connect",)


def test_remedies_are_numbered_vietnamese_steps() -> None:
    for code, steps in database.REMEDIES.items():
        assert re.search(r"^1\. ", steps, re.MULTILINE) and re.search(r"^2\. ", steps, re.MULTILINE), code
        assert re.search(r"[ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỵỷỹ]", steps), code
    assert "1900 6037" in database.REMEDIES["pos.db.corrupt"]
    assert "1900 6037" in database.REMEDIES["pos.db.not_found"]


def test_demo_shop_database_is_reachable_and_intact(make_ctx, demo_shop: DemoShop) -> None:
    before = _digest(demo_shop.pos_database)
    ctx = make_ctx()
    connect = run_one(CONNECT, ctx)
    integrity = run_one(INTEGRITY, ctx)
    assert connect.status is Status.OK, connect.summary
    assert "5.8.2" in connect.summary and "ms" in connect.summary
    latency = {m.name: m for m in connect.metrics}["latency_ms"]
    assert latency.unit == "ms" and latency.warn == 500 and latency.value >= 0
    assert integrity.status is Status.OK, integrity.summary
    assert integrity.remedy is None
    # Checking must never change the shop's books.
    assert _digest(demo_shop.pos_database) == before


def test_missing_database_file_is_critical(make_ctx, demo_shop: DemoShop) -> None:
    demo_shop.pos_database.unlink()
    outcome = run_one(CONNECT, make_ctx())
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "pos.db.not_found"
    _assert_remedy(outcome.remedy)
    assert "pmv.sqlite3" in outcome.summary


def test_garbage_database_file_is_critical(make_ctx, demo_shop: DemoShop) -> None:
    demo_shop.pos_database.write_bytes(os.urandom(64 * 1024))
    outcome = run_one(CONNECT, make_ctx())
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "pos.db.corrupt"
    _assert_remedy(outcome.remedy)
    # SQLITE_NOTADB (26) said in Vietnamese; "file is not a database" only in the details.
    assert "không phải dữ liệu SQLite" in outcome.summary and "not a database" not in outcome.summary


def test_an_empty_database_file_is_lost_data_not_a_busy_file(make_ctx, demo_shop: DemoShop) -> None:
    """SQLite opens a 0-byte file as an empty database and finds no table: that is the shop's data gone, so the
    fix steps are the damaged-file ones, not "close PMV and open it again"."""
    demo_shop.pos_database.write_bytes(b"")
    outcome = run_one(CONNECT, make_ctx())
    assert outcome.status is Status.CRITICAL and outcome.remedy == "pos.db.corrupt"
    assert "trống (0 byte)" in outcome.summary
    assert demo_shop.pos_database.stat().st_size == 0  # read-only: the check wrote nothing into it


def test_locked_database_is_critical_unreadable(make_ctx, demo_shop: DemoShop) -> None:
    holder = sqlite3.connect(demo_shop.pos_database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the file: readers time out
        outcome = run_one(CONNECT, make_ctx())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert outcome.status is Status.CRITICAL
    assert outcome.remedy == "pos.db.unreadable"
    # SQLite's SQLITE_BUSY in words; its English stays in the details for the technician.
    assert "khóa" in outcome.summary and "locked" not in outcome.summary and "locked" in outcome.details


def test_corrupt_middle_pages_fail_integrity_only(make_ctx, shop_settings: Settings, demo_shop: DemoShop,
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "damaged.sqlite3"
    shutil.copyfile(demo_shop.pos_database, copy)
    pages = copy.stat().st_size // PAGE
    assert pages >= 16
    with copy.open("r+b") as handle:  # pages 1-2 (header, pos_info) survive; the tables behind them do not
        handle.seek(PAGE * (pages // 3))
        handle.write(os.urandom(PAGE * (pages // 3)))
    ctx = make_ctx(settings_with(shop_settings, "pos", database=copy))
    connect = run_one(CONNECT, ctx)
    integrity = run_one(INTEGRITY, ctx)
    assert connect.status is Status.OK, connect.summary
    assert integrity.status is Status.CRITICAL
    assert integrity.remedy == "pos.db.corrupt"
    assert "hỏng" in integrity.summary
    assert {m.name: m.value for m in integrity.metrics}["problems"] >= 1


def test_slow_database_is_a_warning(make_ctx, shop_settings: Settings) -> None:
    ctx = make_ctx(settings_with(shop_settings, "health", db_latency_warn_ms=0.001))
    outcome = run_one(CONNECT, ctx)
    assert outcome.status is Status.WARNING
    assert outcome.remedy == "pos.db.slow"
    _assert_remedy(outcome.remedy)
    latency = {m.name: m for m in outcome.metrics}["latency_ms"]
    assert latency.warn == 0.001 and latency.value > latency.warn


def test_integrity_skipped_with_reason_on_sql_server(make_ctx, shop_settings: Settings) -> None:
    url = "mssql+pyodbc://pmv:secret@server/PMV?driver=ODBC+Driver+18+for+SQL+Server"
    outcome = run_one(INTEGRITY, make_ctx(settings_with(shop_settings, "pos", url=url)))
    assert outcome.status is Status.SKIPPED
    assert "chỉ kiểm tra được với SQLite" in outcome.summary
    assert "mssql" in outcome.summary


def test_not_configured_is_skipped(make_ctx) -> None:
    outcome = run_one(CONNECT, make_ctx(Settings()))
    assert outcome.status is Status.SKIPPED
    assert "pos.database" in outcome.summary


def test_one_root_cause_gives_one_red_line(shop_settings: Settings, demo_shop: DemoShop) -> None:
    demo_shop.pos_database.unlink()
    ctx = CheckContext(shop_settings)
    try:
        report = run_checks(database.CHECKS, ctx)
    finally:
        ctx.close()
    by_id = report.by_id()
    assert by_id["pos.db.connect"].status is Status.CRITICAL
    assert by_id["pos.db.integrity"].status is Status.SKIPPED


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "0 phút"), (45, "45 phút"), (60, "1 giờ"), (90, "1 giờ 30 phút"), (3 * 24 * 60, "3 ngày"),
     (2 * 24 * 60 + 4 * 60 + 10, "2 ngày 4 giờ")],
)
def test_format_age(minutes: int, expected: str) -> None:
    assert database.format_age(dt.timedelta(minutes=minutes)) == expected


def test_all_pos_checks_pass_together_on_the_demo_shop(make_ctx) -> None:
    from app.health.checks import backups, pos_data, pos_log

    checks = database.CHECKS + backups.CHECKS + pos_data.CHECKS + pos_log.CHECKS
    report = run_checks(checks, make_ctx())
    assert [r.check_id for r in report.results] == [c.id for c in checks]
    assert {r.check_id: r.status for r in report.results} == {c.id: Status.OK for c in checks}
    assert report.verdict is Status.OK


def test_the_full_integrity_check_runs_at_most_daily(make_ctx, tmp_path) -> None:
    import datetime as dt

    from app.health.checks.database import CHECKS
    from app.health.model import Status
    from tests.unit.health.conftest import SHOP_NOW, find, run_one

    check = find(CHECKS, "pos.db.integrity")
    first = run_one(check, make_ctx(data_dir=tmp_path))
    assert first.status is Status.OK and "kiểm tra đầy đủ lúc" not in first.summary
    cached = run_one(check, make_ctx(data_dir=tmp_path, now=SHOP_NOW + dt.timedelta(hours=3)))
    assert cached.status is Status.OK and "kiểm tra đầy đủ lúc" in cached.summary
    next_day = run_one(check, make_ctx(data_dir=tmp_path, now=SHOP_NOW + dt.timedelta(hours=25)))
    assert "kiểm tra đầy đủ lúc" not in next_day.summary  # a day later it checks the whole file again
    assert run_one(check, make_ctx()).summary == first.summary  # without a data dir: always a full check


def test_an_index_that_no_longer_matches_its_table_is_found(make_ctx, shop_settings: Settings, demo_shop: DemoShop,
                                                            tmp_path: Path) -> None:
    # SQLite's documentation (pragma.html#pragma_quick_check): quick_check "does not verify that index content
    # matches table content"; integrity_check does. Such an index is how items "cannot be found" by their code
    # while the rows are there. Made here by redeclaring an index over another column (its pages keep the old
    # entries), as a collation change or a torn write leaves it.
    copy = tmp_path / "index.sqlite3"
    shutil.copyfile(demo_shop.pos_database, copy)
    with sqlite3.connect(copy) as conn:
        table, column, other = next((t, c, o) for t, c, o in [
            (t, cols[0], cols[1]) for t in [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            for cols in [[r[1] for r in conn.execute(f"PRAGMA table_info({t})")]]
            if len(cols) >= 2 and conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] >= 2])
        conn.execute(f"CREATE INDEX ix_test ON {table}({column})")
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("UPDATE sqlite_schema SET sql=? WHERE name='ix_test'",
                     (f"CREATE INDEX ix_test ON {table}({other})",))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]  # what the check ran: blind to it
    integrity = run_one(INTEGRITY, make_ctx(settings_with(shop_settings, "pos", database=copy)))
    assert integrity.status is Status.CRITICAL, integrity.summary
    assert integrity.remedy == "pos.db.corrupt" and "ix_test" in integrity.details


def test_a_cancelled_run_stops_copying_the_database(make_ctx) -> None:
    ctx = make_ctx()
    ctx.cancel.set()  # the runner tells the checks still at work that the run is over
    outcome = run_one(INTEGRITY, ctx)
    # It copied and checked the whole file all the same (OK); stopped at the copy's first step, it cannot say.
    assert outcome.status is Status.UNKNOWN and "đã hủy" in outcome.summary


def test_a_data_folder_that_cannot_keep_the_daily_mark_leaves_the_verdict_as_it_is(make_ctx, tmp_path: Path) -> None:
    # A full disk (or a read-only folder) where the "checked today" mark is written: the database was checked
    # and is whole; it said "unknown" with the OSError instead.
    blocked = tmp_path / "data"
    blocked.mkdir()
    (blocked / "health").write_text("a file where the folder should be")
    outcome = run_one(INTEGRITY, make_ctx(data_dir=blocked))
    assert outcome.status is Status.OK, outcome.summary
