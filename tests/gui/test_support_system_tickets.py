"""A ticket the vendor's system opened for the shop, on the support page: the list, the detail, the notification.

The ticket is opened on a real vendor server (as the fleet's sweep opens it) and learnt by the app's own poller;
the page then shows it from the app's database.  ``SUPPORT_SCREENSHOTS=DIR`` keeps the page as a PNG for a
person to look at (offscreen: ``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.models import RequestStatus, StatusChange
from app.support.outbox import poll_updates
from app.support.vendor_api import VendorClient
from app.ui.support.page import SupportPage
from app.ui.support.state import SupportState
from app.ui.support.tile import SupportTile
from app.ui.support.time_texts import deadline_text
from pmv_protocol.shop_time import SHOP_TZ
from tests.helpers import FixedClock
from tests.integration.conftest import start_vendor_server
from tests.integration.test_system_tickets import note_on_server, open_on_server, shop_under_warranty

# Wednesday 25/11/2026 in the shop: the backup check has been critical since Monday; the server opened the
# ticket at 09:40, the check recovered at 10:10, and the cashier looks at 10:30.
OPENED = dt.datetime(2026, 11, 25, 9, 40, tzinfo=SHOP_TZ)
LOOKED = dt.datetime(2026, 11, 25, 10, 30, tzinfo=SHOP_TZ)
SAID = "Nhà cung cấp đã phát hiện và mở yêu cầu"


def test_the_shop_sees_the_ticket_the_vendor_opened_for_it(qtbot: QtBot, runtime: Runtime, page_and_tile: Any,
                                                           demo_clock: FixedClock, tmp_path: Path) -> None:
    demo_clock.now = LOOKED - dt.timedelta(minutes=10)  # the app's clock when it polls: after the recovery
    clock = FixedClock(OPENED)
    with start_vendor_server(tmp_path / "vendor", clock=clock) as vendor:
        token = shop_under_warranty(vendor)
        opened = open_on_server(vendor, clock, since=OPENED - dt.timedelta(days=2, hours=1))
        clock.advance(minutes=30)
        note_on_server(vendor, opened.id, clock())
        changes = poll_updates(runtime.support, VendorClient(vendor.base_url, token, timeout=5), runtime.state)
    assert [(c.ticket_number, c.system_opened) for c in changes] == [(opened.number, True)]
    # Its unread steps (the opening and the note), as stored: read here, because the page below selects its one
    # row at once and so marks them read (the cashier is looking), racing the worker that counts them.
    assert list(runtime.conversation.unread_by_request().values()) == [2]

    page, tile, state, runner = page_and_tile(SupportPage, SupportTile, SupportState, runtime, clock=lambda: LOOKED)
    page.resize(1100, 760)
    page.show()
    state.load()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=30000)
    # The list: its deadline as for any request (the server's).
    assert page.table.item(0, 0).text() == opened.number
    # Who opened it and its title; "(2 tin mới)" before it only until the selected row's conversation is read.
    assert page.table.item(0, 1).text() in (f"(2 tin mới) {SAID}: Sao lưu dữ liệu quá hạn",
                                             f"{SAID}: Sao lưu dữ liệu quá hạn")
    assert not page.table.isColumnHidden(3)  # it waits for a proposal: its deadline shows
    assert page.table.item(0, 2).text() == "Đã tiếp nhận"
    assert opened.response_due_at is not None
    assert page.table.item(0, 3).text() == deadline_text(opened.response_due_at, LOOKED).split(": ", 1)[-1]
    assert "15:10 hôm nay" in page.table.item(0, 3).text()  # high, warranty: 4 working hours from 09:40, lunch off
    assert "1 ngày" not in tile.detail_label.text() and "yêu cầu đang mở" in tile.value_label.text()

    # The detail: who opened it, the words the server wrote, its conversation with the recovery note.
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.thread.conversation is not None, timeout=30000)
    qtbot.waitUntil(lambda: "trở lại bình thường" in page.detail.toPlainText(), timeout=30000)
    detail = page.detail.toPlainText()
    assert f"Người mở\n{SAID}\nSố yêu cầu\n{opened.number}" in detail
    assert "Đường dây nóng" in detail and "1900 6037 (24/7)" in detail
    assert "Gửi lúc" not in detail and "Liên hệ" not in detail  # no cashier raised it
    assert "báo nghiêm trọng từ 23/11/2026 08:40" in detail  # the server's description, naming since when
    assert f"09:40 25/11/2026 – Hệ thống: {SAID}" in detail  # the opening step
    assert "10:20 25/11/2026 – Máy này đã nhận yêu cầu từ bộ phận hỗ trợ, số" in detail
    assert "Kiểm tra \u201cSao lưu dữ liệu\u201d đã trở lại bình thường lúc 25/11/2026 10:10." in detail
    assert "mở yêu cầu thay cho cửa hàng" in page.thread.next_step.text()
    # The shop may answer on it, under its own name (not the system's).
    assert page.thread.reply.isEnabled() and page.thread.author.text() == ""

    folder = Path(os.environ.get("SUPPORT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(folder / "support-system-ticket.png"))
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)


def test_a_newly_learnt_system_ticket_raises_its_own_notification(qtbot: QtBot, make_app: Callable[..., Any]) -> None:
    app = make_app()
    changes = [StatusChange("a", "Không kết nối được cơ sở dữ liệu PMV", "YC-2026-000007", RequestStatus.RECEIVED,
                            RequestStatus.RECEIVED, None, system_opened=True),
               StatusChange("b", "Hỏi quy định", "YC-2026-000002", RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS,
                            None)]
    with qtbot.waitSignal(app.notifier.notified, timeout=5000):
        app.support.status_changed.emit(changes)
    assert [(n.title, n.message) for n in app.notifier.history] == [
        (f"{SAID} YC-2026-000007", "Không kết nối được cơ sở dữ liệu PMV")]
