"""Delivering the outbox: tickets first, then their attachments, with backoff.

Each request carries its UUID as the Idempotency-Key and each attachment its
own client id, so any retry (after a timeout, a dropped connection, a 500
after the server committed, a killed process) finds the same ticket and the
same files on the server instead of making new ones.

A ticket can also disappear from the server (deleted by staff, a server
restored from an older backup, the till given another shop's token).  Its
files are then marked ``ticket_gone`` and the run goes on, so one lost
ticket never holds back the files of later requests.  A file the server
fails for now (a 5xx, a 429 from a proxy) waits its own backoff, so it is
not sent whole on every run, and the next request's files go on.

Then the conversations: each request's pending acts (replies, decisions,
visit answers, ratings, reopenings) in the order they were made, once the
request has its ticket.  A reply's files go up first, as the ticket's
attachments with their own client ids, then the message naming them; every
act carries its own UUID as the Idempotency-Key.  An act the server refuses
(409: the ticket's state; 422: the body) is marked refused with the server's
reason and never sent again; a network failure or a 5xx leaves it (and the
request's later acts, which must not overtake it) for the next run, with
the same backoff as requests.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.storage.repositories import ActivityRepository, utc_now
from app.storage.support_requests import SupportRepository, sha256_of
from app.storage.support_thread import PendingActs, ThreadRepository
from app.support.models import Attachment, AttachmentError, StatusChange, SupportRequest
from app.support.thread_models import Author, EventKind, FileState, ThreadEntry
from app.support.vendor_api import ApiFailure, VendorApiError, VendorClient
from pmv_protocol.shop_time import shop_time
from pmv_protocol.thread import (
    ActReceipt,
    Decision,
    NewDecision,
    NewMessage,
    NewRating,
    NewReopen,
    NewVisitAnswer,
    TicketUpdate,
    VisitAnswer,
)
from pmv_protocol.ticket_flow import Refusal

log = logging.getLogger(__name__)

BACKOFF_BASE = dt.timedelta(seconds=10)
FILES_MISSING_RETRIES = 3  # a message the server says lacks its files is uploaded again this often, then refused
BACKOFF_CAP = dt.timedelta(minutes=15)
# A file is sent whole each try (a bundle is up to 10 MB, on a shop's 4G line): one the server keeps failing is
# tried at most every two hours, not every quarter of an hour.
UPLOAD_BACKOFF_CAP = dt.timedelta(hours=2)
# What a vendor's answer to one file means for good (RFC 9110): 400 malformed, 409 the ticket is full, 415 not a
# form upload, 422 a checksum or id that does not match; 413 is TOO_LARGE.  Any other refusal (408 Request Timeout,
# 425, 429 Too Many Requests: a proxy or CDN in front of the vendor) is for now: the file waits and is tried again.
FINAL_UPLOAD_STATUSES = frozenset({400, 409, 415, 422})
POLL_STATE_KEY = "support.updated_since"
POLL_OVERLAP = dt.timedelta(minutes=2)  # far longer than a staff act's transaction; the re-sent changes cost little


def backoff_delay(attempts: int, rng: random.Random, cap: dt.timedelta = BACKOFF_CAP) -> dt.timedelta:
    """Exponential backoff with 'equal jitter': between half and all of base * 2^n, capped.

    Half is fixed so a retry never comes back instantly; half is random so
    the shops that lost the server together do not all return together.
    """
    ceiling = min(cap, BACKOFF_BASE * (2 ** min(attempts, 20)))
    return ceiling / 2 + ceiling / 2 * rng.random()


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # request ids that reached the server now
    failed: list[tuple[str, ApiFailure]] = field(default_factory=list)
    uploaded: int = 0
    attachment_errors: list[tuple[str, AttachmentError]] = field(default_factory=list)
    # The conversations' acts (entry ids): on the server now, refused for good (with the reason), to try again.
    acts_sent: list[str] = field(default_factory=list)
    acts_refused: list[tuple[str, str]] = field(default_factory=list)
    acts_failed: list[tuple[str, ApiFailure]] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return any(kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT) for _id, kind in [*self.failed, *self.acts_failed])


class Outbox:
    """Sends what is due; safe to call from any thread, one run at a time per process."""

    def __init__(
        self,
        repo: SupportRepository,
        client_factory: Callable[[], VendorClient],
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        rng: random.Random | None = None,
        thread: ThreadRepository | None = None,
    ) -> None:
        self._repo = repo
        self._client_factory = client_factory
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        # The conversations live in the same database and outbox folder as the requests.
        self._thread = thread or ThreadRepository(repo.database, repo.outbox_dir, clock=repo.clock)
        self._activity = ActivityRepository(repo.database, clock=repo.clock)  # the overview's recent activity

    def deliver(self, cancel: threading.Event | None = None, *, ignore_backoff: bool = False) -> DeliveryReport:
        report = DeliveryReport()
        with self._lock:
            client = self._client_factory()
            now = self._clock()
            due = self._repo.due_for_delivery(dt.datetime.max.replace(tzinfo=dt.UTC) if ignore_backoff else now)
            for request in due:
                if cancel is not None and cancel.is_set():
                    break
                try:
                    receipt = client.create_ticket(request)
                except VendorApiError as exc:
                    delay = backoff_delay(request.attempts, self._rng)
                    self._repo.mark_attempt_failed(request.id, str(exc), self._clock() + delay)
                    report.failed.append((request.id, exc.kind))
                    log.warning("request %s not delivered (%s); next try in %s", request.id, exc.kind.value, delay)
                    if exc.kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT, ApiFailure.NOT_CONFIGURED):
                        # Whatever failed this one would fail the rest: mark them too and stop.
                        for other in due[due.index(request) + 1:]:
                            self._repo.mark_attempt_failed(
                                other.id, str(exc), self._clock() + backoff_delay(other.attempts, self._rng))
                            report.failed.append((other.id, exc.kind))
                        break
                    continue
                self._repo.mark_sent(request.id, receipt)
                report.sent.append(request.id)
                self._activity.note("support", "sent", number=receipt.number)
                log.info("request %s delivered as %s (new=%s)", request.id, receipt.number, receipt.created)
            self._upload_attachments(client, report, cancel,
                                     dt.datetime.max.replace(tzinfo=dt.UTC) if ignore_backoff else now)
            if not report.offline:  # what stopped the requests would stop the acts the same way
                self._deliver_acts(client, report, cancel, now, ignore_backoff)
        return report

    # -- the conversations ---------------------------------------------------------------------------
    def _deliver_acts(self, client: VendorClient, report: DeliveryReport, cancel: threading.Event | None,
                      now: dt.datetime, ignore_backoff: bool) -> None:
        due_by = dt.datetime.max.replace(tzinfo=dt.UTC) if ignore_backoff else now
        for group in self._thread.pending_acts(due_by):
            for entry in group.entries:
                if cancel is not None and cancel.is_set():
                    return
                step = self._send_act(client, group, entry, report)
                if step is _Next.STOP:
                    return
                if step is _Next.REQUEST:
                    break  # the request's later acts wait: they must not overtake this one

    def _send_act(self, client: VendorClient, group: PendingActs, entry: ThreadEntry,
                  report: DeliveryReport) -> _Next:
        try:
            if entry.kind == EventKind.MESSAGE:
                refused = self._upload_message_files(client, group.ticket_id, entry)
                if refused is not None:
                    problem, file_errors = refused
                    return self._refuse_act(entry, problem, report, file_errors)
            receipt = _post_act(client, group.ticket_id, entry)
        except VendorApiError as exc:
            files_lost = exc.refusal == Refusal.FILES_MISSING and entry.attempts < FILES_MISSING_RETRIES
            if files_lost:
                # The server no longer has files it once stored (restored from a backup): upload them again.
                self._thread.mark_files_to_upload(entry.id)
            elif exc.refused or exc.status == 410:
                return self._refuse_act(entry, exc.refusal or ("ticket_gone" if exc.status == 410 else exc.detail)
                                        or exc.kind.value, report)
            delay = backoff_delay(entry.attempts, self._rng)
            self._thread.mark_act_failed(entry.id, str(exc), self._clock() + delay)
            report.acts_failed.append((entry.id, exc.kind))
            log.warning("act %s (%s) of request %s not delivered (%s); next try in %s", entry.id, entry.kind,
                        group.request_id, exc.kind.value, delay)
            if exc.kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT, ApiFailure.NOT_CONFIGURED, ApiFailure.UNAUTHORIZED):
                return _Next.STOP  # whatever failed this act would fail every other one
            return _Next.REQUEST
        self._thread.mark_act_sent(entry.id, receipt)
        report.acts_sent.append(entry.id)
        log.info("act %s (%s) of request %s delivered as event %s (new=%s)", entry.id, entry.kind,
                 group.request_id, receipt.event.id, receipt.created)
        return _Next.FILE

    def _upload_message_files(self, client: VendorClient, ticket_id: int,
                              entry: ThreadEntry) -> tuple[str, dict[str, str]] | None:
        """Upload the message's files not yet up (resumed per file); (why, file errors) if the message cannot go."""
        for file in entry.files:
            if file.state != FileState.TO_UPLOAD:
                continue
            path = Path(file.local_path or "")
            if not file.local_path or not path.is_file():
                return AttachmentError.MISSING.value, {file.id: AttachmentError.MISSING.value}
            if sha256_of(path) != file.sha256:
                return AttachmentError.TAMPERED.value, {file.id: AttachmentError.TAMPERED.value}
            try:
                client.upload_attachment(ticket_id, file.id, path, file.filename, file.sha256)
            except VendorApiError as exc:
                if exc.kind is ApiFailure.TOO_LARGE:
                    return AttachmentError.TOO_LARGE.value, {file.id: AttachmentError.TOO_LARGE.value}
                if exc.status == 422:
                    return AttachmentError.REJECTED.value, {file.id: AttachmentError.REJECTED.value}
                raise
            self._thread.mark_file_uploaded(file.id)
        return None

    def _refuse_act(self, entry: ThreadEntry, why: str, report: DeliveryReport,
                    file_errors: dict[str, str] | None = None) -> _Next:
        self._thread.mark_act_refused(entry.id, why, file_errors)
        report.acts_refused.append((entry.id, why))
        log.warning("act %s (%s) of request %s refused: %s; it will not be sent again", entry.id, entry.kind,
                    entry.request_id, why)
        return _Next.FILE  # the request's next act goes on: the server judges each on its own

    def _upload_attachments(self, client: VendorClient, report: DeliveryReport,
                            cancel: threading.Event | None, due_by: dt.datetime) -> None:
        def due(attachment: Attachment) -> bool:
            return (attachment.uploaded_at is None and attachment.error is None
                    and (attachment.next_attempt_at is None or attachment.next_attempt_at <= due_by))

        pending = [request for request in self._repo.with_pending_uploads()
                   if any(due(attachment) for attachment in request.attachments)]
        if not pending:
            return  # files waiting their retry time: not even the ticket list is asked for
        try:
            listed: dict[int, str] | None = _listed_tickets(client)
        except VendorApiError as exc:
            if exc.kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT):
                return  # the uploads would fail the same way: resume next run
            listed = None  # go on without the check; a 404 then proves nothing (see _ticket_missing)
        for request in pending:
            assert request.ticket_id is not None
            if listed is not None and listed.get(request.ticket_id, request.id) != request.id:
                # The id now names another of the shop's tickets (a server restored from an older
                # backup hands ids out again): uploading would attach these files to the wrong request.
                self._mark_gone(request, report, "its ticket id now names another ticket")
                continue
            for attachment in request.attachments:
                if not due(attachment):
                    continue
                if cancel is not None and cancel.is_set():
                    return
                step = self._upload(client, request, attachment, report, listed)
                if step is _Next.STOP:
                    return
                if step is _Next.REQUEST:
                    break

    def _upload(self, client: VendorClient, request: SupportRequest, attachment: Attachment,
                report: DeliveryReport, listed: dict[int, str] | None) -> _Next:
        assert request.ticket_id is not None
        path = Path(attachment.path)
        problem = None
        if not path.exists():
            problem = AttachmentError.MISSING
        elif sha256_of(path) != attachment.sha256:
            problem = AttachmentError.TAMPERED  # changed on disk since it was attached
        if problem is None:
            try:
                client.upload_attachment(request.ticket_id, attachment.id, path, attachment.filename,
                                         attachment.sha256)
            except VendorApiError as exc:
                if exc.kind is ApiFailure.NOT_FOUND or exc.status == 410:
                    return self._ticket_missing(request, attachment, exc, report, listed)
                if exc.kind is ApiFailure.TOO_LARGE:
                    problem = AttachmentError.TOO_LARGE
                elif exc.kind is ApiFailure.BAD_RESPONSE and exc.status in FINAL_UPLOAD_STATUSES:
                    problem = AttachmentError.REJECTED  # the vendor refused this file
                else:
                    return self._upload_failed(attachment, exc, report)
            else:
                self._repo.mark_attachment_uploaded(attachment.id)
                report.uploaded += 1
                return _Next.FILE
        self._repo.mark_attachment_failed(attachment.id, problem)
        report.attachment_errors.append((attachment.id, problem))
        return _Next.FILE

    def _upload_failed(self, attachment: Attachment, exc: VendorApiError, report: DeliveryReport) -> _Next:
        """A failure for now: the file is not known to be stored, so it waits its own backoff.

        Without one, a file the server kept failing was sent whole on every run and, being the oldest, held back
        every later request's files.  Network trouble, the token, or an answer that is not the vendor's (a captive
        portal) would fail the next file the same way: the run stops.  Else the next request's files go on.
        """
        delay = backoff_delay(attachment.attempts, self._rng, UPLOAD_BACKOFF_CAP)
        self._repo.mark_upload_failed(attachment.id, str(exc), self._clock() + delay)
        log.warning("file %s not uploaded (%s %s); next try in %s", attachment.id, exc.kind.value, exc.status, delay)
        if exc.kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT, ApiFailure.NOT_CONFIGURED, ApiFailure.UNAUTHORIZED) \
                or exc.status is None:
            return _Next.STOP
        return _Next.REQUEST

    def _ticket_missing(self, request: SupportRequest, attachment: Attachment, exc: VendorApiError,
                        report: DeliveryReport, listed: dict[int, str] | None) -> _Next:
        """A 404/410 on an upload: the request's files are marked if its ticket is gone; the run goes on."""
        # 410 says "gone" by itself.  A 404 also comes from a wrong address or a proxy in the way,
        # so it counts only when the server's own list of this shop's tickets lacks the ticket.
        if exc.status == 410 or (listed is not None and request.ticket_id not in listed):
            self._mark_gone(request, report, str(exc))
            return _Next.REQUEST
        log.warning("request %s: file refused (%s) though its ticket may still be there", request.id, exc)
        # Not known to be gone: the file waits its backoff, as for any failure for now (it was sent whole on
        # every run, next delivery being "now" while it waited).
        self._upload_failed(attachment, exc, report)
        return _Next.REQUEST

    def _mark_gone(self, request: SupportRequest, report: DeliveryReport, why: str) -> None:
        failed = self._repo.mark_pending_attachments_failed(request.id, AttachmentError.TICKET_GONE)
        report.attachment_errors += [(attachment_id, AttachmentError.TICKET_GONE) for attachment_id in failed]
        log.warning("request %s: ticket %s is no longer on the server (%s); %d file(s) will not be sent",
                    request.id, request.ticket_number, why, len(failed))


class _Next(enum.Enum):
    """What the upload loop does after one file."""

    FILE = "file"  # the request's next file
    REQUEST = "request"  # the next request: this one is done for this run
    STOP = "stop"  # end the run, resume from this file next time


def _listed_tickets(client: VendorClient) -> dict[int, str]:
    """The shop's tickets as the server lists them now: ticket id -> the request id (Idempotency-Key)."""
    updates, _server_time = client.tickets_since(None)
    return {update.id: update.idempotency_key for update in updates}


class StateStore(Protocol):
    """The part of StateRepository that polling needs."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


def _post_act(client: VendorClient, ticket_id: int, entry: ThreadEntry) -> ActReceipt:
    """POST the act ``entry`` stands for.  Built without validation, as the ticket body is: the server is the
    judge (the service already checked what a cashier can fix), and its 422 says why."""
    name, at, kind = entry.author_name, shop_time(entry.at), entry.kind
    if kind == EventKind.MESSAGE:
        return client.post_act(ticket_id, entry.id, NewMessage.model_construct(
            author_name=name, at=at, text=entry.text or "", attachment_ids=tuple(file.id for file in entry.files)))
    if kind in (EventKind.ACCEPTED, EventKind.REFUSED):
        decision = Decision.ACCEPT if kind == EventKind.ACCEPTED else Decision.REFUSE
        return client.post_act(ticket_id, entry.id, NewDecision.model_construct(
            author_name=name, at=at, decision=decision, reason=entry.text or ""))
    if kind in (EventKind.VISIT_CONFIRMED, EventKind.VISIT_RESCHEDULE):
        answer = VisitAnswer.CONFIRM if kind == EventKind.VISIT_CONFIRMED else VisitAnswer.RESCHEDULE
        return client.post_act(ticket_id, entry.id, NewVisitAnswer.model_construct(
            author_name=name, at=at, visit_id=entry.visit_id, answer=answer, note=entry.text or ""))
    if kind == EventKind.RATED:
        return client.post_act(ticket_id, entry.id, NewRating.model_construct(
            author_name=name, at=at, stars=entry.stars, comment=entry.text or ""))
    if kind == EventKind.REOPENED:
        return client.post_act(ticket_id, entry.id, NewReopen.model_construct(
            author_name=name, at=at, reason=entry.text or ""))
    raise VendorApiError(ApiFailure.BAD_RESPONSE, f"the shop cannot send an act of kind {kind}", 422)


# The events that move a ticket: when the newest of a ticket's is the shop's own, the status change the poll
# finds is the shop's doing (an act delivered by a run whose answer was lost), not news to announce.
_MOVES = {EventKind.STATUS, EventKind.PROPOSED, EventKind.ACCEPTED, EventKind.REFUSED, EventKind.VISIT_CONFIRMED,
          EventKind.REOPENED, EventKind.CLOSED}


def _moved_by_the_shop(update: TicketUpdate) -> bool:
    moves = [event for event in update.events if event.kind in _MOVES]
    return bool(moves) and max(moves, key=lambda event: event.id).author == Author.SHOP


def poll_updates(repo: SupportRepository, client: VendorClient, state: StateStore,
                 thread: ThreadRepository | None = None) -> list[StatusChange]:
    """Fetch what changed since the last poll and apply it (statuses, and the conversations' new steps and
    state); returns the status changes to announce."""
    since_text = state.get(POLL_STATE_KEY)
    since = dt.datetime.fromisoformat(since_text) if since_text else None
    # Asked from a little before the cursor: the server stamps a change when its transaction starts, so one stamped
    # earlier can commit after a later one this PC has already seen. What comes twice is applied once (by ids).
    updates, server_time = client.tickets_since(since - POLL_OVERLAP if since is not None else None)
    thread = thread or ThreadRepository(repo.database, repo.outbox_dir, clock=repo.clock)
    # First the requests (a ticket the vendor's system opened for the shop becomes one here), then the earlier
    # timeline of any this PC has not followed yet (such a ticket included), then the new steps.
    changes = repo.apply_updates(updates)
    if since is not None:
        _fetch_history(client, thread, updates)
    thread.apply_updates(updates)
    ours = {update.idempotency_key for update in updates if _moved_by_the_shop(update)}
    changes = [change for change in changes if change.request_id not in ours]
    newest = max([u.updated_at for u in updates], default=None)
    # Next time ask from the newest change seen (or the server's clock): never
    # from our own clock, which on a till PC may be minutes off.
    mark = newest or server_time
    if mark is not None and (since is None or mark > since):
        state.set(POLL_STATE_KEY, mark.isoformat())
    return changes


def _fetch_history(client: VendorClient, thread: ThreadRepository, updates: Sequence[TicketUpdate]) -> None:
    """The earlier timeline of requests whose conversation this PC has not followed yet (a request raised
    before this version): the feed only carries what is new since the last poll.

    Every step the feed carries counts as new, those of the poll's overlap included: a step stamped before the
    cursor may have committed after the last poll (the race the overlap is for), and announcing an old step once
    more is better than never announcing a new one."""
    unfollowed = thread.unfollowed(update.idempotency_key for update in updates)
    for update in updates:
        if update.idempotency_key not in unfollowed:
            continue
        new_ids = {event.id for event in update.events}
        try:
            earlier = [event for event in client.get_events(update.id) if event.id not in new_ids]
        except VendorApiError as exc:  # an older server without the conversation: nothing earlier to show
            log.info("no earlier timeline for ticket %s: %s", update.number, exc)
            continue
        thread.apply_history(update.idempotency_key, earlier)
