"""What the console shows of the fleet: the counts, the failing checks, the versions, what needs attention, and
one shop's last report.

Read in a handful of queries for the whole fleet (no query per shop): the shops, their contacts, their current
failing checks, their latest contracts, the system's open tickets.  A shop falls in one bucket: ``silent``
first (the alarm overrides what it last said), then ``never`` (no report yet), then its verdict (``healthy``,
``warning``, ``critical``), and ``unknown`` for an unknown verdict or a shop that does not share its health.
A check counts as failing when the shop's latest report said warning or critical, or when the report dropped
it while a system ticket still hangs on it (the last the server knows of it); nothing counts for a shop that no
longer shares its health.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.fleet import CheckStatus, Heartbeat
from pmv_protocol.versions import version_key
from pmv_protocol.wire import TicketStatus
from vendor_server.console.vietnamese_order import vietnamese_key
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.silence import Silence, silences
from vendor_server.fleet.tables import ShopCheckState, ShopContact
from vendor_server.fleet.words import check_title

BUCKETS = ("healthy", "warning", "critical", "silent", "unknown", "never")
FAILING = (CheckStatus.WARNING.value, CheckStatus.CRITICAL.value)
OPEN_STATUSES = tuple(s.value for s in (TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS,
                                        TicketStatus.SOLUTION_PROPOSED, TicketStatus.ON_SITE_SCHEDULED))
_VERDICT_BUCKET = {"ok": "healthy", "warning": "warning", "critical": "critical"}


@dataclass(frozen=True)
class FailingCheck:
    check_id: str
    title: str  # Vietnamese (the page translates it)
    critical: int  # shops
    warning: int

    @property
    def shops(self) -> int:
        return self.critical + self.warning


@dataclass(frozen=True)
class Tally:
    label: str  # an app version, or "pack-id version"
    shops: int


@dataclass(frozen=True)
class SilentShop:
    shop_id: str
    name: str
    silence: Silence


@dataclass(frozen=True)
class CriticalShop:
    shop_id: str
    name: str
    last_seen_at: dt.datetime
    checks: tuple[str, ...]  # the critical checks' Vietnamese titles


@dataclass(frozen=True)
class SystemTicket:
    number: str
    shop_id: str
    shop_name: str
    check_id: str | None
    check_title: str
    opened_at: dt.datetime
    status: str
    response_due_at: dt.datetime | None


@dataclass(frozen=True)
class FleetView:
    counts: dict[str, int]  # every bucket of BUCKETS, in that order
    total: int
    failing: list[FailingCheck]  # most shops first
    versions: list[Tally]  # app versions, newest first
    packs: list[Tally]  # pack id + version, by id then newest first
    silent: list[SilentShop]  # quiet longest first
    critical: list[CriticalShop]  # not silent, verdict critical; by name (Vietnamese order)
    tickets: list[SystemTicket]  # open, opened by the system, newest first


def fleet_view(db: VendorDatabase, settings: FleetSettings, now: dt.datetime, *, top: int = 10,
               calendar: WorkingCalendar | None = None) -> FleetView:
    """The fleet at ``now``; ``calendar``: the server's published calendar, whose public holidays the silent alarm
    does not count (None: the default calendar)."""
    with db.sessions() as session:
        shops = {pk: (shop_id, name) for pk, shop_id, name in session.execute(select(Shop.id, Shop.shop_id, Shop.name))}
        contacts = {row.shop_pk: row for row in session.scalars(select(ShopContact))}
        quiet = silences(session, settings, now, calendar)
        failing_rows = session.execute(
            select(ShopCheckState.shop_pk, ShopCheckState.check_id, ShopCheckState.status)
            .join(ShopContact, ShopContact.shop_pk == ShopCheckState.shop_pk)
            .where(ShopCheckState.status.in_(FAILING), ShopContact.telemetry.is_(True))).all()
        tickets = [_system_ticket(ticket, shops) for ticket in session.scalars(
            select(Ticket).where(Ticket.opened_by == "system", Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.opened_at.desc(), Ticket.id.desc()))]
    counts = dict.fromkeys(BUCKETS, 0)
    for pk in shops:
        counts[_bucket(contacts.get(pk), pk in quiet)] += 1
    by_check: dict[str, Counter[str]] = {}
    critical_checks: dict[int, list[str]] = {}
    for shop_pk, check_id, status in failing_rows:
        by_check.setdefault(check_id, Counter())[status] += 1
        if status == CheckStatus.CRITICAL.value:
            critical_checks.setdefault(shop_pk, []).append(check_title(check_id))
    failing = sorted((FailingCheck(check_id, check_title(check_id), c["critical"], c["warning"])
                      for check_id, c in by_check.items()), key=lambda f: (-f.shops, -f.critical, f.check_id))
    silent = sorted((SilentShop(*shops[pk], silence) for pk, silence in quiet.items()),
                    key=lambda s: (s.silence.alarm_at, s.shop_id))
    critical = sorted((CriticalShop(*shops[pk], contact.last_seen_at, tuple(sorted(critical_checks.get(pk, []))))
                       for pk, contact in contacts.items() if pk not in quiet and contact.verdict == "critical"),
                      key=lambda c: (vietnamese_key(c.name), c.shop_id))
    return FleetView(counts, len(shops), failing[:top], _versions(contacts.values()), _packs(contacts.values()),
                     silent, critical, tickets)


def _bucket(contact: ShopContact | None, silent: bool) -> str:
    if silent:
        return "silent"
    if contact is None:
        return "never"
    return _VERDICT_BUCKET.get(contact.verdict or "", "unknown")


def _versions(contacts: Iterable[ShopContact]) -> list[Tally]:
    counted = Counter(contact.app_version for contact in contacts)
    return [Tally(version, counted[version]) for version in sorted(counted, key=version_key, reverse=True)]


def _packs(contacts: Iterable[ShopContact]) -> list[Tally]:
    counted: Counter[tuple[str, str]] = Counter()
    for contact in contacts:
        if contact.telemetry:
            for pack in json.loads(contact.report).get("packs", []):
                counted[(pack["id"], pack["version"])] += 1
    newest_first = sorted(counted, key=lambda p: version_key(p[1]), reverse=True)
    ordered = sorted(newest_first, key=lambda p: p[0])  # stable: each pack's versions stay newest first
    return [Tally(f"{pack_id} {version}", counted[(pack_id, version)]) for pack_id, version in ordered]


def _system_ticket(ticket: Ticket, shops: dict[int, tuple[str, str]]) -> SystemTicket:
    shop_id, name = shops.get(ticket.shop_pk, ("?", "?"))
    return SystemTicket(ticket.number or "", shop_id, name, ticket.check_id,
                        check_title(ticket.check_id) if ticket.check_id else "", ticket.opened_at, ticket.status,
                        ticket.response_due_at)


# --- one shop ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckLine:
    check_id: str
    title: str  # Vietnamese
    status: str
    since: dt.datetime  # the server's clock: when a report first said this status
    metrics: dict[str, float | int | bool | None]
    ticket_number: str | None  # the system's ticket open for it


@dataclass(frozen=True)
class ShopReport:
    """A shop's last heartbeat as its page shows it (``telemetry`` False: only the contact and app version)."""

    last_seen_at: dt.datetime
    made_at: dt.datetime  # the shop's clock
    telemetry: bool
    app_version: str
    verdict: str | None
    pos_version: str | None
    last_backup_age_hours: float | None
    outbox_depth: int | None
    packs: list[tuple[str, str]]
    checks: list[CheckLine]  # worst first, then by title


_ORDER = {"critical": 0, "warning": 1, "unknown": 2, "ok": 3, "skipped": 4}


def shop_report(session: Session, shop_pk: int) -> ShopReport | None:
    """The shop's last report, or None when it never sent one."""
    contact = session.get(ShopContact, shop_pk)
    if contact is None:
        return None
    report = Heartbeat.model_validate_json(contact.report)
    states = {row.check_id: row for row in session.scalars(
        select(ShopCheckState).where(ShopCheckState.shop_pk == shop_pk))}
    numbers = dict(session.execute(select(Ticket.id, Ticket.number).where(
        Ticket.id.in_([row.ticket_id for row in states.values() if row.ticket_id is not None]))).all())
    lines = []
    for check in report.checks if contact.telemetry else ():
        row = states.get(check.id)
        since = row.since if row is not None else contact.last_seen_at
        ticket = numbers.get(row.ticket_id) if row is not None and row.ticket_id is not None else None
        lines.append(CheckLine(check.id, check_title(check.id), check.status.value, since, dict(check.metrics),
                               ticket))
    lines.sort(key=lambda line: (_ORDER.get(line.status, 5), line.title))
    return ShopReport(contact.last_seen_at, report.made_at, contact.telemetry, contact.app_version, contact.verdict,
                      contact.pos_version, contact.last_backup_age_hours, contact.outbox_depth,
                      [(pack.id, pack.version) for pack in report.packs], lines)


def last_contacts(session: Session) -> dict[int, tuple[dt.datetime, str]]:
    """Every shop's last heartbeat: ``{shop_pk: (last_seen_at, app_version)}``."""
    return {pk: (seen, version) for pk, seen, version in session.execute(
        select(ShopContact.shop_pk, ShopContact.last_seen_at, ShopContact.app_version))}
