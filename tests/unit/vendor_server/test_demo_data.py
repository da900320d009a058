"""``pmv-vendor demo-data``: the shops have their addresses and phones, and the code printed for the shop without
an install enrols it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vendor_server.db import VendorDatabase
from vendor_server.demo_data import NEW_SHOP, SHOPS, seed
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
