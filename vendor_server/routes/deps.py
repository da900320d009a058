"""What the routes take from a request: the server's context, the calling shop and its address, the Idempotency-Key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from pmv_protocol.ticket_flow import DEFAULT_AUTO_CLOSE_WORKING_DAYS
from pmv_protocol.wire import canonical_uuid
from vendor_server.calendars import PublishedCalendars
from vendor_server.db import Shop, VendorDatabase
from vendor_server.fleet.settings import FleetSettings
from vendor_server.releases.settings import ReleaseSettings


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ServerContext:
    """What :func:`~vendor_server.app.create_app` was given, kept on ``app.state.context`` for the routes."""

    db: VendorDatabase
    data_dir: Path | None  # None: no attachments and no TUF repository (a bare API, as some tests run it)
    max_attachment_bytes: int
    calendars: PublishedCalendars  # deadlines count on the calendar packs this server publishes
    # What the server stamps with: tickets, timeline steps, the feed's server_time (tests pass a fixed clock).
    clock: Callable[[], dt.datetime] = utc_now
    # How many working days a proposed solution waits for the shop's decision before it may be closed.
    auto_close_working_days: int = DEFAULT_AUTO_CLOSE_WORKING_DAYS
    # The signing keys (contracts, technician codes) the console signs with, as the CLI does; never sent out.
    keys_dir: Path | None = None
    # The vendor's identity written into contracts issued from the console ([vendor] of the server's config).
    vendor_identity: Mapping[str, str] = field(default_factory=dict)
    # How often an open console queue fetches its rows again (tests shorten it to watch a new ticket arrive).
    queue_refresh_seconds: int = 30
    # [fleet]: the silent-shop alarm and the proactive tickets; [releases]: the rollouts' automatic stop.
    fleet: FleetSettings = field(default_factory=FleetSettings)
    releases: ReleaseSettings = field(default_factory=ReleaseSettings)
    # The TUF repository this server publishes and the keys that re-sign it when a rollout changes
    # (None: ``<data_dir>/tuf`` and ``<data_dir>/tuf-keys``, as pmv-vendor repo lays them out).
    tuf_repo_dir: Path | None = None
    tuf_keys_dir: Path | None = None

    @property
    def attachments_root(self) -> Path | None:
        return None if self.data_dir is None else self.data_dir / "attachments"


def address_of(request: Request) -> str:
    """The caller's address, as the server saw it (behind a proxy: as the proxy forwarded it to uvicorn)."""
    return request.client.host if request.client is not None else "-"


def server_context(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


Context = Annotated[ServerContext, Depends(server_context)]


def current_shop(context: Context, authorization: Annotated[str | None, Header()] = None) -> Shop:
    """The shop whose token is in ``Authorization: Bearer …``; 401 otherwise."""
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    with context.db.sessions() as session:
        shop = context.db.shop_for_token(session, authorization.removeprefix("Bearer ").strip())
    if shop is None:
        raise HTTPException(401, "unknown shop token", headers={"WWW-Authenticate": "Bearer"})
    return shop


CurrentShop = Annotated[Shop, Depends(current_shop)]


def idempotency_key(idempotency_key: Annotated[str | None, Header()] = None) -> str:
    """The client's UUID for the request, canonical; 400 when missing or not a UUID."""
    key = canonical_uuid(idempotency_key)
    if key is None:
        problem = "is not a UUID" if idempotency_key else "is missing"
        raise HTTPException(400, f"Idempotency-Key header {problem}: send the client's UUID for this request")
    return key


IdempotencyKey = Annotated[str, Depends(idempotency_key)]
