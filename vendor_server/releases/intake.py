"""A shop's batch of update events, received: stored once each, then the automatic stop looked at.

Framework-free (the route in :mod:`vendor_server.releases.api_routes` only reads the body and answers), so
tests and other front ends call the same thing.
"""

from __future__ import annotations

import datetime as dt

from pmv_protocol.fleet import EventBatch, EventsReceipt, UpdateEventKind
from vendor_server.db import VendorDatabase
from vendor_server.releases.events import store_events
from vendor_server.releases.names import ReleaseKey
from vendor_server.releases.rollouts import SYSTEM, Actor, AutoStop, auto_stop
from vendor_server.releases.settings import ReleaseSettings
from vendor_server.tuf_repo import VendorRepository

_TRIED = (UpdateEventKind.INSTALLED, UpdateEventKind.ROLLED_BACK)


def receive_events(db: VendorDatabase, shop_pk: int, shop_id: str, batch: EventBatch, *,
                   repo: VendorRepository | None, settings: ReleaseSettings, now: dt.datetime,
                   address: str) -> tuple[EventsReceipt, list[AutoStop]]:
    """Store the batch; for each app build a new install or rollback in it touched, maybe stop its rollout."""
    stored = store_events(db, shop_pk, batch, now=now)
    touched = {ReleaseKey(e.target_kind.value, e.target_id, e.version) for e in stored.new if e.kind in _TRIED}
    stops = auto_stop(db, repo, settings, touched, Actor(SYSTEM, address, shop_id=shop_id), now=now)
    return stored.receipt, stops
