"""Opening a shop profile on the new PC and proving it is whole, before anything is planned or written.

:func:`read_profile` only reads: names are checked before any member is
opened, every size is bounded before and while reading (zip headers can lie),
and every member must be listed in the manifest with a matching sha256.  The
contract's signature is checked later, against the new PC's trusted keys
(:mod:`app.technician.profile_import`), but its JSON is read strictly here
already: a contract that could be read two ways is refused before anything
asks which shop it claims.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from app.technician.profile import (
    CONTRACT_PART,
    MANIFEST,
    MAX_MEMBERS,
    MAX_PROFILE_BYTES,
    SECRETS_PART,
    SETTINGS_PART,
    Manifest,
    ProfileError,
    ProfileProblem,
    ProfileSecrets,
    pack_part_name,
    part_limit,
)
from app.technician.profile_crypto import unseal
from app.technician.profile_settings import parse_settings, shop_identity
from pmv_protocol.contract import ContractProblem
from pmv_protocol.packs import PackError, load_pack
from pmv_protocol.signed_json import JsonFault, StrictJsonError, parse_object

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ProfilePack:
    """One regulation pack carried by a profile, validated, with its bytes as installed on the old PC."""

    id: str
    version: str
    data: bytes


@dataclass(frozen=True)
class Profile:
    """A profile that is whole: every part present, unaltered and consistent with the manifest."""

    path: Path
    manifest: Manifest
    settings: bytes | None  # secrets replaced by ***
    contract: bytes | None  # signed document, not yet verified against this PC's keys
    packs: tuple[ProfilePack, ...]
    sealed_secrets: bytes | None

    @property
    def shop_id(self) -> str:
        return self.manifest.shop_id

    @property
    def shop_name(self) -> str:
        return self.manifest.shop_name

    @property
    def has_secrets(self) -> bool:
        return self.sealed_secrets is not None

    def open_secrets(self, passphrase: str | None) -> ProfileSecrets:
        """The sealed secrets; PASSPHRASE_REQUIRED, WRONG_PASSPHRASE or SECRETS_INVALID otherwise."""
        if self.sealed_secrets is None:
            return ProfileSecrets()
        secrets = ProfileSecrets.parse(unseal(self.sealed_secrets, passphrase, self.manifest.secrets_aad()))
        if set(secrets.names) != set(self.manifest.sealed):
            raise ProfileError(ProfileProblem.SECRETS_INVALID, "secrets.enc does not hold what the manifest says")
        return secrets


def _check_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    # Checked on the raw name: a profile is written by this app, so anything
    # unusual is tampering or damage, never a Windows zip tool's habit.
    if (not name or "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name)
            or ".." in name.split("/") or info.is_dir() or stat.S_ISLNK(info.external_attr >> 16)):
        raise ProfileError(ProfileProblem.UNSAFE_NAME, repr(name))
    if info.flag_bits & 0x1:  # APPNOTE.TXT 4.4.4, bit 0: encrypted; this app never writes one (zip -P, 7-Zip did)
        raise ProfileError(ProfileProblem.NOT_A_PROFILE, f"{name} is encrypted with a zip password")
    return name


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise ProfileError(ProfileProblem.TOO_LARGE, f"{info.filename} is {info.file_size} bytes")
    with archive.open(info) as member:
        data = member.read(limit + 1)  # the header's size is a claim: read one byte more to catch a lie
    if len(data) > limit:
        raise ProfileError(ProfileProblem.TOO_LARGE, f"{info.filename} is larger than {limit} bytes")
    return data


def read_profile(path: Path) -> Profile:
    """Open ``path`` and check it completely; raises ProfileError naming the first problem found."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise ProfileError(ProfileProblem.READ_FAILED, str(exc)) from None
    if size > MAX_PROFILE_BYTES:
        raise ProfileError(ProfileProblem.TOO_LARGE, f"{size} bytes")
    try:
        return _read(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # A file that starts like a zip but cannot be read is a damaged profile (truncated on a USB
        # stick, a failed copy); anything else was never one.
        problem = ProfileProblem.DAMAGED if head == _ZIP_MAGIC else ProfileProblem.NOT_A_PROFILE
        raise ProfileError(problem, f"{type(exc).__name__}: {exc}") from None
    except OSError as exc:
        raise ProfileError(ProfileProblem.READ_FAILED, str(exc)) from None


def _read(path: Path) -> Profile:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ProfileError(ProfileProblem.TOO_LARGE, f"{len(infos)} members")
        by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = _check_name(info)
            if name in by_name:  # which of two same-named members a reader takes is up to the reader
                raise ProfileError(ProfileProblem.UNSAFE_NAME, f"{name!r} appears twice")
            by_name[name] = info
        if MANIFEST not in by_name:
            raise ProfileError(ProfileProblem.NOT_A_PROFILE, "no manifest.json")
        manifest = Manifest.parse(_read_member(archive, by_name[MANIFEST], part_limit(MANIFEST) or 0))
        declared = {part.name: part for part in manifest.parts}
        for name in by_name:
            if name != MANIFEST and name not in declared:
                raise ProfileError(ProfileProblem.UNEXPECTED_PART, name)
        contents: dict[str, bytes] = {}
        for part in manifest.parts:
            limit = part_limit(part.name)
            if limit is None or part.name == MANIFEST:
                raise ProfileError(ProfileProblem.UNEXPECTED_PART, part.name)
            if part.name not in by_name:
                raise ProfileError(ProfileProblem.MISSING_PART, part.name)
            data = _read_member(archive, by_name[part.name], limit)
            if len(data) != part.size or hashlib.sha256(data).hexdigest() != part.sha256:
                raise ProfileError(ProfileProblem.CHECKSUM_MISMATCH, part.name)
            contents[part.name] = data
    return _assemble(path, manifest, contents)


def _assemble(path: Path, manifest: Manifest, contents: dict[str, bytes]) -> Profile:
    """Check that the parts agree with each other and with the manifest."""
    settings = contents.get(SETTINGS_PART)
    if settings is not None:
        shop_id, _name = shop_identity(parse_settings(settings))
        if shop_id != manifest.shop_id:
            raise ProfileError(ProfileProblem.MANIFEST_INVALID,
                               f"settings say {shop_id!r}, manifest {manifest.shop_id!r}")
    elif manifest.shop_id or manifest.stripped_settings_keys:
        raise ProfileError(ProfileProblem.MANIFEST_INVALID, "a shop without a settings file")
    contract = contents.get(CONTRACT_PART)
    if contract is not None:
        # Checked here, before any key is needed, so a foreign contract is refused even on a PC without keys.
        claimed, fault = _claimed_shop(contract)
        if claimed is None:
            raise ProfileError(ProfileProblem.CONTRACT_REFUSED, "not a contract document",
                               contract_problem=ContractProblem.MALFORMED, fault=fault)
        if manifest.shop_id and claimed != manifest.shop_id:
            raise ProfileError(ProfileProblem.CONTRACT_WRONG_SHOP, f"{claimed!r} != {manifest.shop_id!r}")
    packs: list[ProfilePack] = []
    for name, data in contents.items():
        if not name.startswith("packs/"):
            continue
        try:
            pack = load_pack(data)
        except PackError as exc:
            raise ProfileError(ProfileProblem.PACK_INVALID, f"{name}: {exc}", fault=exc.fault) from None
        if pack_part_name(pack.id, pack.version) != name:
            raise ProfileError(ProfileProblem.PACK_INVALID, f"{name} holds {pack.id} {pack.version}")
        packs.append(ProfilePack(pack.id, pack.version, data))
    if len({pack.id for pack in packs}) != len(packs):
        raise ProfileError(ProfileProblem.PACK_INVALID, "two versions of one pack")
    return Profile(path, manifest, settings, contract, tuple(packs), contents.get(SECRETS_PART))


def _claimed_shop(document: bytes) -> tuple[str | None, JsonFault | None]:
    """The shop the contract names, or None (with the strict reader's fault when it refused the JSON)."""
    try:
        shop = parse_object(document)["payload"]["shop_id"]
    except StrictJsonError as exc:
        return None, exc.fault
    except (KeyError, TypeError):
        return None, None
    return (shop, None) if isinstance(shop, str) else (None, None)
