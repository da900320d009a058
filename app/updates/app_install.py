"""How this copy of the app is installed, and how a verified app update is staged for it.

Two kinds of install can update themselves; both keep the running version
untouched until the app has exited (see :mod:`app.updates.app_swap`):

``side_by_side`` (Linux and portable installs)::

    <root>/versions/0.1.0/pmv-support   one PyInstaller one-dir bundle per version
    <root>/versions/0.2.0/pmv-support
    <root>/current                      pointer: "<version>\\nprevious <version>\\n"
    <root>/pmv-support                  launcher: runs versions/<current>/pmv-support

  The update target is the bundle as a zip (``app/pmv-support-<v>.zip``),
  extracted into ``versions/<v>`` while the old version keeps running; the
  switch is one ``os.replace`` of ``current``.

``installer`` (Windows, installed by ``installer/pmv-support.iss``): the target
  is the Inno Setup installer (``app/pmv-support-<v>.exe``), run silently once
  the app has exited; the program folder is copied aside first so a version
  that fails to start can be put back.

Anything else (a pip install, a source checkout, an unpacked bundle) is
``unmanaged``: the update is downloaded and verified but never applied, and the
page says how this copy is updated instead.

The pointer files decide which program runs, and more than one reader reads
them (the launcher takes ``head -n 1`` of ``current``; the helper reads every
line), so each has one reading only: ``current`` is accepted only in the exact
form :meth:`Pointer.text` writes (no line twice, no stray space, no CRLF),
``pending.json`` only as strict JSON (:mod:`pmv_protocol.signed_json`, no member twice),
and every version in them must be a plain folder name.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
import re
import shutil
import stat
import sys
import uuid
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from app.updates.install import UnsafeArchive, extract_safely
from pmv_protocol.atomic import write_atomically
from pmv_protocol.coded_error import CodeAlias, CodedError
from pmv_protocol.signed_json import parse_object

log = logging.getLogger(__name__)

EXECUTABLE = "pmv-support.exe" if os.name == "nt" else "pmv-support"
POINTER = "current"
VERSIONS = "versions"
UNINSTALLER = "unins000.exe"  # what Inno Setup leaves beside the program
MAX_BUNDLE_BYTES = 2 * 1024**3  # a bundle is ~230 MB unpacked; this only stops a zip bomb
MAX_BUNDLE_MEMBERS = 20_000
SILENT_INSTALLER_ARGS = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
# A version names a folder (versions/<v>): no separators, no '..', no spaces that one reader strips and another keeps.
# A dot only between characters: Windows drops a trailing dot from folder names ("1." is "1").
APP_VERSION_PATTERN = re.compile(r"^[0-9A-Za-z](?:[0-9A-Za-z+_-]|\.(?=[0-9A-Za-z])){0,63}$")


def is_app_version(text: object) -> bool:
    return isinstance(text, str) and APP_VERSION_PATTERN.fullmatch(text) is not None


class InstallKind(enum.StrEnum):
    SIDE_BY_SIDE = "side_by_side"
    INSTALLER = "installer"
    UNMANAGED = "unmanaged"


class StageProblem(enum.StrEnum):
    """Why a verified app update could not be made ready (the UI words these)."""

    UNMANAGED = "unmanaged"  # this copy cannot update itself
    WRONG_FORMAT = "wrong_format"  # e.g. a .zip offered to an installer-based install
    UNSAFE_ARCHIVE = "unsafe_archive"  # a member that could land outside the folder, or a zip bomb
    NO_EXECUTABLE = "no_executable"  # the bundle has no pmv-support program in it
    DISK = "disk"  # could not be written (disk full, permissions)


class StageError(CodedError[StageProblem]):
    """The update could not be put in place; ``problem`` says why."""

    problem = CodeAlias[StageProblem]()


@dataclass(frozen=True)
class AppInstall:
    """Where this copy lives: ``root`` is the side-by-side root or the installer's program folder."""

    kind: InstallKind
    root: Path | None = None
    running_version: str | None = None

    @property
    def can_apply(self) -> bool:
        return self.kind is not InstallKind.UNMANAGED

    def wants(self, target_path: str) -> bool:
        """Whether an app target (by its file name) is the format this install applies."""
        suffix = Path(target_path).suffix.lower()
        if self.kind is InstallKind.INSTALLER:
            return suffix == ".exe"
        return suffix == ".zip"


def detect_install(executable: Path | None = None, *, frozen: bool | None = None,
                   windows: bool | None = None) -> AppInstall:
    """The kind of install the running program belongs to (parameters are for tests)."""
    exe = Path(executable if executable is not None else sys.executable).resolve()
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    windows = (os.name == "nt") if windows is None else windows
    if not frozen:
        return AppInstall(InstallKind.UNMANAGED)
    bundle = exe.parent
    if bundle.parent.name == VERSIONS and (bundle.parent.parent / POINTER).is_file():
        return AppInstall(InstallKind.SIDE_BY_SIDE, bundle.parent.parent, bundle.name)
    if windows and (bundle / UNINSTALLER).is_file():
        return AppInstall(InstallKind.INSTALLER, bundle)
    return AppInstall(InstallKind.UNMANAGED)


# --------------------------------------------------------------------------- side-by-side layout


@dataclass(frozen=True)
class Pointer:
    version: str
    previous: str | None = None

    def text(self) -> str:
        return f"{self.version}\nprevious {self.previous or ''}\n"


def read_pointer(root: Path) -> Pointer | None:
    """``current`` if it is exactly as :meth:`Pointer.text` (and installer/linux/install.sh) writes it, else None."""
    try:
        text = (root / POINTER).read_bytes().decode("utf-8")  # not read_text: it would turn a CRLF into LF unseen
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    if len(lines) != 3 or not lines[1].startswith("previous "):
        return None
    version, previous = lines[0], lines[1].removeprefix("previous ") or None
    if not is_app_version(version) or (previous is not None and not is_app_version(previous)):
        return None
    pointer = Pointer(version, previous)
    return pointer if pointer.text() == text else None


def pointer_unreadable(root: Path) -> bool:
    """``current`` exists but cannot be trusted to say which version runs: nothing may be switched."""
    return (root / POINTER).exists() and read_pointer(root) is None


def write_pointer(root: Path, pointer: Pointer) -> None:
    """The one step that changes which version starts: a synced temp file renamed over ``current``."""
    write_atomically(root / POINTER, pointer.text().encode("utf-8"))


def version_dir(root: Path, version: str) -> Path:
    return root / VERSIONS / version


def bundle_executable(folder: Path) -> Path:
    return folder / EXECUTABLE


LAUNCHER = """#!/bin/sh
# PMV Support Assistant launcher: starts the version named in 'current'.
# Written by the app (app/updates/app_install.py); updates switch 'current' only.
root="$(dirname "$(readlink -f "$0")")"
version="$(head -n 1 "$root/current")"
exec "$root/versions/$version/pmv-support" "$@"
"""


def create_layout(root: Path, bundle: Path, version: str) -> Path:
    """Make a side-by-side install at ``root`` from an unpacked bundle (first install); returns the launcher."""
    target = version_dir(root, version)
    if not target.exists():
        shutil.copytree(bundle, target, symlinks=True)
    write_pointer(root, Pointer(version))
    launcher = root / "pmv-support"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    launcher.chmod(0o755)
    return launcher


def prune_versions(root: Path, keep: set[str]) -> list[Path]:
    """Remove version folders that are neither current nor the rollback target."""
    removed: list[Path] = []
    versions = root / VERSIONS
    if not versions.is_dir():
        return removed
    for folder in versions.iterdir():
        if folder.name not in keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# --------------------------------------------------------------------------- staging


@dataclass(frozen=True)
class PendingUpdate:
    """A verified app update, ready to apply when the app next exits (``<data>/updates/app/pending.json``)."""

    version: str
    kind: InstallKind
    root: str  # the install root (side-by-side) or program folder (installer)
    payload: str  # the staged version folder, or the verified installer
    staged_at: str

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "kind": self.kind.value}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PendingUpdate:
        """Strict: a member given twice (which payload runs?) or a version that is not a folder name is refused."""
        data = parse_object(text)
        fields = [data[name] for name in ("version", "kind", "root", "payload", "staged_at")]
        if not all(isinstance(value, str) for value in fields) or not is_app_version(data["version"]):
            raise ValueError("pending update with a missing, non-text or unsafe field")
        return cls(version=data["version"], kind=InstallKind(data["kind"]), root=data["root"],
                   payload=data["payload"], staged_at=data["staged_at"])


def app_updates_dir(data_dir: Path) -> Path:
    return data_dir / "updates" / "app"


def pending_file(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "pending.json"


def read_pending(data_dir: Path) -> PendingUpdate | None:
    path = pending_file(data_dir)
    try:
        return PendingUpdate.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable %s", path)
        return None


def clear_pending(data_dir: Path) -> None:
    pending_file(data_dir).unlink(missing_ok=True)


def _restore_modes(archive: Path, dest: Path) -> None:
    """Zip keeps Unix permission bits in ``external_attr``; ``extract_safely`` does not apply them."""
    with zipfile.ZipFile(archive) as handle:
        for info in handle.infolist():
            mode = (info.external_attr >> 16) & 0o777
            target = dest / info.filename.replace("\\", "/")
            if mode and target.is_file():
                target.chmod(mode | stat.S_IRUSR | stat.S_IWUSR)


def _bundle_folder(extracted: Path) -> Path:
    """The folder holding the program: the archive's root, or its one top-level folder."""
    if bundle_executable(extracted).is_file():
        return extracted
    children = [child for child in extracted.iterdir() if child.is_dir()]
    if len(children) == 1 and bundle_executable(children[0]).is_file():
        return children[0]
    raise StageError(StageProblem.NO_EXECUTABLE, f"no {EXECUTABLE} in the archive")


def stage_update(install: AppInstall, downloaded: Path, version: str, data_dir: Path,
                 *, now: dt.datetime | None = None) -> PendingUpdate:
    """Make a verified download ready to apply; the running version is not touched.

    Side-by-side: extract into ``versions/<v>.staging-*``, check the program is
    there, rename to ``versions/<v>``. Installer: keep the verified installer.
    Either way ``pending.json`` is written last, so a crash leaves no half-made
    pending update (a stray staging folder is removed by the next staging).
    """
    if not install.can_apply or install.root is None:
        raise StageError(StageProblem.UNMANAGED)
    if not install.wants(downloaded.name):
        raise StageError(StageProblem.WRONG_FORMAT, downloaded.name)
    if not is_app_version(version):
        raise StageError(StageProblem.WRONG_FORMAT, f"version {version!r} cannot name a folder")
    moment = (now or dt.datetime.now(dt.UTC)).isoformat()
    try:
        if install.kind is InstallKind.SIDE_BY_SIDE:
            payload = _stage_bundle(install.root, downloaded, version)
        else:
            payload = app_updates_dir(data_dir) / f"pmv-support-{version}-setup.exe"
            if downloaded.resolve() != payload.resolve():
                payload.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(downloaded, payload)
        pending = PendingUpdate(version, install.kind, str(install.root), str(payload), moment)
        write_atomically(pending_file(data_dir), pending.to_json().encode("utf-8"))
    except OSError as exc:
        raise StageError(StageProblem.DISK, str(exc)) from exc
    log.info("app update %s staged (%s)", version, install.kind.value)
    return pending


def _stage_bundle(root: Path, archive: Path, version: str) -> Path:
    versions = root / VERSIONS
    final = versions / version
    pointer = read_pointer(root)
    if final.is_dir() and bundle_executable(final).is_file():
        return final  # staged before (or installed already: the swap notices that)
    for debris in versions.glob("*.staging-*"):
        shutil.rmtree(debris, ignore_errors=True)
    scratch = versions / f"{version}.staging-{uuid.uuid4().hex[:8]}"
    try:
        try:
            extract_safely(archive, scratch, max_total_bytes=MAX_BUNDLE_BYTES, max_members=MAX_BUNDLE_MEMBERS)
        except (UnsafeArchive, zipfile.BadZipFile) as exc:
            raise StageError(StageProblem.UNSAFE_ARCHIVE, str(exc)) from exc
        _restore_modes(archive, scratch)
        folder = _bundle_folder(scratch)
        exe = bundle_executable(folder)
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        if pointer is not None and pointer.version == version:
            raise StageError(StageProblem.WRONG_FORMAT, f"{version} is the version already in use")
        if final.exists():
            shutil.rmtree(final)
        os.replace(folder, final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final
