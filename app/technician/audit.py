"""The technician audit log: who did what on this PC, and how it went.

Append-only from the app: there is no update or delete here.  ``action`` and
``result`` are codes (the UI words them); ``detail`` is stored as JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.storage.repositories import AppendOnlyLog, detail_json
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


class AuditLog(AppendOnlyLog[AuditLogRow, AuditEntry]):
    """The audit log's one table: entries are recorded and read, never changed."""

    _table = AuditLogRow

    def record(self, technician: str, action: str, result: str, **detail: Any) -> AuditEntry:
        return self._append(lambda at: AuditLogRow(at=at, technician=technician, action=action, result=result,
                                                   detail=detail_json(detail)))

    def entries(self, limit: int = 100, since: dt.datetime | None = None) -> list[AuditEntry]:
        """Newest first; ``since`` (aware) keeps entries at or after it."""
        return self._newest_first(limit, since)

    def csv_text(self, since: dt.datetime | None = None) -> tuple[str, int]:
        """Every entry (or those at or after ``since``), oldest first, as CSV text; and the row count."""
        query = self._since(since).order_by(AuditLogRow.at, AuditLogRow.id)
        with self._db.read() as session:
            rows = [self._entry(row) for row in session.scalars(query)]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for e in rows:
            writer.writerow([_inert(cell) for cell in (e.at.isoformat(), e.technician, e.action, e.result,
                                                       json.dumps(e.detail, ensure_ascii=False))])
        return buffer.getvalue(), len(rows)

    def export_csv(self, path: Path, since: dt.datetime | None = None) -> int:
        """Write the entries as UTF-8 with a BOM (Excel opens it right); returns the row count."""
        text, count = self.csv_text(since)
        Path(path).write_text(text, encoding="utf-8-sig", newline="")
        return count

    def _entry(self, row: AuditLogRow) -> AuditEntry:
        return AuditEntry(row.id, row.at, row.technician, row.action, row.result, json.loads(row.detail))


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text: the technician's name is typed at the shop, and Excel would run
    "=HYPERLINK(…)" (OWASP, CSV injection: a leading =, +, -, @, tab or carriage return starts a formula)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
