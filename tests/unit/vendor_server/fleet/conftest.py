"""A real SQLite vendor database with shops under contract, and heartbeats built as the shop's app sends them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pmv_protocol.fleet import Heartbeat
from pmv_protocol.shop_time import SHOP_TZ
from tests.unit.vendor_server.conftest import shop_row
from vendor_server.calendars import PublishedCalendars
from vendor_server.contract_issue import issue_contract
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.fleet.ingest import Ingested, ingest
from vendor_server.fleet.settings import FleetSettings
from vendor_server.fleet.system_tickets import open_system_ticket
from vendor_server.fleet.tables import ShopCheckState, ShopContact
from vendor_server.keys import VendorKeys
from vendor_server.shop_registry import register_shop

# Tuesday 10/03/2026 09:00 in the shop: a trading morning.
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHOP_TZ)


def beat(checks: dict[str, str] | None = None, *, made_at: dt.datetime = T0, **fields: Any) -> Heartbeat:
    """A heartbeat as the app makes it: each check's id and status, the verdict the worst of them."""
    checks = checks or {}
    order = ["ok", "unknown", "warning", "critical"]
    worst = max((s for s in checks.values() if s in order), key=order.index, default="ok")
    body: dict[str, Any] = {"id": str(uuid.uuid4()), "made_at": made_at.isoformat(), "app_version": "1.4.0",
                            "verdict": worst, "checks": [{"id": k, "status": v} for k, v in checks.items()],
                            "packs": [{"id": "nd232", "version": "1.0.0"}], "last_backup_age_hours": 3.5,
                            "pos_version": "5.2.1", "outbox_depth": 0}
    body.update(fields)
    return Heartbeat.model_validate(body)


@dataclass
class Fleet:
    db: VendorDatabase
    keys: Path
    settings: FleetSettings
    calendars: PublishedCalendars

    def add_shop(self, shop_id: str, *, added_at: dt.datetime = T0 - dt.timedelta(days=30),
                 accepted_on: dt.date | None = dt.date(2026, 1, 15), telemetry: bool = True) -> int:
        """A shop added at ``added_at``, with a 12-month warranty from ``accepted_on`` (None: no contract)."""
        register_shop(self.db, shop_id, f"Tiệm vàng {shop_id}", now=added_at.astimezone(dt.UTC))
        if accepted_on is not None:
            issue_contract(self.db, self.keys, shop_id=shop_id, package="PMV-GOLD-PRO", warranty_months=12,
                           accepted_on=accepted_on, telemetry=telemetry, now=added_at)
        return self.shop(shop_id).id

    def shop(self, shop_id: str) -> Shop:
        return shop_row(self.db, shop_id)

    def send(self, shop_pk: int, report: Heartbeat, now: dt.datetime) -> Ingested:
        return ingest(self.db, shop_pk, report, now=now, settings=self.settings)

    def contact(self, shop_pk: int) -> ShopContact | None:
        with self.db.sessions() as session:
            return session.get(ShopContact, shop_pk)

    def states(self, shop_pk: int) -> dict[str, ShopCheckState]:
        with self.db.sessions() as session:
            return {row.check_id: row for row in session.scalars(
                select(ShopCheckState).where(ShopCheckState.shop_pk == shop_pk))}

    def link_ticket(self, shop_pk: int, check_id: str, now: dt.datetime) -> int:
        """A system ticket for the check, marked on its state (what the sweep does, without its rule)."""
        with self.db.sessions.begin() as session:
            shop = session.get(Shop, shop_pk)
            assert shop is not None
            row = session.scalars(select(ShopCheckState).where(ShopCheckState.shop_pk == shop_pk,
                                                               ShopCheckState.check_id == check_id)).one()
            ticket = open_system_ticket(session, shop, check_id=check_id, status_since=row.since, now=now,
                                        calendars=self.calendars)
            row.ticket_id = ticket.id
            return ticket.id

    def tickets(self, shop_pk: int) -> list[Ticket]:
        with self.db.sessions() as session:
            return list(session.scalars(select(Ticket).where(Ticket.shop_pk == shop_pk).order_by(Ticket.id)))


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    db = VendorDatabase(f"sqlite:///{tmp_path / 'vendor.sqlite3'}")
    VendorKeys(tmp_path / "keys").init()
    try:
        yield Fleet(db, tmp_path / "keys", FleetSettings(), PublishedCalendars(None))
    finally:
        db.engine.dispose()
