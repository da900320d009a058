"""What checks may use: settings, a clock, the POS database, the vendor, the outbox.

Everything arrives through here (constructor injection), so tests point the
checks at a demo shop, a fixed clock and a vendor server on loopback.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, create_engine, make_url
from sqlalchemy.engine import Engine

from app.settings import Settings

if TYPE_CHECKING:
    from app.storage.support_requests import SupportRepository
    from app.support.vendor_api import VendorClient
    from app.updates.packs import RegulationPack
    from app.warranty.contract import Contract

VN = dt.timezone(dt.timedelta(hours=7))


class NotConfigured(Exception):
    """A setting the check needs is missing; the check reports 'skipped' with this reason."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class CheckContext:
    settings: Settings
    clock: Callable[[], dt.datetime] = _utc_now  # aware
    vendor_client: Callable[[], VendorClient] | None = None
    support: SupportRepository | None = None
    contract: Callable[[], Contract | None] | None = None
    data_dir: Path | None = None
    # The installed regulation pack holding the cash-limit rule (the updates feature's PackStore).
    cash_limit_pack: Callable[[], RegulationPack | None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def now(self) -> dt.datetime:
        return self.clock()

    def local_now(self) -> dt.datetime:
        """Shop time (Asia/Ho_Chi_Minh): trading hours and 'today' are shop notions."""
        return self.clock().astimezone(VN)

    def pos_url(self) -> URL:
        """The POS database as an SQLAlchemy URL: ``pos.url`` if set, else the SQLite file."""
        pos = self.settings.pos
        if pos.url:
            return make_url(pos.url)
        if pos.database is None:
            raise NotConfigured("chưa khai báo cơ sở dữ liệu PMV (pos.database hoặc pos.url)")
        # Read-only: a health check must never be able to change the shop's books.
        return URL.create("sqlite", database=f"{Path(pos.database).resolve().as_uri()}?mode=ro",
                          query={"uri": "true"})

    @cached_property
    def pos_engine(self) -> Engine:
        url = self.pos_url()
        connect_args = {"timeout": 5} if url.get_backend_name() == "sqlite" else {}
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)

    def pos_dialect(self) -> str:
        return self.pos_url().get_backend_name()

    def close(self) -> None:
        if "pos_engine" in self.__dict__:
            self.pos_engine.dispose()
