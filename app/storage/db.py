"""SQLite engine, sessions, start-up migrations and corruption recovery.

One :class:`Database` per process.  SQLite runs in WAL mode so readers in
worker threads never wait for the writer; writes go through :meth:`write`,
which serialises them with a lock (one writer, as SQLite prefers).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.storage.errors import NoticeKind, StorageError, StorageFailure, StorageNotice, sqlite_failure  # noqa: F401  (re-exported)
from app.storage.schema import SCHEMA_HEAD, read_only_uri

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# Only these mean the file itself is damaged; anything else (busy, locked,
# permissions) must never make us move a healthy database aside.
_CORRUPT_ERRORS = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_healthy_sqlite(path: Path) -> tuple[bool, str]:
    """``quick_check`` the file; a missing file counts as healthy (it will be created).

    Raises StorageError when the file cannot be checked for another reason
    (locked by another program, no permission): that is not corruption.
    """
    if not path.exists():
        return True, ""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=5)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name in _CORRUPT_ERRORS or "not a database" in str(exc) or "malformed" in str(exc):
            return False, str(exc)
        failure = StorageFailure.LOCKED if name in ("SQLITE_BUSY", "SQLITE_LOCKED") else StorageFailure.CANNOT_OPEN
        raise StorageError(failure, path, str(exc)) from None
    result = row[0] if row else "no result"
    return result == "ok", "" if result == "ok" else str(result)


class Database:
    """Engine + session factory for the app's own database."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.engine: Engine = create_engine(
            URL.create("sqlite", database=str(self.path)),
            connect_args={"check_same_thread": False, "timeout": 5},
        )
        event.listen(self.engine, "connect", _set_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> tuple[Database, list[StorageNotice]]:
        """Open (creating or recovering as needed) and migrate to the newest schema.

        A corrupt file is never deleted: it is renamed aside so a technician
        can try to rescue it, and the app starts on a fresh database.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(StorageFailure.CANNOT_OPEN, path, str(exc)) from None
        notices: list[StorageNotice] = []
        healthy, detail = is_healthy_sqlite(path)
        if not healthy:
            kept = _move_aside(path)
            log.error("database %s is corrupt (%s); kept as %s", path, detail, kept)
            notices.append(StorageNotice(NoticeKind.RECOVERED_FROM_CORRUPT, kept, detail))
        db = cls(path)
        try:
            backup = db.migrate()
        except BaseException:
            db.close()
            raise
        if backup is not None:
            notices.append(StorageNotice(NoticeKind.MIGRATED, backup))
        return db, notices

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not conn.dialect.has_table(conn, "alembic_version"):
                return None
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return row[0] if row else None

    def migrate(self, revision: str = "head") -> Path | None:
        """Upgrade to ``revision``; returns the backup taken of an existing DB, if any.

        A database from a newer app version is refused untouched; a failed
        upgrade puts the pre-upgrade copy back before reporting.
        """
        try:
            current = self.current_revision()
        except Exception as exc:  # sqlalchemy wraps sqlite errors
            raise StorageError(StorageFailure.CANNOT_OPEN, self.path, str(exc)) from None
        if revision == "head" and current == SCHEMA_HEAD:
            return None  # the common case: nothing to do, and no Alembic import
        from alembic import command
        from alembic.script import ScriptDirectory

        target = head_revision() if revision == "head" else revision
        if current == target:
            return None
        known = {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
        if current is not None and current not in known:
            raise StorageError(StorageFailure.NEWER_SCHEMA, self.path, f"revision {current}")
        backup = None
        if current is not None:
            # An upgrade rewrites the user's data: keep a copy of what it was.
            backup = self.path.with_name(f"{self.path.name}.before-{target}.bak")
            self.backup_to(backup)
        cfg = _alembic_config()
        try:
            with self._write_lock, self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
        except Exception as exc:
            log.exception("migration %s -> %s failed", current, target)
            if backup is not None:
                self.engine.dispose()
                _copy_sqlite(backup, self.path)
            raise StorageError(StorageFailure.MIGRATION_FAILED, self.path, str(exc)) from None
        log.info("database migrated from %s to %s", current, target)
        return backup

    def backup_to(self, target: Path) -> None:
        _copy_sqlite(self.path, target)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._as_storage_errors(), self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a transaction, committed on success; one writer at a time.

        A full disk, a read-only file, a lock held too long or a failing disk raise :class:`StorageError`
        naming it (the transaction is rolled back, the data before it intact), so every caller can say what
        happened and what to do instead of showing SQLAlchemy's text.
        """
        with self._as_storage_errors(), self._write_lock, self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def _as_storage_errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            failure = sqlite_failure(exc)
            if failure is None:
                raise
            log.warning("database %s: %s (%s)", self.path, failure.value, exc.orig)
            raise StorageError(failure, self.path, str(exc.orig)) from exc

    @contextmanager
    def maintenance(self) -> Iterator[Any]:
        """The raw sqlite3 connection, outside any transaction (VACUUM needs that), as the one writer."""
        with self._write_lock, self.engine.connect() as connection:
            yield connection.connection.driver_connection

    def close(self) -> None:
        self.engine.dispose()


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _move_aside(path: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.replace(kept)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    return kept
