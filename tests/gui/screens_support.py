"""The support page's conversations and their dialogs, for tests/gui/screens.py (issue 21's screens).

The demo seeds three requests through the vendor's own staff acts (app/shop/demo_support.py): one with a
conversation of ten messages and files both ways, a refusal and a confirmed visit; one whose proposed solution
waits for the shop; one resolved and not rated.  Each is shown selected, then the dialogs a cashier reaches
from them: the refusal's reason, the rating, and, after the demo vendor offers a visit on the waiting request
(a real staff act on the embedded server, polled as the app polls), the visit proposal and the dialog asking
for another time.  Every dialog is captured where the view would run it, shown, and closed unanswered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from PySide6.QtWidgets import QDialog

from app.shop.demo_support import STAFF, TECHNICIAN, VISIT_HOURS, visit_day
from app.support.models import RequestStatus
from app.support.outbox import POLL_STATE_KEY, poll_updates
from app.ui.main_window import MainWindow
from app.ui.support.page import SupportPage
from app.ui.support.thread_view import ThreadView
from tests.gui.screens import Screen, settle


def _wait(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen in {timeout:.0f} s")
        settle(1)
        time.sleep(0.01)


def select_request(page: SupportPage, status: RequestStatus) -> str:
    """Select the demo's request in ``status`` and wait for its conversation to load; returns its id."""
    _wait(lambda: any(r.status is status for r in page._state.requests), f"a request in {status.value}")
    request = next(r for r in page._state.requests if r.status is status)
    row = next(row for row in range(page.table.rowCount())
               if page.table.item(row, 0).text() == request.ticket_number)
    page.table.selectRow(row)
    _wait(lambda: page.thread.conversation is not None and page.thread.conversation.request.id == request.id,
          f"the conversation of {request.ticket_number}")
    settle()
    return request.id


def _captured(view: ThreadView, act: Callable[[], None], name: str) -> Iterator[Screen]:
    """Run the view's ``act`` with its dialog shown but never answered: the dialog as the cashier sees it."""
    dialogs: list[QDialog] = []

    def capture(dialog: QDialog) -> bool:
        dialogs.append(dialog)
        return False

    ask_reason, ask_rating = view.ask_reason, view.ask_rating
    view.ask_reason = view.ask_rating = capture  # type: ignore[assignment]
    try:
        act()
    finally:
        view.ask_reason, view.ask_rating = ask_reason, ask_rating
    if not dialogs:
        raise AssertionError(f"{name}: the view opened no dialog")
    dialog = dialogs[0]
    dialog.show()
    settle()
    yield Screen(name, dialog)
    dialog.close()
    dialog.deleteLater()
    settle()


def support_threads(window: MainWindow) -> Iterator[Screen]:
    """The three demo conversations, the refuse and rating dialogs, then a visit offered and its dialog."""
    runtime, page = window.runtime, window.support_page
    assert runtime is not None
    window.show_page("support")
    settle()
    select_request(page, RequestStatus.ON_SITE_SCHEDULED)
    yield Screen("page-support-thread-ten-messages", window)
    waiting = select_request(page, RequestStatus.SOLUTION_PROPOSED)
    yield Screen("page-support-thread-proposal", window)
    yield from _captured(page.thread, page.thread._refuse, "dialog-support-refuse")
    select_request(page, RequestStatus.RESOLVED)
    yield Screen("page-support-thread-resolved", window)
    yield from _captured(page.thread, page.thread._rate, "dialog-support-rating")

    vendor = runtime.demo_vendor
    request = runtime.support.get(waiting)
    if vendor is None or request is None or not request.ticket_number:
        raise AssertionError("the demo vendor is not running: no visit can be offered")
    start, end = VISIT_HOURS
    vendor.propose_visit(request.ticket_number, STAFF, visit_day(runtime.clock()), start, end, TECHNICIAN,
                         now=runtime.clock())
    runtime.state.set(POLL_STATE_KEY, None)
    poll_updates(runtime.support, runtime.vendor_client(), runtime.state)
    window.support_state.load()
    page.thread._state.after_poll()
    select_request(page, RequestStatus.SOLUTION_PROPOSED)
    _wait(lambda: page.thread.conversation is not None and page.thread.conversation.visit is not None
          and not page.thread.confirm_visit_button.isHidden(), "the visit's buttons")
    yield Screen("page-support-thread-visit-proposed", window)
    yield from _captured(page.thread, page.thread._reschedule, "dialog-support-reschedule")
