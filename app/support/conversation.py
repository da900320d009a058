"""The conversation on a support request, for the UI: read it, act on it, fetch its files.

Every act is checked against the rules both sides share
(:mod:`pmv_protocol.ticket_flow`), on the request's state *with the shop's
own pending acts counted in*, then committed locally (state ``pending``)
before any network call; :class:`app.support.outbox.Outbox` delivers it.

What the UI sees after an act, before the vendor's server has it:

* the act is an entry marked pending ("chờ gửi");
* :attr:`Conversation.flow` already counts it (after an accept the request
  reads as resolved, so the rating is offered; after a pending rating it is
  not offered again), so no button offers what the act has just used up;
* :attr:`Conversation.request` stays the vendor's word (its ``status`` is
  what the server last said), so the request list never shows a state the
  server may still refuse.  If the server refuses the act (409), the entry
  becomes refused with its reason and the flow is the server's again.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from app.storage.repositories import utc_now
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository, ThreadState, safe_filename
from app.support.models import SupportRequest
from app.support.service import MAX_ATTACHMENT_BYTES
from app.support.thread_models import (
    Conversation,
    CurrentVisit,
    EntryState,
    EventKind,
    FileState,
    ThreadEntry,
    UpcomingVisit,
    flow_after,
    visit_after,
)
from app.support.vendor_api import VendorClient
from pmv_protocol.coded_error import CodedError
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import AUTHOR_NAME_MAX, MESSAGE_FILES_MAX, MESSAGE_MAX, REASON_MAX, VisitState
from pmv_protocol.ticket_flow import (
    FlowState,
    Refusal,
    refuse_decision,
    refuse_message,
    refuse_rating,
    refuse_reopen,
    refuse_visit_answer,
)
from pmv_protocol.wire import TicketStatus

log = logging.getLogger(__name__)

DAY_BEFORE = "day_before"
HOUR_BEFORE = "hour_before"
# A reminder is due from this long before the visit starts, until the next reminder's moment (or the start).
REMINDER_LEADS = ((DAY_BEFORE, dt.timedelta(hours=24)), (HOUR_BEFORE, dt.timedelta(hours=1)))


class ActProblem(enum.StrEnum):
    """What is wrong with what the cashier typed or picked (the UI words each; ``detail`` adds the limit or file)."""

    NAME_REQUIRED = "name_required"  # who is writing
    EMPTY = "empty"  # a message with neither text nor a file
    TOO_LONG = "too_long"  # detail: the limit
    REASON_REQUIRED = "reason_required"  # a refusal or a reopening says why
    NOTE_REQUIRED = "note_required"  # asking for another visit time says which suits
    STARS = "stars"  # a rating is 1 to 5 stars
    TOO_MANY_FILES = "too_many_files"  # detail: the limit
    FILE_TOO_LARGE = "file_too_large"  # detail: the file's name
    FILE_UNREADABLE = "file_unreadable"  # detail: the file's name


class ActInvalid(CodedError[ActProblem], ValueError):
    """The cashier's input cannot make an act; nothing was saved."""


class ActRefused(CodedError[Refusal]):
    """The request's state does not allow the act (the same rule the vendor's server applies); nothing was saved."""


class FileProblem(enum.StrEnum):
    UNKNOWN = "unknown"  # no such file on this request
    NOT_ON_SERVER = "not_on_server"  # the server has not told us where it is (yet)
    MISMATCH = "sha256_mismatch"  # the bytes downloaded are not the ones the server stated: never kept
    SIZE = "size_mismatch"  # more (or fewer) bytes than stated: never kept


class FileRefused(CodedError[FileProblem]):
    """A file the app will not hand over; a downloaded one that failed its check is deleted."""


class ConversationService:
    """What the request's detail view and the tray ask of the conversations; thread-safe, Qt-free."""

    def __init__(self, support: SupportRepository, thread: ThreadRepository, *, downloads_dir: Path,
                 client_factory: Callable[[], VendorClient], clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._support = support
        self._thread = thread
        self._downloads = Path(downloads_dir)
        self._client_factory = client_factory
        self._clock = clock

    # -- reading ---------------------------------------------------------------------------------
    def conversation(self, request_id: str) -> Conversation | None:
        request = self._support.get(request_id)
        if request is None:
            return None
        entries = tuple(self._thread.entries(request_id))
        state = self._thread.state(request_id)
        flow, visit = _overlay(request, state, [e for e in entries if e.state == EntryState.PENDING])
        close_after = state.close_after if flow.status == TicketStatus.SOLUTION_PROPOSED else None
        return Conversation(request=request, entries=entries, flow=flow, visit=visit, close_after=close_after,
                            rating_asked=state.rating_asked)

    def unread_count(self) -> int:
        return sum(self._thread.unread_by_request().values())

    def unread_by_request(self) -> dict[str, int]:
        return self._thread.unread_by_request()

    def mark_read(self, request_id: str) -> None:
        self._thread.mark_read(request_id)

    def has_pending(self) -> bool:
        """Any of the shop's acts still to deliver (the agent skips the outbox run when there is nothing)."""
        return self._thread.has_pending()

    def unnotified(self) -> list[ThreadEntry]:
        """The vendor's (and the server's own) entries not shown as a tray notification yet, oldest first."""
        return self._thread.unnotified()

    def mark_notified(self, entry_ids: Sequence[str]) -> None:
        self._thread.mark_notified(entry_ids)

    # -- the cashier's acts ------------------------------------------------------------------------
    def reply(self, request_id: str, author_name: str, text: str, files: Sequence[Path] = ()) -> ThreadEntry:
        """A message with text, files, or both; the files are copied into the outbox now."""
        flow = self._flow_for(request_id)
        _allowed(refuse_message(flow))
        name = _name(author_name)
        if not text.strip() and not files:
            raise ActInvalid(ActProblem.EMPTY)
        if len(text) > MESSAGE_MAX:
            raise ActInvalid(ActProblem.TOO_LONG, str(MESSAGE_MAX))
        if len(files) > MESSAGE_FILES_MAX:
            raise ActInvalid(ActProblem.TOO_MANY_FILES, str(MESSAGE_FILES_MAX))
        for path in files:
            try:
                size = Path(path).stat().st_size
            except OSError:
                raise ActInvalid(ActProblem.FILE_UNREADABLE, Path(path).name) from None
            if size > MAX_ATTACHMENT_BYTES:
                raise ActInvalid(ActProblem.FILE_TOO_LARGE, Path(path).name)
        try:
            return self._thread.add_act(request_id, EventKind.MESSAGE, name, at=self._clock(), text=text.strip(),
                                        files=[Path(path) for path in files])
        except OSError as exc:  # the file went away (or became unreadable) between the check and the copy
            raise ActInvalid(ActProblem.FILE_UNREADABLE, Path(exc.filename or "").name) from None

    def decide(self, request_id: str, author_name: str, accept: bool, reason: str = "") -> ThreadEntry:
        """"Đã khắc phục" (accept) or "Chưa khắc phục" + why (refuse) on the proposed solution."""
        _allowed(refuse_decision(self._flow_for(request_id)))
        name, reason = _name(author_name), _bounded(reason, REASON_MAX)
        if not accept and not reason:
            raise ActInvalid(ActProblem.REASON_REQUIRED)
        kind = EventKind.ACCEPTED if accept else EventKind.REFUSED
        return self._thread.add_act(request_id, kind, name, at=self._clock(), text=reason or None)

    def answer_visit(self, request_id: str, author_name: str, visit_id: int, confirm: bool,
                     note: str = "") -> ThreadEntry:
        """Confirm the proposed visit, or ask for another time with a note."""
        conversation = self.conversation(request_id)
        if conversation is None:
            raise LookupError(f"no support request {request_id}")
        _allowed(refuse_visit_answer(conversation.flow, visit_id))
        name, note = _name(author_name), _bounded(note, REASON_MAX)
        if not confirm and not note:
            raise ActInvalid(ActProblem.NOTE_REQUIRED)
        kind = EventKind.VISIT_CONFIRMED if confirm else EventKind.VISIT_RESCHEDULE
        data: dict[str, object] = {"visit_id": visit_id}
        if conversation.visit is not None:  # the slot answered, so the entry reads on its own
            data["visit"] = {"day": conversation.visit.slot.day.isoformat(),
                             "start": conversation.visit.slot.start.isoformat(),
                             "end": conversation.visit.slot.end.isoformat(),
                             "technician": conversation.visit.slot.technician}
        return self._thread.add_act(request_id, kind, name, at=self._clock(), text=note or None, data=data)

    def rate(self, request_id: str, author_name: str, stars: int, comment: str = "") -> ThreadEntry:
        """1 to 5 stars and a comment, once, after resolution."""
        _allowed(refuse_rating(self._flow_for(request_id)))
        name, comment = _name(author_name), _bounded(comment, REASON_MAX)
        if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
            raise ActInvalid(ActProblem.STARS)
        entry = self._thread.add_act(request_id, EventKind.RATED, name, at=self._clock(), text=comment or None,
                                     data={"stars": stars})
        self._thread.mark_rating_asked(request_id)
        return entry

    def skip_rating(self, request_id: str) -> None:
        """The cashier closed the rating prompt: it is not asked again (the button stays)."""
        self._thread.mark_rating_asked(request_id)

    def needs_rating(self) -> list[str]:
        """Requests resolved, not rated (nor rating pending) and not asked yet: the prompt's queue, oldest first."""
        stored = self._thread.states()
        pending = self._thread.pending_entries()
        # Resolved by the vendor's word, or by the shop's own accept still on its way.
        candidates = {request_id for request_id, state in stored.items() if state.ever_resolved} | {
            request_id for request_id, entries in pending.items()
            if any(entry.kind == EventKind.ACCEPTED for entry in entries)}
        found: list[tuple[dt.datetime, str]] = []
        for request_id in candidates:
            state = stored.get(request_id, ThreadState())
            request = self._support.get(request_id) if not state.rating_asked else None
            if request is None:
                continue
            flow, _visit = _overlay(request, state, pending.get(request_id, []))
            if refuse_rating(flow) is None:
                found.append((flow.finished_at or request.updated_at, request_id))
        return [request_id for _at, request_id in sorted(found)]

    def reopen(self, request_id: str, author_name: str, reason: str) -> ThreadEntry:
        """"Lỗi xuất hiện lại": reopen a resolved or closed request within 7 days, saying what came back."""
        now = self._clock()
        _allowed(refuse_reopen(self._flow_for(request_id), now))
        name, reason = _name(author_name), _bounded(reason, REASON_MAX)
        if not reason:
            raise ActInvalid(ActProblem.REASON_REQUIRED)
        return self._thread.add_act(request_id, EventKind.REOPENED, name, at=now, text=reason)

    # -- files -----------------------------------------------------------------------------------
    def download(self, request_id: str, file_id: str, cancel: threading.Event | None = None) -> Path:
        """The file on this PC, fetched and checked first if need be.

        A vendor's file is streamed into a temp file in the app's data dir, its sha256 (and size) checked
        against what the server stated in the event, then moved into place atomically; a mismatch deletes
        it, marks the file refused and raises :class:`FileRefused`.  The shop's own file is its outbox copy.
        """
        stored = self._thread.file(file_id)
        if stored is None or stored.request_id != request_id:
            raise FileRefused(FileProblem.UNKNOWN, file_id)
        file = stored.file
        if file.local_path and Path(file.local_path).is_file() and file.state in (
                FileState.DOWNLOADED, FileState.TO_UPLOAD, FileState.UPLOADED):
            return Path(file.local_path)
        if file.server_id is None or stored.ticket_id is None:
            raise FileRefused(FileProblem.NOT_ON_SERVER, file_id)
        folder = self._downloads / request_id / file_id
        partial = self._downloads / ".partial"
        partial.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=partial, prefix=f"{file_id}-", suffix=".part")
        os.close(handle)
        temp = Path(temp_name)
        try:
            size, digest = self._client_factory().download_attachment(stored.ticket_id, file.server_id, temp, cancel,
                                                                      max_bytes=file.size)
            problem = (FileProblem.SIZE if size != file.size
                       else FileProblem.MISMATCH if digest != file.sha256.lower() else None)
            if problem is not None:
                temp.unlink(missing_ok=True)
                self._thread.mark_download_refused(file_id, problem.value)
                log.warning("file %s of request %s refused: %s bytes, sha256 %s, the server stated %s bytes, %s",
                            file_id, request_id, size, digest, file.size, file.sha256)
                raise FileRefused(problem, f"sha256 {digest}, stated {file.sha256}")
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / safe_filename(file.filename)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self._thread.mark_downloaded(file_id, target)
        return target

    # -- visits ----------------------------------------------------------------------------------
    def upcoming_visits(self) -> list[UpcomingVisit]:
        """Confirmed visits that have not ended yet, soonest first (the shop's own pending confirmation counts)."""
        return [visit for visit, _id in self._upcoming(self._clock())]

    def due_reminders(self, now: dt.datetime) -> list[tuple[UpcomingVisit, str]]:
        """The reminders due at ``now`` ("day_before" from 24 h before the start, "hour_before" from 1 h
        before), each once per visit; a reminder whose moment has passed unseen gives way to the next."""
        due: list[tuple[UpcomingVisit, str]] = []
        for visit, visit_id in self._upcoming(now):
            shown = self._thread.state(visit.request_id).reminders.get(visit_id, frozenset())
            for index, (kind, lead) in enumerate(REMINDER_LEADS):
                until = visit.starts_at - REMINDER_LEADS[index + 1][1] if index + 1 < len(REMINDER_LEADS) \
                    else visit.starts_at
                if visit.starts_at - lead <= now < until and kind not in shown:
                    due.append((visit, kind))
        return due

    def mark_reminded(self, request_id: str, kind: str) -> None:
        visit = self._thread.state(request_id).visit
        if visit is not None:
            self._thread.mark_reminded(request_id, visit.id, kind)

    def _upcoming(self, now: dt.datetime) -> list[tuple[UpcomingVisit, int]]:
        states = {request_id: state for request_id, state in self._thread.states().items() if state.visit is not None}
        pending = self._thread.pending_entries(states) if states else {}
        found: list[tuple[UpcomingVisit, int]] = []
        for request_id, state in states.items():
            request = self._support.get(request_id)
            if request is None or not request.status.is_open:
                continue
            _flow, visit = _overlay(request, state, pending.get(request_id, []))
            if visit is None or visit.state != VisitState.CONFIRMED:
                continue
            slot = visit.slot
            starts = dt.datetime.combine(slot.day, slot.start, tzinfo=SHOP_TZ)
            ends = dt.datetime.combine(slot.day, slot.end, tzinfo=SHOP_TZ)
            if ends > now:
                found.append((UpcomingVisit(request_id, request.ticket_number, request.title, slot, starts), visit.id))
        return sorted(found, key=lambda item: (item[0].starts_at, item[0].request_id))

    # -- helpers ---------------------------------------------------------------------------------
    def _flow_for(self, request_id: str) -> FlowState:
        request = self._support.get(request_id)
        if request is None:
            raise LookupError(f"no support request {request_id}")
        state = self._thread.state(request_id)
        pending = self._thread.pending_entries([request_id]).get(request_id, [])
        return _overlay(request, state, pending)[0]


def _overlay(request: SupportRequest, state: ThreadState,
             pending: Sequence[ThreadEntry]) -> tuple[FlowState, CurrentVisit | None]:
    """The request's flow and current visit as the vendor last stated them, with the shop's pending acts applied
    in the order they were made."""
    flow, visit = state.flow(request.status.value), state.visit
    for entry in pending:
        flow, visit = flow_after(flow, entry), visit_after(visit, entry)
    return flow, visit


def _allowed(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise ActRefused(refusal)


def _name(author_name: str) -> str:
    name = author_name.strip()
    if not name:
        raise ActInvalid(ActProblem.NAME_REQUIRED)
    if len(name) > AUTHOR_NAME_MAX:
        raise ActInvalid(ActProblem.TOO_LONG, str(AUTHOR_NAME_MAX))
    return name


def _bounded(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) > limit:
        raise ActInvalid(ActProblem.TOO_LONG, str(limit))
    return text


__all__ = ["ActInvalid", "ActProblem", "ActRefused", "ConversationService", "FileProblem", "FileRefused",
           "safe_filename"]
