"""Storing the shops' update events, once each, and counting them per release.

A shop's outbox sends each event until the server has it, so the same batch may come twice, or two batches
may overlap (one retried after a timeout while the next was already on its way).  Each event is stored once
per (shop, event id): the unique constraint decides, so two workers storing the same batch at the same moment
(any worker serves any request, on SQLite or PostgreSQL) cannot both store it; the loser counts again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmv_protocol.fleet import EventBatch, EventsReceipt, UpdateEvent, UpdateEventKind
from vendor_server.db import VendorDatabase
from vendor_server.releases.names import ReleaseKey
from vendor_server.releases.tables import ReleaseEvent

ATTEMPTS = 3  # a batch raced by a concurrent copy of itself is counted again; a third race is not plausible


@dataclass(frozen=True)
class StoredEvents:
    receipt: EventsReceipt
    new: tuple[UpdateEvent, ...]  # the events this call stored (not the duplicates)


def store_events(db: VendorDatabase, shop_pk: int, batch: EventBatch, *, now: dt.datetime) -> StoredEvents:
    """Store the batch's events this shop has not sent before; duplicates (within the batch too) are counted."""
    for attempt in range(ATTEMPTS):
        try:
            with db.sessions.begin() as session:
                new = _store(session, shop_pk, batch, now)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
            continue  # another request stored some of these first: look again, they are duplicates now
        return StoredEvents(EventsReceipt(stored=len(new), duplicates=len(batch.events) - len(new)), tuple(new))
    raise AssertionError("unreachable")  # pragma: no cover


def _store(session: Session, shop_pk: int, batch: EventBatch, now: dt.datetime) -> list[UpdateEvent]:
    ids = {event.id for event in batch.events}
    known = set(session.scalars(select(ReleaseEvent.event_id).where(ReleaseEvent.shop_pk == shop_pk,
                                                                     ReleaseEvent.event_id.in_(ids))))
    new: list[UpdateEvent] = []
    for event in batch.events:
        if event.id in known:
            continue
        known.add(event.id)
        new.append(event)
        session.add(ReleaseEvent(
            shop_pk=shop_pk, event_id=event.id, at=event.at, received_at=now, kind=event.kind.value,
            target_kind=event.target_kind.value, target_id=event.target_id, version=event.version,
            from_version=event.from_version, reason=event.reason, bucket=event.bucket, source=event.source.value))
    session.flush()  # a concurrent copy of the batch shows here as an IntegrityError, inside the retry
    return new


def _of(key: ReleaseKey) -> tuple[ColumnElement[bool], ...]:
    return (ReleaseEvent.target_kind == key.target_kind, ReleaseEvent.target_id == key.target_id,
            ReleaseEvent.version == key.version)


@dataclass(frozen=True)
class TriedFigures:
    """Among the shops that tried a release (installed it, or rolled it back), how many rolled it back."""

    tried: int
    rolled_back: int

    @property
    def rate_percent(self) -> float:
        return 0.0 if self.tried == 0 else 100.0 * self.rolled_back / self.tried


def tried_figures(session: Session, key: ReleaseKey) -> TriedFigures:
    """Distinct shops: a shop that installed and then rolled back is one shop that tried, one that rolled back."""
    tried_kinds = (UpdateEventKind.INSTALLED.value, UpdateEventKind.ROLLED_BACK.value)
    tried = session.scalar(select(func.count(distinct(ReleaseEvent.shop_pk)))
                           .where(*_of(key), ReleaseEvent.kind.in_(tried_kinds))) or 0
    rolled = session.scalar(select(func.count(distinct(ReleaseEvent.shop_pk)))
                            .where(*_of(key), ReleaseEvent.kind == UpdateEventKind.ROLLED_BACK.value)) or 0
    return TriedFigures(int(tried), int(rolled))
