"""The overview says "filled" only once its tiles hold what the shop's stores hold.

Issue 24 measures start-up to this moment (tests/bench/cold_start.py), so an empty or half-read page must not pass
as filled: each expected value here is read straight from the store the tile reports on (the app's SQLite database
with sqlite3, the POS database with sqlite3, the pack store's folder), not from the app's own view of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import shiboken6
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytestqt.qtbot import QtBot

from app import HOTLINE
from app.health.model import Status
from app.health.service import run_health
from app.infra.keys import load_trusted_keys
from app.overview.first_read import read_first
from app.runtime import Runtime
from app.support.models import Category, Channel, NewRequest, Severity
from app.ui.health.texts import verdict_name
from app.ui.i18n import tr_args, translate
from app.ui.levels import Level
from app.ui.main_window import MainWindow
from tests.helpers import signed_contract, write_keys_file

KEY = Ed25519PrivateKey.generate()
ND232 = Path(__file__).resolve().parents[2] / "resources" / "regulation" / "nd-232-2025.json"


@pytest.fixture
def trusting_runtime(runtime: Runtime, tmp_path: Path) -> Runtime:
    """The demo shop (DEMO-0001) trusting this test's vendor key, as the shipped keys are trusted."""
    runtime.extra_key_files = [write_keys_file(KEY, tmp_path / "keys.json")]
    return runtime

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


def _stocked(runtime: Runtime) -> None:
    """A shop with something on each tile: a recorded check run, three requests (one closed by the vendor),
    a contract, a regulation pack."""
    run_health(runtime)  # a run recorded as the agent would
    kept = [runtime.support.create(NEW, coverage="warranty", response_due_at=runtime.clock() + dt.timedelta(hours=3))
            for _ in range(3)]
    with sqlite3.connect(runtime.paths.database_file) as connection:  # one of them the vendor has closed
        connection.execute("UPDATE support_requests SET status = 'closed' WHERE id = ?", (kept[0].id,))
    runtime.contract_service().accept(signed_contract(KEY, "DEMO-0001"))
    runtime.pack_store.install(ND232.read_bytes())


def _assert_tiles_hold_the_stores(overview, runtime: Runtime) -> None:
    database = runtime.paths.database_file
    tiles = {tile.title_label.text(): tile for tile in overview.tiles}

    # Kiểm tra hệ thống: the newest stored run's verdict.
    assert tiles["Kiểm tra hệ thống"].value_label.text() == verdict_name(_verdict_in_database(database))
    # Yêu cầu hỗ trợ: the open ones in the database, and the nearest deadline.
    (open_count,) = _rows(database, "SELECT count(*) FROM support_requests"
                                    " WHERE status NOT IN ('resolved', 'closed')")[0]
    assert open_count == 2
    assert tiles["Yêu cầu hỗ trợ"].value_label.text() == tr_args(translate("SupportTile", "%1 yêu cầu đang mở"), 2)
    assert "Hạn đề xuất phương án" in tiles["Yêu cầu hỗ trợ"].detail_label.text()
    # Gói quy định: as many as the pack store's folder holds.
    installed = [path for path in runtime.pack_store.packs_dir.glob("*") if path.is_dir()]
    assert installed and tiles["Gói quy định"].value_label.text() == tr_args(
        translate("UpdatesTile", "%1 gói đã cài"), len(installed))
    # Bảo hành & bảo trì: the signed contract's coverage on the shop's day (12 months' warranty from acceptance).
    assert tiles["Bảo hành & bảo trì"].value_label.text() == translate("WarrantyTexts", "Đang bảo hành")
    # Bảng giá vàng: each purity's latest price, as the POS database holds them.
    (purities,) = _rows(runtime.settings.pos.database, "SELECT count(DISTINCT purity_code) FROM gold_prices")[0]
    assert overview.board_table.rowCount() == purities > 0


def _tile_texts(overview) -> list[tuple[str, str, str, object]]:
    return [(t.title_label.text(), t.value_label.text(), t.detail_label.text(), t.level) for t in overview.tiles]


def _first_read_frame(qtbot: QtBot, runtime: Runtime, **changes: object) -> MainWindow:
    """The painted frame with the overview from the first read (with ``changes`` to what it read)."""
    facts = read_first(runtime.loaded.path, demo=False, clock=runtime.clock, paths=runtime.paths,
                       contract_keys=load_trusted_keys("contract", *runtime.extra_key_files))
    assert facts is not None and facts.complete
    frame = MainWindow("vi")
    qtbot.addWidget(frame)
    frame.show_first_read(dataclasses.replace(facts, **changes), runtime.clock)  # type: ignore[arg-type]
    return frame


def test_the_overview_is_filled_with_the_stores_values(qtbot: QtBot, trusting_runtime: Runtime, make_app) -> None:
    runtime = trusting_runtime
    _stocked(runtime)
    app = make_app()
    window = app.build_window()
    overview = window.overview
    assert not overview.is_filled
    with qtbot.waitSignal(overview.filled, timeout=20000):
        pass
    _assert_tiles_hold_the_stores(overview, runtime)


def test_the_first_read_fills_the_overview_before_the_data_layer_and_the_features_agree(
        qtbot: QtBot, trusting_runtime: Runtime, make_app) -> None:
    """Issue 24: the frame shows the overview from the first read (sqlite3, no pydantic or SQLAlchemy), filled
    with the stores' values; the features' reads after attach() keep every tile as it was."""
    runtime = trusting_runtime
    _stocked(runtime)
    frame = _first_read_frame(qtbot, runtime)
    overview = frame.overview
    assert overview.is_filled and frame.stack.currentWidget() is overview and frame.runtime is None
    _assert_tiles_hold_the_stores(overview, runtime)
    first = _tile_texts(overview)

    app = make_app()
    window = app.build_window(frame)
    assert window.overview is overview  # followed, not rebuilt: nothing on screen flickers back to "reading"
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=20000)
    assert _tile_texts(overview) == first


def test_a_first_read_without_the_board_fills_once_the_features_have_read(
        qtbot: QtBot, trusting_runtime: Runtime, make_app) -> None:
    """A POS on a database server is read through SQLAlchemy: the first read shows the rest, the fill waits."""
    runtime = trusting_runtime
    _stocked(runtime)
    frame = _first_read_frame(qtbot, runtime, pos=None)
    assert not frame.overview.is_filled
    assert frame.overview.board_tile.value_label.text() == translate("OverviewPage", "Đang đọc…")
    app = make_app()
    window = app.build_window(frame)
    with qtbot.waitSignal(app.overview_filled, timeout=20000):
        pass
    _assert_tiles_hold_the_stores(window.overview, runtime)


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


def test_a_pos_behind_pos_url_fills_the_board(qtbot: QtBot, runtime: Runtime, make_app) -> None:
    """A shop whose POS is on a database server names it in pos.url only: the board reads it there (it used to
    say "not configured", as if the shop had no POS)."""
    pos = runtime.settings.pos
    database = pos.database
    assert database is not None
    pos.url, pos.database = f"sqlite:///{database}", None
    app = make_app()
    window = app.build_window()
    with qtbot.waitSignal(app.overview_filled, timeout=20000):
        pass
    (purities,) = _rows(database, "SELECT count(DISTINCT purity_code) FROM gold_prices")[0]
    assert window.overview.board_table.rowCount() == purities > 0
    assert window.overview.board_tile.level is Level.OK


def test_the_tray_takes_the_level_of_an_overview_filled_before_it_was_connected(
        qtbot: QtBot, trusting_runtime: Runtime, make_app, monkeypatch) -> None:
    """The first read sets the page's level before the app listens to it: the tray must still turn red for an
    expired contract (the features' reads then put the same level in, and say nothing)."""
    from app.ui.application import Application

    runtime = trusting_runtime
    _stocked(runtime)
    runtime.contract_service().accept(signed_contract(KEY, "DEMO-0001", accepted_on="2020-01-01", maintenance=[],
                                                      issued_at="2026-11-01T00:00:00+00:00"))
    frame = _first_read_frame(qtbot, runtime)
    assert frame.overview.level is Level.CRITICAL  # coverage expired
    told: list[Level] = []
    monkeypatch.setattr(Application, "_on_level", lambda _app, level: told.append(level))
    app = make_app()
    app.build_window(frame)
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=20000)
    assert told and told[-1] is Level.CRITICAL


def test_unread_messages_show_from_the_first_read_and_stay(qtbot: QtBot, trusting_runtime: Runtime,
                                                           make_app) -> None:
    from app.storage.support_thread import ThreadRepository
    from app.support.models import TicketReceipt, TicketUpdate
    from pmv_protocol.thread import Author, EventKind, TicketEvent

    runtime = trusting_runtime
    _stocked(runtime)
    request = runtime.support.create(NEW, coverage="warranty", response_due_at=None)
    runtime.support.mark_sent(request.id, TicketReceipt(7, "YC-2026-000007", "received", None, created=True))
    message = TicketEvent(101, EventKind.MESSAGE, Author.VENDOR, "Hỗ trợ Minh", runtime.clock(), text="Anh gửi log ạ")
    update = TicketUpdate(7, "YC-2026-000007", "in_progress", None, None, None, runtime.clock(), request.id,
                          events=(message,))
    runtime.support.apply_updates([update])
    ThreadRepository(runtime.database, runtime.paths.data_dir / "outbox", clock=runtime.clock).apply_updates([update])
    frame = _first_read_frame(qtbot, runtime)
    tile = frame.overview.support_tile
    line = tr_args(translate("SupportTile", "%1 tin nhắn mới từ bộ phận hỗ trợ"), 1)
    assert line in tile.detail_label.text()
    first = _tile_texts(frame.overview)
    app = make_app()
    app.build_window(frame)
    qtbot.waitUntil(lambda: not app.runner.is_busy() and app.support.conversations.unread == 1, timeout=20000)
    qtbot.waitUntil(lambda: not app.runner.is_busy(), timeout=20000)
    assert _tile_texts(frame.overview) == first and line in tile.detail_label.text()


def test_a_database_found_damaged_at_start_up_gets_a_new_overview(qtbot: QtBot, trusting_runtime: Runtime,
                                                                   make_app) -> None:
    """The full start-up moved a damaged database aside: what the first read showed from it is not kept."""
    from app.storage.db import NoticeKind, StorageNotice

    runtime = trusting_runtime
    _stocked(runtime)
    frame = _first_read_frame(qtbot, runtime)
    first_page = frame.overview
    runtime.storage_notices.append(StorageNotice(NoticeKind.RECOVERED_FROM_CORRUPT, runtime.paths.database_file))
    app = make_app()
    window = app.build_window(frame)
    assert window.overview is not first_page and window.stack.currentWidget() is window.overview
    with qtbot.waitSignal(app.overview_filled, timeout=20000):
        pass


def test_a_recovery_an_earlier_process_made_is_shown_once_and_keeps_the_first_read(
        qtbot: QtBot, trusting_runtime: Runtime, make_app) -> None:
    """The tray's job process found the database damaged at logon; this window's first read was of the fresh one,
    so its overview stays.  The window shows the banner, and the next start does not say it again."""
    from app.storage.errors import NoticeKind
    from app.storage.recovery_notice import RECOVERY_KEY, carry_recovery
    from app.ui.widgets.banner import Banner

    runtime = trusting_runtime
    kept = runtime.paths.database_file.with_name("pmv-support.sqlite3.corrupt-20261125-080000")
    runtime.state.set(RECOVERY_KEY, {"path": str(kept), "detail": "file is not a database"})
    runtime.storage_notices[:] = carry_recovery(runtime.state, [])
    assert [(n.kind, n.new) for n in runtime.storage_notices] == [(NoticeKind.RECOVERED_FROM_CORRUPT, False)]
    _stocked(runtime)
    frame = _first_read_frame(qtbot, runtime)
    first_page = frame.overview
    app = make_app()
    window = app.build_window(frame)
    assert window.overview is first_page
    assert any(str(kept) in banner.label.text() for banner in window.findChildren(Banner))
    assert not window.isVisible()  # built hidden, as the tray's window after an update: nobody has seen it yet
    qtbot.wait(200)
    assert runtime.state.get(RECOVERY_KEY) is not None
    window.show()
    qtbot.waitUntil(lambda: runtime.state.get(RECOVERY_KEY) is None, timeout=10000)
    assert carry_recovery(runtime.state, []) == []


def _unreadable_board(qtbot: QtBot, make_app):  # type: ignore[no-untyped-def]
    """The price board once the window is filled, having said it could not read the POS."""
    app = make_app()
    window = app.build_window()
    with qtbot.waitSignal(app.overview_filled, timeout=20000):
        pass
    board = window.overview.board_tile
    assert board.value_label.text() == translate("OverviewPage", "Không đọc được")
    return board


def test_a_pos_url_that_cannot_be_used_says_so_in_vietnamese_and_changes_nothing(
        qtbot: QtBot, runtime: Runtime, make_app) -> None:
    """A file path written where pos.url wants a connection string (a technician's common slip): the board says in
    words what is wrong and where to look, not the parser's code, and the settings file is left as it was."""
    settings = runtime.loaded.path
    assert settings is not None
    before = settings.read_bytes()
    runtime.settings.pos.url = r"C:\PMV\pmv.mdf"
    board = _unreadable_board(qtbot, make_app)
    assert board.level is Level.WARNING
    assert "pos.url" in board.detail_label.text() and "Kiểm tra hệ thống" in board.detail_label.text()
    assert HOTLINE in board.detail_label.text() and "file_path" not in board.detail_label.text()
    assert settings.read_bytes() == before


def test_a_damaged_pos_file_on_the_board_says_where_to_look_not_sqlites_words(
        qtbot: QtBot, runtime: Runtime, make_app, demo_shop) -> None:  # type: ignore[no-untyped-def]
    """It said "Không đọc được cơ sở dữ liệu PMV: file is not a database", with no next step."""
    demo_shop.pos_database.write_bytes(b"not a database " * 4000)
    board = _unreadable_board(qtbot, make_app)
    assert "Kiểm tra ngay" in board.detail_label.text() and "not a database" not in board.detail_label.text()


@pytest.mark.parametrize(("checked", "status", "level"), [
    (dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC), Status.WARNING, Level.WARNING),  # checked after: stale
    (dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC), Status.OK, Level.OK),
    (dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC), Status.WARNING, Level.OK),  # the board changed since
])
def test_the_price_boards_tile_takes_the_price_checks_colour(qtbot: QtBot, checked: dt.datetime, status: Status,
                                                            level: Level) -> None:
    """Found by a review: a board three days old said "Cập nhật lúc …" in green, beside a health tile warning
    about it. The tile now shows the price check's verdict, unless the board changed after that check ran."""
    from app.health.model import CheckResult, HealthReport
    from app.overview.facts import ShopCard
    from app.shop.pos_reader import BoardPrice, PosSummary
    from app.ui.pages.overview import OverviewPage

    page = OverviewPage(ShopCard("Tiệm vàng Kim Phát"), clock=lambda: checked)
    qtbot.addWidget(page)
    stale = "Bảng giá vàng đã cũ 3 ngày (cập nhật lần cuối 08:30 22/11/2026)"
    page.health_tile.show_report(HealthReport(checked, checked, (CheckResult("prices.fresh", status, stale),), {}),
                                 stored=True)
    board = [BoardPrice("9999", "Vàng 24K (9999)", 8_350_000, 8_500_000, "2026-11-22T08:30:00")]
    page._show_pos(PosSummary("5.8.2", 10, 8, 50, 50, board))
    assert page.board_tile.value_label.text() == "Cập nhật lúc 08:30 22/11/2026"
    assert page.board_tile.level is level
    assert (stale in page.board_tile.detail_label.text()) is (level is Level.WARNING)
