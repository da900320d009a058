"""The queue's working clock: each day summed once per page, the calendar's own answers; the page's rows, running
clocks first within its limit, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.thread import Author, EventKind
from vendor_server.console.queue import Queue, QueueFilter, WorkingClock, answered_tickets, open_queue
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.thread_tables import TicketEventRow

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


def test_the_queues_working_clock_agrees_with_the_calendar() -> None:
    """WorkingClock sums each day once; it must give WorkingCalendar.working_time_between's answer."""
    cal = WorkingCalendar.default()
    now = vn(2026, 3, 10, 10, 45)
    deadlines = [vn(2026, 3, 10, 11), vn(2026, 3, 10, 14, 30), vn(2026, 2, 13, 16, 30), vn(2026, 3, 16, 9),
                 vn(2026, 1, 2, 8), vn(2026, 3, 10, 10, 45), vn(2026, 3, 14, 20)]
    clock = WorkingClock(cal, [now, *deadlines])
    for due in deadlines:
        assert clock.between(now, due) == cal.working_time_between(now, due), due


def test_the_working_clock_counts_hand_worked_cases() -> None:
    # Default week (Mon–Fri 08:00–12:00, 13:30–17:30; Sat 08:00–12:00): Fri 16:30 → Mon 09:00 is 1 + 4 + 1 h.
    clock = WorkingClock(WorkingCalendar.default(), [vn(2026, 3, 13, 16, 30), vn(2026, 3, 16, 9)])
    assert clock.between(vn(2026, 3, 13, 16, 30), vn(2026, 3, 16, 9)) == dt.timedelta(hours=6)
    assert clock.between(vn(2026, 3, 16, 9), vn(2026, 3, 13, 16, 30)) == -dt.timedelta(hours=6)


# --- the page's rows: running clocks first, within the limit ------------------------------------------------------

NOW = vn(2026, 4, 20, 10)  # Monday 20/04/2026 10:00, a working morning


class _Desk:
    """Tickets written as the server stores them, with their steps, on a real database."""

    def __init__(self, db: VendorDatabase) -> None:
        self.db = db
        self.serial = 0
        with db.sessions.begin() as session:
            shop = Shop(shop_id="KP-0001", name="Tiệm vàng Kim Phát", token_hash="0" * 64,
                        created_at=vn(2026, 1, 5, 8))
            session.add(shop)
            session.flush()
            self.shop_pk = shop.id

    def ticket(self, due: dt.datetime | None, *, status: str = "received", severity: str = "normal",
               steps: tuple[EventKind, ...] = ()) -> str:
        self.serial += 1
        opened = (due or NOW) - dt.timedelta(hours=4)
        with self.db.sessions.begin() as session:
            ticket = Ticket(shop_pk=self.shop_pk, idempotency_key=str(uuid.UUID(int=self.serial)),
                            number=f"YC-2026-{self.serial:06d}", category="incident", severity=severity,
                            title=f"Máy in số {self.serial}", description="In ra giấy trắng", contact_name="Chị Hoa",
                            contact_phone="0903112233", channel="remote",
                            coverage="warranty" if due else "expired", opened_at=opened, response_due_at=due,
                            status=status, created_at=opened, updated_at=opened)
            session.add(ticket)
            session.flush()
            for minutes, kind in enumerate((EventKind.OPENED, *steps)):
                author = Author.SHOP if kind in (EventKind.OPENED, EventKind.REFUSED) else Author.VENDOR
                at = opened + dt.timedelta(minutes=minutes)
                session.add(TicketEventRow(ticket_id=ticket.id, kind=kind.value, author=author.value,
                                           author_name="Lan", at=at, recorded_at=at))
        return ticket.number or ""


@pytest.fixture(params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Desk]:
    """The same rows on SQLite and on a throw-away PostgreSQL: the queue's SQL must read alike on both."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'vendor.sqlite3'}"
        else:
            from tests.pg_cluster import cluster

            pg = stack.enter_context(cluster())
            with pg.admin.connect() as connection:
                connection.exec_driver_sql("CREATE DATABASE queue")
            url = pg.url("queue")
        db = VendorDatabase(url)
        stack.callback(db.engine.dispose)
        yield _Desk(db)


def test_running_clocks_fill_the_page_before_answered_tickets_and_the_page_counts_the_rest(desk: _Desk) -> None:
    """Found by a review: the page's 200 rows were cut by deadline in SQL and only then were answered tickets moved
    to the end, so enough answered tickets with earlier deadlines hid every running one, an overdue critical
    request included, and nothing said rows were missing."""
    answered = [desk.ticket(vn(2026, 3, 2, 9 + n), status="solution_proposed", steps=(EventKind.PROPOSED,))
                for n in range(4)]
    offered = desk.ticket(vn(2026, 3, 3, 9), status="in_progress", steps=(EventKind.VISIT_PROPOSED,))
    no_deadline = desk.ticket(None)
    overdue = desk.ticket(vn(2026, 4, 20, 9, 30), severity="critical")
    refused = desk.ticket(vn(2026, 4, 20, 11), status="in_progress", steps=(EventKind.PROPOSED, EventKind.REFUSED))
    later = desk.ticket(vn(2026, 4, 21, 9))

    def page(limit: int) -> Queue:
        return open_queue(desk.db, QueueFilter(limit=limit), WorkingCalendar.default(), NOW)

    full = page(200)
    assert [row.number for row in full.rows] == [overdue, refused, later, *answered, offered, no_deadline]
    assert [row.clock_runs for row in full.rows] == [True] * 3 + [False] * 6
    assert full.rows[0].breached and full.total == 9 and full.hidden == 0

    cut = page(4)  # the running three first, then the first answered one; the other five counted
    assert [row.number for row in cut.rows] == [overdue, refused, later, answered[0]]
    assert (cut.total, cut.hidden) == (9, 5)
    assert page(2).rows[0].number == overdue  # however small the page

    with desk.db.sessions() as session:  # the one rule: the page's SQL and answered_tickets agree
        ids = {row.number: row.ticket_id for row in full.rows}
        assert answered_tickets(session, ids.values()) == {ids[n] for n in (*answered, offered)}
