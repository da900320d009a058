"""Tickets the vendor's system opens for a shop, and the note when their check recovers, on a real SQLite database.

The deadline is the point: a system ticket must get exactly the deadline a request the shop raised at the same
moment would get (the same coverage rule, the same SLA table, the calendar the server publishes).  Each test
compares against the shop's own path (:func:`vendor_server.tickets.create_ticket`) or the SLA itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.sla import response_due
from pmv_protocol.thread import Author, EventKind
from pmv_protocol.wire import Category, Channel, NewTicket, Severity
from tests.unit.vendor_server.conftest import shop_row
from vendor_server import tickets, timeline
from vendor_server.calendars import PublishedCalendars
from vendor_server.contract_issue import issue_contract
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.fleet.system_tickets import HOTLINE, SYSTEM_CONTACT, note_check_recovered, open_system_ticket
from vendor_server.fleet.tables import ShopContact
from vendor_server.keys import VendorKeys
from vendor_server.records import TicketRecord, ticket_record

# Monday 2 March 2026, 10:00 in the shop: a working morning on the default calendar.
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHOP_TZ)
SINCE = dt.datetime(2026, 2, 28, 7, 30, tzinfo=SHOP_TZ)  # critical since Saturday 07:30
CALENDARS = PublishedCalendars(None)  # no repository: the default calendar, as a server without packs counts


@pytest.fixture
def db(db: VendorDatabase) -> VendorDatabase:
    """The vendor database (tests/unit/vendor_server/conftest.py) with shop KP-0001."""
    db.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    return db


def contract(db: VendorDatabase, tmp_path: Path, **terms: Any) -> None:
    keys = tmp_path / "keys"
    if not keys.exists():
        VendorKeys(keys).init()
    issue_contract(db, keys, shop_id="KP-0001", package="PMV-GOLD-PRO", now=T0 - dt.timedelta(days=30), **terms)


def open_for(db: VendorDatabase, check_id: str, *, now: dt.datetime = T0,
             calendars: PublishedCalendars = CALENDARS) -> TicketRecord:
    """Open a system ticket and commit, as the sweep does; the ticket's record."""
    with db.sessions() as session:
        ticket = open_system_ticket(session, shop_row(db), check_id=check_id, status_since=SINCE, now=now,
                                    calendars=calendars)
        session.commit()
        return ticket_record(ticket)


def shop_raised(db: VendorDatabase, severity: str, now: dt.datetime = T0,
                calendar: WorkingCalendar | None = None) -> TicketRecord:
    new = NewTicket(category=Category.INCIDENT, severity=Severity(severity), title="Máy bán hàng lỗi",
                    description="", contact_name="Chị Lan", contact_phone="0901234567", channel=Channel.PHONE,
                    opened_at=now)
    record, created = tickets.create_ticket(db, shop_row(db), str(uuid.uuid4()), new, now=now, calendar=calendar)
    assert created
    return record


def ticket_count(db: VendorDatabase) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_a_backup_ticket_is_the_shops_kind_of_ticket_opened_by_the_system(db: VendorDatabase,
                                                                          tmp_path: Path) -> None:
    contract(db, tmp_path, warranty_months=12, accepted_on=dt.date(2026, 1, 15))
    with db.sessions() as session:
        session.add(ShopContact(shop_pk=shop_row(db).id, last_seen_at=T0, last_heartbeat_id=str(uuid.uuid4()),
                                telemetry=True, app_version="1.6.0", report="{}"))
        session.commit()
    record = open_for(db, "backup.age")
    assert (record.opened_by, record.check_id) == ("system", "backup.age")
    assert str(uuid.UUID(record.idempotency_key)) == record.idempotency_key  # a fresh UUID of the server's own
    assert (record.category, record.severity, record.channel, record.status) == ("incident", "high", "phone",
                                                                                  "received")
    assert record.title == "Sao lưu dữ liệu quá hạn"
    assert "28/02/2026 07:30" in record.description  # since when, in shop time
    assert (record.contact_name, record.contact_phone) == (SYSTEM_CONTACT, HOTLINE) == ("Hệ thống PMV", "1900 6037")
    assert record.app_version == "1.6.0"  # what the shop last reported, for the staff's page
    assert record.number == f"YC-2026-{record.id:06d}"
    assert (record.coverage, record.opened_at) == ("warranty", T0)
    # Warranty, high: 4 working hours from 10:00 Monday (lunch 12:00-13:30) -> 15:30, as the SLA says.
    assert record.response_due_at == response_due(T0, "high", "warranty") == T0.replace(hour=15, minute=30)
    # The same deadline a request the shop raised at that moment gets: one rule for both.
    assert record.response_due_at == shop_raised(db, "high").response_due_at
    thread = timeline.ticket_thread(db, Ticket.id == record.id)
    assert thread is not None
    assert [(e.kind, e.author, e.author_name, e.client_id, e.text) for e in thread.events] == [
        (EventKind.OPENED, Author.SYSTEM, "Hệ thống PMV", None, record.title)]
    assert thread.flow.status == "received" and thread.flow.finished_at is None


@pytest.mark.parametrize(("check_id", "severity", "due_hour", "title"), [
    # Maintenance in force: critical and high 2 h, normal 4 h.
    ("pos.db.connect", "critical", (12, 0), "Không kết nối được cơ sở dữ liệu PMV"),
    ("backup.restorable", "high", (12, 0), None),
    ("disk.free", "normal", (15, 30), "Kiểm tra \u201cdisk.free\u201d báo nghiêm trọng"),
])
def test_severity_follows_the_check_and_the_deadline_the_shops_coverage(
        db: VendorDatabase, tmp_path: Path, check_id: str, severity: str, due_hour: tuple[int, int],
        title: str | None) -> None:
    contract(db, tmp_path, warranty_months=6, accepted_on=dt.date(2025, 1, 15),
             maintenance=[{"start": "2025-07-16", "end": "2026-07-15", "tier": "standard"}])
    record = open_for(db, check_id)
    assert (record.severity, record.coverage) == (severity, "maintenance")
    assert record.response_due_at == T0.replace(hour=due_hour[0], minute=due_hour[1])
    assert record.response_due_at == shop_raised(db, severity).response_due_at
    if title is not None:
        assert record.title == title
    assert "28/02/2026 07:30" in record.description


def test_a_shop_without_a_contract_gets_its_ticket_without_a_deadline(db: VendorDatabase) -> None:
    record = open_for(db, "pos.db.connect")
    assert (record.coverage, record.response_due_at, record.severity) == ("expired", None, "critical")


def test_the_deadline_counts_on_the_calendar_the_server_publishes(db: VendorDatabase, tmp_path: Path) -> None:
    contract(db, tmp_path, warranty_months=12, accepted_on=dt.date(2026, 1, 15))
    # The vendor's calendar closes Monday 2 March: the clock starts Tuesday 08:00 (critical: 2 h -> 10:00).
    closed_monday = WorkingCalendar.from_config(extra_days_off=["2026-03-02"])
    record = open_for(db, "pos.db.connect", calendars=PublishedCalendars(None, base=closed_monday))
    assert record.response_due_at == dt.datetime(2026, 3, 3, 10, 0, tzinfo=SHOP_TZ)
    assert record.response_due_at == shop_raised(db, "critical", calendar=closed_monday).response_due_at
    # Opened on Sunday evening on the default calendar: from Monday's opening, as any request.
    sunday = dt.datetime(2026, 3, 1, 20, 0, tzinfo=SHOP_TZ)
    assert open_for(db, "pos.db.connect", now=sunday).response_due_at == T0.replace(hour=10)


def test_opening_is_the_callers_transaction(db: VendorDatabase) -> None:
    with db.sessions() as session:
        ticket = open_system_ticket(session, shop_row(db), check_id="backup.age", status_since=SINCE, now=T0,
                                    calendars=CALENDARS)
        assert ticket.id is not None and ticket.number is not None  # flushed: the sweep can point at it
        session.rollback()
    assert ticket_count(db) == 0


def test_each_system_ticket_has_its_own_key_and_number(db: VendorDatabase) -> None:
    first, second = open_for(db, "backup.age"), open_for(db, "pos.db.connect")
    assert first.idempotency_key != second.idempotency_key and first.number != second.number


@pytest.mark.parametrize(("check_id", "since", "now"), [
    ("", SINCE, T0), (" ", SINCE, T0), ("x" * 65, SINCE, T0),
    ("backup.age", SINCE.replace(tzinfo=None), T0), ("backup.age", SINCE, T0.replace(tzinfo=None)),
])
def test_bad_input_is_refused_and_adds_nothing(db: VendorDatabase, check_id: str, since: dt.datetime,
                                               now: dt.datetime) -> None:
    with db.sessions() as session, pytest.raises(ValueError, match="check id|timezone-aware"):
        open_system_ticket(session, shop_row(db), check_id=check_id, status_since=since, now=now, calendars=CALENDARS)
    assert ticket_count(db) == 0


def test_a_recovery_is_a_note_on_the_same_ticket_for_both_sides(db: VendorDatabase, tmp_path: Path) -> None:
    contract(db, tmp_path, warranty_months=12, accepted_on=dt.date(2026, 1, 15))
    record = open_for(db, "backup.age")
    later = T0 + dt.timedelta(hours=3, minutes=5)
    with db.sessions() as session:
        ticket = session.get(Ticket, record.id)
        assert ticket is not None
        note_check_recovered(session, ticket, check_id="backup.age", status="ok", now=later)
        session.commit()
    assert ticket_count(db) == 1  # a note, not a new ticket
    # The shop's feed brings it: the steps after the opening, as a poll since then reads them.
    after = tickets.tickets_updated_since(db, shop_row(db).id, T0)
    assert [t.id for t in after] == [record.id]
    thread = timeline.threads(db, after, T0)[0]
    assert [(e.kind, e.author, e.author_name, e.text) for e in thread.events] == [
        (EventKind.MESSAGE, Author.SYSTEM, "Hệ thống PMV",
         "Kiểm tra \u201cSao lưu dữ liệu\u201d đã trở lại bình thường lúc 02/03/2026 13:05.")]
    now_record = thread.ticket
    assert (now_record.status, now_record.response_due_at) == (record.status, record.response_due_at)  # unchanged
    assert now_record.updated_at == later


def test_a_check_only_out_of_critical_says_so(db: VendorDatabase) -> None:
    record = open_for(db, "pos.db.connect")
    with db.sessions() as session:
        ticket = session.get(Ticket, record.id)
        assert ticket is not None
        note_check_recovered(session, ticket, check_id="pos.db.connect", status="warning", now=T0)
        with pytest.raises(ValueError, match="timezone-aware"):
            note_check_recovered(session, ticket, check_id="pos.db.connect", status="ok", now=T0.replace(tzinfo=None))
        session.commit()
    thread = timeline.ticket_thread(db, Ticket.id == record.id)
    assert thread is not None
    assert thread.events[-1].text == ("Kiểm tra \u201cKết nối cơ sở dữ liệu PMV\u201d không còn báo nghiêm trọng "
                                      "lúc 02/03/2026 10:00 (kết quả mới nhất: cảnh báo).")
    assert len(thread.events) == 2
