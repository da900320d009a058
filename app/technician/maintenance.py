"""Maintenance of the app's own SQLite store: integrity check and VACUUM (technician mode).

Both go through :meth:`Database.write`, the one writer, so nothing else writes
while they run; VACUUM needs that, and an integrity check under a writer would
report a moving target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text

from app.storage.db import Database


@dataclass(frozen=True)
class IntegrityResult:
    ok: bool
    problems: list[str]  # SQLite's own lines ("row 12 missing from index ..."); empty when ok
    duration_ms: int


@dataclass(frozen=True)
class VacuumResult:
    bytes_before: int
    bytes_after: int
    duration_ms: int

    @property
    def reclaimed(self) -> int:
        return max(0, self.bytes_before - self.bytes_after)


def _size(db: Database) -> int:
    total = 0
    for suffix in ("", "-wal"):
        path = db.path.with_name(db.path.name + suffix)
        if path.exists():
            total += path.stat().st_size
    return total


def integrity_check(db: Database, max_problems: int = 100) -> IntegrityResult:
    started = time.perf_counter()
    with db.write() as session:
        rows = [str(row[0]) for row in session.execute(text(f"PRAGMA integrity_check({int(max_problems)})"))]
        rows += [f"foreign key: {tuple(row)}" for row in session.execute(text("PRAGMA foreign_key_check"))]
    ok = rows == ["ok"]
    return IntegrityResult(ok, [] if ok else [r for r in rows if r != "ok"],
                           int((time.perf_counter() - started) * 1000))


def vacuum(db: Database) -> VacuumResult:
    """Rewrite the database file compactly; the WAL is checkpointed first so the sizes are honest."""
    started = time.perf_counter()
    before = _size(db)
    with db.maintenance() as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return VacuumResult(before, _size(db), int((time.perf_counter() - started) * 1000))
