"""The conversation on the wire (pmv_protocol.thread): what the server refuses, what the app reads leniently."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from pmv_protocol import thread
from pmv_protocol.thread import (
    ActReceipt,
    Author,
    EventKind,
    NewDecision,
    NewMessage,
    NewRating,
    NewReopen,
    NewVisitAnswer,
    ThreadFile,
    TicketEvent,
    TicketFeed,
    TicketUpdate,
    VisitSlot,
)

HCM = dt.timezone(dt.timedelta(hours=7))
AT = "2026-03-03T15:00:00+07:00"
SHA = "ab" * 32


def act(**fields: Any) -> dict[str, Any]:
    return {"author_name": "Chị Lan", "at": AT, **fields}


@pytest.mark.parametrize(("model", "body"), [
    (NewMessage, act(text="Máy in vẫn kẹt giấy")),
    (NewMessage, act(attachment_ids=["1b2c3d4e-0000-4000-8000-000000000001"])),  # a file alone says something
    (NewMessage, act(text="x" * thread.MESSAGE_MAX)),
    (NewDecision, act(decision="accept")),
    (NewDecision, act(decision="refuse", reason="Vẫn không in được tem")),
    (NewVisitAnswer, act(visit_id=7, answer="confirm")),
    (NewVisitAnswer, act(visit_id=7, answer="reschedule", note="Chiều thứ Bảy")),
    (NewRating, act(stars=1)),
    (NewRating, act(stars=5, comment="Nhanh, chu đáo")),
    (NewReopen, act(reason="Lỗi xuất hiện lại sau khi khởi động máy")),
])
def test_the_server_accepts_well_formed_acts(model: type[BaseModel], body: dict[str, Any]) -> None:
    parsed = model.model_validate(body)
    assert parsed.model_dump(mode="json")["at"] == AT  # the shop's time travels with its own offset


@pytest.mark.parametrize(("model", "body", "why"), [
    (NewMessage, act(), "text or at least one file"),
    (NewMessage, act(text="   \n"), "text or at least one file"),  # blank is nothing
    (NewMessage, act(text="x" * (thread.MESSAGE_MAX + 1)), "at most"),
    (NewMessage, act(text="a", attachment_ids=[f"id-{n}" for n in range(thread.MESSAGE_FILES_MAX + 1)]), "at most"),
    (NewMessage, act(text="a", priority="high"), "Extra inputs"),  # unknown fields: a typo is refused
    (NewMessage, {"author_name": "Chị Lan", "at": "2026-03-03T15:00:00", "text": "a"}, "timezone"),  # naive
    (NewMessage, {"author_name": "  ", "at": AT, "text": "a"}, "at least 1"),
    (NewMessage, {"author_name": "x" * (thread.AUTHOR_NAME_MAX + 1), "at": AT, "text": "a"}, "at most"),
    (NewDecision, act(decision="refuse"), "refusal needs a reason"),
    (NewDecision, act(decision="refuse", reason="   "), "refusal needs a reason"),  # stripped first
    (NewDecision, act(decision="maybe"), "accept"),
    (NewVisitAnswer, act(visit_id=7, answer="reschedule"), "needs a note"),
    (NewVisitAnswer, act(visit_id=7, answer="later", note="x"), "confirm"),
    (NewRating, act(stars=0), "greater than or equal to 1"),
    (NewRating, act(stars=6), "less than or equal to 5"),
    (NewReopen, act(reason=""), "at least 1"),
    (NewReopen, act(), "Field required"),
])
def test_the_server_refuses_malformed_acts(model: type[BaseModel], body: dict[str, Any], why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        model.model_validate(body)


def test_texts_are_stripped_except_the_messages_own() -> None:
    decision = NewDecision.model_validate(act(author_name="  Chị Lan ", decision="refuse", reason="  Chưa được \n"))
    assert (decision.author_name, decision.reason) == ("Chị Lan", "Chưa được")
    assert NewMessage.model_validate(act(text="  nhật ký:\n    dòng 1")).text == "  nhật ký:\n    dòng 1"


def _event(**fields: Any) -> TicketEvent:
    base: dict[str, Any] = {"id": 12, "kind": EventKind.PROPOSED, "author": Author.VENDOR, "author_name": "Anh Tuấn",
                            "at": dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM)}
    return TicketEvent(**{**base, **fields})


def test_events_and_receipts_round_trip_with_server_times_in_utc() -> None:
    event = _event(text="Kết nối UltraViewer lúc 14:00", solution_kind="remote",
                   close_after=dt.datetime(2026, 3, 10, 17, 30, tzinfo=HCM),
                   files=(ThreadFile(3, "hướng dẫn.pdf", 2048, SHA),))
    served = json.loads(TypeAdapter(TicketEvent).dump_json(event))
    assert served["at"] == "2026-03-03T02:00:00+00:00" and served["close_after"] == "2026-03-10T10:30:00+00:00"
    assert served["files"] == [{"id": 3, "filename": "hướng dẫn.pdf", "size": 2048, "sha256": SHA}]
    assert TypeAdapter(TicketEvent).validate_python(served) == event
    receipt = ActReceipt(event, "solution_proposed", None, True)
    assert TypeAdapter(ActReceipt).validate_json(TypeAdapter(ActReceipt).dump_json(receipt)) == receipt
    visit = _event(kind=EventKind.VISIT_PROPOSED, visit=VisitSlot(dt.date(2026, 3, 5), dt.time(8), dt.time(10),
                                                                   "Anh Minh"))
    assert json.loads(TypeAdapter(TicketEvent).dump_json(visit))["visit"] == {
        "day": "2026-03-05", "start": "08:00:00", "end": "10:00:00", "technician": "Anh Minh"}


def test_the_app_reads_an_older_servers_feed_and_a_later_servers_words() -> None:
    older = {"id": 9, "number": "YC-2026-000009", "status": "in_progress", "response_due_at": None,
             "solution_kind": None, "solution_text": None, "updated_at": "2026-03-02T04:00:00Z",
             "idempotency_key": "k"}
    update = TypeAdapter(TicketUpdate).validate_python(older)
    assert (update.events, update.visit, update.rated, update.ever_resolved, update.close_after) == \
        ((), None, False, False, None)
    later = {"id": 1, "kind": "video_call_booked", "author": "bot", "author_name": "", "at": "2026-03-02T04:00:00",
             "colour": "red"}
    event = TypeAdapter(TicketEvent).validate_python(later)
    assert (event.kind, event.author) == ("video_call_booked", "bot")  # kept as text, not refused
    assert not isinstance(event.kind, EventKind)
    assert event.at == dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)  # no offset from the server: UTC
    feed = TypeAdapter(TicketFeed).validate_python({"tickets": [{**older, "events": [later]}]})
    assert feed.tickets[0].events == (event,)
