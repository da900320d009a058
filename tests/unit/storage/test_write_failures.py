"""A write the database refuses becomes a StorageError naming why, and the data before it stays.

The conditions are SQLite's own, made real on this machine without root: ``max_page_count`` makes SQLite
answer SQLITE_FULL exactly as a full disk does, ``query_only`` answers SQLITE_READONLY as a read-only file
does, and a second connection holding the write lock gives SQLITE_BUSY.  The codes and their meaning are
SQLite's result-code table (https://www.sqlite.org/rescode.html).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app.storage.db import Database
from app.storage.errors import StorageError, StorageFailure, sqlite_failure
from app.storage.repositories import StateRepository


class _Coded(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"code {code}")
        self.sqlite_errorcode = code


@pytest.mark.parametrize(("code", "failure"), [
    (13, StorageFailure.DISK_FULL),  # SQLITE_FULL
    (8, StorageFailure.READ_ONLY),  # SQLITE_READONLY
    (1032, StorageFailure.READ_ONLY),  # SQLITE_READONLY_DBMOVED = 8 | (4 << 8): the primary code in the low byte
    (5, StorageFailure.LOCKED),  # SQLITE_BUSY
    (6, StorageFailure.LOCKED),  # SQLITE_LOCKED
    (10, StorageFailure.DISK_ERROR),  # SQLITE_IOERR
    (778, StorageFailure.DISK_ERROR),  # SQLITE_IOERR_WRITE = 10 | (3 << 8)
    (14, StorageFailure.CANNOT_OPEN),  # SQLITE_CANTOPEN
    (11, StorageFailure.DAMAGED),  # SQLITE_CORRUPT
    (26, StorageFailure.DAMAGED),  # SQLITE_NOTADB
    (19, None),  # SQLITE_CONSTRAINT: our bug, not the shop's disk
    (1, None),  # SQLITE_ERROR (bad SQL)
])
def test_sqlite_result_codes_name_what_the_shop_can_act_on(code: int, failure: StorageFailure | None) -> None:
    assert sqlite_failure(_Coded(code)) is failure
    assert sqlite_failure(ValueError("no code")) is None


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database, _ = Database.open(tmp_path / "app.sqlite3")
    StateRepository(database).set("before", "kept")
    yield database
    database.close()


def test_a_full_disk_is_disk_full_and_rolls_back(db: Database) -> None:
    with pytest.raises(StorageError) as raised, db.write() as session:
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        session.execute(text(f"PRAGMA max_page_count = {pages}"))  # no page more: SQLite says SQLITE_FULL
        session.execute(text("INSERT INTO app_state (key, value, updated_at) VALUES ('big', :v, '2026-12-07')"),
                        {"v": "x" * 200_000})
    assert raised.value.failure is StorageFailure.DISK_FULL
    assert "full" in raised.value.detail  # SQLite's words stay for the log
    with db.write() as session:
        session.execute(text("PRAGMA max_page_count = 1073741823"))  # this pooled connection, as it was
    assert StateRepository(db).get("before") == "kept" and StateRepository(db).get("big") is None


def test_a_read_only_database_is_read_only(db: Database) -> None:
    with pytest.raises(StorageError) as raised, db.write() as session:
        session.execute(text("PRAGMA query_only = ON"))
        session.execute(text("DELETE FROM app_state"))
    assert raised.value.failure is StorageFailure.READ_ONLY
    with db.write() as session:
        session.execute(text("PRAGMA query_only = OFF"))
    assert StateRepository(db).get("before") == "kept"


def test_a_write_lock_held_elsewhere_is_locked(db: Database) -> None:
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holding the write lock
        with pytest.raises(StorageError) as raised, db.write() as session:
            session.execute(text("PRAGMA busy_timeout = 50"))
            session.execute(text("DELETE FROM app_state"))
        assert raised.value.failure is StorageFailure.LOCKED
    finally:
        other.close()
    with db.write() as session:
        session.execute(text("PRAGMA busy_timeout = 5000"))
    assert StateRepository(db).get("before") == "kept"


def test_a_bug_in_a_write_is_not_dressed_up_as_the_disk(db: Database) -> None:
    with pytest.raises(Exception) as raised, db.write() as session:
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))
    assert not isinstance(raised.value, StorageError)
