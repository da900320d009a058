"""The silent-shop alarm: a shop with a contract in force that has not reported for ``silent_after_hours`` of
its trading time.

Freshness as Nagios checks a passive service: the shop's heartbeat comes every 15 minutes, and the alarm is
raised by the absence of reports, counted by the server's clock.  Only trading time counts
(:mod:`vendor_server.fleet.trading`): a shop that closed at 20:00 and reported last at 19:55 is not silent at
07:00 the next morning, nor through Tết (the public holidays of the vendor's calendar) or a weekday the
``[fleet]`` settings say the shops close.  A shop that never reported counts from when it was added
(``Shop.created_at``): a shop enrolled but whose install never called in is exactly what staff must hear about.
A shop without a contract in force (none, unreadable, or expired) is never silent: the vendor owes it nothing,
and its app may rightly have been uninstalled.

Pure functions of what was read, an injected ``now`` and the calendar (the server's published one; None: the
default); :func:`silences` reads what they need for every shop in three queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import CoverageStatus, coverage_on
from pmv_protocol.shop_time import shop_today
from vendor_server.db import Shop
from vendor_server.fleet.contracts import latest_contracts
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.tables import ShopContact
from vendor_server.fleet.trading import trading_day


@dataclass(frozen=True)
class Silence:
    """A silent shop: quiet since ``since`` (its last contact, or when it was added if it never reported),
    ``quiet`` of trading time so far, and the alarm raised at ``alarm_at`` (when ``quiet`` reached the window)."""

    since: dt.datetime
    reported: bool  # False: the shop has never reported
    quiet: dt.timedelta
    alarm_at: dt.datetime


def contract_in_force(contract: Contract | None, now: dt.datetime) -> bool:
    """Warranty or maintenance on the shop's day of ``now`` (the shop's own coverage rules)."""
    return contract is not None and coverage_on(contract, shop_today(now)).status != CoverageStatus.EXPIRED


def silence_of(*, last_contact: dt.datetime | None, added_at: dt.datetime, in_force: bool, now: dt.datetime,
               settings: FleetSettings, calendar: WorkingCalendar | None = None) -> Silence | None:
    """The shop's silence at ``now``, or None when it is not silent (or owed nothing: ``in_force`` False)."""
    if not in_force:
        return None
    since = last_contact if last_contact is not None else added_at
    day = trading_day(settings, calendar)
    quiet = day.between(since, now)
    window = dt.timedelta(hours=settings.silent_after_hours)
    if quiet < window:
        return None
    return Silence(since, last_contact is not None, quiet, day.after(since, window))


def silences(session: Session, settings: FleetSettings, now: dt.datetime,
             calendar: WorkingCalendar | None = None) -> dict[int, Silence]:
    """Every silent shop, by its primary key (three queries for the whole fleet)."""
    contacts = dict(session.execute(select(ShopContact.shop_pk, ShopContact.last_seen_at)).all())
    contracts = latest_contracts(session)
    found: dict[int, Silence] = {}
    for shop_pk, created_at in session.execute(select(Shop.id, Shop.created_at)):
        silence = silence_of(last_contact=contacts.get(shop_pk), added_at=_aware(created_at),
                             in_force=contract_in_force(contracts.get(shop_pk), now), now=now, settings=settings,
                             calendar=calendar)
        if silence is not None:
            found[shop_pk] = silence
    return found


def _aware(moment: dt.datetime) -> dt.datetime:
    """``Shop.created_at`` is a plain DateTime column: SQLite gives it back naive, in UTC as written."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
