"""Remote-desktop tools on this PC: find them, start one, read its ID (Qt-free).

"Nhờ hỗ trợ từ xa" lets the cashier hand the vendor's technician a way in.
Shops use UltraViewer most, then TeamViewer, AnyDesk and RustDesk.  This
module answers three questions with data only (the UI words the codes):

* which of them are installed (:class:`ToolDetector`): on Windows from the
  usual install folders and the registry's Uninstall keys, elsewhere from
  ``PATH`` and ``/opt``;
* start one (:func:`launch`), detached so the app never waits on it;
* what ID to read out to the technician (:func:`read_id`), where the tool can
  tell it: AnyDesk and RustDesk print it with ``--get-id``, TeamViewer keeps
  it in the registry, UltraViewer only shows it in its window.

The Windows registry sits behind the narrow :class:`Registry` protocol; the
real ``winreg`` implementation is picked at run time on Windows only and
``winreg`` is never imported elsewhere.
"""

from __future__ import annotations

import enum
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from app.support.models import Channel
from pmv_protocol.remote_note import REMOTE_ID

ID_TIMEOUT_SECONDS = 5.0
# Grace period for the pipes to drain after a hung --get-id was killed.
_KILL_GRACE_SECONDS = 2.0


class ToolKind(enum.StrEnum):
    """A remote-desktop product; the value is a stable code, never shown."""

    ULTRAVIEWER = "ultraviewer"
    TEAMVIEWER = "teamviewer"
    ANYDESK = "anydesk"
    RUSTDESK = "rustdesk"

    @property
    def display_name(self) -> str:
        return DISPLAY_NAMES[self]


# Product names are not translated, so they may live in the core.
DISPLAY_NAMES: Mapping[ToolKind, str] = {
    ToolKind.ULTRAVIEWER: "UltraViewer",
    ToolKind.TEAMVIEWER: "TeamViewer",
    ToolKind.ANYDESK: "AnyDesk",
    ToolKind.RUSTDESK: "RustDesk",
}

# The order the UI offers them in: UltraViewer first, it is what Vietnamese
# technicians ask for.
TOOL_ORDER: tuple[ToolKind, ...] = (ToolKind.ULTRAVIEWER, ToolKind.TEAMVIEWER, ToolKind.ANYDESK, ToolKind.RUSTDESK)


class ToolSource(enum.StrEnum):
    """Where a tool was found (for the technician's diagnostics)."""

    REGISTRY = "registry"  # an Uninstall entry pointing at an existing executable
    INSTALL_DIR = "install_dir"  # Program Files / Program Files (x86)
    USER_DIR = "user_dir"  # %LOCALAPPDATA% / %APPDATA% (per-user install or portable copy)
    PATH = "path"  # found by shutil.which
    OPT = "opt"  # /opt/<tool>/...


@dataclass(frozen=True)
class RemoteTool:
    """One installed remote-desktop tool and the executable that starts it."""

    kind: ToolKind
    path: Path
    version: str | None = None
    source: ToolSource = ToolSource.INSTALL_DIR


# --- the registry, behind a narrow interface ---------------------------------------------


class Hive(enum.StrEnum):
    """The two registry roots the app reads."""

    LOCAL_MACHINE = "HKLM"
    CURRENT_USER = "HKCU"


UNINSTALL_FIELDS = ("DisplayName", "DisplayVersion", "InstallLocation", "DisplayIcon")
UNINSTALL_KEY = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
# 64-bit TeamViewer writes the first, the 32-bit builds (most shop PCs) the second.
TEAMVIEWER_KEYS: tuple[tuple[Hive, str], ...] = (
    (Hive.LOCAL_MACHINE, r"SOFTWARE\TeamViewer"),
    (Hive.LOCAL_MACHINE, r"SOFTWARE\WOW6432Node\TeamViewer"),
)


class Registry(Protocol):
    """What the remote-tool code needs from the Windows registry, and nothing more."""

    def uninstall_entries(self) -> list[dict[str, str]]:
        """Every Uninstall entry (HKLM both views, HKCU) as ``{field: text}`` over UNINSTALL_FIELDS."""
        ...

    def value(self, hive: Hive, subkey: str, name: str) -> str | int | None:
        """One value (64-bit view), or None when the key or value is missing."""
        ...


class NoRegistry:
    """The registry of a PC that has none (Linux, macOS): always empty."""

    def uninstall_entries(self) -> list[dict[str, str]]:
        return []

    def value(self, hive: Hive, subkey: str, name: str) -> str | int | None:
        return None


class WindowsRegistry:
    """The real registry through ``winreg``, imported when constructed (so only on Windows).

    ``module`` replaces ``winreg`` (tests pass a fake one).
    """

    def __init__(self, module: Any | None = None) -> None:
        # importlib: winreg does not exist off Windows and must not be imported there.
        self._w: Any = module if module is not None else importlib.import_module("winreg")

    def uninstall_entries(self) -> list[dict[str, str]]:
        w = self._w
        # A 32-bit installer (UltraViewer, AnyDesk) registers in the 32-bit view of HKLM.
        views = ((w.HKEY_LOCAL_MACHINE, w.KEY_WOW64_64KEY), (w.HKEY_LOCAL_MACHINE, w.KEY_WOW64_32KEY),
                 (w.HKEY_CURRENT_USER, 0))
        entries: list[dict[str, str]] = []
        for hive, view in views:
            try:
                root = w.OpenKey(hive, UNINSTALL_KEY, 0, w.KEY_READ | view)
            except OSError:
                continue
            with root:
                for name in self._subkeys(root):
                    entry = self._entry(root, name, view)
                    if entry:
                        entries.append(entry)
        return entries

    def value(self, hive: Hive, subkey: str, name: str) -> str | int | None:
        w = self._w
        handle = w.HKEY_LOCAL_MACHINE if hive is Hive.LOCAL_MACHINE else w.HKEY_CURRENT_USER
        try:
            with w.OpenKey(handle, subkey, 0, w.KEY_READ | w.KEY_WOW64_64KEY) as key:
                value, _kind = w.QueryValueEx(key, name)
        except OSError:
            return None
        return value if isinstance(value, (str, int)) else None

    def _subkeys(self, key: Any) -> Iterable[str]:
        index = 0
        while True:
            try:
                yield self._w.EnumKey(key, index)
            except OSError:  # no more subkeys
                return
            index += 1

    def _entry(self, root: Any, name: str, view: int) -> dict[str, str]:
        w = self._w
        entry: dict[str, str] = {}
        try:
            with w.OpenKey(root, name, 0, w.KEY_READ | view) as sub:
                for field in UNINSTALL_FIELDS:
                    try:
                        value, _kind = w.QueryValueEx(sub, field)
                    except OSError:
                        continue
                    if value not in (None, ""):
                        entry[field] = str(value)
        except OSError:  # removed while we read, or no access
            return {}
        return entry


def system_registry(platform: str = sys.platform) -> Registry:
    """The registry of this PC: the real one on Windows, an empty one elsewhere."""
    if platform != "win32":
        return NoRegistry()
    try:
        return WindowsRegistry()
    except ImportError:  # a win32 platform string without winreg (should not happen)
        return NoRegistry()


# --- detection ----------------------------------------------------------------------------

# Executable names per tool on Windows, matched case-insensitively.
_WINDOWS_EXES: Mapping[ToolKind, tuple[str, ...]] = {
    ToolKind.ULTRAVIEWER: ("UltraViewer_Desktop.exe",),
    ToolKind.TEAMVIEWER: ("TeamViewer.exe", "TeamViewerQS.exe"),
    ToolKind.ANYDESK: ("AnyDesk.exe", "AnyDeskMSI.exe"),
    ToolKind.RUSTDESK: ("rustdesk.exe",),
}
_WINDOWS_DIRS: Mapping[ToolKind, tuple[str, ...]] = {
    ToolKind.ULTRAVIEWER: ("UltraViewer",),
    ToolKind.TEAMVIEWER: ("TeamViewer",),
    ToolKind.ANYDESK: ("AnyDesk", "AnyDeskMSI"),
    ToolKind.RUSTDESK: ("RustDesk",),
}
# UltraViewer has no Linux build, so it is not looked for there.
_POSIX_COMMANDS: Mapping[ToolKind, tuple[str, ...]] = {
    ToolKind.TEAMVIEWER: ("teamviewer",),
    ToolKind.ANYDESK: ("anydesk",),
    ToolKind.RUSTDESK: ("rustdesk",),
}
_POSIX_OPT: Mapping[ToolKind, tuple[str, ...]] = {
    ToolKind.TEAMVIEWER: ("teamviewer/tv_bin/script/teamviewer", "teamviewer/tv_bin/TeamViewer"),
    ToolKind.ANYDESK: ("anydesk/anydesk",),
    ToolKind.RUSTDESK: ("rustdesk/rustdesk",),
}
# Companion products that share the name but are not the remote-desktop tool.
_NOT_THE_TOOL = ("add-in", "addin", "outlook")
_ICON_INDEX = re.compile(r",\s*-?\d+\s*$")


class ToolDetector:
    """Finds the installed remote-desktop tools, at most one per kind, in TOOL_ORDER.

    Everything it looks at comes in through the constructor so tests can point
    it at a fake install tree: ``platform`` (``sys.platform`` style), ``environ``
    (ProgramFiles, ProgramFiles(x86), ProgramW6432, LOCALAPPDATA, APPDATA;
    PATH), ``registry`` (default: :func:`system_registry`, consulted on Windows
    only) and ``opt_root``.  Where a tool is found twice, the registry wins
    (it knows the version), then Program Files, then the user's folders.
    """

    def __init__(
        self,
        *,
        platform: str = sys.platform,
        environ: Mapping[str, str] | None = None,
        registry: Registry | None = None,
        opt_root: Path = Path("/opt"),
    ) -> None:
        self._platform = platform
        self._environ = dict(os.environ if environ is None else environ)
        self._registry = registry
        self._opt_root = opt_root

    @property
    def is_windows(self) -> bool:
        return self._platform == "win32"

    def detect(self) -> list[RemoteTool]:
        found = self._windows_candidates() if self.is_windows else self._posix_candidates()
        best: dict[ToolKind, RemoteTool] = {}
        for tool in found:
            best.setdefault(tool.kind, tool)
        return [best[kind] for kind in TOOL_ORDER if kind in best]

    def find(self, kind: ToolKind) -> RemoteTool | None:
        return next((tool for tool in self.detect() if tool.kind is kind), None)

    # Windows

    def _windows_candidates(self) -> list[RemoteTool]:
        registry = self._registry if self._registry is not None else system_registry(self._platform)
        found = list(self._from_registry(registry))
        # os.environ is case-insensitive on Windows; an injected mapping is not.
        env = {key.upper(): value for key, value in self._environ.items() if value}
        install_roots = [env[k] for k in ("PROGRAMW6432", "PROGRAMFILES", "PROGRAMFILES(X86)") if k in env]
        user_roots = [str(Path(env["LOCALAPPDATA"]) / "Programs")] if "LOCALAPPDATA" in env else []
        user_roots += [env[k] for k in ("LOCALAPPDATA", "APPDATA") if k in env]
        for kind in TOOL_ORDER:
            for roots, source in ((install_roots, ToolSource.INSTALL_DIR), (user_roots, ToolSource.USER_DIR)):
                for root in roots:
                    for folder in _WINDOWS_DIRS[kind]:
                        directory = _child(Path(root), folder)
                        exe = _child(directory, *_WINDOWS_EXES[kind])
                        if exe is not None and exe.is_file():
                            found.append(RemoteTool(kind, exe, None, source))
        return found

    def _from_registry(self, registry: Registry) -> Iterable[RemoteTool]:
        for entry in registry.uninstall_entries():
            name = entry.get("DisplayName", "").strip().casefold()
            kind = next((k for k in TOOL_ORDER if name.startswith(k.display_name.casefold())), None)
            if kind is None or any(word in name for word in _NOT_THE_TOOL):
                continue
            exe = _exe_from_entry(entry, _WINDOWS_EXES[kind])
            # An entry whose executable is gone (left-over, or an add-in such as
            # "TeamViewer Meeting Add-In") cannot start a session.
            if exe is not None:
                yield RemoteTool(kind, exe, entry.get("DisplayVersion") or None, ToolSource.REGISTRY)

    # Linux, macOS

    def _posix_candidates(self) -> list[RemoteTool]:
        search_path = self._environ.get("PATH", os.defpath)
        found: list[RemoteTool] = []
        for kind in TOOL_ORDER:
            for command in _POSIX_COMMANDS.get(kind, ()):
                hit = shutil.which(command, path=search_path)
                if hit is not None:
                    found.append(RemoteTool(kind, Path(hit), None, ToolSource.PATH))
            for relative in _POSIX_OPT.get(kind, ()):
                candidate = self._opt_root / relative
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    found.append(RemoteTool(kind, candidate, None, ToolSource.OPT))
        return found


def _child(directory: Path | None, *names: str) -> Path | None:
    """The entry of ``directory`` named like one of ``names``, ignoring case (as Windows does)."""
    if directory is None:
        return None
    try:
        entries = {entry.name.casefold(): Path(entry.path) for entry in os.scandir(directory)}
    except OSError:
        return None
    return next((entries[n.casefold()] for n in names if n.casefold() in entries), None)


def _exe_from_entry(entry: Mapping[str, str], exe_names: tuple[str, ...]) -> Path | None:
    icon = entry.get("DisplayIcon", "").strip()
    if icon:
        # DisplayIcon reads like  "C:\Program Files\AnyDesk\AnyDesk.exe",0
        icon = _ICON_INDEX.sub("", icon).strip().strip('"')
        path = Path(icon)
        if path.name.casefold() in {n.casefold() for n in exe_names} and path.is_file():
            return path
    location = entry.get("InstallLocation", "").strip().strip('"')
    if location:
        hit = _child(Path(location), *exe_names)
        if hit is not None and hit.is_file():
            return hit
    return None


# --- starting a tool ----------------------------------------------------------------------

PopenFactory = Callable[..., "subprocess.Popen[bytes]"]
_DETACHED_PROCESS = 0x00000008
_CREATE_NEW_PROCESS_GROUP = 0x00000200
_CREATE_NO_WINDOW = 0x08000000


def launch(tool: RemoteTool, *, platform: str = sys.platform,
           popen: PopenFactory = subprocess.Popen) -> subprocess.Popen[bytes]:
    """Start ``tool`` detached and return at once; raises OSError when it cannot start.

    Detached (own session / process group, no inherited console or pipes) so
    the tool outlives the app and closing the app never closes the technician's
    session.  The caller may ``poll()`` the result to notice the tool exiting.
    """
    kwargs: dict[str, Any] = {
        "cwd": str(tool.path.parent),
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "close_fds": True,
    }
    if platform == "win32":
        kwargs["creationflags"] = _DETACHED_PROCESS | _CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    return popen([str(tool.path)], **kwargs)


# --- reading the ID -----------------------------------------------------------------------


class IdReason(enum.StrEnum):
    """Why :func:`read_id` has (or has not) an ID; anything but OK means "read it from the window"."""

    OK = "ok"
    SHOWN_IN_WINDOW = "shown_in_window"  # the tool only shows it on screen (UltraViewer, TeamViewer QS)
    TIMED_OUT = "timed_out"
    EXIT_STATUS = "exit_status"  # --get-id exited non-zero (service not running, not installed)
    UNREADABLE = "unreadable"  # it answered, but not with an ID
    NOT_STARTED = "not_started"  # the executable could not be run


@dataclass(frozen=True)
class IdResult:
    """The ID a tool reported, or None and the reason."""

    tool: ToolKind
    remote_id: str | None
    reason: IdReason

    @property
    def read_from_window(self) -> bool:
        return self.remote_id is None


def parse_id(output: str) -> str | None:
    """The one all-digit ID line in ``output`` (spaces between digit groups allowed), else None.

    Banner or warning lines are skipped; two different IDs are as good as none.
    """
    # NULs: some Windows builds answer in UTF-16, which reads as digits between NULs.
    text = output.replace("\x00", "").replace("\ufeff", "")
    candidates = {re.sub(r"\s", "", line) for line in text.splitlines()}
    ids = {c for c in candidates if REMOTE_ID.fullmatch(c)}
    return ids.pop() if len(ids) == 1 else None


def read_id(tool: RemoteTool, *, registry: Registry | None = None, platform: str = sys.platform,
            timeout_s: float = ID_TIMEOUT_SECONDS) -> IdResult:
    """Ask ``tool`` for its ID; blocks up to ``timeout_s`` (run it off the GUI thread)."""
    if tool.kind is ToolKind.ANYDESK or tool.kind is ToolKind.RUSTDESK:
        return _cli_id(tool, platform, timeout_s)
    if tool.kind is ToolKind.TEAMVIEWER:
        return _teamviewer_id(registry if registry is not None else system_registry(platform))
    return IdResult(tool.kind, None, IdReason.SHOWN_IN_WINDOW)


def _teamviewer_id(registry: Registry) -> IdResult:
    for hive, subkey in TEAMVIEWER_KEYS:
        value = registry.value(hive, subkey, "ClientID")
        if value is None:
            continue
        remote_id = parse_id(str(value))
        reason = IdReason.OK if remote_id else IdReason.UNREADABLE
        return IdResult(ToolKind.TEAMVIEWER, remote_id, reason)
    # QuickSupport and Linux builds keep no ClientID in the registry.
    return IdResult(ToolKind.TEAMVIEWER, None, IdReason.SHOWN_IN_WINDOW)


def _cli_id(tool: RemoteTool, platform: str, timeout_s: float) -> IdResult:
    kwargs: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.DEVNULL}
    if platform == "win32":
        kwargs["creationflags"] = _CREATE_NO_WINDOW  # no console flashing on the cashier's screen
    else:
        kwargs["start_new_session"] = True  # so a timeout can kill whatever the tool spawned
    try:
        process = subprocess.Popen([str(tool.path), "--get-id"], **kwargs)
    except OSError:
        return IdResult(tool.kind, None, IdReason.NOT_STARTED)
    with process:
        try:
            out, _err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill(process, platform)
            try:
                process.communicate(timeout=_KILL_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            return IdResult(tool.kind, None, IdReason.TIMED_OUT)
    if process.returncode != 0:
        return IdResult(tool.kind, None, IdReason.EXIT_STATUS)
    remote_id = parse_id(out.decode("utf-8", errors="replace"))
    return IdResult(tool.kind, remote_id, IdReason.OK if remote_id else IdReason.UNREADABLE)


def _kill(process: subprocess.Popen[bytes], platform: str) -> None:
    if platform != "win32":
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except OSError:  # already gone
            pass
    process.kill()


# --- what goes into the support request ---------------------------------------------------


def format_id(remote_id: str) -> str:
    """Digits in groups of three from the right, as the tools show them: 1 234 567 890."""
    if not remote_id.isdigit():
        return remote_id
    head = len(remote_id) % 3
    groups = [remote_id[:head]] if head else []
    groups += [remote_id[i:i + 3] for i in range(head, len(remote_id), 3)]
    return " ".join(groups)


@dataclass(frozen=True)
class RemoteAccessNote:
    """The tool and ID the UI adds to a new or open support request."""

    tool: ToolKind
    remote_id: str | None
    channel: ClassVar[Channel] = Channel.REMOTE  # the request's preferred channel

    @property
    def tool_name(self) -> str:
        return self.tool.display_name

    def as_dict(self) -> dict[str, str | None]:
        return {"remote_tool": self.tool.value, "remote_tool_name": self.tool_name, "remote_id": self.remote_id}

    def line(self) -> str:
        """``UltraViewer ID: 123 456 789``: product name and digits only, so it needs no translation."""
        if self.remote_id is None:
            return self.tool_name
        return f"{self.tool_name} ID: {format_id(self.remote_id)}"


def support_note(result: IdResult) -> RemoteAccessNote:
    return RemoteAccessNote(result.tool, result.remote_id)


def tool_running(program: Path) -> bool:
    """Whether any process runs ``program`` (compared by file name, as Windows does, case-insensitively)."""
    import psutil  # only when a session is watched

    wanted = program.name.lower()
    for process in psutil.process_iter(["name", "exe", "cmdline"]):
        info = process.info
        names = [info.get("name") or "", Path(info.get("exe") or "").name]
        names += [Path(arg).name for arg in (info.get("cmdline") or [])[:2]]  # scripts run by an interpreter
        if any(name.lower() == wanted for name in names if name):
            return True
    return False
