"""The vendor API v1 (DESIGN.md) as a FastAPI app: the routers of :mod:`vendor_server.routes`, assembled."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from pmv_protocol.ticket_flow import DEFAULT_AUTO_CLOSE_WORKING_DAYS
from vendor_server.calendars import PublishedCalendars
from vendor_server.console import admin_routes as console_admin_routes
from vendor_server.console import routes as console_routes
from vendor_server.console import shop_routes as console_shop_routes
from vendor_server.console import signing_routes as console_signing_routes
from vendor_server.console import ticket_routes as console_ticket_routes
from vendor_server.console.web import CONSOLE_STATIC, PageRefused, page_refused, refused_page, server_timing
from vendor_server.db import VendorDatabase
from vendor_server.fleet import api_routes as fleet_api
from vendor_server.fleet import console_routes as fleet_console
from vendor_server.fleet.settings import FleetSettings
from vendor_server.releases import api_routes as releases_api
from vendor_server.releases import console_routes as releases_console
from vendor_server.releases.settings import ReleaseSettings
from vendor_server.request_limits import BodyLimit, validation_refused
from vendor_server.routes import contracts, enrol, health, thread, tickets
from vendor_server.routes.deps import ServerContext, utc_now
from vendor_server.routes.repository import mount_repository
from vendor_server.uploads import MAX_ATTACHMENT_BYTES

log = logging.getLogger(__name__)


async def internal_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure: logged whole; the shop's app gets a JSON 500 naming only the exception's type (no
    traceback), a staff member a console page in their language saying nothing was done."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith("/console"):
        return refused_page(request, 500, "Máy chủ gặp lỗi không mong muốn nên chưa làm được việc này (đã ghi vào "
                                          "nhật ký máy chủ). Hãy thử lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật.")
    return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)


def create_app(db: VendorDatabase, data_dir: Path | str | None = None,
               max_attachment_bytes: int = MAX_ATTACHMENT_BYTES, *, clock: Callable[[], dt.datetime] = utc_now,
               auto_close_working_days: int = DEFAULT_AUTO_CLOSE_WORKING_DAYS, keys_dir: Path | str | None = None,
               vendor_identity: Mapping[str, str] | None = None, queue_refresh_seconds: int = 30,
               fleet: FleetSettings | None = None, releases: ReleaseSettings | None = None,
               tuf_repo_dir: Path | str | None = None, tuf_keys_dir: Path | str | None = None) -> FastAPI:
    """The server for ``db``; ``data_dir`` holds attachments and the TUF repository (None: neither).

    ``clock``: the server's time for everything it stamps (an aware datetime; tests pass a fixed one).
    ``auto_close_working_days``: the server setting of that name (kept for the staff tools that propose).
    ``keys_dir``: the signing keys the console signs with (default ``<data_dir>/keys``, as the CLI's);
    ``vendor_identity``: the [vendor] block written into contracts issued from the console;
    ``queue_refresh_seconds``: how often an open console queue fetches its rows again;
    ``fleet`` / ``releases``: the config's [fleet] and [releases] (None: the defaults);
    ``tuf_repo_dir`` / ``tuf_keys_dir``: the TUF repository served at /tuf/ and the keys a rollout change
    re-signs it with (default ``<data_dir>/tuf`` and ``<data_dir>/tuf-keys``, as the CLI's).
    """
    if auto_close_working_days < 1:
        raise ValueError(f"auto_close_working_days must be at least 1, got {auto_close_working_days}")
    app = FastAPI(title="PMV vendor API", version="1")
    root = Path(data_dir) if data_dir is not None else None
    # Deadlines count on the calendar packs this server publishes (vendor_server/calendars.py).
    tuf = Path(tuf_repo_dir) if tuf_repo_dir is not None else root / "tuf" if root is not None else None
    tuf_keys = Path(tuf_keys_dir) if tuf_keys_dir is not None else root / "tuf-keys" if root is not None else None
    calendars = PublishedCalendars(tuf)
    keys = Path(keys_dir) if keys_dir is not None else root / "keys" if root is not None else None
    app.state.context = ServerContext(db, root, max_attachment_bytes, calendars, clock, auto_close_working_days,
                                      keys, dict(vendor_identity or {}), queue_refresh_seconds,
                                      fleet or FleetSettings(), releases or ReleaseSettings(), tuf, tuf_keys)
    for router in (health.router, contracts.router, enrol.router, tickets.router, thread.router, console_routes.router,
                   console_ticket_routes.router, console_signing_routes.router, console_admin_routes.router,
                   console_shop_routes.router, fleet_api.router, fleet_console.router, releases_api.router,
                   releases_console.router):
        app.include_router(router)
    app.add_exception_handler(PageRefused, page_refused)
    app.add_exception_handler(RequestValidationError, validation_refused)
    app.add_middleware(BodyLimit)
    app.middleware("http")(server_timing)
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    if tuf is not None:
        mount_repository(app, tuf)
    app.add_exception_handler(Exception, internal_error)
    return app
