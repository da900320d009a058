"""A request's reply box and the conversation's small dialogs with the keyboard and a screen reader: Tab moves on
(it never types a tab into what the vendor reads), and every box a cashier types in has a name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.models import RequestStatus
from app.ui.support.page import SupportPage
from app.ui.support.state import SupportState
from app.ui.support.thread_dialogs import RatingDialog, ReasonDialog
from app.ui.support.tile import SupportTile
from tests.gui import screens
from tests.helpers import FixedClock


def _shown(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window())


def _label_of(widget: QWidget, field: QWidget) -> QLabel:
    (label,) = [label for label in widget.findChildren(QLabel) if label.buddy() is field]
    return label


def _typed_then_tab(qtbot: QtBot, box: QWidget, text: str) -> QWidget | None:
    """Type ``text`` into ``box``, press Tab; where the focus went."""
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def test_tab_leaves_the_reason_box_and_each_box_is_named(qtbot: QtBot) -> None:
    prompt = "Phương án chưa khắc phục được lỗi? Hãy cho biết lỗi còn thế nào."
    dialog = ReasonDialog("Chưa khắc phục", prompt, "Ví dụ: vẫn không in được tem", "Gửi", "Chị Lan")
    _shown(qtbot, dialog)
    assert QApplication.focusWidget() is dialog.text  # the dialog opens where the answer is typed
    assert _typed_then_tab(qtbot, dialog.text, "Van loi") is dialog.author
    assert dialog.reason() == "Van loi" and "\t" not in dialog.text.toPlainText()
    # The question above the box is its name; the name box is named by its label, without the colon.
    assert _label_of(dialog, dialog.text).text() == prompt and dialog.text.accessibleName() == prompt
    assert _label_of(dialog, dialog.author).text() == "Người trả lời:"
    assert dialog.author.accessibleName() == "Người trả lời"


def test_tab_leaves_the_rating_comment_and_each_control_is_named(qtbot: QtBot) -> None:
    dialog = RatingDialog("YC-2026-000001", "Chị Lan")
    _shown(qtbot, dialog)
    assert _typed_then_tab(qtbot, dialog.comment, "Ho tro nhanh") is dialog.author
    assert dialog.comment_text() == "Ho tro nhanh" and "\t" not in dialog.comment.toPlainText()
    assert dialog.comment.accessibleName() == "Góp ý thêm (không bắt buộc)"  # its only words on screen
    assert _label_of(dialog, dialog.author).text() == "Người đánh giá:"
    assert dialog.author.accessibleName() == "Người đánh giá"
    # A star is read as how many stars it gives, not as "white star".
    assert [star.accessibleName() for star in dialog.stars] == [f"{n} sao" for n in range(1, 6)]


@pytest.fixture
def demo_runtime(app_home: object, demo_clock: FixedClock) -> Iterator[Runtime]:
    pytest.importorskip("uvicorn", reason="the demo vendor needs the vendor extras (pip install -e '.[vendor]')")
    runtime = screens.demo_runtime(demo_clock)
    assert runtime.demo_vendor is not None, "the embedded vendor did not start (see the log)"
    yield runtime
    runtime.close()


@pytest.mark.integration
def test_tab_leaves_the_reply_box_and_the_box_is_named(qtbot: QtBot, page_and_tile, demo_runtime: Runtime) -> None:
    page, _tile, state, _runner = page_and_tile(SupportPage, SupportTile, SupportState, demo_runtime)
    state.load()
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=20000)
    request = next(r for r in state.requests if r.status is RequestStatus.ON_SITE_SCHEDULED)
    page.table.selectRow(next(row for row in range(page.table.rowCount())
                              if page.table.item(row, 0).text() == request.ticket_number))
    thread = page.thread
    qtbot.waitUntil(lambda: thread.conversation is not None and thread.reply.isEnabled(), timeout=20000)
    _shown(qtbot, page)
    went = _typed_then_tab(qtbot, thread.reply, "Cam on")
    assert went is not thread.reply and went is not None and thread.isAncestorOf(went)
    assert thread.reply.toPlainText() == "Cam on"
    assert thread.reply.accessibleName() == thread.reply.placeholderText()  # the box's only words on screen
    assert thread.author.accessibleName() == "Người gửi"
