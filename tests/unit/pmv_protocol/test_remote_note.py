"""The remote-assistance note, written by the shop's app and read by the staff console from the one definition."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.technician.remote_tools import DISPLAY_NAMES, ToolKind, parse_id
from pmv_protocol.remote_note import NOTE_FILE, REMOTE_ID, note_json
from vendor_server.console.diagnostics import RemoteAccess, read_remote_access


@pytest.mark.parametrize("tool", list(ToolKind))
def test_what_the_app_writes_the_console_reads(tool: ToolKind, tmp_path: Path) -> None:
    path = tmp_path / NOTE_FILE
    path.write_text(note_json(tool.value, DISPLAY_NAMES[tool], "1234567890"), encoding="utf-8")
    assert read_remote_access(path) == RemoteAccess(DISPLAY_NAMES[tool], "1234567890")


def test_a_vietnamese_tool_name_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / NOTE_FILE
    path.write_text(note_json("other", "Điều khiển từ xa", "123456"), encoding="utf-8")
    assert "Điều khiển" in path.read_text(encoding="utf-8")  # not \u-escaped: staff may open the file itself
    assert read_remote_access(path) == RemoteAccess("Điều khiển từ xa", "123456")


@pytest.mark.parametrize(("typed", "accepted"), [
    ("123 456 789", "123456789"), ("1 234 567 890", "1234567890"),  # as the tools show them, grouped by three
    ("12345", None), ("1234567890123", None), ("12345a789", None)])  # too short, too long, not digits
def test_the_app_and_the_console_accept_the_same_ids(typed: str, accepted: str | None, tmp_path: Path) -> None:
    assert parse_id(typed) == accepted
    path = tmp_path / NOTE_FILE
    path.write_text(note_json("ultraviewer", "UltraViewer", typed), encoding="utf-8")
    read = read_remote_access(path)
    assert (read.remote_id if read else None) == accepted
    assert bool(REMOTE_ID.fullmatch(typed.replace(" ", ""))) == (accepted is not None)
