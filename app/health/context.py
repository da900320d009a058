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

from sqlalchemy import URL
from sqlalchemy.engine import Engine

from app.health.machine import REAL_MACHINE, MachineProbes
from app.infra.phrase import say
from app.infra.settings import LoadedSettings, Settings
from app.shop.file_uri import file_uri
from app.shop.pos_driver import pos_engine_for
from app.shop.pos_url import PosUrlError, to_sqlalchemy_url
from pmv_protocol.shop_time import SHOP_TZ

if TYPE_CHECKING:
    from app.storage.support_requests import SupportRepository
    from app.support.vendor_api import VendorClient
    from pmv_protocol.contract import Contract
    from pmv_protocol.packs import RegulationPack



class NotConfigured(Exception):
    """A setting the check needs is missing; the check reports 'skipped' with this reason."""


class PosUnusable(NotConfigured):
    """pos.url cannot be used as written, or its driver is missing.

    The connect check reports ``error`` (a code and the part at fault);
    every other check that needs the POS is skipped, pointing at it.
    """

    def __init__(self, error: PosUrlError) -> None:
        super().__init__(say("HealthCheck", "chuỗi kết nối PMV (pos.url) chưa dùng được, "
                             "xem kiểm tra \u201cKết nối cơ sở dữ liệu PMV\u201d"))
        self.error = error


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
    # How the settings were read (their problems, whether the last good copy is in use): the settings.valid check.
    loaded_settings: LoadedSettings | None = None
    # Disk, memory and CPU as the checks see them (the real machine unless a test says otherwise).
    machine: MachineProbes = REAL_MACHINE

    def now(self) -> dt.datetime:
        return self.clock()

    def local_now(self) -> dt.datetime:
        """Shop time (Asia/Ho_Chi_Minh): trading hours and 'today' are shop notions."""
        return self.clock().astimezone(SHOP_TZ)

    def pos_url(self) -> URL:
        """The POS database as the URL of a driver the app ships: ``pos.url`` if set, else the SQLite file.

        ``pos.url`` may be an SQLAlchemy URL or an ODBC / ADO.NET connection
        string (app.shop.pos_url); one that cannot be used raises PosUnusable.
        """
        pos = self.settings.pos
        if pos.url:
            try:
                return to_sqlalchemy_url(pos.url)
            except PosUrlError as exc:
                raise PosUnusable(exc) from None
        if pos.database is None:
            raise NotConfigured(say("HealthCheck", "chưa khai báo cơ sở dữ liệu PMV (pos.database hoặc pos.url)"))
        # Read-only: a health check must never be able to change the shop's books.
        return URL.create("sqlite", database=f"{file_uri(pos.database)}?mode=ro", query={"uri": "true"})

    @cached_property
    def pos_engine(self) -> Engine:
        try:
            return pos_engine_for(self.pos_url())  # a missing driver is a clear 'skipped'
        except PosUrlError as exc:
            raise PosUnusable(exc) from None

    def pos_dialect(self) -> str:
        return self.pos_url().get_backend_name()

    def close(self) -> None:
        if "pos_engine" in self.__dict__:
            self.pos_engine.dispose()
