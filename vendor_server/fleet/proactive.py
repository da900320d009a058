"""Proactive requests: a check held critical past its threshold opens one ticket on the shop's behalf.

The rule, per shop and check (``ShopCheckState``): critical for at least ``[fleet] proactive_hours[check]``
(counted in trading hours for the checks in ``trading_hours_only``, else by the wall clock), no ticket of the
system's open for it (``ticket_id`` NULL), the shop's contract in force and sharing its health → one ticket,
opened through :func:`vendor_server.fleet.system_tickets.open_system_ticket` (its words, severity and deadline
are that module's).  The time counts up to the check's last report only (``updated_at``): what a till that
stopped reporting would say is not known, and the silent-shop alarm speaks for it.  ``ticket_id`` then stays
set while the check is not reported ``ok``, even if staff close the ticket: a check held critical, or
flapping between critical and unknown or warning (a check that times out now and then), never opens a second
one.  When the shop reports the check ``ok`` again, the ticket gets a note
(:func:`~vendor_server.fleet.system_tickets.note_check_recovered`), not a new ticket, and ``ticket_id`` is
cleared.  A later critical spell, once due, goes back on that same ticket while it is still open (a note that
the check is critical again); only when staff have resolved or closed it does a new ticket open.

A shop whose latest contract says ``telemetry: false`` is not swept at all: its health is not the vendor's to
act on (what it sent before is dropped when such a contract is stored, :mod:`.contracts`).

Safe with several workers and a cron job at once: the ticket is opened (or linked) and the state claimed with
a conditional UPDATE (``WHERE ticket_id IS NULL`` and the same critical spell) in one transaction, and the loser
of a race rolls its ticket back; the recovery note is written only by whoever clears ``ticket_id``.

When it runs: right after a heartbeat of the shop (:func:`sweep_shop`, only when its states call for it, so a
healthy report costs nothing more), and for every shop from ``pmv-vendor fleet sweep`` (:mod:`.cli`, run by
cron every few minutes), which retries what a heartbeat's sweep could not do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.fleet import CheckStatus
from vendor_server.calendars import PublishedCalendars
from vendor_server.console.queue import answered_tickets
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.fleet import system_tickets
from vendor_server.fleet.contracts import latest_contract
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.silence import contract_in_force
from vendor_server.fleet.tables import ShopCheckState
from vendor_server.fleet.trading import trading_day

log = logging.getLogger(__name__)

CRITICAL = CheckStatus.CRITICAL.value
OK = CheckStatus.OK.value  # the one status that ends a check's trouble: unknown or warning may flap back


@dataclass(frozen=True)
class StateView:
    """What the rule reads of one ``ShopCheckState`` (a plain copy, outside any session)."""

    id: int
    shop_pk: int
    check_id: str
    status: str
    since: dt.datetime
    ticket_id: int | None
    updated_at: dt.datetime | None = None  # its last report (None: as of now)


@dataclass(frozen=True)
class Act:
    """One thing the sweep did: ``kind`` "opened" (a ticket for a check held critical), "linked" (a new critical
    spell put on the system's ticket still open for the check) or "noted" (recovered)."""

    kind: str
    shop_id: str
    check_id: str
    ticket_id: int
    ticket_number: str | None


@dataclass(frozen=True)
class SweepResult:
    acts: tuple[Act, ...] = ()
    shops: int = 0  # shops whose states called for a look
    failures: tuple[str, ...] = field(default=())  # one line each: a ticket that could not be opened or noted

    @property
    def opened(self) -> tuple[Act, ...]:
        return tuple(act for act in self.acts if act.kind == "opened")

    @property
    def noted(self) -> tuple[Act, ...]:
        return tuple(act for act in self.acts if act.kind == "noted")

    @property
    def linked(self) -> tuple[Act, ...]:
        return tuple(act for act in self.acts if act.kind == "linked")

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(self.acts + other.acts, self.shops + other.shops, self.failures + other.failures)


def held_critical(check_id: str, since: dt.datetime, now: dt.datetime, settings: FleetSettings, *,
                  last_report: dt.datetime | None = None, calendar: WorkingCalendar | None = None) -> dt.timedelta:
    """How long a check critical since ``since`` has been so at ``now``, as its threshold counts: up to its last
    report (``last_report``; None: up to ``now``), in trading time on ``calendar`` (None: the default calendar)
    for the checks counted so."""
    end = now if last_report is None else min(now, last_report)
    if check_id in settings.trading_hours_only:
        return trading_day(settings, calendar).between(since, end)
    return max(end - since, dt.timedelta(0))


def due(state: StateView, now: dt.datetime, settings: FleetSettings, calendar: WorkingCalendar | None = None) -> bool:
    """Critical past its check's threshold, with no ticket of the system's open (the contract aside)."""
    hours = settings.proactive_hours.get(state.check_id)
    return (hours is not None and state.status == CRITICAL and state.ticket_id is None
            and held_critical(state.check_id, state.since, now, settings, last_report=state.updated_at,
                              calendar=calendar) >= dt.timedelta(hours=hours))


def recovered(state: StateView) -> bool:
    """Reported ``ok`` while the system's ticket for it is still marked."""
    return state.ticket_id is not None and state.status == OK


def calls_for_sweep(states: Iterable[StateView], now: dt.datetime, settings: FleetSettings,
                    calendar: WorkingCalendar | None = None) -> bool:
    """Whether any of a shop's states wants a ticket opened or noted (the heartbeat's cheap test)."""
    return any(recovered(state) or due(state, now, settings, calendar) for state in states)


def view(row: ShopCheckState) -> StateView:
    return StateView(row.id, row.shop_pk, row.check_id, row.status, row.since, row.ticket_id, row.updated_at)


def sweep(db: VendorDatabase, settings: FleetSettings, now: dt.datetime,
          calendars: PublishedCalendars) -> SweepResult:
    """Every shop: open the tickets that are due, note the recoveries.  Running it again changes nothing."""
    watched = list(settings.proactive_hours)
    calendar = calendars.calendar()
    with db.sessions() as session:
        rows = session.scalars(select(ShopCheckState).where(or_(
            and_(ShopCheckState.status == CRITICAL, ShopCheckState.ticket_id.is_(None),
                 ShopCheckState.check_id.in_(watched)),
            and_(ShopCheckState.status == OK, ShopCheckState.ticket_id.is_not(None))))).all()
        states = [view(row) for row in rows]
    shops = sorted({state.shop_pk for state in states if recovered(state) or due(state, now, settings, calendar)})
    result = SweepResult()
    for shop_pk in shops:
        result += sweep_shop(db, shop_pk, settings, now, calendars)
    return result


def sweep_shop(db: VendorDatabase, shop_pk: int, settings: FleetSettings, now: dt.datetime,
               calendars: PublishedCalendars) -> SweepResult:
    """One shop: note its recovered checks' tickets, and open (or link) a ticket for each check due one."""
    calendar = calendars.calendar()
    with db.sessions() as session:
        shop = session.get(Shop, shop_pk)
        if shop is None:
            return SweepResult()
        contract = latest_contract(session, shop_pk)
        if contract is not None and not contract.telemetry:
            return SweepResult(shops=1)  # its health is not the vendor's to act on (and no longer kept)
        states = [view(row) for row in session.scalars(
            select(ShopCheckState).where(ShopCheckState.shop_pk == shop_pk).order_by(ShopCheckState.check_id))]
        shop_id = shop.shop_id
        wanted = [state for state in states if due(state, now, settings, calendar)]
        if wanted and not contract_in_force(contract, now):
            wanted = []  # owed nothing: no contract in force (the states stay as they are for a renewal)
    acts: list[Act] = []
    failures: list[str] = []
    for state in states:
        if not recovered(state):
            continue
        try:
            act = _note_recovery(db, shop_id, state, now)
        except Exception as exc:  # noqa: BLE001 - one ticket's failure must not stop the others; retried next sweep
            log.exception("could not note the recovery of %s at shop %s", state.check_id, shop_id)
            failures.append(f"{shop_id} {state.check_id}: note failed: {exc}")
            continue
        if act is not None:
            acts.append(act)
    for state in wanted:
        try:
            act = _open_ticket(db, shop_pk, state, now, calendars)
        except Exception as exc:  # noqa: BLE001 - as above
            log.exception("could not open a ticket for %s at shop %s", state.check_id, shop_id)
            failures.append(f"{shop_id} {state.check_id}: ticket failed: {exc}")
            continue
        if act is not None:
            acts.append(act)
    return SweepResult(tuple(acts), 1, tuple(failures))


def _open_ticket(db: VendorDatabase, shop_pk: int, state: StateView, now: dt.datetime,
                 calendars: PublishedCalendars) -> Act | None:
    """The ticket, and the state claimed for it, in one transaction; None when another sweep won the claim.

    The system's ticket for this check still open (staff have not resolved it since an earlier spell recovered)
    takes the new spell as a note: one problem that comes back is one conversation, not a ticket a day."""
    with db.sessions() as session:
        shop = session.get(Shop, shop_pk)
        if shop is None:
            return None
        try:
            still_open = system_tickets.open_ticket_for_check(session, shop_pk, state.check_id)
            # Only onto a ticket whose clock runs: on one waiting for the shop (a solution proposed) the new spell
            # was a note under "Chờ cửa hàng", after every running ticket in the queue, with no deadline.
            if still_open is not None and answered_tickets(session, [still_open.id]):
                still_open = None
            if still_open is not None:
                if not _claim(session, state, still_open.id):
                    session.rollback()
                    return None
                system_tickets.note_check_critical_again(session, still_open, check_id=state.check_id,
                                                         status_since=state.since, now=now)
                session.commit()
                log.info("put %s critical since %s at shop %s on its open ticket %s", state.check_id,
                         state.since.isoformat(), shop.shop_id, still_open.number)
                return Act("linked", shop.shop_id, state.check_id, still_open.id, still_open.number)
            ticket = system_tickets.open_system_ticket(session, shop, check_id=state.check_id,
                                                       status_since=state.since, now=now, calendars=calendars)
            session.flush()
            if not _claim(session, state, ticket.id):
                session.rollback()  # another worker's sweep opened it first: this ticket never was
                return None
            session.commit()
        except IntegrityError:
            session.rollback()  # the same race, lost on a unique key instead
            return None
        log.info("opened ticket %s for shop %s: %s critical since %s", ticket.number, shop.shop_id,
                 state.check_id, state.since.isoformat())
        return Act("opened", shop.shop_id, state.check_id, ticket.id, ticket.number)


def _claim(session: Session, state: StateView, ticket_id: int) -> bool:
    """Mark the state's critical spell as having its ticket, unless someone did first (or the spell ended)."""
    claimed = session.execute(
        update(ShopCheckState)
        .where(ShopCheckState.id == state.id, ShopCheckState.ticket_id.is_(None),
               ShopCheckState.status == CRITICAL, ShopCheckState.since == state.since)
        .values(ticket_id=ticket_id).execution_options(synchronize_session=False))
    return _rowcount(claimed) == 1


def _note_recovery(db: VendorDatabase, shop_id: str, state: StateView, now: dt.datetime) -> Act | None:
    """Clear the state's ticket and note the recovery on it; None when another sweep did (or it is no longer ok)."""
    assert state.ticket_id is not None
    with db.sessions() as session:
        cleared = session.execute(
            update(ShopCheckState)
            .where(ShopCheckState.id == state.id, ShopCheckState.ticket_id == state.ticket_id,
                   ShopCheckState.status == OK)
            .values(ticket_id=None).execution_options(synchronize_session=False))
        if _rowcount(cleared) != 1:
            session.rollback()
            return None
        ticket = session.get(Ticket, state.ticket_id)
        if ticket is not None:
            system_tickets.note_check_recovered(session, ticket, check_id=state.check_id, status=OK, now=now)
        session.commit()
        return Act("noted", shop_id, state.check_id, state.ticket_id, None if ticket is None else ticket.number)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))
