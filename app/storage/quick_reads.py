"""The overview's first reads of the app's database, with the standard library's sqlite3 alone.

At start-up the window shows the shop's state before SQLAlchemy and the rest of
the data layer have loaded (issue 24: that import is most of a second on a
till).  These reads answer what the repositories answer (the newest recorded
check run, the recent activity, the listed requests' statuses and deadlines,
the unread messages), in the same records, and a test holds them to it.

They only read a file that is already what the data layer would open without
touching it: present and at :data:`app.storage.schema.SCHEMA_HEAD`.  Anything
else (no database yet, one to migrate, a busy or damaged file) raises
:class:`QuickReadUnavailable`, and the data layer's own start, which migrates,
recovers and reports, reads it instead.  Nothing here ever writes.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.health.model import SUMMARY_LIMIT, StoredResult, StoredRun, stored_status
from app.infra.phrase import phrase_from_json
from app.storage.records import LISTED_REQUESTS, ActivityEntry, RequestDeadline
from app.storage.schema import SCHEMA_HEAD, read_only_uri
from app.support.status import RequestStatus

BUSY_WAIT_SECONDS = 0.2  # a writer holding the file: the data layer reads it, this start does not wait


class QuickReadUnavailable(Exception):
    """The database cannot be read this way now; the data layer's start reads it (and says what is wrong)."""


@contextmanager
def reading(database: Path) -> Iterator[sqlite3.Connection]:
    """One read-only snapshot of an up-to-date database; QuickReadUnavailable for any other file."""
    if not Path(database).is_file():
        raise QuickReadUnavailable("no database yet")
    try:
        connection = sqlite3.connect(read_only_uri(database), uri=True, timeout=BUSY_WAIT_SECONDS)
    except (sqlite3.Error, OSError, ValueError) as exc:
        raise QuickReadUnavailable(str(exc)) from exc
    try:
        connection.execute("BEGIN")  # every read below sees the same commit
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None or row[0] != SCHEMA_HEAD:
            raise QuickReadUnavailable(f"schema {row[0] if row else None}, not {SCHEMA_HEAD}")
        yield connection
    except (sqlite3.Error, ValueError, TypeError) as exc:  # damaged rows included: never half an answer
        raise QuickReadUnavailable(str(exc)) from exc
    finally:
        connection.close()


def _utc(text: object) -> dt.datetime:
    """A stored UtcDateTime: naive UTC text as SQLAlchemy writes it to SQLite ('2026-12-04 09:15:00.000000')."""
    return dt.datetime.fromisoformat(str(text)).replace(tzinfo=dt.UTC)


def latest_run(connection: sqlite3.Connection) -> StoredRun | None:
    """As :meth:`app.storage.check_history.CheckHistory.latest_run`."""
    (last,) = connection.execute("SELECT max(run_at) FROM check_results").fetchone()
    if last is None:
        return None
    rows = connection.execute("SELECT check_id, status, summary, phrase FROM check_results WHERE run_at = ? "
                              "ORDER BY id", (last,)).fetchall()
    return StoredRun(_utc(last), tuple(StoredResult(str(check_id), stored_status(str(status)),
                                                    phrase_from_json(phrase, str(summary), SUMMARY_LIMIT))
                                       for check_id, status, summary, phrase in rows))


def recent_activity(connection: sqlite3.Connection, limit: int) -> list[ActivityEntry]:
    """As :meth:`app.storage.repositories.ActivityRepository.recent`: newest first."""
    rows = connection.execute("SELECT id, at, kind, code, detail FROM activity ORDER BY at DESC, id DESC LIMIT ?",
                              (limit,)).fetchall()
    return [ActivityEntry(int(ident), _utc(at), str(kind), str(code), json.loads(detail))
            for ident, at, kind, code, detail in rows]


def unread_messages(connection: sqlite3.Connection) -> int:
    """As the sum of :meth:`app.storage.support_thread.ThreadRepository.unread_by_request`: conversation entries not
    read yet (the shop's own are read when made)."""
    (count,) = connection.execute("SELECT count(*) FROM thread_entries WHERE read_at IS NULL").fetchone()
    return int(count)


def request_deadlines(connection: sqlite3.Connection, limit: int = LISTED_REQUESTS) -> list[RequestDeadline]:
    """The status and deadline of each request :meth:`app.storage.support_requests.SupportRepository.all` lists."""
    rows = connection.execute("SELECT status, response_due_at FROM support_requests ORDER BY opened_at DESC LIMIT ?",
                              (limit,)).fetchall()
    return [RequestDeadline(RequestStatus(status), _utc(due) if due is not None else None) for status, due in rows]
