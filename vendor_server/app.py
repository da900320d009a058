"""FastAPI app implementing the vendor API v1 (DESIGN.md)."""

# No "from __future__ import annotations": FastAPI must see the real
# Annotated[..., Depends(...)] objects of the closures below.

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from vendor_server.db import Shop, VendorDatabase


def create_app(db: VendorDatabase, data_dir: Path | None = None) -> FastAPI:
    app = FastAPI(title="PMV vendor API", version="1")
    app.state.db = db
    app.state.data_dir = data_dir

    def current_shop(authorization: Annotated[str | None, Header()] = None) -> Shop:
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        with db.sessions() as session:
            shop = db.shop_for_token(session, authorization.removeprefix("Bearer ").strip())
        if shop is None:
            raise HTTPException(401, "unknown shop token", headers={"WWW-Authenticate": "Bearer"})
        return shop

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/contract")
    def contract(shop: Annotated[Shop, Depends(current_shop)]) -> Any:
        with db.sessions() as session:
            document = db.latest_contract(session, shop)
        if document is None:
            raise HTTPException(404, "no contract has been issued for this shop")
        return JSONResponse(json.loads(document))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)

    return app
