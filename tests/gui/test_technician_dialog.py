from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.technician.audit import AuditLog
from app.technician.unlock import sign_challenge
from app.ui.tasks import TaskRunner
from app.ui.technician.dialog import TechnicianDialog
from vendor_server.keys import VendorKeys


@pytest.fixture
def vendor_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VendorKeys:
    keys = VendorKeys(tmp_path / "vendor-keys")
    keys.init()
    trusted = tmp_path / "vendor_keys.json"
    keys.write_public(trusted)
    # The one stand-in: the app's shipped trust file points at this test vendor's public keys.
    monkeypatch.setattr("app.keys.shipped_keys_file", lambda: trusted)
    return keys


def test_a_signed_code_unlocks_for_the_named_technician_and_is_audited(
    qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys
) -> None:
    runner = TaskRunner()
    dialog = TechnicianDialog(runtime, runner)
    qtbot.addWidget(dialog)
    code = sign_challenge(dialog.challenge.code(), "Nguyễn Văn Kỹ", vendor_keys.private("technician"),
                          dt.datetime.now(dt.UTC))
    dialog.code.setText(code)
    dialog.unlock()
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=5000)
    assert dialog.session.technician == "Nguyễn Văn Kỹ"
    assert "Nguyễn Văn Kỹ" in dialog.status.text() and "phút" in dialog.status.text()
    entries = AuditLog(runtime.database).entries()
    assert [(e.technician, e.action, e.result) for e in entries] == [("Nguyễn Văn Kỹ", "unlock", "ok")]
    # The same code again is a replay: refused, and that too is on record.
    dialog.unlock()
    qtbot.waitUntil(lambda: "đã được dùng" in dialog.message.text(), timeout=5000)
    assert AuditLog(runtime.database).entries()[0].result == "replayed"


def test_a_garbled_code_is_refused_with_a_reason(qtbot: QtBot, runtime: Runtime, vendor_keys: VendorKeys) -> None:
    runner = TaskRunner()
    dialog = TechnicianDialog(runtime, runner)
    qtbot.addWidget(dialog)
    dialog.code.setText("ABCD-EFGH")
    dialog.unlock()
    qtbot.waitUntil(lambda: "gõ chưa đúng" in dialog.message.text(), timeout=5000)
    assert dialog.session is None
