"""Client for the vendor API v1 (DESIGN.md), on an injected ``requests.Session``.

Every failure becomes a :class:`VendorApiError` with a ``kind`` the UI can
word: the server could not be reached, it timed out, it refused the shop
token, or it answered something unexpected.  A 409 (an act the ticket's
state does not allow) also carries the server's ``refusal`` code
(:class:`pmv_protocol.ticket_flow.Refusal`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from app import APP_ID, __version__
from app.infra.job_protocol import raise_if_cancelled
from app.support.api_failure import ApiFailure as ApiFailure
from app.support.models import SupportRequest, TicketReceipt, TicketUpdate
from pmv_protocol.fleet import EVENTS_PATH, HEARTBEAT_PATH, EventBatch, EventsReceipt, Heartbeat, HeartbeatReceipt
from pmv_protocol.thread import ACT_PATHS, ActReceipt, EventList, ShopAct, TicketEvent, TicketFeed
from pmv_protocol.wire import CLIENT_ID_FIELD, FILE_FIELD, SHA256_FIELD, AttachmentReceipt, NewTicket

if TYPE_CHECKING:
    import requests  # imported when the first request is made: ~50 ms off every start

log = logging.getLogger(__name__)
T = TypeVar("T")

_RECEIPT = TypeAdapter(TicketReceipt)
_FEED = TypeAdapter(TicketFeed)
_ACT_RECEIPT = TypeAdapter(ActReceipt)
_ATTACHMENT_RECEIPT = TypeAdapter(AttachmentReceipt)
_EVENTS = TypeAdapter(EventList)
_CHUNK = 1 << 16


class VendorApiError(Exception):
    """``refusal``: on a 409, the server's reason code (a :class:`pmv_protocol.ticket_flow.Refusal` value)."""

    def __init__(self, kind: ApiFailure, detail: str = "", status: int | None = None,
                 refusal: str | None = None) -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.refusal = refusal

    @property
    def refused(self) -> bool:
        """The server judged the request itself (409 the ticket's state, 422 the body): sending it again
        can only get the same answer."""
        return self.status in (409, 422)


class VendorClient:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        session: requests.Session | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session
        self._timeout = timeout

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if not self._token:
            raise VendorApiError(ApiFailure.NOT_CONFIGURED, "no shop token")
        headers = {
            "Authorization": f"Bearer {self._token}",
            "User-Agent": f"{APP_ID}/{__version__}",
            **kwargs.pop("headers", {}),
        }
        url = f"{self.base_url}{path}"
        import requests

        if self._session is None:
            self._session = requests.Session()
        try:
            response = self._session.request(method, url, headers=headers, timeout=self._timeout, **kwargs)
        except requests.Timeout as exc:
            raise VendorApiError(ApiFailure.TIMEOUT, str(exc)) from None
        except requests.RequestException as exc:
            raise VendorApiError(ApiFailure.OFFLINE, str(exc)) from None
        if response.status_code in (401, 403):
            raise VendorApiError(ApiFailure.UNAUTHORIZED, _detail(response), response.status_code)
        if response.status_code == 404:
            raise VendorApiError(ApiFailure.NOT_FOUND, _detail(response), 404)
        if response.status_code == 413:
            raise VendorApiError(ApiFailure.TOO_LARGE, _detail(response), 413)
        if response.status_code >= 500:
            raise VendorApiError(ApiFailure.SERVER, _detail(response), response.status_code)
        if response.status_code == 409:
            refusal, message = _refusal(response)
            raise VendorApiError(ApiFailure.BAD_RESPONSE, message, 409, refusal)
        if response.status_code >= 400:
            raise VendorApiError(ApiFailure.BAD_RESPONSE, _detail(response), response.status_code)
        return response

    def get_contract(self) -> bytes:
        """The shop's signed contract document, as the raw bytes the server sent."""
        return self._request("GET", "/api/v1/contract").content

    def create_ticket(self, request: SupportRequest) -> TicketReceipt:
        """POST /tickets with the request's UUID as Idempotency-Key: a retry never makes a second ticket."""
        # Written with the wire's schema, not validated against it: the server is the judge and a 422
        # says why, as it always has (the form already checked what a cashier can fix).
        body = NewTicket.model_construct(
            category=request.category, severity=request.severity, title=request.title,
            description=request.description, contact_name=request.contact_name,
            contact_phone=request.contact_phone, channel=request.channel, opened_at=request.opened_at,
            app_version=__version__,
        )
        response = self._request("POST", "/api/v1/tickets", json=body.model_dump(mode="json"),
                                 headers={"Idempotency-Key": request.id})
        # 201 is a new ticket, 200 a replayed key (DESIGN.md): the status code says it, not the body.
        data = {**_json(response), "created": response.status_code == 201}
        return _answer(_RECEIPT.validate_python, data, "ticket")

    def upload_attachment(self, ticket_id: int, client_id: str, path: Path, filename: str, sha256: str) -> bool:
        """Upload one file; True if the server stored it now, False if it already had it."""
        with Path(path).open("rb") as handle:
            response = self._request(
                "POST", f"/api/v1/tickets/{ticket_id}/attachments",
                files={FILE_FIELD: (filename, handle, "application/octet-stream")},
                data={CLIENT_ID_FIELD: client_id, SHA256_FIELD: sha256},
            )
        # The receipt must name this file: a proxy's or a Wi-Fi login page's "200 OK" is not the vendor storing it.
        receipt = _answer(_ATTACHMENT_RECEIPT.validate_python,
                          {**_json(response), "created": response.status_code == 201}, "attachment")
        if receipt.client_id != client_id or receipt.sha256 != sha256:
            raise VendorApiError(ApiFailure.BAD_RESPONSE, "attachment answer: names another file",
                                 response.status_code)
        return receipt.created

    # -- the conversation (pmv_protocol.thread) ---------------------------------------------------------------
    def post_act(self, ticket_id: int, act_id: str, body: ShopAct) -> ActReceipt:
        """POST one of the shop's acts with its UUID as Idempotency-Key: 201 new, 200 the same act again.

        A message's files are already uploaded (it names them by their client ids)."""
        endpoint = ACT_PATHS[type(body)]
        response = self._request("POST", f"/api/v1/tickets/{ticket_id}/{endpoint}", json=body.model_dump(mode="json"),
                                 headers={"Idempotency-Key": act_id})
        data = {**_json(response), "created": response.status_code == 201}
        return _answer(_ACT_RECEIPT.validate_python, data, endpoint)

    def get_events(self, ticket_id: int) -> list[TicketEvent]:
        """The ticket's whole timeline, oldest first."""
        data = _json(self._request("GET", f"/api/v1/tickets/{ticket_id}/messages"))
        return list(_answer(_EVENTS.validate_python, data, "messages").events)

    def download_attachment(self, ticket_id: int, attachment_id: int, dest: Path,
                            cancel: threading.Event | None = None, *, max_bytes: int | None = None) -> tuple[int, str]:
        """Stream a ticket's file into ``dest`` (created or truncated); ``(size, sha256 hex)`` of what came.

        The caller checks the size and digest against what the server stated and keeps or drops ``dest``.
        Stops with :class:`app.infra.job_protocol.Cancelled` when ``cancel`` is set, and stops reading past
        ``max_bytes`` (a server that sends more than it stated must not fill the till's disk): the size
        returned is then more than ``max_bytes``.
        """
        import requests

        response = self._request("GET", f"/api/v1/tickets/{ticket_id}/attachments/{attachment_id}", stream=True)
        digest, size = hashlib.sha256(), 0
        try:
            with Path(dest).open("wb") as handle:
                for chunk in response.iter_content(_CHUNK):
                    raise_if_cancelled(cancel, "download cancelled")
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        break
                    digest.update(chunk)
                    handle.write(chunk)
        except requests.Timeout as exc:
            raise VendorApiError(ApiFailure.TIMEOUT, str(exc)) from None
        except requests.RequestException as exc:
            raise VendorApiError(ApiFailure.OFFLINE, str(exc)) from None
        finally:
            response.close()
        return size, digest.hexdigest()

    # -- the fleet (pmv_protocol.fleet) ------------------------------------------------------------------------
    def post_heartbeat(self, heartbeat: Heartbeat) -> HeartbeatReceipt:
        """POST the shop's state now; the report's ``id`` makes a retry change nothing on the server."""
        response = self._request("POST", HEARTBEAT_PATH, json=heartbeat_body(heartbeat))
        return _answer(HeartbeatReceipt.model_validate, _json(response), "heartbeat")

    def post_events(self, batch: EventBatch) -> EventsReceipt:
        """POST update events; each event's ``id`` is stored once, however often the batch is sent."""
        response = self._request("POST", EVENTS_PATH, json=events_body(batch))
        return _answer(EventsReceipt.model_validate, _json(response), "events")

    def tickets_since(self, since: dt.datetime | None) -> tuple[list[TicketUpdate], dt.datetime | None]:
        """Status changes after ``since``, and the server's clock (the next ``since``)."""
        params = {"updated_since": since.isoformat()} if since else {}
        feed = _answer(_FEED.validate_python, _json(self._request("GET", "/api/v1/tickets", params=params)), "tickets")
        return list(feed.tickets), feed.server_time


def heartbeat_body(heartbeat: Heartbeat) -> dict[str, Any]:
    """The heartbeat as sent: what it says and no empty field, so a report with telemetry off reads as what it
    is (id, time, app version, ``telemetry: false``); the server's defaults fill the rest the same way."""
    return {**heartbeat.model_dump(mode="json", exclude_defaults=True), "telemetry": heartbeat.telemetry}


def events_body(batch: EventBatch) -> dict[str, Any]:
    """The events as sent (an empty field left out)."""
    return batch.model_dump(mode="json", exclude_none=True)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise VendorApiError(ApiFailure.BAD_RESPONSE, "not JSON", response.status_code) from None
    if not isinstance(data, dict):
        raise VendorApiError(ApiFailure.BAD_RESPONSE, "not a JSON object", response.status_code)
    return data


def _answer(parse: Callable[[dict[str, Any]], T], data: dict[str, Any], what: str) -> T:
    """``parse(data)``; an answer that is not what the API promises is a BAD_RESPONSE naming ``what`` it was."""
    try:
        return parse(data)
    except ValidationError as exc:
        raise VendorApiError(ApiFailure.BAD_RESPONSE, f"{what} answer: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    """One line for the outbox's last error: where the answer broke its schema, and how."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "answer"
    return f"{where}: {error['msg']}"


def _detail(response: requests.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:300]
    except ValueError:
        return response.text[:300]


def _refusal(response: requests.Response) -> tuple[str | None, str]:
    """A 409's ``{"detail": {"refusal": ..., "message": ...}}``: the code and the words (either may be missing)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return None, response.text[:300]
    if isinstance(detail, dict):
        refusal = detail.get("refusal")
        return (str(refusal) if refusal else None), str(detail.get("message", ""))[:300]
    return None, str(detail or "")[:300]
