"""Yêu cầu hỗ trợ: the shop's requests, their deadlines and the vendor's answers."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableWidgetItem, QWidget

from app import HOTLINE
from app.infra.formatting import format_date, format_datetime
from app.runtime import Runtime
from app.support.models import RequestStatus, SupportRequest
from app.ui.failure_texts import failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.state import Submitted, SupportState
from app.ui.support.texts import (
    category_name,
    channel_name,
    delivery_failure_text,
    severity_name,
    status_name,
    system_opened_text,
)
from app.ui.support.thread_view import ThreadView
from app.ui.support.time_texts import deadline_text
from app.ui.tasks import TaskRunner
from app.ui.widgets.build import hbox, page_title, push_button, vbox
from app.ui.widgets.feature_page import FeaturePage
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.tables import read_only_table
from pmv_protocol.calendar import CalendarSource
from pmv_protocol.phone import PhoneError, parse_phone
from pmv_protocol.shop_time import SHOP_TZ, shop_time
from pmv_protocol.sla import is_outside_working_hours


def _national(phone: str) -> str:
    try:
        return parse_phone(phone).national
    except PhoneError:
        return phone


BANNER_DELAY_MS = 2000
log = logging.getLogger(__name__)


class SupportPage(FeaturePage[SupportState]):
    """List of requests with a detail pane.

    Signals:
        new_requested(): the user wants the request form.
        remote_requested(object): the user wants remote help for the selected request id (or None).
    """

    new_requested = Signal()
    remote_requested = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, state: SupportState,
                 parent: QWidget | None = None) -> None:
        super().__init__(runtime, runner, state, parent)
        heading = page_title(self.tr("Yêu cầu hỗ trợ"))
        self.new_button = push_button(self.tr("Gửi yêu cầu mới…"), self.new_requested,
                                      style="font-weight: 600; padding: 6px 14px;")
        self.remote_button = push_button(self.tr("Nhờ hỗ trợ từ xa…"),
                                         lambda: self.remote_requested.emit(self._selected_id()))
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("supportBanner")
        # Which calendar the deadlines count on: the vendor's published one, or the estimate (DESIGN.md).
        self.calendar_line = QLabel()
        self.calendar_line.setObjectName("calendarSource")
        self.calendar_line.setWordWrap(True)
        self.calendar_line.hide()
        self.message = MessageLabel()

        self.table = read_only_table([self.tr("Số"), self.tr("Tiêu đề"), self.tr("Trạng thái"),
                                      self.tr("Hạn đề xuất phương án")], select_rows=True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.thread = ThreadView(state.conversations)
        self.thread.message.connect(self.show_message)
        # A click on the row already shown is looking at it again (new messages came while it was open).
        self.table.clicked.connect(lambda _index: self.thread.seen())
        self.detail = self.thread.timeline  # the request, its delivery and its conversation
        self.empty = QLabel(self.tr("Chưa có yêu cầu nào. Khi máy có vấn đề, bấm \u201cGửi yêu cầu mới\u201d: "
                                    "kỹ thuật viên sẽ đề xuất phương án trong 2–4 giờ làm việc."))
        self.empty.setWordWrap(True)

        top = hbox((heading, 1), self.remote_button, self.new_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.thread)
        splitter.setSizes([200, 440])
        layout = vbox(top, self.banner, self.calendar_line, self.message, self.empty, (splitter, 1), parent=self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)

        state.changed.connect(self.show_requests)
        # Bound slots, not lambdas: Qt drops them with this widget (the state may outlive it).
        state.conversations.unread_changed.connect(self._on_conversations_changed)
        state.submitted.connect(self._on_submitted)
        state.submit_failed.connect(self._on_submit_failed)
        # Countdowns move on their own: only their cells are written again (rebuilding the list reloaded the
        # conversation, which jumped to its end and dropped the words the cashier had selected).
        self.ticker = QTimer(self)
        self.ticker.setInterval(60_000)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start()
        self._show_banner(False)  # the hotline line at once; the working-hours check follows from a worker,
        # after start-up: it reads the installed calendar packs, which start-up can do without.
        self._banner_ready = False
        QTimer.singleShot(BANNER_DELAY_MS, self._first_banner)
        self.refresh_calendar()
        self.show_requests(state.requests)

    @Slot(object)
    def _on_conversations_changed(self, _payload: object) -> None:
        self.show_requests(self._state.requests)

    def _first_banner(self) -> None:
        self._banner_ready = True
        self._update_banner()

    def _update_banner(self) -> None:
        if not self._banner_ready:
            return
        # In a worker: the calendar reads the installed calendar packs (and a year outside the stored holiday
        # table would load the holidays package, ~17 MiB).
        now, runtime = self._state.now(), self._runtime
        self._runner.run(lambda: is_outside_working_hours(now, runtime.working_calendar()),
                         on_success=self._show_banner, on_failure=lambda _exc: self._show_banner(False), context=self)

    def refresh_calendar(self) -> None:
        """Say which calendar the deadlines count on; again after each update run (a calendar pack may have
        come).  In a worker: it reads the installed packs; naming the source never loads the holidays package."""
        now, runtime = self._state.now(), self._runtime

        def look() -> CalendarSource:
            calendar = runtime.working_calendar()
            return calendar.source_for(calendar.localize(now).year)

        self._runner.run(look, on_success=self._show_calendar_source, on_failure=self._calendar_unknown,
                         context=self)

    def _calendar_unknown(self, exc: BaseException) -> None:
        log.warning("cannot tell which working calendar is in force: %s", exc)
        self.calendar_line.hide()  # the deadlines themselves are still shown; only this line is missing

    def _show_calendar_source(self, source: CalendarSource) -> None:
        if source.is_estimate:
            text = tr_args(self.tr("Lịch ước tính: nhà cung cấp chưa gửi lịch làm việc năm %1, ngày nghỉ lễ được "
                                   "tính theo lịch chung nên hạn xử lý có thể lệch."), source.year)
        else:
            published = format_date(shop_time(source.published_at).date()) if source.published_at else ""
            text = tr_args(self.tr("Lịch làm việc %1 của nhà cung cấp, cập nhật %2"), source.year, published)
        # An estimate is worth a second look (deadlines may move by a holiday); the vendor's calendar is a footnote.
        colour = "#b45309" if source.is_estimate else "#555555"
        self.calendar_line.setStyleSheet(f"QLabel#calendarSource {{ color: {colour}; }}")
        self.calendar_line.setText(text)
        self.calendar_line.show()

    def _show_banner(self, outside: bool) -> None:
        if outside:
            text = self.tr("Hiện ngoài giờ làm việc của bộ phận hỗ trợ. Yêu cầu vẫn được nhận và xử lý từ giờ mở "
                           "cửa tiếp theo; việc gấp xin gọi đường dây nóng %1 (24/7).")
            colour, border = "#fff3e0", "#ef6c00"
        else:
            text = self.tr("Đường dây nóng %1 luôn sẵn sàng 24/7, kể cả cuối tuần và ngày lễ.")
            colour, border = "#e3f2fd", "#1565c0"
        self.banner.setText(tr_args(text, HOTLINE))
        self.banner.setStyleSheet(f"QLabel#supportBanner {{ background: {colour}; border-left: 4px solid {border};"
                                  " padding: 8px; }")

    def show_message(self, text: str, level: Level) -> None:
        self.message.show_message(text, level)

    @staticmethod
    def _countdown(request: SupportRequest, now: dt.datetime) -> str:
        """The deadline column: '15:40 hôm nay, còn 1 giờ 20 phút' while the request waits for a proposal."""
        deadline = deadline_text(request.response_due_at, now) if request.status.awaits_proposal else ""
        return deadline.split(": ", 1)[-1]

    def _tick(self) -> None:
        self._update_banner()
        now = self._state.now()
        requests = {request.id: request for request in self._state.requests}
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 3)
            request = requests.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
            if item is not None and request is not None:
                item.setText(self._countdown(request, now))

    def show_requests(self, requests: list[SupportRequest]) -> None:
        self._update_banner()
        selected = self._selected_id()
        now = self._state.now()
        self.empty.setVisible(not requests)
        self.table.setRowCount(len(requests))
        for row, request in enumerate(requests):
            number = request.ticket_number or self.tr("(chưa có số)")
            deadline = self._countdown(request, now)
            unread = self._state.conversations.unread_by_request.get(request.id, 0)
            title = request.title
            if request.opened_by_system:  # never raised here: say who opened it, first
                title = tr_args(self.tr("%1: %2"), system_opened_text(), title)
            # The unread count first: after the title it was the part a narrow column cut off.
            title = tr_args(self.tr("(%1 tin mới) %2"), unread, title) if unread else title
            cells = [number, title, status_name(request.status), deadline]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, request.id)
                self.table.setItem(row, column, item)
            if request.opened_by_system:
                self.table.item(row, 1).setToolTip(request.description)
            if request.status is RequestStatus.PENDING:
                self.table.item(row, 2).setForeground(Level.WARNING.color)
            elif request.status is RequestStatus.SOLUTION_PROPOSED:
                self.table.item(row, 2).setForeground(Level.OK.color)
            if unread:
                font = self.table.item(row, 1).font()
                font.setBold(True)
                self.table.item(row, 1).setFont(font)
            if request.id == selected:
                self.table.selectRow(row)
        if requests and self._selected_id() is None:
            self.table.selectRow(0)
        # The deadline column only while some request waits for a proposal: empty, it took a quarter of the width
        # from the titles.
        self.table.setColumnHidden(3, not any(request.status.awaits_proposal for request in requests))
        self._show_selected()

    def _selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _show_selected(self) -> None:
        request_id = self._selected_id()
        request = next((r for r in self._state.requests if r.id == request_id), None)
        if request is None:
            self.thread.show_nothing()
            self._state.conversations.load(None)
            return
        self.thread.show_request(request, self._facts(request))

    def _facts(self, request: SupportRequest) -> list[tuple[str, str]]:
        if request.opened_by_system:
            # Opened by the vendor's system: no cashier's contact or channel to show, the hotline instead.
            facts = [
                (self.tr("Người mở"), system_opened_text()),
                (self.tr("Số yêu cầu"), request.ticket_number or ""),
                (self.tr("Trạng thái"), status_name(request.status)),
                (self.tr("Loại"), category_name(request.category)),
                (self.tr("Mức độ"), severity_name(request.severity)),
                (self.tr("Mở lúc"), format_datetime(request.opened_at.astimezone(SHOP_TZ))),
                (self.tr("Đường dây nóng"), tr_args(self.tr("%1 (24/7)"), HOTLINE)),
            ]
        else:
            facts = [
                (self.tr("Số yêu cầu"), request.ticket_number or self.tr("chưa có (chưa gửi được)")),
                (self.tr("Trạng thái"), status_name(request.status)),
                (self.tr("Loại"), category_name(request.category)),
                (self.tr("Mức độ"), severity_name(request.severity)),
                (self.tr("Gửi lúc"), format_datetime(request.opened_at.astimezone(SHOP_TZ))),
                (self.tr("Liên hệ"), f"{request.contact_name} – {_national(request.contact_phone)}"),
                (self.tr("Cách hỗ trợ mong muốn"), channel_name(request.channel)),
            ]
        if request.status.awaits_proposal:
            # The moment, not the countdown: the detail is not drawn again each minute (the list's column counts).
            due = request.response_due_at
            facts.append((self.tr("Hạn"), format_datetime(due.astimezone(SHOP_TZ)) if due is not None
                           else deadline_text(None, self._state.now())))
        return facts

    def _on_submitted(self, result: Submitted) -> None:
        request = result.request
        if request.status is not RequestStatus.PENDING:
            text = tr_args(self.tr("Đã gửi yêu cầu, số %1. %2"), request.ticket_number or "",
                           deadline_text(request.response_due_at, self._state.now()))
            self.show_message(text, Level.OK)
            return
        # Why it waits, as the outbox found it: a server that refused the request is not a network down.
        why = next((kind for request_id, kind in result.report.failed if request_id == request.id), None)
        if why is None:
            text = tr_args(self.tr("Chưa gửi được. Yêu cầu đã được lưu và sẽ tự gửi lại. Việc gấp xin gọi %1."),
                           HOTLINE)
        else:
            text = tr_args(self.tr("Chưa gửi được: %1. Yêu cầu đã được lưu và sẽ tự gửi lại. Việc gấp xin gọi %2."),
                           delivery_failure_text(why), HOTLINE)
        self.show_message(text, Level.WARNING)

    def _on_submit_failed(self, exc: BaseException) -> None:
        self.show_message(tr_args(self.tr("Không lưu được yêu cầu: %1. Hãy gọi %2."), failure_text(exc), HOTLINE),
                          Level.CRITICAL)
