"""What the shop API refuses before any route runs: a JSON body past a size cap, and what its 422s say.

FastAPI reads a route's whole body before it validates anything, and before the token is checked: without a cap,
one request without a token could make the server buffer gigabytes.  :class:`BodyLimit` refuses with 413 a body
to ``/api/`` over :data:`MAX_JSON_BODY_BYTES`, by its Content-Length or as it arrives (a chunked body declares
none).  The attachment upload streams to disk under its own cap (:mod:`vendor_server.uploads`) and is left alone.

:func:`validation_refused` answers a request that does not fit its model without repeating the input back (a
20 MB field made a 40 MB answer) and in ASCII-escaped JSON, so a lone surrogate in a key is an answer, not a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from pmv_protocol.thread import MESSAGE_MAX
from pmv_protocol.wire import DESCRIPTION_MAX, TITLE_MAX

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The largest lawful body: a ticket's title and description (or a message) at their longest, each character
# escaped as \uXXXX (6 bytes; a client may send ASCII-only JSON), with room for the other fields. 256 KiB.
MAX_JSON_BODY_BYTES = 262_144
assert MAX_JSON_BODY_BYTES > 6 * (TITLE_MAX + max(DESCRIPTION_MAX, MESSAGE_MAX)) + 16_384

_STREAMED = re.compile(r"^/api/v1/tickets/[^/]+/attachments/?$")  # the upload: streamed to disk under its own cap


class BodyLimit:
    """ASGI middleware: a body to the shop API over ``limit`` bytes is answered 413 before the route reads it."""

    def __init__(self, app: ASGIApp, limit: int = MAX_JSON_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or _STREAMED.match(path):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        # Read the body here, under the cap, then hand it to the route as if it came from the client.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: the route sees it as it would have
                chunks.clear()
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, send: Send) -> None:
        response = Response(json.dumps({"detail": f"the body is over {self.limit} bytes"}), status_code=413,
                            media_type="application/json", headers={"Connection": "close"})
        await response({"type": "http"}, _nothing, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _nothing() -> Message:  # a Response sends; it never reads
    return {"type": "http.disconnect"}


async def validation_refused(request: Request, exc: Exception) -> Response:
    """422 with pydantic's reasons (where, what kind, why), never the input itself."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [{key: error[key] for key in ("type", "loc", "msg") if key in error} for error in errors]
    # ensure_ascii: a lone surrogate (a key sent as "\ud800") cannot be encoded as UTF-8, but it can be escaped.
    return Response(json.dumps({"detail": detail}, ensure_ascii=True, default=str), status_code=422,
                    media_type="application/json")
