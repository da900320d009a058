"""``pmv-vendor fleet sweep``: open the proactive tickets that are due, note the recoveries, for every shop.

Why a command (run from cron, e.g. every 15 minutes, like ``ticket close-unanswered``) and not a loop inside the
server: the server already sweeps a shop right after each of its heartbeats, and a check's critical time counts
up to its last report only (it grows with reports, never while a shop sends nothing), so a later pass is left
what those sweeps could not do: a ticket that failed to open, a note that failed to be written, a heartbeat
whose sweep was cut short.  A loop in the app's lifespan would run once per worker (``serve --workers N``),
and not at all where the app is embedded or tested without a lifespan; one cron line runs it once, and the
sweep is safe to run twice at once anyway (:mod:`.proactive`).  Prints what it did as JSON; exits 1 when a
ticket could not be opened or noted (each is retried by the next sweep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping
from typing import Any

from vendor_server.calendars import PublishedCalendars
from vendor_server.db import VendorDatabase
from vendor_server.fleet.proactive import SweepResult, sweep
from vendor_server.fleet.settings import FleetSettings


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 moment: {text!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"give the moment with its UTC offset, e.g. 2026-03-10T09:00+07:00: {text!r}")
    return moment


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``fleet`` command and its sub-commands, on ``pmv-vendor``'s sub-parsers."""
    fleet = sub.add_parser("fleet", help="the shops' heartbeats: proactive tickets")
    fleet_sub = fleet.add_subparsers(dest="fleet_command", required=True)
    sweeping = fleet_sub.add_parser("sweep", parents=[common],
                                    help="open a ticket for each check held critical past its threshold (or put it "
                                         "on the check's ticket still open), note recoveries (run from cron every "
                                         "few minutes)")
    sweeping.add_argument("--at", type=_moment, metavar="ISO",
                          help="sweep as at this moment (default: now), e.g. to catch up a missed run")


def fleet_settings(settings: Mapping[str, Any]) -> FleetSettings:
    """The ``[fleet]`` settings from the CLI's settings: a FleetSettings, the config's table, or the defaults."""
    given = settings.get("fleet")
    if isinstance(given, FleetSettings):
        return given
    return FleetSettings.from_mapping(given) if isinstance(given, Mapping) else FleetSettings()


def run_sweep(settings: Mapping[str, Any], now: dt.datetime) -> SweepResult:
    """One sweep of every shop, on the database and the published calendars the settings name."""
    db = VendorDatabase(settings["db"])
    try:
        calendars = PublishedCalendars.of_settings(settings)
        return sweep(db, fleet_settings(settings), now, calendars)
    finally:
        db.engine.dispose()


def run(args: argparse.Namespace, settings: Mapping[str, Any]) -> int:
    if args.fleet_command != "sweep":  # pragma: no cover - argparse allows only the commands above
        raise ValueError(f"unknown fleet command {args.fleet_command}")
    try:
        result = run_sweep(settings, args.at or dt.datetime.now(dt.UTC))
    except ValueError as exc:  # a bad [fleet] table
        print(f"pmv-vendor: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({
        "opened": [{"shop_id": a.shop_id, "check_id": a.check_id, "ticket": a.ticket_number} for a in result.opened],
        "noted": [{"shop_id": a.shop_id, "check_id": a.check_id, "ticket": a.ticket_number} for a in result.noted],
        "linked": [{"shop_id": a.shop_id, "check_id": a.check_id, "ticket": a.ticket_number} for a in result.linked],
        "failures": list(result.failures)}, ensure_ascii=False, indent=2))
    for failure in result.failures:
        print(f"pmv-vendor: error: {failure}", file=sys.stderr)
    return 1 if result.failures else 0
