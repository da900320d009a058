"""The conversations' storage: the shop's acts survive anything before they are sent, the vendor's steps are
stored once each, and the request's state follows the feed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.storage.db import Database
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository, safe_filename
from app.storage.tables import Base
from app.support.models import Category, Channel, NewRequest, RequestStatus, Severity, TicketReceipt
from app.support.thread_models import Author, EntryState, EventKind, FileState
from pmv_protocol.thread import ActReceipt, CurrentVisit, ThreadFile, TicketEvent, TicketUpdate, VisitSlot
from tests.helpers import FixedClock

T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 09:00 in the shop
NEW = NewRequest(Category.INCIDENT, Severity.NORMAL, "Máy in hóa đơn kẹt giấy", "Từ sáng nay", "Chị Lan",
                 "+84903112233", Channel.PHONE)
SLOT = VisitSlot(dt.date(2026, 11, 27), dt.time(14, 0), dt.time(16, 0), "Trần Minh")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def db(tmp_path: Path):
    database, _ = Database.open(tmp_path / "app.sqlite3")
    yield database
    database.close()


@pytest.fixture
def support(db: Database, tmp_path: Path, clock: FixedClock) -> SupportRepository:
    return SupportRepository(db, tmp_path / "outbox", clock=clock)


@pytest.fixture
def thread(db: Database, tmp_path: Path, clock: FixedClock) -> ThreadRepository:
    return ThreadRepository(db, tmp_path / "outbox", clock=clock)


def sent_request(support: SupportRepository, ticket_id: int = 7) -> str:
    request = support.create(NEW, coverage="warranty", response_due_at=None)
    support.mark_sent(request.id, TicketReceipt(ticket_id, f"YC-2026-{ticket_id:06d}", "received", None, True))
    return request.id


def update_for(request_id: str, *events: TicketEvent, status: str = "in_progress", **flow: object) -> TicketUpdate:
    return TicketUpdate(7, "YC-2026-000007", status, None, None, None, T0, request_id, events=events, **flow)


def vendor_event(event_id: int, kind: EventKind = EventKind.MESSAGE, text: str | None = "Anh gửi ảnh lỗi giúp em",
                 **fields: object) -> TicketEvent:
    return TicketEvent(event_id, kind, Author.VENDOR, "Hỗ trợ Minh", T0 + dt.timedelta(minutes=event_id), text=text,
                       **fields)


def test_the_migration_makes_the_tables_the_code_declares(db: Database) -> None:
    """The ORM and migration 0006 agree column for column (a column added to one only would break a shop)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [diff for diff in diffs if "thread_" in repr(diff)]
    assert ours == []
    fresh = create_engine("sqlite://")
    Base.metadata.create_all(fresh)  # and the declared tables build on their own


def test_an_act_and_copies_of_its_files_survive_a_restart(tmp_path: Path, support: SupportRepository,
                                                          thread: ThreadRepository, clock: FixedClock) -> None:
    request_id = sent_request(support)
    photo = tmp_path / "anh-loi.png"
    photo.write_bytes(b"\x89PNG paper jam")
    entry = thread.add_act(request_id, EventKind.MESSAGE, "Chị Lan", at=T0, text="Ảnh đây ạ", files=[photo])
    photo.unlink()  # the cashier deletes the file: the outbox keeps its own copy

    db2, _ = Database.open(tmp_path / "app.sqlite3")
    (reread,) = ThreadRepository(db2, tmp_path / "outbox", clock=clock).entries(request_id)
    db2.close()
    assert reread == entry
    assert reread.state is EntryState.PENDING and reread.author is Author.SHOP and reread.read
    (copy,) = reread.files
    assert copy.state is FileState.TO_UPLOAD and copy.filename == "anh-loi.png" and copy.size == 14
    assert Path(copy.local_path).read_bytes() == b"\x89PNG paper jam"
    assert Path(copy.local_path) == tmp_path / "outbox" / request_id / copy.id / "anh-loi.png"  # opens as a PNG


def test_an_act_on_no_request_saves_nothing(tmp_path: Path, thread: ThreadRepository) -> None:
    note = tmp_path / "ghi-chu.txt"
    note.write_text("x", encoding="utf-8")
    with pytest.raises(LookupError):
        thread.add_act("no-such-request", EventKind.MESSAGE, "Chị Lan", at=T0, text="?", files=[note])
    assert not [path for path in (tmp_path / "outbox").rglob("*") if path.is_file()]


def test_the_vendors_steps_are_stored_once_unread_and_with_their_files(support: SupportRepository,
                                                                       thread: ThreadRepository) -> None:
    request_id = sent_request(support)
    log_file = ThreadFile(31, "huong-dan.pdf", 2048, "AB" * 32)
    update = update_for(request_id, vendor_event(12), vendor_event(13, files=(log_file,), text=None))
    assert thread.apply_updates([update]) == ["e12", "e13"]
    assert thread.apply_updates([update]) == []  # the same feed again (a poll retried) adds nothing
    entries = thread.entries(request_id)
    assert [(e.id, e.server_id, e.read, e.state) for e in entries] == [
        ("e12", 12, False, EntryState.SENT), ("e13", 13, False, EntryState.SENT)]
    (file,) = entries[1].files
    assert (file.server_id, file.state, file.sha256, file.local_path) == (31, FileState.AVAILABLE, "ab" * 32, None)
    assert thread.unread_by_request() == {request_id: 2}
    assert [e.id for e in thread.unnotified()] == ["e12", "e13"]
    thread.mark_notified(["e12"])
    assert [e.id for e in thread.unnotified()] == ["e13"]
    thread.mark_read(request_id)
    assert thread.unread_by_request() == {} and all(e.read for e in thread.entries(request_id))


def test_the_shops_own_act_seen_in_the_feed_is_matched_by_its_key_not_stored_twice(
        tmp_path: Path, support: SupportRepository, thread: ThreadRepository) -> None:
    """A reply delivered by a run whose answer was lost: the poll finds it by its Idempotency-Key."""
    request_id = sent_request(support)
    photo = tmp_path / "anh.png"
    photo.write_bytes(b"png bytes")
    act = thread.add_act(request_id, EventKind.MESSAGE, "Chị Lan", at=T0, text="Ảnh đây", files=[photo])
    (mine,) = act.files
    echoed = TicketEvent(40, EventKind.MESSAGE, Author.SHOP, "Chị Lan", T0, client_id=act.id, text="Ảnh đây",
                         files=(ThreadFile(77, "anh.png", 9, mine.sha256),))
    assert thread.apply_updates([update_for(request_id, vendor_event(39), echoed)]) == ["e39"]
    entries = thread.entries(request_id)
    assert [(e.id, e.server_id, e.state) for e in entries] == [("e39", 39, EntryState.SENT),
                                                              (act.id, 40, EntryState.SENT)]
    assert entries[1].files[0].server_id == 77 and entries[1].files[0].state is FileState.UPLOADED
    assert not thread.has_pending() and thread.pending_acts(T0) == []


def test_a_refused_act_stands_where_it_was_made_and_a_pending_one_last(
        support: SupportRepository, thread: ThreadRepository) -> None:
    # Found by the review of this change: the timeline keeps the server's order, and a refused act (which never
    # reaches the server) stood last, below the vendor's later messages, as if it were the shop's latest word.
    request_id = sent_request(support)
    first = dataclasses.replace(vendor_event(1), at=T0)
    later = dataclasses.replace(vendor_event(5), at=T0 + dt.timedelta(days=4))
    thread.apply_updates([update_for(request_id, first, later)])
    refused = thread.add_act(request_id, EventKind.MESSAGE, "Chị Lan", at=T0 + dt.timedelta(days=1), text="từ chối")
    thread.mark_act_refused(refused.id, "ticket_closed")
    waiting = thread.add_act(request_id, EventKind.MESSAGE, "Chị Lan", at=T0 + dt.timedelta(days=5), text="chờ")
    assert [e.id for e in thread.entries(request_id)] == ["e1", refused.id, "e5", waiting.id]


def test_the_feed_sets_the_requests_state_and_a_delivered_act_counts_until_it_does(
        support: SupportRepository, thread: ThreadRepository) -> None:
    request_id = sent_request(support)
    close_after = T0 + dt.timedelta(days=7)
    visit = CurrentVisit(50, SLOT, "proposed")
    thread.apply_updates([update_for(request_id, vendor_event(49, EventKind.PROPOSED, solution_kind="remote",
                                                                 close_after=close_after),
                                     status="solution_proposed", visit=visit, close_after=close_after)])
    state = thread.state(request_id)
    assert (state.close_after, state.visit, state.ever_resolved) == (close_after, visit, False)
    assert thread.entries(request_id)[0].close_after == close_after
    assert thread.entries(request_id)[0].solution_kind == "remote"

    accept = thread.add_act(request_id, EventKind.ACCEPTED, "Chị Lan", at=T0 + dt.timedelta(hours=1))
    event = TicketEvent(51, EventKind.ACCEPTED, Author.SHOP, "Chị Lan", accept.at, client_id=accept.id)
    thread.mark_act_sent(accept.id, ActReceipt(event, "resolved", None, True))
    assert support.get(request_id).status is RequestStatus.RESOLVED  # the server's word, from its receipt
    state = thread.state(request_id)
    assert state.ever_resolved and state.finished_at == accept.at and state.close_after is None
    assert thread.entry(accept.id).state is EntryState.SENT and thread.entry(accept.id).server_id == 51


def test_a_requests_acts_go_in_order_and_wait_behind_one_that_failed(
        support: SupportRepository, thread: ThreadRepository, clock: FixedClock) -> None:
    first_request = sent_request(support, 7)
    unsent = support.create(NEW, coverage="warranty", response_due_at=None)  # no ticket yet: its acts wait
    one = thread.add_act(first_request, EventKind.MESSAGE, "Chị Lan", at=T0, text="một")
    two = thread.add_act(first_request, EventKind.MESSAGE, "Chị Lan", at=T0, text="hai")
    thread.add_act(unsent.id, EventKind.MESSAGE, "Chị Lan", at=T0, text="chờ vé")
    (group,) = thread.pending_acts(T0)
    assert (group.request_id, group.ticket_id, [e.id for e in group.entries]) == (first_request, 7, [one.id, two.id])

    thread.mark_act_failed(one.id, "offline", T0 + dt.timedelta(seconds=30))
    assert thread.pending_acts(T0 + dt.timedelta(seconds=29)) == []  # the second does not overtake the first
    assert [e.id for e in thread.pending_acts(T0 + dt.timedelta(seconds=30))[0].entries] == [one.id, two.id]
    assert thread.entry(one.id).attempts == 1 and thread.entry(one.id).last_error == "offline"
    support.mark_attempt_failed(unsent.id, "offline", T0 + dt.timedelta(minutes=1))
    assert support.next_delivery_at() == T0 + dt.timedelta(seconds=30)  # the second waits behind the first


def test_the_next_delivery_counts_the_acts(support: SupportRepository, thread: ThreadRepository) -> None:
    request_id = sent_request(support)
    assert support.next_delivery_at() is None
    act = thread.add_act(request_id, EventKind.MESSAGE, "Chị Lan", at=T0, text="còn lỗi")
    assert support.next_delivery_at() == T0
    thread.mark_act_failed(act.id, "timeout", T0 + dt.timedelta(minutes=2))
    assert support.next_delivery_at() == T0 + dt.timedelta(minutes=2)
    thread.mark_act_refused(act.id, "closed")
    assert support.next_delivery_at() is None
    refused = thread.entry(act.id)
    assert refused.state is EntryState.REFUSED and refused.error == "closed"


def test_the_timeline_is_the_servers_order_then_this_pcs(support: SupportRepository,
                                                         thread: ThreadRepository) -> None:
    request_id = sent_request(support)
    pending = thread.add_act(request_id, EventKind.MESSAGE, "Chị Lan", at=T0 - dt.timedelta(hours=1), text="sau")
    thread.apply_updates([update_for(request_id, vendor_event(9), vendor_event(3))])
    assert [e.id for e in thread.entries(request_id)] == ["e3", "e9", pending.id]


def test_reminders_are_kept_per_visit(support: SupportRepository, thread: ThreadRepository) -> None:
    request_id = sent_request(support)
    thread.mark_reminded(request_id, 50, "day_before")
    thread.mark_reminded(request_id, 50, "hour_before")
    thread.mark_reminded(request_id, 50, "day_before")
    assert thread.state(request_id).reminders == {50: frozenset({"day_before", "hour_before"})}
    assert thread.state("unknown").reminders == {}


def test_the_earlier_timeline_is_stored_as_seen(support: SupportRepository, thread: ThreadRepository) -> None:
    request_id = sent_request(support)
    assert thread.unfollowed([request_id, "another-pcs-request"]) == {request_id}
    assert thread.apply_history(request_id, [vendor_event(2)]) == ["e2"]
    thread.apply_updates([update_for(request_id, vendor_event(5))])
    assert thread.unfollowed([request_id]) == set()
    assert [(e.id, e.read) for e in thread.entries(request_id)] == [("e2", True), ("e5", False)]
    assert [e.id for e in thread.unnotified()] == ["e5"]


@pytest.mark.parametrize(("name", "safe"), [("bao-cao.pdf", "bao-cao.pdf"), ("..\\..\\win.ini", "win.ini"),
                                            ("CON.txt", "tep-CON.txt"), ("a|b?.png", "a_b_.png"), ("...", "tep")])
def test_a_vendors_file_name_is_made_safe_to_create(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


@pytest.mark.parametrize("name", [
    "Hướng dẫn cài đặt máy in tem Xprinter XP-360B và cấu hình mẫu tem trang sức theo Nghị định 232-2025 "
    "cho cửa hàng vàng bạc Kim Phát (bản cập nhật tháng 11-2026).pdf",  # the server keeps 200 characters
    "a" * 180 + ".xlsx",
    "Đặng" * 35 + ".pdf",  # 144 characters, 284 bytes in UTF-8: over Linux's 255
])
def test_a_long_file_name_keeps_its_extension_and_fits_on_disk(name: str, tmp_path) -> None:
    # Found by the review of the conversation: cut at 150 characters, a download lost its ".pdf" (Windows then
    # asks which program opens it), and 150 Vietnamese letters were over Linux's 255-byte name limit.
    safe = safe_filename(name)
    assert safe.endswith(Path(name).suffix) and safe[:20] == name[:20]
    assert len(safe) <= 150 and len(safe.encode("utf-8")) <= 200
    (tmp_path / safe).write_bytes(b"x")  # the file system takes it


def test_a_name_whose_dot_starts_no_extension_is_cut_as_one_stem() -> None:
    name = "bao-cao." + "x" * 300
    assert safe_filename(name) == name[:150]
