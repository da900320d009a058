"""The technician audit log: who did what on this PC, and how it went.

Append-only from the app: there is no update or delete here.  ``action`` and
``result`` are codes (the UI words them); ``detail`` is stored as JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.storage.db import Database
from app.storage.repositories import Clock, utc_now
from app.storage.tables import AuditLogRow

CSV_COLUMNS = ("at", "technician", "action", "result", "detail")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    technician: str
    action: str
    result: str
    detail: dict[str, Any]


class AuditLog:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    def record(self, technician: str, action: str, result: str, **detail: Any) -> AuditEntry:
        with self._db.write() as session:
            row = AuditLogRow(
                at=self._clock(),
                technician=technician,
                action=action,
                result=result,
                detail=json.dumps(detail, ensure_ascii=False, default=str),
            )
            session.add(row)
            session.flush()
            return _entry(row)

    def entries(self, limit: int = 100, since: dt.datetime | None = None) -> list[AuditEntry]:
        """Newest first; ``since`` (aware) keeps entries at or after it."""
        query = select(AuditLogRow)
        if since is not None:
            query = query.where(AuditLogRow.at >= since)
        query = query.order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc()).limit(limit)
        with self._db.read() as session:
            return [_entry(row) for row in session.scalars(query)]

    def export_csv(self, path: Path) -> int:
        """Write every entry, oldest first, as UTF-8 with a BOM (Excel); returns the row count."""
        with self._db.read() as session:
            rows = [_entry(r) for r in session.scalars(select(AuditLogRow).order_by(AuditLogRow.at, AuditLogRow.id))]
        with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for e in rows:
                writer.writerow(
                    [e.at.isoformat(), e.technician, e.action, e.result, json.dumps(e.detail, ensure_ascii=False)]
                )
        return len(rows)


def _entry(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.technician, row.action, row.result, json.loads(row.detail))
