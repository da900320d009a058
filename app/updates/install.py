"""Install regulation packs so that a crash at any moment leaves a usable state.

On disk (``root`` is the app's data folder for packs)::

    root/.lock                          cross-process lock (the agent and a technician's CLI)
    root/staging/<uuid>/pack.json       a pack being written; anything here at start-up is debris
    root/packs/<id>/<version>/pack.json the pack as validated: canonical JSON of its one reading
    root/packs/<id>/current             pointer: "<version>\\nprevious <version>\\n"
    root/packs/<id>/previous            pointer: "<version>\\n", the rollback target

The one step that changes which rules are in force is the ``os.replace`` of
``current``. Everything before it (staging, fsync, the rename into
``packs/<id>/<version>``) is invisible to readers; everything after it is
bookkeeping that :meth:`PackStore.recover` can redo. ``current`` also records
the version it replaced, so a crash between switching ``current`` and
rewriting ``previous`` cannot lose the rollback target.

TUF proves the downloaded bytes are the vendor's; what is kept is
:func:`~pmv_protocol.packs.read_pack`'s canonical form of them, so the POS and
any later reader see exactly the values that were validated.  Pointers are
read only in the exact form this module writes: a line given twice, a stray
space or a carriage return makes a pointer unreadable (as a garbled one is),
never a guess at which line counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import stat
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.updates.pack_folders import PACK_FILE, InstalledPack, Pointer, list_installed, pack_ids, read_pointer
from pmv_protocol.atomic import atomic_target, write_atomically
from pmv_protocol.filelock import FileLock, LockTimeout
from pmv_protocol.packs import (
    PACK_ID_PATTERN,
    PackError,
    RegulationPack,
    RuleBase,
    RuleChange,
    diff,
    read_pack,
    version_key,
)
from pmv_protocol.signed_json import canonical_form

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 30.0
MAX_ARCHIVE_BYTES = 10 * 1024 * 1024  # a pack archive is kilobytes; this stops zip bombs early
MAX_ARCHIVE_MEMBERS = 200

# The named points of an install, in order. Test-only: :data:`STEP_HOOK` is
# called with each name, so a test process can pause there and be SIGKILLed
# by its parent. Production never sets the hook.
INSTALL_STEPS = ("staging", "staged", "moved", "switching", "switched", "previous_written", "pruning")
STEP_HOOK: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if STEP_HOOK is not None:
        STEP_HOOK(name)


class PackStoreError(Exception):
    """The store cannot do what was asked (nothing to roll back to, locked by another process)."""


class UnsafeArchive(PackError):
    """A zip member that could write outside the destination, or an archive too big to be a pack."""


@dataclass(frozen=True)
class InstallResult:
    pack_id: str
    version: str
    previous_version: str | None
    path: Path
    changes: list[RuleChange]
    unchanged: bool = False  # the same bytes were already current: nothing was switched
    title: str = ""  # the pack's title as signed (Vietnamese), for what the shop is told


@dataclass
class RecoveryReport:
    removed: list[Path] = field(default_factory=list)  # staging dirs, temp pointers, dead version dirs
    fell_back: list[tuple[str, str | None, str]] = field(default_factory=list)  # (id, broken, now current)
    repaired_previous: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # current unusable and nothing to fall back to

    @property
    def clean(self) -> bool:
        return not (self.removed or self.fell_back or self.repaired_previous or self.broken)


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once its directory is synced; Windows cannot open
    # directories for that, and NTFS journals the rename anyway.
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _exclusive(lock_file: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """An OS file lock: released by the kernel when the holder dies, so a kill never leaves it stale."""
    lock = FileLock(lock_file, timeout=timeout)
    try:
        lock.acquire()
    except LockTimeout:
        raise PackStoreError(f"{lock_file} is held by another process") from None
    try:
        yield
    finally:
        lock.release()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class PackStore:
    """Installed packs of one kind under ``root``.

    ``reader`` validates a pack's bytes into the pack and the bytes to store (regulation packs by default;
    the vendor's calendar packs pass :func:`pmv_protocol.calendar_pack.read_calendar_pack`); ``differ`` says
    what changed between two versions.  Any pack with ``id``, ``version``, ``version_key``, ``title_vi`` and
    ``effective_date`` is installed, kept and rolled back the same way.
    """

    def __init__(self, root: Path, *, reader: Callable[[bytes], tuple[Any, bytes]] = read_pack,
                 differ: Callable[[Any, Any], list[RuleChange]] = diff) -> None:
        self._reader = reader
        self._differ = differ
        self.root = Path(root)
        self.packs_dir = self.root / "packs"
        self.staging_dir = self.root / "staging"
        self._lock_file = self.root / ".lock"

    # --- reading ---------------------------------------------------------------

    def _pack_dir(self, pack_id: str) -> Path:
        if not re.fullmatch(PACK_ID_PATTERN, pack_id):
            raise PackError("id", f"'{pack_id}' is not a pack id")  # never let a caller build a path with '..'
        return self.packs_dir / pack_id

    _read_pointer = staticmethod(read_pointer)

    def _load_version(self, pack_id: str, version: str | None) -> RegulationPack | None:
        """The pack in ``packs/<id>/<version>`` if it is complete, valid and really that id and version."""
        if version is None:
            return None
        try:
            pack = self._reader((self.packs_dir / pack_id / version / PACK_FILE).read_bytes())[0]
        except (OSError, PackError):
            return None
        return pack if (pack.id, pack.version) == (pack_id, version) else None

    def current(self, pack_id: str) -> RegulationPack | None:
        pointer = self._read_pointer(self._pack_dir(pack_id) / "current")
        return self._load_version(pack_id, pointer.version if pointer else None)

    def pack_at(self, pack_id: str, version: str) -> RegulationPack | None:
        """An installed version of a pack (the current or the previous one), for 'what changed'."""
        try:
            return self._reader((self._pack_dir(pack_id) / version / PACK_FILE).read_bytes())[0]
        except (OSError, PackError):
            return None

    def holds(self, pack_id: str, version: str, data: bytes) -> bool:
        """Whether ``version`` of the pack is installed with the same content as ``data`` (compared as stored)."""
        wanted = canonical_form(data)
        return wanted is not None and self._holds(self._pack_dir(pack_id) / version, wanted)

    @staticmethod
    def _holds(folder: Path, stored: bytes) -> bool:
        try:
            present = (folder / PACK_FILE).read_bytes()
        except OSError:
            return False
        # Installed before packs were kept in canonical form: compare the one reading of each.
        return present == stored or canonical_form(present) == stored

    def previous_version(self, pack_id: str) -> str | None:
        pointer = self._read_pointer(self._pack_dir(pack_id) / "previous", records_previous=False)
        return pointer.version if pointer and self._load_version(pack_id, pointer.version) else None

    def _pack_ids(self) -> list[str]:
        return pack_ids(self.packs_dir)

    def installed(self) -> list[InstalledPack]:
        return list_installed(self.packs_dir, self._load_version)

    def current_packs(self) -> list[RegulationPack]:
        return [pack for pack in (self.current(i) for i in self._pack_ids()) if pack is not None]

    def pack_with_rule(self, kind: type[RuleBase], on: dt.date | None = None) -> RegulationPack | None:
        """The current pack holding a rule of ``kind`` (the newest by effective date if several do).

        ``on``: the day the rule is applied.  A newer version whose rule starts after that day (a transition
        period) leaves the previous version's rule in force until then, where that one had begun.  Among several
        packs (each read that way), the newest rule already in force on ``on`` applies: a pack announcing a later
        rule (another decree published in advance) does not suspend the one in force.  Only when none has begun
        is it the one that begins soonest, which the check names as beginning later.
        """
        holders = [pack for pack in self.current_packs() if pack.rules_of(kind)]

        def begins(pack: RegulationPack) -> dt.date:
            return pack.effective_date_of(pack.rules_of(kind)[0])

        if on is None:
            return max(holders, key=begins, default=None)
        holders = [self._in_force(pack, kind, on) for pack in holders]
        begun = [pack for pack in holders if begins(pack) <= on]
        return max(begun, key=begins) if begun else min(holders, key=begins, default=None)

    def _in_force(self, pack: RegulationPack, kind: type[RuleBase], on: dt.date) -> RegulationPack:
        if pack.effective_date_of(pack.rules_of(kind)[0]) <= on:
            return pack
        # The newest version kept whose rule had begun: the previous one, or the one an install kept through a
        # transition (see _bridges).
        earlier = _newest_in_force(self._kept_versions(pack.id, besides=pack.version), kind, on)
        return earlier or pack  # nothing earlier in force: the new rule, which the check says begins later

    def _kept_versions(self, pack_id: str, besides: str) -> list[RegulationPack]:
        try:
            names = [entry.name for entry in self._pack_dir(pack_id).iterdir()
                     if entry.is_dir() and not entry.name.startswith(".") and entry.name != besides]
        except OSError:
            return []
        return [pack for pack in (self._load_version(pack_id, name) for name in names) if pack is not None]

    def _bridges(self, pack_id: str, new: RegulationPack, on: dt.date | None) -> set[str]:
        """The versions to keep beside the new and the replaced one: for each rule of ``new`` that begins after
        ``on``, the newest version whose rule of that kind is in force on ``on``.

        The store keeps two versions; a corrective pack published during a transition pruned the one whose rule
        was still the law, and the check stopped until the new rule's day.
        """
        if on is None:
            return set()
        kept = self._kept_versions(pack_id, besides=new.version)
        bridges = set()
        for kind in {type(rule) for rule in new.rules if new.effective_date_of(rule) > on}:
            in_force = _newest_in_force(kept, kind, on)
            if in_force is not None:
                bridges.add(in_force.version)
        return bridges

    # --- installing ------------------------------------------------------------

    def _write_pointer(self, pack_dir: Path, name: str, text: str, step: str | None = None) -> None:
        with atomic_target(pack_dir / name) as tmp:
            with tmp.open("wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            if step:
                _step(step)  # the new pointer is complete beside the old one, not yet in its place
        _fsync_dir(pack_dir)

    def _trash(self, path: Path, step: str | None = None) -> None:
        # Rename first, then delete: a kill mid-delete leaves a dot-named dir that
        # recover() removes, never a half-deleted folder under a real version name.
        trash = path.with_name(f".trash-{uuid.uuid4().hex}")
        os.rename(path, trash)
        if step:
            _step(step)
        shutil.rmtree(trash, ignore_errors=True)

    def _stage(self, data: bytes) -> Path:
        staged = self.staging_dir / uuid.uuid4().hex
        staged.mkdir(parents=True)
        with (staged / PACK_FILE).open("wb") as handle:
            half = len(data) // 2
            handle.write(data[:half])
            handle.flush()
            _step("staging")
            handle.write(data[half:])
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(staged)
        _step("staged")
        return staged

    def install(self, pack_bytes: bytes, *, allow_downgrade: bool = False,
                in_force_on: dt.date | None = None) -> InstallResult:
        """Validate, stage, move into place, then switch ``current`` (the one atomic step).

        What is staged is the canonical form of the validated pack, not ``pack_bytes`` as received.
        ``in_force_on``: the shop's day; a version whose rule is in force that day, where the new pack's begins
        later, is kept too (see :meth:`_bridges`).
        """
        pack, stored = self._reader(pack_bytes)
        pack_dir = self._pack_dir(pack.id)
        target = pack_dir / pack.version
        with _exclusive(self._lock_file):
            pointer = self._read_pointer(pack_dir / "current")
            old = self._load_version(pack.id, pointer.version if pointer else None)
            if old is not None and old.version == pack.version:
                if not self._holds(target, stored):
                    raise PackError("version", f"{pack.version} is installed with different content")
                return InstallResult(pack.id, pack.version, self.previous_version(pack.id), target, [], True,
                                     pack.title_vi)
            if old is not None and version_key(pack.version) < old.version_key and not allow_downgrade:
                raise PackError("version", f"{pack.version} is older than the installed {old.version}")
            if target.exists():
                same = self._load_version(pack.id, pack.version) is not None and self._holds(target, stored)
                if not same:
                    if self.previous_version(pack.id) == pack.version:
                        raise PackError("version", f"{pack.version} is kept for rollback with different content")
                    self._trash(target)  # debris of an earlier failed install
            if not target.exists():
                staged = self._stage(stored)
                pack_dir.mkdir(parents=True, exist_ok=True)
                os.rename(staged, target)
                _fsync_dir(pack_dir)
            _step("moved")
            old_version = old.version if old is not None else None
            self._write_pointer(pack_dir, "current", Pointer(pack.version, old_version).text(), step="switching")
            _step("switched")
            self._set_previous(pack_dir, old_version)
            _step("previous_written")
            self._prune(pack_dir, keep={pack.version, old_version, *self._bridges(pack.id, pack, in_force_on)})
        log.info("pack %s %s installed (was %s)", pack.id, pack.version, old_version)
        return InstallResult(pack.id, pack.version, old_version, target, self._differ(old, pack),
                             title=pack.title_vi)

    def install_archive(self, zip_path: Path, *, allow_downgrade: bool = False) -> InstallResult:
        """A zipped pack (``pack.json`` at the top), extracted with :func:`extract_safely` first."""
        with _exclusive(self._lock_file):
            scratch = self.staging_dir / uuid.uuid4().hex
            try:
                extract_safely(zip_path, scratch)
                data = (scratch / PACK_FILE).read_bytes()
            except FileNotFoundError:
                raise PackError(PACK_FILE, "missing from the archive") from None
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        return self.install(data, allow_downgrade=allow_downgrade)

    def _set_previous(self, pack_dir: Path, version: str | None) -> None:
        if version is None:
            (pack_dir / "previous").unlink(missing_ok=True)
        else:
            self._write_pointer(pack_dir, "previous", Pointer(version, None).text())

    def _prune(self, pack_dir: Path, keep: set[str | None]) -> None:
        for entry in sorted(pack_dir.iterdir()):
            if entry.is_dir() and not entry.name.startswith(".") and entry.name not in keep:
                self._trash(entry, step="pruning")

    def rollback(self, pack_id: str) -> InstallResult:
        """Make ``previous`` current again (one pointer switch); nothing is ``previous`` after it.

        The version given up is not kept as ``previous``: "Quay lại bản trước" pressed again went forward to it.
        Its folder goes (the vendor still publishes it).
        """
        pack_dir = self._pack_dir(pack_id)
        with _exclusive(self._lock_file):
            pointer = self._read_pointer(pack_dir / "current")
            now = self._load_version(pack_id, pointer.version if pointer else None)
            target = self.previous_version(pack_id)
            back = self._load_version(pack_id, target)
            if now is None or back is None:
                raise PackStoreError(f"{pack_id}: no previous version to roll back to")
            self._write_pointer(pack_dir, "current", Pointer(back.version, None).text())
            self._set_previous(pack_dir, None)
            self._prune(pack_dir, {back.version})  # the store keeps current and previous only
        log.warning("pack %s rolled back from %s to %s", pack_id, now.version, back.version)
        return InstallResult(pack_id, back.version, now.version, pack_dir / back.version, self._differ(now, back),
                             title=back.title_vi)

    # --- start-up repair -------------------------------------------------------

    def recover(self) -> RecoveryReport:
        """Finish or undo whatever an interrupted install left; run once at start-up."""
        report = RecoveryReport()
        with _exclusive(self._lock_file):
            if self.staging_dir.is_dir():
                for entry in self.staging_dir.iterdir():
                    _remove(entry)
                    report.removed.append(entry)
            for pack_id in self._pack_ids():
                self._recover_pack(pack_id, report)
        for path in report.removed:
            log.info("recover: removed %s", path)
        for pack_id, broken, now in report.fell_back:
            log.warning("recover: %s current %s unusable, fell back to %s", pack_id, broken, now)
        for pack_id in report.broken:
            log.error("recover: %s has no usable version", pack_id)
        return report

    def _recover_pack(self, pack_id: str, report: RecoveryReport) -> None:
        pack_dir = self.packs_dir / pack_id
        for entry in pack_dir.iterdir():
            if entry.name.startswith("."):  # temp pointers and trash: only ever mid-operation
                _remove(entry)
                report.removed.append(entry)
        current_file = pack_dir / "current"
        pointer = self._read_pointer(current_file)
        recorded = self._read_pointer(pack_dir / "previous", records_previous=False)
        previous = recorded.version if recorded else None
        usable = pointer is not None and self._load_version(pack_id, pointer.version) is not None
        if current_file.exists() and not usable:
            # current is garbled or names a missing/invalid version: the previous one takes over.
            broken = pointer.version if pointer else None
            candidates = (previous, pointer.previous if pointer else None)
            fallback = next((v for v in candidates if self._load_version(pack_id, v)), None)
            if fallback is None:
                report.broken.append(pack_id)  # hands off: a technician needs to see what is there
                return
            report.fell_back.append((pack_id, broken, fallback))
            self._write_pointer(pack_dir, "current", Pointer(fallback, None).text())
            self._set_previous(pack_dir, None)
            pointer, previous = Pointer(fallback, None), None
        elif pointer is not None and previous != pointer.previous:
            # Killed between switching current and rewriting previous: current's record is the truth.
            wanted = pointer.previous if self._load_version(pack_id, pointer.previous) else None
            if wanted != previous:
                self._set_previous(pack_dir, wanted)
                report.repaired_previous.append(pack_id)
            previous = wanted
        if pointer is not None and previous is not None and self._load_version(pack_id, previous) is None:
            self._set_previous(pack_dir, None)  # its folder is gone or damaged: nothing to roll back to
            report.repaired_previous.append(pack_id)
            previous = None
        keep = {pointer.version, previous} if pointer else set()
        for entry in pack_dir.iterdir():
            if entry.is_dir() and entry.name not in keep:
                # Not named (an install killed before its switch) or not a valid pack: debris.
                _remove(entry)
                report.removed.append(entry)
        if pointer is None:
            (pack_dir / "previous").unlink(missing_ok=True)
            if not any(pack_dir.iterdir()):
                pack_dir.rmdir()  # a first install that never switched: as if it never started

    # --- handing rules to the POS ----------------------------------------------

    def export_to(self, folder: Path) -> list[Path]:
        """Copy each current pack to the POS's rules folder as ``<id>.json`` (atomic per file)."""
        written = []
        for pack_id in self._pack_ids():
            pointer = self._read_pointer(self.packs_dir / pack_id / "current")
            if pointer is None or self._load_version(pack_id, pointer.version) is None:
                continue
            data = (self.packs_dir / pack_id / pointer.version / PACK_FILE).read_bytes()
            written.append(write_atomically(Path(folder) / f"{pack_id}.json", data))
        return written


def extract_safely(zip_path: Path, dest: Path, *, max_total_bytes: int = MAX_ARCHIVE_BYTES,
                   max_members: int = MAX_ARCHIVE_MEMBERS) -> list[Path]:
    """Extract ``zip_path`` into ``dest``, refusing anything that could land outside it.

    Every member is checked before anything is written. Sizes are counted
    again while writing (headers can lie), so a failure there can leave
    partial files: extract into a scratch folder the caller deletes.
    """
    dest = Path(dest)
    with zipfile.ZipFile(zip_path) as archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise UnsafeArchive("archive", f"{len(members)} members, more than {max_members}")
        total = 0
        names: list[str] = []
        for info in members:
            name = info.filename.replace("\\", "/")  # zips made on Windows may use backslashes
            parts = name.split("/")
            if "\x00" in name or not name.strip("/"):
                raise UnsafeArchive(info.filename, "empty or NUL in the name")
            if name.startswith("/"):
                raise UnsafeArchive(info.filename, "absolute path")
            if re.match(r"^[A-Za-z]:", name):
                raise UnsafeArchive(info.filename, "drive letter")
            if ".." in parts:
                raise UnsafeArchive(info.filename, "'..' in the path")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeArchive(info.filename, "symbolic link")
            total += info.file_size
            if total > max_total_bytes:
                raise UnsafeArchive(info.filename, f"uncompressed size over {max_total_bytes} bytes")
            names.append(name)
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written: list[Path] = []
        budget = max_total_bytes
        for info, name in zip(members, names, strict=True):
            target = dest / name
            if not target.resolve().is_relative_to(root):
                raise UnsafeArchive(info.filename, "resolves outside the destination")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as sink:
                while chunk := source.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise UnsafeArchive(info.filename, f"uncompressed size over {max_total_bytes} bytes")
                    sink.write(chunk)
            written.append(target)
    return written


def _newest_in_force(packs: list[RegulationPack], kind: type[RuleBase], on: dt.date) -> RegulationPack | None:
    """The newest of ``packs`` (by version) holding a rule of ``kind`` that had begun by ``on``."""
    holding = [pack for pack in packs if (rules := pack.rules_of(kind)) and pack.effective_date_of(rules[0]) <= on]
    return max(holding, key=lambda pack: pack.version_key, default=None)
