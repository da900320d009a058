"""The demo's embedded vendor answers a ticket as staff do (the demo seeds its sample conversation with it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vendor_server.db import Ticket
from vendor_server.embedded import EmbeddedVendor
from vendor_server.timeline import ticket_thread

from .test_timeline import T0, open_ticket


def test_the_embedded_vendor_replies_proposes_and_offers_a_visit(tmp_path: Path) -> None:
    vendor = EmbeddedVendor(tmp_path / "demo")
    vendor.shop_token("KP-0001", "Kim Phát")
    number = open_ticket(vendor.db).number
    guide = tmp_path / "hướng dẫn.txt"
    guide.write_text("Bước 1", encoding="utf-8")
    vendor.reply(number, "Anh Tuấn", "Chị xem hướng dẫn", (guide,), now=T0 + dt.timedelta(minutes=5))
    vendor.propose(number, "Anh Tuấn", "remote", "UltraViewer lúc 14:00", now=T0 + dt.timedelta(minutes=10))
    vendor.propose_visit(number, "Chị Hoa", dt.date(2026, 3, 5), dt.time(8), dt.time(10), "Anh Minh",
                         now=T0 + dt.timedelta(minutes=15))
    vendor.move_ticket(number, "in_progress", now=T0 + dt.timedelta(minutes=20))
    thread = ticket_thread(vendor.db, Ticket.number == number)
    assert thread is not None
    assert [(e.kind, e.author_name) for e in thread.events] == [
        ("opened", "Chị Lan"), ("message", "Anh Tuấn"), ("proposed", "Anh Tuấn"), ("visit_proposed", "Chị Hoa"),
        ("status", "staff")]
    stored = thread.events[1].files[0]
    assert (stored.filename, stored.size) == ("hướng dẫn.txt", len("Bước 1".encode()))
    assert list((tmp_path / "demo" / "attachments").rglob("*-*-*")) != []
    assert thread.flow.visit is not None and thread.flow.visit.slot.technician == "Anh Minh"
    assert thread.ticket.status == "in_progress" and thread.flow.close_after is None


def test_the_embedded_vendor_stamps_with_the_clock_it_is_given(tmp_path: Path) -> None:
    demo_now = dt.datetime(2026, 11, 25, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    vendor = EmbeddedVendor(tmp_path / "demo", clock=lambda: demo_now)
    vendor.shop_token("KP-0001", "Kim Phát")
    number = open_ticket(vendor.db).number
    vendor.reply(number, "Anh Tuấn", "Đã nhận")
    vendor.move_ticket(number, "in_progress", staff="Chị Hoa")
    thread = ticket_thread(vendor.db, Ticket.number == number)
    assert thread is not None
    assert [(e.author_name, e.at) for e in thread.events[1:]] == [("Anh Tuấn", demo_now), ("Chị Hoa", demo_now)]
    assert thread.ticket.updated_at == demo_now
