"""The conversations of the shop's requests as the GUI sees them: unread counts, the cashier's acts, files.

Every act (a reply, a decision, a visit answer, a rating, a reopening) is
saved by :class:`app.support.conversation.ConversationService` in a worker
and shown at once as pending; then the outbox tries to deliver it, as a job
of its own, so a slow line never holds what the cashier sees.  If the vendor
cannot be reached the background agent delivers it later, exactly once.

Vendor entries are marked read only when the view asks (``load(…, seen=True)``:
the cashier is looking at the request), never by a reload in the background.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from app.runtime import Runtime
from app.support.api_failure import ApiFailure
from app.support.models import RequestEvent
from app.support.thread_models import Conversation, EventKind, ThreadEntry, UpcomingVisit
from app.ui.feature_state import FeatureState
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.support.outbox import DeliveryReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """What the detail view shows of one request: its conversation and its delivery steps on this PC.

    ``marked_read``: the vendor entries it shows as new were marked read as it was read (the cashier looks)."""

    request_id: str
    conversation: Conversation | None
    events: list[RequestEvent]
    marked_read: bool = False


@dataclass(frozen=True)
class ActFailed:
    """An act that was not saved (nothing of it was): on which request, which kind, and why."""

    request_id: str
    kind: EventKind
    error: BaseException


@dataclass(frozen=True)
class Delivered:
    """What the delivery run that followed an act did with it: sent, refused for good (``refusal``: the server's
    reason code), or left for the agent (``failure``: why not now); none of them if the run did not reach it."""

    entry: ThreadEntry
    sent: bool = False
    refusal: str | None = None
    failure: ApiFailure | None = None


def delivery_outcome(entry: ThreadEntry, report: DeliveryReport) -> Delivered:
    """What ``report`` (the outbox run after ``entry`` was saved) says of it."""
    if entry.id in report.acts_sent:
        return Delivered(entry, sent=True)
    refusal = next((why for entry_id, why in report.acts_refused if entry_id == entry.id), None)
    failure = next((kind for entry_id, kind in report.acts_failed if entry_id == entry.id), None)
    if failure is None and report.offline:  # the run stopped at the requests: the acts were not tried
        failure = next(kind for _id, kind in [*report.failed, *report.acts_failed]
                       if kind in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT))
    return Delivered(entry, refusal=refusal, failure=failure)


class ConversationState(FeatureState):
    """Loads one request's conversation at a time and carries out the cashier's acts in workers.

    Signals:
        loaded(object): a :class:`Loaded` for the request asked for with :meth:`load`.
        unread_changed(int): vendor entries not read yet, across all requests.
        act_saved(object): the :class:`ThreadEntry` the cashier just made, saved here and pending; delivery follows.
        act_failed(object): an :class:`ActFailed`: the act was not saved (the service's refusal or input problem,
            the database, a file).
        act_delivered(object): a :class:`Delivered`, once the delivery run after a saved act is over.
        file_ready(object): the :class:`Path` of a verified download (or the shop's own copy), to open.
        file_failed(object): the exception that stopped a download.
        new_entries(object): vendor entries that have not been announced yet (list of :class:`ThreadEntry`).
        reminders_due(object): list of (:class:`UpcomingVisit`, kind) for the visit reminders now due.
        visits_changed(object): the confirmed visits still to come (list of :class:`UpcomingVisit`).
    """

    loaded = Signal(object)
    unread_changed = Signal(int)
    act_saved = Signal(object)
    act_failed = Signal(object)
    act_delivered = Signal(object)
    file_ready = Signal(object)
    file_failed = Signal(object)
    new_entries = Signal(object)
    reminders_due = Signal(object)
    visits_changed = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(runtime, runner, parent)
        self.current: str | None = None  # the request whose conversation is shown
        # Reads run side by side in the pool and may finish out of order: each is numbered, and one older than
        # the read last shown is dropped (its snapshot predates what is on screen, e.g. a reply just saved).
        self._reads_started = 0
        self._read_shown = 0
        self.unread = 0
        self.unread_by_request: dict[str, int] = {}
        self.visits: list[UpcomingVisit] = []

    def now(self) -> dt.datetime:
        return self._runtime.clock()

    # -- reading ---------------------------------------------------------------
    def load(self, request_id: str | None, *, seen: bool = False) -> None:
        """Read ``request_id``'s conversation; ``seen``: the cashier is looking at it now, so its vendor entries
        are marked read (they are still shown as new this time, as they were when the cashier looked)."""
        self.current = request_id
        if request_id is None:
            return
        runtime = self._runtime
        self._reads_started += 1
        number = self._reads_started

        def job() -> Loaded:
            conversation = runtime.conversation.conversation(request_id)
            marked = seen and conversation is not None and conversation.unread > 0
            if marked:
                runtime.conversation.mark_read(request_id)
            return Loaded(request_id, conversation, runtime.support.events(request_id), marked)

        self._runner.run(job, on_success=lambda loaded: self._loaded(loaded, number), on_failure=lambda exc: log.error(
            "cannot read the conversation of %s: %s", request_id, exc), context=self)

    def reload(self, request_id: str) -> None:
        """Read ``request_id``'s conversation again if it is the one shown (an act's outcome, a download)."""
        if request_id == self.current:
            self.load(request_id)

    def _loaded(self, loaded: Loaded, number: int) -> None:
        if loaded.marked_read:
            self.refresh_unread()  # even if another request was picked meanwhile: the counts changed
        if loaded.request_id != self.current or number < self._read_shown:
            return  # another request was picked meanwhile, or a newer read is already on screen
        self._read_shown = number
        self.loaded.emit(loaded)

    def refresh_unread(self) -> None:
        self._runner.run(self._runtime.conversation.unread_by_request, on_success=self._set_unread,
                         on_failure=lambda exc: log.warning("cannot count unread messages: %s", exc), context=self)

    def _set_unread(self, by_request: dict[str, int]) -> None:
        self.unread_by_request = by_request
        self.unread = sum(by_request.values())
        self.unread_changed.emit(self.unread)

    def refresh_visits(self) -> None:
        self._runner.run(self._runtime.conversation.upcoming_visits, on_success=self._set_visits,
                         on_failure=lambda exc: log.warning("cannot read the visits: %s", exc), context=self)

    def _set_visits(self, visits: list[UpcomingVisit]) -> None:
        self.visits = visits
        self.visits_changed.emit(visits)

    @Slot(object)
    def after_poll(self, _payload: object = None) -> None:
        """New vendor steps may have come: count them, announce the new ones, refresh the open conversation."""
        service = self._runtime.conversation

        def job() -> list[ThreadEntry]:
            entries = service.unnotified()
            service.mark_notified([entry.id for entry in entries])
            return entries

        self._runner.run(job, on_success=self._announce,
                         on_failure=lambda exc: log.warning("cannot read new messages: %s", exc), context=self)
        self.refresh_unread()
        self.refresh_visits()
        self.load(self.current)

    def _announce(self, entries: list[ThreadEntry]) -> None:
        if entries:
            self.new_entries.emit(entries)

    def check_reminders(self) -> None:
        service, now = self._runtime.conversation, self.now()

        def job() -> list[tuple[UpcomingVisit, str]]:
            due = service.due_reminders(now)
            for visit, kind in due:
                service.mark_reminded(visit.request_id, kind)
            return due

        self._runner.run(job, on_success=lambda due: due and self.reminders_due.emit(due),
                         on_failure=lambda exc: log.warning("cannot read visit reminders: %s", exc), context=self)

    # -- the cashier's acts ----------------------------------------------------
    def _act(self, request_id: str, kind: EventKind, make: Callable[[Any], ThreadEntry]) -> None:
        """Save the act in a worker; once saved it is shown (pending), then delivered by a job of its own."""
        runtime = self._runtime

        def saved(entry: ThreadEntry) -> None:
            self.act_saved.emit(entry)
            self.reload(request_id)
            self._deliver(entry)

        self._runner.run(lambda: make(runtime.conversation), on_success=saved,
                         on_failure=lambda exc: self.act_failed.emit(ActFailed(request_id, kind, exc)), context=self)

    def _deliver(self, entry: ThreadEntry) -> None:
        outbox = self._runtime.outbox

        def done(result: Delivered) -> None:
            self.act_delivered.emit(result)
            self.reload(entry.request_id)

        def failed(exc: BaseException) -> None:  # saved all the same: the agent delivers it later
            log.warning("act %s saved, not delivered now: %r", entry.id, exc)
            self.reload(entry.request_id)

        self._runner.run(lambda: delivery_outcome(entry, outbox.deliver()), on_success=done, on_failure=failed,
                         context=self)

    def reply(self, request_id: str, author: str, text: str, files: list[Path]) -> None:
        self._act(request_id, EventKind.MESSAGE, lambda s: s.reply(request_id, author, text, files))

    def decide(self, request_id: str, author: str, accept: bool, reason: str = "") -> None:
        kind = EventKind.ACCEPTED if accept else EventKind.REFUSED
        self._act(request_id, kind, lambda s: s.decide(request_id, author, accept, reason))

    def answer_visit(self, request_id: str, author: str, visit_id: int, confirm: bool, note: str = "") -> None:
        kind = EventKind.VISIT_CONFIRMED if confirm else EventKind.VISIT_RESCHEDULE
        self._act(request_id, kind, lambda s: s.answer_visit(request_id, author, visit_id, confirm, note))

    def rate(self, request_id: str, author: str, stars: int, comment: str = "") -> None:
        self._act(request_id, EventKind.RATED, lambda s: s.rate(request_id, author, stars, comment))

    def reopen(self, request_id: str, author: str, reason: str) -> None:
        self._act(request_id, EventKind.REOPENED, lambda s: s.reopen(request_id, author, reason))

    def skip_rating(self, request_id: str) -> None:
        self._runner.run(lambda: self._runtime.conversation.skip_rating(request_id),
                         on_failure=lambda exc: log.warning("cannot remember the skipped rating: %s", exc),
                         context=self)

    def fetch_file(self, request_id: str, file_id: str, local_path: str | None) -> None:
        """Download (and verify) a vendor file, or hand back a copy already here; ``file_ready`` opens it."""
        if local_path and Path(local_path).is_file():
            self.file_ready.emit(Path(local_path))
            return
        service = self._runtime.conversation
        self._runner.run_job(lambda cancel, _progress: service.download(request_id, file_id, cancel),
                             on_success=self._downloaded, on_failure=self.file_failed.emit,
                             title=self.tr("Đang tải tệp từ nhà cung cấp…"), cancellable=True, context=self)

    def _downloaded(self, path: Path) -> None:
        self.file_ready.emit(path)
        self.load(self.current)
