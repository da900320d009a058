"""The telemetry box on the Bảo hành page and its preview: what is sent, and the exact JSON.

``PMV_SCREENSHOTS=DIR`` also saves the page with the box and the preview dialog as PNGs there (offscreen).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app import __version__
from app.health.service import run_health
from app.runtime import Runtime
from app.ui.fleet.telemetry_box import TelemetryBox
from app.ui.tasks import TaskRunner
from app.ui.warranty.page import WarrantyPage
from app.ui.warranty.state import WarrantyState
from app.ui.warranty.tile import WarrantyTile


def save(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """The widget rendered to a PNG in the test's folder (and in $PMV_SCREENSHOTS when set)."""
    image = widget.grab()
    assert not image.isNull() and image.width() > 0
    path = tmp_path / f"{name}.png"
    assert image.save(str(path))
    if os.environ.get("PMV_SCREENSHOTS"):
        folder = Path(os.environ["PMV_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        image.save(str(folder / f"{name}.png"))
    return path


@pytest.fixture
def warranty_page(qtbot: QtBot, page_and_tile, runtime: Runtime) -> WarrantyPage:
    # A shop that has been checked: the first verdict's heartbeat waits (this till has no shop token yet).
    run_health(runtime)
    page, _tile, state, _runner = page_and_tile(WarrantyPage, WarrantyTile, WarrantyState, runtime)
    page.resize(1100, 760)
    with qtbot.waitSignal(state.changed, timeout=5000):
        state.load()
    return page


def shown_box(qtbot: QtBot, box: TelemetryBox) -> TelemetryBox:
    box.window().show()
    qtbot.waitUntil(lambda: box.status is not None, timeout=5000)
    return box


def test_the_warranty_page_says_what_is_sent_every_15_minutes_and_that_nothing_reached_the_vendor_yet(
        qtbot: QtBot, warranty_page: WarrantyPage, tmp_path: Path) -> None:
    box = shown_box(qtbot, warranty_page.telemetry)
    assert box.title() == "Dữ liệu gửi cho nhà cung cấp"
    assert "Cứ khoảng 15 phút" in box.what.text() and "kết quả từng mục kiểm tra" in box.what.text()
    assert box.never.isVisible() and "thông tin khách hàng" in box.never.text()
    assert box.last.text() == ("Nhà cung cấp chưa nhận được báo cáo nào từ máy này. "
                               "1 mục đang chờ gửi, sẽ tự gửi khi có mạng.")
    assert box.preview_button.text() == "Xem dữ liệu gửi đi"
    content = warranty_page.findChild(QScrollArea).widget()
    content.resize(content.sizeHint().expandedTo(content.size()))
    save(content, "fleet-warranty-page", tmp_path)


def test_telemetry_off_in_the_settings_says_only_the_version_goes(qtbot: QtBot, runtime: Runtime) -> None:
    runtime.settings.fleet.telemetry = False
    runtime.settings.fleet.heartbeat_minutes = 30
    runner = TaskRunner()
    box = TelemetryBox(runtime, runner)
    qtbot.addWidget(box)
    shown_box(qtbot, box)
    assert "[fleet] telemetry = false" in box.what.text() and "chỉ gửi phiên bản ứng dụng" in box.what.text()
    assert "Cứ khoảng 30 phút" not in box.what.text() and "khoảng 30 phút" in box.what.text()
    assert not box.never.isVisible()


def test_the_preview_shows_the_exact_json_read_only(qtbot: QtBot, warranty_page: WarrantyPage, runtime: Runtime,
                                                    tmp_path: Path) -> None:
    box = shown_box(qtbot, warranty_page.telemetry)
    box.preview_button.click()
    qtbot.waitUntil(lambda: box.preview is not None and box.preview.isVisible(), timeout=5000)
    dialog = box.preview
    assert dialog is not None and dialog.text.isReadOnly()
    assert box.preview_button.isEnabled()
    method, body = dialog.text.toPlainText().split("\n", 1)
    assert method == "POST /api/v1/heartbeat"
    sent = json.loads(body)
    assert sent["app_version"] == __version__ and sent["telemetry"] is True
    assert sent["verdict"] in ("ok", "warning", "critical") and sent["pos_version"] == "5.8.2"
    assert {c["id"] for c in sent["checks"]} >= {"backup.age", "pos.db.connect"}
    waiting = runtime.fleet.waiting_heartbeat()
    assert waiting is not None and sent["id"] == waiting.id  # the report that goes next
    assert runtime.fleet.depth() == 1  # looking stores nothing and sends nothing
    dialog.resize(760, 560)
    save(dialog, "fleet-preview-dialog", tmp_path)
    dialog.close()


def test_the_windows_agent_sends_the_heartbeat_on_its_timetable(make_app) -> None:
    application = make_app()
    job = application.agent._scheduler.get_job("fleet.heartbeat")
    assert job is not None and job.trigger.interval.total_seconds() >= 15 * 60


def test_a_hidden_box_reads_nothing_until_it_is_shown(qtbot: QtBot, runtime: Runtime) -> None:
    # Issue 24: at start both boxes (Bảo hành, Cập nhật) are hidden; a contract read must not start their reads,
    # which competed with the overview's. Shown, the box reads what is sent at once.
    runner = TaskRunner()
    box = TelemetryBox(runtime, runner)
    qtbot.addWidget(box)
    started: list[object] = []
    runner.task_started.connect(started.append)
    box.contract_changed()
    assert started == [] and box.status is None
    shown_box(qtbot, box)
    assert len(started) == 1
    box.contract_changed()  # shown: the new contract is read at once
    assert len(started) == 2
