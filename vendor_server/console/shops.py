"""The shops as staff see them: coverage today, contract end, app version, last contact, ticket history, and the
address and phone a new install shows after enrolment.

Coverage is computed from each shop's latest signed contract with the same code the shop's app uses
(:mod:`pmv_protocol.coverage`).  The list reads every shop's latest contract, newest ticket and last heartbeat
in a few queries (no query per shop).  "Last contact" is the shop's last heartbeat (:mod:`vendor_server.fleet`),
and its app version the one that heartbeat named; for a shop whose app sends none (older than the heartbeat)
both come from its newest ticket or timeline step, as before.  Given ``now`` and the ``[fleet]`` settings, each
row also says whether the shop is silent (:mod:`vendor_server.fleet.silence`), and a shop's page shows its
last report (:func:`vendor_server.fleet.view.shop_report`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import case, func, select

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.contract import Contract, ContractError
from pmv_protocol.coverage import Coverage, coverage_on
from pmv_protocol.signed_json import parse_object
from vendor_server.console.vietnamese_order import vietnamese_key
from vendor_server.db import Shop, Ticket, VendorDatabase, latest_contract_documents
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.silence import Silence, contract_in_force, silence_of
from vendor_server.fleet.view import ShopReport, last_contacts, shop_report
from vendor_server.records import TicketRecord, ticket_record

OPEN = ("received", "in_progress", "solution_proposed", "on_site_scheduled")


@dataclass(frozen=True)
class ShopRow:
    shop_id: str
    name: str
    contract_number: str | None
    coverage: Coverage | None  # None: no readable contract
    last_contact: dt.datetime | None
    app_version: str | None  # from its newest ticket
    open_tickets: int
    address: str = ""
    phone: str = ""
    silence: Silence | None = None  # the silent-shop alarm (only when the list was read with ``now``)
    heartbeat: bool = False  # last_contact and app_version are from a heartbeat (else from tickets)

    @property
    def coverage_code(self) -> str:
        return "expired" if self.coverage is None else self.coverage.status.value


def contract_of(document: str | None) -> Contract | None:
    if document is None:
        return None
    try:
        return Contract.from_payload(parse_object(document)["payload"])
    except (ValueError, KeyError, TypeError, ContractError):
        return None


def _latest_contracts(db: VendorDatabase) -> dict[int, str]:
    with db.sessions() as session:
        return latest_contract_documents(session)


def _silence(shop: Shop, contract: Contract | None, heartbeat_at: dt.datetime | None, now: dt.datetime | None,
             fleet: FleetSettings | None, calendar: WorkingCalendar | None) -> Silence | None:
    if now is None:
        return None
    added = shop.created_at if shop.created_at.tzinfo is not None else shop.created_at.replace(tzinfo=dt.UTC)
    return silence_of(last_contact=heartbeat_at, added_at=added, in_force=contract_in_force(contract, now), now=now,
                      settings=fleet or FleetSettings(), calendar=calendar)


def search_key(text: str) -> str:
    """``text`` as staff type it when searching: any case, with or without diacritics ("duc" finds "ĐỨC")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def list_shops(db: VendorDatabase, today: dt.date, search: str = "", *, now: dt.datetime | None = None,
               fleet: FleetSettings | None = None, calendar: WorkingCalendar | None = None) -> list[ShopRow]:
    """Every shop (or those whose id or name contains ``search``), by name in Vietnamese alphabetical order
    (:mod:`vendor_server.console.vietnamese_order`), then by id.

    ``now`` (the server's clock), ``fleet`` (the ``[fleet]`` settings; None: the defaults) and ``calendar`` (the
    server's published calendar, whose public holidays the alarm skips; None: the default): each row says
    whether the shop is silent; without ``now`` none is."""
    contracts = _latest_contracts(db)
    newest = select(Ticket.shop_pk, func.max(Ticket.id).label("id")).group_by(Ticket.shop_pk).subquery()
    with db.sessions() as session:
        stats = {pk: (last, opened) for pk, last, opened in session.execute(
            select(Ticket.shop_pk, func.max(Ticket.updated_at),
                   func.sum(case((Ticket.status.in_(OPEN), 1), else_=0)))
            .group_by(Ticket.shop_pk)).all()}
        versions = {pk: version for pk, version in session.execute(
            select(Ticket.shop_pk, Ticket.app_version).join(newest, newest.c.id == Ticket.id)).all()}
        # Ordered here, not in SQL: no database collates Vietnamese as its readers do (SQLite compares code points),
        # and every shop is read anyway (the list has no pages).
        shops = sorted(session.scalars(select(Shop)), key=lambda shop: (vietnamese_key(shop.name), shop.shop_id))
        # Compared folded, in Python: SQL's ILIKE folds only A-Z on SQLite ("KIM PHÁT" missed "Kim Phát"), and a
        # typed % or _ matched every shop.  Every shop is listed without a search anyway.
        wanted = search_key(search.strip())
        if wanted:
            shops = [shop for shop in shops if wanted in search_key(shop.shop_id) or wanted in search_key(shop.name)]
        heartbeats = last_contacts(session)
    rows = []
    for shop in shops:
        contract = contract_of(contracts.get(shop.id))
        last, open_count = stats.get(shop.id, (None, 0))
        version = versions.get(shop.id)
        heartbeat_at, heartbeat_version = heartbeats.get(shop.id, (None, None))
        rows.append(ShopRow(shop.shop_id, shop.name, None if contract is None else contract.contract_number,
                            None if contract is None else coverage_on(contract, today), heartbeat_at or last,
                            heartbeat_version or version, int(open_count or 0), shop.address, shop.phone,
                            _silence(shop, contract, heartbeat_at, now, fleet, calendar), heartbeat_at is not None))
    return rows


@dataclass(frozen=True)
class ShopPage:
    row: ShopRow
    contract: Contract | None
    document: str | None  # the signed file, for a shop without Internet
    tickets: list[TicketRecord]  # newest first
    report: ShopReport | None = None  # its last heartbeat (None: it never sent one)


def shop_page(db: VendorDatabase, shop_id: str, today: dt.date, *, now: dt.datetime | None = None,
              fleet: FleetSettings | None = None, calendar: WorkingCalendar | None = None) -> ShopPage | None:
    """The shop's page; ``now``, ``fleet`` and ``calendar`` as for :func:`list_shops`."""
    with db.sessions() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
        if shop is None:
            return None
        document = db.latest_contract(session, shop)
        tickets = [ticket_record(t) for t in session.scalars(
            select(Ticket).where(Ticket.shop_pk == shop.id).order_by(Ticket.id.desc()))]
        report = shop_report(session, shop.id)
    contract = contract_of(document)
    last = max((t.updated_at for t in tickets), default=None)
    heartbeat_at = None if report is None else report.last_seen_at
    row = ShopRow(shop.shop_id, shop.name, None if contract is None else contract.contract_number,
                  None if contract is None else coverage_on(contract, today), heartbeat_at or last,
                  report.app_version if report is not None else tickets[0].app_version if tickets else None,
                  sum(t.status in OPEN for t in tickets), shop.address, shop.phone,
                  _silence(shop, contract, heartbeat_at, now, fleet, calendar), report is not None)
    return ShopPage(row, contract, document, tickets, report)

