"""Restoring a shop profile on the new PC: plan first, then apply, never overwriting unasked.

:func:`plan_import` reads the new PC and says, part by part, what importing
would do (write, leave as is, replace, keep the PC's newer one) and which
folders the settings name that this PC does not have.  :func:`apply_import`
makes the same plan, refuses when it would replace anything unless
``overwrite=True``, and only then writes: packs through
:meth:`PackStore.install` (pointer and rollback as for any update), the
contract through :meth:`ContractService.accept` (verified again, on this
PC's keys, and stored as verified), the token into the token store, and the settings file last, so
that the app only becomes the restored shop once everything else is there.
Every file is replaced atomically, and every step is idempotent, so after a
failure (a full disk) the same import can simply be run again.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.technician.profile import (
    SEALED_SETTINGS,
    SEALED_TOKEN,
    ProfileError,
    ProfileProblem,
    ProfileSecrets,
    ShopFiles,
)
from app.technician.profile_read import Profile
from app.technician.profile_settings import declared_paths, parse_settings, shop_identity
from app.updates.install import PackStore, PackStoreError
from app.warranty.service import ContractService
from pmv_protocol.atomic import write_atomically
from pmv_protocol.contract import Contract, ContractError, ContractProblem, VerifiedContract, verify
from pmv_protocol.packs import PackError, version_key


class PartAction(enum.Enum):
    """What importing does to one of settings, contract and shop token."""

    NONE = "none"  # the profile does not carry it
    WRITE = "write"  # the PC has none yet
    SAME = "same"  # the PC already has exactly this
    REPLACE = "replace"  # the PC has something else: needs overwrite=True
    KEEP_NEWER = "keep_newer"  # contract only: the PC has a later one for the same shop, which stays


class PackAction(enum.Enum):
    """What importing does to one regulation pack."""

    INSTALL = "install"  # not installed on the PC
    SAME = "same"
    UPGRADE = "upgrade"  # the PC has an older version; it stays as the rollback target
    KEEP_NEWER = "keep_newer"  # the PC has a newer version: packs are never downgraded by an import
    KEEP_DIFFERENT = "keep_different"  # same version, other bytes: the PC's stays (PackStore would refuse)


class ImportConflict(enum.Enum):
    """Something on the new PC that importing would replace; each one needs overwrite=True."""

    FOREIGN_SHOP = "foreign_shop"  # the PC's settings name another shop
    SETTINGS_DIFFER = "settings_differ"
    CONTRACT_OTHER_SHOP = "contract_other_shop"  # the PC holds another shop's contract
    CONTRACT_DIFFERS = "contract_differs"  # an older or no longer valid contract of this shop
    TOKEN_DIFFERS = "token_differs"  # another shop token (or, without the passphrase, maybe another)


@dataclass(frozen=True)
class PackPlan:
    """One pack of the profile against what the PC has installed."""

    id: str
    version: str
    installed_version: str | None
    action: PackAction


@dataclass(frozen=True)
class PathCheck:
    """A folder or file the imported settings name, as this PC will resolve it."""

    key: str  # "pos.database", "pos.backups_dir", ...
    path: Path
    exists: bool


@dataclass(frozen=True)
class ImportPlan:
    """What importing a profile would do on this PC; shown to the technician before anything is written."""

    shop_id: str
    shop_name: str
    target_shop_id: str  # the shop the PC is configured for now ('' if none)
    settings_file: Path
    data_dir: Path  # where contract, packs and token go (the imported data_dir setting, if usable)
    data_dir_fallback: bool  # the imported data_dir cannot be used here; the default one is, as at start-up
    settings: PartAction
    contract: PartAction
    token: PartAction
    packs: tuple[PackPlan, ...]
    paths: tuple[PathCheck, ...]
    secrets_to_reenter: tuple[str, ...]  # settings keys left as *** (no secrets restored): type them again
    conflicts: tuple[ImportConflict, ...]

    @property
    def needs_overwrite(self) -> bool:
        return bool(self.conflicts)

    @property
    def missing_paths(self) -> tuple[PathCheck, ...]:
        """Where the technician must restore POS data or backups before the shop can trade."""
        return tuple(check for check in self.paths if not check.exists)


@dataclass(frozen=True)
class ImportResult:
    """What :func:`apply_import` wrote."""

    plan: ImportPlan
    settings_written: bool
    contract_written: bool
    token_restored: bool
    packs_installed: tuple[tuple[str, str], ...]  # (id, version)
    kept: tuple[Path, ...] = ()  # copies of the files this PC had before they were replaced


def _read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProfileError(ProfileProblem.READ_FAILED, f"{path}: {exc}") from None


def _usable_dir(path: Path) -> bool:
    """Whether start-up could use or create ``path`` (as ``AppPaths.ensure`` would), without creating it."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK)


def _verify_incoming(profile: Profile, place: ShopFiles) -> VerifiedContract | None:
    if profile.contract is None:
        return None
    try:
        # The app's own check (ContractService uses it at every start), on this PC's keys.
        return verify(profile.contract, place.trusted_keys, profile.shop_id or None)
    except ContractError as exc:
        problem = (ProfileProblem.CONTRACT_WRONG_SHOP if exc.problem is ContractProblem.WRONG_SHOP
                   else ProfileProblem.CONTRACT_REFUSED)
        raise ProfileError(problem, str(exc), contract_problem=exc.problem, fault=exc.fault) from None


def plan_import(profile: Profile, target: ShopFiles, *, passphrase: str | None = None,
                skip_secrets: bool = False) -> ImportPlan:
    """What importing ``profile`` into ``target`` would do; reads only.

    With the passphrase the plan is exact about the token and the settings
    bytes; without it, whatever might differ is reported as a replacement.
    Raises ProfileError for a contract that does not verify here, or a wrong passphrase.
    """
    restoring = profile.has_secrets and not skip_secrets
    secrets = profile.open_secrets(passphrase) if restoring and passphrase is not None else None
    return _plan(profile, target, secrets, restoring)


def _plan(profile: Profile, target: ShopFiles, secrets: ProfileSecrets | None, restoring: bool) -> ImportPlan:
    sealed = set(profile.manifest.sealed) if restoring else set()
    conflicts: list[ImportConflict] = []
    data = parse_settings(profile.settings) if profile.settings is not None else {}
    declared = declared_paths(data, target.settings_file)
    place, fallback = target, False
    if "data_dir" in declared:
        if _usable_dir(declared["data_dir"]):
            place = target.with_data_dir(declared["data_dir"])
        else:
            fallback = True

    present = _read_optional(target.settings_file)
    target_shop = ""
    if present is not None:
        try:
            target_shop = shop_identity(parse_settings(present))[0]
        except ProfileError:
            pass  # a broken settings file names no shop; it still counts as something to replace
    if target_shop and target_shop != profile.shop_id:
        conflicts.append(ImportConflict.FOREIGN_SHOP)
    new_settings = _settings_to_write(profile, secrets)
    exact = SEALED_SETTINGS not in sealed or secrets is not None  # else the bytes are unknown until unsealed
    if profile.settings is None:
        settings = PartAction.NONE
    elif present is None:
        settings = PartAction.WRITE
    elif exact and present == new_settings:
        settings = PartAction.SAME
    else:
        settings = PartAction.REPLACE
        conflicts.append(ImportConflict.SETTINGS_DIFFER)

    contract = _contract_action(profile, place, conflicts)

    token = PartAction.NONE
    if SEALED_TOKEN in sealed:
        current_token = place.token_store.get()
        if current_token is None:
            token = PartAction.WRITE
        elif secrets is not None and secrets.shop_token == current_token:
            token = PartAction.SAME
        else:
            token = PartAction.REPLACE
            conflicts.append(ImportConflict.TOKEN_DIFFERS)

    store = PackStore(place.packs_root)
    packs = tuple(_pack_plan(store, pack.id, pack.version, pack.data) for pack in profile.packs)
    paths = tuple(PathCheck(key, path, path.exists()) for key, path in declared.items())
    return ImportPlan(
        shop_id=profile.shop_id,
        shop_name=profile.shop_name,
        target_shop_id=target_shop,
        settings_file=target.settings_file,
        data_dir=place.data_dir,
        data_dir_fallback=fallback,
        settings=settings,
        contract=contract,
        token=token,
        packs=packs,
        paths=paths,
        secrets_to_reenter=() if SEALED_SETTINGS in sealed else profile.manifest.stripped_settings_keys,
        conflicts=tuple(conflicts),
    )


def _settings_to_write(profile: Profile, secrets: ProfileSecrets | None) -> bytes | None:
    if secrets is not None and secrets.settings is not None:
        return secrets.settings
    return profile.settings


def _contract_action(profile: Profile, place: ShopFiles, conflicts: list[ImportConflict]) -> PartAction:
    verified = _verify_incoming(profile, place)
    if verified is None:
        return PartAction.NONE
    incoming = verified.contract
    existing = _read_optional(place.contract_file)
    if existing is None:
        return PartAction.WRITE
    try:
        stored = verify(existing, place.trusted_keys, None)
    except ContractError:
        stored = None  # unreadable or untrusted: nothing worth keeping, but still a file to replace
    # Compared as stored (canonical), so a cache kept as received before that change still counts as the same.
    if stored is not None and stored.stored_bytes == verified.stored_bytes:
        return PartAction.SAME
    current: Contract | None = stored.contract if stored is not None else None
    if current is not None and current.shop_id != incoming.shop_id:
        conflicts.append(ImportConflict.CONTRACT_OTHER_SHOP)
        return PartAction.REPLACE
    if current is not None and current.issued_at > incoming.issued_at:
        return PartAction.KEEP_NEWER  # ContractService.accept would keep it too: never roll back a renewal
    conflicts.append(ImportConflict.CONTRACT_DIFFERS)
    return PartAction.REPLACE


def _pack_plan(store: PackStore, pack_id: str, version: str, data: bytes) -> PackPlan:
    current = store.current(pack_id)
    if current is None:
        return PackPlan(pack_id, version, None, PackAction.INSTALL)
    if current.version == version:
        same = store.holds(pack_id, version, data)  # compared as stored: the canonical form of each
        return PackPlan(pack_id, version, version, PackAction.SAME if same else PackAction.KEEP_DIFFERENT)
    action = PackAction.UPGRADE if version_key(version) > current.version_key else PackAction.KEEP_NEWER
    return PackPlan(pack_id, version, current.version, action)


def apply_import(profile: Profile, target: ShopFiles, *, passphrase: str | None = None,
                 overwrite: bool = False, skip_secrets: bool = False,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> ImportResult:
    """Restore ``profile`` on ``target``.

    A profile with secrets needs its passphrase (or ``skip_secrets=True`` to
    restore everything else); a missing or wrong one is refused before
    anything is written.  Anything the plan would replace is refused (FOREIGN_SHOP
    when it belongs to another shop, else WOULD_OVERWRITE, with the plan on the
    error) unless ``overwrite=True``; a settings file or contract it then replaces is first copied beside itself
    (``<name>.before-import-<UTC time>``, in :attr:`ImportResult.kept`), so a password typed on this PC and not
    carried by the profile is not lost.
    """
    restoring = profile.has_secrets and not skip_secrets
    secrets = profile.open_secrets(passphrase) if restoring else None
    plan = _plan(profile, target, secrets, restoring)
    if plan.conflicts and not overwrite:
        foreign = {ImportConflict.FOREIGN_SHOP, ImportConflict.CONTRACT_OTHER_SHOP} & set(plan.conflicts)
        problem = ProfileProblem.FOREIGN_SHOP if foreign else ProfileProblem.WOULD_OVERWRITE
        raise ProfileError(problem, ", ".join(c.value for c in plan.conflicts), plan=plan)

    place = target.with_data_dir(plan.data_dir)
    installed: list[tuple[str, str]] = []
    kept: list[Path] = []
    stamp = clock().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    try:
        for action, path in ((plan.settings, target.settings_file), (plan.contract, place.contract_file)):
            if action is PartAction.REPLACE and (copy := _keep_copy(path, stamp)) is not None:
                kept.append(copy)
        place.data_dir.mkdir(parents=True, exist_ok=True)
        wanted = {p.id for p in plan.packs if p.action in (PackAction.INSTALL, PackAction.UPGRADE)}
        if wanted:
            store = PackStore(place.packs_root)
            store.recover()  # as at start-up: finish or clear an install a crash left, before adding to it
            for pack in profile.packs:
                if pack.id in wanted:
                    store.install(pack.data)
                    installed.append((pack.id, pack.version))
        contract_written = plan.contract in (PartAction.WRITE, PartAction.REPLACE)
        if contract_written and profile.contract is not None:
            ContractService(place.contract_file, place.trusted_keys, profile.shop_id or None).accept(profile.contract)
        token_restored = plan.token in (PartAction.WRITE, PartAction.REPLACE)
        if token_restored and secrets is not None and secrets.shop_token is not None:
            place.token_store.set(secrets.shop_token)
        new_settings = _settings_to_write(profile, secrets)
        settings_written = plan.settings in (PartAction.WRITE, PartAction.REPLACE)
        if settings_written and new_settings is not None:
            write_atomically(target.settings_file, new_settings)
    except ContractError as exc:  # verified in the plan; only a changed key file could get here
        raise ProfileError(ProfileProblem.CONTRACT_REFUSED, str(exc), contract_problem=exc.problem,
                           fault=exc.fault) from None
    except (OSError, PackError, PackStoreError, ValueError) as exc:
        raise ProfileError(ProfileProblem.WRITE_FAILED, f"{type(exc).__name__}: {exc}") from None
    return ImportResult(plan, settings_written, contract_written, token_restored, tuple(installed), tuple(kept))


def _keep_copy(path: Path, stamp: str) -> Path | None:
    """A copy of ``path`` beside it, before it is replaced (None: there is no such file)."""
    data = _read_optional(path)
    if data is None:
        return None
    copy = path.with_name(f"{path.name}.before-import-{stamp}")
    count = 1
    while copy.exists():  # a second import within the same second must not replace the first one's copy
        count += 1
        copy = path.with_name(f"{path.name}.before-import-{stamp}-{count}")
    write_atomically(copy, data)
    return copy
