"""The vendor API v1 (DESIGN.md) as a FastAPI app: the routers of :mod:`vendor_server.routes`, assembled."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from vendor_server.calendars import PublishedCalendars
from vendor_server.db import VendorDatabase
from vendor_server.routes import contracts, health, tickets
from vendor_server.routes.deps import ServerContext
from vendor_server.routes.repository import mount_repository
from vendor_server.uploads import MAX_ATTACHMENT_BYTES


async def internal_error(_request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
    """An unexpected failure answers a JSON 500 naming only the exception's type (no traceback to the shop)."""
    return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)


def create_app(db: VendorDatabase, data_dir: Path | str | None = None,
               max_attachment_bytes: int = MAX_ATTACHMENT_BYTES) -> FastAPI:
    """The server for ``db``; ``data_dir`` holds attachments and the TUF repository (None: neither)."""
    app = FastAPI(title="PMV vendor API", version="1")
    root = Path(data_dir) if data_dir is not None else None
    # Deadlines count on the calendar packs this server publishes (vendor_server/calendars.py).
    calendars = PublishedCalendars(root / "tuf" if root is not None else None)
    app.state.context = ServerContext(db, root, max_attachment_bytes, calendars)
    for router in (health.router, contracts.router, tickets.router):
        app.include_router(router)
    if root is not None:
        mount_repository(app, root / "tuf")
    app.add_exception_handler(Exception, internal_error)
    return app
