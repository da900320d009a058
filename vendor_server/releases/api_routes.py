"""The shop API's releases endpoint: ``POST /api/v1/events`` (pmv_protocol.fleet: EventBatch -> EventsReceipt).

The body is bounded before it is parsed (413 over :data:`~pmv_protocol.fleet.MAX_BODY_BYTES`, counted as it
arrives, whatever Content-Length claims), then validated strictly (422).  The work itself is
:func:`vendor_server.releases.intake.receive_events`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from pmv_protocol.digits import natural
from pmv_protocol.fleet import EVENTS_PATH, MAX_BODY_BYTES, EventBatch
from vendor_server.releases.context import repository
from vendor_server.releases.intake import receive_events
from vendor_server.routes.deps import Context, CurrentShop, address_of

router = APIRouter(prefix="/api/v1")


async def bounded_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request's body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if (natural(declared) or 0) > limit:
        raise HTTPException(413, f"the body is over {limit} bytes: send fewer events per batch")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"the body is over {limit} bytes: send fewer events per batch")
    return bytes(body)


@router.post(EVENTS_PATH.removeprefix("/api/v1"))
async def post_events(request: Request, context: Context, shop: CurrentShop) -> dict[str, Any]:
    """Store each event once per (shop, event id); the same batch again answers ``stored: 0``."""
    body = await bounded_body(request)
    try:
        batch = EventBatch.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    receipt, _stops = await run_in_threadpool(
        receive_events, context.db, shop.id, shop.shop_id, batch, repo=repository(context),
        settings=context.releases, now=context.clock(), address=address_of(request))
    return receipt.model_dump(mode="json")
