"""What the overview shows, as read at start-up: one record per tile, in the types the features' own reads use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.health.model import HealthReport
from app.shop.pos_reader import PosSummary
from app.storage.records import ActivityEntry, RequestDeadline
from app.updates.pack_folders import InstalledPack
from app.warranty.cache import WarrantySnapshot

ACTIVITY_SHOWN = 5  # the overview's "recent activity" lines


@dataclass(frozen=True)
class ShopCard:
    """Who this till belongs to (the settings' ``[shop]``)."""

    name: str
    shop_id: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PosRead:
    """The POS summary the board and version tiles show: the summary, or why there is none."""

    summary: PosSummary | None = None
    error: Exception | None = None  # the database could not be read (shown, as the live read shows it)
    configured: bool = True  # False: the settings name no POS database


@dataclass(frozen=True)
class OverviewFacts:
    """The overview's tiles' values, all from one moment (``read_at``) of the shop's stores."""

    read_at: dt.datetime  # aware: when they were read
    today: dt.date  # the shop's date then
    shop: ShopCard
    health: HealthReport | None  # the newest recorded run (statuses and summaries); None before any run
    requests: list[RequestDeadline]  # as the support page lists them: newest first
    unread: int  # the vendor's messages not read yet (a confirmed visit's line comes with the conversations' read)
    warranty: WarrantySnapshot
    packs: list[InstalledPack]
    activity: list[ActivityEntry]  # newest first
    pos: PosRead | None = field(default=None)  # None: a POS on a database server, read once the data layer is up

    @property
    def complete(self) -> bool:
        """Every tile has its value: the overview is filled."""
        return self.pos is not None
