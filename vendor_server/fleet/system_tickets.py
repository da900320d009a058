"""Tickets the vendor's system opens on a shop's behalf, and the notes it adds when their check recovers or
turns critical again while the ticket is still open.

The fleet's sweep (:mod:`vendor_server.fleet.proactive`) decides *when*: a check held critical past its
threshold, at most one open ticket per shop and check.  This module says *what* such a ticket is: the shop's
own kind of ticket (category incident, the shop's coverage on the day, the same response deadline as a
request the shop raised, :func:`vendor_server.tickets.ticket_terms`), in words chosen per check, marked
``opened_by = "system"`` with the check's id, and a UUID of the server's own as its idempotency key (the shop
learns the ticket from its feed and keys its local copy on it).  Its contact is the vendor's system and the
24/7 hotline: nobody at the shop asked for it.

The functions write in the caller's session and never commit: the sweep's check-state row and the ticket
it opens are one transaction, so a crash between them can neither lose the ticket nor open a second one.
Framework-free, like the ticket services.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmv_protocol import HOTLINE  # the contact of a ticket nobody called in
from pmv_protocol.shop_time import shop_time
from pmv_protocol.thread import Author, EventKind, OpenedBy
from pmv_protocol.wire import Category, Channel, Severity, TicketStatus
from vendor_server.calendars import PublishedCalendars
from vendor_server.db import Shop, Ticket
from vendor_server.fleet.tables import ShopContact
from vendor_server.tickets import insert_ticket, ticket_terms
from vendor_server.timeline import add_event, flow_row

SYSTEM_CONTACT = "Hệ thống PMV"  # who opened it, as staff and the shop read it (the events' author name too)
CHECK_ID_MAX = 64  # tickets.check_id and shop_check_states.check_id; pmv_protocol.fleet's Code

# The checks the server has words for (the app's own titles, app/ui/health/texts.py); others are named by id.
CHECK_NAMES: dict[str, str] = {
    "backup.age": "Sao lưu dữ liệu",
    "backup.restorable": "Bản sao lưu khôi phục được",
    "pos.db.connect": "Kết nối cơ sở dữ liệu PMV",
}
# A ticket the shop and staff may still act on (what the sweep puts a check's new critical spell on).
OPEN_STATUSES = tuple(status.value for status in (TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS,
                                                  TicketStatus.SOLUTION_PROPOSED, TicketStatus.ON_SITE_SCHEDULED))
# A check's result in words, for a recovery note that is not a full recovery (pmv_protocol.fleet.CheckStatus).
_STATUS_WORDS = {"warning": "cảnh báo", "unknown": "không kiểm tra được", "skipped": "bỏ qua"}


def check_name(check_id: str) -> str:
    """The check's Vietnamese name, or its id for a check the server has no words for."""
    return CHECK_NAMES.get(check_id, check_id)


def check_severity(check_id: str) -> Severity:
    """A POS database out of reach stops the shop trading: critical; no usable backup puts its data at risk:
    high; anything else: normal.  With the coverage it sets the deadline, as for any request."""
    if check_id == "pos.db.connect":
        return Severity.CRITICAL
    if check_id.startswith("backup."):
        return Severity.HIGH
    return Severity.NORMAL


def _moment(moment: dt.datetime) -> str:
    """Shop time, dd/MM/yyyy HH:mm: what the shop and the staff both read."""
    return shop_time(moment).strftime("%d/%m/%Y %H:%M")


def system_words(check_id: str, status_since: dt.datetime) -> tuple[str, str]:
    """``(title, description)`` of the ticket for ``check_id``, critical since ``status_since``.

    The title names the problem only: who opened the ticket is the ticket's ``opened_by``, which the shop's app
    words in the shop's language ("Nhà cung cấp đã phát hiện và mở yêu cầu") and the console tags ("Hệ thống
    mở"); a title saying it again would say it twice on both.
    """
    since = _moment(status_since)
    closing = ("Nhà cung cấp đã mở yêu cầu này thay cho cửa hàng; kỹ thuật viên sẽ liên hệ. Cửa hàng có thể nhắn "
               f"thêm thông tin tại đây; việc gấp xin gọi {HOTLINE} (24/7).")
    if check_id == "backup.age":
        return ("Sao lưu dữ liệu quá hạn",
                f"Kiểm tra \u201c{check_name(check_id)}\u201d trên máy bán hàng báo nghiêm trọng từ {since}: máy chưa "
                "có bản sao lưu dữ liệu mới. Nếu máy hỏng lúc này, các giao dịch từ lần sao lưu cuối có thể bị "
                f"mất. {closing}")
    if check_id == "pos.db.connect":
        return ("Không kết nối được cơ sở dữ liệu PMV",
                f"Từ {since}, máy bán hàng không kết nối được cơ sở dữ liệu của phần mềm PMV (kiểm tra "
                f"\u201c{check_name(check_id)}\u201d báo nghiêm trọng), nên cửa hàng có thể không bán hàng được. "
                f"{closing}")
    name = check_name(check_id)
    return (f"Kiểm tra \u201c{name}\u201d báo nghiêm trọng",
            f"Kiểm tra \u201c{name}\u201d trên máy bán hàng báo nghiêm trọng từ {since}. {closing}")


def recovery_words(check_id: str, status: str, at: dt.datetime) -> str:
    """The note for a check that left critical at ``at``: back to normal, or no longer critical."""
    name, when = check_name(check_id), _moment(at)
    if status == "ok":
        return f"Kiểm tra \u201c{name}\u201d đã trở lại bình thường lúc {when}."
    return (f"Kiểm tra \u201c{name}\u201d không còn báo nghiêm trọng lúc {when} (kết quả mới nhất: "
            f"{_STATUS_WORDS.get(status, status)}).")


def critical_again_words(check_id: str, status_since: dt.datetime) -> str:
    """The note for a check critical again, since ``status_since``, while its ticket is still open."""
    return (f"Kiểm tra \u201c{check_name(check_id)}\u201d lại báo nghiêm trọng từ {_moment(status_since)}. Sự cố "
            "này được theo dõi tiếp trong yêu cầu này, không mở yêu cầu mới.")


def _aware(moment: dt.datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment.isoformat()}")


def _check_id(check_id: str) -> str:
    text = check_id.strip()
    if not text or len(text) > CHECK_ID_MAX:
        raise ValueError(f"a check id must be 1 to {CHECK_ID_MAX} characters, got {check_id!r}")
    return text


def open_system_ticket(session: Session, shop: Shop, *, check_id: str, status_since: dt.datetime,
                       now: dt.datetime, calendars: PublishedCalendars) -> Ticket:
    """Add (not commit) a ticket for ``shop``'s ``check_id``, critical since ``status_since``, opened ``now``.

    Its deadline is the one a request the shop raised at ``now`` would get, on the calendar the server
    publishes.  Returns the row, flushed: it has its id and number.  ValueError for an empty or too long
    check id or a naive time (nothing is added then).
    """
    check_id = _check_id(check_id)
    _aware(status_since, "status_since")
    _aware(now, "now")
    severity = check_severity(check_id)
    title, description = system_words(check_id, status_since)
    coverage, due = ticket_terms(session, shop, now, severity, calendars.calendar())
    contact = session.get(ShopContact, shop.id)  # the app version it last reported, for the staff's page
    app_version = None if contact is None else contact.app_version
    ticket = Ticket(
        shop_pk=shop.id, idempotency_key=str(uuid.uuid4()), category=Category.INCIDENT.value,
        severity=severity.value, title=title, description=description, contact_name=SYSTEM_CONTACT,
        contact_phone=HOTLINE, channel=Channel.PHONE.value, app_version=app_version,
        coverage=coverage, opened_at=now, response_due_at=due, status=TicketStatus.RECEIVED.value, created_at=now,
        updated_at=now, opened_by=OpenedBy.SYSTEM.value, check_id=check_id)
    # No client id on its first step: that names a shop's own act, and the shop did not do this.
    return insert_ticket(session, ticket, author=Author.SYSTEM, now=now, client_id=None)


def note_check_recovered(session: Session, ticket: Ticket, *, check_id: str, status: str,
                         now: dt.datetime) -> None:
    """Add (not commit) the system's message on ``ticket`` that ``check_id`` left critical (``status``: its
    result now, e.g. ``ok``) at ``now``.  Both sides read it: the shop's feed brings it like a staff reply.
    The ticket's status and deadline stay as they are: whether the problem is solved is for staff and the shop
    to say, and the shop can still answer it.
    """
    check_id = _check_id(check_id)
    _aware(now, "now")
    flow_row(session, ticket)  # a ticket from before the conversation gets its flow, as any act does
    add_event(session, ticket, EventKind.MESSAGE, Author.SYSTEM, SYSTEM_CONTACT, at=now, now=now,
              text=recovery_words(check_id, status, now))


def open_ticket_for_check(session: Session, shop_pk: int, check_id: str) -> Ticket | None:
    """The system's newest ticket for the shop's ``check_id`` that is still open (not resolved or closed), if any."""
    return session.scalars(
        select(Ticket).where(Ticket.shop_pk == shop_pk, Ticket.opened_by == OpenedBy.SYSTEM.value,
                             Ticket.check_id == _check_id(check_id), Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc()).limit(1)).first()


def note_check_critical_again(session: Session, ticket: Ticket, *, check_id: str, status_since: dt.datetime,
                              now: dt.datetime) -> None:
    """Add (not commit) the system's message on ``ticket`` that ``check_id`` is critical again since
    ``status_since``, held past its threshold at ``now``.  Like the recovery note, both sides read it and the
    ticket's status and deadline stay as they are: the ticket is already staff's to work."""
    check_id = _check_id(check_id)
    _aware(status_since, "status_since")
    _aware(now, "now")
    flow_row(session, ticket)
    add_event(session, ticket, EventKind.MESSAGE, Author.SYSTEM, SYSTEM_CONTACT, at=now, now=now,
              text=critical_again_words(check_id, status_since))
