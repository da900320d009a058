"""A request's conversation as the app holds it: the timeline, the shop's queued acts, the files.

The shop's own acts (a reply, a decision, a visit answer, a rating, a
reopening) are committed here before any network call, each with its own
UUID as the Idempotency-Key, and delivered by the outbox like requests.  The
vendor's steps arrive with the ``updated_since`` feed.  Both are kept as
:class:`ThreadEntry` rows of one timeline, so the detail view shows them in
one list, oldest first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass

from app.support.models import SupportRequest
from pmv_protocol.thread import Author, CurrentVisit, EventKind, VisitSlot, VisitState
from pmv_protocol.ticket_flow import FlowState
from pmv_protocol.wire import SolutionKind, TicketStatus

__all__ = ["Author", "Conversation", "CurrentVisit", "EntryState", "EventKind", "FileState", "ThreadEntry",
           "ThreadFile", "UpcomingVisit", "VisitSlot", "flow_after", "visit_after"]


class EntryState(enum.StrEnum):
    """Where one timeline entry stands on this PC."""

    PENDING = "pending"  # chờ gửi: the shop's act, saved here, not yet on the server
    SENT = "sent"  # on the server (every vendor entry is SENT)
    REFUSED = "refused"  # the server refused the act (409/422): ``error`` says why; it will not be sent again


class FileState(enum.StrEnum):
    """A file of the timeline: the shop's on its way up, the vendor's on its way down."""

    TO_UPLOAD = "to_upload"  # the shop's file, copied into the outbox
    UPLOADED = "uploaded"
    AVAILABLE = "available"  # the vendor's file, on the server, not downloaded yet
    DOWNLOADED = "downloaded"  # downloaded and its sha256 matched what the server stated
    REFUSED = "refused"  # downloaded bytes did not match the stated sha256 (never opened), or upload refused


@dataclass(frozen=True)
class ThreadFile:
    id: str  # local id (the shop's: the attachment client id)
    filename: str
    size: int
    sha256: str  # the shop's: of the copy; the vendor's: as the server states it
    server_id: int | None  # the attachment id on the server, once known
    local_path: str | None  # the outbox copy, or the verified download
    state: FileState
    error: str | None = None


@dataclass(frozen=True)
class ThreadEntry:
    """One step of a request's timeline (a :class:`pmv_protocol.thread.TicketEvent`, or the shop's act before it
    reaches the server).  Fields that do not belong to the kind are None / empty."""

    id: str  # the shop's act: its UUID (the Idempotency-Key); a server event: "e<server id>"
    request_id: str
    kind: EventKind | str
    author: Author | str
    author_name: str
    at: dt.datetime
    state: EntryState
    server_id: int | None = None
    text: str | None = None
    files: tuple[ThreadFile, ...] = ()
    solution_kind: SolutionKind | str | None = None
    response_due_at: dt.datetime | None = None
    close_after: dt.datetime | None = None
    visit: VisitSlot | None = None
    visit_id: int | None = None
    stars: int | None = None
    read: bool = True  # False: a vendor entry the shop has not seen yet
    error: str | None = None  # REFUSED: the refusal code (pmv_protocol.ticket_flow.Refusal) or the server's words
    # The shop's act on its way (PENDING): tries so far, the next one, and why the last one failed (offline…).
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    last_error: str | None = None

    @property
    def from_vendor(self) -> bool:
        return self.author == Author.VENDOR


@dataclass(frozen=True)
class Conversation:
    """What the request's detail view shows and offers."""

    request: SupportRequest
    entries: tuple[ThreadEntry, ...]  # oldest first; the shop's pending acts last, in the order they were made
    flow: FlowState  # what the vendor's state allows (buttons); pending acts already counted in
    visit: CurrentVisit | None
    close_after: dt.datetime | None  # an unanswered proposal may be closed by the vendor after this
    rating_asked: bool  # the app has asked for a rating once (it does not ask again)

    @property
    def unread(self) -> int:
        return sum(1 for entry in self.entries if not entry.read)


@dataclass(frozen=True)
class UpcomingVisit:
    """A confirmed visit, for the overview and the tray's reminders."""

    request_id: str
    ticket_number: str | None
    title: str
    slot: VisitSlot
    starts_at: dt.datetime  # the slot's start, aware, in shop time


# --- what the shop's own acts change, before the vendor's feed says so ------------------------------------------

def flow_after(flow: FlowState, entry: ThreadEntry) -> FlowState:
    """``flow`` once the shop's act ``entry`` has taken effect, as the vendor's server applies it.

    The app counts its pending acts in (a pending rating makes ``rated`` true, so the rating is not offered
    twice) and folds a delivered act into the request's stored state until the next poll brings the
    server's own word.  Entries that are not the shop's acts change nothing.
    """
    if entry.author != Author.SHOP:
        return flow
    kind = entry.kind
    if kind == EventKind.ACCEPTED:
        return dataclasses.replace(flow, status=TicketStatus.RESOLVED.value, finished_at=entry.at,
                                   ever_resolved=True)
    if kind in (EventKind.REFUSED, EventKind.REOPENED):
        return dataclasses.replace(flow, status=TicketStatus.IN_PROGRESS.value, finished_at=None)
    if kind == EventKind.RATED:
        return dataclasses.replace(flow, rated=True)
    if kind in (EventKind.VISIT_CONFIRMED, EventKind.VISIT_RESCHEDULE) and flow.visit is not None \
            and flow.visit[0] == entry.visit_id:
        confirmed = kind == EventKind.VISIT_CONFIRMED
        state = VisitState.CONFIRMED if confirmed else VisitState.RESCHEDULE_ASKED
        status = TicketStatus.ON_SITE_SCHEDULED.value if confirmed else flow.status
        return dataclasses.replace(flow, status=status, visit=(flow.visit[0], state.value))
    return flow


def visit_after(visit: CurrentVisit | None, entry: ThreadEntry) -> CurrentVisit | None:
    """The current visit proposal once the shop's visit answer ``entry`` has taken effect."""
    if visit is None or entry.author != Author.SHOP or entry.visit_id != visit.id:
        return visit
    if entry.kind == EventKind.VISIT_CONFIRMED:
        return dataclasses.replace(visit, state=VisitState.CONFIRMED, note=None)
    if entry.kind == EventKind.VISIT_RESCHEDULE:
        return dataclasses.replace(visit, state=VisitState.RESCHEDULE_ASKED, note=entry.text)
    return visit
