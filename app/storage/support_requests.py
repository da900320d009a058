"""The support outbox: requests, attachments and timelines in SQLite.

A request is committed here, with its attachments copied into the app's
data dir, before any network call, so nothing a cashier raised is lost to
a crash, a reboot or a dead network.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.storage.db import Database
from app.storage.records import LISTED_REQUESTS
from app.storage.repositories import Clock, utc_now
from app.storage.tables import RequestAttachmentRow, RequestEventRow, SupportRequestRow, ThreadEntryRow
from app.support.models import (
    Attachment,
    AttachmentError,
    AttachmentKind,
    Category,
    Channel,
    NewRequest,
    OpenedBy,
    RequestEvent,
    RequestStatus,
    Severity,
    StatusChange,
    SupportRequest,
    TicketReceipt,
    TicketUpdate,
)
from app.support.thread_models import EntryState
from pmv_protocol.wire import TITLE_MAX, canonical_uuid

log = logging.getLogger(__name__)

E = TypeVar("E", bound=enum.Enum)
F = TypeVar("F")


def _known(kind: type[E], value: str, fallback: F) -> E | F:
    """``value`` as a member of ``kind``; ``fallback`` for a word a later server added (the list must still show
    the request)."""
    try:
        return kind(value)
    except ValueError:
        return fallback


IDS_PER_QUERY = 500  # request ids in one IN (...): far below SQLite's parameter limit on any version


@dataclass(frozen=True)
class AttachmentSource:
    """A file to attach: copied into the outbox when the request is saved."""

    path: Path
    kind: AttachmentKind
    filename: str | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


class SupportRepository:
    def __init__(self, db: Database, outbox_dir: Path, clock: Clock = utc_now) -> None:
        self._db = db
        self._outbox_dir = Path(outbox_dir)
        self._clock = clock

    @property
    def database(self) -> Database:
        return self._db

    @property
    def outbox_dir(self) -> Path:
        return self._outbox_dir

    @property
    def clock(self) -> Clock:
        return self._clock

    # -- writing -----------------------------------------------------------
    def create(
        self,
        request: NewRequest,
        *,
        coverage: str,
        response_due_at: dt.datetime | None,
        attachments: Sequence[AttachmentSource] = (),
        opened_at: dt.datetime | None = None,
        request_id: str | None = None,
    ) -> SupportRequest:
        """Save a request and copies of its attachments; one transaction.

        ``request_id`` makes the save safe to try again: a request already saved under it is returned as it is,
        not saved twice.  The form passes one id for all its tries, so a try whose commit went through but whose
        answer was lost (the read after it failed: a lock, a full disk) is not turned into a second request.
        """
        if request_id is not None:
            earlier = self.get(request_id)
            if earlier is not None:
                return earlier
        request_id = request_id or str(uuid.uuid4())
        now = self._clock()
        folder = self._outbox_dir / request_id
        folder.mkdir(parents=True, exist_ok=True)
        try:
            rows = [self._copy_in(folder, source) for source in attachments]
            with self._db.write() as session:
                session.add(SupportRequestRow(
                    id=request_id, opened_at=opened_at or now, category=request.category.value,
                    severity=request.severity.value, title=request.title, description=request.description,
                    contact_name=request.contact_name, contact_phone=request.contact_phone,
                    channel=request.channel.value, coverage=str(coverage), response_due_at=response_due_at,
                    status=RequestStatus.PENDING.value, attempts=0, next_attempt_at=now, updated_at=now,
                ))
                session.flush()
                for row in rows:
                    row.request_id = request_id
                    session.add(row)
                self._event(session, request_id, "created", {"attachments": len(rows)})
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        found = self.get(request_id)
        assert found is not None
        return found

    def add_attachments(self, request_id: str, attachments: Sequence[AttachmentSource],
                        reason: str = "added") -> SupportRequest:
        """Attach more files to a saved request (a remote-access ID, the technician's audit log).

        Copies are committed before any upload, as for a new request; the
        outbox uploads them with the request or, once it was sent, on its own.
        """
        if self.get(request_id) is None:
            raise LookupError(f"no support request {request_id}")
        folder = self._outbox_dir / request_id
        folder.mkdir(parents=True, exist_ok=True)
        rows = [self._copy_in(folder, source) for source in attachments]
        try:
            with self._db.write() as session:
                for row in rows:
                    row.request_id = request_id
                    session.add(row)
                self._event(session, request_id, "attachments_added",
                            {"files": [row.filename for row in rows], "reason": reason})
        except BaseException:
            for row in rows:
                Path(row.path).unlink(missing_ok=True)
            raise
        found = self.get(request_id)
        assert found is not None
        return found

    def _copy_in(self, folder: Path, source: AttachmentSource) -> RequestAttachmentRow:
        attachment_id = str(uuid.uuid4())
        target = folder / attachment_id
        shutil.copyfile(source.path, target)
        return RequestAttachmentRow(
            id=attachment_id, kind=source.kind.value, filename=source.filename or Path(source.path).name,
            path=str(target), size=target.stat().st_size, sha256=sha256_of(target),
        )

    def mark_sent(self, request_id: str, receipt: TicketReceipt) -> None:
        with self._db.write() as session:
            row = session.get(SupportRequestRow, request_id)
            if row is None:
                return
            row.ticket_id, row.ticket_number = receipt.id, receipt.number
            if row.status == RequestStatus.PENDING.value:
                # The server's own status ('received') when it is one we know; 'sent' otherwise.
                known = {status.value for status in RequestStatus} - {RequestStatus.PENDING.value}
                row.status = receipt.status if receipt.status in known else RequestStatus.SENT.value
            # The vendor's deadline replaces this PC's estimate, None included: the vendor, who holds the contract,
            # found the shop not covered, and the page then says "best effort, call the hotline" (pmv_protocol.wire).
            row.response_due_at = receipt.response_due_at
            row.next_attempt_at = None
            row.last_error = None
            row.updated_at = self._clock()
            self._event(session, request_id, "sent", {"number": receipt.number, "created": receipt.created})

    def mark_attempt_failed(self, request_id: str, error: str, next_attempt_at: dt.datetime) -> None:
        with self._db.write() as session:
            row = session.get(SupportRequestRow, request_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error[:500]
            row.next_attempt_at = next_attempt_at
            row.updated_at = self._clock()
            self._event(session, request_id, "attempt_failed", {"error": error[:200], "attempt": row.attempts})

    def mark_attachment_uploaded(self, attachment_id: str) -> None:
        with self._db.write() as session:
            row = session.get(RequestAttachmentRow, attachment_id)
            if row is not None:
                row.uploaded_at = self._clock()
                row.error = None

    def mark_attachment_failed(self, attachment_id: str, error: AttachmentError) -> None:
        with self._db.write() as session:
            row = session.get(RequestAttachmentRow, attachment_id)
            if row is not None:
                row.error = error.value
                self._event(session, row.request_id, "attachment_failed",
                            {"filename": row.filename, "error": error.value})

    def mark_upload_failed(self, attachment_id: str, error: str, next_attempt_at: dt.datetime) -> None:
        """A try of the file that failed for now (the server's 5xx, a 429, the network): tried again from
        ``next_attempt_at``; the file still waits, nothing is given up."""
        with self._db.write() as session:
            row = session.get(RequestAttachmentRow, attachment_id)
            if row is not None and row.uploaded_at is None and row.error is None:
                row.attempts += 1
                row.next_attempt_at = next_attempt_at
                self._event(session, row.request_id, "upload_failed",
                            {"filename": row.filename, "error": error[:200], "attempt": row.attempts})

    def mark_pending_attachments_failed(self, request_id: str, error: AttachmentError) -> list[str]:
        """Give every file of a request not yet uploaded (and not failed) ``error``; their ids.

        One transaction, so a request's files never end half marked.  The copies stay in the
        outbox: the shop loses nothing, and a technician can still take them by hand.
        """
        with self._db.write() as session:
            rows = session.scalars(select(RequestAttachmentRow).where(
                RequestAttachmentRow.request_id == request_id, RequestAttachmentRow.uploaded_at.is_(None),
                RequestAttachmentRow.error.is_(None)).order_by(RequestAttachmentRow.kind,
                                                               RequestAttachmentRow.filename)).all()
            for row in rows:
                row.error = error.value
                self._event(session, request_id, "attachment_failed", {"filename": row.filename, "error": error.value})
            return [row.id for row in rows]

    def apply_updates(self, updates: Sequence[TicketUpdate]) -> list[StatusChange]:
        """Take the vendor's status changes; returns the ones that changed something.

        A ticket the vendor's system opened for the shop (``opened_by`` system) that this PC does not know
        yet becomes a request here, keyed by the server's UUID for it, in the words the feed carries: it is
        already on the server, so it is never delivered (its status is the vendor's, never pending).
        """
        changes: list[StatusChange] = []
        with self._db.write() as session:
            for update in updates:
                row = session.get(SupportRequestRow, update.idempotency_key)
                if row is None:
                    learnt = self._learn(session, update)
                    if learnt is not None:
                        changes.append(learnt)
                    continue  # else raised from another PC of the shop, or deleted here
                old = RequestStatus(row.status)
                try:
                    new = RequestStatus(update.status)
                except ValueError:
                    continue  # a status this version does not know yet
                changed = (new != old or update.solution_text != row.solution_text)
                row.ticket_id, row.ticket_number = update.id, update.number
                row.status = new.value
                row.solution_kind, row.solution_text = update.solution_kind, update.solution_text
                row.response_due_at = update.response_due_at  # the vendor's, None included (as at mark_sent)
                row.next_attempt_at = None
                if changed:
                    row.updated_at = self._clock()
                    self._event(session, row.id, "status", {"status": new.value, "solution": update.solution_text})
                    changes.append(StatusChange(row.id, row.title, row.ticket_number, old, new, update.solution_text))
        return changes

    def _learn(self, session: Session, update: TicketUpdate) -> StatusChange | None:
        """A ticket the vendor's system opened for the shop, stored as a request of this PC (None: not one)."""
        opened = update.opened_for_shop
        if update.opened_by != OpenedBy.SYSTEM or opened is None:
            return None
        if canonical_uuid(update.idempotency_key) != update.idempotency_key:
            log.warning("system ticket %s has no usable key %r; not listed", update.number, update.idempotency_key)
            return None
        try:
            status = RequestStatus(update.status)
        except ValueError:
            status = RequestStatus.SENT  # the server has it, with a status this version does not know
        now = self._clock()
        session.add(SupportRequestRow(
            id=update.idempotency_key, opened_at=opened.opened_at, category=_known(Category, opened.category,
                                                                                   Category.INCIDENT).value,
            severity=_known(Severity, opened.severity, Severity.NORMAL).value, title=opened.title[:TITLE_MAX],
            description=opened.description, contact_name="", contact_phone="", channel=Channel.PHONE.value,
            coverage=opened.coverage, response_due_at=update.response_due_at, status=status.value, attempts=0,
            next_attempt_at=None, updated_at=now, ticket_id=update.id, ticket_number=update.number,
            solution_kind=update.solution_kind, solution_text=update.solution_text,
            opened_by=OpenedBy.SYSTEM.value))
        session.flush()
        self._event(session, update.idempotency_key, "learnt", {"number": update.number, "check": opened.check_id})
        if not status.is_open:
            return None  # closed before this PC heard of it: listed, not announced
        return StatusChange(update.idempotency_key, opened.title, update.number, status, status,
                            update.solution_text, system_opened=True)

    # -- reading -----------------------------------------------------------
    def get(self, request_id: str) -> SupportRequest | None:
        with self._db.read() as session:
            row = session.get(SupportRequestRow, request_id)
            return None if row is None else self._requests(session, [row])[0]

    def all(self, limit: int = LISTED_REQUESTS) -> list[SupportRequest]:
        with self._db.read() as session:
            rows = session.scalars(
                select(SupportRequestRow).order_by(SupportRequestRow.opened_at.desc()).limit(limit))
            return self._requests(session, list(rows))

    def due_for_delivery(self, now: dt.datetime) -> list[SupportRequest]:
        """Pending requests whose next attempt is due, oldest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(SupportRequestRow)
                .where(SupportRequestRow.status == RequestStatus.PENDING.value)
                .where(or_(SupportRequestRow.next_attempt_at.is_(None), SupportRequestRow.next_attempt_at <= now))
                .order_by(SupportRequestRow.opened_at)
            )
            return self._requests(session, list(rows))

    def with_pending_uploads(self) -> list[SupportRequest]:
        """Sent requests with attachments still to upload (resumed per file), oldest first."""
        with self._db.read() as session:
            ids = session.scalars(
                select(RequestAttachmentRow.request_id)
                .where(RequestAttachmentRow.uploaded_at.is_(None), RequestAttachmentRow.error.is_(None))
                .distinct()
            ).all()
            rows = [row for request_id in ids
                    if (row := session.get(SupportRequestRow, request_id)) is not None and row.ticket_id is not None]
            return self._requests(session, sorted(rows, key=lambda row: (row.opened_at, row.id)))

    def pending_count(self) -> int:
        with self._db.read() as session:
            return len(session.scalars(select(SupportRequestRow.id).where(
                SupportRequestRow.status == RequestStatus.PENDING.value)).all())

    def waiting_count(self) -> int:
        """Requests the vendor has and has not yet resolved: the ones whose status can still change."""
        waiting = [s.value for s in RequestStatus if s.is_open and s is not RequestStatus.PENDING]
        with self._db.read() as session:
            return len(session.scalars(select(SupportRequestRow.id).where(
                SupportRequestRow.status.in_(waiting))).all())

    def next_delivery_at(self) -> dt.datetime | None:
        """When the outbox next has work: the earliest retry of a pending request or conversation act (now for a
        fresh one or an upload left to resume), None when nothing waits to go out."""
        now = self._clock()
        with self._db.read() as session:
            pending = list(session.scalars(select(SupportRequestRow.next_attempt_at).where(
                SupportRequestRow.status == RequestStatus.PENDING.value)).all())
            # A file waits its own retry time: a file the server keeps refusing made this "now" for good, and the
            # tray ran the outbox (and uploaded it whole) every 30 s.
            pending += session.scalars(
                select(RequestAttachmentRow.next_attempt_at)
                .join(SupportRequestRow, SupportRequestRow.id == RequestAttachmentRow.request_id)
                .where(RequestAttachmentRow.uploaded_at.is_(None), RequestAttachmentRow.error.is_(None),
                       SupportRequestRow.ticket_id.is_not(None))).all()
            # The conversation's acts (replies, decisions, ratings…) wait in the outbox too, once their
            # request has a ticket; the outbox sends them after the requests.
            # Only each request's oldest act counts: the later ones wait behind it.
            first: dict[str, dt.datetime | None] = {}
            for request_id, at in session.execute(
                    select(ThreadEntryRow.request_id, ThreadEntryRow.next_attempt_at)
                    .join(SupportRequestRow, SupportRequestRow.id == ThreadEntryRow.request_id)
                    .where(ThreadEntryRow.state == EntryState.PENDING.value,
                           SupportRequestRow.ticket_id.is_not(None)).order_by(ThreadEntryRow.seq)):
                first.setdefault(request_id, at)
            pending += first.values()
        if not pending:
            return None
        return min((now if at is None else at) for at in pending)

    def events(self, request_id: str) -> list[RequestEvent]:
        with self._db.read() as session:
            rows = session.scalars(select(RequestEventRow).where(RequestEventRow.request_id == request_id)
                                   .order_by(RequestEventRow.at, RequestEventRow.id))
            return [RequestEvent(row.at, row.kind, json.loads(row.detail)) for row in rows]

    # -- helpers -----------------------------------------------------------
    def _event(self, session: Session, request_id: str, kind: str, detail: dict[str, Any]) -> None:
        session.add(RequestEventRow(request_id=request_id, at=self._clock(), kind=kind,
                                    detail=json.dumps(detail, ensure_ascii=False, default=str)))

    @staticmethod
    def _requests(session: Session, rows: list[SupportRequestRow]) -> list[SupportRequest]:
        """The rows as requests, their attachments read in one query (the page lists 200: one query each
        was most of its load time)."""
        attachments: dict[str, list[RequestAttachmentRow]] = {row.id: [] for row in rows}
        ids = list(attachments)
        for start in range(0, len(ids), IDS_PER_QUERY):  # the outbox may hold thousands: SQLite caps parameters
            for attachment in session.scalars(
                    select(RequestAttachmentRow)
                    .where(RequestAttachmentRow.request_id.in_(ids[start:start + IDS_PER_QUERY]))
                    .order_by(RequestAttachmentRow.kind, RequestAttachmentRow.filename)):
                attachments[attachment.request_id].append(attachment)
        return [SupportRepository._request(row, attachments[row.id]) for row in rows]

    @staticmethod
    def _request(row: SupportRequestRow, attachments: list[RequestAttachmentRow]) -> SupportRequest:
        return SupportRequest(
            id=row.id, opened_at=row.opened_at, category=Category(row.category), severity=Severity(row.severity),
            title=row.title, description=row.description, contact_name=row.contact_name,
            contact_phone=row.contact_phone, channel=Channel(row.channel), coverage=row.coverage,
            response_due_at=row.response_due_at, status=RequestStatus(row.status), ticket_id=row.ticket_id,
            ticket_number=row.ticket_number,
            # A way of solving a later server added is no kind here: the solution's text is still shown.
            solution_kind=_known(Channel, row.solution_kind, None) if row.solution_kind else None,
            solution_text=row.solution_text, attempts=row.attempts, next_attempt_at=row.next_attempt_at,
            last_error=row.last_error, updated_at=row.updated_at,
            opened_by=_known(OpenedBy, row.opened_by, OpenedBy.SHOP),
            attachments=tuple(
                Attachment(a.id, AttachmentKind(a.kind), a.filename, a.path, a.size, a.sha256, a.uploaded_at,
                           AttachmentError(a.error) if a.error else None, a.attempts, a.next_attempt_at)
                for a in attachments
            ),
        )
