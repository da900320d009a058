"""The overview's first read: what the tiles show, read before the data layer has loaded.

The full start-up imports pydantic, SQLAlchemy and the features (most of a
second on a till, issue 24) before the features' own reads fill the overview.
This reads the same stores with the standard library and the light halves of
those features, in the records they use, so the window is filled while the
rest loads; the features' reads then replace each tile with the same values.

It reads only what the full start-up would read unchanged, and gives up
(``None``) otherwise, leaving the overview to the features' reads:

* the settings file as it last loaded cleanly (:func:`app.infra.early_settings.clean_settings`),
  not the demo (whose shop the start-up makes);
* the app's database already at the current schema, not busy
  (:mod:`app.storage.quick_reads`);
* the regulation packs with no install left half-done (:func:`app.updates.pack_folders.interrupted`).

Two limits, both put right within the second: a database damaged where these
queries do not look is moved aside by the full start-up's check (the window
then builds its overview again, with the CRITICAL banner); and a pack this
version's model refuses (after a rollback of the app) is listed here from its
stored members until the pack store falls back from it.

Nothing here writes, migrates or recovers: that stays the full start-up's.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.health.model import CheckResult, HealthReport, StoredRun
from app.infra.early_settings import CleanSettings, clean_settings
from app.infra.keys import load_trusted_keys
from app.infra.paths import AppPaths
from app.infra.settings_text import SHOP_NAME_DEFAULT
from app.overview.facts import ACTIVITY_SHOWN, OverviewFacts, PosRead, ShopCard
from app.shop.pos_reader import read_summary
from app.storage.quick_reads import (
    QuickReadUnavailable,
    latest_run,
    reading,
    recent_activity,
    request_deadlines,
    unread_messages,
)
from app.updates.pack_folders import interrupted, list_installed, read_stored_header
from app.warranty.cache import read_cached, snapshot_on
from pmv_protocol.shop_time import shop_today, utc_now

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

log = logging.getLogger(__name__)

def read_first(config: Path | None, *, demo: bool, clock: Callable[[], dt.datetime] = utc_now,
               paths: AppPaths | None = None,
               contract_keys: Mapping[str, Ed25519PublicKey] | None = None) -> OverviewFacts | None:
    """The overview's values now, or None where only the full start-up can say them (see the module).

    ``contract_keys``: the vendor keys a contract must verify with; the shipped ones by default (tests give theirs).
    """
    settings = clean_settings(config, demo=demo, paths=paths)
    if settings is None:
        log.info("first read: the settings are new or changed since they last loaded; the features read")
        return None
    if not _usable(settings.paths):
        log.info("first read: the data folder cannot be used as it is; the full start-up says what it does instead")
        return None
    data_dir = settings.paths.data_dir
    updates = data_dir / "updates"
    if interrupted(updates):
        log.info("first read: a pack install was interrupted; the features read once it is recovered")
        return None
    now = clock()
    today = shop_today(now)
    shop = _shop_card(settings.section("shop"))
    try:
        with reading(settings.paths.database_file) as connection:
            run = latest_run(connection)
            requests = request_deadlines(connection)
            unread = unread_messages(connection)
            activity = recent_activity(connection, ACTIVITY_SHOWN)
    except QuickReadUnavailable as exc:
        log.info("first read: the database is not ready to read as it is (%s); the features read", exc)
        return None
    packs_dir = updates / "packs"
    packs = list_installed(packs_dir, functools.partial(read_stored_header, packs_dir))
    keys = contract_keys if contract_keys is not None else load_trusted_keys("contract")
    contract = read_cached(data_dir / "contract.json", keys, shop.shop_id)
    return OverviewFacts(now, today, shop, _report(run), requests, unread, snapshot_on(contract, today), packs,
                         activity, _pos(settings))


def _usable(paths: AppPaths) -> bool:
    """The folders the full start-up makes sure of (:meth:`AppPaths.ensure`) are there and writable: else it creates
    them, or falls back to the default data folder and says why (then this would read the wrong database)."""
    return all(folder.is_dir() and os.access(folder, os.W_OK)
               for folder in (paths.data_dir, paths.log_dir, paths.crash_dir))


def _text(table: dict[str, Any], key: str, default: str = "") -> str:
    value = table.get(key, default)
    return value if isinstance(value, str) else default


def _shop_card(shop: dict[str, Any]) -> ShopCard:
    return ShopCard(_text(shop, "name", SHOP_NAME_DEFAULT), _text(shop, "shop_id"), _text(shop, "address"),
                    _text(shop, "phone"))


def _report(run: StoredRun | None) -> HealthReport | None:
    """The stored run as :func:`app.health.service.latest_stored` gives it: statuses and summaries, no details.

    Its titles are left to the window's own (every check has one there; the stored run's Vietnamese titles come
    from loading every check module, which is what this read avoids)."""
    if run is None:
        return None
    results = tuple(CheckResult(r.check_id, r.status, r.summary) for r in run.results)
    return HealthReport(run.run_at, run.run_at, results, {})


def _pos(settings: CleanSettings) -> PosRead | None:
    """The POS summary for a POS kept in an SQLite file; None for one on a database server (SQLAlchemy reads it)."""
    pos = settings.section("pos")
    if _text(pos, "url"):  # as the features read it (any text, even spaces, is a URL to try): SQLAlchemy's
        return None
    database = _text(pos, "database")
    if not database:
        return PosRead(configured=False)
    path = Path(database).expanduser()
    if not path.is_absolute():  # as app.infra.settings resolves it: next to the settings file
        path = (settings.source.parent / path).resolve()
    try:
        return PosRead(read_summary(path))
    except Exception as exc:  # noqa: BLE001  (shown on the board, as the features' read shows it)
        return PosRead(error=exc)
