"""Writing a shop profile on the old PC ("Sao lưu để cài lại").

Nothing secret leaves the PC unless the technician asks for it and gives a
passphrase: the shop token then travels sealed, and so does the settings file
with its passwords (the plain settings.toml always has them replaced by ``***``).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from app import __version__
from app.technician.profile import (
    CONTRACT_PART,
    MANIFEST,
    PACK_LIMIT,
    PART_LIMITS,
    SECRETS_PART,
    SETTINGS_PART,
    Manifest,
    PartInfo,
    ProfileError,
    ProfileProblem,
    ProfileSecrets,
    ShopFiles,
    pack_part_name,
)
from app.technician.profile_crypto import passphrase_bytes, seal
from app.technician.profile_settings import declared_paths, parse_settings, shop_identity, strip_secrets
from app.updates.install import PackStore
from app.updates.pack_folders import PACK_FILE
from pmv_protocol.atomic import atomic_target
from pmv_protocol.contract import ContractError, verify_document


class ExportNote(enum.Enum):
    """Something the technician should know about a profile that was written anyway."""

    NO_SETTINGS_FILE = "no_settings_file"  # the shop runs on defaults: nothing to carry
    NO_CONTRACT = "no_contract"  # no contract stored yet
    CONTRACT_LEFT_OUT = "contract_left_out"  # the stored contract no longer verifies; fetch it again on the new PC
    SECRETS_LEFT_OUT = "secrets_left_out"  # settings had passwords, replaced by *** (see stripped_settings_keys)
    NO_TOKEN = "no_token"  # secrets were asked for, but no shop token is stored
    NOTHING_TO_SEAL = "nothing_to_seal"  # secrets were asked for, but there are none: no secrets.enc


@dataclass(frozen=True)
class ExportResult:
    """The profile written, its manifest, and what the technician should be told about it."""

    path: Path
    manifest: Manifest
    notes: tuple[ExportNote, ...]

    @property
    def secrets_included(self) -> bool:
        return bool(self.manifest.sealed)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _read(path: Path, limit: int) -> bytes | None:
    """A source file's bytes, None if it does not exist; refuses the unreadable and the oversized."""
    try:
        if path.stat().st_size > limit:
            raise ProfileError(ProfileProblem.TOO_LARGE, f"{path} is larger than {limit} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProfileError(ProfileProblem.READ_FAILED, f"{path}: {exc}") from None


def export_profile(
    source: ShopFiles,
    dest: Path,
    *,
    include_secrets: bool = False,
    passphrase: str | None = None,
    clock: Callable[[], dt.datetime] = _utc_now,
) -> ExportResult:
    """Write the profile of the shop at ``source`` to ``dest`` (atomically: all of it or nothing).

    Raises ProfileError: PASSPHRASE_REQUIRED / PASSPHRASE_TOO_SHORT when
    secrets are included without a usable passphrase, SETTINGS_UNREADABLE when
    the settings file is not valid TOML (its secrets could not be found),
    READ_FAILED / TOO_LARGE / WRITE_FAILED for files.
    """
    if include_secrets:
        passphrase_bytes(passphrase)  # refuse before any work, not after
    notes: list[ExportNote] = []
    parts: dict[str, bytes] = {}
    shop_id = shop_name = ""
    stripped_keys: tuple[str, ...] = ()
    source_paths: dict[str, str] = {}
    raw_settings = _read(source.settings_file, PART_LIMITS[SETTINGS_PART])
    if raw_settings is None:
        notes.append(ExportNote.NO_SETTINGS_FILE)
    else:
        data = parse_settings(raw_settings)
        shop_id, shop_name = shop_identity(data)
        source_paths = {key: str(path) for key, path in declared_paths(data, source.settings_file).items()}
        stripped = strip_secrets(raw_settings)
        parts[SETTINGS_PART] = stripped.data
        stripped_keys = stripped.keys

    contract = _read(source.contract_file, PART_LIMITS[CONTRACT_PART])
    if contract is None:
        notes.append(ExportNote.NO_CONTRACT)
    else:
        try:
            # The same check the app makes at every start: a contract it would not trust is not carried.
            verify_document(contract, source.trusted_keys, shop_id or None)
            parts[CONTRACT_PART] = contract
        except ContractError:
            notes.append(ExportNote.CONTRACT_LEFT_OUT)

    for installed in PackStore(source.packs_root).installed():
        pack_bytes = _read(installed.path / PACK_FILE, PACK_LIMIT)
        if pack_bytes is not None:
            parts[pack_part_name(installed.id, installed.version)] = pack_bytes

    secrets = ProfileSecrets()
    if include_secrets:
        secrets = ProfileSecrets(source.token_store.get(), raw_settings if stripped_keys else None)
        if secrets.shop_token is None:
            notes.append(ExportNote.NO_TOKEN)
        if not secrets.names:
            notes.append(ExportNote.NOTHING_TO_SEAL)
    elif stripped_keys:
        notes.append(ExportNote.SECRETS_LEFT_OUT)

    manifest = Manifest(
        profile_id=str(uuid.uuid4()),
        app_version=__version__,
        created_at=clock().astimezone(dt.UTC).replace(microsecond=0),
        shop_id=shop_id,
        shop_name=shop_name,
        parts=tuple(_info(name, data) for name, data in parts.items()),
        stripped_settings_keys=stripped_keys,
        sealed=secrets.names,
        source_paths=source_paths,
    )
    if secrets.names:
        assert passphrase is not None  # checked above
        parts[SECRETS_PART] = seal(secrets.to_bytes(), passphrase, manifest.secrets_aad())
        manifest = replace(manifest, parts=(*manifest.parts, _info(SECRETS_PART, parts[SECRETS_PART])))
    path = _write_zip(Path(dest), manifest, parts)
    return ExportResult(path, manifest, tuple(notes))


def _info(name: str, data: bytes) -> PartInfo:
    return PartInfo(name, hashlib.sha256(data).hexdigest(), len(data))


def _write_zip(dest: Path, manifest: Manifest, parts: dict[str, bytes]) -> Path:
    stamp = manifest.created_at.timetuple()[:6]
    try:
        with atomic_target(dest) as tmp:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in ((MANIFEST, manifest.to_bytes()), *parts.items()):
                    info = zipfile.ZipInfo(name, date_time=(max(stamp[0], 1980), *stamp[1:]))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o600 << 16  # the profile may hold the sealed token: user-only
                    archive.writestr(info, data)
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
    except OSError as exc:
        raise ProfileError(ProfileProblem.WRITE_FAILED, f"{dest}: {exc}") from None
    return dest
