"""What the conversation's services return, and how a stored step becomes one.

A timeline step leaves the services as the wire's own
:class:`pmv_protocol.thread.TicketEvent` (a frozen value, like the other
records of :mod:`vendor_server.records`): the routes send it as it is, the
``pmv-vendor ticket show`` command prints it, and nothing can drift between
the two.  A step's kind-specific fields are kept as one JSON object in
``ticket_events.data``; :func:`event_data` writes it, :func:`wire_event`
reads it back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pmv_protocol.coded_error import CodedError
from pmv_protocol.thread import CurrentVisit, ThreadFile, TicketEvent, VisitSlot
from pmv_protocol.ticket_flow import REOPEN_WINDOW, FlowState, Refusal
from pmv_protocol.wire import TicketStatus
from vendor_server.records import TicketRecord
from vendor_server.thread_tables import TicketFlow

FINISHED = (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value)


@dataclass(frozen=True)
class FlowRecord:
    """Where a ticket's conversation stands (its :class:`~vendor_server.thread_tables.TicketFlow` row, read)."""

    status: str
    finished_at: dt.datetime | None
    ever_resolved: bool
    rated: bool
    proposed_at: dt.datetime | None
    close_after: dt.datetime | None
    visit: CurrentVisit | None

    def state(self) -> FlowState:
        """What :mod:`pmv_protocol.ticket_flow`'s rules need."""
        visit = None if self.visit is None else (self.visit.id, str(self.visit.state))
        return FlowState(self.status, self.finished_at, self.ever_resolved, self.rated, visit)


@dataclass(frozen=True)
class TicketThread:
    """A ticket with its timeline (oldest first; for the feed, only the steps after ``updated_since``)."""

    ticket: TicketRecord
    events: tuple[TicketEvent, ...]
    flow: FlowRecord


@dataclass(frozen=True)
class ActResult:
    """An act stored (``created``) or found again by its Idempotency-Key, and the ticket as it now stands."""

    event: TicketEvent
    ticket: TicketRecord
    created: bool


# --- a step's own fields, as stored ------------------------------------------------


def slot_json(slot: VisitSlot) -> dict[str, str]:
    return {"day": slot.day.isoformat(), "start": slot.start.isoformat(timespec="minutes"),
            "end": slot.end.isoformat(timespec="minutes"), "technician": slot.technician}


def slot_of(data: dict[str, Any] | None) -> VisitSlot | None:
    if not data:
        return None
    return VisitSlot(dt.date.fromisoformat(data["day"]), dt.time.fromisoformat(data["start"]),
                     dt.time.fromisoformat(data["end"]), str(data["technician"]))


def event_data(*, solution_kind: str | None = None, response_due_at: dt.datetime | None = None,
               close_after: dt.datetime | None = None, visit: VisitSlot | None = None, visit_id: int | None = None,
               stars: int | None = None) -> str | None:
    """The JSON of a step's kind-specific fields (None when it has none); times in UTC."""
    data: dict[str, Any] = {}
    if solution_kind is not None:
        data["solution_kind"] = str(solution_kind)
    if response_due_at is not None:
        data["response_due_at"] = response_due_at.astimezone(dt.UTC).isoformat()
    if close_after is not None:
        data["close_after"] = close_after.astimezone(dt.UTC).isoformat()
    if visit is not None:
        data["visit"] = slot_json(visit)
    if visit_id is not None:
        data["visit_id"] = visit_id
    if stars is not None:
        data["stars"] = stars
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if data else None


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


class StoredEvent(Protocol):
    """A stored step's columns: its ORM row, or a plain row of the same columns (the feed reads those)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def data(self) -> str | None: ...


def wire_event(row: StoredEvent, files: Sequence[ThreadFile] = ()) -> TicketEvent:
    data: dict[str, Any] = json.loads(row.data) if row.data else {}
    return TicketEvent(
        id=row.id, kind=row.kind, author=row.author, author_name=row.author_name, at=row.at,
        client_id=row.client_id, text=row.text, files=tuple(files), solution_kind=data.get("solution_kind"),
        response_due_at=_moment(data.get("response_due_at")), close_after=_moment(data.get("close_after")),
        visit=slot_of(data.get("visit")), visit_id=data.get("visit_id"), stars=data.get("stars"))


# --- where the flow stands -----------------------------------------------------------


def derived_flow(ticket_id: int, status: str, updated_at: dt.datetime) -> TicketFlow:
    """The flow row of a ticket from before the conversation, guessed from its status.

    Its last change is the best "resolved at" there is; an old proposal gets no ``close_after`` (the shop was
    never told it could be closed), so it is never closed for want of an answer.
    """
    finished = status in FINISHED
    return TicketFlow(ticket_id=ticket_id, finished_at=updated_at if finished else None,
                      ever_resolved=status == TicketStatus.RESOLVED, rated=False,
                      proposed_at=updated_at if status == TicketStatus.SOLUTION_PROPOSED else None)


def flow_record(status: str, row: TicketFlow) -> FlowRecord:
    visit = None
    if row.visit_id is not None and row.visit_state is not None:
        slot = slot_of(json.loads(row.visit_slot) if row.visit_slot else None)
        if slot is not None:
            visit = CurrentVisit(row.visit_id, slot, row.visit_state, row.visit_note)
    return FlowRecord(status=status, finished_at=row.finished_at, ever_resolved=bool(row.ever_resolved),
                      rated=bool(row.rated), proposed_at=row.proposed_at, close_after=row.close_after, visit=visit)


# --- a refused act --------------------------------------------------------------------

# The 409's "message": staff-facing English (the shop's app words each refusal itself, from the code).
REFUSAL_MESSAGES: dict[Refusal, str] = {
    Refusal.CLOSED: "the ticket is closed: reopen it first",
    Refusal.NO_PROPOSAL: "no proposed solution is waiting for a decision",
    Refusal.NO_VISIT: "no visit proposal is waiting for an answer",
    Refusal.OTHER_VISIT: "that visit proposal has been replaced by a newer one",
    Refusal.NOT_RESOLVED: "the ticket has not been resolved",
    Refusal.ALREADY_RATED: "the ticket has already been rated",
    Refusal.REOPEN_TOO_LATE: f"a ticket can be reopened only within {REOPEN_WINDOW.days} days of being resolved "
                             "or closed",
    Refusal.FILES_MISSING: "a file the message names has not been uploaded to this ticket",
}


class ActRefused(CodedError[Refusal]):
    """An act the ticket's state does not allow (the API's 409); ``code`` is the :class:`Refusal`."""

    @property
    def message(self) -> str:
        words = REFUSAL_MESSAGES.get(self.code, self.code.value)
        return f"{words} ({self.detail})" if self.detail else words


def refuse(refusal: Refusal | None, detail: str = "") -> None:
    """Raise :class:`ActRefused` when a rule of :mod:`pmv_protocol.ticket_flow` refused the act."""
    if refusal is not None:
        raise ActRefused(refusal, detail)
