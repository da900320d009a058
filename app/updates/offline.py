"""Updates without Internet: install from an offline copy of the vendor's repository (a USB stick).

The vendor writes the copy with ``pmv-vendor repo export-offline DIR`` (vendor_server/releases/offline.py):
the signed metadata and the targets a shop needs, laid out as the update server publishes them
(``DIR/metadata/…``, ``DIR/targets/…``), with ``pmv-offline.json`` saying whether the copy was finished (the
vendor's repository folder itself, ``DIR/tuf/…``, is read too).  ``pmv-support updates import DIR`` and the
Cập nhật page's *Cập nhật từ USB…* hand it to :func:`import_offline`, which verifies it exactly as a download
is verified, because it *is* the download path: the same :class:`~app.updates.service.Updater` run, the same
:class:`~app.updates.tuf_client.UpdateClient` on the same trusted-metadata folder, only its fetcher reads the
folder (:mod:`app.updates.offline_fetch`).  So the copy must chain to the root this shop trusts, may not be
older than the metadata the shop already holds (rollback), nor expired (freeze), every target must match its
signed length and hash, and packs switch atomically; app builds are staged as a download's are, where the
install can apply them.

A refusal is an :class:`OfflineCopyRefused`: the :class:`~app.updates.targets.UpdateErrorKind` the update
code gives it (the vendor is told that kind, source ``usb``) and, for the people at the till, which of
:class:`OfflineRefusal` it is, with the expiry date and age of a stale copy.  Nothing was installed and the
shop's trusted metadata is what it was (python-tuf stores a file only once it verifies).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.updates.targets import UpdateError, UpdateErrorKind
from pmv_protocol.coded_error import CodedError
from pmv_protocol.digits import natural
from pmv_protocol.fleet import UpdateSource
from pmv_protocol.shop_time import SHOP_TZ

if TYPE_CHECKING:
    from app.updates.service import Updater, UpdateRun
    from app.updates.tuf_client import UpdateClient

METADATA = "metadata"
TARGETS = "targets"
FIRST_FILE = "timestamp.json"  # the one unversioned file: what makes a folder a copy
EXPORT_COMMAND = "pmv-vendor repo export-offline"
MARKER = "pmv-offline.json"  # written by the export: {"complete": false} until every file is in place


class CopyFolderProblem(enum.StrEnum):
    """Why the folder given is not an offline copy at all (nothing was read from it as an update)."""

    NOT_FOUND = "not_found"
    NOT_A_FOLDER = "not_a_folder"
    NOT_A_COPY = "not_a_copy"  # no metadata/timestamp.json: not written by the export
    UNFINISHED = "unfinished"  # the export was cut short (its marker says so): copy it again


class CopyFolderError(CodedError[CopyFolderProblem]):
    """The folder is not an offline copy; ``detail`` is the path."""

    @property
    def problem(self) -> CopyFolderProblem:
        return self.code


class OfflineRefusal(enum.StrEnum):
    """What is wrong with a copy that was refused, in the words the front ends use."""

    STALE = "stale"  # expired signed metadata (freeze protection): ask the vendor for a new copy
    FOREIGN = "foreign"  # signed by keys this shop does not trust: not its vendor's repository
    ROLLBACK = "rollback"  # older than what this shop already has (rollback protection)
    TAMPERED = "tampered"  # a file altered after signing, or a signature that does not verify
    INCOMPLETE = "incomplete"  # a file the signed metadata names is missing or unreadable on the copy


class OfflineCopyRefused(UpdateError):
    """An offline copy refused: ``kind`` as the update code gave it, ``problem`` what that means here.

    ``expired_at`` (STALE): when the copy's metadata expired; ``days_ago``: whole days from that day to the
    shop's today.
    """

    def __init__(self, kind: UpdateErrorKind, detail: str = "", problem: OfflineRefusal = OfflineRefusal.TAMPERED,
                 expired_at: dt.datetime | None = None, days_ago: int | None = None) -> None:
        super().__init__(kind, detail)
        self.problem = problem
        self.expired_at = expired_at
        self.days_ago = days_ago

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.kind, self.detail, self.problem, self.expired_at, self.days_ago))

    @property
    def expired_on(self) -> dt.date | None:
        """The day the copy expired, in the shop's calendar."""
        return None if self.expired_at is None else self.expired_at.astimezone(SHOP_TZ).date()


def copy_root(folder: Path) -> Path:
    """The copy's top folder (holding ``metadata/`` and ``targets/``): ``folder`` or its ``tuf/``.

    Raises :class:`CopyFolderError` before anything is read as an update.
    """
    folder = Path(folder)
    if not folder.exists():
        raise CopyFolderError(CopyFolderProblem.NOT_FOUND, str(folder))
    if not folder.is_dir():
        raise CopyFolderError(CopyFolderProblem.NOT_A_FOLDER, str(folder))
    if _read(folder / MARKER).get("complete") is False:
        raise CopyFolderError(CopyFolderProblem.UNFINISHED, str(folder))
    for candidate in (folder, folder / "tuf"):
        if (candidate / METADATA / FIRST_FILE).is_file():
            return candidate
    raise CopyFolderError(CopyFolderProblem.NOT_A_COPY, str(folder))


def copy_client(updates_folder: Path, copy: Path, root_bytes: bytes) -> UpdateClient:
    """The online client, on this shop's trusted metadata, reading ``copy`` instead of the server."""
    from app.updates.offline_fetch import BASE_URL, FolderFetcher
    from app.updates.tuf_client import UpdateClient

    return UpdateClient(updates_folder / "metadata", updates_folder / "downloads", BASE_URL, root_bytes,
                        attempts=1, fetcher=FolderFetcher(copy))


def import_offline(updater: Updater, folder: Path, *, cancel: threading.Event | None = None,
                   progress: Callable[[float, str], None] | None = None) -> UpdateRun:
    """Verify and install what the copy in ``folder`` holds for this shop; never raises for a bad copy's content.

    Raises :class:`CopyFolderError` (not a copy) and :class:`~app.updates.service.NotConfigured` (no trusted
    root) before anything runs.  A refused copy comes back as the run's ``error``, an
    :class:`OfflineCopyRefused`.  The trust anchor is the updater's (:meth:`Updater.trusted_root`): the root
    this install ships, as for a download.
    """
    copy = copy_root(folder)
    runtime = updater.runtime
    root = updater.trusted_root()
    run = updater.run(cancel, progress, client_factory=lambda: copy_client(updater.folder, copy, root),
                      source=UpdateSource.USB)
    if run.error is not None:
        run.error = explain_refusal(run.error, copy, updater.folder / "metadata", root, runtime.shop_today())
    return run


# --------------------------------------------------------------------------- why a copy was refused


def _causes(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def explain_refusal(error: UpdateError, copy: Path, metadata_dir: Path, root_bytes: bytes,
                    today: dt.date) -> UpdateError:
    """``error`` as an :class:`OfflineCopyRefused` saying what is wrong with the copy; errors that are not
    about the copy (busy, cancelled, the local disk) are returned as they are."""
    from tuf.api import exceptions as tuf_errors

    if isinstance(error, OfflineCopyRefused):
        return error
    causes = _causes(error)

    def refused(problem: OfflineRefusal, **extra: Any) -> OfflineCopyRefused:
        found = OfflineCopyRefused(error.kind, error.detail, problem, **extra)
        found.__cause__ = error.__cause__
        return found

    if error.kind is UpdateErrorKind.NETWORK:  # reading the folder failed: a file missing or unreadable
        return refused(OfflineRefusal.INCOMPLETE)
    if error.kind in (UpdateErrorKind.HASH_MISMATCH, UpdateErrorKind.TOO_LARGE):
        return refused(OfflineRefusal.TAMPERED)
    if error.kind is not UpdateErrorKind.SECURITY:
        return error
    if any(isinstance(cause, tuf_errors.ExpiredMetadataError) for cause in causes):
        expired = _expiry(copy / METADATA, error.detail)
        days = None if expired is None else max(0, (today - expired.astimezone(SHOP_TZ).date()).days)
        return refused(OfflineRefusal.STALE, expired_at=expired, days_ago=days)
    if any(isinstance(cause, tuf_errors.BadVersionNumberError) for cause in causes):
        return refused(OfflineRefusal.ROLLBACK)
    if any(isinstance(cause, tuf_errors.UnsignedMetadataError) for cause in causes):
        if not _same_vendor(copy / METADATA, metadata_dir, root_bytes):
            return refused(OfflineRefusal.FOREIGN)
        if _newest_root(copy / METADATA)[0] < _signed(_read(metadata_dir / "root.json")).get("version", 0):
            return refused(OfflineRefusal.ROLLBACK)  # a copy made before the vendor changed its keys
    return refused(OfflineRefusal.TAMPERED)


def _read(path: Path) -> dict[str, Any]:
    """A metadata file as JSON, unverified (only to word a refusal python-tuf already made), or {}."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _signed(document: dict[str, Any]) -> dict[str, Any]:
    signed = document.get("signed")
    return signed if isinstance(signed, dict) else {}


def _newest_root(metadata: Path) -> tuple[int, dict[str, Any]]:
    versions = sorted((number, p) for p in metadata.glob("*.root.json")
                      if (number := natural(p.name.split(".", 1)[0])) is not None)
    if not versions:
        return 0, _signed(_read(metadata / "root.json"))
    version, path = versions[-1]
    return version, _signed(_read(path))


def _root_keyids(signed: dict[str, Any]) -> set[str]:
    roles = signed.get("roles")
    role = roles.get("root") if isinstance(roles, dict) else None
    keyids = role.get("keyids") if isinstance(role, dict) else None
    return {k for k in keyids if isinstance(k, str)} if isinstance(keyids, list) else set()


def _same_vendor(copy_metadata: Path, metadata_dir: Path, root_bytes: bytes) -> bool:
    """Whether any root on the copy shares a root key with a root this shop trusts (shipped or updated)."""
    try:
        trusted = _root_keyids(_signed(json.loads(root_bytes))) | _root_keyids(_signed(_read(metadata_dir
                                                                                             / "root.json")))
    except ValueError:
        trusted = set()
    on_copy = [_signed(_read(path)) for path in copy_metadata.glob("*root.json")]
    return any(_root_keyids(signed) & trusted for signed in on_copy)


def _meta_version(signed: dict[str, Any], name: str) -> int | None:
    meta = signed.get("meta")
    entry = meta.get(name) if isinstance(meta, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    return version if isinstance(version, int) else None


def _expiry(copy_metadata: Path, detail: str) -> dt.datetime | None:
    """When the role python-tuf found expired expires on the copy (the timestamp unless it names another)."""
    timestamp = _signed(_read(copy_metadata / FIRST_FILE))
    signed = timestamp
    if "snapshot" in detail or "targets" in detail:
        snapshot = _signed(_read(copy_metadata / f"{_meta_version(timestamp, 'snapshot.json')}.snapshot.json"))
        signed = snapshot
        if "targets" in detail:
            signed = _signed(_read(copy_metadata / f"{_meta_version(snapshot, 'targets.json')}.targets.json"))
    elif "root" in detail:
        signed = _newest_root(copy_metadata)[1]
    for candidate in (signed, timestamp):
        try:
            expires = dt.datetime.fromisoformat(str(candidate["expires"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue
        return expires if expires.tzinfo is not None else expires.replace(tzinfo=dt.UTC)
    return None
