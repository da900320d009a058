"""Remote-desktop tools: detection, start, ID reading, the support-request note.

The tests run on Linux.  Windows is simulated: a fake install tree (tmp dirs
laid out like Program Files, Program Files (x86), %LOCALAPPDATA% and
%APPDATA%) handed to the detector through its injected environment, a fake
registry object implementing the ``Registry`` protocol, and a fake ``winreg``
module for ``WindowsRegistry``.  The ID reading runs real executable fake
tools: small shell scripts that print an ID, print garbage, hang or fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.support.models import Channel
from app.technician.remote_tools import (
    DISPLAY_NAMES,
    TOOL_ORDER,
    Hive,
    IdReason,
    IdResult,
    NoRegistry,
    RemoteAccessNote,
    RemoteTool,
    ToolDetector,
    ToolKind,
    ToolSource,
    WindowsRegistry,
    format_id,
    launch,
    parse_id,
    read_id,
    support_note,
    system_registry,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake tools are POSIX shell scripts")


class FakeRegistry:
    """A ``Registry`` over plain data: Uninstall entries and (hive, subkey, name) -> value."""

    def __init__(self, entries: list[dict[str, str]] | None = None,
                 values: dict[tuple[Hive, str, str], str | int] | None = None) -> None:
        self.entries = entries or []
        self.values = values or {}
        self.calls = 0

    def uninstall_entries(self) -> list[dict[str, str]]:
        self.calls += 1
        return list(self.entries)

    def value(self, hive: Hive, subkey: str, name: str) -> str | int | None:
        self.calls += 1
        return self.values.get((hive, subkey, name))


class ExplodingRegistry:
    def uninstall_entries(self) -> list[dict[str, str]]:
        raise AssertionError("the registry must not be read off Windows")

    def value(self, hive: Hive, subkey: str, name: str) -> str | int | None:
        raise AssertionError("the registry must not be read off Windows")


def touch(path: Path, body: str = "MZ") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


def script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


@pytest.fixture
def win_env(tmp_path: Path) -> dict[str, str]:
    roots = {
        "ProgramFiles": tmp_path / "Program Files",
        "ProgramFiles(x86)": tmp_path / "Program Files (x86)",
        "LOCALAPPDATA": tmp_path / "Users/thungan/AppData/Local",
        "APPDATA": tmp_path / "Users/thungan/AppData/Roaming",
    }
    for root in roots.values():
        root.mkdir(parents=True)
    return {key: str(value) for key, value in roots.items()}


# --- detection on Windows -----------------------------------------------------------------


def test_windows_tree_finds_each_tool_where_it_installs(win_env: dict[str, str]) -> None:
    uv = touch(Path(win_env["ProgramFiles(x86)"]) / "UltraViewer/UltraViewer_Desktop.exe")
    tv = touch(Path(win_env["ProgramFiles"]) / "TeamViewer/TeamViewer.exe")
    # Different case than the table: Windows names are case-insensitive.
    ad = touch(Path(win_env["APPDATA"]) / "anydesk/ANYDESK.EXE")
    rd = touch(Path(win_env["LOCALAPPDATA"]) / "Programs/RustDesk/rustdesk.exe")
    # Decoys: a setup program and a folder without the executable.
    touch(Path(win_env["ProgramFiles"]) / "UltraViewer/UltraViewer_setup.exe")
    (Path(win_env["ProgramFiles(x86)"]) / "AnyDesk").mkdir()

    tools = ToolDetector(platform="win32", environ=win_env, registry=FakeRegistry()).detect()

    assert tools == [
        RemoteTool(ToolKind.ULTRAVIEWER, uv, None, ToolSource.INSTALL_DIR),
        RemoteTool(ToolKind.TEAMVIEWER, tv, None, ToolSource.INSTALL_DIR),
        RemoteTool(ToolKind.ANYDESK, ad, None, ToolSource.USER_DIR),
        RemoteTool(ToolKind.RUSTDESK, rd, None, ToolSource.USER_DIR),
    ]


def test_windows_registry_entry_wins_and_gives_the_version(win_env: dict[str, str], tmp_path: Path) -> None:
    uv = touch(Path(win_env["ProgramFiles(x86)"]) / "UltraViewer/UltraViewer_Desktop.exe")
    # RustDesk installed somewhere no folder scan would look: only the registry knows.
    rd = touch(tmp_path / "D/Tools/RD/rustdesk.exe")
    registry = FakeRegistry(entries=[
        {"DisplayName": "UltraViewer version 6.6", "DisplayVersion": "6.6.110",
         "DisplayIcon": f'"{uv}",0'},
        {"DisplayName": "RustDesk", "DisplayVersion": "1.3.2", "InstallLocation": str(rd.parent)},
        # Left over after an uninstall: the executable is gone.
        {"DisplayName": "AnyDesk", "DisplayVersion": "8.0", "DisplayIcon": str(tmp_path / "gone/AnyDesk.exe")},
        # Shares the name, is not the tool.
        {"DisplayName": "TeamViewer Meeting Add-In", "DisplayIcon": f"{uv}"},
        {"DisplayName": "Phần Mềm Vàng", "InstallLocation": str(tmp_path)},
    ])

    tools = ToolDetector(platform="win32", environ=win_env, registry=registry).detect()

    assert tools == [
        RemoteTool(ToolKind.ULTRAVIEWER, uv, "6.6.110", ToolSource.REGISTRY),
        RemoteTool(ToolKind.RUSTDESK, rd, "1.3.2", ToolSource.REGISTRY),
    ]
    assert registry.calls == 1


def test_windows_nothing_installed_and_find(win_env: dict[str, str]) -> None:
    detector = ToolDetector(platform="win32", environ=win_env, registry=FakeRegistry())
    assert detector.detect() == []
    assert detector.find(ToolKind.ULTRAVIEWER) is None
    # Missing environment variables mean "no such root", not a crash.
    assert ToolDetector(platform="win32", environ={}, registry=FakeRegistry()).detect() == []

    tv = touch(Path(win_env["ProgramFiles(x86)"]) / "TeamViewer/TeamViewerQS.exe")
    found = detector.find(ToolKind.TEAMVIEWER)
    assert found is not None and found.path == tv


# --- detection elsewhere ------------------------------------------------------------------


def test_linux_uses_path_and_opt_and_never_the_registry(tmp_path: Path) -> None:
    bin_a, bin_b, opt = tmp_path / "bin_a", tmp_path / "bin_b", tmp_path / "opt"
    anydesk = script(bin_b / "anydesk", "exit 0\n")
    script(bin_a / "ultraviewer", "exit 0\n")  # Windows-only product: never offered here
    touch(bin_a / "rustdesk")  # not executable
    tv = script(opt / "teamviewer/tv_bin/script/teamviewer", "exit 0\n")
    rustdesk = script(opt / "rustdesk/rustdesk", "exit 0\n")

    detector = ToolDetector(platform="linux", environ={"PATH": f"{bin_a}{os.pathsep}{bin_b}"},
                            registry=ExplodingRegistry(), opt_root=opt)

    assert detector.detect() == [
        RemoteTool(ToolKind.TEAMVIEWER, tv, None, ToolSource.OPT),
        RemoteTool(ToolKind.ANYDESK, anydesk, None, ToolSource.PATH),
        RemoteTool(ToolKind.RUSTDESK, rustdesk, None, ToolSource.OPT),
    ]


def test_linux_prefers_path_over_opt(tmp_path: Path) -> None:
    on_path = script(tmp_path / "bin/rustdesk", "exit 0\n")
    script(tmp_path / "opt/rustdesk/rustdesk", "exit 0\n")
    detector = ToolDetector(platform="linux", environ={"PATH": str(tmp_path / "bin")}, opt_root=tmp_path / "opt")
    assert detector.detect() == [RemoteTool(ToolKind.RUSTDESK, on_path, None, ToolSource.PATH)]


def test_system_registry_is_empty_off_windows() -> None:
    registry = system_registry("linux")
    assert isinstance(registry, NoRegistry)
    assert registry.uninstall_entries() == [] and registry.value(Hive.LOCAL_MACHINE, "SOFTWARE", "x") is None
    assert "winreg" not in sys.modules


def test_tool_kinds_have_product_names() -> None:
    assert [k.value for k in TOOL_ORDER] == ["ultraviewer", "teamviewer", "anydesk", "rustdesk"]
    assert set(DISPLAY_NAMES) == set(ToolKind)
    assert ToolKind.ULTRAVIEWER.display_name == "UltraViewer" and ToolKind("anydesk") is ToolKind.ANYDESK


# --- WindowsRegistry over a fake winreg ---------------------------------------------------


class FakeKey:
    def __init__(self, values: dict[str, Any], subkeys: dict[str, FakeKey]) -> None:
        self.values, self.subkeys = values, subkeys

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeWinreg:
    """Enough of ``winreg`` for WindowsRegistry: keys are nested dicts per (hive, view)."""

    HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER = 1, 2
    KEY_READ, KEY_WOW64_64KEY, KEY_WOW64_32KEY = 0x20019, 0x100, 0x200

    def __init__(self, trees: dict[tuple[int, int], dict[str, Any]]) -> None:
        self.trees = trees
        self.opened: list[tuple[Any, str, int]] = []

    def _build(self, node: dict[str, Any]) -> FakeKey:
        values = {k: v for k, v in node.items() if not isinstance(v, dict)}
        subs = {k: self._build(v) for k, v in node.items() if isinstance(v, dict)}
        return FakeKey(values, subs)

    def OpenKey(self, key: Any, sub_key: str, reserved: int = 0, access: int = 0) -> FakeKey:  # noqa: N802
        self.opened.append((key, sub_key, access))
        if isinstance(key, FakeKey):
            node = key
        else:
            view = access & (self.KEY_WOW64_64KEY | self.KEY_WOW64_32KEY)
            node = self._build(self.trees.get((key, view), {}))
        for part in sub_key.split("\\"):
            if part not in node.subkeys:
                raise FileNotFoundError(sub_key)
            node = node.subkeys[part]
        return node

    def EnumKey(self, key: FakeKey, index: int) -> str:  # noqa: N802
        names = list(key.subkeys)
        if index >= len(names):
            raise OSError("no more data")
        return names[index]

    def QueryValueEx(self, key: FakeKey, name: str) -> tuple[Any, int]:  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name], 1


def _nested(path: str, leaf: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = leaf
    for part in reversed(path.split("\\")):
        node = {part: node}
    return node


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = _merge(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def test_windows_registry_reads_both_hklm_views_and_hkcu() -> None:
    uninstall = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
    w = FakeWinreg({
        (1, 0x100): _merge(_nested(uninstall, {"{RUST}": {"DisplayName": "RustDesk", "DisplayVersion": "1.3.2"}}),
                           _nested(r"SOFTWARE\TeamViewer", {"ClientID": 1234567890})),
        (1, 0x200): _nested(uninstall, {"UltraViewer_is1": {"DisplayName": "UltraViewer", "DisplayIcon": "C:\\uv.exe",
                                                            "Publisher": "DucFabulous"},
                                        "Empty": {}}),
        (2, 0): _nested(uninstall, {"AnyDesk": {"DisplayName": "AnyDesk", "InstallLocation": ""}}),
    })
    registry = WindowsRegistry(module=w)

    assert registry.uninstall_entries() == [
        {"DisplayName": "RustDesk", "DisplayVersion": "1.3.2"},
        {"DisplayName": "UltraViewer", "DisplayIcon": "C:\\uv.exe"},
        {"DisplayName": "AnyDesk"},
    ]
    assert registry.value(Hive.LOCAL_MACHINE, r"SOFTWARE\TeamViewer", "ClientID") == 1234567890
    assert registry.value(Hive.LOCAL_MACHINE, r"SOFTWARE\TeamViewer", "Missing") is None
    assert registry.value(Hive.CURRENT_USER, r"SOFTWARE\TeamViewer", "ClientID") is None


# --- starting a tool ----------------------------------------------------------------------


def test_launch_is_detached_and_does_not_wait(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    tool_path = script(tmp_path / "tools/anydesk", f'pwd > "{out}.tmp"; mv "{out}.tmp" "{out}"; sleep 5\n')
    started = time.monotonic()
    process = launch(RemoteTool(ToolKind.ANYDESK, tool_path), platform="linux")
    try:
        assert time.monotonic() - started < 2
        assert process.poll() is None  # still running, we did not wait for it
        assert os.getsid(process.pid) == process.pid  # its own session: survives the app
        deadline = time.monotonic() + 5
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert out.read_text().strip() == str(tool_path.parent)
    finally:
        process.kill()
        process.wait()


def test_launch_on_windows_asks_for_a_detached_process(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    sentinel: Any = object()

    def fake_popen(args: list[str], **kwargs: Any) -> Any:
        seen.update(kwargs, args=args)
        return sentinel

    tool = RemoteTool(ToolKind.ULTRAVIEWER, tmp_path / "UltraViewer" / "UltraViewer_Desktop.exe")
    assert launch(tool, platform="win32", popen=fake_popen) is sentinel
    assert seen["args"] == [str(tool.path)]
    assert seen["creationflags"] == 0x00000008 | 0x00000200  # DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
    assert "start_new_session" not in seen and seen["stdout"] is subprocess.DEVNULL


def test_launch_missing_tool_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        launch(RemoteTool(ToolKind.RUSTDESK, tmp_path / "nope/rustdesk"), platform="linux")


# --- reading the ID -----------------------------------------------------------------------


def _tool(kind: ToolKind, path: Path) -> RemoteTool:
    return RemoteTool(kind, path, None, ToolSource.PATH)


def test_anydesk_id_from_get_id(tmp_path: Path) -> None:
    # The fake refuses anything but --get-id, so the argument is checked too.
    exe = script(tmp_path / "anydesk", '[ "$1" = "--get-id" ] || exit 3\nprintf "123 456 789\\r\\n"\n')
    assert read_id(_tool(ToolKind.ANYDESK, exe), platform="linux") == IdResult(ToolKind.ANYDESK, "123456789",
                                                                                IdReason.OK)


def test_rustdesk_id_after_a_banner(tmp_path: Path) -> None:
    exe = script(tmp_path / "rustdesk", 'echo "[INFO] config loaded"\necho\necho " 987654321 "\n')
    assert read_id(_tool(ToolKind.RUSTDESK, exe), platform="linux") == IdResult(ToolKind.RUSTDESK, "987654321",
                                                                                 IdReason.OK)


def test_garbage_output_is_unreadable(tmp_path: Path) -> None:
    exe = script(tmp_path / "rustdesk", 'echo "error: service is not running"\n')
    result = read_id(_tool(ToolKind.RUSTDESK, exe), platform="linux")
    assert result == IdResult(ToolKind.RUSTDESK, None, IdReason.UNREADABLE) and result.read_from_window


def test_non_zero_exit_is_reported_even_with_digits(tmp_path: Path) -> None:
    exe = script(tmp_path / "anydesk", 'echo 123456789\nexit 2\n')
    assert read_id(_tool(ToolKind.ANYDESK, exe), platform="linux") == IdResult(ToolKind.ANYDESK, None,
                                                                                IdReason.EXIT_STATUS)


def test_hanging_tool_times_out_and_its_children_die(tmp_path: Path) -> None:
    child_pid = tmp_path / "child.pid"
    # Not exec'd: the sleep is a grandchild holding the pipe open, as a real tool's helper would.
    exe = script(tmp_path / "anydesk", f'sleep 30 &\necho $! > "{child_pid}"\nwait\n')
    started = time.monotonic()
    result = read_id(_tool(ToolKind.ANYDESK, exe), platform="linux", timeout_s=0.5)
    assert result == IdResult(ToolKind.ANYDESK, None, IdReason.TIMED_OUT)
    assert time.monotonic() - started < 5
    pid = int(child_pid.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_unrunnable_tool_is_not_started(tmp_path: Path) -> None:
    exe = touch(tmp_path / "anydesk")  # not executable
    assert read_id(_tool(ToolKind.ANYDESK, exe), platform="linux").reason is IdReason.NOT_STARTED
    gone = read_id(_tool(ToolKind.RUSTDESK, tmp_path / "missing"), platform="linux")
    assert gone == IdResult(ToolKind.RUSTDESK, None, IdReason.NOT_STARTED)


def test_ultraviewer_id_is_read_from_its_window(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    exe = script(tmp_path / "UltraViewer_Desktop.exe", f'touch "{marker}"\necho 123456789\n')
    result = read_id(_tool(ToolKind.ULTRAVIEWER, exe), platform="linux")
    assert result == IdResult(ToolKind.ULTRAVIEWER, None, IdReason.SHOWN_IN_WINDOW)
    assert not marker.exists()  # nothing was started to ask it


def test_teamviewer_id_from_either_registry_view(tmp_path: Path) -> None:
    tool = _tool(ToolKind.TEAMVIEWER, tmp_path / "TeamViewer.exe")
    wow = FakeRegistry(values={(Hive.LOCAL_MACHINE, r"SOFTWARE\WOW6432Node\TeamViewer", "ClientID"): 1234567890})
    assert read_id(tool, registry=wow) == IdResult(ToolKind.TEAMVIEWER, "1234567890", IdReason.OK)
    native = FakeRegistry(values={(Hive.LOCAL_MACHINE, r"SOFTWARE\TeamViewer", "ClientID"): "987654321"})
    assert read_id(tool, registry=native).remote_id == "987654321"
    junk = FakeRegistry(values={(Hive.LOCAL_MACHINE, r"SOFTWARE\TeamViewer", "ClientID"): "n/a"})
    assert read_id(tool, registry=junk) == IdResult(ToolKind.TEAMVIEWER, None, IdReason.UNREADABLE)
    assert read_id(tool, registry=FakeRegistry()).reason is IdReason.SHOWN_IN_WINDOW
    # Off Windows the system registry is empty.
    assert read_id(tool, platform="linux").reason is IdReason.SHOWN_IN_WINDOW


@pytest.mark.parametrize(("output", "expected"), [
    ("123456789\n", "123456789"),
    ("  1 234 567 890 \r\n", "1234567890"),
    ("1\x002\x003\x004\x005\x006\x007\x00\n", "1234567"),  # UTF-16 read as UTF-8
    ("AnyDesk 8.0.9\n555 666 777\n", "555666777"),
    ("", None),
    ("\n \n", None),
    ("ID: abc-def\n", None),
    ("12345\n", None),  # too short to be an ID
    ("111222333\n444555666\n", None),  # two answers: trust neither
    ("111222333\n111 222 333\n", "111222333"),
])
def test_parse_id(output: str, expected: str | None) -> None:
    assert parse_id(output) == expected


# --- the support-request note -------------------------------------------------------------


def test_support_note() -> None:
    note = support_note(IdResult(ToolKind.ANYDESK, "1234567890", IdReason.OK))
    assert note == RemoteAccessNote(ToolKind.ANYDESK, "1234567890")
    assert note.line() == "AnyDesk ID: 1 234 567 890"
    assert note.as_dict() == {"remote_tool": "anydesk", "remote_tool_name": "AnyDesk", "remote_id": "1234567890"}
    assert note.channel is Channel.REMOTE
    uv = support_note(IdResult(ToolKind.ULTRAVIEWER, None, IdReason.SHOWN_IN_WINDOW))
    assert uv.line() == "UltraViewer" and uv.as_dict()["remote_id"] is None


@pytest.mark.parametrize(("raw", "shown"), [
    ("123456789", "123 456 789"), ("1234567", "1 234 567"), ("12345678", "12 345 678"), ("alias@ad", "alias@ad"),
])
def test_format_id(raw: str, shown: str) -> None:
    assert format_id(raw) == shown


def test_a_tool_counts_as_running_while_any_process_runs_its_program(tmp_path: Path) -> None:
    import subprocess

    from app.technician.remote_tools import tool_running

    program = tmp_path / "AnyDesk-fake"
    program.write_text("#!/bin/sh\nsleep 30\n")
    program.chmod(0o755)
    assert not tool_running(program)
    process = subprocess.Popen([str(program)])
    try:
        assert tool_running(program)
    finally:
        process.kill()
        process.wait()
    assert not tool_running(program)
