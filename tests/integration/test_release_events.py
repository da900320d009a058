"""``POST /api/v1/events`` on the real server: a shop's token, a bounded body, a strict schema, each event once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from pmv_protocol.fleet import EVENTS_PATH, MAX_BODY_BYTES, MAX_EVENTS
from tests.integration.conftest import VendorServer, vendor_server  # noqa: F401  (the fixture)
from vendor_server.db import VendorDatabase
from vendor_server.releases.tables import ReleaseEvent

pytestmark = pytest.mark.integration


def one(kind: str = "installed", **changes: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "at": "2026-03-10T09:00:00+07:00", "kind": kind, "target_kind": "app",
            "target_id": "app", "version": "9.9.0", "from_version": "1.4.0", **changes}


def stored(vendor: VendorServer) -> int:
    db = VendorDatabase(vendor.db_url)
    try:
        with db.sessions() as session:
            return session.scalar(select(func.count()).select_from(ReleaseEvent)) or 0
    finally:
        db.engine.dispose()


@pytest.fixture
def shop(vendor_server: VendorServer) -> Iterator[requests.Session]:  # noqa: F811
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {vendor_server.add_shop('KP-0001', 'Tiệm vàng Kim Phát')}"
    yield session


def test_a_batch_is_stored_once_and_a_retry_says_so(vendor_server: VendorServer,  # noqa: F811
                                                    shop: requests.Session) -> None:
    url = vendor_server.base_url + EVENTS_PATH
    events = [one("downloaded"), one("installed"), one("rolled_back", reason="crashed_on_start"),
              one("refused", target_kind="metadata", target_id="metadata", version="12", reason="security"),
              one("held_back", target_kind="pack", target_id="nd-232-2025", version="1.1.0", bucket=88,
                  source="usb")]
    first = shop.post(url, json={"events": events}, timeout=10)
    assert first.status_code == 200 and first.json() == {"stored": 5, "duplicates": 0}
    again = shop.post(url, json={"events": events}, timeout=10)
    assert again.status_code == 200 and again.json() == {"stored": 0, "duplicates": 5}
    overlap = shop.post(url, json={"events": [events[4], one("installed")]}, timeout=10)
    assert overlap.json() == {"stored": 1, "duplicates": 1}
    assert stored(vendor_server) == 6


@pytest.mark.parametrize("token", [None, "pmv_not-a-shop"])
def test_a_caller_without_a_shops_token_is_refused(vendor_server: VendorServer, token: str | None) -> None:  # noqa: F811
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.post(vendor_server.base_url + EVENTS_PATH, json={"events": [one()]}, headers=headers,
                           timeout=10)
    assert answer.status_code == 401 and stored(vendor_server) == 0


def test_a_body_over_the_bound_is_refused_before_it_is_read_whole(vendor_server: VendorServer,  # noqa: F811
                                                                  shop: requests.Session) -> None:
    url = vendor_server.base_url + EVENTS_PATH
    big = b'{"events": [' + b" " * MAX_BODY_BYTES + b"]}"
    assert shop.post(url, data=big, headers={"Content-Type": "application/json"}, timeout=10).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"events": ['
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b" " * 1000
        yield b"]}"

    answer = shop.post(url, data=chunks(), headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 413 and "fewer events per batch" in answer.json()["detail"]
    assert stored(vendor_server) == 0


@pytest.mark.parametrize("body", [
    b"not json",
    b'{"events": []}',
    b'{"events": [{"id": "x"}]}',
    b'{"events": [], "extra": 1}',
], ids=["not-json", "empty", "incomplete", "unknown-field"])
def test_a_malformed_body_is_422(vendor_server: VendorServer, shop: requests.Session, body: bytes) -> None:  # noqa: F811
    answer = shop.post(vendor_server.base_url + EVENTS_PATH, data=body,
                       headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 422 and answer.json()["detail"]
    assert stored(vendor_server) == 0


@pytest.mark.parametrize("event", [
    one(kind="exploded"),
    one(reason="Máy bị treo khi mở"),  # free text where a code belongs
    one(bucket=100),
    one(target_kind="firmware"),
    one(at="2026-03-10T09:00:00"),  # a shop's time without its offset
    one(at="0001-01-01T00:00:00+07:00"),  # no clock's time, which cannot be turned into UTC: was a 500
    one(at="9999-12-31T23:00:00-05:00"),
    one(surprise=True),
], ids=["kind", "free-text-reason", "bucket", "target-kind", "naive-time", "year-1", "year-9999", "unknown-field"])
def test_one_bad_event_refuses_the_batch_and_stores_nothing(vendor_server: VendorServer,  # noqa: F811
                                                            shop: requests.Session, event: dict[str, Any]) -> None:
    answer = shop.post(vendor_server.base_url + EVENTS_PATH, json={"events": [one(), event]}, timeout=10)
    assert answer.status_code == 422 and stored(vendor_server) == 0


def test_more_events_than_a_batch_holds_is_422(vendor_server: VendorServer,  # noqa: F811
                                               shop: requests.Session) -> None:
    events = [{**one(), "from_version": None} for _ in range(MAX_EVENTS + 1)]
    answer = shop.post(vendor_server.base_url + EVENTS_PATH, json={"events": events}, timeout=10)
    assert answer.status_code == 422 and stored(vendor_server) == 0
