"""``/api/v1/tickets``: a shop raises tickets, attaches files and polls for what the vendor did."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi import Path as PathParam
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from pmv_protocol.thread import OpenedBy, OpenedForShop, TicketFeed, TicketUpdate
from pmv_protocol.wire import AttachmentReceipt, NewTicket, TicketReceipt
from vendor_server import attachments, tickets, timeline, uploads
from vendor_server.records import TicketRecord
from vendor_server.routes.deps import Context, CurrentShop, IdempotencyKey
from vendor_server.thread_records import TicketThread

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

MAX_ID = 2**63 - 1  # larger path ids would overflow the database integer, not just miss

# A ticket record read into the feed's schema by field name (the rest ignored): the schema decides what the
# shop sees, and staff-only fields (the contact, the coverage) never reach it by accident.
_FEED_ITEM = TypeAdapter(TicketUpdate)


def parse_since(text: str | None) -> dt.datetime | None:
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


@router.post("", status_code=201)
def post_ticket(new: NewTicket, shop: CurrentShop, key: IdempotencyKey, context: Context,
                response: Response) -> TicketReceipt:
    record, created = tickets.create_ticket(context.db, shop, key, new, now=context.clock(),
                                            calendar=context.calendars.calendar())
    if not created:
        response.status_code = 200  # the same key again: the same ticket, never a second one
    return TicketReceipt(record.id, record.number, record.status, record.response_due_at, created)


@router.get("")
def poll_tickets(shop: CurrentShop, context: Context, updated_since: str | None = None) -> TicketFeed:
    since = parse_since(updated_since)
    # Taken before the query: a change committed while we read is then
    # newer than server_time and comes with the next poll.
    server_time = context.clock()
    records = tickets.tickets_updated_since(context.db, shop.id, since)
    # Each ticket with its timeline's steps recorded after `since`: three queries for all of them, none at all
    # when nothing changed (timeline.threads).
    return TicketFeed(tuple(_feed_item(thread) for thread in timeline.threads(context.db, records, since)),
                      server_time)


def _feed_item(thread: TicketThread) -> TicketUpdate:
    flow, ticket = thread.flow, thread.ticket
    # vars(), not dataclasses.asdict(): no deep copy of every field, ten times faster for a full feed.
    return _FEED_ITEM.validate_python({
        **vars(ticket), "events": thread.events, "visit": flow.visit, "finished_at": flow.finished_at,
        "ever_resolved": flow.ever_resolved, "rated": flow.rated, "close_after": flow.close_after,
        "opened_for_shop": opened_for_shop(ticket)})


def opened_for_shop(ticket: TicketRecord) -> OpenedForShop | None:
    """What a shop needs to list a ticket it never raised (one the vendor's system opened for it); None for the
    shop's own, which it already holds in its own words."""
    if ticket.opened_by != OpenedBy.SYSTEM:
        return None
    return OpenedForShop(category=ticket.category.value, severity=ticket.severity.value, title=ticket.title,
                         description=ticket.description, opened_at=ticket.opened_at, coverage=ticket.coverage,
                         check_id=ticket.check_id)


@router.post("/{ticket_id}/attachments", status_code=201)
async def post_attachment(ticket_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], request: Request,
                          shop: CurrentShop, context: Context, response: Response) -> AttachmentReceipt:
    # The body is read by hand (not as UploadFile) so it streams to disk
    # under a size cap instead of being spooled whole first.
    root = context.attachments_root
    if root is None:
        raise HTTPException(503, "attachments are not enabled on this server (no data folder)")
    record = await run_in_threadpool(tickets.shop_ticket, context.db, shop.id, ticket_id)
    if record is None:
        raise HTTPException(404, "no such ticket for this shop")
    try:
        upload = await uploads.receive_upload(request.headers.get("content-type"),
                                              request.headers.get("content-length"), request.stream(), root,
                                              context.max_attachment_bytes)
        stored, created = await run_in_threadpool(attachments.store_attachment, context.db, record.id, upload, root,
                                                  now=context.clock())
    except ClientDisconnect:
        # The till's line dropped mid-file (uploads discarded what came): everyday, not a server error.
        raise HTTPException(400, "the client went away before the file was whole") from None
    except uploads.UploadError as exc:
        # A refusal the shop's app words gets its code, as the acts' 409s do; the others stay a sentence.
        detail = {"refusal": exc.refusal, "message": exc.detail} if exc.refusal else exc.detail
        raise HTTPException(exc.status, detail) from None
    if not created:
        response.status_code = 200  # the same client_id again: stored once
    return AttachmentReceipt(stored.id, stored.client_id, stored.filename, stored.size, stored.sha256, created)
