"""The conversation on a request, driven from the shop's side against the real vendor server over loopback.

The vendor's staff act through the server's own service functions (what ``pmv-vendor ticket …`` calls);
the shop acts through :class:`ConversationService`, the outbox delivers, the poller brings the vendor's
steps back.  Both sides run on one injected clock that the tests move, so no test depends on today.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from app.bootstrap import bootstrap
from app.infra.paths import AppPaths
from app.storage.db import Database
from app.storage.repositories import StateRepository
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.conversation import ActRefused, ConversationService, FileProblem, FileRefused
from app.support.models import Category, Channel, NewRequest, RequestStatus, Severity
from app.support.outbox import Outbox, poll_updates
from app.support.thread_models import Author, EntryState, EventKind, FileState
from app.support.vendor_api import ApiFailure, VendorClient
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import TicketEvent, VisitSlot
from pmv_protocol.ticket_flow import Refusal, refuse_decision
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer, free_port, start_vendor_server
from tests.integration.fault_proxy import (
    DROP_AFTER_COMMIT,
    ERROR_500_AFTER_COMMIT,
    REFUSE,
    STALL_AFTER_COMMIT,
    FaultProxy,
)
from vendor_server import staff_acts
from vendor_server.cli import main as vendor_main
from vendor_server.db import Attachment, VendorDatabase

pytestmark = pytest.mark.integration

# Monday 2 March 2026, 09:00 in the shop: a working day (the vendor's default calendar, no holiday).
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHOP_TZ)
NEW = NewRequest(Category.BARCODE_DEVICE, Severity.NORMAL, "Máy quét ra chữ lạ", "Quét tem PMV9999 ra ký tự lạ",
                 "Chị Lan", "+84903112233", Channel.REMOTE)
STAFF = "Hỗ trợ Minh"


class Shop:
    """The shop's side: its database, the conversation service, the outbox and the poller, on ``clock``."""

    def __init__(self, root: Path, vendor: VendorServer, token: str, clock: FixedClock) -> None:
        self.root, self.vendor, self.token, self.clock = root, vendor, token, clock
        self.db, _ = Database.open(root / "app.sqlite3")
        self.support = SupportRepository(self.db, root / "outbox", clock=clock)
        self.thread = ThreadRepository(self.db, root / "outbox", clock=clock)
        self.state = StateRepository(self.db, clock=clock)
        self.base_url = vendor.base_url
        self.service = ConversationService(self.support, self.thread, downloads_dir=root / "support-files",
                                           client_factory=self.client, clock=clock)

    def client(self, timeout: float = 5) -> VendorClient:
        return VendorClient(self.base_url, self.token, timeout=timeout)

    def outbox(self, base_url: str | None = None, timeout: float = 5) -> Outbox:
        url = base_url or self.base_url
        return Outbox(self.support, lambda: VendorClient(url, self.token, timeout=timeout), clock=self.clock)

    def poll(self) -> list:
        return poll_updates(self.support, self.client(), self.state)

    def raise_request(self) -> tuple[str, str]:
        """A request delivered now: (request id, ticket number)."""
        request = self.support.create(NEW, coverage="warranty", response_due_at=None, opened_at=self.clock())
        assert self.outbox().deliver().sent == [request.id]
        number = self.support.get(request.id).ticket_number
        assert number is not None
        return request.id, number

    def ticket_id(self, request_id: str) -> int:
        ticket_id = self.support.get(request_id).ticket_id
        assert ticket_id is not None
        return ticket_id

    def server_events(self, request_id: str) -> list[TicketEvent]:
        return self.client().get_events(self.ticket_id(request_id))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def shop(tmp_path: Path, vendor: VendorServer, clock: FixedClock) -> Iterator[Shop]:
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    vendor.trusted_keys_file()  # the contract signing key
    # Warranty from 15 January 2026, 12 months: the shop is covered on every day these tests use.
    assert vendor_main(["issue-contract", "--shop-id", "KP-0001", "--package", "PMV-GOLD-PRO", "--warranty-months",
                        "12", "--accepted-on", "2026-01-15", "--db", vendor.db_url, "--data", str(vendor.data),
                        "--keys", str(vendor.keys)]) == 0
    made = Shop(tmp_path / "shop", vendor, token, clock)
    yield made
    made.db.close()


def vendor_db(vendor: VendorServer) -> VendorDatabase:
    return VendorDatabase(vendor.db_url)


def attachments_root(vendor: VendorServer) -> Path:
    return vendor.data / "attachments"


def shop_messages(events: list[TicketEvent]) -> list[TicketEvent]:
    return [event for event in events if event.kind == EventKind.MESSAGE and event.author == Author.SHOP]


# --- a whole conversation ------------------------------------------------------------------------------

def test_a_whole_conversation_from_the_shops_side(shop: Shop, vendor: VendorServer, clock: FixedClock,
                                                  tmp_path: Path) -> None:
    request_id, number = shop.raise_request()
    db = vendor_db(vendor)

    # The vendor asks a question and sends a guide.
    clock.advance(minutes=10)
    guide = tmp_path / "huong-dan-unikey.pdf"
    guide.write_bytes(b"%PDF-1.4 " + os.urandom(4000))
    staff_acts.reply(db, number, staff=STAFF, text="Chị gửi giúp em ảnh tem bị lỗi nhé.", files=[guide],
                     attachments_root=attachments_root(vendor), now=clock())
    clock.advance(minutes=1)
    assert shop.poll() == []  # a message is not a status change
    conversation = shop.service.conversation(request_id)
    question = conversation.entries[-1]
    assert (question.kind, question.author, question.author_name, question.read) == (
        EventKind.MESSAGE, Author.VENDOR, STAFF, False)
    assert shop.service.unread_count() == 1 and [e.id for e in shop.service.unnotified()] == [question.id]
    (vendor_file,) = question.files
    assert vendor_file.state is FileState.AVAILABLE and vendor_file.filename == "huong-dan-unikey.pdf"
    downloaded = shop.service.download(request_id, vendor_file.id)
    assert downloaded.read_bytes() == guide.read_bytes()
    shop.service.mark_read(request_id)

    # The shop answers with a photo.
    clock.advance(minutes=5)
    photo = tmp_path / "tem-loi.jpg"
    photo.write_bytes(os.urandom(20_000))
    reply = shop.service.reply(request_id, "Chị Lan", "Ảnh tem đây ạ", [photo])
    report = shop.outbox().deliver()
    assert report.acts_sent == [reply.id]
    sent = shop.thread.entry(reply.id)
    assert sent.state is EntryState.SENT and sent.server_id is not None
    assert sent.files[0].state is FileState.UPLOADED
    (on_server,) = shop_messages(shop.server_events(request_id))
    assert (on_server.id, on_server.client_id, on_server.text) == (sent.server_id, reply.id, "Ảnh tem đây ạ")
    assert [(f.filename, f.sha256, f.size) for f in on_server.files] == [("tem-loi.jpg", sent.files[0].sha256,
                                                                          20_000)]

    # A proposal, refused with a reason: a new deadline counted from the refusal.
    clock.advance(minutes=5)  # 09:21
    staff_acts.propose(db, number, staff=STAFF, kind="remote", text="Tắt Unikey khi quét tem.", now=clock())
    clock.advance(minutes=1)
    (change,) = shop.poll()
    assert change.new is RequestStatus.SOLUTION_PROPOSED
    conversation = shop.service.conversation(request_id)
    assert conversation.flow.status == "solution_proposed" and conversation.close_after is not None
    clock.now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHOP_TZ)
    refusal = shop.service.decide(request_id, "Chị Lan", accept=False, reason="Tắt Unikey rồi vẫn lỗi")
    assert shop.outbox().deliver().acts_sent == [refusal.id]
    # Normal severity, warranty: 4 working hours from Monday 10:00 -> 10:00-12:00 (2 h), 13:30-15:30 (2 h).
    expected_due = dt.datetime(2026, 3, 2, 15, 30, tzinfo=SHOP_TZ)
    request = shop.support.get(request_id)
    assert request.status is RequestStatus.IN_PROGRESS and request.response_due_at == expected_due
    assert shop.thread.entry(refusal.id).response_due_at == expected_due
    clock.advance(minutes=1)
    assert shop.poll() == []  # the shop's own refusal is not news to announce

    # A second proposal, accepted; then the rating.
    clock.advance(minutes=30)
    staff_acts.propose(db, number, staff=STAFF, kind="remote", text="Đổi chế độ quét sang bàn phím US.", now=clock())
    clock.advance(minutes=1)
    shop.poll()
    accept = shop.service.decide(request_id, "Chị Lan", accept=True)
    assert shop.service.needs_rating() == [request_id]  # the accept counts at once, delivered or not
    assert shop.outbox().deliver().acts_sent == [accept.id]
    assert shop.support.get(request_id).status is RequestStatus.RESOLVED
    rating = shop.service.rate(request_id, "Chị Lan", 5, "Nhanh, dễ hiểu")
    assert shop.outbox().deliver().acts_sent == [rating.id]
    clock.advance(minutes=1)
    assert shop.poll() == []
    conversation = shop.service.conversation(request_id)
    assert conversation.flow.rated and conversation.flow.ever_resolved and conversation.rating_asked
    with pytest.raises(ActRefused) as caught:
        shop.service.rate(request_id, "Chị Lan", 4)
    assert caught.value.code is Refusal.ALREADY_RATED

    # The shop's timeline is the server's, step for step, each once.
    server = shop.server_events(request_id)
    entries = shop.service.conversation(request_id).entries
    assert [(e.server_id, str(e.kind)) for e in entries] == [(event.id, str(event.kind)) for event in server]
    assert all(entry.state is EntryState.SENT for entry in entries)
    assert [str(e.kind) for e in entries] == [
        "opened", "message", "message", "proposed", "refused", "proposed", "accepted", "rated"]


def test_a_visit_is_rescheduled_then_confirmed_and_becomes_upcoming(shop: Shop, vendor: VendorServer,
                                                                    clock: FixedClock) -> None:
    request_id, number = shop.raise_request()
    db = vendor_db(vendor)
    clock.advance(minutes=10)
    first = staff_acts.propose_visit(db, number, staff=STAFF, day=dt.date(2026, 3, 4), start=dt.time(9, 0),
                                     end=dt.time(11, 0), technician="Trần Minh", now=clock())
    clock.advance(minutes=1)
    shop.poll()
    visit = shop.service.conversation(request_id).visit
    assert visit is not None and visit.id == first.event.id and visit.state == "proposed"
    ask = shop.service.answer_visit(request_id, "Chị Lan", visit.id, confirm=False, note="Sáng thứ Tư đông khách")
    assert shop.outbox().deliver().acts_sent == [ask.id]

    clock.advance(minutes=10)
    slot = VisitSlot(dt.date(2026, 3, 4), dt.time(14, 0), dt.time(16, 0), "Trần Minh")
    second = staff_acts.propose_visit(db, number, staff=STAFF, day=slot.day, start=slot.start, end=slot.end,
                                      technician=slot.technician, now=clock())
    clock.advance(minutes=1)
    shop.poll()
    with pytest.raises(ActRefused) as caught:  # the first offer was replaced
        shop.service.answer_visit(request_id, "Chị Lan", first.event.id, confirm=True)
    assert caught.value.code is Refusal.OTHER_VISIT
    confirm = shop.service.answer_visit(request_id, "Chị Lan", second.event.id, confirm=True)
    assert shop.outbox().deliver().acts_sent == [confirm.id]
    assert shop.support.get(request_id).status is RequestStatus.ON_SITE_SCHEDULED
    (upcoming,) = shop.service.upcoming_visits()
    assert (upcoming.slot, upcoming.ticket_number) == (slot, number)
    assert upcoming.starts_at == dt.datetime(2026, 3, 4, 14, 0, tzinfo=SHOP_TZ)
    clock.advance(minutes=1)
    shop.poll()
    assert shop.service.conversation(request_id).visit.state == "confirmed"


def test_an_act_queued_offline_that_the_ticket_no_longer_allows_is_refused_with_the_reason(
        shop: Shop, vendor: VendorServer, clock: FixedClock) -> None:
    request_id, number = shop.raise_request()
    reply = shop.service.reply(request_id, "Chị Lan", "Chiều nay em có ở tiệm")
    dead = f"http://127.0.0.1:{free_port()}"
    report = shop.outbox(dead, timeout=2).deliver()
    assert report.acts_failed == [(reply.id, ApiFailure.OFFLINE)] and report.offline
    clock.advance(minutes=5)
    staff_acts.close(vendor_db(vendor), number, staff=STAFF, note="Đã xử lý qua điện thoại", now=clock())
    clock.advance(minutes=1)
    report = shop.outbox().deliver(ignore_backoff=True)
    assert report.acts_refused == [(reply.id, Refusal.CLOSED.value)]
    refused = shop.thread.entry(reply.id)
    assert refused.state is EntryState.REFUSED and refused.error == "closed"
    assert shop.outbox().deliver(ignore_backoff=True).acts_refused == []  # never sent again
    assert shop_messages(shop.server_events(request_id)) == []


def test_a_requests_acts_wait_for_its_ticket(shop: Shop, vendor: VendorServer, clock: FixedClock) -> None:
    request = shop.support.create(NEW, coverage="warranty", response_due_at=None, opened_at=clock())
    note = shop.service.reply(request.id, "Chị Lan", "Thêm: máy quét hiệu Honeywell")
    dead = f"http://127.0.0.1:{free_port()}"
    assert shop.outbox(dead, timeout=2).deliver().acts_sent == []
    assert shop.thread.entry(note.id).state is EntryState.PENDING
    report = shop.outbox().deliver(ignore_backoff=True)
    assert report.sent == [request.id] and report.acts_sent == [note.id]
    assert [event.client_id for event in shop_messages(shop.server_events(request.id))] == [note.id]


# --- exactly once, whatever the network does -----------------------------------------------------------

@pytest.mark.parametrize("fault", [DROP_AFTER_COMMIT, ERROR_500_AFTER_COMMIT, STALL_AFTER_COMMIT])
def test_a_reply_raised_offline_is_delivered_exactly_once_through_a_failure_after_commit(
        shop: Shop, vendor: VendorServer, clock: FixedClock, tmp_path: Path, fault: str) -> None:
    request_id, _number = shop.raise_request()
    photo = tmp_path / "anh.png"
    photo.write_bytes(os.urandom(5000))
    reply = shop.service.reply(request_id, "Chị Lan", "Ảnh màn hình lỗi", [photo])
    dead = f"http://127.0.0.1:{free_port()}"
    assert shop.outbox(dead, timeout=2).deliver().acts_failed == [(reply.id, ApiFailure.OFFLINE)]

    with FaultProxy.in_front_of(vendor.base_url, stall_seconds=3) as proxy:
        ticket_id = shop.ticket_id(request_id)
        proxy.on("POST", f"/api/v1/tickets/{ticket_id}/messages", fault)
        # A short timeout only where the stall is the point: a drop or a 500 must not turn into a timeout on a
        # loaded machine (it did, once, in a CI run sharing its two cores).
        report = shop.outbox(proxy.base_url, timeout=1 if fault == STALL_AFTER_COMMIT else 10).deliver(
            ignore_backoff=True)
        expected = {DROP_AFTER_COMMIT: ApiFailure.OFFLINE, ERROR_500_AFTER_COMMIT: ApiFailure.SERVER,
                    STALL_AFTER_COMMIT: ApiFailure.TIMEOUT}[fault]
        assert report.acts_failed == [(reply.id, expected)]
        assert len(shop_messages(shop.server_events(request_id))) == 1  # the server did commit
        assert shop.thread.entry(reply.id).state is EntryState.PENDING

        retry = shop.outbox(proxy.base_url, timeout=5).deliver(ignore_backoff=True)
        assert retry.acts_sent == [reply.id]
    (message,) = shop_messages(shop.server_events(request_id))  # the retry found the same message
    assert message.client_id == reply.id and len(message.files) == 1
    stored = [path for path in attachments_root(vendor).rglob("*") if path.is_file()]
    assert len(stored) == 1  # and the same file
    assert shop.thread.entry(reply.id).server_id == message.id
    clock.advance(minutes=1)
    shop.poll()
    assert [e.id for e in shop.service.conversation(request_id).entries if e.kind == EventKind.MESSAGE] == [reply.id]


def test_a_poll_after_a_lost_answer_finds_the_act_and_nothing_is_sent_again(shop: Shop, vendor: VendorServer,
                                                                           clock: FixedClock) -> None:
    request_id, number = shop.raise_request()
    reply = shop.service.reply(request_id, "Chị Lan", "Em gọi lại lúc 14:00 nhé")
    with FaultProxy.in_front_of(vendor.base_url) as proxy:
        proxy.on("POST", f"/api/v1/tickets/{shop.ticket_id(request_id)}/messages", DROP_AFTER_COMMIT)
        assert shop.outbox(proxy.base_url).deliver().acts_failed == [(reply.id, ApiFailure.OFFLINE)]
    clock.advance(minutes=1)
    shop.poll()
    entry = shop.thread.entry(reply.id)
    assert entry.state is EntryState.SENT and entry.server_id is not None
    assert shop.outbox().deliver(ignore_backoff=True).acts_sent == []
    assert len(shop_messages(shop.server_events(request_id))) == 1
    assert shop.service.unread_count() == 0  # the shop's own message is not news to it

    # The same for an accept: the poll finds the ticket resolved by the shop's own act, and does not announce it.
    clock.advance(minutes=5)
    staff_acts.propose(vendor_db(vendor), number, staff=STAFF, kind="phone", text="Khởi động lại máy quét",
                       now=clock())
    clock.advance(minutes=1)
    (proposal,) = shop.poll()
    assert proposal.new is RequestStatus.SOLUTION_PROPOSED
    accept = shop.service.decide(request_id, "Chị Lan", accept=True)
    with FaultProxy.in_front_of(vendor.base_url) as proxy:
        proxy.on("POST", f"/api/v1/tickets/{shop.ticket_id(request_id)}/decision", DROP_AFTER_COMMIT)
        assert shop.outbox(proxy.base_url).deliver().acts_failed == [(accept.id, ApiFailure.OFFLINE)]
    clock.advance(minutes=1)
    assert shop.poll() == []
    assert shop.support.get(request_id).status is RequestStatus.RESOLVED
    assert shop.thread.entry(accept.id).state is EntryState.SENT
    assert shop.service.conversation(request_id).flow.ever_resolved


def test_files_the_server_lost_before_the_message_went_are_uploaded_again(
        shop: Shop, vendor: VendorServer, tmp_path: Path) -> None:
    """The server restored from a backup between the file's upload and its message: 409 files_missing."""
    request_id, _number = shop.raise_request()
    log_file = tmp_path / "nhat-ky.txt"
    log_file.write_text("08:47:30 LOI GIAY", encoding="utf-8")
    reply = shop.service.reply(request_id, "Chị Lan", "Nhật ký đây", [log_file])
    with FaultProxy.in_front_of(vendor.base_url) as proxy:
        proxy.on("POST", f"/api/v1/tickets/{shop.ticket_id(request_id)}/messages", REFUSE)
        assert shop.outbox(proxy.base_url).deliver().acts_failed == [(reply.id, ApiFailure.OFFLINE)]
    assert shop.thread.entry(reply.id).files[0].state is FileState.UPLOADED
    with vendor_db(vendor).sessions.begin() as session:  # the backup predates the upload
        session.execute(delete(Attachment))
    for path in attachments_root(vendor).rglob("*"):
        if path.is_file():
            path.unlink()

    report = shop.outbox().deliver(ignore_backoff=True)
    assert report.acts_failed == [(reply.id, ApiFailure.BAD_RESPONSE)] and report.acts_refused == []
    assert shop.thread.entry(reply.id).files[0].state is FileState.TO_UPLOAD
    assert shop.outbox().deliver(ignore_backoff=True).acts_sent == [reply.id]
    (message,) = shop_messages(shop.server_events(request_id))
    assert [file.filename for file in message.files] == ["nhat-ky.txt"]


CHILD = textwrap.dedent('''
    import sys
    from pathlib import Path
    from app.storage.db import Database
    from app.storage.support_requests import SupportRepository
    from app.support.outbox import Outbox
    from app.support.vendor_api import VendorClient
    db, _ = Database.open(Path(sys.argv[1]))
    repo = SupportRepository(db, Path(sys.argv[2]))
    print("delivering", flush=True)
    Outbox(repo, lambda: VendorClient(sys.argv[3], sys.argv[4], timeout=60)).deliver(ignore_backoff=True)
''')


def test_killing_the_delivering_process_mid_conversation_sends_each_reply_once(
        shop: Shop, vendor: VendorServer, clock: FixedClock) -> None:
    request_id, _number = shop.raise_request()
    replies = [shop.service.reply(request_id, "Chị Lan", f"Tin nhắn {n}") for n in (1, 2, 3)]
    proxy = FaultProxy(int(vendor.base_url.rsplit(":", 1)[1]), stall_seconds=30)
    proxy.on("POST", f"/api/v1/tickets/{shop.ticket_id(request_id)}/messages", "pass", STALL_AFTER_COMMIT)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(shop.db.path), str(shop.root / "outbox"),
                              proxy.base_url, shop.token], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while len(shop_messages(shop.server_events(request_id))) < 2:  # the second is stored, its answer stalls
            assert time.monotonic() < deadline and child.poll() is None, child.stderr.read() if child.stderr else ""
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        proxy.close()
    assert child.returncode == -signal.SIGKILL
    assert [shop.thread.entry(r.id).state for r in replies] == [EntryState.SENT, EntryState.PENDING,
                                                                 EntryState.PENDING]
    report = shop.outbox().deliver(ignore_backoff=True)
    assert report.acts_sent == [r.id for r in replies[1:]]
    messages = shop_messages(shop.server_events(request_id))
    assert [(m.client_id, m.text) for m in messages] == [(r.id, r.text) for r in replies]  # each once, in order


# --- a vendor file that is not what the server stated ----------------------------------------------------

def test_a_vendor_file_changed_on_the_server_after_upload_is_refused_and_never_kept(
        shop: Shop, vendor: VendorServer, clock: FixedClock, tmp_path: Path) -> None:
    request_id, number = shop.raise_request()
    patch = tmp_path / "ban-va.zip"
    patch.write_bytes(os.urandom(30_000))
    clock.advance(minutes=5)
    staff_acts.reply(vendor_db(vendor), number, staff=STAFF, text="Chị cài bản vá này", files=[patch],
                     attachments_root=attachments_root(vendor), now=clock())
    clock.advance(minutes=1)
    shop.poll()
    (file,) = shop.service.conversation(request_id).entries[-1].files
    # Someone changes the stored bytes (same length) after the event stated their sha256.
    (stored,) = [path for path in attachments_root(vendor).rglob("*") if path.is_file()]
    stored.write_bytes(os.urandom(30_000))
    with pytest.raises(FileRefused) as caught:
        shop.service.download(request_id, file.id)
    assert caught.value.code is FileProblem.MISMATCH
    assert not [path for path in (shop.root / "support-files").rglob("*") if path.is_file()]
    (refused,) = shop.service.conversation(request_id).entries[-1].files
    assert refused.state is FileState.REFUSED and refused.local_path is None


def test_a_request_raised_before_the_conversation_gets_its_earlier_timeline(
        shop: Shop, vendor: VendorServer, clock: FixedClock) -> None:
    """An app that followed only statuses: the first new step brings the whole timeline, the old part seen."""
    request_id, number = shop.raise_request()
    clock.advance(minutes=5)
    staff_acts.reply(vendor_db(vendor), number, staff=STAFF, text="Câu hỏi cũ", attachments_root=attachments_root(
        vendor), now=clock())
    # What the older version's poll left, a while after that message: a step within the poll's overlap
    # (app.support.outbox.POLL_OVERLAP) may have committed late, so it is announced as new.
    clock.advance(minutes=10)
    shop.state.set("support.updated_since", clock().isoformat())
    clock.advance(minutes=5)
    staff_acts.reply(vendor_db(vendor), number, staff=STAFF, text="Câu hỏi mới",
                     attachments_root=attachments_root(vendor), now=clock())
    clock.advance(minutes=1)
    shop.poll()
    entries = shop.service.conversation(request_id).entries
    assert [(e.text, e.read) for e in entries if e.kind == EventKind.MESSAGE] == [("Câu hỏi cũ", True),
                                                                                ("Câu hỏi mới", False)]
    assert [e.text for e in shop.service.unnotified()] == ["Câu hỏi mới"]


def test_a_message_committed_after_the_last_poll_but_stamped_before_it_is_unread(
        shop: Shop, vendor: VendorServer, clock: FixedClock) -> None:
    """Found by the review of the poll's overlap: on a request this PC has not followed yet, a staff message
    stamped just before the cursor (its transaction started earlier, committed later) was stored as seen history,
    and the cashier was never told."""
    request_id, number = shop.raise_request()
    clock.advance(minutes=10)
    stamped = clock() - dt.timedelta(seconds=30)
    shop.state.set("support.updated_since", clock().isoformat())  # the last poll, before the message committed
    staff_acts.reply(vendor_db(vendor), number, staff=STAFF, text="Chị gửi giúp ảnh màn hình lỗi",
                     attachments_root=attachments_root(vendor), now=stamped)
    clock.advance(minutes=1)
    shop.poll()
    (message,) = [e for e in shop.service.conversation(request_id).entries if e.kind == EventKind.MESSAGE]
    assert not message.read
    assert [e.text for e in shop.service.unnotified()] == ["Chị gửi giúp ảnh màn hình lỗi"]


def test_the_auto_close_moment_is_shown_before_the_vendor_closes(tmp_path: Path, clock: FixedClock) -> None:
    """The proposal carries close_after; the system's close reaches the shop as its own step."""
    with start_vendor_server(tmp_path / "vendor2", clock=clock) as vendor:
        token = vendor.add_shop("KP-0001", "Kim Phát")
        shop = Shop(tmp_path / "shop2", vendor, token, clock)
        try:
            request_id, number = shop.raise_request()
            clock.advance(minutes=10)  # Monday 09:10
            staff_acts.propose(vendor_db(vendor), number, staff=STAFF, kind="phone", text="Khởi động lại máy",
                               now=clock())
            clock.advance(minutes=1)
            shop.poll()
            close_after = shop.service.conversation(request_id).close_after
            # 5 working days after Monday 2 March: Tue 3, Wed 4, Thu 5, Fri 6, Sat 7 -> Saturday's closing, 12:00.
            assert close_after == dt.datetime(2026, 3, 7, 12, 0, tzinfo=SHOP_TZ)
            clock.now = close_after + dt.timedelta(minutes=1)
            staff_acts.close_unanswered(vendor_db(vendor), now=clock())
            clock.advance(minutes=1)
            (change,) = shop.poll()
            assert change.new is RequestStatus.CLOSED
            closed = shop.service.conversation(request_id).entries[-1]
            assert (closed.kind, closed.author, closed.read) == (EventKind.CLOSED, Author.SYSTEM, False)
        finally:
            shop.db.close()


# --- the demo shop ---------------------------------------------------------------------------------------

def test_the_demo_shops_requests_carry_real_conversations(app_paths: AppPaths, demo_clock: FixedClock) -> None:
    """--demo seeds its samples through the embedded server and the app's own service and outbox."""
    runtime = bootstrap(demo=True, paths=app_paths, install_crash_handler=False, clock=demo_clock)
    try:
        assert runtime.demo_vendor is not None
        service = runtime.conversation
        conversations = {c.request.status: c for c in (service.conversation(r.id) for r in runtime.support.all())}
        assert set(conversations) == {RequestStatus.RESOLVED, RequestStatus.ON_SITE_SCHEDULED,
                                      RequestStatus.SOLUTION_PROPOSED}

        long = conversations[RequestStatus.ON_SITE_SCHEDULED]
        kinds = [str(entry.kind) for entry in long.entries]
        assert len(kinds) >= 10 and {"proposed", "refused", "visit_proposed", "visit_confirmed"} <= set(kinds)
        assert all(entry.state is EntryState.SENT and entry.at < demo_clock() for entry in long.entries)
        shop_files = [f for e in long.entries if e.author == Author.SHOP for f in e.files]
        vendor_files = [f for e in long.entries if e.author == Author.VENDOR for f in e.files]
        assert shop_files and all(f.state is FileState.UPLOADED for f in shop_files)
        assert vendor_files and all(f.state is FileState.AVAILABLE for f in vendor_files)
        for file in vendor_files:
            assert service.download(long.request.id, file.id).stat().st_size == file.size
        (visit,) = service.upcoming_visits()
        assert visit.request_id == long.request.id and visit.starts_at > demo_clock()

        waiting = conversations[RequestStatus.SOLUTION_PROPOSED]
        assert refuse_decision(waiting.flow) is None and waiting.close_after is not None

        resolved = conversations[RequestStatus.RESOLVED]
        assert service.needs_rating() == [resolved.request.id]
        # Only the newest vendor steps are new to the cashier: one per conversation still going on.
        assert sorted(service.unread_by_request().values()) == [1, 1]
        assert resolved.request.id not in service.unread_by_request()
    finally:
        runtime.close()
