"""The vendor's TUF repository: publishing signed updates with python-tuf's Metadata API.

Layout (what ``tuf.ngclient`` expects with ``consistent_snapshot = True``;
``pmv-vendor serve`` serves it at ``/tuf/metadata/`` and ``/tuf/targets/``)::

    <repo>/metadata/1.root.json, 2.root.json, ...   every root version (clients walk them in order)
    <repo>/metadata/root.json                        copy of the newest root (to ship with the app)
    <repo>/metadata/timestamp.json                   the only unversioned file clients fetch
    <repo>/metadata/<N>.snapshot.json                every version is kept, so a client that read
    <repo>/metadata/<N>.targets.json                 an older timestamp still finds its files
    <repo>/targets/<dir>/<sha256>.<name>             content-addressed target files (immutable)
    <repo>/config.json                               expiry policy (not served)
    <keys>/<role>-<keyid[:16]>.key                   Ed25519 PKCS#8 PEM, mode 0600; retired keys in <keys>/retired/

Target paths (the names clients see, without the hash prefix):

    regulation/<id>-<version><ext>     e.g. regulation/nd-232-2025-1.0.0.json
    pos-profile/<id>-<version><ext>    e.g. pos-profile/pmv-pos-5-2.1.json
    app/pmv-support-<version><ext>     e.g. app/pmv-support-0.2.0.zip
    calendar/vendor-calendar-<year>-<version>.json   the vendor's working calendar for one year
                                       (validated before it is published: :mod:`pmv_protocol.calendar_pack`)

Each target's ``custom`` block carries ``{id, kind, version, effective_date,
channel, min_app_version, title_vi, summary_vi, rollout_percent}``.

Files are written so that a client never sees a timestamp naming a file that
is not there yet: targets, then N.targets.json, then N.snapshot.json, and
timestamp.json last (each through a temp file and a rename).

A rollout changed after publishing (paused, resumed, re-sized from the console:
vendor_server/releases/rollouts.py) is :meth:`VendorRepository.set_rollout`:
the same files, a new signed ``rollout_percent``.  :meth:`VendorRepository.read_published`
reads what a client needs in one go, for the offline copy (``repo export-offline``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

from pmv_protocol.atomic import atomic_target, write_atomically
from pmv_protocol.digits import natural
from pmv_protocol.filelock import FileLock, LockTimeout

ROLES = ("root", "targets", "snapshot", "timestamp")
KINDS = ("regulation", "app", "pos-profile", "calendar")
CHANNELS = ("stable", "beta")
DEFAULT_EXPIRY_DAYS: dict[str, int] = {"root": 365, "targets": 180, "snapshot": 30, "timestamp": 7}
APP_TARGET_NAME = "pmv-support"

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")  # as pmv_protocol.packs.PACK_ID_PATTERN
VERSION_PATTERN = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}((a|b|rc)\d{1,4})?$")
SUFFIX_PATTERN = re.compile(r"^\.[a-z0-9]{1,8}$")
_SERIALIZER = JSONSerializer(compact=False)


class TufRepoError(Exception):
    """Bad input or a repository that cannot be used; the message is one line."""


def write_published(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one rename, world-readable (it is published as is)."""
    write_atomically(target, data, mode=0o644)


def _now(now: dt.datetime | None) -> dt.datetime:
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class PublishedTarget:
    path: str
    length: int
    sha256: str
    targets_version: int
    custom: dict[str, Any]


@dataclass(frozen=True)
class PublishedState:
    """What :meth:`VendorRepository.read_published` read: metadata file name -> bytes, the listed targets, and
    when the timestamp (the shortest-lived role) expires."""

    metadata: dict[str, bytes]
    targets: dict[str, TargetFile]
    expires: dt.datetime
    timestamp_version: int


class VendorRepository:
    """One repository folder and its keys folder. Every change holds ``<repo>/.lock``."""

    def __init__(self, repo_dir: Path, keys_dir: Path) -> None:
        self.repo_dir = Path(repo_dir)
        self.keys_dir = Path(keys_dir)
        self.metadata_dir = self.repo_dir / "metadata"
        self.targets_dir = self.repo_dir / "targets"

    # -- reading the published state

    @property
    def initialised(self) -> bool:
        return (self.metadata_dir / "1.root.json").exists()

    def _require(self) -> None:
        if not self.initialised:
            raise TufRepoError(f"no TUF repository in {self.repo_dir}; run: pmv-vendor repo init")

    def expiry_days(self) -> dict[str, int]:
        try:
            stored = json.loads((self.repo_dir / "config.json").read_text(encoding="utf-8"))["expiry_days"]
        except (OSError, ValueError, KeyError):
            stored = {}
        return {**DEFAULT_EXPIRY_DAYS, **{k: int(v) for k, v in stored.items() if k in ROLES}}

    def root_version(self) -> int:
        versions = [number for p in self.metadata_dir.glob("*.root.json")
                    if (number := natural(p.name.split(".", 1)[0])) is not None]
        if not versions:
            raise TufRepoError(f"no root metadata in {self.metadata_dir}")
        return max(versions)

    def root_bytes(self, version: int | None = None) -> bytes:
        """The signed root of ``version`` (default: the newest), e.g. to ship as the app's trust anchor."""
        self._require()
        return (self.metadata_dir / f"{version or self.root_version()}.root.json").read_bytes()

    def load(self, role: str) -> Metadata[Any]:
        """The currently published metadata of a top-level role."""
        self._require()
        if role == "root":
            name = f"{self.root_version()}.root.json"
        elif role == "timestamp":
            name = "timestamp.json"
        elif role == "snapshot":
            name = f"{self.load('timestamp').signed.snapshot_meta.version}.snapshot.json"
        elif role == "targets":
            name = f"{self.load('snapshot').signed.meta['targets.json'].version}.targets.json"
        else:
            raise TufRepoError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        return Metadata.from_bytes((self.metadata_dir / name).read_bytes())

    def targets(self) -> dict[str, TargetFile]:
        return dict(self.load("targets").signed.targets)

    def read_published(self) -> PublishedState:
        """The metadata files a client needs, read together under the lock (no command publishes halfway).

        The root chain, root.json, timestamp.json and the snapshot and targets versions that timestamp names,
        as bytes, with the targets they list; each target's file is at ``targets_dir / stored_path(info)``.
        """
        self._require()
        with self._locked():
            files = {f"{n}.root.json": self.root_bytes(n) for n in range(1, self.root_version() + 1)}
            files["root.json"] = files[f"{self.root_version()}.root.json"]
            timestamp_bytes = (self.metadata_dir / "timestamp.json").read_bytes()
            timestamp: Metadata[Timestamp] = Metadata.from_bytes(timestamp_bytes)
            snapshot_name = f"{timestamp.signed.snapshot_meta.version}.snapshot.json"
            snapshot_bytes = (self.metadata_dir / snapshot_name).read_bytes()
            snapshot: Metadata[Snapshot] = Metadata.from_bytes(snapshot_bytes)
            targets_name = f"{snapshot.signed.meta['targets.json'].version}.targets.json"
            targets_bytes = (self.metadata_dir / targets_name).read_bytes()
            targets: Metadata[Targets] = Metadata.from_bytes(targets_bytes)
            files.update({"timestamp.json": timestamp_bytes, snapshot_name: snapshot_bytes,
                          targets_name: targets_bytes})
            return PublishedState(files, dict(targets.signed.targets), timestamp.signed.expires,
                                  timestamp.signed.version)

    @staticmethod
    def stored_path(info: TargetFile) -> str:
        """Where a target's file is under targets/: its path with the sha256 prefix (consistent snapshot)."""
        return info.get_prefixed_paths()[0]

    # -- keys

    def _write_key(self, role: str, signer: CryptoSigner) -> Path:
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.keys_dir, 0o700)
        path = self.keys_dir / f"{role}-{signer.public_key.keyid[:16]}.key"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(signer.private_bytes)
        return path

    def _key_files(self) -> dict[str, tuple[Path, CryptoSigner]]:
        """keyid -> (file, signer) for every private key in the keys folder."""
        found: dict[str, tuple[Path, CryptoSigner]] = {}
        for path in sorted(self.keys_dir.glob("*.key")):
            try:
                private = load_pem_private_key(path.read_bytes(), password=None)
                signer = CryptoSigner(private, SSlibKey.from_crypto(private.public_key(), scheme="ed25519"))
            except (ValueError, TypeError) as exc:
                raise TufRepoError(f"{path} is not an Ed25519 private key: {exc}") from None
            found[signer.public_key.keyid] = (path, signer)
        return found

    def _signers(self, root: Root, role: str) -> list[CryptoSigner]:
        available = self._key_files()
        signers = [available[k][1] for k in root.roles[role].keyids if k in available]
        if len(signers) < root.roles[role].threshold:
            raise TufRepoError(f"only {len(signers)} of the {root.roles[role].threshold} {role} key(s) "
                               f"needed are in {self.keys_dir}")
        return signers

    def signers(self, role: str) -> list[CryptoSigner]:
        """The private keys of ``role`` that the current root trusts (at least its threshold)."""
        return self._signers(self.load("root").signed, role)

    # -- writing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with FileLock(self.repo_dir / ".lock", timeout=60):
                yield
        except LockTimeout as exc:
            raise TufRepoError(f"another pmv-vendor repo command is running on {self.repo_dir}") from exc

    @staticmethod
    def _sign(md: Metadata[Any], signers: list[CryptoSigner]) -> bytes:
        md.signatures.clear()
        for signer in signers:
            md.sign(signer, append=True)
        return md.to_bytes(_SERIALIZER)

    def _expires(self, role: str, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(days=self.expiry_days()[role])

    def _publish_root(self, root_md: Metadata[Root], signers: list[CryptoSigner]) -> None:
        data = self._sign(root_md, signers)
        write_published(self.metadata_dir / f"{root_md.signed.version}.root.json", data)
        write_published(self.metadata_dir / "root.json", data)

    def _publish_chain(self, root: Root, now: dt.datetime, *, targets: Metadata[Targets] | None = None,
                       snapshot: bool = True) -> dict[str, int]:
        """Write a new targets (if given), snapshot (if asked) and timestamp, in the order clients need."""
        versions: dict[str, int] = {}
        first = not (self.metadata_dir / "timestamp.json").exists()
        if targets is not None:
            targets.signed.expires = self._expires("targets", now)
            targets_bytes = self._sign(targets, self._signers(root, "targets"))
            write_published(self.metadata_dir / f"{targets.signed.version}.targets.json", targets_bytes)
            versions["targets"] = targets.signed.version
        snap: Metadata[Snapshot] = Metadata(Snapshot(version=1)) if first else self.load("snapshot")
        if first or snapshot or targets is not None:
            if not first:
                snap.signed.version += 1
            if targets is not None:
                snap.signed.meta["targets.json"] = MetaFile.from_data(targets.signed.version, targets_bytes,
                                                                      ["sha256"])
            snap.signed.expires = self._expires("snapshot", now)
            snapshot_bytes = self._sign(snap, self._signers(root, "snapshot"))
            write_published(self.metadata_dir / f"{snap.signed.version}.snapshot.json", snapshot_bytes)
            versions["snapshot"] = snap.signed.version
        else:
            snapshot_bytes = (self.metadata_dir / f"{snap.signed.version}.snapshot.json").read_bytes()
        ts: Metadata[Timestamp] = Metadata(Timestamp(version=1)) if first else self.load("timestamp")
        if not first:
            ts.signed.version += 1
        ts.signed.snapshot_meta = MetaFile.from_data(snap.signed.version, snapshot_bytes, ["sha256"])
        ts.signed.expires = self._expires("timestamp", now)
        write_published(self.metadata_dir / "timestamp.json", self._sign(ts, self._signers(root, "timestamp")))
        versions["timestamp"] = ts.signed.version
        return versions

    # -- operations

    def init(self, *, root_threshold: int = 1, expiry_days: Mapping[str, int] | None = None,
             now: dt.datetime | None = None) -> dict[str, Any]:
        if root_threshold < 1 or root_threshold > 9:
            raise TufRepoError(f"root threshold must be 1..9, got {root_threshold}")
        policy = {**DEFAULT_EXPIRY_DAYS, **dict(expiry_days or {})}
        for role, days in policy.items():
            if role not in ROLES or int(days) < 1:
                raise TufRepoError(f"bad expiry for {role!r}: {days!r} (roles {', '.join(ROLES)}, days >= 1)")
        self.repo_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            if self.initialised:
                raise TufRepoError(f"{self.repo_dir} already holds a TUF repository")
            self.metadata_dir.mkdir(parents=True, exist_ok=True)
            self.targets_dir.mkdir(parents=True, exist_ok=True)
            (self.repo_dir / "config.json").write_text(json.dumps({"expiry_days": policy}, indent=2) + "\n",
                                                       encoding="utf-8")
            moment = _now(now)
            root = Root(version=1, expires=self._expires("root", moment), consistent_snapshot=True)
            for role in ROLES:
                for _ in range(root_threshold if role == "root" else 1):
                    signer = CryptoSigner.generate_ed25519()
                    self._write_key(role, signer)
                    root.add_key(signer.public_key, role)
            root.roles["root"].threshold = root_threshold
            root_md = Metadata(root)
            self._publish_root(root_md, self._signers(root, "root"))
            targets = Metadata(Targets(version=1, expires=moment))
            versions = self._publish_chain(root, moment, targets=targets)
            return {"root": 1, **versions, "keys": str(self.keys_dir), "repo": str(self.repo_dir)}

    def add_target(self, file: Path, *, kind: str, version: str, effective_date: dt.date | str | None = None,
                   channel: str = "stable", min_app_version: str | None = None, title_vi: str = "",
                   summary_vi: str = "", rollout_percent: int | None = None, target_id: str | None = None,
                   now: dt.datetime | None = None) -> PublishedTarget:
        file = Path(file)
        path, custom = self._describe(file, kind=kind, version=version, effective_date=effective_date,
                                      channel=channel, min_app_version=min_app_version, title_vi=title_vi,
                                      summary_vi=summary_vi, rollout_percent=rollout_percent,
                                      target_id=target_id)
        self._require()
        with self._locked():
            moment = _now(now)
            info = TargetFile.from_file(path, str(file), ["sha256"])
            info.unrecognized_fields["custom"] = custom
            targets = self.load("targets")
            existing = targets.signed.targets.get(path)
            if existing is not None and (existing.length, existing.hashes) != (info.length, info.hashes):
                raise TufRepoError(f"{path} is already published with other content; publish a new version")
            if existing is not None and existing.custom == custom:
                return PublishedTarget(path, info.length, info.hashes["sha256"], targets.signed.version, custom)
            stored = self.targets_dir / self.stored_path(info)
            stored.parent.mkdir(parents=True, exist_ok=True)
            if not stored.exists():
                with atomic_target(stored) as tmp:
                    shutil.copyfile(file, tmp)
                    os.chmod(tmp, 0o644)  # served as is, like the metadata (mkstemp's file is owner-only)
            targets.signed.targets[path] = info
            targets.signed.version += 1
            self._publish_chain(self.load("root").signed, moment, targets=targets)
            return PublishedTarget(path, info.length, info.hashes["sha256"], targets.signed.version, custom)

    def set_rollout(self, target_names: str | Sequence[str], percent: int | None, *,
                    now: dt.datetime | None = None) -> dict[str, int | None]:
        """Re-sign the targets metadata with ``percent`` as the ``rollout_percent`` of each named target.

        ``percent`` 0 stops the release for every shop that has not taken it yet (a pause); None offers it to
        everyone.  The target files and their hashes stay as they are, so a shop that already installed the
        release keeps it; only the signed custom data changes, in a new targets, snapshot and timestamp, so TUF
        protects the new value like any other (a server cannot hand a shop an old percentage: rollback
        protection).  Returns each target's percent before; nothing is re-signed when none changes.
        """
        names = [target_names] if isinstance(target_names, str) else list(target_names)
        if not names:
            raise TufRepoError("no target named: give the release's target path(s)")
        if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int)
                                    or not 0 <= percent <= 100):
            raise TufRepoError(f"rollout percent must be 0..100, got {percent!r}")
        self._require()
        with self._locked():
            moment = _now(now)
            targets = self.load("targets")
            listed = targets.signed.targets
            missing = [name for name in names if name not in listed]
            if missing:
                raise TufRepoError(f"no published target {', '.join(missing)} in {self.repo_dir}")
            before: dict[str, int | None] = {}
            for name in names:
                custom = dict(listed[name].custom or {})
                before[name] = custom.get("rollout_percent")
                custom["rollout_percent"] = percent
                listed[name].unrecognized_fields["custom"] = custom
            if all(value == percent for value in before.values()):
                return before
            targets.signed.version += 1
            self._publish_chain(self.load("root").signed, moment, targets=targets)
            return before

    def refresh(self, *, now: dt.datetime | None = None) -> dict[str, Any]:
        """New snapshot and timestamp (new expiry); targets and root too when less than half their life is left."""
        self._require()
        with self._locked():
            moment = _now(now)
            days = self.expiry_days()
            result: dict[str, Any] = {}
            root_md = self.load("root")
            if root_md.signed.expires - moment < dt.timedelta(days=days["root"]) / 2:
                root_md.signed.version += 1
                root_md.signed.expires = self._expires("root", moment)
                self._publish_root(root_md, self._signers(root_md.signed, "root"))
                result["root"] = root_md.signed.version
            targets = self.load("targets")
            renew_targets = targets.signed.expires - moment < dt.timedelta(days=days["targets"]) / 2
            if renew_targets:
                targets.signed.version += 1
            result.update(self._publish_chain(root_md.signed, moment, targets=targets if renew_targets else None))
            result["expires"] = {role: self.load(role).signed.expires.isoformat() for role in ROLES}
            return result

    def rotate_key(self, role: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
        """Replace ``role``'s keys with new ones in a new root version (signed by the old and the new root keys)."""
        if role not in ROLES:
            raise TufRepoError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        self._require()
        with self._locked():
            moment = _now(now)
            root_md = self.load("root")
            old_root = Root.from_dict(root_md.signed.to_dict())
            old_signers = self._signers(old_root, "root")
            root = root_md.signed
            old_keyids = list(root.roles[role].keyids)
            count = max(1, root.roles[role].threshold)
            new_files = []
            for keyid in old_keyids:
                root.revoke_key(keyid, role)
            for _ in range(count):
                signer = CryptoSigner.generate_ed25519()
                new_files.append(self._write_key(role, signer))
                root.add_key(signer.public_key, role)
            root.version += 1
            root.expires = self._expires("root", moment)
            # Spec 5.3.4/5.3.5: the new root must satisfy the old root's threshold and its own.
            signers = {s.public_key.keyid: s for s in [*old_signers, *self._signers(root, "root")]}
            self._publish_root(root_md, list(signers.values()))
            if role == "targets":
                targets = self.load("targets")
                targets.signed.version += 1
                self._publish_chain(root, moment, targets=targets)
            elif role in ("snapshot", "timestamp"):
                self._publish_chain(root, moment, snapshot=role == "snapshot")
            self._retire_keys(old_keyids, root)
            return {"role": role, "root": root.version, "new_keys": [str(p) for p in new_files],
                    "retired": old_keyids}

    def _retire_keys(self, keyids: list[str], root: Root) -> None:
        in_use = {k for r in root.roles.values() for k in r.keyids}
        retired = self.keys_dir / "retired"
        for keyid, (path, _) in self._key_files().items():
            if keyid in keyids and keyid not in in_use:
                retired.mkdir(mode=0o700, exist_ok=True)
                os.replace(path, retired / path.name)

    # -- input checks

    @staticmethod
    def _describe(file: Path, *, kind: str, version: str, effective_date: dt.date | str | None, channel: str,
                  min_app_version: str | None, title_vi: str, summary_vi: str, rollout_percent: int | None,
                  target_id: str | None) -> tuple[str, dict[str, Any]]:
        if not file.is_file():
            raise TufRepoError(f"{file} is not a file")
        if kind not in KINDS:
            raise TufRepoError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if not VERSION_PATTERN.match(version or ""):
            raise TufRepoError(f"version must look like 1.2.0 (optionally a1/b1/rc1), got {version!r}")
        if channel not in CHANNELS:
            raise TufRepoError(f"channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
        if min_app_version is not None and not VERSION_PATTERN.match(min_app_version):
            raise TufRepoError(f"min app version must look like 0.2.0, got {min_app_version!r}")
        if rollout_percent is not None and (isinstance(rollout_percent, bool) or not isinstance(rollout_percent, int)
                                            or not 0 <= rollout_percent <= 100):
            raise TufRepoError(f"rollout percent must be 0..100, got {rollout_percent!r}")
        if isinstance(effective_date, str):
            try:
                effective_date = dt.date.fromisoformat(effective_date)
            except ValueError:
                raise TufRepoError(f"effective date must be YYYY-MM-DD, got {effective_date!r}") from None
        if kind == "calendar":
            target_id, effective_date, title_vi = _check_calendar(file, version, target_id, effective_date, title_vi)
        if kind == "regulation" and min_app_version is None:
            _check_regulation(file)
        suffix = "".join(file.suffixes[-1:]).lower()
        if not SUFFIX_PATTERN.match(suffix):
            raise TufRepoError(f"{file.name}: the file needs an extension such as .json or .zip")
        if kind == "app":
            ident = APP_TARGET_NAME
        else:
            ident = target_id or _default_id(file, version)
            if not ID_PATTERN.match(ident):
                raise TufRepoError(f"id must be lowercase letters, digits and '-' (2-63), got {ident!r}; use --id")
        path = f"{kind}/{ident}-{version}{suffix}"
        custom = {
            "id": ident, "kind": kind, "version": version,
            "effective_date": effective_date.isoformat() if effective_date else None,
            "channel": channel, "min_app_version": min_app_version, "title_vi": title_vi or "",
            "summary_vi": summary_vi or "", "rollout_percent": rollout_percent,
        }
        return path, custom


def _check_calendar(file: Path, version: str, target_id: str | None, effective_date: dt.date | None,
                    title_vi: str) -> tuple[str, dt.date, str]:
    """A calendar pack is refused here, not on 2,000 tills: it must validate, and its id, version and year
    must be the ones the target is published under.  Returns (id, effective date, title) from the pack."""
    from pmv_protocol.calendar_pack import read_calendar_pack
    from pmv_protocol.packs import PackError

    try:
        pack, _stored = read_calendar_pack(file.read_bytes())
    except PackError as exc:
        raise TufRepoError(f"{file.name} is not a valid calendar pack: {exc}") from None
    if pack.version != version:
        raise TufRepoError(f"{file.name} is version {pack.version}, not {version}")
    if target_id is not None and target_id != pack.id:
        raise TufRepoError(f"{file.name} is {pack.id}, not {target_id}")
    if effective_date is not None and effective_date != pack.effective_date:
        raise TufRepoError(f"a calendar pack for {pack.year} takes effect on {pack.effective_date.isoformat()}")
    return pack.id, pack.effective_date, title_vi or pack.title_vi


def _check_regulation(file: Path) -> None:
    """A regulation pack the shops' current reader refuses is caught here, not on 2,000 tills (where it is skipped
    and the shop told to call): it must validate, unless ``--min-app-version`` names the app that reads it."""
    from pmv_protocol.packs import PackError, read_pack

    try:
        read_pack(file.read_bytes())
    except PackError as exc:
        raise TufRepoError(f"{file.name} is not a regulation pack this release reads: {exc}; if it is for a newer app, "
                           f"publish it with --min-app-version") from None


def _default_id(file: Path, version: str) -> str:
    stem = file.name[: -len(file.suffix)] if file.suffix else file.name
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    version_slug = re.sub(r"[^a-z0-9]+", "-", version.lower())
    if slug.endswith(f"-{version_slug}"):
        slug = slug[: -len(version_slug) - 1]
    return slug


# Module-level API (what the CLI and tests call).


def init_repo(repo_dir: Path, keys_dir: Path, *, root_threshold: int = 1,
              expiry_days: Mapping[str, int] | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    return VendorRepository(repo_dir, keys_dir).init(root_threshold=root_threshold, expiry_days=expiry_days, now=now)


def add_target(repo_dir: Path, keys_dir: Path, file: Path, *, kind: str, version: str,
               effective_date: dt.date | str | None = None, channel: str = "stable",
               min_app_version: str | None = None, title_vi: str = "", summary_vi: str = "",
               rollout_percent: int | None = None, target_id: str | None = None,
               now: dt.datetime | None = None) -> PublishedTarget:
    return VendorRepository(repo_dir, keys_dir).add_target(
        file, kind=kind, version=version, effective_date=effective_date, channel=channel,
        min_app_version=min_app_version, title_vi=title_vi, summary_vi=summary_vi,
        rollout_percent=rollout_percent, target_id=target_id, now=now)


def refresh(repo_dir: Path, keys_dir: Path, *, now: dt.datetime | None = None) -> dict[str, Any]:
    return VendorRepository(repo_dir, keys_dir).refresh(now=now)


def set_rollout(repo_dir: Path, keys_dir: Path, target_names: str | Sequence[str], percent: int | None, *,
                now: dt.datetime | None = None) -> dict[str, int | None]:
    return VendorRepository(repo_dir, keys_dir).set_rollout(target_names, percent, now=now)


def rotate_key(repo_dir: Path, keys_dir: Path, role: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    return VendorRepository(repo_dir, keys_dir).rotate_key(role, now=now)
