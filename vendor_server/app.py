"""FastAPI app implementing the vendor API v1 (DESIGN.md)."""

# No "from __future__ import annotations": FastAPI must see the real
# Annotated[..., Depends(...)] objects of the closures below.

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from vendor_server import tickets
from vendor_server.calendars import PublishedCalendars
from vendor_server.db import Shop, VendorDatabase
from vendor_server.tickets import MAX_ATTACHMENT_BYTES, AttachmentRecord, NewTicket, TicketRecord

MAX_ID = 2**63 - 1  # larger path ids would overflow the database integer, not just miss


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def _parse_since(text: str | None) -> dt.datetime | None:
    """``updated_since`` as an aware datetime; 400 for anything else.

    A naive time is refused rather than guessed: the till's zone and the
    server's may differ, and a wrong guess silently skips changes.  A space
    where the offset's "+" belongs is accepted, because an unencoded "+" in
    a query string arrives as a space.
    """
    if text is None or not text.strip():
        return None
    candidates = [text.strip()]
    if " " in candidates[0]:
        head, _, tail = candidates[0].rpartition(" ")
        candidates.append(f"{head}+{tail}")
    for candidate in candidates:
        try:
            moment = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            return moment
        raise HTTPException(400, f"updated_since must include a UTC offset, e.g. 2026-03-02T10:00:00+07:00: {text!r}")
    raise HTTPException(400, f"updated_since is not an ISO-8601 datetime: {text!r}")


def _created_view(record: TicketRecord, created: bool) -> dict[str, Any]:
    return {"id": record.id, "number": record.number, "status": record.status,
            "response_due_at": _iso(record.response_due_at), "created": created}


def _poll_view(record: TicketRecord) -> dict[str, Any]:
    return {"id": record.id, "number": record.number, "status": record.status,
            "response_due_at": _iso(record.response_due_at), "solution_kind": record.solution_kind,
            "solution_text": record.solution_text, "updated_at": _iso(record.updated_at),
            "idempotency_key": record.idempotency_key}


def _attachment_view(record: AttachmentRecord, created: bool) -> dict[str, Any]:
    return {"id": record.id, "client_id": record.client_id, "filename": record.filename, "size": record.size,
            "sha256": record.sha256, "created": created}


class RepositoryFiles(StaticFiles):
    """The TUF repository as plain static files (FileResponse: ETag, HEAD and HTTP Range for resuming).

    A folder that does not exist yet answers 404 rather than failing, so the
    server may start before ``pmv-vendor repo init``; ngclient needs exactly
    that 404 for the root version after the newest. Metadata is revalidated
    on every request (``no-cache``), so a cache in between never serves a
    stale timestamp.json; targets are content-addressed and never change.
    """

    def __init__(self, directory: Path, *, cache_control: str) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.cache_control = cache_control

    async def check_config(self) -> None:
        return None

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        return response


def create_app(db: VendorDatabase, data_dir: Path | None = None,
               max_attachment_bytes: int = MAX_ATTACHMENT_BYTES) -> FastAPI:
    app = FastAPI(title="PMV vendor API", version="1")
    app.state.db = db
    app.state.data_dir = data_dir
    app.state.max_attachment_bytes = max_attachment_bytes
    # Deadlines count on the calendar packs this server publishes (vendor_server/calendars.py).
    app.state.calendars = PublishedCalendars(Path(data_dir) / "tuf" if data_dir is not None else None)

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

    def idempotency_key(idempotency_key: Annotated[str | None, Header()] = None) -> str:
        key = tickets.canonical_uuid(idempotency_key)
        if key is None:
            problem = "is not a UUID" if idempotency_key else "is missing"
            raise HTTPException(400, f"Idempotency-Key header {problem}: send the client's UUID for this request")
        return key

    @app.post("/api/v1/tickets", status_code=201)
    def create_ticket(
        new: NewTicket,
        shop: Annotated[Shop, Depends(current_shop)],
        key: Annotated[str, Depends(idempotency_key)],
    ) -> JSONResponse:
        record, created = tickets.create_ticket(db, shop, key, new, calendar=app.state.calendars.calendar())
        return JSONResponse(_created_view(record, created), status_code=201 if created else 200)

    @app.get("/api/v1/tickets")
    def poll_tickets(shop: Annotated[Shop, Depends(current_shop)], updated_since: str | None = None) -> Any:
        since = _parse_since(updated_since)
        # Taken before the query: a change committed while we read is then
        # newer than server_time and comes with the next poll.
        server_time = dt.datetime.now(dt.UTC)
        records = tickets.tickets_updated_since(db, shop.id, since)
        return {"tickets": [_poll_view(r) for r in records], "server_time": _iso(server_time)}

    @app.post("/api/v1/tickets/{ticket_id}/attachments", status_code=201)
    async def attach(
        ticket_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
        request: Request,
        shop: Annotated[Shop, Depends(current_shop)],
    ) -> JSONResponse:
        # The body is read by hand (not as UploadFile) so it streams to disk
        # under a size cap instead of being spooled whole first.
        if data_dir is None:
            raise HTTPException(503, "attachments are not enabled on this server (no data folder)")
        record = await run_in_threadpool(tickets.shop_ticket, db, shop.id, ticket_id)
        if record is None:
            raise HTTPException(404, "no such ticket for this shop")
        root = Path(data_dir) / "attachments"
        try:
            upload = await tickets.receive_upload(request.headers.get("content-type"),
                                                  request.headers.get("content-length"), request.stream(), root,
                                                  app.state.max_attachment_bytes)
            stored, created = await run_in_threadpool(tickets.store_attachment, db, record.id, upload, root)
        except tickets.UploadError as exc:
            raise HTTPException(exc.status, exc.detail) from None
        return JSONResponse(_attachment_view(stored, created), status_code=201 if created else 200)

    if data_dir is not None:
        tuf_root = Path(data_dir) / "tuf"
        app.mount("/tuf/metadata", RepositoryFiles(tuf_root / "metadata", cache_control="no-cache"),
                  name="tuf-metadata")
        app.mount("/tuf/targets", RepositoryFiles(tuf_root / "targets", cache_control="public, max-age=86400"),
                  name="tuf-targets")

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)

    return app
