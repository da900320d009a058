"""A ticket the vendor's system opens for a shop, from the server's database to the shop's list and back.

The server side opens it exactly as the fleet's sweep does (:func:`open_system_ticket` in a transaction of
the server's database); the shop learns it from the real server's feed over loopback with its own poller
(:func:`app.support.outbox.poll_updates`), lists it in the words the feed carries with the server's deadline,
never posts it, follows its conversation like any other request, and can answer on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from pydantic import TypeAdapter
from sqlalchemy import select

from app.support.models import Category, OpenedBy, RequestStatus, Severity
from app.support.thread_models import Author, EntryState, EventKind
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import TicketFeed
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer
from tests.integration.test_support_conversation import Shop
from vendor_server import tickets
from vendor_server.calendars import PublishedCalendars
from vendor_server.cli import main as vendor_main
from vendor_server.db import Shop as ShopRow
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.fleet.system_tickets import note_check_recovered, open_system_ticket
from vendor_server.records import TicketRecord, ticket_record

pytestmark = pytest.mark.integration

# Monday 2 March 2026, 09:00 in the shop: a working morning.  The backup has been too old since Saturday.
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHOP_TZ)
SINCE = dt.datetime(2026, 2, 28, 8, 15, tzinfo=SHOP_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def shop_under_warranty(vendor: VendorServer) -> str:
    """KP-0001 on the server, with a contract: warranty from 15 January 2026, 12 months; its token."""
    made = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    vendor.trusted_keys_file()  # the contract signing key
    assert vendor_main(["issue-contract", "--shop-id", "KP-0001", "--package", "PMV-GOLD-PRO", "--warranty-months",
                        "12", "--accepted-on", "2026-01-15", "--db", vendor.db_url, "--data", str(vendor.data),
                        "--keys", str(vendor.keys)]) == 0
    return made


@pytest.fixture
def token(vendor: VendorServer) -> str:
    return shop_under_warranty(vendor)


@pytest.fixture
def shop(tmp_path: Path, vendor: VendorServer, token: str, clock: FixedClock) -> Iterator[Shop]:
    made = Shop(tmp_path / "shop", vendor, token, clock)
    yield made
    made.db.close()


def open_on_server(vendor: VendorServer, clock: Callable[[], dt.datetime], check_id: str = "backup.age",
                   since: dt.datetime = SINCE) -> TicketRecord:
    """What the fleet's sweep does: open the ticket in a transaction of the server's database, commit."""
    db = VendorDatabase(vendor.db_url)
    with db.sessions() as session:
        shop = session.scalar(select(ShopRow).where(ShopRow.shop_id == "KP-0001"))
        assert shop is not None
        ticket = open_system_ticket(session, shop, check_id=check_id, status_since=since, now=clock(),
                                    calendars=PublishedCalendars(vendor.data / "tuf"))  # what the server counts on
        session.commit()
        record = ticket_record(ticket)
    db.engine.dispose()
    return record


def note_on_server(vendor: VendorServer, ticket_id: int, at: dt.datetime, check_id: str = "backup.age") -> None:
    """What the sweep does when the check is reported ok again: the note on the ticket, committed."""
    db = VendorDatabase(vendor.db_url)
    with db.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        note_check_recovered(session, ticket, check_id=check_id, status="ok", now=at)
        session.commit()
    db.engine.dispose()


def server_tickets(vendor: VendorServer) -> list[TicketRecord]:
    db = VendorDatabase(vendor.db_url)
    try:
        return tickets.list_tickets(db, "KP-0001")
    finally:
        db.engine.dispose()


def test_a_system_ticket_reaches_the_shops_list_is_never_posted_and_is_talked_on(
        shop: Shop, vendor: VendorServer, clock: FixedClock) -> None:
    assert shop.poll() == []  # the shop has polled before: what follows comes with an incremental poll
    clock.advance(minutes=20)
    opened = open_on_server(vendor, clock)
    clock.advance(minutes=2)

    (change,) = shop.poll()
    assert change.system_opened and change.new is RequestStatus.RECEIVED
    assert (change.request_id, change.ticket_number, change.title) == (opened.idempotency_key, opened.number,
                                                                       opened.title)
    (request,) = shop.support.all()
    assert request.opened_by is OpenedBy.SYSTEM and request.opened_by_system
    assert (request.id, request.ticket_id, request.ticket_number) == (opened.idempotency_key, opened.id, opened.number)
    assert (request.title, request.description) == (opened.title, opened.description)
    assert (request.severity, request.coverage, request.status) == (Severity.HIGH, "warranty", RequestStatus.RECEIVED)
    assert request.opened_at == opened.opened_at == T0 + dt.timedelta(minutes=20)
    # The server's deadline, to the second: warranty, high -> 4 working hours from 09:20 -> 14:50 (lunch off).
    assert request.response_due_at == opened.response_due_at == dt.datetime(2026, 3, 2, 14, 50, tzinfo=SHOP_TZ)
    assert (request.contact_name, request.contact_phone) == ("", "")  # no cashier raised it: the reply asks a name
    assert [event.kind for event in shop.support.events(request.id)] == ["learnt"]

    # Already on the server: the outbox has nothing to send, however hard it is pushed.
    assert shop.support.pending_count() == 0 and shop.support.due_for_delivery(T0 + dt.timedelta(days=365)) == []
    report = shop.outbox().deliver(ignore_backoff=True)
    assert (report.sent, report.failed) == ([], [])
    assert [t.id for t in server_tickets(vendor)] == [opened.id]

    # Its conversation, as any request's: the opening, unread, already announced by the status change.
    (first,) = shop.thread.entries(request.id)
    assert (first.kind, first.author, first.author_name, first.read) == (EventKind.OPENED, Author.SYSTEM,
                                                                         "Hệ thống PMV", False)
    assert shop.thread.unnotified() == []
    assert shop.poll() == []  # told once
    assert len(shop.support.all()) == 1

    # The check recovers: a note on the same ticket, brought by the next poll and announced like a reply.
    clock.advance(hours=1)
    note_on_server(vendor, opened.id, clock())
    assert shop.poll() == []  # no status moved
    entries = shop.thread.entries(request.id)
    assert [(e.kind, e.author) for e in entries] == [(EventKind.OPENED, Author.SYSTEM),
                                                     (EventKind.MESSAGE, Author.SYSTEM)]
    assert entries[1].text == "Kiểm tra \u201cSao lưu dữ liệu\u201d đã trở lại bình thường lúc 02/03/2026 10:22."
    assert [e.id for e in shop.thread.unnotified()] == [entries[1].id]
    assert [r.status for r in shop.support.all()] == [RequestStatus.RECEIVED]  # a note, not a move

    # The shop answers on it: the act goes to the ticket's id, and the server has it.
    entry = shop.service.reply(request.id, "Chị Lan", "Sáng nay ổ USB sao lưu bị rút ra, đã cắm lại.")
    report = shop.outbox().deliver()
    assert report.acts_sent == [entry.id]
    server = shop.server_events(request.id)
    assert [(e.kind, e.author, e.author_name, e.text) for e in server][-1] == (
        EventKind.MESSAGE, Author.SHOP, "Chị Lan", "Sáng nay ổ USB sao lưu bị rút ra, đã cắm lại.")
    sent = shop.thread.entry(entry.id)
    assert sent is not None and sent.state is EntryState.SENT
    assert [t.id for t in server_tickets(vendor)] == [opened.id]  # still the one ticket


def test_a_new_pc_learns_the_shops_system_tickets_with_their_whole_story(
        shop: Shop, vendor: VendorServer, token: str, clock: FixedClock, tmp_path: Path) -> None:
    opened = open_on_server(vendor, clock, "pos.db.connect")
    clock.advance(minutes=40)
    note_on_server(vendor, opened.id, clock(), "pos.db.connect")
    done = open_on_server(vendor, clock, "disk.free")
    assert vendor_main(["ticket", "update", done.number, "--status", "closed", "--db", vendor.db_url]) == 0
    clock.advance(minutes=1)

    changes = shop.poll()  # the first poll of this PC: the whole feed
    # The open one is announced; the one closed before this PC heard of it is listed, not announced.
    assert [(c.ticket_number, c.system_opened) for c in changes] == [(opened.number, True)]
    listed = {request.ticket_number: request for request in shop.support.all()}
    assert set(listed) == {opened.number, done.number}
    assert listed[opened.number].severity is Severity.CRITICAL
    assert listed[opened.number].response_due_at == opened.response_due_at  # critical, warranty: 11:00
    assert opened.response_due_at == dt.datetime(2026, 3, 2, 11, 0, tzinfo=SHOP_TZ)
    assert listed[done.number].status is RequestStatus.CLOSED
    kinds = [(e.kind, e.author) for e in shop.thread.entries(opened.idempotency_key)]
    assert kinds == [(EventKind.OPENED, Author.SYSTEM), (EventKind.MESSAGE, Author.SYSTEM)]

    # A second PC of the same shop learns them too, each as its own copy of the shop's ticket.
    other = Shop(tmp_path / "second-pc", vendor, token, clock)
    try:
        other.poll()
        assert {r.ticket_number for r in other.support.all()} == {opened.number, done.number}
    finally:
        other.db.close()


def test_the_feed_carries_who_opened_each_ticket(shop: Shop, vendor: VendorServer, token: str,
                                                 clock: FixedClock) -> None:
    own_id, _number = shop.raise_request()
    opened = open_on_server(vendor, clock)
    answer = requests.get(f"{vendor.base_url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    assert answer.status_code == 200
    feed = {item["idempotency_key"]: item for item in answer.json()["tickets"]}
    assert (feed[own_id]["opened_by"], feed[own_id]["opened_for_shop"]) == ("shop", None)
    system = feed[opened.idempotency_key]
    assert system["opened_by"] == "system"
    assert system["opened_for_shop"] == {
        "category": "incident", "severity": "high", "title": opened.title, "description": opened.description,
        "opened_at": "2026-03-02T02:00:00+00:00", "coverage": "warranty", "check_id": "backup.age"}
    assert opened.response_due_at is not None
    assert system["response_due_at"] == opened.response_due_at.astimezone(dt.UTC).isoformat()
    # Neither the system's contact nor the hotline it wrote as one leaks into the shop's feed.
    assert "contact_name" not in system and "contact_phone" not in system


def test_words_a_later_server_adds_keep_no_system_ticket_off_the_list(shop: Shop, vendor: VendorServer, token: str,
                                                                      clock: FixedClock) -> None:
    """The feed as the real server writes it, with the words a later server might use: the shop still lists
    the ticket (in the words it knows), sends nothing, and a ticket without a usable key is left out whole."""
    opened = open_on_server(vendor, clock)
    answer = requests.get(f"{vendor.base_url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                          timeout=10).json()
    (item,) = answer["tickets"]
    later = {**item, "status": "waiting_for_parts", "opened_for_shop": {
        **item["opened_for_shop"], "category": "printer_paper", "severity": "urgent"}}
    keyless = {**item, "id": item["id"] + 1, "idempotency_key": "YC-2026-000002"}
    feed = TypeAdapter(TicketFeed).validate_python({"tickets": [later, keyless]})
    (change,) = shop.support.apply_updates(feed.tickets)
    assert change.system_opened and change.new is RequestStatus.SENT
    (request,) = shop.support.all()
    assert (request.id, request.category, request.severity, request.status) == (
        opened.idempotency_key, Category.INCIDENT, Severity.NORMAL, RequestStatus.SENT)
    assert shop.outbox().deliver(ignore_backoff=True).sent == []
    assert [t.id for t in server_tickets(vendor)] == [opened.id]
