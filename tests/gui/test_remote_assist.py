"""Nhờ hỗ trợ từ xa: a fake AnyDesk on PATH (a real executable), a saved request, consent, the audit log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.support.models import Category, Channel, NewRequest, Severity
from app.technician.audit import AuditLog
from app.technician.consent import ConsentOutcome
from app.technician.remote_tools import NoRegistry, ToolDetector
from app.ui.support.state import SupportState
from app.ui.tasks import TaskRunner
from app.ui.technician.remote_dialog import RemoteAssistDialog

NEW = NewRequest(Category.BARCODE_DEVICE, Severity.HIGH, "Máy in tem không in", "In tem ra giấy trắng",
                 "Chị Lan", "+84903112233", Channel.REMOTE)


@pytest.fixture
def anydesk(tmp_path: Path) -> ToolDetector:
    """A stand-in AnyDesk: answers --get-id like the real one, otherwise stays open like a GUI tool."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "anydesk"
    tool.write_text('#!/bin/sh\nif [ "$1" = "--get-id" ]; then echo 987654321; exit 0; fi\nsleep 30\n')
    tool.chmod(0o755)
    return ToolDetector(platform="linux", environ={"PATH": str(bin_dir)}, registry=NoRegistry(),
                        opt_root=tmp_path / "opt")


def make(qtbot: QtBot, runtime: Runtime, detector: ToolDetector) -> tuple[RemoteAssistDialog, SupportState, str]:
    request = runtime.support.create(NEW, coverage="warranty", response_due_at=None)
    runner = TaskRunner()
    support = SupportState(runtime, runner)
    support.load()
    qtbot.waitUntil(lambda: len(support.requests) == 1, timeout=5000)
    dialog = RemoteAssistDialog(runtime, runner, support, technician="Trần Minh Kỹ", detector=detector)
    qtbot.addWidget(dialog)
    dialog._keep = (runner, support)
    qtbot.waitUntil(lambda: dialog.tool_list.count() == 1, timeout=5000)
    return dialog, support, request.id


def test_the_id_is_read_and_saved_with_the_request(qtbot: QtBot, runtime: Runtime, anydesk: ToolDetector) -> None:
    dialog, _support, request_id = make(qtbot, runtime, anydesk)
    assert dialog.tool_list.item(0).text() == "AnyDesk"
    dialog.read_tool_id()
    qtbot.waitUntil(lambda: dialog.remote_id.text() == "987654321", timeout=10000)
    dialog.send_id()
    qtbot.waitUntil(lambda: bool(runtime.support.get(request_id).attachments), timeout=10000)
    (attachment,) = runtime.support.get(request_id).attachments
    assert attachment.filename == "truy-cap-tu-xa.json"
    assert json.loads(Path(attachment.path).read_text(encoding="utf-8"))["remote_id"] == "987654321"


def test_a_session_starts_only_after_the_shop_agrees_and_both_ends_are_audited(
        qtbot: QtBot, runtime: Runtime, anydesk: ToolDetector) -> None:
    dialog, _support, _request_id = make(qtbot, runtime, anydesk)
    dialog.remote_id.setText("987 654 321")
    consent = dialog.ask_consent()
    assert consent is not None
    from PySide6.QtWidgets import QLabel

    shown = " ".join(label.text() for label in consent.findChildren(QLabel))
    assert "Trần Minh Kỹ" in shown and "Máy in tem không in" in shown and "987 654 321" in shown
    assert dialog.session is None  # nothing runs before the shop says yes
    consent.by.setText("Chị Lan")
    with qtbot.waitSignal(dialog.session_changed, timeout=5000) as started:
        consent.approve_button.click()
    session = started.args[0]
    assert session is not None and session.decision.by == "Chị Lan" and dialog.end_button.isEnabled()
    with qtbot.waitSignal(dialog.session_changed, timeout=5000):
        dialog.end_button.click()
    qtbot.waitUntil(lambda: len(AuditLog(runtime.database).entries()) == 3, timeout=5000)
    entries = list(reversed(AuditLog(runtime.database).entries()))
    assert [(e.technician, e.action, e.result) for e in entries] == [
        ("Trần Minh Kỹ", "remote.consent", "approved"), ("Trần Minh Kỹ", "remote.session_start", "ok"),
        ("Trần Minh Kỹ", "remote.session_end", "ok")]
    assert entries[0].detail["remote_id"] == "987654321" and entries[2].detail["reason"] == "ended"


def test_silence_is_a_no(qtbot: QtBot, runtime: Runtime, anydesk: ToolDetector) -> None:
    dialog, _support, _request_id = make(qtbot, runtime, anydesk)
    dialog.consent_timeout_s = 1
    consent = dialog.ask_consent()
    assert consent is not None
    qtbot.waitUntil(lambda: AuditLog(runtime.database).entries() != [], timeout=8000)
    (entry,) = AuditLog(runtime.database).entries()
    assert entry.action == "remote.consent" and entry.result == ConsentOutcome.TIMED_OUT.value
    qtbot.waitUntil(lambda: not consent.isVisible(), timeout=5000)  # the window closes once it is on record
    assert dialog.session is None and "không đồng ý" in dialog.message.text()


def test_no_tool_installed_points_to_the_hotline(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> None:
    detector = ToolDetector(platform="linux", environ={"PATH": str(tmp_path)}, registry=NoRegistry(),
                            opt_root=tmp_path / "opt")
    runner = TaskRunner()
    support = SupportState(runtime, runner)
    dialog = RemoteAssistDialog(runtime, runner, support, detector=detector)
    qtbot.addWidget(dialog)
    dialog._keep = (runner, support)
    qtbot.waitUntil(lambda: "1900 6037" in dialog.id_status.text(), timeout=5000)
    assert not dialog.start_button.isEnabled() and not dialog.open_button.isEnabled()
    assert os.environ.get("PATH")  # the real PATH was never searched (the detector's own PATH was)


def test_without_an_open_request_a_new_one_is_prefilled_with_the_tool_and_id(
        qtbot: QtBot, make_app, anydesk: ToolDetector) -> None:
    application = make_app()
    window = application.build_window()
    qtbot.addWidget(window)
    window.remote_tools = anydesk
    dialog = window.open_remote_assist()
    qtbot.waitUntil(lambda: dialog.tool_list.count() == 1, timeout=5000)
    dialog.remote_id.setText("987654321")
    dialog.new_request_button.click()
    form = window.request_form
    assert form.title.text() == "Cần hỗ trợ từ xa"
    assert form.description.toPlainText() == "Nhờ hỗ trợ từ xa qua AnyDesk ID: 987 654 321."
    assert form.channel.currentData() == Channel.REMOTE.value
    form.reject()


def test_the_session_ends_on_its_own_when_the_tool_is_closed(qtbot: QtBot, runtime: Runtime,
                                                             anydesk: ToolDetector) -> None:
    dialog, _support, _request_id = make(qtbot, runtime, anydesk)
    dialog.open_tool()  # the fake AnyDesk stays up for 30 s, like a GUI tool
    qtbot.waitUntil(lambda: dialog.process is not None, timeout=5000)
    consent = dialog.ask_consent()
    assert consent is not None
    with qtbot.waitSignal(dialog.session_changed, timeout=5000):
        consent.approve_button.click()
    dialog._watch_tool()
    qtbot.wait(500)
    assert dialog.session is not None  # still running: the session goes on
    dialog.process.kill()
    dialog.process.wait()
    with qtbot.waitSignal(dialog.session_changed, timeout=10000):
        dialog._watch_tool()
    qtbot.waitUntil(lambda: AuditLog(runtime.database).entries()[0].action == "remote.session_end", timeout=5000)
    assert AuditLog(runtime.database).entries()[0].detail["reason"] == "tool_exited"


def test_quitting_the_app_during_a_session_records_its_end_as_app_closed(
        qtbot: QtBot, runtime: Runtime, make_app, anydesk: ToolDetector) -> None:
    """Tray → Thoát (or Windows logging off) quits without closing the dialog: the session must still end on
    record, at once, before the database closes."""
    runtime.support.create(NEW, coverage="warranty", response_due_at=None)
    application = make_app()
    window = application.build_window()
    qtbot.addWidget(window)
    window.remote_tools = anydesk
    dialog = window.open_remote_assist()
    qtbot.waitUntil(lambda: dialog.tool_list.count() == 1 and dialog.request_combo.currentData() is not None,
                    timeout=5000)  # the window's requests are read in a worker
    dialog.technician.setText("Trần Minh Kỹ")
    dialog.remote_id.setText("987654321")
    consent = dialog.ask_consent()
    assert consent is not None
    consent.by.setText("Chị Lan")
    with qtbot.waitSignal(dialog.session_changed, timeout=5000):
        consent.approve_button.click()
    qtbot.waitUntil(lambda: len(AuditLog(runtime.database).entries()) == 2, timeout=5000)

    application.shutdown()  # what QApplication.aboutToQuit runs

    end = AuditLog(runtime.database).entries()[0]  # already written: no event loop turns after a quit
    assert (end.technician, end.action, end.result) == ("Trần Minh Kỹ", "remote.session_end", "ok")
    assert end.detail["reason"] == "app_closed" and end.detail["remote_id"] == "987654321"
    assert dialog.session is None
    dialog.close()  # closing afterwards records nothing more
    QApplication.processEvents()
    assert [e.action for e in AuditLog(runtime.database).entries()].count("remote.session_end") == 1
