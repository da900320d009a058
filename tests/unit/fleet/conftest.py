"""A scripted vendor for the fleet's unit tests: the real server never answers 422 or 503 on demand."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import json
from collections.abc import Callable, Iterator

import pytest

from app.support.vendor_api import VendorClient
from pmv_protocol.fleet import HEARTBEAT_PATH
from tests.helpers import LocalHttpServer, answer_json


class ScriptedVendor(LocalHttpServer):
    """Answers the fleet endpoints as the real server does (200 and a receipt), except for what ``refuse``
    names: an event id (or "heartbeat") answered 422, or a status for every request (``down``).

    ``/healthz`` answers too, its ``Date`` by ``clock`` when one is given (the clock check compares the till's).
    """

    def __init__(self) -> None:
        vendor = self
        self.bodies: list[tuple[str, dict]] = []
        self.refuse: set[str] = set()
        self.down: int | None = None
        self.clock: Callable[[], dt.datetime] | None = None

        class Handler(http.server.BaseHTTPRequestHandler):
            def date_time_string(self, timestamp: float | None = None) -> str:
                if vendor.clock is None:
                    return super().date_time_string(timestamp)
                return email.utils.format_datetime(vendor.clock().astimezone(dt.UTC), usegmt=True)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                answer_json(self, 200 if self.path == "/healthz" else 404, {"status": "ok"})

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                vendor.bodies.append((self.path, body))
                ids = ["heartbeat"] if self.path == HEARTBEAT_PATH else [e["id"] for e in body.get("events", [])]
                if vendor.down is not None:
                    answer_json(self, vendor.down, {"detail": "down"})
                elif vendor.refuse & set(ids):
                    answer_json(self, 422, {"detail": "refused"})
                elif self.path == HEARTBEAT_PATH:
                    answer_json(self, 200, {"received_at": "2026-11-25T02:00:05+00:00", "duplicate": False})
                else:
                    answer_json(self, 200, {"stored": len(ids), "duplicates": 0})

            def log_message(self, *_args: object) -> None:
                pass

        super().__init__(Handler)

    def client(self) -> VendorClient:
        return VendorClient(self.base_url, "shop-token", timeout=5)

    def paths(self) -> list[str]:
        return [path for path, _body in self.bodies]


@pytest.fixture
def vendor() -> Iterator[ScriptedVendor]:
    server = ScriptedVendor()
    yield server
    server.close()


