"""The timeline's storage on a real SQLite database: what the feed costs, files kept all-or-nothing, reused ids."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from pmv_protocol.wire import NewTicket
from tests.helpers import contract_payload
from tests.unit.vendor_server.conftest import shop_row
from vendor_server import staff_acts, tickets, timeline
from vendor_server.db import Attachment, Ticket, VendorDatabase
from vendor_server.records import TicketRecord

HCM = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2026, 3, 2, 11, 0, tzinfo=HCM)


@pytest.fixture
def db(db: VendorDatabase) -> VendorDatabase:
    """The vendor database (tests/unit/vendor_server/conftest.py) with shop KP-0001."""
    db.add_shop("KP-0001", "Kim Phát")
    return db


def open_ticket(db: VendorDatabase, now: dt.datetime = T0) -> TicketRecord:
    new = NewTicket(category="incident", severity="normal", title="Máy in kẹt giấy", description="",
                    contact_name="Chị Lan", contact_phone="0901234567", channel="phone", opened_at=now)
    record, created = tickets.create_ticket(db, shop_row(db), str(uuid.uuid4()), new, now=now)
    assert created
    return record


@contextmanager
def statements(db: VendorDatabase) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_opening_step_keeps_the_deadline_the_shop_was_given(db: VendorDatabase) -> None:
    """The SLA report judges the first promise by it, even after a refusal overwrote the ticket's deadline."""
    db.store_contract("KP-0001", json.dumps({"payload": contract_payload(), "signatures": []}), T0)  # warranty
    record = open_ticket(db)
    with db.sessions() as session:
        due = session.get(Ticket, record.id).response_due_at  # type: ignore[union-attr]
        kind, data = session.execute(text("SELECT kind, data FROM ticket_events WHERE ticket_id = :t ORDER BY id"),
                                     {"t": record.id}).first()  # type: ignore[misc]
    # Mon 02/03/2026 11:00, normal, warranty: 1 h to 12:00, lunch, 13:30 + 3 h -> 16:30 (4 working hours).
    assert due == dt.datetime(2026, 3, 2, 16, 30, tzinfo=HCM)
    assert kind == "opened" and dt.datetime.fromisoformat(json.loads(data)["response_due_at"]) == due


def test_the_feed_reads_any_number_of_tickets_in_three_queries_and_none_for_nothing_new(
        db: VendorDatabase, tmp_path: Path) -> None:
    log = tmp_path / "nhật ký.txt"
    log.write_text("dòng 1\n", encoding="utf-8")
    records = [open_ticket(db) for _ in range(12)]
    for minute, record in enumerate(records):
        for step in range(10):
            staff_acts.reply(db, record.number, staff="Anh Tuấn", text=f"bước {step}",
                             files=[log] if step == 9 else (), attachments_root=tmp_path / "attachments",
                             now=T0 + dt.timedelta(minutes=minute, seconds=step))
    since = T0 + dt.timedelta(minutes=5)
    changed = tickets.tickets_updated_since(db, shop_row(db).id, since)
    assert len(changed) == 7  # the tickets of minutes 5..11

    with statements(db) as seen:
        assert timeline.threads(db, [], since) == []
    assert seen == []  # a shop with nothing new: not one query more than before the conversation

    with statements(db) as seen:
        threads = timeline.threads(db, changed, since)
    assert len([s for s, _ in seen if s.lstrip().upper().startswith("SELECT")]) == 3  # events, files, flows
    # Minute 5's first step, at 11:05:00 itself, is not after 11:05:00; the other tickets' steps all are.
    assert [len(t.events) for t in threads] == [9] + [10] * 6
    assert [len(t.events) for t in timeline.threads(db, changed, since + dt.timedelta(seconds=4))] == [5] + [10] * 6
    assert all(t.events[-1].files and t.events[-1].files[0].filename == "nhật ký.txt" for t in threads)

    # The events' query is answered from the (ticket_id, recorded_at) index, not by reading the table.
    query, parameters = next((s, p) for s, p in seen if "FROM ticket_events" in s)
    with db.engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}",
                                                                          parameters))
    assert "ix_ticket_events_ticket_recorded" in plan and "SCAN" not in plan.replace("SCAN CONSTANT", "")


def test_a_vendor_message_whose_file_cannot_be_read_keeps_nothing(db: VendorDatabase, tmp_path: Path) -> None:
    record = open_ticket(db)
    good = tmp_path / "a.txt"
    good.write_bytes(b"abc")
    root = tmp_path / "attachments"
    with pytest.raises(OSError):
        staff_acts.reply(db, record.number, staff="Anh Tuấn", text="hai file", files=[good, tmp_path / "missing.txt"],
                         attachments_root=root, now=T0)
    assert [p for p in root.rglob("*") if p.is_file()] == []
    with db.sessions() as session:
        assert session.scalars(select(Attachment)).all() == []
    assert [e.kind for e in timeline.ticket_thread(db, Ticket.id == record.id).events] == ["opened"]  # type: ignore


def test_a_ticket_id_handed_out_again_does_not_inherit_the_old_conversation(db: VendorDatabase,
                                                                         tmp_path: Path) -> None:
    gone = open_ticket(db)
    staff_acts.reply(db, gone.number, staff="Anh Tuấn", text="cũ", attachments_root=tmp_path, now=T0)
    with db.sessions.begin() as session:  # deleted, or the tickets restored from an older backup
        session.execute(text("DELETE FROM tickets WHERE id = :id"), {"id": gone.id})
    again = open_ticket(db, T0 + dt.timedelta(hours=1))
    assert again.id == gone.id  # SQLite hands the highest id out again
    thread = timeline.ticket_thread(db, Ticket.id == again.id)
    assert thread is not None
    assert [(e.kind, e.at) for e in thread.events] == [("opened", T0 + dt.timedelta(hours=1))]
