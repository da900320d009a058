"""The vendor database the vendor server's unit tests work on, and its shops' rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from vendor_server.db import Shop, VendorDatabase


@pytest.fixture
def db(tmp_path: Path) -> Iterator[VendorDatabase]:
    """An empty vendor database in the test's folder (SQLite); a module that needs shops overrides this to add them."""
    database = VendorDatabase(f"sqlite:///{tmp_path / 'vendor.sqlite3'}")
    yield database
    database.engine.dispose()


def shop_row(db: VendorDatabase, shop_id: str = "KP-0001") -> Shop:
    """The row of a shop the test added, as the server's own code is handed it."""
    with db.sessions() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
    assert shop is not None
    return shop
