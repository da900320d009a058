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

from pmv_protocol.thread import (
    ActReceipt,
    EventList,
    NewDecision,
    NewMessage,
    NewRating,
    NewReopen,
    NewVisitAnswer,
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
    if not result.created:
        response.status_code = 200  # the same key again: the same step, never a second one
    return ActReceipt(result.event, result.ticket.status, result.ticket.response_due_at, result.created)


@router.get("/{ticket_id}/messages", responses=_NOT_FOUND)
def get_messages(ticket_id: TicketId, shop: CurrentShop, context: Context) -> EventList:
    thread = ticket_thread(context.db, (Ticket.id == ticket_id) & (Ticket.shop_pk == shop.id))
    if thread is None:
        raise HTTPException(404, "no such ticket for this shop")
    return EventList(thread.events)


@router.post("/{ticket_id}/messages", status_code=201, responses=_ACT)
def post_message(ticket_id: TicketId, new: NewMessage, shop: CurrentShop, key: IdempotencyKey, context: Context,
                 response: Response) -> ActReceipt:
    return _receipt(response, lambda: shop_acts.post_message(context.db, shop, ticket_id, key, new,
                                                             now=context.clock()))


@router.post("/{ticket_id}/decision", status_code=201, responses=_ACT)
def post_decision(ticket_id: TicketId, new: NewDecision, shop: CurrentShop, key: IdempotencyKey, context: Context,
                  response: Response) -> ActReceipt:
    return _receipt(response, lambda: shop_acts.post_decision(context.db, shop, ticket_id, key, new,
                                                              now=context.clock(),
                                                              calendar=context.calendars.calendar()))


@router.post("/{ticket_id}/visit", status_code=201, responses=_ACT)
def post_visit_answer(ticket_id: TicketId, new: NewVisitAnswer, shop: CurrentShop, key: IdempotencyKey,
                      context: Context, response: Response) -> ActReceipt:
    return _receipt(response, lambda: shop_acts.post_visit_answer(context.db, shop, ticket_id, key, new,
                                                                  now=context.clock()))


@router.post("/{ticket_id}/rating", status_code=201, responses=_ACT)
def post_rating(ticket_id: TicketId, new: NewRating, shop: CurrentShop, key: IdempotencyKey, context: Context,
                response: Response) -> ActReceipt:
    return _receipt(response, lambda: shop_acts.post_rating(context.db, shop, ticket_id, key, new,
                                                            now=context.clock()))


@router.post("/{ticket_id}/reopen", status_code=201, responses=_ACT)
def post_reopen(ticket_id: TicketId, new: NewReopen, shop: CurrentShop, key: IdempotencyKey, context: Context,
                response: Response) -> ActReceipt:
    return _receipt(response, lambda: shop_acts.post_reopen(context.db, shop, ticket_id, key, new,
                                                            now=context.clock(),
                                                            calendar=context.calendars.calendar()))


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
