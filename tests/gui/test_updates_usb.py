"""The Cập nhật page's *Cập nhật từ USB…*: choose a folder, the import runs in the background with its progress
and a Cancel button, and the page says in Vietnamese what was installed or why the copy was refused.

The copies are real repositories made by the vendor's tool (tests/integration/test_usb_import.py), imported by
the real updater into the test shop's data folder.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.ui.tasks import TaskRunner
from app.ui.updates.page import UpdatesPage
from app.ui.updates.state import UpdatesState
from app.updates.service import Updater
from pmv_protocol.filelock import FileLock
from pmv_protocol.shop_time import SHOP_TZ
from tests.helpers import FixedClock
from tests.integration.test_usb_import import PACK_ID, Vendor
from vendor_server import tuf_repo

SHOTS = os.environ.get("PMV_SHOTS")  # a folder: the page is also saved there as PNGs, for a person to look at


def make(qtbot: QtBot, runtime: Runtime, vendor: Vendor) -> tuple[UpdatesPage, UpdatesState]:
    """The page on its own state, its updater trusting ``vendor``'s root as a shop's trusts the one it ships."""
    runner = TaskRunner()
    state = UpdatesState(runtime, runner)
    state.updater = Updater(runtime, root_bytes=vendor.root())
    page = UpdatesPage(runtime, state)
    qtbot.addWidget(page)
    page._keep = runner  # type: ignore[attr-defined]
    page.resize(1000, 700)
    page.show()
    return page, state


def shoot(page: UpdatesPage, name: str) -> None:
    if SHOTS:
        page.grab().save(str(Path(SHOTS) / f"updates-usb-{name}.png"))


@pytest.fixture
def vendor(tmp_path: Path) -> Vendor:
    return Vendor.create(tmp_path / "vendor")


def test_the_button_asks_for_a_folder_and_installs_the_copy(
        qtbot: QtBot, runtime: Runtime, vendor: Vendor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vendor.publish_pack("1.0.0")
    vendor.publish_calendar()
    copy = vendor.export(tmp_path / "usb")
    page, state = make(qtbot, runtime, vendor)
    asked: list[str] = []

    def choose(parent: object, caption: str, *args: object) -> str:
        asked.append(caption)
        return str(copy)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose)
    assert page.usb_button.text() == "Cập nhật từ USB…"
    with qtbot.waitSignal(state.imported, timeout=30000) as blocker:
        qtbot.mouseClick(page.usb_button, Qt.MouseButton.LeftButton)
        assert page.usb_row.isVisible() and page.usb_cancel_button.isEnabled()
        assert not page.usb_button.isEnabled() and not page.check_button.isEnabled()
    assert asked == ["Chọn thư mục bản cập nhật trên USB"]
    assert blocker.args[0].error is None
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    assert page.message.text() == (
        "Đã cài từ USB: Thanh toán khi mua, bán vàng từ 20 triệu đồng trở lên phải qua tài khoản ngân hàng "
        "(bản 1.0.0), Lịch làm việc năm 2026 của bộ phận hỗ trợ Phần Mềm Vàng (bản 1.0.0).")
    assert runtime.pack_store.current(PACK_ID).version == "1.0.0"
    qtbot.waitUntil(lambda: not page.usb_row.isVisible() and page.usb_button.isEnabled(), timeout=5000)
    shoot(page, "installed")

    # Cancel: the choice dialog closed without a folder starts nothing.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: "")
    page.choose_usb_folder()
    assert not page.usb_row.isVisible()


def test_a_stale_copy_is_refused_with_its_date_and_age(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)  # python-tuf's freeze check reads the real clock
    runtime.clock = FixedClock(now)
    made = now - dt.timedelta(days=40)
    vendor = Vendor.create(tmp_path / "vendor", now=made)
    vendor.publish_pack("1.0.0", now=made)
    copy = vendor.export(tmp_path / "usb")
    page, state = make(qtbot, runtime, vendor)
    expired = (made + dt.timedelta(days=tuf_repo.DEFAULT_EXPIRY_DAYS["timestamp"])).astimezone(SHOP_TZ).date()
    days = (now.astimezone(SHOP_TZ).date() - expired).days

    with qtbot.waitSignal(state.imported, timeout=30000):
        page.import_from(copy)

    assert page.message.text().startswith(
        f"Bản cập nhật trên USB đã hết hạn từ {expired:%d/%m/%Y} ({days} ngày trước). Hãy xin nhà cung cấp một bản "
        "mới (pmv-vendor repo export-offline).")
    assert "Không cài gì" in page.message.text()
    assert runtime.pack_store.installed() == []
    qtbot.waitUntil(lambda: not page.usb_row.isVisible(), timeout=5000)
    shoot(page, "stale")


def test_a_copy_from_another_vendor_and_a_folder_that_is_no_copy_are_said_plainly(
        qtbot: QtBot, runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    other = Vendor.create(tmp_path / "other")
    other.publish_pack("1.0.0")
    page, state = make(qtbot, runtime, vendor)
    with qtbot.waitSignal(state.imported, timeout=30000):
        page.import_from(other.export(tmp_path / "usb"))
    assert "không phải của nhà cung cấp của bạn" in page.message.text()
    assert runtime.pack_store.installed() == []
    qtbot.waitUntil(lambda: page.usb_button.isEnabled(), timeout=5000)

    empty = tmp_path / "empty"
    empty.mkdir()
    with qtbot.waitSignal(state.import_failed, timeout=10000):
        page.import_from(empty)
    assert page.message.text().startswith(f"Thư mục {empty} không phải bản cập nhật của nhà cung cấp")


def test_cancel_stops_the_import_and_installs_nothing(
        qtbot: QtBot, runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    vendor.publish_pack("1.0.0")
    copy = vendor.export(tmp_path / "usb")
    page, state = make(qtbot, runtime, vendor)
    metadata = runtime.paths.data_dir / "updates" / "metadata"
    metadata.mkdir(parents=True, exist_ok=True)
    # Another update run holds the metadata folder: the import waits for it, with its progress row showing.
    with FileLock(metadata / ".lock", timeout=5):
        page.import_from(copy)
        assert page.usb_row.isVisible()
        assert page.usb_progress_label.text().startswith("Đang kiểm tra bản cập nhật trong")
        shoot(page, "running")
        qtbot.mouseClick(page.usb_cancel_button, Qt.MouseButton.LeftButton)
        assert page.usb_progress_label.text() == "Đang dừng…" and not page.usb_cancel_button.isEnabled()
    # The other run is done: the import goes on, sees the cancel before it installs anything, and stops.
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=30000)
    assert page.message.text().startswith("Đã dừng cập nhật từ USB")
    assert runtime.pack_store.installed() == []
    assert page.usb_button.isEnabled() and not page.usb_row.isVisible()


def test_every_refusal_and_folder_problem_is_worded_on_the_page() -> None:
    from app.ui.updates.texts import copy_folder_text, usb_refusal_text
    from app.updates.offline import CopyFolderProblem, OfflineCopyRefused, OfflineRefusal
    from app.updates.targets import UpdateErrorKind

    for problem in OfflineRefusal:
        text = usb_refusal_text(OfflineCopyRefused(UpdateErrorKind.SECURITY, "", problem))
        assert "USB" in text and "Không cài" in text, problem
    for folder_problem in CopyFolderProblem:
        assert "E:\\PMV" in copy_folder_text(folder_problem, "E:\\PMV")
    stale = OfflineCopyRefused(UpdateErrorKind.SECURITY, "", OfflineRefusal.STALE,
                               expired_at=dt.datetime(2026, 11, 11, 18, 0, tzinfo=dt.UTC), days_ago=24)
    assert usb_refusal_text(stale).startswith(  # the day is the shop's: 01:00 on 12/11 there
        "Bản cập nhật trên USB đã hết hạn từ 12/11/2026 (24 ngày trước). Hãy xin nhà cung cấp một bản mới "
        "(pmv-vendor repo export-offline).")
