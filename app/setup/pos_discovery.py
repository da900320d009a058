"""Find where the shop's PMV POS is installed and where it keeps its database, backups and logs (Qt-free).

The first-run wizard's "Find the POS" step.  An install is a folder holding
``PMV.ini`` (the POS's own configuration) or ``version.txt``; what it holds
is read by :func:`read_install`, and :func:`find_installs` looks in the
places a PMV is found on a till (:class:`InstallPlaces`): the folder of a
running ``PMV.exe``, the registry's Uninstall entries, the usual install
folders.  Everything is returned as data; what went wrong is an
:class:`InstallProblem` code the UI words.

``PMV.ini`` is a Windows INI file (UTF-8 with or without a BOM, UTF-16 with
a BOM, or the Vietnamese ANSI code page; ``;`` and ``#`` comments; section
and key names in any case)::

    [Database]
    Path=..\\pos\\pmv.sqlite3
    ; or, for a POS on a database server (then no Path):
    ; ConnectionString=Server=host\\SQLEXPRESS;Database=PMV;User Id=pmv;Password=...
    [Folders]
    Backups=..\\backups
    Logs=..\\logs

Relative paths are relative to the install folder, with ``\\`` or ``/``;
absolute ones are taken as they are (a ``D:\\...`` path cannot exist off
Windows, so it is reported missing there).  Whatever the file does not say
is guessed from the layout beside the install (``../pos/*.sqlite3``,
``../backups``, ``../logs``).

:func:`prove_database` (from :mod:`app.setup.pos_proof`, re-exported here)
opens the database found, read-only, to show the shop it is theirs.
"""

from __future__ import annotations

import configparser
import enum
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

import psutil

from app.health.checks.services import read_pos_version
from app.setup.pos_proof import DatabaseProof, ProofProblem, prove_database
from app.shop.pos_url import PosUrlError, PosUrlProblem, to_sqlalchemy_url
from app.technician.remote_tools import NoRegistry, Registry, system_registry

CONFIG_FILE = "PMV.ini"
VERSION_FILE = "version.txt"
PROCESS_NAME = "PMV.exe"
# Bigger than any real PMV.ini by far: a file this size is not one.
CONFIG_MAX_BYTES = 256 * 1024
# The layout beside the install when PMV.ini does not say (the demo shop's, as PMV sets a shop up).
DATABASE_FOLDER = "pos"
DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
BACKUPS_FOLDER = "backups"
LOGS_FOLDER = "logs"
# How the Uninstall entry of a PMV names it.
_REGISTRY_NAMES = ("pmv", "phần mềm vàng", "phan mem vang", "phanmemvang")
# ...and how this app's own entry does ("PMV Support Assistant"): never the POS.
_NOT_THE_POS = ("support", "hỗ trợ", "ho tro")
_ICON_INDEX = re.compile(r",\s*-?\d+\s*$")
# Text a garbled or binary file decodes to: control characters other than tab, CR, LF (and ^Z, DOS's end of file).
_GARBLED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f]")


class FoundBy(enum.StrEnum):
    """Where an install was found, best first (a running POS is the one the shop uses)."""

    PROCESS = "process"  # the folder of a running PMV.exe
    REGISTRY = "registry"  # an Uninstall entry's InstallLocation (or its DisplayIcon's folder)
    FOLDER = "folder"  # one of the usual install folders
    GIVEN = "given"  # a folder the technician chose


_RANK = {FoundBy.PROCESS: 0, FoundBy.REGISTRY: 1, FoundBy.FOLDER: 2, FoundBy.GIVEN: 3}


class InstallProblem(enum.StrEnum):
    """Something about an install the wizard should show; the install is still usable as far as it goes."""

    CONFIG_MISSING = "config_missing"  # no PMV.ini: the layout beside the install is guessed
    CONFIG_UNREADABLE = "config_unreadable"  # PMV.ini is binary, garbled or not INI: guessed as well
    CONFIG_INCOMPLETE = "config_incomplete"  # PMV.ini names no database, backups or logs: that part is guessed
    URL_UNUSABLE = "url_unusable"  # the ConnectionString cannot be used as written (see PosInstall.url_problem)
    DATABASE_MISSING = "database_missing"  # PMV.ini names a database file that is not there
    DATABASE_NOT_FOUND = "database_not_found"  # guessing, no database file was found beside the install
    BACKUPS_MISSING = "backups_missing"  # the backup folder (named or guessed) is not there
    LOGS_MISSING = "logs_missing"  # the log folder (named or guessed) is not there


@dataclass(frozen=True)
class PosInstall:
    """One PMV install and what it says about the shop's files.

    ``database`` is the SQLite file (None for a POS on a database server, or when none was found);
    ``url`` the ConnectionString of a POS on a server, as written ("" for SQLite; it may hold a
    password, so it is left out of ``repr``).  A path named in PMV.ini is kept even when it is not
    there (with a problem saying so); a guessed one only when it is.
    """

    install_dir: Path
    version: str | None
    database: Path | None
    backups_dir: Path | None
    logs_dir: Path | None
    found_by: FoundBy = FoundBy.GIVEN
    url: str = field(default="", repr=False)
    url_problem: PosUrlProblem | None = None  # why ``url`` cannot be used (with URL_UNUSABLE)
    problems: tuple[InstallProblem, ...] = ()
    config_file: Path | None = None  # the PMV.ini read, when there is one

    @property
    def on_server(self) -> bool:
        return bool(self.url)


__all__ = ["CONFIG_FILE", "DatabaseProof", "FoundBy", "InstallPlaces", "InstallProblem", "PosInstall",
           "ProofProblem", "find_installs", "no_processes", "prove_database", "read_install", "running_processes"]


# --- one folder ----------------------------------------------------------------------------------


def read_install(install_dir: Path, found_by: FoundBy = FoundBy.GIVEN) -> PosInstall | None:
    """What the PMV install in ``install_dir`` holds; None when the folder is not one. Never raises."""
    try:
        folder = Path(install_dir).expanduser().resolve()
        if not folder.is_dir():
            return None
    except (OSError, RuntimeError, ValueError):
        return None
    ini = _child(folder, CONFIG_FILE)
    if ini is None and _child(folder, VERSION_FILE) is None:
        return None
    problems: list[InstallProblem] = []
    config = _read_config(ini) if ini is not None else None
    if ini is None:
        problems.append(InstallProblem.CONFIG_MISSING)
    elif config is None:
        problems.append(InstallProblem.CONFIG_UNREADABLE)
    settings = config or {}
    named = {key: value for key, value in settings.items() if value}
    names_database = ("database", "path") in named or ("database", "connectionstring") in named
    if config is not None and not (names_database and ("folders", "backups") in named
                                   and ("folders", "logs") in named):
        problems.append(InstallProblem.CONFIG_INCOMPLETE)

    url = named.get(("database", "connectionstring"), "")
    url_problem: PosUrlProblem | None = None
    database: Path | None = None
    if url:
        try:
            to_sqlalchemy_url(url)
        except PosUrlError as exc:
            url_problem = exc.problem
            problems.append(InstallProblem.URL_UNUSABLE)
    elif ("database", "path") in named:
        database = _config_path(named[("database", "path")], folder)
        if not database.is_absolute() or not _is_file(database):  # relative: a D: path off Windows
            problems.append(InstallProblem.DATABASE_MISSING)
    else:
        database = _guess_database(_child(folder.parent, DATABASE_FOLDER))
        if database is None:
            problems.append(InstallProblem.DATABASE_NOT_FOUND)
    backups = _folder(named.get(("folders", "backups")), folder, BACKUPS_FOLDER)
    if backups is None or not _is_dir(backups):
        problems.append(InstallProblem.BACKUPS_MISSING)
    logs = _folder(named.get(("folders", "logs")), folder, LOGS_FOLDER)
    if logs is None or not _is_dir(logs):
        problems.append(InstallProblem.LOGS_MISSING)
    return PosInstall(folder, read_pos_version(folder), database, backups, logs, found_by, url, url_problem,
                      tuple(problems), ini)


def _read_config(path: Path) -> dict[tuple[str, str], str] | None:
    """``{(section, key): value}`` with names lower-cased; None when the file is not a readable INI file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(CONFIG_MAX_BYTES + 1)
    except OSError:
        return None
    text = _decode(raw) if len(raw) <= CONFIG_MAX_BYTES else None
    if text is None or _GARBLED.search(text):
        return None
    # Windows INI rules: no interpolation, no inline comments (a password or a ConnectionString holds ';'),
    # '=' only, a name given twice keeps the last.
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",),
                                       comment_prefixes=(";", "#"), inline_comment_prefixes=None,
                                       default_section="\x00none", empty_lines_in_values=False)
    try:
        parser.read_string(text.replace("\x1a", ""), source=str(path))
    except (configparser.Error, ValueError):
        return None
    return {(section.strip().casefold(), key.strip().casefold()): _unquote(value or "")
            for section in parser.sections() for key, value in parser.items(section)}


def _decode(raw: bytes) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: what Windows' own INI API writes
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # The ANSI code page of a Vietnamese Windows, whose tones are combining marks: composed, as file names are.
        return unicodedata.normalize("NFC", raw.decode("cp1258"))
    except UnicodeDecodeError:
        return None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def _config_path(text: str, base: Path) -> Path:
    """A path as PMV.ini writes it: relative to the install folder, ``\\`` or ``/``, or absolute as it is."""
    if os.name == "nt":
        path = Path(text)
        return path if path.is_absolute() else Path(os.path.normpath(base / path))
    windows = PureWindowsPath(text)
    if windows.drive:  # D:\PMVData\... or \\server\share\...: a Windows path, not on this PC
        return Path(text)
    if windows.root:  # /srv/pmv/... (or \srv\pmv\...)
        return Path("/").joinpath(*windows.parts[1:])
    return Path(os.path.normpath(base.joinpath(*windows.parts)))


def _folder(configured: str | None, install: Path, conventional: str) -> Path | None:
    if configured:
        return _config_path(configured, install)
    return _child(install.parent, conventional)


def _guess_database(folder: Path | None) -> Path | None:
    """The POS database in ``folder``: pmv.* first, then the most recently written."""
    try:
        files = [entry for entry in folder.iterdir()
                 if entry.suffix.casefold() in DATABASE_SUFFIXES and entry.is_file()] if folder else []
    except OSError:
        return None
    files.sort(key=lambda entry: (entry.stem.casefold() != "pmv", -_mtime(entry), entry.name))
    return files[0] if files else None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _child(folder: Path, name: str) -> Path | None:
    """``folder``'s entry called ``name`` in any case (as Windows finds it), or None."""
    exact = folder / name
    try:
        if exact.exists():
            return exact
        return next((entry for entry in folder.iterdir() if entry.name.casefold() == name.casefold()), None)
    except OSError:
        return None


def _is_file(path: Path | None) -> bool:
    try:
        return path is not None and path.is_file()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


# --- where to look -------------------------------------------------------------------------------

ProcessLister = Callable[[], Iterable[tuple[str, str | None]]]


def running_processes() -> Iterator[tuple[str, str | None]]:
    """(name, executable) of every process; the executable is None where it cannot be read (another user's)."""
    try:
        for process in psutil.process_iter(["name", "exe"]):  # vanished ones are skipped, denied values None
            name, exe = process.info.get("name"), process.info.get("exe")
            if name:
                yield str(name), str(exe) if exe else None
    except (psutil.Error, OSError):
        return


def no_processes() -> Iterable[tuple[str, str | None]]:
    return ()


# Folders a PMV is installed in on Windows, under each Program Files and at the root of a drive.
_WINDOWS_NAMES = ("PMV", r"PhanMemVang\PMV", "PhanMemVang", r"Phan Mem Vang\PMV")
_WINDOWS_DRIVES = ("C:", "D:")


@dataclass(frozen=True)
class InstallPlaces:
    """Where :func:`find_installs` looks; everything injectable, so tests never depend on the machine."""

    folders: tuple[Path, ...] = ()
    registry: Registry = field(default_factory=NoRegistry)
    processes: ProcessLister = no_processes
    process_name: str = PROCESS_NAME

    @classmethod
    def for_this_pc(cls, platform: str = sys.platform, environ: Mapping[str, str] | None = None,
                    registry: Registry | None = None) -> InstallPlaces:
        """The usual places on this PC: install folders, the registry on Windows, the running processes."""
        env = os.environ if environ is None else environ
        if platform == "win32":
            folders = _windows_folders(env)
            reg = registry if registry is not None else system_registry(platform)
        else:
            folders = [Path("/opt/pmv"), Path("/opt/PMV")]
            if env.get("HOME"):
                folders.append(Path(env["HOME"]) / "PMV")
            reg = registry if registry is not None else NoRegistry()
        return cls(tuple(folders), reg, running_processes)


def _windows_folders(environ: Mapping[str, str]) -> list[Path]:
    # os.environ is case-insensitive on Windows; an injected mapping is not.
    env = {key.upper(): value for key, value in environ.items() if value}
    roots = [env[key] for key in ("PROGRAMW6432", "PROGRAMFILES", "PROGRAMFILES(X86)") if key in env]
    drives = [env.get("SYSTEMDRIVE", "C:").rstrip("\\/"), *_WINDOWS_DRIVES]
    found = [PureWindowsPath(root, name) for root in roots for name in _WINDOWS_NAMES]
    found += [PureWindowsPath(drive + "\\", name) for drive in drives for name in _WINDOWS_NAMES]
    if "LOCALAPPDATA" in env:  # a per-user install
        found.append(PureWindowsPath(env["LOCALAPPDATA"], "Programs", "PMV"))
    unique: dict[str, Path] = {}
    for folder in found:
        unique.setdefault(str(folder).casefold(), Path(str(folder)))
    return list(unique.values())


# --- looking -------------------------------------------------------------------------------------


def find_installs(places: InstallPlaces) -> list[PosInstall]:
    """Every PMV install in ``places``, best first, each once (found twice, it keeps the better source).

    Best: a running POS, then the registry, then the usual folders; among equals, the one with fewer
    problems, then the order found.  Blocking (folders, registry and processes are read).
    """
    best: dict[str, PosInstall] = {}
    order: dict[str, int] = {}
    for folder, found_by in _candidates(places):
        install = read_install(folder, found_by)
        if install is None and found_by is not FoundBy.FOLDER:
            install = read_install(folder.parent, found_by)  # PMV.exe in a bin\ folder of the install
        if install is None:
            continue
        key = os.path.normcase(str(install.install_dir))
        order.setdefault(key, len(order))
        kept = best.get(key)
        if kept is None or _RANK[found_by] < _RANK[kept.found_by]:
            best[key] = install
    return sorted(best.values(), key=lambda install: (
        _RANK[install.found_by], len(install.problems), order[os.path.normcase(str(install.install_dir))]))


def _candidates(places: InstallPlaces) -> Iterator[tuple[Path, FoundBy]]:
    # A lister that fails is passed over: the other places are still worth looking at.
    try:
        processes = list(places.processes())
    except (OSError, psutil.Error):
        processes = []
    for name, exe in processes:
        if exe and _name_matches(name, places.process_name):
            yield Path(exe).parent, FoundBy.PROCESS
    try:
        entries = places.registry.uninstall_entries()
    except OSError:
        entries = []
    for entry in entries:
        folder = _registry_folder(entry)
        if folder is not None:
            yield folder, FoundBy.REGISTRY
    for folder in places.folders:
        yield Path(folder), FoundBy.FOLDER


def _name_matches(name: str, wanted: str) -> bool:
    # Case-insensitive, and "PMV" matches "PMV.exe" (Windows names carry the suffix), as the pos.process check.
    name, wanted = name.casefold(), wanted.strip().casefold()
    return bool(wanted) and (name == wanted or name.removesuffix(".exe") == wanted.removesuffix(".exe"))


def _registry_folder(entry: Mapping[str, str]) -> Path | None:
    name = entry.get("DisplayName", "").casefold()
    if not any(word in name for word in _REGISTRY_NAMES) or any(word in name for word in _NOT_THE_POS):
        return None
    location = entry.get("InstallLocation", "").strip().strip('"').strip()
    if location:
        return Path(location)
    icon = _ICON_INDEX.sub("", entry.get("DisplayIcon", "").strip()).strip().strip('"').strip()
    # DisplayIcon reads like  "C:\Program Files\PMV\PMV.exe",0
    return Path(icon).parent if icon else None

