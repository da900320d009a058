"""Start-up shared by the GUI and the headless CLI (no Qt here).

:func:`bootstrap` resolves paths, reads settings, starts logging and crash
capture, and opens (migrating if needed) the app's database, in that order,
so that everything after it can log and everything can be reported; in demo
mode it also makes the demo shop and starts the demo's vendor server.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from app import APP_NAME, __version__
from app.health.machine import REAL_MACHINE, MachineProbes
from app.infra.crash import CrashHandler
from app.infra.logs import LOG_FILE_NAME, setup_logging
from app.infra.paths import AppPaths
from app.infra.settings import LoadedSettings, ProblemKind, Reason, SettingsProblem, keep_if_clean, load_settings
from app.infra.settings_last_good import LastGoodStore
from app.runtime import Runtime, utc_now
from app.shop.demo import MARKER, create_demo_shop
from app.storage.db import Database
from app.storage.recovery_notice import carry_recovery
from app.storage.repositories import ActivityRepository, StateRepository
from pmv_protocol.shop_time import shop_today

log = logging.getLogger(__name__)


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
    state = StateRepository(database, clock=clock)  # the runtime's clock, as every check and job reads
    notices = carry_recovery(state, notices)
    runtime = Runtime(
        paths=paths,
        loaded=loaded,
        database=database,
        state=state,
        activity=ActivityRepository(database, clock=clock),
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
