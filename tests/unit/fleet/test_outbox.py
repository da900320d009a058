"""The fleet outbox: only the newest heartbeat waits, events are each kept (bounded), delivery with backoff.

The vendor here is a scripted HTTP server on 127.0.0.1 (the real one never answers 422 or 503 on demand);
tests/integration/test_heartbeat_delivery.py sends to the real vendor server.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import uuid

import pytest

from app.fleet.outbox import FleetOutbox
from app.fleet.store import FleetStore
from app.storage.db import Database
from app.support.vendor_api import ApiFailure, VendorClient, heartbeat_body
from pmv_protocol.fleet import (
    EVENTS_PATH,
    HEARTBEAT_PATH,
    MAX_EVENTS,
    Heartbeat,
    TargetKind,
    UpdateEvent,
    UpdateEventKind,
)
from pmv_protocol.shop_time import SHOP_TZ
from tests.helpers import FixedClock
from tests.unit.fleet.conftest import ScriptedVendor

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHOP_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def outbox(app_db: Database, clock: FixedClock) -> FleetOutbox:
    return FleetOutbox(app_db, clock=clock, rng=random.Random(4))


def offline_client() -> VendorClient:
    """A vendor address where nothing listens: connection refused, as a till without network sees it."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return VendorClient(f"http://127.0.0.1:{port}", "shop-token", timeout=2)


def heartbeat(at: dt.datetime = T0) -> Heartbeat:
    return Heartbeat(id=str(uuid.uuid4()), made_at=at, app_version="0.1.0", verdict="ok", outbox_depth=0)


def event(n: int = 0) -> UpdateEvent:
    return UpdateEvent(id=str(uuid.uuid4()), at=T0 + dt.timedelta(minutes=n), kind=UpdateEventKind.INSTALLED,
                       target_kind=TargetKind.PACK, target_id="nd-232-2025", version=f"1.{n}")


def test_three_heartbeats_made_while_offline_leave_one_waiting_the_newest(outbox: FleetOutbox, clock: FixedClock,
                                                                           vendor: ScriptedVendor) -> None:
    made = []
    for _ in range(3):
        made.append(heartbeat(clock()))
        outbox.put_heartbeat(made[-1])
        delivery = outbox.deliver(offline_client(), ignore_backoff=True)
        assert delivery.failure is ApiFailure.OFFLINE and not delivery.heartbeat_sent
        clock.advance(minutes=15)
    assert outbox.depth() == 1
    waiting = outbox.waiting_heartbeat()
    assert waiting is not None and waiting.id == made[-1].id
    # Back online: exactly that one arrives, once.
    assert outbox.deliver(vendor.client()).heartbeat_sent
    assert [body["id"] for _path, body in vendor.bodies] == [made[-1].id]
    assert outbox.depth() == 0
    last = outbox.last_report()
    assert last is not None and last.report_id == made[-1].id
    assert last.received_at == dt.datetime(2026, 11, 25, 2, 0, 5, tzinfo=dt.UTC)


def test_a_new_heartbeat_replaces_the_waiting_one_in_the_same_transaction_and_keeps_its_backoff(
        outbox: FleetOutbox, app_db: Database) -> None:
    first = heartbeat()
    outbox.put_heartbeat(first)
    outbox.deliver(offline_client())
    store = FleetStore(app_db)
    failed = store.heartbeat()
    assert failed is not None and failed.attempts == 1 and failed.next_attempt_at is not None
    second = heartbeat()
    outbox.put_heartbeat(second)
    now = store.heartbeat()
    assert now is not None and now.id == second.id
    assert (now.attempts, now.next_attempt_at) == (1, failed.next_attempt_at)  # the network is no better for it


def test_events_are_each_kept_once_and_the_oldest_go_beyond_the_bound(app_db: Database, clock: FixedClock,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    outbox = FleetOutbox(app_db, clock=clock, keep_events=5)
    events = [event(n) for n in range(7)]
    outbox.record_event(events[0])
    outbox.record_event(events[0])  # the updater told it twice: kept once
    assert outbox.events_waiting() == 1
    with caplog.at_level(logging.WARNING, logger="app.fleet.outbox"):
        for item in events[1:]:
            outbox.record_event(item)
    assert outbox.events_waiting() == 5
    kept = [item.id for item in FleetStore(app_db).events(10)]
    assert kept == [item.id for item in events[2:]]  # the two oldest dropped, the order kept
    dropped_lines = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped_lines) == 2 and events[0].id in dropped_lines[0] and events[1].id in dropped_lines[1]


def test_delivery_sends_the_heartbeat_then_events_in_batches_and_deletes_what_the_server_took(
        outbox: FleetOutbox, vendor: ScriptedVendor) -> None:
    events = [event(n) for n in range(MAX_EVENTS + 3)]
    for item in events:
        outbox.record_event(item)
    beat = heartbeat()
    outbox.put_heartbeat(beat)
    delivery = outbox.deliver(vendor.client())
    assert delivery.heartbeat_sent and delivery.events_sent == len(events) and delivery.failure is None
    assert vendor.paths() == [HEARTBEAT_PATH, EVENTS_PATH, EVENTS_PATH]
    sent = [e["id"] for path, body in vendor.bodies if path == EVENTS_PATH for e in body["events"]]
    assert sent == [item.id for item in events]  # oldest first, each once
    assert [len(body["events"]) for path, body in vendor.bodies if path == EVENTS_PATH] == [MAX_EVENTS, 3]
    assert vendor.bodies[0][1] == heartbeat_body(beat)  # the body as stored, as built
    assert outbox.depth() == delivery.waiting == 0
    assert outbox.deliver(vendor.client()).heartbeat_sent is False and len(vendor.bodies) == 3  # nothing left


def test_a_refused_event_is_dropped_alone_and_never_blocks_the_queue(outbox: FleetOutbox, vendor: ScriptedVendor,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    events = [event(n) for n in range(4)]
    for item in events:
        outbox.record_event(item)
    vendor.refuse = {events[1].id}
    with caplog.at_level(logging.WARNING, logger="app.fleet.outbox"):
        delivery = outbox.deliver(vendor.client())
    assert delivery.dropped == [(events[1].id, "refused")]
    assert delivery.events_sent == 3 and outbox.depth() == 0
    taken = [e["id"] for path, body in vendor.bodies[1:] for e in body["events"]]  # after the refused batch
    assert sorted(taken) == sorted([events[0].id, events[1].id, events[2].id, events[3].id])
    assert any(events[1].id in r.getMessage() and "422" in r.getMessage() for r in caplog.records)


def test_a_refused_heartbeat_is_dropped_and_the_events_still_go(outbox: FleetOutbox, vendor: ScriptedVendor) -> None:
    outbox.record_event(event())
    beat = heartbeat()
    outbox.put_heartbeat(beat)
    vendor.refuse = {"heartbeat"}
    delivery = outbox.deliver(vendor.client())
    assert delivery.dropped == [(beat.id, "refused")] and delivery.events_sent == 1
    assert outbox.depth() == 0 and outbox.last_report() is None


@pytest.mark.parametrize("status", [503, 401, 404])
def test_a_server_down_or_refusing_the_token_keeps_everything_and_backs_off(
        outbox: FleetOutbox, vendor: ScriptedVendor, clock: FixedClock, status: int) -> None:
    outbox.record_event(event())
    outbox.put_heartbeat(heartbeat())
    vendor.down = status
    delivery = outbox.deliver(vendor.client())
    assert delivery.failure is not None and not delivery.dropped and outbox.depth() == 2
    assert vendor.paths() == [HEARTBEAT_PATH]  # what failed the heartbeat would fail the events: not tried
    due = outbox.next_delivery_at()
    assert due is not None and clock() + dt.timedelta(seconds=5) <= due <= clock() + dt.timedelta(seconds=10)
    vendor.down = None
    outbox.deliver(vendor.client())
    assert len(vendor.bodies) == 1  # still backing off: nothing sent
    clock.advance(seconds=10)  # the first retry comes within 5..10 s (app.support.outbox.backoff_delay)
    delivery = outbox.deliver(vendor.client())
    assert delivery.heartbeat_sent and delivery.events_sent == 1 and outbox.depth() == 0


def test_the_backoff_grows_with_each_failure_and_stays_under_its_cap(outbox: FleetOutbox, clock: FixedClock,
                                                                    app_db: Database) -> None:
    outbox.put_heartbeat(heartbeat())
    waits = []
    for _ in range(12):
        outbox.deliver(offline_client(), ignore_backoff=True)
        item = FleetStore(app_db).heartbeat()
        assert item is not None and item.next_attempt_at is not None
        waits.append(item.next_attempt_at - clock())
    assert waits[0] <= dt.timedelta(seconds=10) < waits[3]
    assert all(w <= dt.timedelta(minutes=15) for w in waits) and waits[-1] >= dt.timedelta(minutes=7, seconds=30)


def test_the_preview_is_exactly_what_the_next_delivery_sends_request_by_request(
        outbox: FleetOutbox, vendor: ScriptedVendor) -> None:
    assert outbox.preview() == ""
    fresh = heartbeat()
    assert json.loads(outbox.preview(fresh).split("\n", 1)[1]) == heartbeat_body(fresh)
    waiting = heartbeat()
    outbox.put_heartbeat(waiting)
    item = event()
    outbox.record_event(item)
    text = outbox.preview(fresh)  # the one waiting goes next, not a fresh one
    heartbeat_part, events_part = text.split("\n\n")
    assert heartbeat_part.startswith(f"POST {HEARTBEAT_PATH}\n") and events_part.startswith(f"POST {EVENTS_PATH}\n")
    outbox.deliver(vendor.client())
    assert [(path, body) for path, body in vendor.bodies] == [
        (HEARTBEAT_PATH, json.loads(heartbeat_part.split("\n", 1)[1])),
        (EVENTS_PATH, json.loads(events_part.split("\n", 1)[1]))]
    assert vendor.bodies[0][1]["id"] == waiting.id and vendor.bodies[1][1]["events"][0]["id"] == item.id


def test_a_body_larger_than_the_server_takes_is_refused_before_it_is_stored(outbox: FleetOutbox) -> None:
    from pmv_protocol.fleet import CheckReport

    metrics = {f"metric-{n:02d}-{'x' * 50}": 1.0 for n in range(12)}
    big = Heartbeat(id=str(uuid.uuid4()), made_at=T0, app_version="0.1.0",
                    checks=[CheckReport(id=f"check-{n:02d}-{'y' * 50}", status="ok", metrics=metrics)
                            for n in range(64)])
    with pytest.raises(ValueError, match="over the"):
        outbox.put_heartbeat(big)
    assert outbox.depth() == 0
