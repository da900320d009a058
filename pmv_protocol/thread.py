"""The conversation on a ticket, on the wire: messages, files, decisions, visits, rating, reopening.

Every ticket has one timeline of :class:`TicketEvent` on the server: each
message, status change, proposal, decision, visit step, rating and reopening,
with who did it and when.  The shop reads it through the same
``updated_since`` feed as before (:class:`TicketUpdate`
gains ``events`` and ``visit``, both defaulting to empty, so clients that do
not know messages keep working) and acts through these endpoints, each a
``POST`` with ``Idempotency-Key: <the act's UUID>``::

    GET  /api/v1/tickets/{id}/messages                 -> EventList (the whole timeline)
    POST /api/v1/tickets/{id}/messages      NewMessage  -> ActReceipt
    POST /api/v1/tickets/{id}/decision      NewDecision -> ActReceipt
    POST /api/v1/tickets/{id}/visit         NewVisitAnswer -> ActReceipt
    POST /api/v1/tickets/{id}/rating        NewRating   -> ActReceipt
    POST /api/v1/tickets/{id}/reopen        NewReopen   -> ActReceipt
    GET  /api/v1/tickets/{id}/attachments/{attachment_id}  -> the file's bytes

201 is a new act, 200 the same key again (the same event, never a second
one); 409 is an act the ticket's state does not allow, with
``{"detail": {"refusal": <Refusal value>, "message": "..."}}``
(:mod:`pmv_protocol.ticket_flow` decides, on both sides).  A message's files
are uploaded first, as the ticket's attachments
(``POST /api/v1/tickets/{id}/attachments`` with their own client ids), and the
message names them in ``attachment_ids``: a message is then never seen
without its files.  A file the vendor sends is an attachment too; the event
states its sha256 and the shop checks the bytes it downloads against it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.dataclasses import dataclass

from pmv_protocol.wire import OpenSolutionKind, OpenTicketStatus, ServerTime, ShopTime

MESSAGE_MAX = 10_000
REASON_MAX = 1_000
AUTHOR_NAME_MAX = 100
MESSAGE_FILES_MAX = 10


class Author(enum.StrEnum):
    """Who made an event: the shop (a cashier), the vendor (a named staff member) or the server itself."""

    SHOP = "shop"
    VENDOR = "vendor"
    SYSTEM = "system"  # e.g. closed because the shop did not answer in time


class EventKind(enum.StrEnum):
    """One step of a ticket's timeline."""

    OPENED = "opened"  # the request arrived
    MESSAGE = "message"  # text and/or files, from either side
    STATUS = "status"  # staff moved the ticket (text: the new status)
    PROPOSED = "proposed"  # a solution proposed: solution_kind, text, close_after
    ACCEPTED = "accepted"  # the shop: "Đã khắc phục"
    REFUSED = "refused"  # the shop: "Chưa khắc phục" + reason; new response_due_at
    VISIT_PROPOSED = "visit_proposed"  # the vendor offers a visit: visit
    VISIT_CONFIRMED = "visit_confirmed"  # the shop confirms the offered visit
    VISIT_RESCHEDULE = "visit_reschedule"  # the shop asks for another time: text (its note)
    RATED = "rated"  # stars, text (the comment)
    REOPENED = "reopened"  # the shop: "Lỗi xuất hiện lại" + reason; new response_due_at
    CLOSED = "closed"  # by staff, or by the system when the shop did not answer a proposal


class Decision(enum.StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"


class VisitAnswer(enum.StrEnum):
    CONFIRM = "confirm"
    RESCHEDULE = "reschedule"


class VisitState(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for the shop
    CONFIRMED = "confirmed"
    RESCHEDULE_ASKED = "reschedule_asked"  # the shop asked for another time; the vendor proposes again


OpenEventKind = Annotated[EventKind | str, Field(union_mode="left_to_right")]
OpenAuthor = Annotated[Author | str, Field(union_mode="left_to_right")]
OpenVisitState = Annotated[VisitState | str, Field(union_mode="left_to_right")]

_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=AUTHOR_NAME_MAX)]
_Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX)]


# --- what the server answers -----------------------------------------------------


@dataclass(frozen=True)
class ThreadFile:
    """A file in the timeline (an attachment of the ticket): what the shop downloads and checks."""

    id: int  # the attachment id: GET /api/v1/tickets/{ticket}/attachments/{id}
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class VisitSlot:
    """An on-site visit: the day and time window in shop time (the vendor's zone), and who comes."""

    day: dt.date
    start: dt.time
    end: dt.time
    technician: str


@dataclass(frozen=True)
class TicketEvent:
    """One step of the timeline, oldest first by ``id``.

    ``at`` is when it happened by its author's clock (the shop's stated time
    for its acts, the server's for the vendor's); ``client_id`` is the
    Idempotency-Key of a shop act, so the shop recognises its own.  Fields that
    do not belong to the kind are None / empty.
    """

    id: int
    kind: OpenEventKind
    author: OpenAuthor
    author_name: str
    at: ServerTime
    client_id: str | None = None
    text: str | None = None
    files: tuple[ThreadFile, ...] = ()
    solution_kind: OpenSolutionKind | None = None
    response_due_at: ServerTime | None = None  # REFUSED / REOPENED: the new deadline
    close_after: ServerTime | None = None  # PROPOSED: closed if the shop has not answered by then
    visit: VisitSlot | None = None  # VISIT_PROPOSED
    visit_id: int | None = None  # VISIT_*: the event id of the proposal it is about
    stars: int | None = None  # RATED


@dataclass(frozen=True)
class CurrentVisit:
    """The latest visit proposal of a ticket and where it stands."""

    id: int  # the VISIT_PROPOSED event's id: what a NewVisitAnswer names
    slot: VisitSlot
    state: OpenVisitState
    note: str | None = None  # the shop's reschedule note


@dataclass(frozen=True)
class EventList:
    """The answer to ``GET /api/v1/tickets/{id}/messages``: the whole timeline, oldest first."""

    events: tuple[TicketEvent, ...]


@dataclass(frozen=True)
class ActReceipt:
    """The answer to a shop act: the stored event and the ticket as it now stands."""

    event: TicketEvent
    status: str
    response_due_at: ServerTime | None
    created: bool


# --- the feed ----------------------------------------------------------------------


class OpenedBy(enum.StrEnum):
    """Who opened a ticket: the shop (a cashier's request), or the vendor's system on the shop's behalf (a check
    that stayed critical past its threshold; vendor_server/fleet)."""

    SHOP = "shop"
    SYSTEM = "system"


@dataclass(frozen=True)
class OpenedForShop:
    """What the shop needs to show a ticket it did not raise itself (``opened_by`` is ``system``): its words,
    when it was opened (server clock), the coverage the deadline was counted with, and the check behind it."""

    category: str
    severity: str
    title: str
    description: str
    opened_at: ServerTime
    coverage: str
    check_id: str | None = None


@dataclass(frozen=True)
class TicketUpdate:
    """One ticket of ``GET /api/v1/tickets?updated_since=…``, as it is now, with its new timeline steps.

    ``idempotency_key`` is the client's UUID for the request, so the shop
    finds its own request without knowing the server's ids.
    """

    id: int
    number: str
    status: OpenTicketStatus
    response_due_at: ServerTime | None
    solution_kind: OpenSolutionKind | None
    solution_text: str | None
    updated_at: ServerTime
    idempotency_key: str
    # The conversation (added by adding: a client that does not know them ignores them).
    events: tuple[TicketEvent, ...] = ()  # the timeline's steps recorded after updated_since (all when absent)
    visit: CurrentVisit | None = None
    finished_at: ServerTime | None = None  # last resolved or closed (the reopen window counts from here)
    ever_resolved: bool = False
    rated: bool = False
    close_after: ServerTime | None = None  # an unanswered proposal may be closed after this
    # Fleet (added by adding): a ticket the vendor's system opened for the shop carries its words, so a shop
    # that never raised it can list it.  ``idempotency_key`` is then the server's own UUID for it.
    opened_by: str = OpenedBy.SHOP.value
    opened_for_shop: OpenedForShop | None = None


@dataclass(frozen=True)
class TicketFeed:
    """The answer to ``GET /api/v1/tickets``: the shop's tickets changed since ``updated_since``, oldest first.

    ``server_time`` is the server's clock when it read them: the next poll's
    ``updated_since`` when nothing changed (never the till's own clock).
    """

    tickets: tuple[TicketUpdate, ...]
    server_time: ServerTime | None = None


# --- what the shop sends ------------------------------------------------------------


class _Act(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    author_name: _Name  # the cashier who did it
    at: ShopTime  # when, by the till's clock (the deadline after a refusal counts from here)

    def _refused_if(self, wrong: bool, why: str) -> Self:
        """``self``, or the ValueError (the server's 422) that says what the act is missing."""
        if wrong:
            raise ValueError(why)
        return self


class NewMessage(_Act):
    """A message from the shop: text, files (already uploaded, named by client id), or both."""

    text: Annotated[str, StringConstraints(max_length=MESSAGE_MAX)] = ""
    attachment_ids: Annotated[tuple[str, ...], Field(max_length=MESSAGE_FILES_MAX)] = ()

    @model_validator(mode="after")
    def _says_something(self) -> NewMessage:
        return self._refused_if(not self.text.strip() and not self.attachment_ids,
                                "a message needs text or at least one file")


class NewDecision(_Act):
    """The shop's word on the proposed solution; a refusal needs a reason."""

    decision: Decision
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=REASON_MAX)] = ""

    @model_validator(mode="after")
    def _refusal_says_why(self) -> NewDecision:
        return self._refused_if(self.decision is Decision.REFUSE and not self.reason, "a refusal needs a reason")


class NewVisitAnswer(_Act):
    """Confirm the proposed visit, or ask for another time (a note is then required)."""

    visit_id: int
    answer: VisitAnswer
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=REASON_MAX)] = ""

    @model_validator(mode="after")
    def _reschedule_says_when(self) -> NewVisitAnswer:
        return self._refused_if(self.answer is VisitAnswer.RESCHEDULE and not self.note,
                                "asking for another time needs a note (which days or hours suit the shop)")


class NewRating(_Act):
    stars: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=REASON_MAX)] = ""


class NewReopen(_Act):
    """"Lỗi xuất hiện lại": reopen a resolved ticket (within :data:`ticket_flow.REOPEN_WINDOW`)."""

    reason: _Reason


ShopAct = NewMessage | NewDecision | NewVisitAnswer | NewRating | NewReopen

# Where each act is sent: POST /api/v1/tickets/{id}/<path> (the table in the module's docstring).
ACT_PATHS: dict[type[ShopAct], str] = {
    NewMessage: "messages",
    NewDecision: "decision",
    NewVisitAnswer: "visit",
    NewRating: "rating",
    NewReopen: "reopen",
}
