"""The conversation on a ticket against the real vendor server on 127.0.0.1 (pmv_protocol/thread.py).

The server runs on a clock the test moves (``create_app(clock=...)``); the
staff's side is called as the ``pmv-vendor ticket`` commands call it
(vendor_server.staff_acts) with the same clock's time, or through the
commands themselves where the time does not matter.  Deadlines are worked
out by hand on the default calendar (no calendar pack is published here):
Mon-Fri 08:00-12:00 and 13:30-17:30, Sat 08:00-12:00, Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import delete, update

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.ticket_flow import close_after
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer
from tests.integration.test_vendor_tickets import auth, body, issue_contract, upload
from vendor_server import staff_acts
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.thread_records import ActRefused
from vendor_server.thread_tables import TicketEventRow, TicketFlow

pytestmark = pytest.mark.integration

HCM = dt.timezone(dt.timedelta(hours=7))
MON_1100 = dt.datetime(2026, 3, 2, 11, 0, tzinfo=HCM)  # the request is opened then


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MON_1100)


class Shop:
    """A shop's till talking to the vendor over HTTP, as the app does."""

    def __init__(self, vendor: VendorServer, token: str) -> None:
        self.vendor, self.token = vendor, token

    def open_ticket(self, opened_at: dt.datetime = MON_1100, **overrides: Any) -> dict[str, Any]:
        response = requests.post(f"{self.vendor.base_url}/api/v1/tickets", json=body(
            opened_at=opened_at.isoformat(), **overrides), headers={**auth(self.token),
                                                                    "Idempotency-Key": str(uuid.uuid4())}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def act(self, ticket_id: int, what: str, at: dt.datetime, key: str | None = None,
            **fields: Any) -> requests.Response:
        return requests.post(f"{self.vendor.base_url}/api/v1/tickets/{ticket_id}/{what}",
                             json={"author_name": "Chị Lan", "at": at.isoformat(), **fields},
                             headers={**auth(self.token), "Idempotency-Key": key or str(uuid.uuid4())}, timeout=10)

    def timeline(self, ticket_id: int) -> list[dict[str, Any]]:
        response = requests.get(f"{self.vendor.base_url}/api/v1/tickets/{ticket_id}/messages",
                                headers=auth(self.token), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["events"]

    def poll(self, since: str | None = None) -> dict[str, Any]:
        response = requests.get(f"{self.vendor.base_url}/api/v1/tickets", headers=auth(self.token),
                                params={"updated_since": since} if since else {}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return next(t for t in self.poll()["tickets"] if t["id"] == ticket_id)

    def download(self, ticket_id: int, attachment_id: int) -> requests.Response:
        return requests.get(f"{self.vendor.base_url}/api/v1/tickets/{ticket_id}/attachments/{attachment_id}",
                            headers=auth(self.token), timeout=10)


def warranty_shop(vendor: VendorServer, shop_id: str = "KP-0001") -> Shop:
    token = vendor.add_shop(shop_id, "Tiệm vàng Kim Phát")
    issue_contract(vendor, shop_id, "2026-01-15")  # 12 months: warranty through 15 Jan 2027
    return Shop(vendor, token)


def db(vendor: VendorServer) -> VendorDatabase:
    return VendorDatabase(vendor.db_url)


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def refused(response: requests.Response) -> str:
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert set(detail) == {"refusal", "message"} and detail["message"]
    return str(detail["refusal"])


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["kind"], e["author"], e["author_name"]) for e in events]


# --- a whole conversation ----------------------------------------------------------------------------------------


def test_a_full_conversation_question_answer_refusal_second_proposal_accept_rating(
        vendor: VendorServer, clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    number, ticket_id = ticket["number"], ticket["id"]
    assert when(ticket["response_due_at"]) == dt.datetime(2026, 3, 2, 16, 30, tzinfo=HCM)

    clock.now = dt.datetime(2026, 3, 2, 11, 20, tzinfo=HCM)
    question = staff_acts.reply(db(vendor), number, staff="Anh Tuấn", text="Chị chụp giúp màn hình báo lỗi?",
                                attachments_root=vendor.data / "attachments", now=clock())
    assert question.event.author == "vendor" and question.ticket.updated_at == clock()

    # The shop answers with a screenshot: uploaded first under its own client id, then named by the message.
    clock.now = dt.datetime(2026, 3, 2, 13, 45, tzinfo=HCM)
    screenshot, file_id = b"\x89PNG fake screenshot", str(uuid.uuid4())
    uploaded = upload(vendor.base_url, shop.token, ticket_id, screenshot, client_id=file_id, filename="màn hình.png")
    assert uploaded.status_code == 201
    answer = shop.act(ticket_id, "messages", dt.datetime(2026, 3, 2, 13, 44, tzinfo=HCM),
                      text="Đây ạ", attachment_ids=[file_id])
    assert answer.status_code == 201, answer.text
    assert answer.json()["event"]["files"] == [{"id": uploaded.json()["id"], "filename": "màn hình.png",
                                                "size": len(screenshot),
                                                "sha256": hashlib.sha256(screenshot).hexdigest()}]
    assert when(answer.json()["event"]["at"]) == dt.datetime(2026, 3, 2, 13, 44, tzinfo=HCM)  # the till's time

    clock.now = dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM)
    staff_acts.propose(db(vendor), number, staff="Anh Tuấn", kind="remote", text="Cài lại driver qua UltraViewer",
                       now=clock())
    assert shop.ticket(ticket_id)["status"] == "solution_proposed"

    # Refused at 15:00 Tuesday by the till (the server hears it at 15:02).  Normal severity under warranty:
    # 4 working hours from 15:00 Tue = 15:00-17:30 (2 h 30) + Wed 08:00-09:30 (1 h 30) -> Wed 4 Mar 09:30.
    clock.now = dt.datetime(2026, 3, 3, 15, 2, tzinfo=HCM)
    refusal = shop.act(ticket_id, "decision", dt.datetime(2026, 3, 3, 15, 0, tzinfo=HCM), decision="refuse",
                       reason="Vẫn không in được tem")
    assert refusal.status_code == 201, refusal.text
    wed_0930 = dt.datetime(2026, 3, 4, 9, 30, tzinfo=HCM)
    assert refusal.json()["status"] == "in_progress" and when(refusal.json()["response_due_at"]) == wed_0930
    assert when(refusal.json()["event"]["response_due_at"]) == wed_0930
    assert when(shop.ticket(ticket_id)["response_due_at"]) == wed_0930  # on the ticket itself too

    clock.now = dt.datetime(2026, 3, 4, 10, 0, tzinfo=HCM)
    staff_acts.propose(db(vendor), number, staff="Chị Hoa", kind="on_site", text="Thay đầu in", now=clock())
    clock.now = dt.datetime(2026, 3, 4, 11, 0, tzinfo=HCM)
    accepted = shop.act(ticket_id, "decision", dt.datetime(2026, 3, 4, 10, 59, tzinfo=HCM), decision="accept")
    assert accepted.status_code == 201 and accepted.json()["status"] == "resolved"
    clock.now = dt.datetime(2026, 3, 4, 11, 5, tzinfo=HCM)
    rating = shop.act(ticket_id, "rating", clock(), stars=5, comment="Nhanh, chu đáo")
    assert rating.status_code == 201 and rating.json()["event"]["stars"] == 5

    events = shop.timeline(ticket_id)
    assert kinds(events) == [
        ("opened", "shop", "Chị Lan"), ("message", "vendor", "Anh Tuấn"), ("message", "shop", "Chị Lan"),
        ("proposed", "vendor", "Anh Tuấn"), ("refused", "shop", "Chị Lan"), ("proposed", "vendor", "Chị Hoa"),
        ("accepted", "shop", "Chị Lan"), ("rated", "shop", "Chị Lan")]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert [e["solution_kind"] for e in events if e["kind"] == "proposed"] == ["remote", "on_site"]
    assert events[4]["text"] == "Vẫn không in được tem" and events[7]["text"] == "Nhanh, chu đáo"
    now = shop.ticket(ticket_id)
    assert (now["status"], now["ever_resolved"], now["rated"], now["close_after"]) == ("resolved", True, True, None)
    assert when(now["finished_at"]) == dt.datetime(2026, 3, 4, 11, 0, tzinfo=HCM)  # the server's time of accepting
    assert when(now["updated_at"]) == clock()


def test_a_refusal_counts_from_its_stated_time_clamped_to_the_proposal_and_the_servers_now(
        vendor: VendorServer, clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    clock.now = dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM)
    staff_acts.propose(db(vendor), ticket["number"], staff="Anh Tuấn", kind="phone", text="Gọi lại", now=clock())
    # The till says Monday 17:00, before the proposal it refuses: counted from the proposal, Tue 09:00.
    # 4 h: 09:00-12:00 (3 h) + 13:30-14:30 -> Tue 14:30.
    clock.now = dt.datetime(2026, 3, 3, 9, 30, tzinfo=HCM)
    slow = shop.act(ticket["id"], "decision", dt.datetime(2026, 3, 2, 17, 0, tzinfo=HCM), decision="refuse",
                    reason="Chưa được")
    assert when(slow.json()["response_due_at"]) == dt.datetime(2026, 3, 3, 14, 30, tzinfo=HCM)
    assert when(slow.json()["event"]["at"]) == dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM)
    # A till running ahead (18:00 when the server says 10:00) counts from the server's now:
    # 10:00-12:00 (2 h) + 13:30-15:30 -> Tue 15:30.
    clock.now = dt.datetime(2026, 3, 3, 9, 45, tzinfo=HCM)
    staff_acts.propose(db(vendor), ticket["number"], staff="Anh Tuấn", kind="remote", text="UltraViewer",
                       now=clock())
    clock.now = dt.datetime(2026, 3, 3, 10, 0, tzinfo=HCM)
    fast = shop.act(ticket["id"], "decision", dt.datetime(2026, 3, 3, 18, 0, tzinfo=HCM), decision="refuse",
                    reason="Vẫn lỗi")
    assert when(fast.json()["response_due_at"]) == dt.datetime(2026, 3, 3, 15, 30, tzinfo=HCM)


# --- on-site visits ---------------------------------------------------------------------------------------------


def test_a_visit_is_offered_rescheduled_offered_again_and_confirmed(vendor: VendorServer, clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    number, ticket_id = ticket["number"], ticket["id"]
    first = staff_acts.propose_visit(db(vendor), number, staff="Chị Hoa", day=dt.date(2026, 3, 5),
                                     start=dt.time(8), end=dt.time(10), technician="Anh Minh", now=clock()).event
    offered = shop.ticket(ticket_id)["visit"]
    assert offered == {"id": first.id, "state": "proposed", "note": None,
                       "slot": {"day": "2026-03-05", "start": "08:00:00", "end": "10:00:00",
                                "technician": "Anh Minh"}}

    asked = shop.act(ticket_id, "visit", clock(), visit_id=first.id, answer="reschedule", note="Chiều thứ Sáu")
    assert asked.status_code == 201 and asked.json()["event"]["visit_id"] == first.id
    assert shop.ticket(ticket_id)["visit"]["state"] == "reschedule_asked"
    assert shop.ticket(ticket_id)["visit"]["note"] == "Chiều thứ Sáu"
    assert refused(shop.act(ticket_id, "visit", clock(), visit_id=first.id, answer="confirm")) == "no_visit"

    second = staff_acts.propose_visit(db(vendor), number, staff="Chị Hoa", day=dt.date(2026, 3, 6),
                                      start=dt.time(14), end=dt.time(16), technician="Anh Minh", now=clock()).event
    assert second.id != first.id
    assert refused(shop.act(ticket_id, "visit", clock(), visit_id=first.id, answer="confirm")) == "other_visit"
    confirmed = shop.act(ticket_id, "visit", clock(), visit_id=second.id, answer="confirm")
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "on_site_scheduled"
    visit = shop.ticket(ticket_id)["visit"]
    assert (visit["id"], visit["state"], visit["slot"]["start"]) == (second.id, "confirmed", "14:00:00")
    assert [e["kind"] for e in shop.timeline(ticket_id)] == [
        "opened", "visit_proposed", "visit_reschedule", "visit_proposed", "visit_confirmed"]


# --- what the rules refuse ------------------------------------------------------------------------------------------


def test_acts_the_ticket_does_not_allow_are_409_with_the_reason(vendor: VendorServer, clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    number, ticket_id = ticket["number"], ticket["id"]
    assert refused(shop.act(ticket_id, "decision", clock(), decision="accept")) == "no_proposal"
    assert refused(shop.act(ticket_id, "rating", clock(), stars=4)) == "not_resolved"
    assert refused(shop.act(ticket_id, "reopen", clock(), reason="Lại lỗi")) == "not_resolved"
    assert refused(shop.act(ticket_id, "visit", clock(), visit_id=1, answer="confirm")) == "no_visit"
    assert refused(shop.act(ticket_id, "messages", clock(), text="Ảnh đây",
                            attachment_ids=[str(uuid.uuid4())])) == "files_missing"  # never uploaded

    clock.now = dt.datetime(2026, 3, 4, 11, 0, tzinfo=HCM)
    staff_acts.propose(db(vendor), number, staff="Anh Tuấn", kind="phone", text="Khởi động lại máy", now=clock())
    assert shop.act(ticket_id, "decision", clock(), decision="accept").status_code == 201
    assert refused(shop.act(ticket_id, "decision", clock(), decision="refuse", reason="x")) == "no_proposal"
    assert shop.act(ticket_id, "rating", clock(), stars=4).status_code == 201
    assert refused(shop.act(ticket_id, "rating", clock(), stars=5)) == "already_rated"

    # Resolved Wed 4 Mar 11:00.  Eight days later the window (7 days) has passed ...
    clock.now = dt.datetime(2026, 3, 12, 11, 0, tzinfo=HCM)
    assert refused(shop.act(ticket_id, "reopen", clock(), reason="Lại lỗi")) == "reopen_too_late"
    # ... but a reopening the till made on day 7 (Wed 11 Mar 10:00) and sent only now still counts, and its
    # deadline runs from then: 4 h = 10:00-12:00 + 13:30-15:30 -> Wed 11 Mar 15:30.
    reopened = shop.act(ticket_id, "reopen", dt.datetime(2026, 3, 11, 10, 0, tzinfo=HCM), reason="Lại lỗi")
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["status"] == "in_progress"
    assert when(reopened.json()["response_due_at"]) == dt.datetime(2026, 3, 11, 15, 30, tzinfo=HCM)
    assert shop.ticket(ticket_id)["finished_at"] is None
    assert refused(shop.act(ticket_id, "rating", clock(), stars=1)) == "already_rated"  # once per ticket

    staff_acts.close(db(vendor), number, staff="Anh Tuấn", note="Đã xử lý qua điện thoại", now=clock())
    assert refused(shop.act(ticket_id, "messages", clock(), text="Còn lỗi không ạ?")) == "closed"
    assert refused(shop.act(ticket_id, "decision", clock(), decision="accept")) == "closed"
    assert shop.timeline(ticket_id)[-1]["kind"] == "closed"
    with pytest.raises(ActRefused, match="closed"):  # staff cannot write on a closed ticket either
        staff_acts.reply(db(vendor), number, staff="Anh Tuấn", text="?", attachments_root=vendor.data, now=clock())


@pytest.mark.parametrize(("what", "fields"), [
    ("messages", {"text": "  "}),
    ("messages", {"text": "a", "colour": "red"}),
    ("decision", {"decision": "refuse"}),
    ("visit", {"visit_id": 1, "answer": "reschedule"}),
    ("rating", {"stars": 6}),
    ("reopen", {"reason": ""}),
])
def test_bodies_the_schema_refuses_are_422_and_store_nothing(vendor: VendorServer, clock: FixedClock, what: str,
                                                             fields: dict[str, Any]) -> None:
    shop = warranty_shop(vendor)
    ticket_id = shop.open_ticket()["id"]
    response = shop.act(ticket_id, what, clock(), **fields)
    assert response.status_code == 422 and response.json()["detail"]
    naive = requests.post(f"{vendor.base_url}/api/v1/tickets/{ticket_id}/messages",
                          json={"author_name": "Chị Lan", "at": "2026-03-02T11:00:00", "text": "a"},
                          headers={**auth(shop.token), "Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert naive.status_code == 422
    assert [e["kind"] for e in shop.timeline(ticket_id)] == ["opened"]


def test_two_decisions_racing_on_one_proposal_make_exactly_one(vendor: VendorServer, clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    staff_acts.propose(db(vendor), ticket["number"], staff="Anh Tuấn", kind="phone", text="Gọi lại", now=clock())
    barrier, answers = threading.Barrier(4), []

    def decide(decision: str) -> None:
        fields = {"decision": decision, "reason": "Chưa được" if decision == "refuse" else ""}
        barrier.wait()
        answers.append(shop.act(ticket["id"], "decision", clock(), **fields))

    threads = [threading.Thread(target=decide, args=(d,)) for d in ("accept", "refuse", "accept", "refuse")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
    decisions = [e for e in shop.timeline(ticket["id"]) if e["kind"] in ("accepted", "refused")]
    assert len(decisions) == 1


# --- idempotency and ownership ----------------------------------------------------------------------------------


def test_the_same_key_again_is_200_with_the_same_step_whatever_happened_since(vendor: VendorServer,
                                                                             clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    key = str(uuid.uuid4())
    first = shop.act(ticket["id"], "messages", clock(), key=key, text="Máy quét không lên đèn")
    again = shop.act(ticket["id"], "messages", clock(), key=key.upper(), text="Máy quét không lên đèn")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert first.json()["event"]["client_id"] == key

    staff_acts.propose(db(vendor), ticket["number"], staff="Anh Tuấn", kind="phone", text="Gọi lại", now=clock())
    decision_key = str(uuid.uuid4())
    assert shop.act(ticket["id"], "decision", clock(), key=decision_key, decision="accept").status_code == 201
    # The outbox lost the answer and sends the decision again: the ticket is resolved now, yet the
    # replay is not refused; it gets the stored step back.
    replay = shop.act(ticket["id"], "decision", clock(), key=decision_key, decision="accept")
    assert replay.status_code == 200 and replay.json()["event"]["kind"] == "accepted"
    assert replay.json()["status"] == "resolved"
    assert [e["kind"] for e in shop.timeline(ticket["id"])] == ["opened", "message", "proposed", "accepted"]


def test_another_shops_ticket_is_404_everywhere(vendor: VendorServer, clock: FixedClock) -> None:
    owner = warranty_shop(vendor)
    other = Shop(vendor, vendor.add_shop("BT-0002", "Bảo Tín"))
    ticket_id = owner.open_ticket()["id"]
    uploaded = upload(vendor.base_url, owner.token, ticket_id, b"log").json()
    for what, fields in (("messages", {"text": "xin chào"}), ("decision", {"decision": "accept"}),
                         ("visit", {"visit_id": 1, "answer": "confirm"}), ("rating", {"stars": 5}),
                         ("reopen", {"reason": "lỗi"})):
        assert other.act(ticket_id, what, clock(), **fields).status_code == 404
        assert owner.act(ticket_id + 1000, what, clock(), **fields).status_code == 404
    assert requests.get(f"{vendor.base_url}/api/v1/tickets/{ticket_id}/messages", headers=auth(other.token),
                        timeout=10).status_code == 404
    assert other.download(ticket_id, uploaded["id"]).status_code == 404
    assert requests.get(f"{vendor.base_url}/api/v1/tickets/{ticket_id}/messages", timeout=10).status_code == 401
    assert [e["kind"] for e in owner.timeline(ticket_id)] == ["opened"]


# --- the feed ------------------------------------------------------------------------------------------------------


def test_the_feed_carries_only_the_steps_recorded_after_updated_since(vendor: VendorServer,
                                                                     clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    first, second = shop.open_ticket(), shop.open_ticket()
    everything = shop.poll()
    assert [[e["kind"] for e in t["events"]] for t in everything["tickets"]] == [["opened"], ["opened"]]
    since = everything["server_time"]
    assert when(since) == MON_1100  # the server's clock, not the machine's

    clock.advance(minutes=10)
    staff_acts.reply(db(vendor), first["number"], staff="Anh Tuấn", text="Đã nhận", attachments_root=vendor.data,
                     now=clock())
    changed = shop.poll(since)
    assert [t["id"] for t in changed["tickets"]] == [first["id"]]  # the other ticket did not change
    assert [(e["kind"], e["text"]) for e in changed["tickets"][0]["events"]] == [("message", "Đã nhận")]
    assert shop.poll(changed["server_time"])["tickets"] == []

    clock.advance(minutes=10)
    shop.act(second["id"], "messages", clock(), text="Gửi thêm thông tin")
    clock.advance(minutes=1)
    staff_acts.propose(db(vendor), second["number"], staff="Anh Tuấn", kind="email", text="Xem hướng dẫn",
                       now=clock())
    later = shop.poll(changed["server_time"])["tickets"]
    assert [(t["id"], [e["kind"] for e in t["events"]]) for t in later] == [(second["id"], ["message", "proposed"])]
    assert later[0]["close_after"] == later[0]["events"][1]["close_after"] is not None


# --- auto-close -----------------------------------------------------------------------------------------------------


def test_an_unanswered_proposal_is_closed_after_its_close_after(vendor: VendorServer, clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    unanswered = shop.open_ticket(opened_at=dt.datetime(2026, 4, 23, 9, 0, tzinfo=HCM))
    answered = shop.open_ticket(opened_at=dt.datetime(2026, 4, 23, 9, 0, tzinfo=HCM))
    clock.now = dt.datetime(2026, 4, 23, 10, 0, tzinfo=HCM)
    for ticket in (unanswered, answered):
        staff_acts.propose(db(vendor), ticket["number"], staff="Anh Tuấn", kind="remote", text="UltraViewer",
                           now=clock())
    # Thu 23 Apr + 5 working days (the default): Fri 24, Sat 25, [Sun 26, Mon 27 Hùng Kings observed],
    # Tue 28, Wed 29, [Thu 30 Apr, Fri 1 May holidays], Sat 2 May -> closing 12:00 (tests/unit/pmv_protocol).
    deadline = dt.datetime(2026, 5, 2, 12, 0, tzinfo=HCM)
    told = shop.ticket(unanswered["id"])
    assert when(told["close_after"]) == deadline == when(told["events"][-1]["close_after"])  # told beforehand
    clock.now = dt.datetime(2026, 4, 30, 9, 0, tzinfo=HCM)
    assert shop.act(answered["id"], "decision", clock(), decision="accept").status_code == 201

    assert staff_acts.close_unanswered(db(vendor), now=deadline) == []  # the last minute is still the shop's
    closed = staff_acts.close_unanswered(db(vendor), now=deadline + dt.timedelta(seconds=1))
    assert [r.number for r in closed] == [unanswered["number"]]
    assert staff_acts.close_unanswered(db(vendor), now=deadline + dt.timedelta(days=1)) == []  # once
    now = shop.ticket(unanswered["id"])
    assert (now["status"], now["ever_resolved"], now["close_after"]) == ("closed", False, None)
    assert when(now["finished_at"]) == deadline + dt.timedelta(seconds=1)
    assert kinds(now["events"])[-1] == ("closed", "system", "system")
    assert shop.ticket(answered["id"])["status"] == "resolved"
    clock.now = dt.datetime(2026, 5, 4, 9, 0, tzinfo=HCM)
    assert refused(shop.act(unanswered["id"], "rating", clock(), stars=3)) == "not_resolved"
    assert shop.act(unanswered["id"], "reopen", clock(), reason="Vẫn lỗi").status_code == 201


# --- files from the vendor, and the staff's commands ------------------------------------------------------------


def test_a_vendor_file_downloads_with_its_sha256_and_length(vendor: VendorServer, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    guide = tmp_path / "Hướng dẫn cài driver.pdf"
    guide.write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 40)
    capsys.readouterr()
    assert vendor.cli("ticket", "reply", ticket["number"], "--staff", "Anh Tuấn", "--text", "Chị xem file này",
                      "--file", str(guide)) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["event"]["author_name"] == "Anh Tuấn"

    stated = shop.poll()["tickets"][0]["events"][-1]["files"][0]
    assert (stated["filename"], stated["size"]) == (guide.name, guide.stat().st_size)
    response = shop.download(ticket["id"], stated["id"])
    assert response.status_code == 200
    assert response.content == guide.read_bytes()
    assert response.headers["X-Content-SHA256"] == stated["sha256"] == hashlib.sha256(guide.read_bytes()).hexdigest()
    assert int(response.headers["Content-Length"]) == stated["size"]
    assert shop.download(ticket["id"], stated["id"] + 1000).status_code == 404
    second = shop.open_ticket()
    assert shop.download(second["id"], stated["id"]).status_code == 404  # another ticket's file, same shop


def test_the_staff_commands_answer_and_show_the_whole_history(vendor: VendorServer, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    shop = warranty_shop(vendor)
    number = shop.open_ticket()["number"]
    capsys.readouterr()
    assert vendor.cli("ticket", "propose", number, "--staff", "Anh Tuấn", "--kind", "phone", "--text", "Gọi lại") == 0
    assert vendor.cli("ticket", "visit", number, "--staff", "Chị Hoa", "--day", "2026-03-05", "--from", "08:00",
                      "--to", "10:00", "--technician", "Anh Minh") == 0
    assert vendor.cli("ticket", "update", number, "--status", "in_progress") == 0  # an old script: no --staff
    assert vendor.cli("ticket", "close", number, "--staff", "Anh Tuấn", "--note", "Đã xong") == 0
    capsys.readouterr()
    assert vendor.cli("ticket", "show", number, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["ticket"]["number"] == number and shown["ticket"]["status"] == "closed"
    assert kinds(shown["events"]) == [("opened", "shop", "Chị Lan"), ("proposed", "vendor", "Anh Tuấn"),
                                      ("visit_proposed", "vendor", "Chị Hoa"), ("status", "vendor", "staff"),
                                      ("closed", "vendor", "Anh Tuấn")]
    assert shown["events"][2]["visit"]["technician"] == "Anh Minh" and shown["flow"]["visit"]["state"] == "proposed"
    assert shown["events"][1]["close_after"] is not None and shown["flow"]["close_after"] is None  # no longer asked
    assert vendor.cli("ticket", "show", number) == 0
    text = capsys.readouterr().out
    assert number in text and "Anh Minh" in text and "Đã xong" in text and text.count("\n") >= 7

    # Refusals are one line and exit 1; bad words are argparse's exit 2.
    assert vendor.cli("ticket", "reply", number, "--staff", "Anh Tuấn", "--text", "còn đó không?") == 1
    assert vendor.cli("ticket", "visit", number, "--staff", "X", "--day", "2026-03-05", "--from", "10:00",
                      "--to", "08:00", "--technician", "Y") == 1
    assert vendor.cli("ticket", "show", "YC-2026-999999") == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("pmv-vendor: error:") for line in errors)
    assert "closed" in errors[0] and "YC-2026-999999" in errors[2]
    with pytest.raises(SystemExit) as exit_info:
        vendor.cli("ticket", "propose", number, "--staff", "X", "--kind", "zalo", "--text", "t")
    assert exit_info.value.code == 2
    capsys.readouterr()
    assert vendor.cli("ticket", "close-unanswered") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_auto_close_working_days_comes_from_the_config(vendor: VendorServer, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    shop = warranty_shop(vendor)
    number = shop.open_ticket()["number"]
    config = tmp_path / "vendor.toml"
    config.write_text("auto_close_working_days = 1\n", encoding="utf-8")
    capsys.readouterr()
    assert vendor.cli("ticket", "propose", number, "--staff", "A", "--kind", "email", "--text", "t",
                      "--config", str(config)) == 0
    event = json.loads(capsys.readouterr().out)["event"]
    proposed_at = when(event["at"])
    # Whatever day it is: the closing time of the first working day after the proposal's, not the fifth.
    assert when(event["close_after"]) == close_after(proposed_at, 1, WorkingCalendar.default())
    assert when(event["close_after"]) < close_after(proposed_at, 5, WorkingCalendar.default())
    config.write_text("auto_close_working_days = 0\n", encoding="utf-8")
    assert vendor.cli("ticket", "close-unanswered", "--config", str(config)) == 1
    assert "auto_close_working_days" in capsys.readouterr().err


def test_the_cron_command_closes_what_is_past_its_close_after(vendor: VendorServer,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    shop = warranty_shop(vendor)
    number = shop.open_ticket(opened_at=dt.datetime(2020, 1, 6, 9, 0, tzinfo=HCM))["number"]
    staff_acts.propose(db(vendor), number, staff="Anh Tuấn", kind="phone", text="Gọi lại",
                       now=dt.datetime(2020, 1, 6, 10, 0, tzinfo=HCM))
    capsys.readouterr()
    assert vendor.cli("ticket", "close-unanswered") == 0  # any clock after 13 Jan 2020 closes it
    assert [t["number"] for t in json.loads(capsys.readouterr().out)] == [number]


# --- tickets from before the conversation ------------------------------------------------------------------------


def test_a_ticket_from_before_the_conversation_reads_its_flow_from_its_status(vendor: VendorServer,
                                                                              clock: FixedClock) -> None:
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    resolved_at = dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM)
    with db(vendor).sessions.begin() as session:  # what an older server left: a status, no timeline, no flow row
        session.execute(delete(TicketEventRow).where(TicketEventRow.ticket_id == ticket["id"]))
        session.execute(delete(TicketFlow).where(TicketFlow.ticket_id == ticket["id"]))
        session.execute(update(Ticket).where(Ticket.id == ticket["id"]).values(status="resolved",
                                                                               updated_at=resolved_at))
    old = shop.ticket(ticket["id"])
    assert (old["events"], old["ever_resolved"], when(old["finished_at"])) == ([], True, resolved_at)
    clock.now = dt.datetime(2026, 3, 4, 9, 0, tzinfo=HCM)
    assert shop.act(ticket["id"], "rating", clock(), stars=4).status_code == 201
    clock.now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=HCM)  # 7 days and 1 hour after its last change
    assert refused(shop.act(ticket["id"], "reopen", clock(), reason="Lại lỗi")) == "reopen_too_late"


def test_an_act_key_that_already_names_another_act_is_refused_not_answered_with_it(
        vendor: VendorServer, clock: FixedClock) -> None:
    # The key makes a retry of the same act safe (DESIGN.md: 201 new, 200 the same act again). Sent with another
    # act, answering 200 with the earlier message would tell the client a reopen was stored when nothing was.
    shop = warranty_shop(vendor)
    ticket = shop.open_ticket()
    key = str(uuid.uuid4())
    assert shop.act(ticket["id"], "messages", MON_1100, key=key, text="Máy in lại kẹt giấy").status_code == 201
    assert shop.act(ticket["id"], "messages", MON_1100, key=key, text="Máy in lại kẹt giấy").status_code == 200
    other = shop.act(ticket["id"], "rating", MON_1100, key=key, stars=5)
    assert other.status_code == 422 and "message" in other.json()["detail"]
    assert [kind for kind, _author, _name in kinds(shop.timeline(ticket["id"]))] == ["opened", "message"]
