"""pos.db.connect and pos.db.integrity against a real demo shop, broken for real."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.health.checks import database, room
from app.health.context import CheckContext
from app.health.machine import DiskUsage, MachineProbes
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


def _busy_for(path: Path, seconds: float | None) -> sqlite3.Connection:
    """The POS holding its write lock (its own backup, a VACUUM): released after ``seconds``, or by the caller."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # readers get SQLITE_BUSY once their busy timeout runs out
    def release() -> None:
        with contextlib.suppress(sqlite3.Error):  # the test may have closed it already
            holder.execute("COMMIT")

    if seconds is not None:
        timer = threading.Timer(seconds, release)
        timer.daemon = True
        timer.start()
    return holder


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    """The POS holding its write lock for as long as the block runs."""
    holder = _busy_for(path, None)
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _quick_busy_timeout(shop_settings: Settings, demo_shop: DemoShop) -> Settings:
    # The driver's busy timeout (5 s by default) shortened through pos.url, so the test waits fractions of a second.
    return settings_with(shop_settings, "pos", url=f"sqlite:///{demo_shop.pos_database}?timeout=0.05")


def test_a_lock_held_past_the_retries_is_a_warning_to_try_later(make_ctx, shop_settings: Settings,
                                                                demo_shop: DemoShop) -> None:
    with _held(demo_shop.pos_database):
        outcome = run_one(CONNECT, make_ctx(_quick_busy_timeout(shop_settings, demo_shop)))
    # A transient lock: not CRITICAL, and the cashier is never told to close PMV for it.
    assert outcome.status is Status.WARNING, outcome.summary
    assert outcome.remedy == "pos.db.busy"
    _assert_remedy(outcome.remedy)
    assert "PMV đang bận" in outcome.summary and "locked" not in outcome.summary
    assert "locked" in outcome.details  # SQLite's own words stay for the technician
    steps = database.REMEDIES["pos.db.busy"]
    assert "Đóng phần mềm PMV" not in steps and "đóng PMV" in steps and "chạy lại kiểm tra" in steps


def test_while_the_pos_is_busy_the_checks_that_read_it_wait_for_the_next_run(make_ctx, shop_settings: Settings,
                                                                              demo_shop: DemoShop) -> None:
    """Each check that reads the POS would meet the same lock and end 'unknown' with SQLite's English: they are
    skipped, naming the busy connection, as they are after a failed one."""
    from app.health.registry import default_checks

    checks = [c for c in default_checks() if c.id == CONNECT.id or CONNECT.id in c.depends_on]
    assert len(checks) >= 3
    with _held(demo_shop.pos_database):
        report = run_checks(checks, make_ctx(_quick_busy_timeout(shop_settings, demo_shop)))
    outcomes = report.by_id()
    assert outcomes[CONNECT.id].status is Status.WARNING
    for check in checks[1:]:
        assert outcomes[check.id].status is Status.SKIPPED, (check.id, outcomes[check.id].summary)
        assert outcomes[check.id].summary.startswith("Bỏ qua vì")


def test_a_lock_released_while_the_check_retries_is_ok(make_ctx, shop_settings: Settings,
                                                       demo_shop: DemoShop) -> None:
    holder = _busy_for(demo_shop.pos_database, 0.3)  # the first try gives up after 0.05 s; a later one gets in
    try:
        outcome = run_one(CONNECT, make_ctx(_quick_busy_timeout(shop_settings, demo_shop)))
    finally:
        holder.close()
    assert outcome.status is Status.OK, outcome.summary


def test_the_retries_are_injectable_and_stop_at_the_given_count(make_ctx, demo_shop: DemoShop) -> None:
    holder = _busy_for(demo_shop.pos_database, None)
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            holder.execute("ROLLBACK")  # the POS finishes during the second pause

    try:
        outcome = database.check_connect(make_ctx(), busy_tries=3, pause=pause, busy_wait_s=0.05)
    finally:
        holder.close()
    assert outcome.status is Status.OK, outcome.summary
    assert len(pauses) == 2


def test_the_busy_retries_fit_inside_the_connect_checks_limit() -> None:
    from app.shop.pos_driver import SQLITE_BUSY_TIMEOUT_S

    worst = database.SQLITE_BUSY_TRIES * SQLITE_BUSY_TIMEOUT_S + (database.SQLITE_BUSY_TRIES - 1) * \
        database.SQLITE_BUSY_PAUSE_S
    assert worst < CONNECT.timeout - 5


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


# --- room for the integrity check's copy ------------------------------------------

def _copy_size(path: Path) -> int:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        return pages * int(conn.execute("PRAGMA page_size").fetchone()[0])


def _disk_with(free: int, asked: list[str]) -> MachineProbes:
    def usage(path: str) -> DiskUsage:
        asked.append(path)
        return DiskUsage(500 * 1024**3, 500 * 1024**3 - free, free)
    return MachineProbes(disk_usage=usage)


def test_integrity_does_not_copy_the_database_onto_a_nearly_full_disk(make_ctx, demo_shop: DemoShop,
                                                                      tmp_path: Path) -> None:
    asked: list[str] = []
    size = _copy_size(demo_shop.pos_database)
    free = size + 50 * 1024**2  # the copy fits, but would leave the POS 50 MB to write in
    outcome = run_one(INTEGRITY, make_ctx(machine=_disk_with(free, asked), data_dir=tmp_path))
    assert outcome.status is Status.WARNING, outcome.summary
    assert outcome.remedy == "pos.db.no_room"
    _assert_remedy(outcome.remedy)
    assert asked == [tempfile.gettempdir()]  # measured where the copy would go
    assert "chưa kiểm tra" in outcome.summary and "trống" in outcome.summary
    assert not (tmp_path / "health" / "integrity.json").exists()  # not marked as checked: it tries again next run


def test_integrity_copies_when_the_database_and_the_margin_fit(make_ctx, shop_settings: Settings,
                                                              demo_shop: DemoShop) -> None:
    asked: list[str] = []
    margin = max(int(shop_settings.health.disk_min_free_gb * 1024**3), room.MIN_LEFT_AFTER_COPY)
    free = _copy_size(demo_shop.pos_database) + margin + 1
    outcome = run_one(INTEGRITY, make_ctx(machine=_disk_with(free, asked)))
    assert outcome.status is Status.OK, outcome.summary
    assert asked == [tempfile.gettempdir()]


def test_integrity_margin_follows_the_disk_checks_low_mark(make_ctx, shop_settings: Settings,
                                                           demo_shop: DemoShop) -> None:
    # The copy must not take the drive below the mark where "Dung lượng ổ đĩa" starts warning.
    settings = settings_with(shop_settings, "health", disk_min_free_gb=5)
    free = _copy_size(demo_shop.pos_database) + 4 * 1024**3
    outcome = run_one(INTEGRITY, make_ctx(settings, machine=_disk_with(free, [])))
    assert outcome.status is Status.WARNING and outcome.remedy == "pos.db.no_room"
