"""A vendor database and a TUF repository for the releases' tests: shops, events, an app build and a pack."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from pmv_protocol.fleet import EventBatch, TargetKind, UpdateEvent, UpdateEventKind
from vendor_server.db import Shop, VendorDatabase
from vendor_server.releases.events import StoredEvents, store_events
from vendor_server.releases.names import ReleaseKey
from vendor_server.tuf_repo import VendorRepository

HCM = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=HCM)  # a shop's clock
NOW = dt.datetime(2026, 3, 10, 2, 5, tzinfo=dt.UTC)  # the server's
REPO_ROOT = Path(__file__).resolve().parents[4]
PACK_FILE = REPO_ROOT / "resources" / "regulation" / "nd-232-2025.json"
APP = ReleaseKey("app", "app", "9.9.0")
PACK = ReleaseKey("pack", "nd-232-2025", "1.0.0")


def event(kind: UpdateEventKind | str, key: ReleaseKey = APP, *, reason: str | None = None, bucket: int | None = None,
          event_id: str | None = None) -> UpdateEvent:
    return UpdateEvent(id=event_id or str(uuid.uuid4()), at=AT, kind=UpdateEventKind(kind),
                       target_kind=TargetKind(key.target_kind), target_id=key.target_id, version=key.version,
                       reason=reason, bucket=bucket)


def batch(*events: UpdateEvent) -> EventBatch:
    return EventBatch(events=list(events))


@dataclass
class World:
    db: VendorDatabase
    repo: VendorRepository
    shops: dict[str, int]  # shop id -> primary key

    def shop(self, shop_id: str) -> int:
        if shop_id not in self.shops:
            self.db.add_shop(shop_id, f"Tiệm vàng {shop_id}")
            with self.db.sessions() as session:
                found = session.query(Shop).filter(Shop.shop_id == shop_id).one()
                self.shops[shop_id] = found.id
        return self.shops[shop_id]

    def send(self, shop_id: str, *events: UpdateEvent) -> StoredEvents:
        return store_events(self.db, self.shop(shop_id), batch(*events), now=NOW)

    def percent(self, path: str = "app/pmv-support-9.9.0.zip") -> int | None:
        value = self.repo.targets()[path].custom["rollout_percent"]
        return None if value is None else int(value)


def make_world(folder: Path, *, app_percent: int | None = 50) -> World:
    folder.mkdir(parents=True, exist_ok=True)
    db = VendorDatabase(f"sqlite:///{folder / 'vendor.sqlite3'}")
    repo = VendorRepository(folder / "tuf", folder / "tuf-keys")
    repo.init()
    build = folder / "pmv-support-9.9.0.zip"
    build.write_bytes(os.urandom(1000))
    repo.add_target(build, kind="app", version="9.9.0", rollout_percent=app_percent, title_vi="Bản 9.9.0")
    repo.add_target(PACK_FILE, kind="regulation", version="1.0.0", effective_date="2025-10-10",
                    title_vi="Nghị định 232/2025/NĐ-CP")
    return World(db, repo, {})
