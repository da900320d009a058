"""Every technician action leaves one audit entry, whether it works or fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.storage.db import Database
from app.technician.actions import Action, audited
from app.technician.audit import AuditLog


def test_a_successful_action_is_recorded_with_its_summary(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    audit = AuditLog(db)
    result = audited(audit, "Trần Kỹ Thuật", Action.DB_VACUUM, lambda: 4096,
                     summary=lambda freed: {"reclaimed": freed}, database="app")
    assert result == 4096
    (entry,) = audit.entries()
    assert (entry.technician, entry.action, entry.result) == ("Trần Kỹ Thuật", "db.vacuum", "ok")
    assert entry.detail == {"database": "app", "reclaimed": 4096}


def test_a_failed_action_is_recorded_and_the_error_still_raised(tmp_path: Path) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    audit = AuditLog(db)

    def broken() -> None:
        raise PermissionError("settings.toml is read-only")

    with pytest.raises(PermissionError):
        audited(audit, "Trần Kỹ Thuật", Action.SETTINGS_SAVE, broken)
    (entry,) = audit.entries()
    assert (entry.action, entry.result) == ("settings.save", "failed")
    assert "read-only" in entry.detail["error"]
