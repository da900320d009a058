"""The shop API's fleet endpoints: ``POST /api/v1/heartbeat`` (the shop's health, every 15 minutes).

Thin on purpose: the HTTP here, the work in :mod:`vendor_server.fleet.ingest`.  No token: 401 at once.  The body
is read by hand under :data:`pmv_protocol.fleet.MAX_BODY_BYTES` (413 past it, before any parsing); then, in one
trip to the thread pool and on one database connection, the shop is found by its token (401, as
:func:`vendor_server.routes.deps.current_shop` answers), the body parsed strictly as
:class:`pmv_protocol.fleet.Heartbeat` (422 with pydantic's reasons) and stored.  Not the ``CurrentShop``
dependency: that is a second trip and a second connection for the API's most frequent call
(tests/bench/heartbeat_ingest.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from pmv_protocol.digits import natural
from pmv_protocol.fleet import HEARTBEAT_PATH, MAX_BODY_BYTES, HeartbeatReceipt
from vendor_server.fleet import ingest
from vendor_server.routes.deps import Context

router = APIRouter(prefix="/api/v1")

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no shop token, or an unknown one"},
    413: {"description": f"the body is over {MAX_BODY_BYTES} bytes"},
    422: {"description": "not a heartbeat (pydantic's reasons in detail)"},
}


async def read_capped(request: Request, limit: int) -> bytes:
    """The request's body, refused with 413 as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if (natural(declared or "") or 0) > limit:
        raise HTTPException(413, f"the body is over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():  # a chunked body has no length to check first
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"the body is over {limit} bytes")
    return bytes(body)


@router.post(HEARTBEAT_PATH.removeprefix("/api/v1"), response_model=HeartbeatReceipt, responses=_REFUSALS)
async def heartbeat(request: Request, context: Context,
                    authorization: Annotated[str | None, Header()] = None) -> Response:
    token = bearer_token(authorization)
    body = await read_capped(request, MAX_BODY_BYTES)
    try:
        # The shop, the parsing and the storing in one trip to the thread pool, on one database connection: a
        # heartbeat is the API's most frequent call (the shop is still found first, as current_shop finds it).
        received = await run_in_threadpool(ingest.receive_sent, context.db, token, body, now=context.clock(),
                                           settings=context.fleet, calendars=context.calendars)
    except ingest.UnknownShop:
        raise HTTPException(401, "unknown shop token", headers={"WWW-Authenticate": "Bearer"}) from None
    except ValidationError as exc:
        raise HTTPException(422, jsonable_encoder(exc.errors(include_url=False, include_context=False))) from None
    # Written out here, not through FastAPI's validation of a returned model: the receipt is ours, built typed.
    receipt = HeartbeatReceipt(received_at=received.received_at, duplicate=received.duplicate)
    return Response(receipt.model_dump_json(), media_type="application/json")


def bearer_token(authorization: str | None) -> str:
    """The token of ``Authorization: Bearer …``; 401 without one (the words of :func:`~vendor_server.routes.deps.
    current_shop`)."""
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    return authorization.removeprefix("Bearer ").strip()
