"""The composition root's container: everything a front end (GUI or CLI) needs, built once at start-up.

:func:`app.bootstrap.bootstrap` builds it; features receive what they need from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.fleet.outbox import FleetOutbox
from app.health.machine import REAL_MACHINE, MachineProbes
from app.infra.crash import CrashHandler
from app.infra.early_settings import LANGUAGE_STATE_KEY
from app.infra.paths import AppPaths
from app.infra.settings import LoadedSettings, Settings
from app.storage.db import Database, StorageNotice
from app.storage.repositories import ActivityRepository, StateRepository
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.conversation import ConversationService
from app.support.outbox import Outbox
from app.support.token_store import TokenStore
from app.support.vendor_api import VendorClient
from app.updates.install import PackStore
from app.warranty.service import ContractService
from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.shop_time import shop_today
from pmv_protocol.shop_time import utc_now as utc_now  # the runtime's default clock

if TYPE_CHECKING:
    from app.technician.audit import AuditLog


@dataclass
class Runtime:
    """Everything a front end (GUI or CLI) needs, built once at start-up."""

    paths: AppPaths
    loaded: LoadedSettings
    database: Database
    state: StateRepository
    activity: ActivityRepository
    log_file: Path
    crash: CrashHandler
    demo: bool = False
    storage_notices: list[StorageNotice] = field(default_factory=list)
    # Extra trusted vendor keys: only ever the demo vendor's, in demo mode.
    extra_key_files: list[Path] = field(default_factory=list)
    demo_vendor: Any = None  # the embedded vendor server, in demo mode
    # The one clock (aware) and machine state every check, job and coverage reads: tests inject them.
    clock: Callable[[], dt.datetime] = utc_now
    machine: MachineProbes = REAL_MACHINE

    def shop_today(self) -> dt.date:
        """Today in the shop (Asia/Ho_Chi_Minh), whatever the PC's zone."""
        return shop_today(self.clock())

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def token_store(self) -> TokenStore:
        # The demo's token must never replace the real shop's in the OS keyring.
        return TokenStore(self.paths.data_dir / "secrets" / "shop-token", use_keyring=not self.demo)

    def interface_language(self, requested: str | None = None) -> str:
        """``--lang``, then the user's last menu choice, then the settings file (app.infra.early_settings guesses this
        for the first paint)."""
        return requested or self.state.get(LANGUAGE_STATE_KEY) or self.settings.language

    def vendor_client(self) -> VendorClient:
        vendor = self.settings.vendor
        return VendorClient(vendor.base_url, self.token_store.get(), timeout=vendor.timeout_seconds)

    def working_calendar(self) -> WorkingCalendar:
        """The settings' calendar, with the vendor's installed calendar packs for the years they cover."""
        from pmv_protocol.calendar_pack import installed_years

        support = self.settings.support
        return WorkingCalendar.from_config(hours=support.working_hours or None,
                                           extra_days_off=support.extra_days_off,
                                           years=installed_years(self.calendar_store))

    @cached_property
    def calendar_store(self) -> PackStore:
        """The vendor's working-calendar packs (kind ``calendar``), installed and rolled back as regulation
        packs are, in their own folder so neither kind's listing or export sees the other."""
        from pmv_protocol.calendar_pack import no_rule_changes, read_calendar_pack

        store = PackStore(self.paths.data_dir / "updates" / "calendar", reader=read_calendar_pack,
                          differ=no_rule_changes)
        store.recover()
        return store

    @cached_property
    def support(self) -> SupportRepository:
        return SupportRepository(self.database, self.paths.data_dir / "outbox", clock=self.clock)

    @cached_property
    def pack_store(self) -> PackStore:
        store = PackStore(self.paths.data_dir / "updates")
        store.recover()  # finish or clean up an install a crash interrupted
        return store

    def installed_packs(self) -> list[dict[str, str]]:
        """The regulation and calendar packs in force on this till (what a support bundle tells the vendor)."""
        return [{"id": pack.id, "version": pack.version, "title": pack.title_vi}
                for store in (self.pack_store, self.calendar_store) for pack in store.installed()]

    @cached_property
    def outbox(self) -> Outbox:
        # One per process: its lock keeps two deliveries (scheduler, "send now") from overlapping.
        return Outbox(self.support, self.vendor_client)

    @cached_property
    def fleet(self) -> FleetOutbox:
        """Heartbeats and update events waiting for the vendor (app/fleet); one per process, as the outbox."""
        return FleetOutbox(self.database, clock=self.clock)

    @cached_property
    def conversation(self) -> ConversationService:
        """The requests' conversations: what the detail view, the tray and the agent read and act on."""
        thread = ThreadRepository(self.database, self.paths.data_dir / "outbox", clock=self.clock)
        return ConversationService(self.support, thread, downloads_dir=self.paths.data_dir / "support-files",
                                   client_factory=self.vendor_client, clock=self.clock)

    def audit_log(self) -> AuditLog:
        """The technician audit log, stamped with this runtime's clock (the PC's own clock is not the shop's)."""
        from app.technician.audit import AuditLog

        return AuditLog(self.database, clock=self.clock)

    def contract_service(self) -> ContractService:
        from app.infra.keys import load_trusted_keys

        cache = self.paths.demo_shop_dir / "contract.json" if self.demo else self.paths.data_dir / "contract.json"
        return ContractService(
            cache,
            load_trusted_keys("contract", *self.extra_key_files),
            self.settings.shop.shop_id,
            fetch=lambda: self.vendor_client().get_contract(),
        )

    def close(self) -> None:
        if self.demo_vendor is not None:
            self.demo_vendor.stop()
        self.database.close()
        self.crash.uninstall()
