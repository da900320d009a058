from __future__ import annotations

import sqlite3
import threading
import time

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.health.model import Status
from app.runtime import Runtime
from app.health.context import VN
from app.shop.demo import DemoShop, create_demo_shop
from app.ui.health.page import HealthPage, HealthTile
from app.ui.health.state import HealthState
from app.ui.levels import Level
from app.ui.tasks import TaskRunner


@pytest.fixture
def demo_shop(tmp_path: Path) -> DemoShop:
    """A shop dated today: the page runs the checks on the real clock (price board and invoice windows)."""
    return create_demo_shop(tmp_path / "shop", today=dt.datetime.now(VN).date())


def make(qtbot: QtBot, runtime: Runtime):
    runner = TaskRunner()
    state = HealthState(runtime, runner)
    page = HealthPage(runtime, runner, state)
    tile = HealthTile(state)
    qtbot.addWidget(page)
    qtbot.addWidget(tile)
    page._keep = (runner, state)
    return page, tile, state


def test_a_run_shows_the_verdict_groups_and_fix_steps(qtbot: QtBot, runtime: Runtime, demo_shop: DemoShop) -> None:
    with sqlite3.connect(demo_shop.pos_database) as conn:  # break the invoice sequence: one number missing
        (missing,) = conn.execute("SELECT number FROM invoices ORDER BY number DESC LIMIT 1 OFFSET 2").fetchone()
        conn.execute("DELETE FROM invoices WHERE number = ?", (missing,))
    page, tile, state = make(qtbot, runtime)
    assert page.verdict.text() == "Chưa kiểm tra"
    with qtbot.waitSignal(state.finished, timeout=60000) as blocker:
        page.run_button.click()
        assert not page.run_button.isEnabled() and not page.cancel_button.isHidden()
    run = blocker.args[0]
    assert run.report.by_id()["invoices.sequence"].status is Status.CRITICAL
    assert page.verdict.text() == "Cần xử lý ngay" and tile.level is Level.CRITICAL
    assert "Số hóa đơn liên tục" in tile.detail_label.text()
    groups = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert groups[:3] == ["Cơ sở dữ liệu", "Sao lưu", "Dữ liệu bán hàng"]
    data = page.tree.topLevelItem(2)
    invoices = next(data.child(i) for i in range(data.childCount()) if data.child(i).text(0) == "Số hóa đơn liên tục")
    assert invoices.text(1) == "Nghiêm trọng" and f"{missing:07d}" in invoices.text(2)
    assert invoices.childCount() == 1 and "1900 6037" in invoices.child(0).text(2)  # the fix steps
    assert page.run_button.isEnabled() and page.attach_button.isEnabled()
    assert run.became_critical


def test_the_gui_stays_responsive_and_a_run_can_be_cancelled(qtbot: QtBot, runtime: Runtime) -> None:
    page, _tile, state = make(qtbot, runtime)
    beats: list[float] = []
    stop = threading.Event()

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: beats.append(time.monotonic()))
    timer.start()
    with qtbot.waitSignal(state.finished, timeout=60000):
        page.run_now()
    timer.stop()
    stop.set()
    gaps = [b - a for a, b in zip(beats, beats[1:])]
    assert len(beats) > 5 and max(gaps) < 0.5  # the GUI thread kept ticking during the run
    # Cancel: the run stops at once, says so, and records nothing.
    verdict_before = page.verdict.text()
    with qtbot.waitSignal(state.cancelled, timeout=10000):
        page.run_now()
        page.cancel_button.click()
    assert "Đã dừng" in page.message.text() and page.run_button.isEnabled()
    assert page.verdict.text() == verdict_before


def test_the_request_form_carries_the_latest_report(qtbot: QtBot, make_app) -> None:
    app = make_app()
    window = app.build_window()
    qtbot.addWidget(window)
    with qtbot.waitSignal(app.health.finished, timeout=60000):
        window.health_page.run_now()
    window.health_page.attach_button.click()
    form = window.request_form
    assert form._health is app.health.last.report
    parts = form._health_parts()
    assert [p.key for p in parts] == ["health_report"] and '"verdict"' in parts[0].text
    form.reject()


def test_only_the_run_that_turns_critical_notifies(qtbot: QtBot, make_app, demo_shop: DemoShop) -> None:
    with sqlite3.connect(demo_shop.pos_database) as conn:
        conn.execute("UPDATE gold_prices SET sell_vnd_per_chi = 1 WHERE purity_code = '750'")
    app = make_app()
    for _run in range(2):
        with qtbot.waitSignal(app.health.finished, timeout=60000):
            app.health.run_now()
    critical = [n for n in app.notifier.history if n.level is Level.CRITICAL]
    assert len(critical) == 1 and "Bảng giá vàng" in critical[0].message
