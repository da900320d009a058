"""The shop profile of the reinstall kit ("Sao lưu để cài lại"): its format, its errors, its places.

A profile is one zip file, ``<shop>.pmvprofile``, that turns a new till PC into
the old one.  Its members::

    manifest.json              what the profile is (see :class:`Manifest`); every other
                               member is listed in ``parts`` with its sha256 and size
    settings.toml              the settings file as the shop has it, with secrets (passwords in
                               URLs, secret-named keys) replaced by ``***``; absent if the shop had none
    contract.json              the signed contract document exactly as stored (re-verified on import)
    packs/<id>-<version>.json  each installed regulation pack, its current version, bytes as verified by TUF
    secrets.enc                only when the technician includes secrets (see :mod:`profile_crypto`):
                               the shop token and the settings file *with* its secrets

The pieces live in four modules: this one (format and shared types),
:mod:`app.technician.profile_settings` (reading a settings file without
applying it), :mod:`app.technician.profile_crypto` (sealing the secrets),
:mod:`app.technician.profile_export` (writing a profile), and
:mod:`app.technician.profile_read` / :mod:`app.technician.profile_import`
(checking a profile, planning and applying it on the new PC).

Every JSON part (the manifest, the contract, the packs, the sealed secrets
and their envelope) is read with :mod:`pmv_protocol.signed_json`: a part that could be
read two ways (a name given twice, ``NaN``, a lone surrogate) is refused,
never read the way one parser happens to read it.

Domain code only: every refusal is a :class:`ProfileError` carrying a
:class:`ProfileProblem` code (and, for a JSON part refused by the strict
reader, its :class:`~pmv_protocol.signed_json.JsonFault`); the UI words it in Vietnamese.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.support.token_store import TokenStore
from pmv_protocol.coded_error import CodeAlias, CodedError
from pmv_protocol.contract import ContractProblem
from pmv_protocol.signed_json import JsonFault, JsonProblem, StrictJsonError, canonical_bytes, parse_object

if TYPE_CHECKING:
    from app.infra.paths import AppPaths
    from app.runtime import Runtime

FORMAT = "pmv-shop-profile"
FORMAT_VERSION = 1
FILE_SUFFIX = ".pmvprofile"

MANIFEST = "manifest.json"
SETTINGS_PART = "settings.toml"
CONTRACT_PART = "contract.json"
SECRETS_PART = "secrets.enc"
PACKS_FOLDER = "packs/"

# What secrets.enc may hold, named in the manifest so the UI can say what a passphrase unlocks.
SEALED_TOKEN = "shop_token"
SEALED_SETTINGS = "settings"

# A profile is kilobytes; these stop a hostile or mistaken file (a zip bomb, a
# backup picked by accident) before it is read into memory.
MAX_PROFILE_BYTES = 32 * 1024 * 1024
MAX_MEMBERS = 64
PART_LIMITS = {
    MANIFEST: 256 * 1024,
    SETTINGS_PART: 1024 * 1024,
    CONTRACT_PART: 256 * 1024,  # the contract service's own limit
    SECRETS_PART: 2 * 1024 * 1024,
}
PACK_LIMIT = 1_000_000  # pmv_protocol.packs.MAX_PACK_BYTES
# Only these names may appear: no folders other than packs/, no '..', no drive letters.
PACK_PART_PATTERN = re.compile(r"^packs/[a-z0-9][a-z0-9.-]{1,80}\.json$")

MIN_PASSPHRASE_LENGTH = 8


class ProfileProblem(enum.Enum):
    """Why a profile was refused or could not be made; the UI words each one."""

    READ_FAILED = "read_failed"  # the file cannot be opened at all
    NOT_A_PROFILE = "not_a_profile"  # not a zip, or a zip without a profile manifest
    DAMAGED = "damaged"  # a zip that is truncated or fails its CRC
    TOO_LARGE = "too_large"  # the file or one of its parts is far larger than any profile
    UNSAFE_NAME = "unsafe_name"  # a member name that could write outside a folder ('..', '/x', 'C:')
    MANIFEST_INVALID = "manifest_invalid"  # the manifest is not what this version writes
    NEWER_FORMAT = "newer_format"  # made by a newer app: update this one first
    MISSING_PART = "missing_part"  # the manifest lists a member the zip does not hold
    UNEXPECTED_PART = "unexpected_part"  # a member the manifest does not list
    CHECKSUM_MISMATCH = "checksum_mismatch"  # a member was altered after export
    SETTINGS_UNREADABLE = "settings_unreadable"  # not UTF-8 TOML (on export: fix the file first)
    PACK_INVALID = "pack_invalid"  # a regulation pack that does not validate or is misnamed
    CONTRACT_REFUSED = "contract_refused"  # the contract does not verify (``contract_problem`` says why)
    CONTRACT_WRONG_SHOP = "contract_wrong_shop"  # a valid contract, for another shop than the profile's
    PASSPHRASE_REQUIRED = "passphrase_required"
    PASSPHRASE_TOO_SHORT = "passphrase_too_short"
    WRONG_PASSPHRASE = "wrong_passphrase"  # or secrets.enc was moved here from another profile
    SECRETS_INVALID = "secrets_invalid"  # secrets.enc is not an envelope this version can open
    FOREIGN_SHOP = "foreign_shop"  # the new PC belongs to another shop (needs overwrite=True)
    WOULD_OVERWRITE = "would_overwrite"  # something on the new PC differs (needs overwrite=True)
    WRITE_FAILED = "write_failed"  # the disk refused a write (full, read-only, permissions)


class ProfileError(CodedError[ProfileProblem]):
    """A profile refused or not made; ``problem`` says why, ``detail`` is English for logs.

    ``contract_problem`` is set for the contract codes; ``plan`` (an
    :class:`~app.technician.profile_import.ImportPlan`) for FOREIGN_SHOP and
    WOULD_OVERWRITE, so the UI can show what would be replaced and ask;
    ``fault`` when a JSON part was refused by the strict reader (which name was
    given twice, and where).
    """

    problem = CodeAlias[ProfileProblem]()

    def __init__(
        self,
        problem: ProfileProblem,
        detail: str = "",
        *,
        contract_problem: ContractProblem | None = None,
        plan: Any = None,
        fault: JsonFault | None = None,
    ) -> None:
        super().__init__(problem, detail)
        self.contract_problem = contract_problem
        self.plan = plan
        self.fault = fault


@dataclass(frozen=True)
class PartInfo:
    """One member of the zip as the manifest records it."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """``manifest.json``: who the profile is for, where things were, and a checksum per member."""

    profile_id: str  # a fresh uuid4 per export: binds secrets.enc to this one profile
    app_version: str
    created_at: dt.datetime
    shop_id: str
    shop_name: str
    parts: tuple[PartInfo, ...]
    # Settings keys whose secret was replaced by '***' in settings.toml (pos.url, ...).
    stripped_settings_keys: tuple[str, ...] = ()
    # What secrets.enc holds (SEALED_TOKEN, SEALED_SETTINGS): names only, never values.
    sealed: tuple[str, ...] = ()
    # The POS and backup folders as resolved on the old PC, so the technician knows what to restore where.
    source_paths: Mapping[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def part(self, name: str) -> PartInfo | None:
        return next((p for p in self.parts if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "profile_id": self.profile_id,
            "app_version": self.app_version,
            "created_at": self.created_at.isoformat(),
            "shop_id": self.shop_id,
            "shop_name": self.shop_name,
            "stripped_settings_keys": list(self.stripped_settings_keys),
            "sealed": list(self.sealed),
            "source_paths": dict(self.source_paths),
            "parts": [{"name": p.name, "sha256": p.sha256, "size": p.size} for p in self.parts],
        }

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")

    def secrets_aad(self) -> bytes:
        """What secrets.enc is bound to: this profile's identity and every other part's checksum.

        Moving secrets.enc into another profile, or changing any part and
        rewriting the manifest to match, makes it fail to open.
        """
        bound = {
            "format": FORMAT,
            "format_version": self.format_version,
            "profile_id": self.profile_id,
            "shop_id": self.shop_id,
            "created_at": self.created_at.isoformat(),
            "parts": sorted([p.name, p.sha256, p.size] for p in self.parts if p.name != SECRETS_PART),
        }
        return canonical_bytes(bound)

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        """The manifest of a profile; refuses other files, newer formats and anything malformed."""
        try:
            doc = parse_object(data)
        except StrictJsonError as exc:
            # Not JSON, or JSON of another shape: some other file.  JSON that could be read
            # two ways: a manifest, but not one this app wrote.
            other_file = exc.problem in (JsonProblem.NOT_UTF8, JsonProblem.NOT_JSON, JsonProblem.NOT_AN_OBJECT)
            problem = ProfileProblem.NOT_A_PROFILE if other_file else ProfileProblem.MANIFEST_INVALID
            raise ProfileError(problem, f"manifest: {exc}", fault=exc.fault) from None
        if doc.get("format") != FORMAT:
            raise ProfileError(ProfileProblem.NOT_A_PROFILE, "manifest of another kind of file")
        version = doc.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ProfileError(ProfileProblem.MANIFEST_INVALID, f"format_version {version!r}")
        if version > FORMAT_VERSION:
            # Checked before the rest: a newer format may have fields this version cannot read.
            raise ProfileError(ProfileProblem.NEWER_FORMAT, f"format_version {version} > {FORMAT_VERSION}")
        try:
            parts = tuple(_part(item) for item in doc["parts"])
            manifest = cls(
                profile_id=_text(doc["profile_id"]),
                app_version=_text(doc["app_version"]),
                created_at=dt.datetime.fromisoformat(_text(doc["created_at"])),
                shop_id=_text(doc["shop_id"]),
                shop_name=_text(doc["shop_name"]),
                parts=parts,
                stripped_settings_keys=tuple(_text(k) for k in doc.get("stripped_settings_keys", [])),
                sealed=tuple(_text(k) for k in doc.get("sealed", [])),
                source_paths={_text(k): _text(v) for k, v in dict(doc.get("source_paths", {})).items()},
                format_version=version,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProfileError(ProfileProblem.MANIFEST_INVALID, f"{type(exc).__name__}: {exc}") from None
        names = [p.name for p in parts]
        if len(set(names)) != len(names):
            raise ProfileError(ProfileProblem.MANIFEST_INVALID, "a part is listed twice")
        if set(manifest.sealed) - {SEALED_TOKEN, SEALED_SETTINGS} or (bool(manifest.sealed) != (SECRETS_PART in names)):
            raise ProfileError(ProfileProblem.MANIFEST_INVALID, "sealed names do not match secrets.enc")
        return manifest


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _part(item: Any) -> PartInfo:
    if not isinstance(item, dict):
        raise TypeError("a part must be an object")
    size = item["size"]
    sha = _text(item["sha256"])
    if not isinstance(size, int) or isinstance(size, bool) or size < 0 or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError(f"bad size or sha256 for {item.get('name')!r}")
    return PartInfo(_text(item["name"]), sha, size)


def part_limit(name: str) -> int | None:
    """The largest a member called ``name`` may be, or None if no profile has such a member."""
    if name in PART_LIMITS:
        return PART_LIMITS[name]
    if PACK_PART_PATTERN.fullmatch(name):
        return PACK_LIMIT
    return None


def pack_part_name(pack_id: str, version: str) -> str:
    return f"{PACKS_FOLDER}{pack_id}-{version}.json"


@dataclass(frozen=True)
class ProfileSecrets:
    """What secrets.enc holds once opened: the shop token and the settings file with its secrets."""

    shop_token: str | None = None
    settings: bytes | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, value in ((SEALED_TOKEN, self.shop_token), (SEALED_SETTINGS, self.settings))
                     if value is not None)

    def to_bytes(self) -> bytes:
        settings = base64.b64encode(self.settings).decode("ascii") if self.settings is not None else None
        return json.dumps({"shop_token": self.shop_token, "settings_b64": settings}).encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> ProfileSecrets:
        try:
            doc = parse_object(data)
        except StrictJsonError as exc:
            raise ProfileError(ProfileProblem.SECRETS_INVALID, f"secrets: {exc}", fault=exc.fault) from None
        try:
            token = doc["shop_token"]
            settings = doc["settings_b64"]
            if not (token is None or isinstance(token, str)) or not (settings is None or isinstance(settings, str)):
                raise TypeError("wrong types")
            return cls(token or None, base64.b64decode(settings, validate=True) if settings is not None else None)
        except (ValueError, TypeError, KeyError, binascii.Error) as exc:
            raise ProfileError(ProfileProblem.SECRETS_INVALID, f"{type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class ShopFiles:
    """Where one PC keeps what a profile carries: the old PC's on export, the new PC's on import.

    The layout under ``data_dir`` is the :class:`~app.runtime.Runtime`'s
    (``contract.json``, ``updates/`` for packs, ``secrets/shop-token`` beside
    the keyring); :meth:`from_runtime` takes the runtime's own objects so the
    two cannot drift apart unnoticed (a test compares them).
    """

    settings_file: Path
    data_dir: Path
    trusted_keys: Mapping[str, Ed25519PublicKey]
    contract_file: Path
    packs_root: Path
    token_file: Path
    use_keyring: bool = True

    @classmethod
    def at(cls, settings_file: Path, data_dir: Path, trusted_keys: Mapping[str, Ed25519PublicKey], *,
           use_keyring: bool = True) -> ShopFiles:
        data_dir = Path(data_dir)
        return cls(Path(settings_file), data_dir, trusted_keys, data_dir / "contract.json",
                   data_dir / "updates", data_dir / "secrets" / "shop-token", use_keyring)

    @classmethod
    def from_paths(cls, paths: AppPaths, *, trusted_keys: Mapping[str, Ed25519PublicKey] | None = None,
                   use_keyring: bool = True) -> ShopFiles:
        """A PC's places from its app folders; the vendor's shipped contract keys unless given."""
        if trusted_keys is None:
            from app.infra.keys import load_trusted_keys

            trusted_keys = load_trusted_keys("contract")
        return cls.at(paths.settings_file, paths.data_dir, trusted_keys, use_keyring=use_keyring)

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> ShopFiles:
        from app.infra.keys import load_trusted_keys

        store = runtime.token_store
        return cls(
            settings_file=runtime.loaded.path,
            data_dir=runtime.paths.data_dir,
            trusted_keys=load_trusted_keys("contract", *runtime.extra_key_files),
            contract_file=runtime.contract_service().cache_file,
            packs_root=runtime.pack_store.root,
            token_file=store.fallback_file,
            use_keyring=not runtime.demo,
        )

    def with_data_dir(self, data_dir: Path) -> ShopFiles:
        """The same PC with another data folder (the one an imported ``data_dir`` setting names)."""
        if Path(data_dir) == self.data_dir:
            return self
        return ShopFiles.at(self.settings_file, data_dir, self.trusted_keys, use_keyring=self.use_keyring)

    @property
    def token_store(self) -> TokenStore:
        return TokenStore(self.token_file, use_keyring=self.use_keyring)
