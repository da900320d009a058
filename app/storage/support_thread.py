"""The conversation on each support request in SQLite: timeline entries, their files, the request's flow state.

The shop's acts are committed here (state ``pending``, files copied into the
outbox folder) before any network call, and the outbox delivers them in the
order they were made.  The vendor's events arrive with the ``updated_since``
feed and are stored once each (by server id), unread until the cashier opens
the request.  Repositories return dataclasses (:mod:`app.support.thread_models`),
never ORM rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.storage.db import Database
from app.storage.repositories import Clock, utc_now
from app.storage.support_requests import sha256_of
from app.storage.tables import SupportRequestRow, ThreadEntryRow, ThreadFileRow, ThreadStateRow
from app.support.models import RequestStatus
from app.support.thread_models import (
    Author,
    CurrentVisit,
    EntryState,
    EventKind,
    FileState,
    ThreadEntry,
    ThreadFile,
    VisitSlot,
    flow_after,
    visit_after,
)
from pmv_protocol.thread import ActReceipt, TicketEvent, TicketUpdate
from pmv_protocol.ticket_flow import FlowState

log = logging.getLogger(__name__)

_VISIT = TypeAdapter(CurrentVisit)
_SLOT = TypeAdapter(VisitSlot)
# The vendor's kinds of entries the shop reads (and is notified of); the shop's own are read when made.
_FROM_THEM = (Author.VENDOR.value, Author.SYSTEM.value)


@dataclass(frozen=True)
class ThreadState:
    """A request's conversation state: the vendor's feed's last word, and what this PC did about it."""

    finished_at: dt.datetime | None = None
    ever_resolved: bool = False
    rated: bool = False
    close_after: dt.datetime | None = None
    visit: CurrentVisit | None = None
    rating_asked: bool = False
    reminders: Mapping[int, frozenset[str]] = dataclasses.field(default_factory=dict)  # visit id -> kinds shown

    def flow(self, status: str) -> FlowState:
        visit = None if self.visit is None else (self.visit.id, str(self.visit.state))
        return FlowState(status=status, finished_at=self.finished_at, ever_resolved=self.ever_resolved,
                         rated=self.rated, visit=visit)


@dataclass(frozen=True)
class PendingActs:
    """One request's acts waiting to go out, in the order they were made; they wait for its ticket."""

    request_id: str
    ticket_id: int
    entries: tuple[ThreadEntry, ...]


@dataclass(frozen=True)
class StoredFile:
    """A file of a conversation with what a download needs: whose it is and where it sits on the server."""

    request_id: str
    ticket_id: int | None
    entry_id: str
    file: ThreadFile


class ThreadRepository:
    """The conversation tables; one writer (the :class:`Database`'s lock), any number of readers."""

    def __init__(self, db: Database, outbox_dir: Path, clock: Clock = utc_now) -> None:
        self._db = db
        self._outbox_dir = Path(outbox_dir)
        self._clock = clock

    # -- the shop's acts ----------------------------------------------------------------------------
    def add_act(self, request_id: str, kind: EventKind, author_name: str, *, at: dt.datetime,
                text: str | None = None, data: Mapping[str, Any] | None = None,
                files: Sequence[Path] = ()) -> ThreadEntry:
        """Commit one of the shop's acts (and copies of its files) before any network call."""
        entry_id = str(uuid.uuid4())
        folder = self._outbox_dir / request_id
        folder.mkdir(parents=True, exist_ok=True)
        copies: list[ThreadFileRow] = []
        try:
            for order, source in enumerate(files):
                file_id = str(uuid.uuid4())
                # Under its own name (in a folder of its id), so the copy opens in the right program.
                target = folder / file_id / safe_filename(Path(source).name)
                target.parent.mkdir()
                shutil.copyfile(source, target)
                copies.append(ThreadFileRow(id=file_id, entry_id=entry_id, seq=order, filename=Path(source).name,
                                            size=target.stat().st_size, sha256=sha256_of(target),
                                            local_path=str(target), state=FileState.TO_UPLOAD.value))
            now = self._clock()
            with self._db.write() as session:
                if session.get(SupportRequestRow, request_id) is None:
                    raise LookupError(f"no support request {request_id}")
                session.add(ThreadEntryRow(
                    id=entry_id, request_id=request_id, seq=_next_seq(session), kind=kind.value,
                    author=Author.SHOP.value, author_name=author_name, at=at, text=text,
                    data=_dump(dict(data or {})), state=EntryState.PENDING.value, attempts=0, next_attempt_at=None,
                    read_at=now, notified_at=now, created_at=now))
                session.flush()
                session.add_all(copies)
        except BaseException:
            for row in copies:
                shutil.rmtree(Path(str(row.local_path)).parent, ignore_errors=True)
            raise
        found = self.entry(entry_id)
        assert found is not None
        return found

    def pending_acts(self, now: dt.datetime) -> list[PendingActs]:
        """Requests with a ticket whose oldest pending act is due, oldest request first."""
        with self._db.read() as session:
            rows = session.execute(
                select(ThreadEntryRow, SupportRequestRow.ticket_id)
                .join(SupportRequestRow, SupportRequestRow.id == ThreadEntryRow.request_id)
                .where(ThreadEntryRow.state == EntryState.PENDING.value, SupportRequestRow.ticket_id.is_not(None))
                .order_by(SupportRequestRow.opened_at, SupportRequestRow.id, ThreadEntryRow.seq)).all()
            groups: dict[str, tuple[int, list[ThreadEntry]]] = {}
            files = _files_of(session, [row.id for row, _ticket in rows])
            for row, ticket_id in rows:
                assert ticket_id is not None  # the query asks for requests with a ticket
                groups.setdefault(row.request_id, (ticket_id, []))[1].append(_entry(row, files.get(row.id, ())))
        due = []
        for request_id, (ticket_id, entries) in groups.items():
            first = entries[0]
            if first.next_attempt_at is None or first.next_attempt_at <= now:
                due.append(PendingActs(request_id, ticket_id, tuple(entries)))
        return due

    def has_pending(self) -> bool:
        with self._db.read() as session:
            return session.scalar(select(ThreadEntryRow.id).where(
                ThreadEntryRow.state == EntryState.PENDING.value).limit(1)) is not None

    def pending_made_before(self, moment: dt.datetime) -> list[tuple[str, ThreadEntry]]:
        """The shop's acts still waiting to go out that were made before ``moment``, with their request's title."""
        with self._db.read() as session:
            rows = session.execute(
                select(ThreadEntryRow, SupportRequestRow.title)
                .join(SupportRequestRow, SupportRequestRow.id == ThreadEntryRow.request_id)
                .where(ThreadEntryRow.state == EntryState.PENDING.value, ThreadEntryRow.created_at <= moment)
                .order_by(ThreadEntryRow.created_at, ThreadEntryRow.seq)).all()
            return [(title, _entry(row, ())) for row, title in rows]

    def mark_file_uploaded(self, file_id: str) -> None:
        with self._db.write() as session:
            row = session.get(ThreadFileRow, file_id)
            if row is not None:
                row.state, row.error = FileState.UPLOADED.value, None

    def mark_files_to_upload(self, entry_id: str) -> None:
        """Send the act's files again (the server said it lacks them; each upload is idempotent by its id)."""
        with self._db.write() as session:
            session.execute(update(ThreadFileRow).where(ThreadFileRow.entry_id == entry_id,
                                                        ThreadFileRow.state == FileState.UPLOADED.value)
                            .values(state=FileState.TO_UPLOAD.value))

    def mark_act_failed(self, entry_id: str, error: str, next_attempt_at: dt.datetime) -> None:
        """A try that may work later (offline, timeout, 5xx): the act waits, and the request's later acts with it."""
        with self._db.write() as session:
            row = session.get(ThreadEntryRow, entry_id)
            if row is not None and row.state == EntryState.PENDING.value:
                row.attempts += 1
                row.last_error = error[:500]
                row.next_attempt_at = next_attempt_at

    def mark_act_refused(self, entry_id: str, error: str, file_errors: Mapping[str, str] | None = None) -> None:
        """The server (or this PC, for a file gone from the outbox) refused the act: it is never sent again."""
        with self._db.write() as session:
            row = session.get(ThreadEntryRow, entry_id)
            if row is None:
                return
            row.state = EntryState.REFUSED.value
            row.last_error = error[:500]
            row.next_attempt_at = None
            for file_id, problem in (file_errors or {}).items():
                file = session.get(ThreadFileRow, file_id)
                if file is not None:
                    file.state, file.error = FileState.REFUSED.value, problem[:200]

    def mark_act_sent(self, entry_id: str, receipt: ActReceipt) -> None:
        """The server stored the act: its event id and fields, the ticket's status and deadline as they now are."""
        with self._db.write() as session:
            row = session.get(ThreadEntryRow, entry_id)
            if row is None:
                return
            was_pending = row.state == EntryState.PENDING.value
            self._take_event(session, row, receipt.event)
            request = session.get(SupportRequestRow, row.request_id)
            if request is not None:
                if receipt.status in {status.value for status in RequestStatus}:
                    request.status = str(receipt.status)
                request.response_due_at = receipt.response_due_at or request.response_due_at
                request.updated_at = self._clock()
            if was_pending:
                # Until the next poll states it, the act's effect counts here (an accepted solution may be rated).
                state = _state_row(session, row.request_id)
                entry = _entry(row, ())
                stored = _state(state)
                flow = flow_after(stored.flow(request.status if request is not None else ""), entry)
                state.finished_at, state.ever_resolved, state.rated = flow.finished_at, flow.ever_resolved, flow.rated
                if entry.kind in (EventKind.ACCEPTED, EventKind.REFUSED):
                    state.close_after = None
                visit = visit_after(stored.visit, entry)
                state.visit = None if visit is None else _VISIT.dump_json(visit).decode()

    # -- the vendor's feed --------------------------------------------------------------------------
    def apply_updates(self, updates: Sequence[TicketUpdate]) -> list[str]:
        """Store each update's new events and flow fields; the ids of the entries new to this PC."""
        added: list[str] = []
        with self._db.write() as session:
            for update in updates:
                request = session.get(SupportRequestRow, update.idempotency_key)
                if request is None:
                    continue  # raised from another PC of the shop, or deleted here
                added += self._take_events(session, request.id, update.events, seen=False)
                state = _state_row(session, request.id)
                state.finished_at, state.ever_resolved, state.rated = (update.finished_at, update.ever_resolved,
                                                                       update.rated)
                state.close_after = update.close_after
                state.visit = None if update.visit is None else _VISIT.dump_json(update.visit).decode()
                state.synced_at = self._clock()
        return added

    def apply_history(self, request_id: str, events: Iterable[TicketEvent]) -> list[str]:
        """A request's earlier timeline (fetched once when this PC first hears of its conversation): stored as
        already read and announced, since it happened before the app followed it."""
        with self._db.write() as session:
            if session.get(SupportRequestRow, request_id) is None:
                return []
            return self._take_events(session, request_id, events, seen=True)

    def unfollowed(self, request_ids: Iterable[str]) -> set[str]:
        """Which of these are requests of this PC whose conversation it has never stored a state for."""
        ids = list(request_ids)
        if not ids:
            return set()
        with self._db.read() as session:
            return set(session.scalars(
                select(SupportRequestRow.id)
                .outerjoin(ThreadStateRow, ThreadStateRow.request_id == SupportRequestRow.id)
                .where(SupportRequestRow.id.in_(ids), ThreadStateRow.request_id.is_(None))))

    def _take_events(self, session: Session, request_id: str, events: Iterable[TicketEvent],
                     *, seen: bool) -> list[str]:
        added: list[str] = []
        now = self._clock()
        for event in sorted(events, key=lambda e: e.id):
            row = session.scalar(select(ThreadEntryRow).where(ThreadEntryRow.server_id == event.id))
            if row is None and event.client_id:
                row = session.get(ThreadEntryRow, event.client_id)
                if row is not None and row.request_id != request_id:
                    row = None
            if row is not None:
                if row.request_id == request_id:
                    self._take_event(session, row, event)
                else:
                    log.warning("event %s of request %s already stored for request %s; skipped", event.id,
                                request_id, row.request_id)
                continue
            theirs = str(event.author) in _FROM_THEM
            # A ticket the vendor's system opened starts with its OPENED step: unread, but announced already
            # (the poll's status change says "the vendor detected and opened a request").
            announced = not theirs or seen or event.kind == EventKind.OPENED
            entry_id = f"e{event.id}"
            row = ThreadEntryRow(
                id=entry_id, request_id=request_id, seq=_next_seq(session), server_id=event.id,
                kind=str(event.kind), author=str(event.author), author_name=event.author_name, at=event.at,
                text=event.text, data=_dump(_event_data(event)), state=EntryState.SENT.value, attempts=0,
                read_at=None if theirs and not seen else now, notified_at=now if announced else None,
                created_at=now)
            session.add(row)
            session.flush()
            for order, file in enumerate(event.files):
                session.add(ThreadFileRow(id=f"{entry_id}-a{file.id}", entry_id=entry_id, seq=order,
                                          server_id=file.id, filename=file.filename, size=file.size,
                                          sha256=file.sha256.lower(), local_path=None,
                                          state=FileState.AVAILABLE.value))
            added.append(entry_id)
        return added

    @staticmethod
    def _take_event(session: Session, row: ThreadEntryRow, event: TicketEvent) -> None:
        """The server's copy of an entry this PC already holds (its own act, or an event seen before)."""
        if row.server_id != event.id:
            duplicate = session.scalar(select(ThreadEntryRow).where(ThreadEntryRow.server_id == event.id))
            if duplicate is not None and duplicate.id != row.id:
                for file in session.scalars(select(ThreadFileRow).where(ThreadFileRow.entry_id == duplicate.id)):
                    session.delete(file)
                session.delete(duplicate)
                session.flush()
        row.server_id = event.id
        row.state = EntryState.SENT.value
        row.next_attempt_at = None
        row.last_error = None
        data = {**json.loads(row.data or "{}"), **_event_data(event)}
        row.data = _dump(data)
        # The shop's own files: the server names them by attachment id; match by content, then by order.
        mine = list(session.scalars(select(ThreadFileRow).where(ThreadFileRow.entry_id == row.id)
                                    .order_by(ThreadFileRow.seq)))
        unmatched = [file for file in event.files if file.id not in {m.server_id for m in mine}]
        for local in mine:
            if local.server_id is not None:
                continue
            match = next((f for f in unmatched if f.sha256.lower() == local.sha256), None)
            if match is not None:
                local.server_id = match.id
                unmatched.remove(match)
                if local.state == FileState.TO_UPLOAD.value:
                    local.state = FileState.UPLOADED.value

    # -- reading ------------------------------------------------------------------------------------
    def entry(self, entry_id: str) -> ThreadEntry | None:
        with self._db.read() as session:
            row = session.get(ThreadEntryRow, entry_id)
            return None if row is None else _entry(row, _files_of(session, [row.id]).get(row.id, ()))

    def entries(self, request_id: str) -> list[ThreadEntry]:
        """The request's timeline: what the server holds in its order, the acts it refused among it by when they
        were made, then the acts still waiting to go, in the order made here.

        A refused act never reaches the server: placed last with the pending ones, one refused on day 2 read
        as the shop's latest word, below the vendor's messages of day 5.
        """
        with self._db.read() as session:
            rows = list(session.scalars(select(ThreadEntryRow).where(ThreadEntryRow.request_id == request_id)))
            files = _files_of(session, [row.id for row in rows])
        placed = sorted((row for row in rows if row.server_id is not None), key=lambda row: (row.server_id, row.seq))
        unsent = sorted((row for row in rows if row.server_id is None), key=lambda row: row.seq)
        for row in unsent:
            if row.state != EntryState.PENDING.value:  # after the last entry made before it
                placed.insert(next((i + 1 for i in range(len(placed) - 1, -1, -1) if placed[i].at <= row.at), 0), row)
        placed += [row for row in unsent if row.state == EntryState.PENDING.value]
        return [_entry(row, files.get(row.id, ())) for row in placed]

    def pending_entries(self, request_ids: Iterable[str] | None = None) -> dict[str, list[ThreadEntry]]:
        """The shop's acts not yet on the server, per request, in the order they were made."""
        query = select(ThreadEntryRow).where(ThreadEntryRow.state == EntryState.PENDING.value)
        if request_ids is not None:
            query = query.where(ThreadEntryRow.request_id.in_(list(request_ids)))
        found: dict[str, list[ThreadEntry]] = {}
        with self._db.read() as session:
            for row in session.scalars(query.order_by(ThreadEntryRow.seq)):
                found.setdefault(row.request_id, []).append(_entry(row, ()))
        return found

    def state(self, request_id: str) -> ThreadState:
        with self._db.read() as session:
            row = session.get(ThreadStateRow, request_id)
            return ThreadState() if row is None else _state(row)

    def states(self) -> dict[str, ThreadState]:
        with self._db.read() as session:
            return {row.request_id: _state(row) for row in session.scalars(select(ThreadStateRow))}

    def unread_by_request(self) -> dict[str, int]:
        with self._db.read() as session:
            rows = session.execute(
                select(ThreadEntryRow.request_id, func.count())
                .where(ThreadEntryRow.read_at.is_(None)).group_by(ThreadEntryRow.request_id)).all()
        return {request_id: count for request_id, count in rows}

    def unnotified(self) -> list[ThreadEntry]:
        with self._db.read() as session:
            rows = list(session.scalars(select(ThreadEntryRow).where(ThreadEntryRow.notified_at.is_(None))
                                        .order_by(ThreadEntryRow.seq)))
            files = _files_of(session, [row.id for row in rows])
        return [_entry(row, files.get(row.id, ())) for row in rows]

    def file(self, file_id: str) -> StoredFile | None:
        with self._db.read() as session:
            found = session.execute(
                select(ThreadFileRow, ThreadEntryRow.request_id, SupportRequestRow.ticket_id)
                .join(ThreadEntryRow, ThreadEntryRow.id == ThreadFileRow.entry_id)
                .join(SupportRequestRow, SupportRequestRow.id == ThreadEntryRow.request_id)
                .where(ThreadFileRow.id == file_id)).first()
        if found is None:
            return None
        row, request_id, ticket_id = found
        return StoredFile(request_id, ticket_id, row.entry_id, _file(row))

    # -- this PC's marks ----------------------------------------------------------------------------
    def mark_read(self, request_id: str) -> int:
        with self._db.write() as session:
            result = session.execute(update(ThreadEntryRow).where(
                ThreadEntryRow.request_id == request_id, ThreadEntryRow.read_at.is_(None)).values(
                read_at=self._clock()))
            return int(getattr(result, "rowcount", 0) or 0)

    def mark_notified(self, entry_ids: Iterable[str]) -> None:
        ids = list(entry_ids)
        if not ids:
            return
        with self._db.write() as session:
            session.execute(update(ThreadEntryRow).where(ThreadEntryRow.id.in_(ids),
                                                         ThreadEntryRow.notified_at.is_(None))
                            .values(notified_at=self._clock()))

    def mark_rating_asked(self, request_id: str) -> None:
        with self._db.write() as session:
            if session.get(SupportRequestRow, request_id) is None:
                raise LookupError(f"no support request {request_id}")
            state = _state_row(session, request_id)
            if state.rating_asked_at is None:
                state.rating_asked_at = self._clock()

    def mark_reminded(self, request_id: str, visit_id: int, kind: str) -> None:
        with self._db.write() as session:
            state = _state_row(session, request_id)
            reminders = json.loads(state.reminders or "{}")
            shown = set(reminders.get(str(visit_id), []))
            shown.add(kind)
            reminders[str(visit_id)] = sorted(shown)
            state.reminders = _dump(reminders)

    def mark_downloaded(self, file_id: str, path: Path) -> None:
        with self._db.write() as session:
            row = session.get(ThreadFileRow, file_id)
            if row is not None:
                row.state, row.local_path, row.error = FileState.DOWNLOADED.value, str(path), None

    def mark_download_refused(self, file_id: str, error: str) -> None:
        with self._db.write() as session:
            row = session.get(ThreadFileRow, file_id)
            if row is not None:
                row.state, row.local_path, row.error = FileState.REFUSED.value, None, error[:200]


# --- rows to records ----------------------------------------------------------------------------------------

def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str, sort_keys=True)


def _next_seq(session: Session) -> int:
    # Called inside the one writer's transaction, so two acts never get the same number.
    return int(session.scalar(select(func.coalesce(func.max(ThreadEntryRow.seq), 0))) or 0) + 1


def _state_row(session: Session, request_id: str) -> ThreadStateRow:
    row = session.get(ThreadStateRow, request_id)
    if row is None:
        row = ThreadStateRow(request_id=request_id, ever_resolved=False, rated=False, reminders="{}")
        session.add(row)
        session.flush()
    return row


def _state(row: ThreadStateRow) -> ThreadState:
    reminders = {int(key): frozenset(kinds) for key, kinds in json.loads(row.reminders or "{}").items()}
    return ThreadState(finished_at=row.finished_at, ever_resolved=bool(row.ever_resolved), rated=bool(row.rated),
                       close_after=row.close_after,
                       visit=None if row.visit is None else _VISIT.validate_json(row.visit),
                       rating_asked=row.rating_asked_at is not None, reminders=reminders)


def _event_data(event: TicketEvent) -> dict[str, Any]:
    """The kind's own fields of a server event, as the entry's JSON ``data``."""
    data: dict[str, Any] = {}
    if event.solution_kind is not None:
        data["solution_kind"] = str(event.solution_kind)
    if event.response_due_at is not None:
        data["response_due_at"] = event.response_due_at.isoformat()
    if event.close_after is not None:
        data["close_after"] = event.close_after.isoformat()
    if event.visit is not None:
        data["visit"] = json.loads(_SLOT.dump_json(event.visit))
    if event.visit_id is not None:
        data["visit_id"] = event.visit_id
    if event.stars is not None:
        data["stars"] = event.stars
    return data


def _moment(text: Any) -> dt.datetime | None:
    return None if not text else dt.datetime.fromisoformat(str(text))


def _enum_or_text(enum_type: Any, value: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        return value  # a kind or author a later server added: kept as its text


def _entry(row: ThreadEntryRow, files: Sequence[ThreadFile]) -> ThreadEntry:
    data = json.loads(row.data or "{}")
    visit = data.get("visit")
    solution_kind = data.get("solution_kind")
    return ThreadEntry(
        id=row.id, request_id=row.request_id, kind=_enum_or_text(EventKind, row.kind),
        author=_enum_or_text(Author, row.author), author_name=row.author_name, at=row.at,
        state=EntryState(row.state), server_id=row.server_id, text=row.text, files=tuple(files),
        solution_kind=solution_kind, response_due_at=_moment(data.get("response_due_at")),
        close_after=_moment(data.get("close_after")),
        visit=None if visit is None else _SLOT.validate_python(visit),
        visit_id=data.get("visit_id"), stars=data.get("stars"), read=row.read_at is not None,
        error=row.last_error if row.state == EntryState.REFUSED.value else None,
        attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
    )


def _file(row: ThreadFileRow) -> ThreadFile:
    return ThreadFile(id=row.id, filename=row.filename, size=row.size, sha256=row.sha256, server_id=row.server_id,
                      local_path=row.local_path, state=FileState(row.state), error=row.error)


def _files_of(session: Session, entry_ids: Sequence[str]) -> dict[str, tuple[ThreadFile, ...]]:
    if not entry_ids:
        return {}
    found: dict[str, list[ThreadFile]] = {}
    for row in session.scalars(select(ThreadFileRow).where(ThreadFileRow.entry_id.in_(list(entry_ids)))
                               .order_by(ThreadFileRow.entry_id, ThreadFileRow.seq)):
        found.setdefault(row.entry_id, []).append(_file(row))
    return {key: tuple(value) for key, value in found.items()}


_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


# A name's length on disk: Windows counts 255 UTF-16 units, Linux file systems 255 bytes, and a Vietnamese letter is
# up to 3 bytes in UTF-8 (150 of them were 450 bytes); 200 leaves room for a copy's " (2)".
NAME_MAX_CHARS = 150
NAME_MAX_BYTES = 200
SUFFIX_MAX = 16  # longer than any real extension ("a.<300 letters>" has none to keep)


def safe_filename(name: str) -> str:
    """A file name safe to create on Windows and Linux (a vendor's name is display only, a path is never kept)."""
    cleaned = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    if not cleaned or cleaned.split(".")[0].upper() in _RESERVED:
        cleaned = f"tep-{cleaned}" if cleaned else "tep"
    return _shortened(cleaned)


def _shortened(name: str) -> str:
    """``name`` within NAME_MAX_CHARS and NAME_MAX_BYTES, its extension kept: cut at 150 characters, the vendor's
    "Hướng dẫn … (bản cập nhật 11-2026).pdf" lost its ".pdf", and Windows asked which program opens it."""
    if len(name) <= NAME_MAX_CHARS and len(name.encode("utf-8")) <= NAME_MAX_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    suffix = f".{extension}" if dot and stem and len(extension) < SUFFIX_MAX else ""
    if not suffix:
        stem = name
    chars, room = NAME_MAX_CHARS - len(suffix), NAME_MAX_BYTES - len(suffix.encode("utf-8"))
    kept: list[str] = []
    for char in stem[:chars]:
        room -= len(char.encode("utf-8"))
        if room < 0:
            break
        kept.append(char)
    return ("".join(kept).rstrip(" .") or "tep") + suffix
