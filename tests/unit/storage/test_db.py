from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

from app.storage.db import Database, NoticeKind, head_revision
from app.storage.repositories import ActivityRepository, StateRepository
from tests.helpers import database_at_revision

FIXED = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def test_new_database_is_created_at_head_in_wal_mode(tmp_path: Path) -> None:
    db, notices = Database.open(tmp_path / "app.sqlite3")
    assert notices == []
    assert db.current_revision() == head_revision()
    with sqlite3.connect(tmp_path / "app.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_upgrade_from_an_older_revision_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    database_at_revision(path, "0001",  # data written by the old app version
                         """INSERT INTO app_state(key, value) VALUES ('reminder.30d', '"2026-10-01"')""",
                         """INSERT INTO app_state(key, value) VALUES ('shop.note', '"Két sắt số 2"')""")

    db, notices = Database.open(path)
    assert db.current_revision() == head_revision()
    state = StateRepository(db)
    assert state.get("reminder.30d") == "2026-10-01"
    assert state.get("shop.note") == "Két sắt số 2"
    assert state.get_entry("shop.note").updated_at is None  # column added by 0002
    # the upgrade kept a copy of the pre-upgrade database
    assert [n.kind for n in notices] == [NoticeKind.MIGRATED]
    with sqlite3.connect(notices[0].path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM app_state").fetchone()[0] == 2
    # and the new table works
    ActivityRepository(db).add("app", "started", version="0.1.0")
    assert ActivityRepository(db).recent()[0].detail == {"version": "0.1.0"}
    db.close()


def test_opening_twice_does_not_migrate_or_back_up_again(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    db.close()
    db, notices = Database.open(tmp_path / "app.sqlite3")
    assert notices == []
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []
    db.close()


def test_corrupt_database_is_kept_aside_and_a_fresh_one_opened(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    garbage = b"this is not sqlite" * 100
    path.write_bytes(garbage)
    db, notices = Database.open(path)
    assert [n.kind for n in notices] == [NoticeKind.RECOVERED_FROM_CORRUPT]
    assert notices[0].path.read_bytes() == garbage  # nothing the user had is deleted
    StateRepository(db).set("k", 1)
    assert StateRepository(db).get("k") == 1
    db.close()


def test_state_repository_overwrites_and_stamps_with_the_given_clock(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    state = StateRepository(db, clock=lambda: FIXED)
    assert state.get("missing", "default") == "default"
    state.set("coverage.reminders", ["30d"])
    state.set("coverage.reminders", ["30d", "7d"])
    entry = state.get_entry("coverage.reminders")
    assert entry.value == ["30d", "7d"]
    assert entry.updated_at == FIXED
    assert entry.updated_at.tzinfo is not None
    db.close()


def test_activity_is_newest_first_and_limited(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    ticks = iter(FIXED + dt.timedelta(minutes=n) for n in range(10))
    activity = ActivityRepository(db, clock=lambda: next(ticks))
    for n in range(5):
        activity.add("check", "ran", n=n)
    recent = activity.recent(3)
    assert [entry.detail["n"] for entry in recent] == [4, 3, 2]
    db.close()


def test_concurrent_writers_from_threads_lose_nothing(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    activity = ActivityRepository(db)

    def write(worker: int) -> None:
        for n in range(25):
            activity.add("test", "write", worker=worker, n=n)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(activity.recent(1000)) == 100
    db.close()


def test_a_locked_database_is_not_mistaken_for_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    db, _ = Database.open(path)
    StateRepository(db).set("k", "giữ nguyên")
    db.close()
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        import pytest

        from app.storage.db import StorageError, StorageFailure

        with pytest.raises(StorageError) as caught:
            Database.open(path)
        assert caught.value.failure in (StorageFailure.LOCKED, StorageFailure.CANNOT_OPEN)
    finally:
        holder.rollback()
        holder.close()
    assert not list(tmp_path.glob("*.corrupt-*"))
    db, notices = Database.open(path)
    assert notices == [] and StateRepository(db).get("k") == "giữ nguyên"
    db.close()


def test_a_database_from_a_newer_app_version_is_refused_untouched(tmp_path: Path) -> None:
    import pytest

    from app.storage.db import StorageError, StorageFailure

    path = tmp_path / "app.sqlite3"
    db, _ = Database.open(path)
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    before = path.read_bytes()
    with pytest.raises(StorageError) as caught:
        Database.open(path)
    assert caught.value.failure is StorageFailure.NEWER_SCHEMA
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))


def test_a_failed_upgrade_puts_the_old_database_back(tmp_path: Path) -> None:
    import pytest

    from app.storage.db import StorageError, StorageFailure

    path = tmp_path / "app.sqlite3"
    # Something (a hand-made repair, an old tool) left a table in the way of migration 0002.
    database_at_revision(path, "0001", """INSERT INTO app_state(key, value) VALUES ('k', '"dữ liệu cũ"')""",
                         "CREATE TABLE activity (x INTEGER)")
    with pytest.raises(StorageError) as caught:
        Database.open(path)
    assert caught.value.failure is StorageFailure.MIGRATION_FAILED
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        assert conn.execute("SELECT value FROM app_state WHERE key = 'k'").fetchone()[0] == '"dữ liệu cũ"'


def test_folder_names_with_url_characters_work(tmp_path: Path) -> None:
    folder = tmp_path / "Cửa hàng #2 100%"
    db, _ = Database.open(folder / "app.sqlite3")
    StateRepository(db).set("k", 1)
    db.close()
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["app.sqlite3"]
    assert not (tmp_path / "Cửa hàng ").exists()
    db, notices = Database.open(folder / "app.sqlite3")
    assert notices == [] and StateRepository(db).get("k") == 1
    db.close()


def test_the_fast_path_head_matches_alembic() -> None:
    from app.storage.schema import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision(), "update SCHEMA_HEAD in app/storage/schema.py with each new migration"
