"""Repositories: the only way to read or write the app's tables.

They take a :class:`~app.storage.db.Database` and a clock, and return frozen
dataclasses, so no ORM row (or its lazy session) ever leaves this package.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select

from app.storage.db import Database
from app.storage.errors import StorageError
from app.storage.records import ActivityEntry
from app.storage.tables import ActivityRow, AppStateRow, LogRow
from pmv_protocol.shop_time import utc_now as utc_now  # the repositories' default clock

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
RowT = TypeVar("RowT", bound=LogRow)
EntryT = TypeVar("EntryT")


def detail_json(detail: Mapping[str, Any]) -> str:
    """A log entry's detail as stored: JSON, Vietnamese kept readable, anything else (dates, paths) as its text."""
    return json.dumps(detail, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class StateValue:
    key: str
    value: Any
    updated_at: dt.datetime | None


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


class AppendOnlyLog(Generic[RowT, EntryT]):
    """A log table the app only appends to (no update, no delete) and reads newest first.

    A subclass names its table (``_table``) and turns a row into its frozen entry (``_entry``).
    """

    _table: type[RowT]

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    def _entry(self, row: RowT) -> EntryT:
        raise NotImplementedError

    def _append(self, make_row: Callable[[dt.datetime], RowT]) -> EntryT:
        """Insert the row ``make_row`` builds for the clock's time, read once the write is under way."""
        with self._db.write() as session:
            row = make_row(self._clock())
            session.add(row)
            session.flush()
            return self._entry(row)

    def _since(self, since: dt.datetime | None) -> Select[RowT]:
        """Every row, or those at or after ``since`` (aware)."""
        query = select(self._table)
        return query if since is None else query.where(self._table.at >= since)

    def _newest_first(self, limit: int, since: dt.datetime | None = None) -> list[EntryT]:
        query = self._since(since).order_by(self._table.at.desc(), self._table.id.desc()).limit(limit)
        with self._db.read() as session:
            return [self._entry(row) for row in session.scalars(query)]


class ActivityRepository(AppendOnlyLog[ActivityRow, ActivityEntry]):
    """Append-only log of what the app did, newest first when read."""

    _table = ActivityRow

    def add(self, kind: str, code: str, **detail: Any) -> ActivityEntry:
        return self._append(lambda at: ActivityRow(at=at, kind=kind, code=code, detail=detail_json(detail)))

    def note(self, kind: str, code: str, **detail: Any) -> None:
        """:meth:`add` for a line of the overview's recent activity beside the work that did it: a database
        that refuses it (full, locked) never fails that work, whose own result was already kept."""
        try:
            self.add(kind, code, **detail)
        except StorageError as exc:
            log.warning("activity %s.%s not noted: %s", kind, code, exc)

    def recent(self, limit: int = 20) -> list[ActivityEntry]:
        return self._newest_first(limit)

    def _entry(self, row: ActivityRow) -> ActivityEntry:
        return ActivityEntry(row.id, row.at, row.kind, row.code, json.loads(row.detail))
