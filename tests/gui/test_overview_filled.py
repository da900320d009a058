"""The overview says "filled" only once its tiles hold what the shop's stores hold.

Issue 24 measures start-up to this moment (tests/bench/cold_start.py), so an empty or half-read page must not pass
as filled: each expected value here is read straight from the store the tile reports on (the app's SQLite database
with sqlite3, the POS database with sqlite3, the pack store's folder), not from the app's own view of it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import shiboken6
from pytestqt.qtbot import QtBot

from app.health.model import Status
from app.health.service import run_health
from app.runtime import Runtime
from app.support.models import Category, Channel, NewRequest, Severity
from app.ui.health.texts import verdict_name
from app.ui.i18n import tr_args, translate

NEW = NewRequest(Category.INCIDENT, Severity.HIGH, "Máy in hóa đơn không in", "", "Chị Lan", "+84903112233",
                 Channel.PHONE)


def _rows(database: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _verdict_in_database(database: Path) -> Status:
    """The newest run's worst status, by the rule of app.health.runner (unknown counts as a warning)."""
    statuses = {status for (status,) in _rows(
        database, "SELECT status FROM check_results WHERE run_at = (SELECT max(run_at) FROM check_results)")}
    if "critical" in statuses:
        return Status.CRITICAL
    return Status.WARNING if statuses & {"warning", "unknown"} else Status.OK


def test_the_overview_is_filled_with_the_stores_values(qtbot: QtBot, runtime: Runtime, make_app) -> None:
    run_health(runtime)  # a run recorded as the agent would
    kept = [runtime.support.create(NEW, coverage="warranty", response_due_at=None) for _ in range(3)]
    database = runtime.paths.database_file
    with sqlite3.connect(database) as connection:  # one of them the vendor has closed
        connection.execute("UPDATE support_requests SET status = 'closed' WHERE id = ?", (kept[0].id,))
    app = make_app()
    window = app.build_window()
    overview = window.overview
    assert not overview.is_filled
    with qtbot.waitSignal(overview.filled, timeout=20000):
        pass
    tiles = {tile.title_label.text(): tile for tile in overview.tiles}

    # Kiểm tra hệ thống: the newest stored run's verdict.
    assert tiles["Kiểm tra hệ thống"].value_label.text() == verdict_name(_verdict_in_database(database))
    # Yêu cầu hỗ trợ: the open ones in the database.
    (open_count,) = _rows(database, "SELECT count(*) FROM support_requests"
                                    " WHERE status NOT IN ('resolved', 'closed')")[0]
    assert open_count == 2
    assert tiles["Yêu cầu hỗ trợ"].value_label.text() == tr_args(translate("SupportTile", "%1 yêu cầu đang mở"), 2)
    # Gói quy định: as many as the pack store's folder holds.
    installed = [path for path in runtime.pack_store.packs_dir.glob("*") if path.is_dir()]
    assert tiles["Gói quy định"].value_label.text() == (
        tr_args(translate("UpdatesTile", "%1 gói đã cài"), len(installed)) if installed
        else translate("UpdatesTile", "Chưa có gói quy định nào"))
    # Bảo hành & bảo trì: read (a contract's status, or that there is none), not the placeholder.
    assert tiles["Bảo hành & bảo trì"].value_label.text() not in ("", "Đang đọc…")
    # Bảng giá vàng: each purity's latest price, as the POS database holds them.
    (purities,) = _rows(runtime.settings.pos.database, "SELECT count(DISTINCT purity_code) FROM gold_prices")[0]
    assert overview.board_table.rowCount() == purities > 0


def test_a_window_rebuilt_before_its_overview_filled_reports_the_new_one(
        qtbot: QtBot, runtime: Runtime, make_app, monkeypatch) -> None:
    # A language chosen while the data loaded rebuilds the window before its first reads are in: the app must
    # report the new window's fill (start-up's deferred steps wait for it), and the old overview's late reads must
    # not touch it once deleted.
    import threading
    import time

    first_reads_slow = threading.Event()
    first_reads_slow.set()
    recent = runtime.activity.recent

    def slow_then_fast(limit: int):  # the first window's activity read outlives the first window
        if first_reads_slow.is_set():
            first_reads_slow.clear()
            time.sleep(0.5)
        return recent(limit)

    monkeypatch.setattr(runtime.activity, "recent", slow_then_fast)
    app = make_app()
    filled: list[object] = []
    app.overview_filled.connect(lambda: filled.append(app.window))
    first = app.build_window()
    first_overview = first.overview
    app.switch_language("en")
    second = app.window
    assert second is not first
    qtbot.waitUntil(lambda: second.overview.is_filled, timeout=20000)
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=20000)
    assert filled == [second]
    assert not first_overview.is_filled if shiboken6.isValid(first_overview) else True
    app.switch_language("vi")
