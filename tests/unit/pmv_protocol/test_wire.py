"""The wire is declared once: both sides use its words, its messages survive a round trip, its values fit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from app.support import models
from app.support.vendor_api import VendorClient
from pmv_protocol import thread, wire

HCM = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2026, 3, 2, 11, 0, tzinfo=HCM)
VOCABULARY = (wire.Category, wire.Severity, wire.Channel, wire.TicketStatus)


# --- one vocabulary, both sides ------------------------------------------------------


def test_the_app_uses_the_wire_enums_themselves() -> None:
    assert models.Category is wire.Category
    assert models.Severity is wire.Severity
    assert models.Channel is wire.Channel is wire.SolutionKind
    assert models.TicketReceipt is wire.TicketReceipt and models.TicketUpdate is thread.TicketUpdate


def test_the_apps_request_status_is_its_own_two_then_the_vendors() -> None:
    vendor = {status.value for status in wire.TicketStatus}
    assert {status.value for status in models.RequestStatus} == vendor | {"pending", "sent"}
    for status in wire.TicketStatus:
        assert models.RequestStatus(status) == status and models.RequestStatus[status.name].value == status.value
    assert [s for s in models.RequestStatus if not s.is_open] == [models.RequestStatus.RESOLVED,
                                                                 models.RequestStatus.CLOSED]


def test_the_vendor_server_takes_and_records_the_wire_enums() -> None:
    from vendor_server import records, tickets

    body = wire.NewTicket.model_fields
    assert (body["category"].annotation, body["severity"].annotation, body["channel"].annotation) == (
        wire.Category, wire.Severity, wire.Channel)
    hints = typing.get_type_hints(records.TicketRecord)
    assert (hints["category"], hints["severity"], hints["channel"], hints["status"]) == (
        wire.Category, wire.Severity, wire.Channel, wire.TicketStatus)
    assert hints["solution_kind"] == wire.SolutionKind | None
    # The staff CLI's choices are the wire's words, as plain text.
    assert tickets.STATUSES == tuple(s.value for s in wire.TicketStatus)
    assert tickets.SOLUTION_KINDS == tuple(k.value for k in wire.SolutionKind)
    assert all(type(word) is str for word in tickets.STATUSES + tickets.SOLUTION_KINDS)


def test_the_vendor_api_accepts_exactly_the_wire_values(tmp_path: Any) -> None:
    pytest.importorskip("fastapi")
    from vendor_server.app import create_app
    from vendor_server.db import VendorDatabase

    schema = create_app(VendorDatabase(f"sqlite:///{tmp_path / 'v.sqlite3'}")).openapi()["components"]["schemas"]
    for enum in (wire.Category, wire.Severity, wire.Channel):
        assert schema[enum.__name__]["enum"] == [member.value for member in enum]
    assert set(schema["NewTicket"]["properties"]) == set(wire.NewTicket.model_fields)


def test_values_are_the_wire_words_as_they_have_always_been() -> None:
    """Renaming one breaks every installed shop: these lists change only by adding."""
    assert [c.value for c in wire.Category] == ["incident", "how_to", "regulation_update", "reinstall",
                                                "barcode_device"]
    assert [s.value for s in wire.Severity] == ["critical", "high", "normal"]
    assert [c.value for c in wire.Channel] == ["phone", "email", "remote", "on_site"]
    assert [s.value for s in wire.TicketStatus] == ["received", "in_progress", "solution_proposed",
                                                    "on_site_scheduled", "resolved", "closed"]
    assert f"{wire.TicketStatus.RESOLVED}" == "resolved"  # StrEnum: formats as the word itself


# --- messages: round trips -------------------------------------------------------------


def _round_trip(value: Any) -> Any:
    adapter = TypeAdapter(type(value))
    return adapter.validate_json(adapter.dump_json(value))


def test_new_ticket_round_trips_and_keeps_the_shops_offset() -> None:
    ticket = wire.NewTicket(category="barcode_device", severity="high", title="  Máy quét không đọc tem ",
                            description="  log\n", contact_name="Chị Lan", contact_phone="+84901234567",
                            channel="remote", opened_at=T0, app_version="0.1.0")
    assert ticket.title == "Máy quét không đọc tem" and ticket.description == "  log\n"
    assert wire.NewTicket.model_validate_json(ticket.model_dump_json()) == ticket
    assert ticket.model_dump(mode="json")["opened_at"] == "2026-03-02T11:00:00+07:00"
    utc = ticket.model_copy(update={"opened_at": T0.astimezone(dt.UTC)})
    assert utc.model_dump(mode="json")["opened_at"] == "2026-03-02T04:00:00+00:00"


@pytest.mark.parametrize("overrides", [
    {"category": "hardware"}, {"severity": "low"}, {"channel": "zalo"}, {"priority": "urgent"},
    {"title": " "}, {"title": "x" * (wire.TITLE_MAX + 1)}, {"opened_at": "2026-03-02T11:00:00"},
])
def test_new_ticket_is_strict(overrides: dict[str, Any]) -> None:
    body = {"category": "incident", "severity": "normal", "title": "t", "description": "", "contact_name": "c",
            "contact_phone": "0901234567", "channel": "phone", "opened_at": "2026-03-02T11:00:00+07:00"}
    with pytest.raises(ValidationError):
        wire.NewTicket.model_validate({**body, **overrides})


def test_answers_round_trip_with_server_times_in_utc() -> None:
    due = dt.datetime(2026, 3, 2, 16, 30, tzinfo=HCM)
    receipt = wire.TicketReceipt(7, "YC-2026-000007", "received", due, True)
    assert receipt.status is wire.TicketStatus.RECEIVED
    assert _round_trip(receipt) == receipt
    assert json.loads(TypeAdapter(wire.TicketReceipt).dump_json(receipt))["response_due_at"] == \
        "2026-03-02T09:30:00+00:00"
    update = thread.TicketUpdate(7, "YC-2026-000007", "solution_proposed", None, "remote", "Gọi lúc 14:00",
                               T0, "5e0c4f1a-0000-4000-8000-000000000001")
    feed = thread.TicketFeed((update,), dt.datetime(2026, 3, 2, 4, 1, tzinfo=dt.UTC))
    assert _round_trip(feed) == feed
    assert _round_trip(thread.TicketFeed(())) == thread.TicketFeed(())
    attachment = wire.AttachmentReceipt(3, "1b2c3d4e-0000-4000-8000-000000000001", "nhật ký.txt", 80, "0" * 64, False)
    assert _round_trip(attachment) == attachment


def test_answers_are_read_leniently() -> None:
    item = {"id": 9, "number": "YC-2027-000009", "status": "reopened", "response_due_at": "2027-01-04T09:00:00",
            "solution_kind": "video_call", "solution_text": None, "updated_at": "2027-01-04T02:00:00Z",
            "idempotency_key": "k", "messages": []}
    update = TypeAdapter(thread.TicketUpdate).validate_python(item)
    assert update.status == "reopened" and not isinstance(update.status, wire.TicketStatus)
    assert update.solution_kind == "video_call"
    assert update.response_due_at == dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)  # no offset: UTC
    assert update.updated_at.tzinfo is dt.UTC  # the standard library's, not pydantic's own class


# --- the app writes what the server reads, and reads what it writes ------------------------


class _Answer:
    def __init__(self, status: int, data: dict[str, Any]) -> None:
        self.status_code, self._data, self.content = status, data, b""

    def json(self) -> dict[str, Any]:
        return self._data


class _Session:
    """Records the app's requests and answers like the vendor server would."""

    def __init__(self, answers: dict[str, tuple[int, dict[str, Any]]]) -> None:
        self.answers, self.sent = answers, []

    def request(self, method: str, url: str, **kwargs: Any) -> _Answer:
        self.sent.append(kwargs)
        return _Answer(*self.answers[method])


def _request(opened_at: dt.datetime) -> models.SupportRequest:
    return models.SupportRequest(
        id="5e0c4f1a-0000-4000-8000-000000000001", opened_at=opened_at, category=models.Category.INCIDENT,
        severity=models.Severity.HIGH, title="Không in được hóa đơn", description=" mô tả ", contact_name="Chị Lan",
        contact_phone="+84901234567", channel=models.Channel.REMOTE, coverage="warranty", response_due_at=None,
        status=models.RequestStatus.PENDING, ticket_id=None, ticket_number=None, solution_kind=None,
        solution_text=None, attempts=0, next_attempt_at=None, last_error=None, updated_at=opened_at)


def test_the_apps_ticket_body_is_what_the_server_accepts() -> None:
    receipt = {"id": 7, "number": "YC-2026-000007", "status": "received", "response_due_at": None}
    session = _Session({"POST": (200, receipt)})
    client = VendorClient("http://vendor.test", "pmv_token", session=session)  # type: ignore[arg-type]
    answer = client.create_ticket(_request(T0))
    assert answer == wire.TicketReceipt(7, "YC-2026-000007", "received", None, False)  # 200: a replayed key
    body = session.sent[0]["json"]
    assert body == {"category": "incident", "severity": "high", "title": "Không in được hóa đơn",
                    "description": " mô tả ", "contact_name": "Chị Lan", "contact_phone": "+84901234567",
                    "channel": "remote", "opened_at": "2026-03-02T11:00:00+07:00", "app_version": body["app_version"]}
    assert wire.NewTicket.model_validate(body).opened_at == T0
    assert session.sent[0]["headers"]["Idempotency-Key"] == "5e0c4f1a-0000-4000-8000-000000000001"


def test_the_app_reads_the_servers_feed() -> None:
    update = thread.TicketUpdate(7, "YC-2026-000007", "resolved", None, "on_site", "Đã thay máy quét",
                               dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC), "k")
    served = json.loads(TypeAdapter(thread.TicketFeed).dump_json(thread.TicketFeed((update,), T0)))
    client = VendorClient("http://vendor.test", "pmv_token",
                          session=_Session({"GET": (200, served)}))  # type: ignore[arg-type]
    assert client.tickets_since(None) == ([update], T0)


# --- the values fit both sides' tables ----------------------------------------------------


def _width(table: Any, column: str) -> int:
    return table.__table__.c[column].type.length


@pytest.mark.parametrize("side", ["vendor", "app"])
def test_every_wire_value_fits_the_columns_that_keep_it(side: str) -> None:
    if side == "vendor":
        from vendor_server.db import Ticket as table
    else:
        from app.storage.tables import SupportRequestRow as table
    words = {"category": wire.Category, "severity": wire.Severity, "channel": wire.Channel,
             "status": wire.TicketStatus, "solution_kind": wire.SolutionKind}
    for column, enum in words.items():
        assert max(len(member.value) for member in enum) <= _width(table, column), column
    for column, limit in {"title": wire.TITLE_MAX, "contact_name": wire.CONTACT_NAME_MAX,
                          "contact_phone": wire.CONTACT_PHONE_MAX}.items():
        assert limit <= _width(table, column), column
    if side == "vendor":
        assert wire.APP_VERSION_MAX <= _width(table, "app_version")


def test_records_and_feed_items_share_their_field_names() -> None:
    """The server fills the feed from its records by field name: a renamed field must fail here, not in a shop."""
    from vendor_server.records import TicketRecord

    record_fields = {field.name for field in dataclasses.fields(TicketRecord)}
    # The conversation's fields (those with defaults) come from the ticket's timeline, not its record.
    ticket_fields = {field.name for field in dataclasses.fields(thread.TicketUpdate)
                     if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING}
    assert ticket_fields <= record_fields
    assert {"events", "visit", "rated"} <= {field.name for field in dataclasses.fields(thread.TicketUpdate)}
