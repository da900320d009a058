"""``GET /api/v1/contract``: the shop's signed contract document, as issued."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from vendor_server.routes.deps import Context, CurrentShop

router = APIRouter(prefix="/api/v1", tags=["contract"])


@router.get("/contract", response_class=JSONResponse,
            responses={200: {"description": "the signed contract document (pmv-contract/1), verified by the shop"}})
def contract(shop: CurrentShop, context: Context) -> JSONResponse:
    # No response model: the document is the signer's, and the shop verifies
    # it (pmv_protocol.contract); the server passes it on, never reshapes it.
    with context.db.sessions() as session:
        document = context.db.latest_contract(session, shop)
    if document is None:
        raise HTTPException(404, "no contract has been issued for this shop")
    return JSONResponse(json.loads(document))
