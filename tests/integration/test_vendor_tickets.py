"""Vendor API v1 tickets against the real server: creation, idempotency, attachments, polling, staff CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pmv_protocol.wire import NewTicket
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer, _start
from vendor_server import tickets
from vendor_server.app import create_app
from vendor_server.cli import main as vendor_main
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.records import TicketRecord

pytestmark = pytest.mark.integration

HCM = dt.timezone(dt.timedelta(hours=7))
SOLUTION_VI = "Kỹ thuật viên sẽ kết nối UltraViewer lúc 14:00 để cài lại trình điều khiển máy in tem nhãn."
SMALL_LIMIT = 4096


def body(**overrides: Any) -> dict[str, Any]:
    ticket = {
        "category": "barcode_device", "severity": "normal", "title": "Máy quét mã vạch không đọc được tem",
        "description": "Quét tem nhẫn 9999 thì không ra mã.", "contact_name": "Chị Lan",
        "contact_phone": "0901234567", "channel": "phone", "opened_at": "2026-03-02T11:00:00+07:00",
        "app_version": "0.1.0",
    }
    ticket.update(overrides)
    return ticket


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def post_ticket(vendor: VendorServer, token: str | None, key: str | None = None, **overrides: Any) -> requests.Response:
    headers = auth(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return requests.post(f"{vendor.base_url}/api/v1/tickets", json=body(**overrides), headers=headers, timeout=10)


def new_ticket(vendor: VendorServer, token: str, **overrides: Any) -> dict[str, Any]:
    response = post_ticket(vendor, token, str(uuid.uuid4()), **overrides)
    assert response.status_code == 201, response.text
    return response.json()


def upload(base_url: str, token: str | None, ticket_id: int, content: bytes, *, client_id: str | None = None,
           sha256: str | None = None, filename: str = "nhật ký.txt") -> requests.Response:
    return requests.post(
        f"{base_url}/api/v1/tickets/{ticket_id}/attachments", headers=auth(token),
        data={"client_id": client_id or str(uuid.uuid4()), "sha256": sha256 or hashlib.sha256(content).hexdigest()},
        files={"file": (filename, content)}, timeout=10)


def poll(vendor: VendorServer, token: str, since: str | None = None) -> requests.Response:
    params = {"updated_since": since} if since is not None else {}
    return requests.get(f"{vendor.base_url}/api/v1/tickets", headers=auth(token), params=params, timeout=10)


def issue_contract(vendor: VendorServer, shop_id: str, accepted_on: str, months: int = 12, *maintenance: str) -> None:
    vendor.trusted_keys_file()  # creates the signing keys
    args = ["issue-contract", "--shop-id", shop_id, "--package", "PMV-GOLD-PRO", "--warranty-months", str(months),
            "--accepted-on", accepted_on]
    for period in maintenance:
        args += ["--maintenance", period]
    assert vendor_main([*args, "--db", vendor.db_url, "--data", str(vendor.data), "--keys", str(vendor.keys)]) == 0


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def clock() -> FixedClock:
    """The clock of the ``vendor`` fixture's server; a test sets it where its case needs it."""
    return FixedClock(dt.datetime(2026, 3, 2, 11, 1, tzinfo=HCM))


def reached(stated: str) -> dt.datetime:
    """When the request reached the server: a minute after the shop stated it was raised (the server reads a
    stated time only within a week before its own clock, vendor_server.tickets.shop_stated)."""
    return dt.datetime.fromisoformat(stated.replace("Z", "+00:00")) + dt.timedelta(minutes=1)


def due(response: requests.Response) -> dt.datetime | None:
    text = response.json()["response_due_at"]
    return None if text is None else dt.datetime.fromisoformat(text)


# --- creation ----------------------------------------------------------------


def test_warranty_shop_gets_the_hand_worked_deadline(vendor: VendorServer, clock: FixedClock) -> None:
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    issue_contract(vendor, "KP-0001", "2026-01-15")  # warranty through 2027-01-15

    # Mon 2 Mar 2026 11:00, normal, warranty -> 4 working hours: 11:00-12:00, 13:30-16:30.
    clock.now = reached(stated="2026-03-02T11:00:00+07:00")
    created = post_ticket(vendor, token, str(uuid.uuid4()))
    assert created.status_code == 201, created.text
    data = created.json()
    assert set(data) == {"id", "number", "status", "response_due_at", "created"}
    assert data["number"] == f"YC-2026-{data['id']:06d}"
    assert data["status"] == "received" and data["created"] is True
    assert due(created) == dt.datetime(2026, 3, 2, 16, 30, tzinfo=HCM)
    assert due(created).utcoffset() is not None

    # Sat 7 Mar 11:30, critical -> 2 h: 30 min on Saturday, then Mon 9 Mar 08:00-09:30.
    clock.now = reached(stated="2026-03-07T11:30:00+07:00")
    saturday = post_ticket(vendor, token, str(uuid.uuid4()), severity="critical",
                           opened_at="2026-03-07T11:30:00+07:00")
    assert due(saturday) == dt.datetime(2026, 3, 9, 9, 30, tzinfo=HCM)

    # The last warranty day counts by the vendor's calendar, even when sent in UTC
    # (Fri 15 Jan 2027 16:00 +07 -> 16:00-17:30, Sat 08:00-10:30).
    clock.now = reached(stated="2027-01-15T09:00:00Z")
    last_day = post_ticket(vendor, token, str(uuid.uuid4()), opened_at="2027-01-15T09:00:00Z")
    assert due(last_day) == dt.datetime(2027, 1, 16, 10, 30, tzinfo=HCM)
    # 17:30 UTC on the 15th is already the 16th in Hồ Chí Minh City: warranty over, no deadline.
    clock.now = reached(stated="2027-01-15T17:30:00Z")
    expired = post_ticket(vendor, token, str(uuid.uuid4()), opened_at="2027-01-15T17:30:00Z")
    assert expired.status_code == 201 and due(expired) is None
    # The number's year is the vendor-local year of opening, too.
    clock.now = reached(stated="2026-12-31T18:00:00+00:00")
    new_year = post_ticket(vendor, token, str(uuid.uuid4()), opened_at="2026-12-31T18:00:00+00:00")
    assert new_year.json()["number"].startswith("YC-2027-")


def test_maintenance_shop_is_priority_and_a_deadline_at_closing_stays(vendor: VendorServer, clock: FixedClock) -> None:
    token = vendor.add_shop("KP-0002", "Kim Phát 2")
    issue_contract(vendor, "KP-0002", "2024-06-10", 6, "2025-06-01:2026-05-31")
    # Maintenance in force, high -> 2 h: 10:00 -> 12:00 (closing time, not 13:30).
    clock.now = reached(stated="2026-03-02T10:00:00+07:00")
    response = post_ticket(vendor, token, str(uuid.uuid4()), severity="high",
                           opened_at="2026-03-02T10:00:00+07:00")
    assert due(response) == dt.datetime(2026, 3, 2, 12, 0, tzinfo=HCM)


def test_a_contract_in_force_inside_the_warranty_makes_the_shop_a_priority_customer(
        vendor: VendorServer, clock: FixedClock) -> None:
    # DESIGN.md, "Domain rules": priority is true when a maintenance contract covers the day, even inside the
    # warranty, and priority customers get 2 h for high (warranty customers 4 h); seed rule M1.
    token = vendor.add_shop("KP-0004", "Kim Phát 4")
    issue_contract(vendor, "KP-0004", "2026-01-15", 12, "2026-06-01:2027-05-31")  # warranty through 15/01/2027
    clock.now = reached(stated="2026-03-02T10:00:00+07:00")
    high = post_ticket(vendor, token, str(uuid.uuid4()), severity="high", opened_at="2026-03-02T10:00:00+07:00")
    assert due(high) == dt.datetime(2026, 3, 2, 15, 30, tzinfo=HCM)  # before the contract: warranty, 4 h
    clock.now = reached(stated="2026-07-06T10:00:00+07:00")
    high = post_ticket(vendor, token, str(uuid.uuid4()), severity="high", opened_at="2026-07-06T10:00:00+07:00")
    assert due(high) == dt.datetime(2026, 7, 6, 12, 0, tzinfo=HCM)  # Monday, contract in force: 2 h


@pytest.mark.parametrize(("stated", "opened", "due_at"), [
    # The server's clock: Mon 7 Dec 2026 10:00 in Hồ Chí Minh City; warranty through 15/01/2027; normal = 4 h.
    # 09:00 + 4 working hours: 09:00-12:00, 13:30-14:30.
    ("2026-12-07T09:00:00+07:00", "2026-12-07T09:00:00+07:00", "2026-12-07T14:30:00+07:00"),  # queued an hour
    ("2026-12-02T09:00:00+07:00", "2026-12-02T09:00:00+07:00", "2026-12-02T14:30:00+07:00"),  # offline 5 days
    # 10:00 + 4 working hours: 10:00-12:00, 13:30-15:30.
    # A till 90 days fast: the request is dated when the server got it, not in March 2027 (past the warranty).
    ("2027-03-07T10:00:00+07:00", "2026-12-07T10:00:00+07:00", "2026-12-07T15:30:00+07:00"),
    # A till set to 2019: read as a week before the server's clock, so still covered, not "expired".
    ("2019-12-07T10:00:00+07:00", "2026-11-30T10:00:00+07:00", "2026-11-30T15:30:00+07:00"),
])
def test_a_till_clock_far_off_does_not_set_the_deadline_or_the_coverage(
        vendor: VendorServer, clock: FixedClock, stated: str, opened: str, due_at: str) -> None:
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    issue_contract(vendor, "KP-0001", "2026-01-15")
    clock.now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=HCM)
    answer = post_ticket(vendor, token, str(uuid.uuid4()), opened_at=stated)
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"].startswith("YC-2026-")
    assert due(answer) == dt.datetime.fromisoformat(due_at)
    with VendorDatabase(vendor.db_url).sessions() as session:
        (row,) = session.query(Ticket).all()
        assert _aware(row.opened_at) == dt.datetime.fromisoformat(opened)


@pytest.mark.parametrize("stated", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00-05:00"])
def test_a_time_no_clock_gives_is_refused_not_a_server_error(vendor: VendorServer, stated: str) -> None:
    # Year 1 with a positive offset (or 9999 with a negative one) cannot be turned into UTC: it was a 500,
    # which the shop's outbox sends again forever; a 422 names the field (pmv_protocol.wire.SHOP_YEARS).
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    answer = post_ticket(vendor, token, str(uuid.uuid4()), opened_at=stated)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "opened_at"]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def test_shop_without_contract_gets_no_deadline(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0003", "Kim Phát 3")
    response = post_ticket(vendor_server, token, str(uuid.uuid4()), severity="critical")
    assert response.status_code == 201
    assert response.json()["response_due_at"] is None


# --- idempotency ---------------------------------------------------------------


def test_replaying_the_same_key_returns_the_same_ticket(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    key = str(uuid.uuid4())
    first = post_ticket(vendor_server, token, key)
    again = post_ticket(vendor_server, token, key.upper())  # same UUID, other spelling
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert len(poll(vendor_server, token).json()["tickets"]) == 1


def test_concurrent_identical_posts_make_one_ticket(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    for _ in range(3):
        key = str(uuid.uuid4())
        barrier = threading.Barrier(4)
        results: list[requests.Response] = []

        def send(barrier: threading.Barrier = barrier, results: list[requests.Response] = results,
                 key: str = key) -> None:
            barrier.wait()
            results.append(post_ticket(vendor_server, token, key))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(r.status_code for r in results) == [200, 200, 200, 201], [r.text for r in results]
        assert len({r.json()["id"] for r in results}) == 1
    assert len(poll(vendor_server, token).json()["tickets"]) == 3


def test_a_lost_insert_race_returns_the_winner(vendor_server: VendorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unique constraint, not the pre-check, is what keeps one ticket per key."""
    vendor_server.add_shop("KP-0001", "Kim Phát")
    db = VendorDatabase(vendor_server.db_url)
    with db.sessions() as session:
        shop = session.query(Shop).filter_by(shop_id="KP-0001").one()
    key = str(uuid.uuid4())
    winner, created = tickets.create_ticket(db, shop, key, NewTicket(**body()))
    assert created
    real_find = tickets.find_by_key
    calls: list[int] = []

    def blind_first_look(*args: Any) -> TicketRecord | None:
        calls.append(1)
        return None if len(calls) == 1 else real_find(*args)

    monkeypatch.setattr(tickets, "find_by_key", blind_first_look)
    loser, created = tickets.create_ticket(db, shop, key, NewTicket(**body()))
    assert not created and loser == winner and len(calls) == 2


def test_same_key_from_two_shops_is_two_tickets(vendor_server: VendorServer) -> None:
    first_token = vendor_server.add_shop("KP-0001", "Kim Phát")
    second_token = vendor_server.add_shop("BT-0002", "Bảo Tín")
    key = str(uuid.uuid4())
    first = post_ticket(vendor_server, first_token, key)
    second = post_ticket(vendor_server, second_token, key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert [t["id"] for t in poll(vendor_server, first_token).json()["tickets"]] == [first.json()["id"]]
    assert [t["id"] for t in poll(vendor_server, second_token).json()["tickets"]] == [second.json()["id"]]


# --- validation and auth ------------------------------------------------------------


@pytest.mark.parametrize("overrides", [
    {"priority": "urgent"},  # unknown field
    {"category": "hardware"},
    {"severity": "low"},
    {"channel": "zalo"},
    {"title": "   "},
    {"title": "x" * 201},
    {"description": "x" * 10_001},
    {"contact_name": ""},
    {"contact_phone": "0" * 21},
    {"opened_at": "2026-03-02T11:00:00"},  # naive: which zone?
    {"opened_at": "yesterday"},
    {"app_version": "v" * 41},
])
def test_invalid_bodies_are_422_with_detail(vendor_server: VendorServer, overrides: dict[str, Any]) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    response = post_ticket(vendor_server, token, str(uuid.uuid4()), **overrides)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_missing_fields_are_422_and_optional_app_version_may_be_omitted(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    headers = {**auth(token), "Idempotency-Key": str(uuid.uuid4())}
    partial = {k: v for k, v in body().items() if k != "contact_phone"}
    response = requests.post(f"{vendor_server.base_url}/api/v1/tickets", json=partial, headers=headers, timeout=10)
    assert response.status_code == 422
    no_version = {k: v for k, v in body().items() if k != "app_version"}
    response = requests.post(f"{vendor_server.base_url}/api/v1/tickets", json=no_version, headers=headers, timeout=10)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("key", [None, "", "not-a-uuid", "1234"])
def test_idempotency_key_is_required_and_must_be_a_uuid(vendor_server: VendorServer, key: str | None) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    response = post_ticket(vendor_server, token, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert poll(vendor_server, token).json()["tickets"] == []


def test_every_ticket_endpoint_needs_a_valid_shop_token(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    ticket_id = new_ticket(vendor_server, token)["id"]
    for bad in (None, "pmv_not-a-real-token"):
        assert post_ticket(vendor_server, bad, str(uuid.uuid4())).status_code == 401
        assert poll(vendor_server, bad).status_code == 401  # type: ignore[arg-type]
        assert upload(vendor_server.base_url, bad, ticket_id, b"log").status_code == 401
    assert files_under(vendor_server.data / "attachments") == []


# --- attachments -------------------------------------------------------------------


def test_attachment_is_stored_once_under_its_client_id(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    ticket_id = new_ticket(vendor_server, token)["id"]
    content = "nhật ký máy in\n".encode() * 500
    client_id = str(uuid.uuid4())

    first = upload(vendor_server.base_url, token, ticket_id, content, client_id=client_id,
                   filename="..\\..\\Nhật ký\u202e.txt")
    assert first.status_code == 201, first.text
    data = first.json()
    assert data == {"id": data["id"], "client_id": client_id, "filename": "Nhật ký.txt", "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(), "created": True}
    stored = vendor_server.data / "attachments" / str(ticket_id) / client_id
    assert stored.read_bytes() == content

    again = upload(vendor_server.base_url, token, ticket_id, content, client_id=client_id)
    assert again.status_code == 200
    assert again.json() == {**data, "created": False}
    assert files_under(vendor_server.data / "attachments") == [stored]


def test_checksum_mismatch_is_422_and_keeps_nothing(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    ticket_id = new_ticket(vendor_server, token)["id"]
    response = upload(vendor_server.base_url, token, ticket_id, b"truncated",
                      sha256=hashlib.sha256(b"full").hexdigest())
    assert response.status_code == 422
    assert response.json()["detail"].startswith("checksum mismatch")
    assert files_under(vendor_server.data / "attachments") == []


@pytest.mark.parametrize("form", [
    {"client_id": "not-a-uuid", "sha256": "0" * 64},
    {"client_id": str(uuid.uuid4()), "sha256": "abc"},
    {"sha256": "0" * 64},
])
def test_bad_attachment_fields_are_422(vendor_server: VendorServer, form: dict[str, str]) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    ticket_id = new_ticket(vendor_server, token)["id"]
    response = requests.post(f"{vendor_server.base_url}/api/v1/tickets/{ticket_id}/attachments", headers=auth(token),
                             data=form, files={"file": ("a.txt", b"abc")}, timeout=10)
    assert response.status_code == 422 and response.json()["detail"]
    no_file = requests.post(f"{vendor_server.base_url}/api/v1/tickets/{ticket_id}/attachments", headers=auth(token),
                            files={"client_id": (None, str(uuid.uuid4())), "sha256": (None, "0" * 64)}, timeout=10)
    assert no_file.status_code == 422 and "file" in no_file.json()["detail"]
    assert files_under(vendor_server.data / "attachments") == []


def test_another_shops_ticket_is_404(vendor_server: VendorServer) -> None:
    owner = vendor_server.add_shop("KP-0001", "Kim Phát")
    other = vendor_server.add_shop("BT-0002", "Bảo Tín")
    ticket_id = new_ticket(vendor_server, owner)["id"]
    assert upload(vendor_server.base_url, other, ticket_id, b"log").status_code == 404
    assert upload(vendor_server.base_url, owner, ticket_id + 1000, b"log").status_code == 404
    assert files_under(vendor_server.data / "attachments") == []


@pytest.fixture
def small_limit_server(tmp_path: Path) -> Iterator[VendorServer]:
    """A second real server whose attachment limit is a few KiB, so 'too large' is cheap to test."""
    data = tmp_path / "small"
    data.mkdir()
    db_url = f"sqlite:///{data / 'vendor.sqlite3'}"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_app(VendorDatabase(db_url), data, max_attachment_bytes=SMALL_LIMIT)
    server, thread = _start(app, sock)
    vendor = VendorServer(f"http://127.0.0.1:{sock.getsockname()[1]}", db_url, data, data / "keys", server, thread)
    yield vendor
    vendor.stop()
    sock.close()


def test_oversized_attachment_is_413_and_leaves_nothing(small_limit_server: VendorServer) -> None:
    vendor = small_limit_server
    token = vendor.add_shop("KP-0001", "Kim Phát")
    ticket_id = new_ticket(vendor, token)["id"]
    too_big = upload(vendor.base_url, token, ticket_id, b"x" * (SMALL_LIMIT + 1))
    assert too_big.status_code == 413
    assert "too large" in too_big.json()["detail"] and str(SMALL_LIMIT) in too_big.json()["detail"]
    assert files_under(vendor.data / "attachments") == []
    # Far beyond the limit: refused from Content-Length alone.
    huge = upload(vendor.base_url, token, ticket_id, b"x" * (SMALL_LIMIT + 200_000))
    assert huge.status_code == 413
    assert files_under(vendor.data / "attachments") == []
    # Exactly at the limit is fine.
    assert upload(vendor.base_url, token, ticket_id, b"x" * SMALL_LIMIT).status_code == 201


# --- polling and the staff side -------------------------------------------------------


def test_poll_sees_a_staff_update_with_vietnamese_solution(vendor_server: VendorServer) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    other = vendor_server.add_shop("BT-0002", "Bảo Tín")
    first_key, second_key = str(uuid.uuid4()), str(uuid.uuid4())
    first = post_ticket(vendor_server, token, first_key).json()
    second = post_ticket(vendor_server, token, second_key).json()
    new_ticket(vendor_server, other)

    everything = poll(vendor_server, token)
    assert everything.status_code == 200
    listed = everything.json()["tickets"]
    assert [(t["id"], t["idempotency_key"]) for t in listed] == [(first["id"], first_key), (second["id"], second_key)]
    assert set(listed[0]) == {"id", "number", "status", "response_due_at", "solution_kind", "solution_text",
                              "updated_at", "idempotency_key",  # and the conversation's (test_vendor_thread.py):
                              "events", "visit", "finished_at", "ever_resolved", "rated", "close_after",
                              # and who opened it (test_system_tickets.py: a ticket the system opened)
                              "opened_by", "opened_for_shop"}
    assert listed[0]["solution_kind"] is None and listed[0]["solution_text"] is None
    assert (listed[0]["opened_by"], listed[0]["opened_for_shop"]) == ("shop", None)  # the shop's own words it has
    # The timeline starts with the request itself, named by the shop's own key.
    assert [(e["kind"], e["author"], e["client_id"]) for e in listed[0]["events"]] == [("opened", "shop", first_key)]
    server_time = everything.json()["server_time"]
    assert dt.datetime.fromisoformat(server_time).utcoffset() is not None
    assert poll(vendor_server, token, server_time).json()["tickets"] == []

    db = VendorDatabase(vendor_server.db_url)
    updated = tickets.update_ticket(db, first["number"], status="solution_proposed", solution_kind="remote",
                                    solution_text=SOLUTION_VI)
    assert updated.updated_at.tzinfo is not None and updated.solution_text == SOLUTION_VI

    changes = poll(vendor_server, token, server_time).json()["tickets"]
    assert len(changes) == 1
    change = changes[0]
    assert (change["id"], change["status"], change["solution_kind"]) == (first["id"], "solution_proposed", "remote")
    assert change["solution_text"] == SOLUTION_VI
    assert dt.datetime.fromisoformat(change["updated_at"]) > dt.datetime.fromisoformat(server_time)

    # The same, through the command line; the order follows updated_at.
    assert vendor_server.cli("ticket", "update", second["number"], "--status", "resolved") == 0
    assert [t["id"] for t in poll(vendor_server, token, server_time).json()["tickets"]] == [first["id"], second["id"]]
    # Any offset works, and an unencoded "+" (arriving as a space) is understood.
    since = dt.datetime.fromisoformat(server_time).astimezone(HCM).isoformat()
    raw = requests.get(f"{vendor_server.base_url}/api/v1/tickets?updated_since={since}", headers=auth(token),
                       timeout=10)
    assert raw.status_code == 200 and len(raw.json()["tickets"]) == 2


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01T00:00:00+00:00", "2026-03-02T10:00:00"])
def test_bad_updated_since_is_400(vendor_server: VendorServer, since: str) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    response = poll(vendor_server, token, since)
    assert response.status_code == 400 and "updated_since" in response.json()["detail"]


def test_staff_cli_lists_and_refuses_bad_input(vendor_server: VendorServer, capsys: pytest.CaptureFixture[str]) -> None:
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    vendor_server.add_shop("BT-0002", "Bảo Tín")
    number = new_ticket(vendor_server, token)["number"]
    capsys.readouterr()

    assert vendor_server.cli("ticket", "list", "--shop-id", "KP-0001", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["number"] for t in listed] == [number] and listed[0]["shop_id"] == "KP-0001"
    assert vendor_server.cli("ticket", "list", "--shop-id", "BT-0002", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert vendor_server.cli("ticket", "list") == 0
    assert number in capsys.readouterr().out

    assert vendor_server.cli("ticket", "update", number, "--status", "in_progress", "--solution-kind", "on_site",
                             "--solution", "Kỹ thuật viên đến tiệm lúc 9 giờ sáng mai.") == 0
    assert json.loads(capsys.readouterr().out)["solution_kind"] == "on_site"

    assert vendor_server.cli("ticket", "update", "YC-2026-999999", "--status", "closed") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("pmv-vendor: error:") and "YC-2026-999999" in err and "\n" not in err
    with pytest.raises(SystemExit) as exit_info:
        vendor_server.cli("ticket", "update", number, "--status", "done")
    assert exit_info.value.code == 2
    assert vendor_server.cli("ticket", "list", "--shop-id", "NOPE-1") == 1


def test_a_stored_contract_with_a_key_given_twice_gives_no_deadline_rather_than_a_guess(tmp_path: Path) -> None:
    """Issue 18: RFC 8259 s.4 / RFC 7493 s.2.3.  The vendor reads its stored contracts strictly too."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import select

    from tests.helpers import signed_contract

    db = VendorDatabase(f"sqlite:///{tmp_path / 'vendor.sqlite3'}")
    db.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    maintenance = [{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}]
    document = signed_contract(Ed25519PrivateKey.generate(), maintenance=maintenance).decode()
    opened = dt.datetime(2027, 6, 1, 9, 0, tzinfo=HCM)
    db.store_contract("KP-0001", document, opened - dt.timedelta(days=300))
    with db.sessions() as session:
        shop = session.scalar(select(Shop).where(Shop.shop_id == "KP-0001"))
    assert shop is not None
    assert tickets.coverage_for(db, shop, opened) == "maintenance"
    forged = document.replace('"end": "2028-01-15"', '"end": "2026-01-01", "end": "2028-01-15"')
    db.store_contract("KP-0001", forged, opened - dt.timedelta(days=200))
    assert tickets.coverage_for(db, shop, opened) == "expired"  # json.loads would have said "maintenance"
