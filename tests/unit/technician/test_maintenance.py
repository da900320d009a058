"""Integrity check and VACUUM on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app.storage.db import Database
from app.technician.audit import AuditLog
from app.technician.maintenance import integrity_check, vacuum


def test_a_healthy_store_passes_the_integrity_check(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    result = integrity_check(db)
    assert result.ok and result.problems == []


def test_a_damaged_index_is_reported_with_sqlites_own_words(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    with db.write() as session:
        session.execute(text("CREATE TABLE t (a INTEGER)"))
        session.execute(text("CREATE INDEX t_a ON t(a)"))
        session.execute(text("INSERT INTO t VALUES (1), (2), (3)"))
    # Corrupt the index behind SQLite's back: writable_schema lets us point the index at nothing sensible.
    with db.maintenance() as raw:
        raw.execute("PRAGMA writable_schema = ON")
        raw.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX t_a ON t(a DESC)' WHERE name = 't_a'")
        raw.execute("PRAGMA writable_schema = OFF")
        raw.commit()
    db.close()
    db, _ = Database.open(tmp_path / "app.sqlite3")
    result = integrity_check(db)
    assert not result.ok and any("t_a" in line for line in result.problems)


def test_vacuum_gives_back_the_space_of_deleted_rows_and_keeps_the_rest(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    audit = AuditLog(db)
    for index in range(1500):
        audit.record("tech", "padding", "ok", blob="x" * 500, n=index)
    keep = audit.record("tech", "keep", "ok")
    with db.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE action = 'padding'"))
    result = vacuum(db)
    assert result.bytes_after < result.bytes_before and result.reclaimed > 500_000
    assert [e.id for e in audit.entries()] == [keep.id]
    assert integrity_check(db).ok
