"""``pmv-vendor demo-data``: the shops have their addresses and phones, and the code printed for the shop without
an install enrols it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmv_protocol.contract import Contract
from pmv_protocol.coverage import add_months, coverage_on
from vendor_server.db import VendorDatabase
from vendor_server.demo_data import NEW_SHOP, SHOPS, maintenance_year, seed
from vendor_server.enrolment import redeem
from vendor_server.shop_registry import shop_details

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


def test_the_printed_code_enrols_the_new_shop_with_its_details_and_contract(tmp_path: Path) -> None:
    db = VendorDatabase(f"sqlite:///{tmp_path / 'vendor.sqlite3'}")
    shown = seed(db, tmp_path, tmp_path / "keys", NOW)
    for shop_id, name, *_rest, address, phone in SHOPS:
        details = shop_details(db, shop_id)
        assert details is not None and (details.name, details.address, details.phone) == (name, address, phone)
    assert NEW_SHOP[0] not in shown["shops"]  # no token printed: its install gets one by enrolment
    assert shown["enrolment"]["expires"] == "13/03/2026 09:00"
    enrolled = redeem(db, shown["enrolment"]["code"], address="127.0.0.1", now=NOW + dt.timedelta(hours=1))
    assert (enrolled.shop_id, enrolled.name, enrolled.address, enrolled.phone) == NEW_SHOP
    assert enrolled.contract is not None and enrolled.contract["payload"]["shop_id"] == NEW_SHOP[0]


def test_the_demo_maintenance_year_follows_the_warranty_without_a_gap_on_any_acceptance_day() -> None:
    """Policy (../shared/seed): warranty 6 or 12 months from acceptance, then yearly maintenance; a shop that took
    maintenance is covered every day.  183 days after acceptance left 02/07/2026 'expired' for 01/01/2026."""
    for offset in range(366):
        accepted = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        contract = Contract.from_payload({
            "shop_id": "BAOTIN-02", "shop_name": "Bảo Tín", "package": {"code": "PMV-GOLD-PRO", "warranty_months": 6},
            "accepted_on": accepted.isoformat(), "maintenance": [maintenance_year(accepted, 6)],
            "issued_at": "2026-01-01T09:00:00+07:00"})
        last_warranty_day = coverage_on(contract, accepted).warranty_ends
        assert coverage_on(contract, last_warranty_day + dt.timedelta(days=1)).status == "maintenance", accepted
        period = contract.maintenance[0]
        assert period.start == last_warranty_day + dt.timedelta(days=1)
        assert period.end == add_months(period.start, 12) - dt.timedelta(days=1)  # one year, not 365 days
