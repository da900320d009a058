"""The overview's support tile: light to import (no data layer), so the overview shows it first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from app.support.status import RequestStatus
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.support.time_texts import deadline_text, visit_slot_text
from app.ui.widgets.tile import Tile

if TYPE_CHECKING:
    from app.ui.support.conversation_state import ConversationState
    from app.ui.support.state import SupportState


class ListedRequest(Protocol):
    """What the tile reads of a request: a :class:`~app.support.models.SupportRequest`, or the first read's
    :class:`~app.storage.records.RequestDeadline`."""

    @property
    def status(self) -> RequestStatus: ...
    @property
    def response_due_at(self) -> dt.datetime | None: ...


class SupportTile(Tile):
    """The overview's tile: open requests and the nearest deadline, unread messages and the next visit.

    Filled at start-up from the first read (:mod:`app.overview`), then from the feature's state.
    """

    def __init__(self, state: SupportState | None = None, parent: QWidget | None = None, *,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        """``clock``: now, for the deadlines, until a state is followed (which then says it)."""
        super().__init__(self.tr("Yêu cầu hỗ trợ"), parent)
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        self._requests: Sequence[ListedRequest] = []
        self._conversations: ConversationState | None = None
        self._first_unread: int | None = None  # the first read's count, until the conversations have counted
        self.set_content(self.tr("Đang đọc…"))
        if state is not None:
            self.follow(state)

    def follow(self, state: SupportState) -> None:
        """Show what the state reads from now on, with its conversations' unread messages and visits."""
        self._now = state.now
        self._conversations = state.conversations
        state.changed.connect(self.show_requests)
        # Bound slots, not lambdas: Qt drops them with this widget (the state may outlive it).
        state.conversations.unread_changed.connect(self._on_unread_counted)
        state.conversations.visits_changed.connect(self._on_conversations_changed)

    def show_first_read(self, requests: Sequence[ListedRequest], unread: int) -> None:
        """The requests and the unread count read at start-up, before the conversations are followed."""
        self._first_unread = unread
        self.show_requests(requests)

    @Slot(int)
    def _on_unread_counted(self, _unread: int) -> None:
        self._first_unread = None
        self.show_requests(self._requests)

    @Slot(object)
    def _on_conversations_changed(self, _payload: object) -> None:
        self.show_requests(self._requests)

    def _conversation_lines(self) -> list[str]:
        """Unread messages from the vendor and the next confirmed visit: what the shop should not miss."""
        conversations = self._conversations
        lines: list[str] = []
        unread = self._first_unread if self._first_unread is not None or conversations is None else conversations.unread
        if unread:
            lines.append(tr_args(self.tr("%1 tin nhắn mới từ bộ phận hỗ trợ", "", unread), unread))
        if conversations is not None and conversations.visits:
            visit = min(conversations.visits, key=lambda v: v.starts_at)
            lines.append(tr_args(self.tr("Lịch hẹn: %1"), visit_slot_text(visit.slot)))
        return lines

    def show_requests(self, requests: Sequence[ListedRequest]) -> None:
        self._requests = requests
        open_requests = [r for r in requests if r.status.is_open]
        pending = [r for r in open_requests if r.status is RequestStatus.PENDING]
        extra = self._conversation_lines()
        if not open_requests:
            self.set_content(self.tr("Không có yêu cầu đang mở"), "\n".join(extra), Level.INFO if extra else Level.OK)
            return
        value = tr_args(self.tr("%1 yêu cầu đang mở", "", len(open_requests)), len(open_requests))
        dated = [(r.response_due_at, r) for r in open_requests
                 if r.response_due_at is not None and r.status.awaits_proposal]
        detail = ""
        if dated:
            nearest, _request = min(dated, key=lambda pair: pair[0])
            detail = deadline_text(nearest, self._now())
        if pending:
            detail = (tr_args(self.tr("%1 yêu cầu chưa gửi được – sẽ tự gửi lại.", "", len(pending)), len(pending))
                      + ("\n" + detail if detail else ""))
        detail = "\n".join([*extra, detail]) if extra and detail else detail or "\n".join(extra)
        self.set_content(value, detail, Level.WARNING if pending else Level.INFO)
