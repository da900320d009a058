"""Repositories: the only way to read or write the app's tables.

They take a :class:`~app.storage.db.Database` and a clock, and return frozen
dataclasses, so no ORM row (or its lazy session) ever leaves this package.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.storage.db import Database
from app.storage.tables import ActivityRow, AppStateRow

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class StateValue:
    key: str
    value: Any
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class ActivityEntry:
    """One thing the app did; ``code`` is mapped to words by the UI."""

    id: int
    at: dt.datetime
    kind: str
    code: str
    detail: dict[str, Any]


class StateRepository:
    """JSON values under string keys (e.g. which coverage reminders were sent)."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        entry = self.get_entry(key)
        return default if entry is None else entry.value

    def get_entry(self, key: str) -> StateValue | None:
        with self._db.read() as session:
            row = session.get(AppStateRow, key)
            if row is None:
                return None
            return StateValue(row.key, json.loads(row.value), row.updated_at)

    def set(self, key: str, value: Any) -> None:
        encoded = json.dumps(value, ensure_ascii=False)
        with self._db.write() as session:
            row = session.get(AppStateRow, key)
            if row is None:
                session.add(AppStateRow(key=key, value=encoded, updated_at=self._clock()))
            else:
                row.value = encoded
                row.updated_at = self._clock()


class ActivityRepository:
    """Append-only log of what the app did, newest first when read."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    def add(self, kind: str, code: str, **detail: Any) -> ActivityEntry:
        with self._db.write() as session:
            row = ActivityRow(
                at=self._clock(),
                kind=kind,
                code=code,
                detail=json.dumps(detail, ensure_ascii=False, default=str),
            )
            session.add(row)
            session.flush()
            return _activity(row)

    def recent(self, limit: int = 20) -> list[ActivityEntry]:
        with self._db.read() as session:
            rows = session.scalars(
                select(ActivityRow).order_by(ActivityRow.at.desc(), ActivityRow.id.desc()).limit(limit)
            )
            return [_activity(row) for row in rows]


def _activity(row: ActivityRow) -> ActivityEntry:
    return ActivityEntry(row.id, row.at, row.kind, row.code, json.loads(row.detail))
