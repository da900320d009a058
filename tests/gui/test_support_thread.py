"""The request's conversation on the support page, against the demo's embedded vendor server (real HTTP, real SQLite).

The demo seeds three requests through the vendor's own staff acts: one resolved and not rated, one with a
conversation, files both ways and a confirmed visit, one with a proposed solution waiting for the shop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.models import RequestStatus
from app.support.thread_models import EntryState, EventKind, FileState
from app.ui.support.page import SupportPage
from app.ui.support.state import SupportState
from app.ui.support.thread_dialogs import RatingDialog, ReasonDialog
from app.ui.support.tile import SupportTile
from tests.gui import screens
from tests.helpers import FixedClock

pytest.importorskip("uvicorn", reason="the demo vendor needs the vendor extras (pip install -e '.[vendor]')")


@pytest.fixture
def demo_runtime(app_home: object, demo_clock: FixedClock) -> Iterator[Runtime]:
    runtime = screens.demo_runtime(demo_clock)
    assert runtime.demo_vendor is not None, "the embedded vendor did not start (see the log)"
    yield runtime
    runtime.close()


@pytest.fixture
def page(qtbot: QtBot, page_and_tile, demo_runtime: Runtime) -> SupportPage:
    page, _tile, state, _runner = page_and_tile(SupportPage, SupportTile, SupportState, demo_runtime)
    state.load()
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=20000)
    return page


def _select(qtbot: QtBot, page: SupportPage, status: RequestStatus) -> str:
    request = next(r for r in page._state.requests if r.status is status)
    row = next(row for row in range(page.table.rowCount()) if page.table.item(row, 0).text() == request.ticket_number)
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: page.thread.conversation is not None
                    and page.thread.conversation.request.id == request.id, timeout=20000)
    return request.id


def test_the_thread_shows_both_sides_the_visit_and_the_vendors_file(qtbot: QtBot, page: SupportPage) -> None:
    _select(qtbot, page, RequestStatus.ON_SITE_SCHEDULED)
    text = page.detail.toPlainText()
    assert "Nhà cung cấp – Nguyễn Thu Hà" in text and "Cửa hàng – Chị Lan" in text
    assert "Cửa hàng báo chưa khắc phục" in text and "Hạn đề xuất mới" in text  # the refusal restarted the clock
    assert "ve-sinh-cam-bien-giay.txt" in text
    # The shop's opening step is said as the shop's, before the vendor hears of it (it read "Cửa hàng – Chị Lan:
    # Bộ phận hỗ trợ đã nhận yêu cầu").
    assert "Cửa hàng – Chị Lan: Mở yêu cầu" in page.thread.timeline.toPlainText()
    assert "Bộ phận hỗ trợ đã nhận yêu cầu" not in text
    assert "Đã hẹn:" in page.thread.next_step.text() and "Trần Minh" in page.thread.next_step.text()
    assert all(button.isHidden() for button in page.thread._action_buttons())  # nothing waits for the shop


def test_a_vendor_file_is_downloaded_checked_and_opened(qtbot: QtBot, page: SupportPage) -> None:
    request_id = _select(qtbot, page, RequestStatus.ON_SITE_SCHEDULED)
    conversation = page.thread.conversation
    assert conversation is not None
    vendor_file = next(f for e in conversation.entries if e.from_vendor for f in e.files)
    assert vendor_file.state == FileState.AVAILABLE
    opened: list[Path] = []
    page.thread.open_file = opened.append
    page.thread._state.fetch_file(request_id, vendor_file.id, vendor_file.local_path)
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)
    assert hashlib.sha256(opened[0].read_bytes()).hexdigest() == vendor_file.sha256


def test_refusing_the_proposal_reaches_the_vendor_with_a_reason(qtbot: QtBot, page: SupportPage,
                                                                demo_runtime: Runtime) -> None:
    request_id = _select(qtbot, page, RequestStatus.SOLUTION_PROPOSED)
    assert not page.thread.accept_button.isHidden() and not page.thread.refuse_button.isHidden()

    def answer(dialog: ReasonDialog) -> bool:
        assert not dialog.buttons.buttons()[0].isEnabled() or dialog.reason() == ""  # no reason, no OK
        dialog.text.setPlainText("Khách vẫn hỏi, cần hướng dẫn qua điện thoại")
        return True

    page.thread.ask_reason = answer
    page.thread.refuse_button.click()
    qtbot.waitUntil(lambda: any(e.kind == EventKind.REFUSED and e.state == EntryState.SENT
                                for e in demo_runtime.conversation.conversation(request_id).entries), timeout=20000)
    refused = next(e for e in demo_runtime.conversation.conversation(request_id).entries if e.kind == EventKind.REFUSED)
    assert refused.text == "Khách vẫn hỏi, cần hướng dẫn qua điện thoại"
    qtbot.waitUntil(lambda: page.thread.refuse_button.isHidden(), timeout=20000)  # answered once


def test_a_resolved_request_is_rated_once(qtbot: QtBot, page: SupportPage, demo_runtime: Runtime) -> None:
    request_id = _select(qtbot, page, RequestStatus.RESOLVED)
    assert not page.thread.rate_button.isHidden() and not page.thread.reopen_button.isHidden()

    def rate(dialog: RatingDialog) -> bool:
        assert not dialog.send.isEnabled()  # no stars yet
        dialog.set_stars(5)
        dialog.comment.setPlainText("Hỗ trợ nhanh")
        return True

    page.thread.ask_rating = rate
    page.thread.rate_button.click()
    qtbot.waitUntil(lambda: any(e.kind == EventKind.RATED and e.stars == 5
                                for e in demo_runtime.conversation.conversation(request_id).entries), timeout=20000)
    qtbot.waitUntil(lambda: page.thread.rate_button.isHidden(), timeout=20000)
