"""``/api/v1/tickets/{id}/…``: a ticket's conversation (the endpoints of :mod:`pmv_protocol.thread`).

The shop reads the timeline and downloads its files; it writes, decides,
answers a visit, rates and reopens with one ``POST`` each, keyed by the act's
``Idempotency-Key``: 201 for a new act, 200 for the same key again, 409
``{"detail": {"refusal": ..., "message": ...}}`` for an act the ticket's
state does not allow (:mod:`vendor_server.shop_acts` decides), 404 for a
ticket that is not the shop's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel

from pmv_protocol.thread import (
    ACT_PATHS,
    ActReceipt,
    EventList,
    NewDecision,
    NewMessage,
    NewRating,
    NewReopen,
    NewVisitAnswer,
    ShopAct,
)
from vendor_server import attachments, shop_acts, tickets
from vendor_server.db import Ticket
from vendor_server.routes.deps import Context, CurrentShop, IdempotencyKey
from vendor_server.routes.tickets import MAX_ID
from vendor_server.thread_records import ActRefused, ActResult
from vendor_server.timeline import ticket_thread

router = APIRouter(prefix="/api/v1/tickets", tags=["conversation"])

TicketId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
SHA256_HEADER = "X-Content-SHA256"  # the downloaded bytes' hex SHA-256: the shop checks it before opening the file

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such ticket for this shop"}}
_ACT: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    409: {"description": 'the ticket\'s state does not allow the act: {"detail": {"refusal", "message"}}'},
}


def _receipt(response: Response, act: Callable[[], ActResult]) -> ActReceipt:
    try:
        result = act()
    except ActRefused as exc:
        raise HTTPException(409, {"refusal": exc.code.value, "message": exc.message}) from None
    except LookupError:
        raise HTTPException(404, "no such ticket for this shop") from None
    except shop_acts.KeyReused as exc:
        raise HTTPException(422, str(exc)) from None
    if not result.created:
        response.status_code = 200  # the same key again: the same step, never a second one
    return ActReceipt(result.event, result.ticket.status, result.ticket.response_due_at, result.created)


@router.get("/{ticket_id}/messages", responses=_NOT_FOUND)
def get_messages(ticket_id: TicketId, shop: CurrentShop, context: Context) -> EventList:
    thread = ticket_thread(context.db, (Ticket.id == ticket_id) & (Ticket.shop_pk == shop.id))
    if thread is None:
        raise HTTPException(404, "no such ticket for this shop")
    return EventList(thread.events)


def _act_route(body: type[ShopAct], record: Callable[..., ActResult], *, calendar: bool) -> None:
    """``POST /{ticket_id}/<ACT_PATHS[body]>``: the shop's act, recorded by ``record`` (a :mod:`vendor_server.shop_acts`
    function, which also names the route and so its OpenAPI operation); ``calendar`` for the acts that restart
    the response clock."""

    def endpoint(ticket_id: TicketId, new: BaseModel, shop: CurrentShop, key: IdempotencyKey, context: Context,
                 response: Response) -> ActReceipt:
        def act() -> ActResult:
            options: dict[str, Any] = {"now": context.clock()}
            if calendar:
                options["calendar"] = context.calendars.calendar()
            return record(context.db, shop, ticket_id, key, new, **options)

        return _receipt(response, act)

    endpoint.__annotations__["new"] = body  # FastAPI validates (and documents) the request body by this annotation
    router.add_api_route(f"/{{ticket_id}}/{ACT_PATHS[body]}", endpoint, methods=["POST"], name=record.__name__,
                         status_code=201, responses=_ACT)


# The five acts differ only in their body (which names their path) and the function that records them.
_act_route(NewMessage, shop_acts.post_message, calendar=False)
_act_route(NewDecision, shop_acts.post_decision, calendar=True)
_act_route(NewVisitAnswer, shop_acts.post_visit_answer, calendar=False)
_act_route(NewRating, shop_acts.post_rating, calendar=False)
_act_route(NewReopen, shop_acts.post_reopen, calendar=True)


@router.get("/{ticket_id}/attachments/{attachment_id}", response_class=FileResponse,
            responses={200: {"description": f"the file's bytes, with Content-Length and {SHA256_HEADER}",
                             "content": {"application/octet-stream": {}}}, **_NOT_FOUND})
def get_attachment(ticket_id: TicketId, attachment_id: TicketId, shop: CurrentShop, context: Context) -> FileResponse:
    root = context.attachments_root
    stored = None
    if root is not None and tickets.shop_ticket(context.db, shop.id, ticket_id) is not None:
        stored = attachments.ticket_attachment(context.db, ticket_id, attachment_id)
    path = None if root is None or stored is None else attachments.attachment_path(root, ticket_id, stored.client_id)
    if stored is None or path is None or not path.is_file():
        raise HTTPException(404, "no such file on this shop's ticket")
    # FileResponse streams from disk and states Content-Length; the shop checks the hash before opening it.
    return FileResponse(path, media_type="application/octet-stream", filename=stored.filename,
                        headers={SHA256_HEADER: stored.sha256})
