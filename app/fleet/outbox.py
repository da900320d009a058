"""The fleet outbox: heartbeats and update events on their way to the vendor, durable and bounded.

A heartbeat is a state, not a history: only the newest waits (:meth:`FleetOutbox.put_heartbeat` deletes the
one waiting in the same transaction).  An update event is a fact the vendor counts a release's health from:
each waits until the server has it, up to :data:`KEEP_EVENTS` (a till offline for months drops its oldest,
with a log line, rather than grow without end).

Delivery (:meth:`FleetOutbox.deliver`) posts the heartbeat, then the events in batches of
:data:`pmv_protocol.fleet.MAX_EVENTS`, and deletes what the server took.  Every body carries its own UUID, so
a retry after a lost answer stores nothing twice.  A network failure (offline, timeout, 5xx, no or a refused
shop token, a server without the endpoint yet) leaves everything for a later run, with the support outbox's
backoff (:func:`app.support.outbox.backoff_delay`).  A body the server refuses (400, 409, 413, 422) can only
be refused again: it is dropped with a log line, so one bad row never blocks the queue; in a refused batch of
events each is then tried alone, so only the bad one is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.fleet.store import FleetItem, FleetStore, ItemKind
from app.storage.db import Database
from app.storage.repositories import StateRepository, utc_now
from app.support.outbox import backoff_delay
from app.support.vendor_api import ApiFailure, VendorApiError, VendorClient, events_body, heartbeat_body
from pmv_protocol.fleet import (
    EVENTS_PATH,
    HEARTBEAT_PATH,
    MAX_BODY_BYTES,
    MAX_EVENTS,
    EventBatch,
    Heartbeat,
    UpdateEvent,
)

log = logging.getLogger(__name__)

KEEP_EVENTS = 500  # events waiting at most; beyond, the oldest go
REFUSED_STATUSES = frozenset({400, 409, 413, 422})  # the server judged the body: sending it again changes nothing
LAST_REPORT_KEY = "fleet.last_report"  # the state store's record of the last heartbeat the vendor took


@dataclass(frozen=True)
class LastReport:
    """The last heartbeat the vendor took: when by the server's clock (``received_at``), and whether it carried
    the health summary (``telemetry``) or the app version only."""

    received_at: dt.datetime
    telemetry: bool
    report_id: str


@dataclass
class FleetDelivery:
    """What one delivery run did."""

    heartbeat_sent: bool = False
    events_sent: int = 0  # taken by the server now (duplicates included: it had them already)
    events_duplicates: int = 0
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (row id, why): refused for good
    failure: ApiFailure | None = None  # what stopped the run; everything still waiting stays for the next one
    waiting: int = 0  # rows left in the outbox

    @property
    def offline(self) -> bool:
        return self.failure in (ApiFailure.OFFLINE, ApiFailure.TIMEOUT)


class _Stop(Exception):
    """A failure that would fail every other row too: end the run."""


class FleetOutbox:
    """Heartbeats (coalesced) and update events (each kept, bounded), delivered with backoff.

    Safe to call from any thread; one delivery at a time per process.  ``rng``: the backoff's jitter (a seeded
    one in tests).
    """

    def __init__(self, database: Database, *, clock: Callable[[], dt.datetime] = utc_now,
                 rng: random.Random | None = None, keep_events: int = KEEP_EVENTS) -> None:
        self._store = FleetStore(database, clock)
        self._state = StateRepository(database, clock)
        self._clock = clock
        self._rng = rng or random.Random()
        self._keep_events = keep_events
        self._lock = threading.Lock()

    # -- what goes in ------------------------------------------------------------------------------------
    def put_heartbeat(self, heartbeat: Heartbeat) -> None:
        """Make ``heartbeat`` the one report waiting (any older one is deleted with it, in one transaction).

        Raises ValueError if its body is larger than the server takes (nothing is changed then).
        """
        body = _body(heartbeat_body(heartbeat))
        replaced = self._store.replace_heartbeat(heartbeat.id, body)
        if replaced is not None and replaced.id != heartbeat.id:
            log.info("heartbeat %s replaced %s, which had not reached the vendor", heartbeat.id, replaced.id)

    def record_event(self, event: UpdateEvent) -> None:
        """Keep ``event`` until the server has it (the same event twice is kept once).

        Beyond :data:`KEEP_EVENTS` waiting events the oldest are dropped, with a log line.
        """
        dropped = self._store.add_event(event.id, _body(events_body(EventBatch(events=[event]))["events"][0]),
                                        self._keep_events)
        if dropped:
            log.warning("fleet outbox full (%d events waiting): dropped the %d oldest (%s)", self._keep_events,
                        len(dropped), ", ".join(dropped))

    # -- what waits --------------------------------------------------------------------------------------
    def depth(self) -> int:
        """Rows waiting: the heartbeat (0 or 1) and the events."""
        return sum(self._store.counts().values())

    def events_waiting(self) -> int:
        return self._store.counts()[ItemKind.EVENT]

    def waiting_heartbeat(self) -> Heartbeat | None:
        """The heartbeat that waits (sent next), or None."""
        item = self._store.heartbeat()
        return _heartbeat_of(item) if item is not None else None

    def next_delivery_at(self) -> dt.datetime | None:
        """When the outbox next has work (now for a row never tried); None when nothing waits."""
        return self._store.next_attempt_at()

    def last_report(self) -> LastReport | None:
        """The last heartbeat the vendor took, or None if none ever reached it from this till."""
        value = self._state.get(LAST_REPORT_KEY)
        if not isinstance(value, dict):
            return None
        try:
            return LastReport(dt.datetime.fromisoformat(str(value["received_at"])), bool(value["telemetry"]),
                              str(value["id"]))
        except (KeyError, ValueError):
            return None

    def preview(self, heartbeat: Heartbeat | None = None) -> str:
        """The JSON the next delivery sends, request by request, exactly as it goes (laid out to be read).

        ``heartbeat``: shown when none waits (what the next run would build); '' when nothing would be sent.
        """
        waiting = self._store.heartbeat()
        parts: list[str] = []
        waiting_heartbeat = _heartbeat_of(waiting) if waiting is not None else None
        if waiting_heartbeat is not None:
            parts.append(_shown(HEARTBEAT_PATH, heartbeat_body(waiting_heartbeat)))
        elif heartbeat is not None:
            parts.append(_shown(HEARTBEAT_PATH, heartbeat_body(heartbeat)))
        events = self._store.events(MAX_EVENTS)
        readable = [event for event in (_event_of(item) for item in events) if event is not None]
        if readable:
            parts.append(_shown(EVENTS_PATH, events_body(EventBatch(events=readable))))
        return "\n\n".join(parts)

    # -- what goes out -----------------------------------------------------------------------------------
    def deliver(self, client: VendorClient, cancel: threading.Event | None = None, *,
                ignore_backoff: bool = False) -> FleetDelivery:
        """Send what is due: the heartbeat, then the events in batches; see the module's docstring."""
        report = FleetDelivery()
        with self._lock:
            due_by = dt.datetime.max.replace(tzinfo=dt.UTC) if ignore_backoff else self._clock()
            try:
                self._send_heartbeat(client, report, due_by)
                self._send_events(client, report, due_by, cancel)
            except _Stop:
                pass
            report.waiting = self.depth()
        return report

    def _send_heartbeat(self, client: VendorClient, report: FleetDelivery, due_by: dt.datetime) -> None:
        item = self._store.heartbeat()
        if item is None or (item.next_attempt_at is not None and item.next_attempt_at > due_by):
            return
        heartbeat = _heartbeat_of(item)
        if heartbeat is None:
            self._drop([item], "unreadable", report)
            return
        try:
            receipt = client.post_heartbeat(heartbeat)
        except VendorApiError as exc:
            self._failed([item], exc, report, due_by)
            return
        self._store.remove([item.id])
        report.heartbeat_sent = True
        self._state.set(LAST_REPORT_KEY, {"received_at": receipt.received_at.isoformat(),
                                          "telemetry": heartbeat.telemetry, "id": heartbeat.id})
        log.info("heartbeat %s delivered (telemetry %s, duplicate %s)", heartbeat.id,
                 "on" if heartbeat.telemetry else "off", receipt.duplicate)

    def _send_events(self, client: VendorClient, report: FleetDelivery, due_by: dt.datetime,
                     cancel: threading.Event | None) -> None:
        # Each pass removes what it sends or drops, or stops the run: the loop always ends.
        while not (cancel is not None and cancel.is_set()):
            batch = self._store.events(MAX_EVENTS, due_by)
            if not batch:
                return
            if not self._send_batch(client, batch, report, due_by) and len(batch) > 1:
                for item in batch:  # refused: one of them is bad; send each alone, so only that one is lost
                    if cancel is not None and cancel.is_set():
                        return
                    self._send_batch(client, [item], report, due_by)

    def _send_batch(self, client: VendorClient, batch: list[FleetItem], report: FleetDelivery,
                    due_by: dt.datetime) -> bool:
        """Post ``batch``; False if the server refused it (a batch of one is then dropped).  Raises _Stop."""
        readable: list[tuple[FleetItem, UpdateEvent]] = []
        for item in batch:
            event = _event_of(item)
            if event is None:
                self._drop([item], "unreadable", report)
            else:
                readable.append((item, event))
        if not readable:
            return True
        kept = [item for item, _event in readable]
        try:
            receipt = client.post_events(EventBatch(events=[event for _item, event in readable]))
        except VendorApiError as exc:
            if exc.status in REFUSED_STATUSES and len(kept) > 1:
                log.warning("batch of %d events refused (%s); sending each alone", len(kept), exc)
                return False
            self._failed(kept, exc, report, due_by)
            return True
        self._store.remove([item.id for item in kept])
        report.events_sent += len(kept)
        report.events_duplicates += receipt.duplicates
        log.info("%d update events delivered (%d new, %d already there)", len(kept), receipt.stored,
                 receipt.duplicates)
        return True

    def _failed(self, items: list[FleetItem], exc: VendorApiError, report: FleetDelivery,
                due_by: dt.datetime) -> None:
        """A refusal drops ``items``; anything else puts every due row off (raises _Stop)."""
        if exc.status in REFUSED_STATUSES:
            self._drop(items, exc.detail or exc.kind.value, report, status=exc.status)
            return
        now = self._clock()
        due = [*([hb] if (hb := self._store.heartbeat()) is not None else []),
               *self._store.events(self._keep_events + 1, due_by)]
        due = [item for item in due if item.next_attempt_at is None or item.next_attempt_at <= due_by]
        self._store.mark_failed([(item.id, now + backoff_delay(item.attempts, self._rng)) for item in due], str(exc))
        report.failure = exc.kind
        level = logging.INFO if exc.kind is ApiFailure.NOT_CONFIGURED else logging.WARNING
        log.log(level, "fleet outbox: %d waiting not delivered (%s); tried again later", len(due), exc)
        raise _Stop

    def _drop(self, items: list[FleetItem], why: str, report: FleetDelivery, status: int | None = None) -> None:
        self._store.remove([item.id for item in items])
        for item in items:
            report.dropped.append((item.id, why))
            log.warning("fleet outbox: %s %s refused%s (%s); dropped, it will not be sent again", item.kind.value,
                        item.id, f" with {status}" if status else "", why)


def _body(data: dict[str, Any]) -> str:
    """The JSON stored for a row, refused if larger than the server takes (as requests would send it)."""
    body = json.dumps(data)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise ValueError(f"a body of {len(body)} bytes is over the {MAX_BODY_BYTES} the server takes")
    return body


def _heartbeat_of(item: FleetItem) -> Heartbeat | None:
    try:
        return Heartbeat.model_validate_json(item.body)
    except ValidationError as exc:  # written by another version of the app: not this one's to fix
        log.error("waiting heartbeat %s no longer reads: %s", item.id, exc.errors(include_url=False)[:1])
        return None


def _event_of(item: FleetItem) -> UpdateEvent | None:
    try:
        return UpdateEvent.model_validate_json(item.body)
    except ValidationError as exc:
        log.error("waiting update event %s no longer reads: %s", item.id, exc.errors(include_url=False)[:1])
        return None


def _shown(path: str, body: dict[str, Any]) -> str:
    return f"POST {path}\n{json.dumps(body, ensure_ascii=False, indent=2)}"
