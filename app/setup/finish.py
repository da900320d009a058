"""The setup's last page: what the wizard (or ``pmv-support setup``) chose, written in one go.

Until :func:`finish_setup` runs, nothing but a successful enrolment's token (and its kept answer,
:mod:`app.setup.pending`) has been written: going back, cancelling and resuming cost nothing.  It
verifies and stores the contract, stores a typed token (a shop without Internet), and writes
``settings.toml``, the first settings file the app writes itself.  A settings file already there
(*Thiết lập lại…*) keeps everything the setup does not choose, and its previous text is kept beside
it as ``settings.toml.bak``.

All or nothing, as the pages say ("Không có gì bị thay đổi" when it fails): everything is checked before
anything is written, the settings file (the likeliest write to fail: a folder the shop's account cannot
write) goes first, and should the contract or the token then fail to store, the settings file and the
contract are put back as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.infra.settings import (
    DevicesSettings,
    LoadedSettings,
    PosSettings,
    PrinterSettings,
    Settings,
    ShopSettings,
    VendorSettings,
    keep_if_clean,
    load_settings,
    save_settings,
)
from app.infra.settings_last_good import LastGoodStore
from app.setup.enrolment import Enrolment
from app.setup.pending import PendingEnrolment
from app.support.token_store import TokenStore
from app.warranty.service import ContractService
from pmv_protocol.atomic import write_atomically
from pmv_protocol.contract import Contract, verify

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


@dataclass
class ShopDetails:
    shop_id: str = ""
    name: str = ""
    address: str = ""
    phone: str = ""


@dataclass
class SetupChoices:
    """Everything the wizard's pages decide, held in memory until the last page."""

    install_dir: Path | None = None
    database: Path | None = None
    url: str = ""  # a POS on a database server
    backups_dir: Path | None = None
    logs_dir: Path | None = None
    enrolment: Enrolment | None = None  # from a code (its token is already stored)
    # A shop without Internet: the token the vendor gave and the contract file it sent, verified on the page.
    offline_token: str = ""
    offline_contract: bytes | None = None
    offline_shop: ShopDetails = field(default_factory=ShopDetails)
    scanner_ports: list[str] = field(default_factory=list)
    printers: list[PrinterSettings] = field(default_factory=list)
    vendor_url: str = ""  # another vendor server than the settings' (``setup --vendor-url``); "" keeps it

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None or bool(self.offline_token and self.offline_contract)

    def shop(self) -> ShopDetails:
        e = self.enrolment
        return ShopDetails(e.shop_id, e.name, e.address, e.phone) if e is not None else self.offline_shop

    def contract_bytes(self) -> bytes | None:
        return self.enrolment.contract if self.enrolment is not None else self.offline_contract


@dataclass(frozen=True)
class SetupWritten:
    settings_file: Path
    backup: Path | None  # the previous settings file, when there was one
    contract: Contract | None
    token_stored: bool


def choose_settings(choices: SetupChoices, base: Settings) -> Settings:
    """``base`` (defaults, or the settings in force for *Thiết lập lại*) with what the setup chose."""
    shop = choices.shop()
    pos = PosSettings(url=choices.url, process_name=base.pos.process_name,
                      database=None if choices.url else choices.database, backups_dir=choices.backups_dir,
                      logs_dir=choices.logs_dir, install_dir=choices.install_dir)
    shop_settings = ShopSettings(name=shop.name or base.shop.name, shop_id=shop.shop_id or base.shop.shop_id,
                                 address=shop.address or base.shop.address, phone=shop.phone or base.shop.phone)
    devices = DevicesSettings(printers=list(choices.printers) or list(base.devices.printers),
                              scanner_ports=list(choices.scanner_ports) or list(base.devices.scanner_ports))
    update = {"pos": pos, "shop": shop_settings, "devices": devices}
    if choices.vendor_url:
        update["vendor"] = vendor_at(base.vendor, choices.vendor_url)
    return base.model_copy(update=update)


def vendor_at(vendor: VendorSettings, url: str) -> VendorSettings:
    """``vendor`` with ``url`` as its server, validated as a settings file's would be (ValueError: not one)."""
    return VendorSettings.model_validate({**vendor.model_dump(), "base_url": url.rstrip("/")})


def finish_setup(choices: SetupChoices, *, base: Settings, settings_file: Path, tokens: TokenStore,
                 contract_cache: Path, trusted_keys: Mapping[str, Ed25519PublicKey],
                 pending: PendingEnrolment | None = None) -> SetupWritten:
    """Write the settings, then store the contract and the token: all of it, or (on any error) none of it.

    Raises ContractError (a contract that does not verify), ValueError (a vendor address that is not one) or
    OSError (a write refused), each with everything as it was before.
    """
    shop = choices.shop()
    raw = choices.contract_bytes()
    contracts = ContractService(contract_cache, trusted_keys, shop.shop_id or None)
    if raw is not None:
        verify(raw, trusted_keys, shop.shop_id or None)  # ContractError before anything is written
    settings = choose_settings(choices, base)
    token = choices.enrolment.token if choices.enrolment is not None else choices.offline_token
    contract_cache = Path(contract_cache)
    contract_before = contract_cache.read_bytes() if contract_cache.is_file() else None  # before any write
    settings_file = Path(settings_file)
    backup = None
    if settings_file.exists():
        backup = settings_file.with_name(settings_file.name + ".bak")
        shutil.copy2(settings_file, backup)
    save_settings(settings, settings_file)
    try:
        contract = contracts.accept(raw) if raw is not None else None
        if token:  # an enrolment's is already stored; again in case the keyring was reset since
            tokens.set(token)
    except BaseException:
        _put_back(settings_file, backup, contract_cache, contract_before)
        raise
    if pending is not None:
        pending.forget()
    return SetupWritten(settings_file, backup, contract, bool(token))


def _put_back(settings_file: Path, backup: Path | None, contract_cache: Path, contract_before: bytes | None) -> None:
    """Undo a setup that failed half-way: the settings file and the contract as they were before it."""
    if backup is not None:
        shutil.copy2(backup, settings_file)
    else:
        settings_file.unlink(missing_ok=True)
    if contract_before is not None:
        write_atomically(contract_cache, contract_before)
    elif contract_cache.is_file():
        os.remove(contract_cache)


def read_written(written: SetupWritten, data_dir: Path, clock: Callable[[], dt.datetime]) -> LoadedSettings:
    """The settings just written, read as at start-up (and kept as the last good copy): what the app runs on next."""
    last_good = LastGoodStore.in_data_dir(data_dir, clock)
    loaded = load_settings(written.settings_file, last_good=last_good)
    keep_if_clean(loaded, last_good)
    return loaded
