"""Delivering the outbox: tickets first, then their attachments, with backoff.

Each request carries its UUID as the Idempotency-Key and each attachment its
own client id, so any retry (after a timeout, a dropped connection, a 500
after the server committed, a killed process) finds the same ticket and the
same files on the server instead of making new ones.

A ticket can also disappear from the server (deleted by staff, a server
restored from an older backup, the till given another shop's token).  Its
files are then marked ``ticket_gone`` and the run goes on, so one lost
ticket never holds back the files of later requests.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.storage.repositories import utc_now
from app.storage.support_requests import SupportRepository, sha256_of
from app.support.models import Attachment, AttachmentError, StatusChange, SupportRequest
from app.support.vendor_api import ApiFailure, VendorApiError, VendorClient

log = logging.getLogger(__name__)

BACKOFF_BASE = dt.timedelta(seconds=10)
BACKOFF_CAP = dt.timedelta(minutes=15)
POLL_STATE_KEY = "support.updated_since"


def backoff_delay(attempts: int, rng: random.Random) -> dt.timedelta:
    """Exponential backoff with 'equal jitter': between half and all of base * 2^n, capped.

    Half is fixed so a retry never comes back instantly; half is random so
    the shops that lost the server together do not all return together.
    """
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(attempts, 20)))
    return ceiling / 2 + ceiling / 2 * rng.random()


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # request ids that reached the server now
    failed: list[tuple[str, ApiFailure]] = field(default_factory=list)
    uploaded: int = 0
    attachment_errors: list[tuple[str, AttachmentError]] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return any(kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT) for _id, kind in self.failed)


class Outbox:
    """Sends what is due; safe to call from any thread, one run at a time per process."""

    def __init__(
        self,
        repo: SupportRepository,
        client_factory: Callable[[], VendorClient],
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self._repo = repo
        self._client_factory = client_factory
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

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
                log.info("request %s delivered as %s (new=%s)", request.id, receipt.number, receipt.created)
            self._upload_attachments(client, report, cancel)
        return report

    def _upload_attachments(self, client: VendorClient, report: DeliveryReport,
                            cancel: threading.Event | None) -> None:
        pending = self._repo.with_pending_uploads()
        if not pending:
            return
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
                if attachment.uploaded_at is not None or attachment.error is not None:
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
                    return self._ticket_missing(request, exc, report, listed)
                if exc.kind is ApiFailure.TOO_LARGE:
                    problem = AttachmentError.TOO_LARGE
                elif exc.kind is ApiFailure.BAD_RESPONSE:
                    problem = AttachmentError.REJECTED
                else:
                    return _Next.STOP  # network trouble: resume from this file next run
            else:
                self._repo.mark_attachment_uploaded(attachment.id)
                report.uploaded += 1
                return _Next.FILE
        self._repo.mark_attachment_failed(attachment.id, problem)
        report.attachment_errors.append((attachment.id, problem))
        return _Next.FILE

    def _ticket_missing(self, request: SupportRequest, exc: VendorApiError, report: DeliveryReport,
                        listed: dict[int, str] | None) -> _Next:
        """A 404/410 on an upload: the request's files are marked if its ticket is gone; the run goes on."""
        # 410 says "gone" by itself.  A 404 also comes from a wrong address or a proxy in the way,
        # so it counts only when the server's own list of this shop's tickets lacks the ticket.
        if exc.status == 410 or (listed is not None and request.ticket_id not in listed):
            self._mark_gone(request, report, str(exc))
        else:
            log.warning("request %s: file refused (%s) though its ticket may still be there; next run tries again",
                        request.id, exc)
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


def poll_updates(repo: SupportRepository, client: VendorClient, state: StateStore) -> list[StatusChange]:
    """Fetch status changes since the last poll and apply them; returns what changed."""
    since_text = state.get(POLL_STATE_KEY)
    since = dt.datetime.fromisoformat(since_text) if since_text else None
    updates, server_time = client.tickets_since(since)
    changes = repo.apply_updates(updates)
    newest = max([u.updated_at for u in updates], default=None)
    # Next time ask from the newest change seen (or the server's clock): never
    # from our own clock, which on a till PC may be minutes off.
    mark = newest or server_time
    if mark is not None and (since is None or mark > since):
        state.set(POLL_STATE_KEY, mark.isoformat())
    return changes
