from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.models import AttachmentKind, RequestStatus, Severity
from app.support.service import FormField
from app.ui.support.form import RequestForm
from app.ui.support.page import SupportPage
from app.ui.support.state import SupportState
from app.ui.support.tile import SupportTile
from app.ui.tasks import TaskRunner

# Wednesday 25/11/2026 10:00 in Hồ Chí Minh City: inside working hours.
MORNING = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def make(page_and_tile, runtime: Runtime) -> Callable[..., tuple[SupportPage, SupportTile, SupportState, TaskRunner]]:
    """``make(now)``: the support page and tile on one state whose clock says ``now`` (MORNING unless given)."""

    def make_at(now: dt.datetime = MORNING) -> tuple[SupportPage, SupportTile, SupportState, TaskRunner]:
        return page_and_tile(SupportPage, SupportTile, SupportState, runtime, clock=lambda: now)

    return make_at


def fill(form: RequestForm, phone: str = "0903 112 233") -> None:
    form.title.setText("Máy quét không nhận mã")
    form.description.setPlainText("Quét mã tem ra chữ lạ từ sáng nay.")
    form.contact_name.setText("Chị Lan")
    form.contact_phone.setText(phone)


def test_errors_show_next_to_the_fields_and_nothing_is_saved(qtbot: QtBot, runtime: Runtime, make) -> None:
    page, _tile, state, runner = make()
    form = RequestForm(runtime, runner, state)
    qtbot.addWidget(form)
    form.contact_phone.setText("01234")
    assert form.submit() is False
    title_error, phone_error = form.errors[FormField.TITLE], form.errors[FormField.CONTACT_PHONE]
    assert not title_error.isHidden() and title_error.text() == "Vui lòng nhập mục này."
    assert not phone_error.isHidden() and "số" in phone_error.text()
    assert form.errors[FormField.DESCRIPTION].isHidden()  # an empty description is fine
    assert runtime.support.all() == []


def test_an_offline_submit_is_saved_with_its_attachments_and_explained(
    qtbot: QtBot, runtime: Runtime, make, tmp_path: Path
) -> None:
    # The demo shop's settings point at a vendor server that does not exist here.
    page, tile, state, runner = make()
    screenshot = QImage(64, 32, QImage.Format.Format_RGB32)
    screenshot.fill(0x336699)
    form = RequestForm(runtime, runner, state, screenshot=screenshot)
    qtbot.addWidget(form)
    fill(form)
    form.severity_buttons[Severity.HIGH].setChecked(True)
    with qtbot.waitSignal(state.submitted, timeout=20000):
        assert form.submit() is True
    qtbot.waitUntil(lambda: bool(state.requests), timeout=5000)
    (request,) = runtime.support.all()
    assert request.status is RequestStatus.PENDING and request.attempts == 1
    assert request.contact_phone == "+84903112233"
    assert {a.kind for a in request.attachments} == {AttachmentKind.SCREENSHOT, AttachmentKind.DIAGNOSTICS}
    assert all(Path(a.path).exists() for a in request.attachments)
    assert "sẽ tự gửi" in page.message.text() and "1900 6037" in page.message.text()
    # Why, as the outbox found it: this shop has no token yet (it was told "no connection to the server" before).
    assert "chưa được kết nối với nhà cung cấp" in page.message.text()
    assert page.table.rowCount() == 1 and page.table.item(0, 2).text() == "Chờ gửi"
    assert "chưa gửi được" in tile.detail_label.text()


def test_a_request_that_cannot_be_saved_stays_in_the_form_with_why(qtbot: QtBot, runtime: Runtime, make) -> None:
    """Another program holds the app database's write lock (a real SQLite lock): the save fails after SQLite's
    busy timeout.  Nothing typed is lost, the form says why in words, and the same button saves it later."""
    page, _tile, state, runner = make()
    form = RequestForm(runtime, runner, state)
    qtbot.addWidget(form)
    form.show()
    fill(form)
    other = sqlite3.connect(runtime.database.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        failed: list[BaseException] = []
        state.submit_failed.connect(failed.append)
        assert form.submit() is True
        assert not form.send_button.isEnabled()  # a second press would make a second request
        form.reject()  # Hủy, Esc or ×: the save's answer decides, or a "cancelled" request would still go out
        assert form.isVisible() and not form.cancel_button.isEnabled()
        qtbot.waitUntil(lambda: not form.save_error.isHidden(), timeout=30000)
        assert failed == []  # said once, in the form, not again on the page behind it
    finally:
        other.close()
    assert form.isVisible()
    assert (form.title.text(), form.contact_name.text()) == ("Máy quét không nhận mã", "Chị Lan")
    assert form.description.toPlainText() == "Quét mã tem ra chữ lạ từ sáng nay."
    said = form.save_error.text()
    assert not form.save_error.isHidden() and "chương trình khác giữ" in said and "1900 6037" in said
    assert "sqlite" not in said.lower() and "sqlalche" not in said.lower()
    assert form.send_button.isEnabled() and form.cancel_button.isEnabled() and runtime.support.all() == []
    with qtbot.waitSignal(form.sent, timeout=30000):
        form.submit()
    assert not form.isVisible()
    assert [request.title for request in runtime.support.all()] == ["Máy quét không nhận mã"]


@pytest.fixture
def first_answer_lost(qtbot: QtBot, runtime: Runtime, make,
                      monkeypatch: pytest.MonkeyPatch) -> tuple[RequestForm, list[str]]:
    """A filled form whose first save is committed, then the read that returns it fails (SQLite busy: faked, as
    one read that raises, since a real lock cannot be timed to fall between the commit and the read).  The form
    has said "not saved"; the list holds the id of the request that was saved all the same."""
    from app.storage.errors import StorageError, StorageFailure

    page, _tile, state, runner = make()
    form = RequestForm(runtime, runner, state)
    qtbot.addWidget(form)
    form.show()
    fill(form)
    real_get, lost = runtime.support.get, []

    def get_losing_the_answer(request_id: str):
        found = real_get(request_id)
        if found is not None and not lost:  # the first read that finds the request: the one after its commit
            lost.append(request_id)
            raise StorageError(StorageFailure.LOCKED, runtime.database.path, "database is locked")
        return found

    monkeypatch.setattr(runtime.support, "get", get_losing_the_answer)
    form.submit()
    qtbot.waitUntil(lambda: not form.save_error.isHidden(), timeout=30000)
    assert form.isVisible() and len(runtime.support.all()) == 1  # saved, though the form could not know it
    return form, lost


def test_a_try_that_was_saved_but_answered_as_failed_is_not_saved_twice(
        qtbot: QtBot, runtime: Runtime, first_answer_lost: tuple[RequestForm, list[str]]) -> None:
    """The cashier presses again: that try finds the saved request, and the shop has one request, not two."""
    form, lost = first_answer_lost
    with qtbot.waitSignal(form.sent, timeout=30000):
        form.submit()
    assert not form.isVisible()
    assert [request.id for request in runtime.support.all()] == lost  # one request: the first try's


def test_a_try_with_corrected_words_is_its_own_request(
        qtbot: QtBot, runtime: Runtime, first_answer_lost: tuple[RequestForm, list[str]]) -> None:
    """The cashier corrects the title and sends again.  Returning the first try's request would drop the
    correction silently: the corrected words are saved as they are."""
    form, _lost = first_answer_lost
    form.title.setText("Máy quét không nhận mã tem vàng")
    with qtbot.waitSignal(form.sent, timeout=30000):
        form.submit()
    titles = sorted(request.title for request in runtime.support.all())
    assert titles == ["Máy quét không nhận mã", "Máy quét không nhận mã tem vàng"]


def test_a_contact_name_past_the_servers_limit_is_refused_in_the_form(qtbot: QtBot, runtime: Runtime, make) -> None:
    """The vendor's API takes a contact name of at most 100 characters (pmv_protocol.wire); a longer one was saved,
    then refused by the server with a 422 on every try, while the page blamed the network."""
    page, _tile, state, runner = make()
    form = RequestForm(runtime, runner, state)
    qtbot.addWidget(form)
    fill(form)
    form.contact_name.setText("Nguyễn Thị Lan - chủ tiệm, gọi số bàn hoặc di động, nếu không nghe máy xin gọi lại "
                              "sau 15 phút, cảm ơn nhiều")
    assert form.submit() is False
    error = form.errors[FormField.CONTACT_NAME]
    assert not error.isHidden() and "100" in error.text()
    assert form.contact_name.text().startswith("Nguyễn Thị Lan")  # kept for the cashier to shorten
    assert runtime.support.all() == []


def test_deadline_and_hotline_hints(qtbot: QtBot, runtime: Runtime, make) -> None:
    evening = dt.datetime(2026, 11, 25, 13, 0, tzinfo=dt.UTC)  # 20:00 local
    page, _tile, state, runner = make(evening)
    qtbot.waitUntil(lambda: "ngoài giờ làm việc" in page.banner.text(), timeout=5000)  # worked out in a worker
    assert "1900 6037" in page.banner.text()
    form = RequestForm(runtime, runner, state)
    qtbot.addWidget(form)
    assert not form.hotline.isHidden() and "Ngoài giờ" in form.hotline.text()
    page_morning, *_ = make()
    qtbot.waitUntil(lambda: "24/7, kể cả" in page_morning.banner.text(), timeout=5000)
    assert "ngoài giờ" not in page_morning.banner.text()


def test_a_proposed_solution_raises_one_notification(qtbot: QtBot, make_app) -> None:
    from app.support.models import StatusChange

    app = make_app()
    changes = [
        StatusChange("a", "Máy in tem", "YC-2026-000001", RequestStatus.RECEIVED, RequestStatus.SOLUTION_PROPOSED,
                     "Thay cuộn decal và chỉnh nhiệt độ đầu in."),
        StatusChange("b", "Hỏi quy định", "YC-2026-000002", RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS, None),
    ]
    with qtbot.waitSignal(app.notifier.notified, timeout=5000):
        app.support.status_changed.emit(changes)
    assert [n.title for n in app.notifier.history] == ["Đã có phương án cho yêu cầu YC-2026-000001"]
    assert app.notifier.history[0].message.startswith("Thay cuộn decal")


def test_files_of_a_ticket_gone_from_the_vendor_show_why_they_were_not_sent(
    qtbot: QtBot, runtime: Runtime, make, tmp_path: Path
) -> None:
    """Issue 18: staff deleted the ticket on the real vendor server; the page says so, in Vietnamese."""
    from app.storage.support_requests import AttachmentSource
    from app.support.models import AttachmentError, Category, Channel, NewRequest
    from app.support.outbox import Outbox
    from app.support.vendor_api import VendorClient
    from tests.integration.conftest import start_vendor_server
    from tests.integration.test_support_delivery import delete_ticket

    new = NewRequest(Category.INCIDENT, Severity.HIGH, "Không in được hóa đơn", "", "Chị Lan", "+84903112233",
                     Channel.REMOTE)
    note = tmp_path / "truy-cap-tu-xa.json"
    note.write_text('{"remote_tool": "ultraviewer"}', encoding="utf-8")
    with start_vendor_server(tmp_path / "vendor") as vendor:
        token = vendor.add_shop("DEMO-0001", "Tiệm vàng Kim Phát (demo)")
        outbox = Outbox(runtime.support, lambda: VendorClient(vendor.base_url, token, timeout=5))
        request = runtime.support.create(new, coverage="warranty", response_due_at=None)
        outbox.deliver()
        runtime.support.create(new, coverage="warranty", response_due_at=None)  # a later one: its id stays taken
        outbox.deliver()
        delete_ticket(vendor, runtime.support.get(request.id).ticket_number)
        runtime.support.add_attachments(request.id, [AttachmentSource(note, AttachmentKind.FILE)])
        report = outbox.deliver()
    assert [error for _id, error in report.attachment_errors] == [AttachmentError.TICKET_GONE]

    page, _tile, state, _runner = make()
    state.load()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=30000)
    number = runtime.support.get(request.id).ticket_number
    row = next(r for r in range(2) if page.table.item(r, 0).text() == number)
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: "truy-cap-tu-xa.json" in page.detail.toPlainText(), timeout=30000)
    detail = page.detail.toPlainText()
    assert "truy-cap-tu-xa.json – Yêu cầu không còn trên máy chủ nhà cung cấp" in detail
    assert "gọi 1900 6037" in detail and "tệp vẫn lưu trên máy này" in detail
    assert "Không gửi được tệp truy-cap-tu-xa.json" in detail  # the timeline says it too


def test_the_page_says_which_calendar_is_in_force(qtbot: QtBot, runtime: Runtime, make) -> None:
    """No pack for the year: the estimate, said so; once the vendor's 2026 calendar is installed (as an update run
    does), its year and the day it was published (26/12/2025 in resources/calendar/vendor-calendar-2026.json)."""
    page, _tile, _state, runner = make()
    qtbot.waitUntil(lambda: not page.calendar_line.isHidden(), timeout=5000)
    assert page.calendar_line.text().startswith("Lịch ước tính") and "2026" in page.calendar_line.text()
    pack = Path(__file__).resolve().parents[2] / "resources" / "calendar" / "vendor-calendar-2026.json"
    runtime.calendar_store.install(pack.read_bytes())
    page.refresh_calendar()
    qtbot.waitUntil(lambda: page.calendar_line.text().startswith("Lịch làm việc"), timeout=5000)
    assert page.calendar_line.text() == "Lịch làm việc 2026 của nhà cung cấp, cập nhật 26/12/2025"
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)
