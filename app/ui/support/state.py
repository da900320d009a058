"""Support requests as the GUI sees them: list, submit, background delivery and polling.

Submitting saves the request (worker), then tries to deliver it at once;
the background agent retries with backoff and polls for status changes.
Results from the agent's threads arrive here as queued signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from app.background.agent import BackgroundAgent
from app.background.registry import DELIVER, POLL
from app.runtime import Runtime
from app.storage.support_requests import AttachmentSource
from app.support.models import NewRequest, SupportRequest
from app.support.outbox import DeliveryReport, poll_updates
from app.support.service import raise_request
from app.support.vendor_api import VendorApiError
from app.ui.feature_state import FeatureState
from app.ui.support.conversation_state import ConversationState
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    request: SupportRequest
    report: DeliveryReport


class SupportState(FeatureState):
    """The shop's requests, kept fresh.

    Signals:
        changed(object): the list of :class:`SupportRequest`, newest first.
        submitted(object): a :class:`Submitted` after the cashier sent a request.
        submit_failed(object): the exception that stopped saving a request no open form is waiting for.
        delivered(object): a :class:`DeliveryReport` from a background delivery.
        status_changed(object): a list of :class:`StatusChange` from polling.
        polled(): a poll of the vendor's feed succeeded (new messages may have come with it).

    ``conversations``: the requests' conversations (:class:`ConversationState`), refreshed after each poll
    and each delivery; the list is read again after each of the cashier's acts is delivered.
    """

    changed = Signal(object)
    submitted = Signal(object)
    submit_failed = Signal(object)
    delivered = Signal(object)
    status_changed = Signal(object)
    polled = Signal()

    def __init__(self, runtime: Runtime, runner: TaskRunner, clock: Callable[[], dt.datetime] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(runtime, runner, parent)
        self._clock = clock or runtime.clock
        self.requests: list[SupportRequest] = []
        # Bound slots (not lambdas): emitted from agent threads, they must be
        # queued to this object's (the GUI) thread.
        self.delivered.connect(self._reload)
        self.status_changed.connect(self._reload)
        self.conversations = ConversationState(runtime, runner, parent=self)
        self.polled.connect(self.conversations.after_poll)
        self.delivered.connect(self.conversations.after_poll)
        # A delivered act may have moved the request (an accept resolves it): the list reads it again.
        self.conversations.act_delivered.connect(self._reload)

    def now(self) -> dt.datetime:
        return self._clock()

    @Slot(object)
    def _reload(self, _payload: object) -> None:
        self.load()

    def load(self) -> None:
        self._runner.run(self._runtime.support.all, on_success=self._set,
                         on_failure=lambda exc: log.error("cannot read requests: %s", exc))

    def _set(self, requests: list[SupportRequest]) -> None:
        first = not self.requests
        self.requests = requests
        self.changed.emit(requests)
        if first:
            self.conversations.refresh_unread()
            self.conversations.refresh_visits()

    def submit(self, new: NewRequest, attachments: Sequence[AttachmentSource], title: str = "",
               prepare: Callable[[], Sequence[AttachmentSource]] | None = None,
               on_saved: Callable[[SupportRequest], None] | None = None,
               on_failed: Callable[[BaseException], None] | None = None, context: QObject | None = None,
               request_id: str | None = None) -> None:
        """Save, then deliver, each in a worker; ``prepare`` builds extra attachments there (bundle, screenshot).

        ``request_id``: the form's one id for all its tries, so a try that was saved but answered as failed is
        found again by the next one instead of saved twice.

        ``on_saved`` runs once the request is in the database (the form may close: nothing typed can be lost
        now), ``on_failed`` when it could not be saved (the form stays open with what was typed).  Delivery
        comes after, as its own job: a slow or absent server never holds the form, and a failure to deliver
        is never reported as a failure to save.
        """
        runtime = self._runtime
        opened_at = self.now()

        def save(_cancel: object, progress: Callable[[float, str], None]) -> SupportRequest:
            progress(0.1, "")
            extra = list(prepare()) if prepare else []
            contract = runtime.contract_service().current()
            try:
                return raise_request(runtime.support, new, contract=contract, calendar=runtime.working_calendar(),
                                     opened_at=opened_at, attachments=[*attachments, *extra],
                                     activity=runtime.activity, request_id=request_id)
            finally:
                for source in extra:  # copied into the outbox (or the save failed): drop the temp files
                    shutil.rmtree(source.path.parent, ignore_errors=True)

        def alive() -> bool:  # the form may have been closed by then; the state's own steps run regardless
            return context is None or shiboken6.isValid(context)

        def saved(request: SupportRequest) -> None:
            if on_saved is not None and alive():
                on_saved(request)
            self.load()
            self._deliver_new(request, title)

        def failed(exc: BaseException) -> None:
            log.error("request not saved: %r", exc)
            if on_failed is not None and alive():
                on_failed(exc)  # the open form says it, and keeps what was typed
            else:
                self.submit_failed.emit(exc)

        self._runner.run_job(save, on_success=saved, on_failure=failed, title=title)

    def _deliver_new(self, request: SupportRequest, title: str) -> None:
        runtime = self._runtime

        def deliver(_cancel: object, _progress: Callable[[float, str], None]) -> Submitted:
            report = runtime.outbox.deliver()
            return Submitted(runtime.support.get(request.id) or request, report)

        def done(result: Submitted) -> None:
            self.submitted.emit(result)
            self.load()

        def not_delivered(exc: BaseException) -> None:  # saved all the same: the agent delivers it later
            log.warning("request %s saved, not delivered now: %r", request.id, exc)
            done(Submitted(request, DeliveryReport()))

        self._runner.run_job(deliver, on_success=done, on_failure=not_delivered, title=title)

    def attach(self, request_id: str, make_sources: Callable[[], Sequence[AttachmentSource]], reason: str,
               on_success: Callable[[SupportRequest | None], None] | None = None,
               on_failure: Callable[[BaseException], None] | None = None, context: QObject | None = None) -> None:
        """Add files to a saved request and send them, in a worker; ``make_sources`` writes them there.

        ``context``: the widget the callbacks update; they are skipped if it is gone by then.

        The files are committed to the outbox first; if the vendor cannot be
        reached the background agent uploads them later.
        """
        runtime = self._runtime

        def job() -> SupportRequest | None:
            sources = list(make_sources())
            try:
                runtime.support.add_attachments(request_id, sources, reason)
            finally:
                for source in sources:  # copied into the outbox (or the save failed): drop the temp files
                    shutil.rmtree(source.path.parent, ignore_errors=True)
            runtime.outbox.deliver()
            return runtime.support.get(request_id)

        def alive() -> bool:
            return context is None or shiboken6.isValid(context)

        def done(request: SupportRequest | None) -> None:
            self.load()
            if on_success is not None and alive():
                on_success(request)

        def failed(exc: BaseException) -> None:
            log.error("could not attach to %s: %s", request_id, exc)
            if on_failure is not None and alive():
                on_failure(exc)

        self._runner.run(job, on_success=done, on_failure=failed)

    # -- background agent ----------------------------------------------------
    def register(self, agent: BackgroundAgent) -> None:
        agent.add(DELIVER, self._deliver_in_background)
        agent.add(POLL, self._poll_in_background)

    def _deliver_in_background(self) -> None:  # runs on an agent thread
        if (self._runtime.support.pending_count() == 0 and not self._runtime.support.with_pending_uploads()
                and not self._runtime.conversation.has_pending()):
            return
        self.delivered.emit(self._runtime.outbox.deliver())

    def _poll_in_background(self) -> None:  # runs on an agent thread
        try:
            changes = poll_updates(self._runtime.support, self._runtime.vendor_client(), self._runtime.state)
        except VendorApiError as exc:
            log.info("status poll skipped: %s", exc)
            return
        if changes:
            self.status_changed.emit(changes)
        self.polled.emit()

