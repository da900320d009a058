"""Receiving a shop's heartbeat (``POST /api/v1/heartbeat``): its last contact, its report, its checks' states.

What is kept (:mod:`vendor_server.fleet.tables`):

- ``ShopContact``, one row per shop: the server's clock at receipt (never the till's) as the last contact, the
  report's id (the same report again changes nothing), the app version, and when the shop shares its health
  the verdict, POS version, backup age, outbox depth and the report itself (its packs and checks, for the
  shop's page).
- ``ShopCheckState``, one row per shop and check in its latest report: the status and since when the server
  has seen it so.  A status reported again only moves ``updated_at``; a new one restarts ``since``.  That is
  what the proactive tickets count (:mod:`.proactive`).  A check the report no longer carries is forgotten,
  unless a ticket of the system's hangs on it (kept until the check is reported again).

The contract decides what is kept: when the shop's latest contract says ``telemetry: false``, only the last
contact and the app version are, whatever the report carries (logged: a client that sends more is wrong),
and the shop's check states go (the same as storing such a contract does at once,
:func:`vendor_server.fleet.contracts.follow_telemetry`).

Reports are ordered by when the server received them, never by the till's clock: a till set back three hours
would otherwise have every report for three hours taken as older than the one kept, and a POS database gone
critical never recorded.  The shop's outbox keeps only its newest heartbeat, so a report arriving after a newer
one is rare: only two requests of one shop in flight at once (a retry beside its successor, two workers) can be
written in the opposite order of their receipt, and the one received first then counts as contact only.

Safe with several workers on PostgreSQL: the contact row is locked for the update, and two first reports of one
shop racing to insert it (or a check's state) are settled by the unique keys and a retry.

Cheap, because 5,000 shops send one every 15 minutes (tests/bench/heartbeat_ingest.py): one pooled connection
and one transaction per report, statements built once and only bound, the usual report (no status changed)
costing six statements whatever its number of checks, the contract's reading cached by its text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.fleet import Heartbeat
from vendor_server.calendars import PublishedCalendars
from vendor_server.db import ContractDocument, Shop, Ticket, VendorDatabase, hash_token
from vendor_server.fleet import proactive
from vendor_server.fleet.contracts import read_contract
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.system_tickets import OPEN_STATUSES
from vendor_server.fleet.tables import ShopCheckState, ShopContact

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a lost insert race is retried; a third loss in a row is a real fault


@dataclass(frozen=True)
class Ingested:
    """What one report did: ``received_at`` the server's clock for it (the first receipt's, for a duplicate)."""

    received_at: dt.datetime
    duplicate: bool = False
    telemetry: bool = True  # whether the health part was kept (the contract and the report both allow it)
    stale: bool = False  # received before the report kept (written after it): counted as contact only
    changed: tuple[str, ...] = ()  # the checks whose status is new (or that are new)
    sweep: bool = False  # the shop's states call for the proactive sweep


class UnknownShop(Exception):
    """No shop has the token a heartbeat came with (the route answers 401, as for every shop call)."""


def ingest(db: VendorDatabase, shop_pk: int, report: Heartbeat, *, now: dt.datetime, settings: FleetSettings,
           calendar: WorkingCalendar | None = None) -> Ingested:
    """Store ``report`` of the shop ``shop_pk`` received at ``now``, in one transaction (``calendar``: the one
    trading time skips the public holidays of, for whether the shop's states call for a sweep; None: the default).

    Plain SQL statements on a connection, not the ORM's unit of work: a heartbeat is the server's most frequent
    write, and its few statements (the contact, the states, the contract's flag) are all it needs."""
    return _write(db, {"pk": shop_pk}, lambda: report, now, settings, calendar)[1]


def receive(db: VendorDatabase, shop: Shop, report: Heartbeat, *, now: dt.datetime, settings: FleetSettings,
            calendars: PublishedCalendars) -> Ingested:
    """:func:`ingest`, then the proactive sweep of this shop when its states call for one.

    The report is stored before any ticket is opened: a ticket that cannot be opened now (logged) is retried by
    the next report or the next ``pmv-vendor fleet sweep``, and never costs the shop its report."""
    result = ingest(db, shop.id, report, now=now, settings=settings, calendar=calendars.calendar())
    if result.sweep:
        _sweep(db, shop.id, now, settings, calendars)
    return result


def receive_sent(db: VendorDatabase, token: str, body: bytes, *, now: dt.datetime, settings: FleetSettings,
                 calendars: PublishedCalendars) -> Ingested:
    """The heartbeat route's work in one go: the shop its token names, the body parsed, stored, swept.

    The shop is found as :meth:`vendor_server.db.VendorDatabase.shop_for_token` finds it for every shop call
    (the token's hash against ``Shop.token_hash``), but on the heartbeat's own connection and without the ORM:
    one connection from the pool per heartbeat, not two.  UnknownShop when no shop has the token; pydantic's
    ValidationError when the body is not a heartbeat (looked at only once the token is good, so a stranger
    learns nothing from the answer); nothing is stored then.
    """
    shop_pk, result = _write(db, {"token_hash": hash_token(token)}, lambda: Heartbeat.model_validate_json(body),
                             now, settings, calendars.calendar())
    if result.sweep:
        _sweep(db, shop_pk, now, settings, calendars)
    return result


def _write(db: VendorDatabase, key: dict[str, object], parse: Callable[[], Heartbeat], now: dt.datetime,
           settings: FleetSettings, calendar: WorkingCalendar | None) -> tuple[int, Ingested]:
    """One heartbeat's transaction: the shop ``key`` names (its ``token_hash`` or its ``pk``; UnknownShop if
    none), its report as ``parse`` reads it (once the shop is known), stored; retried when it loses an insert
    race (two first reports of one shop at once).

    On PostgreSQL the shop's row is locked first, in a statement of its own, so one shop's reports take turns
    and each reads what the one before it wrote (a lock taken by the reading statement itself would leave that
    statement with the rows it saw before the wait).  SQLite has one writer at a time anyway (and this
    process's writers queue in :func:`_one_writer`)."""
    by_token = "token_hash" in key
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with _one_writer(db.engine), db.engine.begin() as connection:
                if connection.dialect.name != "sqlite":
                    shop_pk = connection.execute(_LOCK_BY_TOKEN if by_token else _LOCK_BY_PK, key).scalar()
                    held = None if shop_pk is None else connection.execute(_BY_PK, {"pk": shop_pk}).first()
                else:
                    held = connection.execute(_BY_TOKEN if by_token else _BY_PK, key).first()
                if held is None:
                    raise UnknownShop()
                return held.id, _ingest(connection, held, parse(), now, settings, calendar)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            log.info("a heartbeat lost an insert race (attempt %d); retrying", attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _sweep(db: VendorDatabase, shop_pk: int, now: dt.datetime, settings: FleetSettings,
           calendars: PublishedCalendars) -> None:
    swept = proactive.sweep_shop(db, shop_pk, settings, now, calendars)
    for failure in swept.failures:
        log.error("proactive sweep after a heartbeat: %s", failure)


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


@contextlib.contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    """On SQLite, this process's heartbeats write one at a time.

    SQLite has one writer at a time anyway; a thread that finds the database locked sleeps in growing steps (its
    busy handler), so a burst of concurrent heartbeats would wait in those sleeps, not in a queue.  A lock in the
    process hands the turn over at once.  Other processes (``serve --workers N``) still meet the busy handler;
    PostgreSQL's writers need no such thing."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with _WRITERS_LOCK:
        lock = _SQLITE_WRITERS.setdefault(engine, threading.Lock())
    with lock:
        yield


# The statements, built once: a heartbeat only binds its values (building an expression costs more than running
# it on SQLite).  Plain tables, so a parameter named like a column sets that column.
_SHOPS = cast(Table, Shop.__table__)
_CONTACTS = cast(Table, ShopContact.__table__)
_STATES = cast(Table, ShopCheckState.__table__)
_CONTRACT = (select(ContractDocument.document).where(ContractDocument.shop_pk == _SHOPS.c.id)
             .order_by(ContractDocument.issued_at.desc(), ContractDocument.id.desc()).limit(1)
             .correlate(_SHOPS).scalar_subquery())
# One statement finds the shop (by its token's hash, as VendorDatabase.shop_for_token does), what it last
# reported and its newest contract.
_HELD = (select(_SHOPS.c.id, _CONTACTS.c.last_heartbeat_id, _CONTACTS.c.last_seen_at, _CONTACTS.c.telemetry,
                _CONTACTS.c.report, _CONTRACT.label("contract"))
         .select_from(_SHOPS.outerjoin(_CONTACTS, _CONTACTS.c.shop_pk == _SHOPS.c.id)))
_BY_TOKEN = _HELD.where(_SHOPS.c.token_hash == bindparam("token_hash"))
_BY_PK = _HELD.where(_SHOPS.c.id == bindparam("pk"))
# PostgreSQL: the shop's row locked first ("no key": rows referring to the shop may still be added meanwhile).
_LOCK_BY_TOKEN = (select(_SHOPS.c.id).where(_SHOPS.c.token_hash == bindparam("token_hash"))
                  .with_for_update(key_share=True))
_LOCK_BY_PK = select(_SHOPS.c.id).where(_SHOPS.c.id == bindparam("pk")).with_for_update(key_share=True)
_UPDATE_CONTACT = update(_CONTACTS).where(_CONTACTS.c.shop_pk == bindparam("pk"))
_STATE_COLUMNS = (_STATES.c.id, _STATES.c.check_id, _STATES.c.status, _STATES.c.since, _STATES.c.ticket_id)
_REPORTED = and_(_STATES.c.shop_pk == bindparam("pk"), _STATES.c.check_id.in_(bindparam("reported", expanding=True)))
# The usual report's one statement for all its checks: each stays where it stood, seen again now; the rows come
# back as they were, so the few whose status changed are then written one by one.
_TOUCH_STATES = update(_STATES).where(_REPORTED).values(updated_at=bindparam("now")).returning(*_STATE_COLUMNS)
_HELD_STATES = select(*_STATE_COLUMNS).where(_REPORTED)  # where RETURNING is missing (SQLite before 3.35)
_UPDATE_STATE = update(_STATES).where(_STATES.c.id == bindparam("state_id"))
_TICKETS = cast(Table, Ticket.__table__)
# A new critical spell of a check whose system ticket staff have resolved or closed since: the ticket no longer
# holds the check (else, held through a warning or an unknown, the check never got a ticket again).
_RELEASE_CLOSED_TICKET = (
    update(_STATES).where(_STATES.c.id == bindparam("state_id"), _STATES.c.ticket_id.in_(
        select(_TICKETS.c.id).where(_TICKETS.c.id == bindparam("held_ticket"),
                                    _TICKETS.c.status.not_in(bindparam("open", expanding=True)))))
    .values(ticket_id=None))
_FORGET_STATES = delete(_STATES).where(_STATES.c.shop_pk == bindparam("pk"),
                                       _STATES.c.check_id.in_(bindparam("gone", expanding=True)),
                                       _STATES.c.ticket_id.is_(None))
_FORGET_OTHER_STATES = delete(_STATES).where(_STATES.c.shop_pk == bindparam("pk"),
                                             _STATES.c.check_id.not_in(bindparam("reported", expanding=True)),
                                             _STATES.c.ticket_id.is_(None))


# Two requests of one shop in flight at once take the shop's turn (its row locked, or SQLite's one writer) within
# a request's lifetime of each other. A receipt further back than this before the kept report's is not such a race
# but the server's own clock set back (a time sync), and the report wins rather than freeze the shop's health.
REORDER_WINDOW = dt.timedelta(minutes=5)


def _received_earlier(received: dt.datetime, kept_received: dt.datetime) -> bool:
    """A report received at ``received`` is older than the one kept, received at ``kept_received`` (both the server's
    clock: the kept report's receipt is the contact's ``last_seen_at``, which only a kept report moves)."""
    return kept_received - REORDER_WINDOW <= received < kept_received


def _ingest(connection: Connection, held: Row[*tuple[Any, ...]], report: Heartbeat, now: dt.datetime,
            settings: FleetSettings, calendar: WorkingCalendar | None) -> Ingested:
    shop_pk, contact = held.id, held.last_heartbeat_id is not None
    if held.last_heartbeat_id == report.id:
        return Ingested(held.last_seen_at, duplicate=True, telemetry=held.telemetry)
    if contact and _received_earlier(now, held.last_seen_at):
        # The newer report, received after this one but written first, stays the one kept (and the last contact).
        return Ingested(now, telemetry=held.telemetry, stale=True)
    listed_before = _listed(held.report) if contact else None
    if report.telemetry and held.contract is not None:
        contract = read_contract(held.contract)
        if contract is not None and not contract.telemetry:
            log.warning("shop %s sent its health although its contract says telemetry: false; kept the app "
                        "version only", contract.shop_id)
            report = report.app_version_only()
    values = {"last_seen_at": now, "last_heartbeat_id": report.id,
              "report": report.model_dump_json(exclude_defaults=True), "telemetry": report.telemetry,
              "app_version": report.app_version, "verdict": None if report.verdict is None else report.verdict.value,
              "pos_version": report.pos_version, "last_backup_age_hours": report.last_backup_age_hours,
              "outbox_depth": report.outbox_depth}
    if contact:
        connection.execute(_UPDATE_CONTACT, {"pk": shop_pk, **values})
    else:
        connection.execute(insert(_CONTACTS), {"shop_pk": shop_pk, **values})  # a race: IntegrityError, retried
    changed, states = _states(connection, shop_pk, report, now, listed_before)
    return Ingested(now, telemetry=report.telemetry, changed=changed,
                    sweep=proactive.calls_for_sweep(states, now, settings, calendar))


def _states(connection: Connection, shop_pk: int, report: Heartbeat, now: dt.datetime,
            listed_before: frozenset[str] | None) -> tuple[tuple[str, ...], list[proactive.StateView]]:
    """Bring the shop's check states to the report: ``(checks changed, the reported checks' states now)``.

    ``listed_before``: the checks of the report kept until now (None: unknown), so the ones this report drops
    are known without reading the shop's other states."""
    reported = {check.id: check.status.value for check in report.checks}  # a check listed twice: the last says
    held: dict[str, proactive.StateView] = {}
    if reported:
        key = {"pk": shop_pk, "reported": list(reported), "now": now}
        rows = connection.execute(_TOUCH_STATES if connection.dialect.update_returning else _HELD_STATES, key)
        held = {row.check_id: proactive.StateView(row.id, shop_pk, row.check_id, row.status, row.since,
                                                  row.ticket_id, now) for row in rows}
        if not connection.dialect.update_returning:
            connection.execute(update(_STATES).where(_REPORTED).values(updated_at=bindparam("now")), key)
    changed, new = [], []
    for check_id, status in reported.items():
        state = held.get(check_id)
        if state is not None and state.status == status:
            continue
        changed.append(check_id)
        if state is None:
            new.append({"shop_pk": shop_pk, "check_id": check_id, "status": status, "since": now, "updated_at": now})
        else:
            connection.execute(_UPDATE_STATE, {"state_id": state.id, "status": status, "since": now,
                                               "updated_at": now})
        ticket_id = None if state is None else state.ticket_id
        if state is not None and ticket_id is not None and status == proactive.CRITICAL \
                and _release_closed_ticket(connection, state):
            ticket_id = None
        held[check_id] = proactive.StateView(0 if state is None else state.id, shop_pk, check_id, status, now,
                                             ticket_id, now)
    if new:  # a race: IntegrityError on (shop, check), retried
        connection.execute(insert(_STATES), new)
    if listed_before is None:  # the first report, or an unreadable one kept: forget whatever it does not list
        connection.execute(_FORGET_OTHER_STATES, {"pk": shop_pk, "reported": list(reported)})
    elif gone := sorted(listed_before - reported.keys()):
        connection.execute(_FORGET_STATES, {"pk": shop_pk, "gone": gone})
    return tuple(changed), list(held.values())


def _release_closed_ticket(connection: Connection, state: proactive.StateView) -> bool:
    released = connection.execute(_RELEASE_CLOSED_TICKET, {"state_id": state.id, "held_ticket": state.ticket_id,
                                                           "open": list(OPEN_STATUSES)})
    return bool(released.rowcount)


def _listed(text: str) -> frozenset[str] | None:
    """The checks the kept report listed; None if it cannot be read."""
    try:
        return frozenset(check["id"] for check in json.loads(text).get("checks", ()))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # any new report replaces it
