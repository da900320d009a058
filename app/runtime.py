"""Start-up shared by the GUI and the headless CLI (no Qt here).

:func:`bootstrap` resolves paths, reads settings, starts logging and crash
capture, and opens (migrating if needed) the app's database, in that order,
so that everything after it can log and everything can be reported.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cached_property
from collections.abc import Callable
from typing import Any
from pathlib import Path

from app import APP_NAME, __version__
from app.crash import CrashHandler
from pmv_protocol.shop_time import shop_today
from app.health.machine import REAL_MACHINE, MachineProbes
from app.early_settings import LANGUAGE_STATE_KEY
from app.logs import LOG_FILE_NAME, setup_logging
from app.paths import AppPaths
from app.settings import LoadedSettings, ProblemKind, Reason, Settings, SettingsProblem, keep_if_clean, load_settings
from app.settings_last_good import LastGoodStore
from app.shop.demo import MARKER, create_demo_shop
from app.storage.db import Database, StorageNotice
from app.warranty.service import ContractService
from app.storage.repositories import ActivityRepository, StateRepository
from app.storage.support_requests import SupportRepository
from pmv_protocol.calendar import WorkingCalendar
from app.support.outbox import Outbox
from app.support.token_store import TokenStore
from app.updates.install import PackStore
from app.support.vendor_api import VendorClient

log = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
        """``--lang``, then the user's last menu choice, then the settings file (app.early_settings guesses this
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

    @cached_property
    def outbox(self) -> Outbox:
        # One per process: its lock keeps two deliveries (scheduler, "send now") from overlapping.
        return Outbox(self.support, self.vendor_client)

    def contract_service(self) -> ContractService:
        from app.keys import load_trusted_keys

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


def ensure_demo_shop(paths: AppPaths, today: dt.date | None = None, now: dt.datetime | None = None) -> Path:
    """The demo shop in the data dir, (re)made so its prices and backups are current."""
    # The shop's day, not the PC's: a demo started at 00:30 in Hà Nội on a UTC machine is 'tomorrow' there.
    today = today or shop_today(dt.datetime.now(dt.UTC))
    folder = paths.demo_shop_dir
    marker = folder / MARKER
    fresh = marker.exists() and marker.read_text(encoding="utf-8").startswith(f"created {today.isoformat()}")
    if not fresh:
        create_demo_shop(folder, today=today, now=now, force=marker.exists())  # nothing dated after now
    return folder / "settings.toml"


def resolve_paths(demo: bool = False, paths: AppPaths | None = None) -> AppPaths:
    """The app's folders before settings are read; demo mode gets its own data dir."""
    paths = paths or AppPaths.default()
    if demo:
        # The demo must never touch a real shop's database, contract or state.
        paths = paths.with_data_dir(paths.data_dir / "demo")
    return paths


def bootstrap(
    config: Path | None = None,
    *,
    demo: bool = False,
    paths: AppPaths | None = None,
    log_to_stderr: bool = False,
    install_crash_handler: bool = True,
    log_name: str = LOG_FILE_NAME,
    start_demo_vendor: bool = True,
    clock: Callable[[], dt.datetime] = utc_now,
    machine: MachineProbes = REAL_MACHINE,
) -> Runtime:
    """Start everything up; raises StorageError when the database cannot be used.

    ``clock`` and ``machine`` are what every check, job and coverage reads as now and as the PC's state.
    """
    paths = resolve_paths(demo, paths).ensure()
    shop_day = shop_today(clock())
    if demo:
        config = ensure_demo_shop(paths, today=shop_day, now=clock())
    # The last good copies live in the app's own data dir, not the one the file names: found even when it is broken.
    last_good = LastGoodStore.in_data_dir(paths.data_dir, clock)
    loaded = load_settings(config or paths.settings_file, last_good=last_good)
    paths = _data_dir_or_default(paths, loaded)
    log_file = setup_logging(paths.log_dir, to_stderr=log_to_stderr, file_name=log_name)
    log.info("%s %s starting (settings: %s)", APP_NAME, __version__, loaded.path)
    for problem in loaded.problems:
        # INFO, so the log file has it but stderr does not: each front end shows loaded.problems once itself
        # (the CLI prints them, the window shows banners, `check` reports them as settings.valid).
        log.info("settings %s: %s", loaded.path, problem.describe())
    keep_if_clean(loaded, last_good)
    crash = CrashHandler(paths.crash_dir, log_file)
    if install_crash_handler:
        crash.install()
    database, notices = Database.open(paths.database_file)
    extra_key_files = []
    if demo:
        from app.demo_vendor import ensure_demo_contract

        shop = loaded.settings.shop
        keys_file, _contract = ensure_demo_contract(paths.demo_shop_dir, shop.shop_id, shop.name, shop_day)
        extra_key_files.append(keys_file)
    runtime = Runtime(
        paths=paths,
        loaded=loaded,
        database=database,
        state=StateRepository(database),
        activity=ActivityRepository(database),
        log_file=log_file,
        crash=crash,
        demo=demo,
        storage_notices=notices,
        extra_key_files=extra_key_files,
        clock=clock,
        machine=machine,
    )
    if demo and start_demo_vendor:
        _start_demo_vendor(runtime)
    return runtime


def _start_demo_vendor(runtime: Runtime) -> None:
    """The embedded vendor server; the demo still opens (offline) if it cannot start."""
    try:
        from app.demo_vendor import seed_demo_requests, start_demo_vendor

        runtime.demo_vendor = start_demo_vendor(runtime)
        seed_demo_requests(runtime, runtime.demo_vendor)
    except ImportError:
        log.warning("demo vendor server not installed (pip install -e '.[vendor]'); the demo runs offline")
    except Exception:
        log.exception("demo vendor server failed; the demo runs offline")


def _data_dir_or_default(paths: AppPaths, loaded: LoadedSettings) -> AppPaths:
    """The configured data dir, or the default one (with a problem reported) if it cannot be used."""
    wanted = loaded.settings.data_dir
    if wanted is None:
        return paths
    try:
        return paths.with_data_dir(wanted).ensure()
    except OSError as exc:
        loaded.problems.append(
            SettingsProblem(ProblemKind.INVALID_VALUE, "data_dir", str(wanted), str(exc), Reason.NOT_WRITABLE)
        )
        return paths
