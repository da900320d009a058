"""The fleet outbox's table (``fleet_outbox``): what waits to be told to the vendor, as dataclasses.

Only this module touches :class:`app.storage.tables.FleetOutboxRow`; :mod:`app.fleet.outbox` decides what goes
in and when it goes out.  Rows are read oldest first by their insertion order (SQLite's ``rowid``), which a
fixed or coarse clock cannot blur.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnClause, delete, func, literal_column, or_, select

from app.storage.db import Database
from app.storage.repositories import utc_now
from app.storage.tables import FleetOutboxRow

_ROWID: ColumnClause[int] = literal_column("rowid")
_LAST_ERROR_MAX = 500


class ItemKind(enum.StrEnum):
    HEARTBEAT = "heartbeat"  # at most one waits: a newer report replaces it
    EVENT = "event"  # each waits until the server has it


@dataclass(frozen=True)
class FleetItem:
    """One waiting report or event: ``body`` is its JSON exactly as it will be sent."""

    id: str
    kind: ItemKind
    body: str
    created_at: dt.datetime
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None


def _item(row: FleetOutboxRow) -> FleetItem:
    return FleetItem(row.id, ItemKind(row.kind), row.body, row.created_at, row.attempts, row.next_attempt_at,
                     row.last_error)


class FleetStore:
    """Reads and writes ``fleet_outbox``; every method is one transaction."""

    def __init__(self, database: Database, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._db = database
        self._clock = clock

    def replace_heartbeat(self, item_id: str, body: str) -> FleetItem | None:
        """Put the newest heartbeat in, deleting any that waits, in one transaction; the one it replaced.

        The new row takes over the old one's attempts and next try: the network that failed the old report
        fails this one as well, so the backoff goes on rather than starting again.
        """
        with self._db.write() as session:
            old = session.scalars(select(FleetOutboxRow).where(FleetOutboxRow.kind == ItemKind.HEARTBEAT.value)
                                  .order_by(_ROWID.desc())).all()
            replaced = _item(old[0]) if old else None
            session.execute(delete(FleetOutboxRow).where(FleetOutboxRow.kind == ItemKind.HEARTBEAT.value))
            session.add(FleetOutboxRow(
                id=item_id, kind=ItemKind.HEARTBEAT.value, body=body, created_at=self._clock(),
                attempts=replaced.attempts if replaced else 0,
                next_attempt_at=replaced.next_attempt_at if replaced else None,
                last_error=replaced.last_error if replaced else None))
        return replaced

    def add_event(self, item_id: str, body: str, keep: int) -> list[str] | None:
        """Add an event unless one with its id waits already (None); then drop the oldest events beyond ``keep``,
        in the same transaction.  Returns the ids dropped."""
        with self._db.write() as session:
            if session.get(FleetOutboxRow, item_id) is not None:
                return None
            session.add(FleetOutboxRow(id=item_id, kind=ItemKind.EVENT.value, body=body, created_at=self._clock(),
                                       attempts=0))
            session.flush()
            events = FleetOutboxRow.kind == ItemKind.EVENT.value
            count = session.scalar(select(func.count()).select_from(FleetOutboxRow).where(events)) or 0
            if count <= keep:
                return []
            oldest = list(session.scalars(select(FleetOutboxRow.id).where(events).order_by(_ROWID)
                                          .limit(count - keep)))
            session.execute(delete(FleetOutboxRow).where(FleetOutboxRow.id.in_(oldest)))
            return oldest

    def heartbeat(self) -> FleetItem | None:
        """The heartbeat that waits, due or not."""
        with self._db.read() as session:
            row = session.scalars(select(FleetOutboxRow).where(FleetOutboxRow.kind == ItemKind.HEARTBEAT.value)
                                  .order_by(_ROWID.desc()).limit(1)).first()
            return _item(row) if row is not None else None

    def events(self, limit: int, due_by: dt.datetime | None = None) -> list[FleetItem]:
        """The oldest waiting events, at most ``limit``; with ``due_by``, only those whose next try has come."""
        query = select(FleetOutboxRow).where(FleetOutboxRow.kind == ItemKind.EVENT.value)
        if due_by is not None:
            query = query.where(or_(FleetOutboxRow.next_attempt_at.is_(None), FleetOutboxRow.next_attempt_at <= due_by))
        with self._db.read() as session:
            return [_item(row) for row in session.scalars(query.order_by(_ROWID).limit(limit))]

    def counts(self) -> dict[ItemKind, int]:
        """How many rows of each kind wait."""
        with self._db.read() as session:
            rows = session.execute(select(FleetOutboxRow.kind, func.count()).group_by(FleetOutboxRow.kind)).all()
        found = {kind: count for kind, count in rows}
        return {kind: int(found.get(kind.value, 0)) for kind in ItemKind}

    def remove(self, ids: Sequence[str]) -> None:
        """Forget these rows (delivered, or refused for good)."""
        if not ids:
            return
        with self._db.write() as session:
            session.execute(delete(FleetOutboxRow).where(FleetOutboxRow.id.in_(list(ids))))

    def mark_failed(self, failures: Sequence[tuple[str, dt.datetime]], error: str) -> None:
        """One more failed attempt for each ``(id, next try)``."""
        if not failures:
            return
        with self._db.write() as session:
            for item_id, next_at in failures:
                row = session.get(FleetOutboxRow, item_id)
                if row is None:
                    continue  # delivered or replaced meanwhile
                row.attempts += 1
                row.next_attempt_at = next_at
                row.last_error = error[:_LAST_ERROR_MAX]

    def next_attempt_at(self) -> dt.datetime | None:
        """The earliest next try among the waiting rows (now for one never tried), None when nothing waits."""
        with self._db.read() as session:
            rows = session.scalars(select(FleetOutboxRow.next_attempt_at)).all()
        if not rows:
            return None
        now = self._clock()
        return min((at or now) for at in rows)
