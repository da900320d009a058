"""The SLA report on a real SQLite file, with every expected figure worked out by hand.

The calendar is the default one (Mon–Fri 08:00–12:00 and 13:30–17:30, Sat 08:00–12:00, Asia/Ho_Chi_Minh;
no public holiday in March or in 01–25 April 2026).  A normal request on warranty is due in 4 working hours,
a critical one in 2.  Rows are written directly (Shop, Ticket, TicketEventRow), as the server would have
stored them, so each test states its timeline in full.  ``NOW`` is Monday 20/04/2026 10:00 shop time, so the
default window (3 months) is February, March and April 2026.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from pmv_protocol.calendar import WorkingCalendar
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.sla import response_due
from pmv_protocol.thread import Author, EventKind
from vendor_server.console.sla_report import ALL_STAFF, UNASSIGNED, Breach, SlaRow, nearest_rank, sla_report
from vendor_server.console.tables import StaffRow, TicketAssignment
from vendor_server.db import Shop, Ticket, VendorDatabase
from vendor_server.thread_records import event_data
from vendor_server.thread_tables import TicketEventRow

CALENDAR = WorkingCalendar.default()
H = dt.timedelta(hours=1)
_serial = itertools.count(1)


def ict(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A shop-time moment (UTC+7): how the expectations below are read and worked out."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHOP_TZ)


NOW = ict(2026, 4, 20, 10)  # Monday


def add_shop(session: Session, shop_id: str = "PMV-0001") -> Shop:
    shop = Shop(shop_id=shop_id, name=f"Cửa hàng {shop_id}", token_hash=f"{next(_serial):064d}",
                created_at=ict(2026, 1, 5, 8))
    session.add(shop)
    session.flush()
    return shop


def add_ticket(session: Session, shop: Shop, opened_at: dt.datetime, due: dt.datetime | None, *,
               severity: str = "normal", coverage: str = "warranty", opening_data: str | None = None) -> Ticket:
    """A ticket as create_ticket stores it: ``due`` is the deadline its row holds now; ``opening_data`` the
    opening step's (the deadline given, since it is kept there; None: a row from before that)."""
    serial = next(_serial)
    ticket = Ticket(shop_pk=shop.id, idempotency_key=f"00000000-0000-4000-8000-{serial:012d}",
                    number=f"PMV-T{serial:05d}", category="pos", severity=severity, title=f"Máy in số {serial}",
                    description="Máy in không in hóa đơn", contact_name="Chị Hoa", contact_phone="0900000000",
                    channel="app", coverage=coverage, opened_at=opened_at, response_due_at=due, status="received",
                    created_at=opened_at, updated_at=opened_at)
    session.add(ticket)
    session.flush()
    step(session, ticket, EventKind.OPENED, opened_at, author=Author.SHOP, name="Chị Hoa", data=opening_data)
    return ticket


def step(session: Session, ticket: Ticket, kind: EventKind, at: dt.datetime, *, author: Author = Author.VENDOR,
         name: str = "Lan", data: str | None = None) -> None:
    """One timeline step; rows are added in time order, so their ids are the server's order too."""
    session.add(TicketEventRow(ticket_id=ticket.id, kind=kind.value, author=author.value, author_name=name, at=at,
                               recorded_at=at, data=data))
    session.flush()


def refusal(session: Session, ticket: Ticket, at: dt.datetime, due: dt.datetime, kind: EventKind) -> None:
    """The shop refuses (or reopens): a new deadline in the step's data, and on the ticket's row."""
    step(session, ticket, kind, at, author=Author.SHOP, name="Chị Hoa", data=event_data(response_due_at=due))
    ticket.response_due_at = due


def assign(session: Session, ticket: Ticket, name: str) -> None:
    staff = StaffRow(login=f"staff{next(_serial)}", name=name, role="agent", password_hash="x", totp_secret="x",
                     created_at=ict(2026, 1, 5, 8), password_changed_at=ict(2026, 1, 5, 8))
    session.add(staff)
    session.flush()
    session.add(TicketAssignment(ticket_id=ticket.id, staff_id=staff.id, assigned_at=ticket.opened_at))


def test_met_and_breached_in_one_month_for_two_staff(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Tue 10/03 09:00, 4 h: 09:00–12:00 is 3 h, then 13:30 + 1 h -> due 14:30.  Lan proposes at 10:30:
        # 1.5 working hours, met.
        due = ict(2026, 3, 10, 14, 30)
        assert response_due(ict(2026, 3, 10, 9), "normal", "warranty", CALENDAR) == due
        first = add_ticket(session, shop, ict(2026, 3, 10, 9), due)
        step(session, first, EventKind.PROPOSED, ict(2026, 3, 10, 10, 30), name="Lan")
        # Critical, Wed 11/03 11:00, 2 h: 11:00–12:00 is 1 h, then 13:30 + 1 h -> due 14:30.  Minh offers a
        # visit at 14:00 (an offered visit keeps the promise): 1 + 0.5 = 1.5 working hours, met.
        due = ict(2026, 3, 11, 14, 30)
        assert response_due(ict(2026, 3, 11, 11), "critical", "warranty", CALENDAR) == due
        second = add_ticket(session, shop, ict(2026, 3, 11, 11), due, severity="critical")
        step(session, second, EventKind.VISIT_PROPOSED, ict(2026, 3, 11, 14), name="Minh")
        # Fri 13/03 16:30, 4 h: 16:30–17:30 is 1 h, then Sat 08:00 + 3 h -> due Sat 14/03 11:00.  Minh writes
        # a message on Friday 17:00 (not an answer) and proposes on Mon 16/03 09:00: 1 + 4 + 1 = 6 working
        # hours, breached.
        due = ict(2026, 3, 14, 11)
        assert response_due(ict(2026, 3, 13, 16, 30), "normal", "warranty", CALENDAR) == due
        late = add_ticket(session, shop, ict(2026, 3, 13, 16, 30), due)
        step(session, late, EventKind.MESSAGE, ict(2026, 3, 13, 17), name="Minh")
        step(session, late, EventKind.PROPOSED, ict(2026, 3, 16, 9), name="Minh")
        number, title = late.number, late.title

    report = sla_report(db, CALENDAR, NOW)

    # Lan: [1.5 h]; Minh: [1.5 h, 6 h] -> p50 is rank ceil(0.5 * 2) = 1 (1.5 h), p90 rank ceil(1.8) = 2 (6 h).
    assert report.rows == (SlaRow("2026-03", "Lan", 1, 1, 0, 1.5 * H, 1.5 * H),
                           SlaRow("2026-03", "Minh", 2, 1, 1, 1.5 * H, 6 * H))
    # The month: [1.5, 1.5, 6] h -> p50 rank ceil(1.5) = 2 (1.5 h), p90 rank ceil(2.7) = 3 (6 h); months
    # without a promise still have their total.
    assert report.totals == (SlaRow("2026-04", ALL_STAFF, 0, 0, 0, None, None),
                             SlaRow("2026-03", ALL_STAFF, 3, 2, 1, 1.5 * H, 6 * H),
                             SlaRow("2026-02", ALL_STAFF, 0, 0, 0, None, None))
    assert report.rows[1].met_share == 0.5 and report.totals[0].met_share is None
    assert report.breaches == (Breach(number or "", "PMV-0001", title, ict(2026, 3, 13, 16, 30),
                                      ict(2026, 3, 14, 11), ict(2026, 3, 16, 9), "Minh"),)
    assert report.breaches[0].path == f"/console/tickets/{number}" and not report.breaches[0].open
    assert (report.uncovered, report.pending) == (0, 0)


def test_staff_rows_follow_the_vietnamese_alphabet_and_the_unassigned_come_last(db: VendorDatabase) -> None:
    """Found by a review: the staff were sorted by str.casefold, so "Ánh" and "Đặng Minh" came after "Vũ Lan".  The
    expected order is the Vietnamese alphabet's (a ă â b c d đ …; test_vietnamese_order.py beside this file): Ánh,
    Bình, Đặng Minh, Vũ Lan, then the open breach nobody is assigned to."""
    with db.sessions.begin() as session:
        shop = add_shop(session)
        for hour, name in zip((9, 10, 11, 13), ("Vũ Lan", "Đặng Minh", "Ánh", "Bình"), strict=True):
            opened = ict(2026, 3, 10, hour)
            ticket = add_ticket(session, shop, opened, response_due(opened, "normal", "warranty", CALENDAR))
            step(session, ticket, EventKind.PROPOSED, opened + dt.timedelta(minutes=30), name=name)
        add_ticket(session, shop, ict(2026, 3, 11, 9), ict(2026, 3, 11, 13, 30))  # never answered, nobody's
    assert [row.staff for row in sla_report(db, CALENDAR, NOW).rows] == ["Ánh", "Bình", "Đặng Minh", "Vũ Lan",
                                                                         UNASSIGNED]


@pytest.mark.parametrize("restart", [EventKind.REFUSED, EventKind.REOPENED])
def test_a_refusal_or_reopening_restarts_the_promise(db: VendorDatabase, restart: EventKind) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Mon 02/03 09:00 -> due 14:30 (as above); Lan proposes at 10:00: 1 working hour, met.
        ticket = add_ticket(session, shop, ict(2026, 3, 2, 9), ict(2026, 3, 2, 14, 30))
        step(session, ticket, EventKind.PROPOSED, ict(2026, 3, 2, 10), name="Lan")
        # The shop refuses on Tue 03/03 15:00: 4 h = 15:00–17:30 (2.5 h) + Wed 08:00–09:30 -> due Wed 09:30.
        # The ticket's row now holds only that deadline; the first one is computed again (02/03 14:30).
        refusal(session, ticket, ict(2026, 3, 3, 15), ict(2026, 3, 4, 9, 30), restart)
        # A shop message answers nothing; Minh proposes Wed 11:00: 2.5 + 3 = 5.5 working hours, breached.
        step(session, ticket, EventKind.MESSAGE, ict(2026, 3, 3, 16), author=Author.SHOP, name="Chị Hoa")
        step(session, ticket, EventKind.PROPOSED, ict(2026, 3, 4, 11), name="Minh")
        number = ticket.number

    report = sla_report(db, CALENDAR, NOW)

    assert report.rows == (SlaRow("2026-03", "Lan", 1, 1, 0, 1 * H, 1 * H),
                           SlaRow("2026-03", "Minh", 1, 0, 1, 5.5 * H, 5.5 * H))
    assert [(b.ticket_number, b.started_at, b.deadline, b.answered_at, b.staff) for b in report.breaches] == [
        (number, ict(2026, 3, 3, 15), ict(2026, 3, 4, 9, 30), ict(2026, 3, 4, 11), "Minh")]


def test_the_first_promise_is_the_deadline_the_shop_was_given_not_one_counted_again(db: VendorDatabase) -> None:
    """A calendar pack changed since the ticket opened (here: Mon 02/03 was a company day off when it opened, and
    no longer is) must not turn a kept promise into a breach: the opening step keeps the deadline it gave."""
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Opened Mon 02/03 09:00 on a day off: 4 working hours from Tue 08:00 -> due Tue 03/03 12:00 (given).
        given = ict(2026, 3, 3, 12)
        ticket = add_ticket(session, shop, ict(2026, 3, 2, 9), given, opening_data=event_data(response_due_at=given))
        step(session, ticket, EventKind.PROPOSED, ict(2026, 3, 3, 11, 30), name="Lan")  # before 12:00: kept
        refusal(session, ticket, ict(2026, 3, 4, 9), ict(2026, 3, 4, 13, 30), EventKind.REFUSED)
        step(session, ticket, EventKind.PROPOSED, ict(2026, 3, 4, 10), name="Lan")

    # Counted again on today's calendar (Monday a working day) the first deadline would be Mon 14:30: breached.
    assert response_due(ict(2026, 3, 2, 9), "normal", "warranty", CALENDAR) == ict(2026, 3, 2, 14, 30)
    report = sla_report(db, CALENDAR, NOW)
    assert report.breaches == ()
    assert [(r.staff, r.promises, r.met) for r in report.rows] == [("Lan", 2, 2)]


def test_open_breaches_go_to_the_assignee_or_unassigned_and_pending_is_not_counted(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Thu 16/04 09:00 -> due 14:30; unanswered at NOW (Mon 20/04 10:00): an open breach, Chị Lan's ticket.
        assigned = add_ticket(session, shop, ict(2026, 4, 16, 9), ict(2026, 4, 16, 14, 30))
        assign(session, assigned, "Chị Lan")
        # Thu 16/04 10:00: 10:00–12:00 is 2 h, 13:30 + 2 h -> due 15:30; unanswered, nobody assigned.
        add_ticket(session, shop, ict(2026, 4, 16, 10), ict(2026, 4, 16, 15, 30))
        # Mon 20/04 09:00 -> due 14:30, after NOW: pending, a vendor message does not change that.
        pending = add_ticket(session, shop, ict(2026, 4, 20, 9), ict(2026, 4, 20, 14, 30))
        step(session, pending, EventKind.MESSAGE, ict(2026, 4, 20, 9, 30), name="Minh")
        # Opened after NOW: not seen at all.
        add_ticket(session, shop, ict(2026, 4, 20, 11), ict(2026, 4, 20, 15, 30))

    report = sla_report(db, CALENDAR, NOW)

    # No answer, so no response time: breached, with no percentile.
    assert report.rows == (SlaRow("2026-04", "Chị Lan", 1, 0, 1, None, None),
                           SlaRow("2026-04", UNASSIGNED, 1, 0, 1, None, None))
    assert report.totals[0] == SlaRow("2026-04", ALL_STAFF, 2, 0, 2, None, None)
    assert [(b.started_at, b.deadline, b.answered_at, b.staff, b.open) for b in report.breaches] == [
        (ict(2026, 4, 16, 10), ict(2026, 4, 16, 15, 30), None, UNASSIGNED, True),
        (ict(2026, 4, 16, 9), ict(2026, 4, 16, 14, 30), None, "Chị Lan", True)]
    assert report.pending == 1


def test_a_reopening_after_a_close_without_proposal_leaves_the_first_promise_unkept(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Mon 02/03 09:00 -> due 14:30.  Staff close it at 09:30 without proposing (no answer); the shop
        # reopens at 10:00: due 10:00–12:00 (2 h) + 13:30–15:30 -> 15:30.  Lan's 11:00 proposal answers the
        # reopening (1 h, met), not the first promise, which is an open breach (unassigned).
        ticket = add_ticket(session, shop, ict(2026, 3, 2, 9), ict(2026, 3, 2, 14, 30))
        step(session, ticket, EventKind.CLOSED, ict(2026, 3, 2, 9, 30), name="Minh")
        refusal(session, ticket, ict(2026, 3, 2, 10), ict(2026, 3, 2, 15, 30), EventKind.REOPENED)
        step(session, ticket, EventKind.PROPOSED, ict(2026, 3, 2, 11), name="Lan")

    report = sla_report(db, CALENDAR, NOW)

    assert report.rows == (SlaRow("2026-03", "Lan", 1, 1, 0, 1 * H, 1 * H),
                           SlaRow("2026-03", UNASSIGNED, 1, 0, 1, None, None))
    assert [(b.started_at, b.deadline, b.answered_at) for b in report.breaches] == [
        (ict(2026, 3, 2, 9), ict(2026, 3, 2, 14, 30), None)]


def test_a_ticket_without_coverage_makes_no_promise(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Expired coverage: no deadline, never answered -> not a breach, counted as uncovered.
        add_ticket(session, shop, ict(2026, 3, 10, 9), None, coverage="expired")
        # Uncovered and answered: still no promise, no row.
        answered = add_ticket(session, shop, ict(2026, 3, 11, 9), None, coverage="expired")
        step(session, answered, EventKind.PROPOSED, ict(2026, 3, 11, 10), name="Lan")

    report = sla_report(db, CALENDAR, NOW)

    assert (report.rows, report.breaches, report.uncovered, report.pending) == ((), (), 2, 0)
    assert all(total.promises == 0 for total in report.totals)


def test_the_month_is_the_shop_times(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Wed 01/04 05:00 +07 is Tue 31/03 22:00 UTC: April's.  Counted from the 08:00 opening -> due 12:00;
        # Lan proposes at 09:00: 1 working hour.
        april = ict(2026, 4, 1, 5)
        assert april.astimezone(dt.UTC).date() == dt.date(2026, 3, 31)
        early = add_ticket(session, shop, april, ict(2026, 4, 1, 12))
        step(session, early, EventKind.PROPOSED, ict(2026, 4, 1, 9), name="Lan")
        # Tue 31/03 18:00 +07 (after closing) is March's, though all its working time is in April: due Wed
        # 01/04 12:00; Minh proposes Wed 10:00: 2 working hours.
        march = add_ticket(session, shop, ict(2026, 3, 31, 18), ict(2026, 4, 1, 12))
        step(session, march, EventKind.PROPOSED, ict(2026, 4, 1, 10), name="Minh")

    report = sla_report(db, CALENDAR, NOW)

    assert report.rows == (SlaRow("2026-04", "Lan", 1, 1, 0, 1 * H, 1 * H),
                           SlaRow("2026-03", "Minh", 1, 1, 0, 2 * H, 2 * H))


def test_the_window_is_the_last_months_in_shop_time(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Tue 31/03 23:00 +07 (16:00 UTC): March's.  Minh proposes Wed 01/04 09:00: 08:00–09:00, 1 h, met.
        before = add_ticket(session, shop, ict(2026, 3, 31, 23), ict(2026, 4, 1, 12))
        step(session, before, EventKind.PROPOSED, ict(2026, 4, 1, 9), name="Minh")
        # Opened Mon 02/03 09:00 (due 14:30), Minh proposes 10:00: 1 h, met (March).  Refused Mon 13/04 09:00
        # (due 14:30, April); Lan proposes 15:30: 09:00–12:00 (3 h) + 13:30–15:30 (2 h) = 5 h, breached.
        restarted = add_ticket(session, shop, ict(2026, 3, 2, 9), ict(2026, 3, 2, 14, 30))
        step(session, restarted, EventKind.PROPOSED, ict(2026, 3, 2, 10), name="Minh")
        refusal(session, restarted, ict(2026, 4, 13, 9), ict(2026, 4, 13, 14, 30), EventKind.REFUSED)
        step(session, restarted, EventKind.PROPOSED, ict(2026, 4, 13, 15, 30), name="Lan")

    # One month: April only; the ticket opened in March is in it by its refusal alone.
    this_month = sla_report(db, CALENDAR, NOW, months=1)
    assert this_month.rows == (SlaRow("2026-04", "Lan", 1, 0, 1, 5 * H, 5 * H),)
    assert [total.month for total in this_month.totals] == ["2026-04"]
    # Two months: March too, with both March promises.
    two = sla_report(db, CALENDAR, NOW, months=2)
    assert two.rows == (SlaRow("2026-04", "Lan", 1, 0, 1, 5 * H, 5 * H),
                        SlaRow("2026-03", "Minh", 2, 2, 0, 1 * H, 1 * H))
    assert [total.month for total in two.totals] == ["2026-04", "2026-03"]
    # The year boundary: January 2026 with 3 months reaches back to November 2025.
    assert [t.month for t in sla_report(db, CALENDAR, ict(2026, 1, 1, 0, 30)).totals] == [
        "2026-01", "2025-12", "2025-11"]
    with pytest.raises(ValueError, match="months"):
        sla_report(db, CALENDAR, NOW, months=0)


def test_nearest_rank_on_a_hand_table() -> None:
    # 10 values, 1..10 h, shuffled: rank = ceil(p / 100 * 10).
    values = [h * H for h in (7, 3, 10, 1, 9, 5, 2, 8, 6, 4)]
    assert nearest_rank(values, 90) == 9 * H  # rank 9
    assert nearest_rank(values, 50) == 5 * H  # rank 5: the median by nearest rank
    assert nearest_rank(values, 91) == 10 * H  # rank ceil(9.1) = 10
    assert nearest_rank(values, 10) == 1 * H and nearest_rank(values, 100) == 10 * H
    assert nearest_rank(values, 0.1) == 1 * H  # rank ceil(0.01) = 1
    # 3 values: p50 is rank ceil(1.5) = 2, p90 rank ceil(2.7) = 3.
    assert nearest_rank([3 * H, 1 * H, 2 * H], 50) == 2 * H and nearest_rank([3 * H, 1 * H, 2 * H], 90) == 3 * H
    assert nearest_rank([], 50) is None
    for bad in (0, -5, 100.5):
        with pytest.raises(ValueError, match="percent"):
            nearest_rank(values, bad)


def test_three_queries_whatever_the_number_of_tickets(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        shop = add_shop(session)
        # Mon 02/03 .. Fri 06/03, each opened 09:00 (due 14:30), proposed 10:00, refused 11:00 (11:00–12:00 is
        # 1 h, 13:30 + 3 h -> due 16:30).
        for day in range(2, 7):
            ticket = add_ticket(session, shop, ict(2026, 3, day, 9), ict(2026, 3, day, 14, 30))
            step(session, ticket, EventKind.PROPOSED, ict(2026, 3, day, 10), name="Lan")
            refusal(session, ticket, ict(2026, 3, day, 11), ict(2026, 3, day, 16, 30), EventKind.REFUSED)
            assign(session, ticket, f"Nhân viên {day}")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = sla_report(db, CALENDAR, NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert len(statements) == 3
    # Each ticket: the opening met (1 h, Lan); the refusal unanswered, due long ago -> open breach, assignee's.
    assert report.totals[1] == SlaRow("2026-03", ALL_STAFF, 10, 5, 5, 1 * H, 1 * H)
    assert len(report.breaches) == 5 and all(b.staff.startswith("Nhân viên") for b in report.breaches)
