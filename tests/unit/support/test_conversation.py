"""The conversation service: the rules both sides share, checked with the shop's own pending acts counted in;
what a cashier typed checked before anything is saved; visits, reminders, ratings and downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest

from app.infra.job_protocol import Cancelled
from app.storage.db import Database
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.conversation import ActInvalid, ActProblem, ActRefused, ConversationService, FileProblem, FileRefused
from app.support.models import Category, Channel, NewRequest, Severity, TicketReceipt
from app.support.service import MAX_ATTACHMENT_BYTES
from app.support.thread_models import Author, EntryState, EventKind, FileState
from app.support.vendor_api import VendorClient
from pmv_protocol.shop_time import SHOP_TZ
from pmv_protocol.thread import CurrentVisit, ThreadFile, TicketEvent, TicketUpdate, VisitSlot
from pmv_protocol.ticket_flow import Refusal
from tests.helpers import FixedClock, LocalHttpServer

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHOP_TZ)  # Wednesday 09:00 in the shop
NEW = NewRequest(Category.INCIDENT, Severity.NORMAL, "Máy quét không đọc tem", "Từ sáng nay", "Chị Lan",
                 "+84903112233", Channel.REMOTE)
SLOT = VisitSlot(dt.date(2026, 11, 27), dt.time(14, 0), dt.time(16, 0), "Trần Minh")  # Friday 14:00-16:00
VISIT_STARTS = dt.datetime(2026, 11, 27, 14, 0, tzinfo=SHOP_TZ)


class World:
    """The app's side on a real SQLite database, with a clock tests move and a server address tests set."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FixedClock(T0)
        self.db, _ = Database.open(tmp_path / "app.sqlite3")
        self.support = SupportRepository(self.db, tmp_path / "outbox", clock=self.clock)
        self.thread = ThreadRepository(self.db, tmp_path / "outbox", clock=self.clock)
        self.base_url = "http://127.0.0.1:9"
        self.downloads = tmp_path / "support-files"
        self.service = ConversationService(self.support, self.thread, downloads_dir=self.downloads,
                                           client_factory=lambda: VendorClient(self.base_url, "pmv_token", timeout=5),
                                           clock=self.clock)
        self.next_event = 100

    def request(self, ticket_id: int = 7) -> str:
        request = self.support.create(NEW, coverage="warranty", response_due_at=None)
        self.support.mark_sent(request.id, TicketReceipt(ticket_id, f"YC-2026-{ticket_id:06d}", "received", None,
                                                         True))
        return request.id

    def feed(self, request_id: str, status: str, *events: TicketEvent, **flow: object) -> None:
        """What a poll brings: the ticket as it is, and its new steps (through the repositories' own code)."""
        update = TicketUpdate(7, "YC-2026-000007", status, None, None, None, self.clock(), request_id,
                              events=events, **flow)
        self.support.apply_updates([update])
        self.thread.apply_updates([update])

    def event(self, kind: EventKind, author: Author = Author.VENDOR, **fields: object) -> TicketEvent:
        self.next_event += 1
        return TicketEvent(self.next_event, kind, author, "Hỗ trợ Minh", self.clock(), **fields)


@pytest.fixture
def world(tmp_path: Path):
    made = World(tmp_path)
    yield made
    made.db.close()


def proposed(world: World) -> str:
    request_id = world.request()
    world.feed(request_id, "solution_proposed", world.event(EventKind.PROPOSED, text="Tắt Unikey",
                                                          solution_kind="remote"),
               close_after=T0 + dt.timedelta(days=7))
    return request_id


def resolved(world: World, finished_at: dt.datetime = T0) -> str:
    request_id = world.request()
    world.feed(request_id, "resolved", world.event(EventKind.STATUS, text="resolved"), finished_at=finished_at,
               ever_resolved=True)
    return request_id


# --- what a cashier typed --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "files", "problem", "detail"), [
    ("   ", 0, ActProblem.EMPTY, ""),
    ("x" * 10_001, 0, ActProblem.TOO_LONG, "10000"),
    ("", 11, ActProblem.TOO_MANY_FILES, "10"),
])
def test_a_reply_that_says_nothing_or_too_much_is_refused_before_anything_is_saved(
        world: World, tmp_path: Path, text: str, files: int, problem: ActProblem, detail: str) -> None:
    request_id = world.request()
    paths = []
    for number in range(files):
        path = tmp_path / f"anh-{number}.png"
        path.write_bytes(b"png")
        paths.append(path)
    with pytest.raises(ActInvalid) as caught:
        world.service.reply(request_id, "Chị Lan", text, paths)
    assert (caught.value.code, caught.value.detail) == (problem, detail)
    assert isinstance(caught.value, ValueError)
    assert world.thread.entries(request_id) == []


def test_a_file_too_large_or_gone_is_named(world: World, tmp_path: Path) -> None:
    request_id = world.request()
    big = tmp_path / "video.mp4"
    with big.open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: no 10 MiB written
    with pytest.raises(ActInvalid) as caught:
        world.service.reply(request_id, "Chị Lan", "video lỗi", [big])
    assert (caught.value.code, caught.value.detail) == (ActProblem.FILE_TOO_LARGE, "video.mp4")
    with pytest.raises(ActInvalid) as caught:
        world.service.reply(request_id, "Chị Lan", "ảnh", [tmp_path / "khong-co.png"])
    assert (caught.value.code, caught.value.detail) == (ActProblem.FILE_UNREADABLE, "khong-co.png")
    with pytest.raises(ActInvalid) as caught:
        world.service.reply(request_id, "  ", "ai viết?")
    assert caught.value.code is ActProblem.NAME_REQUIRED
    assert world.thread.entries(request_id) == []


def test_a_reply_is_saved_pending_with_a_copy_of_its_file(world: World, tmp_path: Path) -> None:
    request_id = world.request()
    photo = tmp_path / "tem-loi.jpg"
    photo.write_bytes(b"jpeg")
    entry = world.service.reply(request_id, " Chị Lan ", "  Ảnh tem bị lỗi  ", [photo])
    assert (entry.kind, entry.author, entry.author_name, entry.text, entry.at) == (
        EventKind.MESSAGE, Author.SHOP, "Chị Lan", "Ảnh tem bị lỗi", T0)
    assert entry.state is EntryState.PENDING and entry.files[0].state is FileState.TO_UPLOAD
    assert world.service.has_pending()
    assert world.service.download(request_id, entry.files[0].id) == Path(entry.files[0].local_path)


# --- the rules, with the shop's pending acts counted in --------------------------------------------------

def test_a_decision_needs_a_proposal_and_a_refusal_needs_a_reason(world: World) -> None:
    waiting = world.request()
    with pytest.raises(ActRefused) as caught:
        world.service.decide(waiting, "Chị Lan", accept=True)
    assert caught.value.code is Refusal.NO_PROPOSAL
    request_id = proposed(world)
    with pytest.raises(ActInvalid) as problem:
        world.service.decide(request_id, "Chị Lan", accept=False, reason="  ")
    assert problem.value.code is ActProblem.REASON_REQUIRED
    refusal = world.service.decide(request_id, "Chị Lan", accept=False, reason="Vẫn ra chữ lạ")
    assert (refusal.kind, refusal.text) == (EventKind.REFUSED, "Vẫn ra chữ lạ")
    with pytest.raises(ActRefused) as caught:  # the pending refusal has answered the proposal
        world.service.decide(request_id, "Chị Lan", accept=True)
    assert caught.value.code is Refusal.NO_PROPOSAL


def test_a_pending_accept_reads_as_resolved_so_the_rating_comes_once(world: World) -> None:
    request_id = proposed(world)
    conversation = world.service.conversation(request_id)
    assert conversation.close_after == T0 + dt.timedelta(days=7)
    world.service.decide(request_id, "Chị Lan", accept=True)
    conversation = world.service.conversation(request_id)
    assert conversation.flow.status == "resolved" and conversation.flow.ever_resolved
    assert conversation.request.status.value == "solution_proposed"  # the vendor's word until it answers
    assert conversation.close_after is None
    assert world.service.needs_rating() == [request_id]
    with pytest.raises(ActInvalid) as problem:
        world.service.rate(request_id, "Chị Lan", 6)
    assert problem.value.code is ActProblem.STARS
    rating = world.service.rate(request_id, "Chị Lan", 5, "Nhanh, dễ hiểu")
    assert (rating.stars, rating.text) == (5, "Nhanh, dễ hiểu")
    with pytest.raises(ActRefused) as caught:
        world.service.rate(request_id, "Chị Lan", 4)
    assert caught.value.code is Refusal.ALREADY_RATED
    assert world.service.needs_rating() == []


def test_a_refused_act_no_longer_counts(world: World) -> None:
    request_id = proposed(world)
    accept = world.service.decide(request_id, "Chị Lan", accept=True)
    world.thread.mark_act_refused(accept.id, Refusal.NO_PROPOSAL.value)  # the vendor had withdrawn it
    conversation = world.service.conversation(request_id)
    assert conversation.flow.status == "solution_proposed" and not conversation.flow.ever_resolved
    assert conversation.entries[-1].error == "no_proposal"


def test_the_rating_prompt_is_shown_once_and_skipping_it_still_allows_a_rating(world: World) -> None:
    earlier = resolved(world, T0 - dt.timedelta(days=1))
    later = resolved(world, T0)
    assert world.service.needs_rating() == [earlier, later]
    world.service.skip_rating(earlier)
    assert world.service.needs_rating() == [later]
    assert world.service.conversation(earlier).rating_asked
    world.service.rate(earlier, "Anh Tâm", 3)  # the button stays after the prompt was skipped


def test_reopening_is_for_seven_days_after_resolution(world: World) -> None:
    request_id = resolved(world, T0)
    with pytest.raises(ActRefused) as caught:
        world.service.reopen(world.request(), "Chị Lan", "lại lỗi")
    assert caught.value.code is Refusal.NOT_RESOLVED
    world.clock.now = T0 + dt.timedelta(days=7, minutes=1)
    with pytest.raises(ActRefused) as caught:
        world.service.reopen(request_id, "Chị Lan", "lại lỗi")
    assert caught.value.code is Refusal.REOPEN_TOO_LATE
    world.clock.now = T0 + dt.timedelta(days=7)  # the last moment still counts
    with pytest.raises(ActInvalid):
        world.service.reopen(request_id, "Chị Lan", " ")
    entry = world.service.reopen(request_id, "Chị Lan", "Máy quét lại ra chữ lạ")
    assert entry.kind is EventKind.REOPENED
    assert world.service.conversation(request_id).flow.status == "in_progress"


def test_nothing_but_a_reopening_is_allowed_on_a_closed_request(world: World) -> None:
    request_id = world.request()
    world.feed(request_id, "closed", world.event(EventKind.CLOSED), finished_at=T0)
    for act in (lambda: world.service.reply(request_id, "Chị Lan", "còn đó không?"),
                lambda: world.service.decide(request_id, "Chị Lan", True),
                lambda: world.service.answer_visit(request_id, "Chị Lan", 1, True)):
        with pytest.raises(ActRefused) as caught:
            act()
        assert caught.value.code is Refusal.CLOSED
    with pytest.raises(LookupError):
        world.service.reply("no-such-request", "Chị Lan", "?")


# --- visits and their reminders --------------------------------------------------------------------------

def visit_proposed(world: World, visit_id: int = 50) -> str:
    request_id = world.request()
    world.feed(request_id, "in_progress", world.event(EventKind.VISIT_PROPOSED, visit=SLOT),
               visit=CurrentVisit(visit_id, SLOT, "proposed"))
    return request_id


def test_a_visit_answer_names_the_waiting_proposal(world: World) -> None:
    request_id = visit_proposed(world)
    with pytest.raises(ActRefused) as caught:
        world.service.answer_visit(request_id, "Chị Lan", 49, True)
    assert caught.value.code is Refusal.OTHER_VISIT
    with pytest.raises(ActInvalid) as problem:
        world.service.answer_visit(request_id, "Chị Lan", 50, False)
    assert problem.value.code is ActProblem.NOTE_REQUIRED
    assert world.service.upcoming_visits() == []  # proposed, not confirmed
    entry = world.service.answer_visit(request_id, "Chị Lan", 50, True)
    assert (entry.kind, entry.visit_id, entry.visit) == (EventKind.VISIT_CONFIRMED, 50, SLOT)
    conversation = world.service.conversation(request_id)
    assert conversation.visit.state == "confirmed" and conversation.flow.status == "on_site_scheduled"
    with pytest.raises(ActRefused) as caught:
        world.service.answer_visit(request_id, "Chị Lan", 50, False, "chiều thứ Bảy")
    assert caught.value.code is Refusal.NO_VISIT
    (upcoming,) = world.service.upcoming_visits()
    assert (upcoming.request_id, upcoming.slot, upcoming.starts_at) == (request_id, SLOT, VISIT_STARTS)
    assert upcoming.ticket_number == "YC-2026-000007"


def test_each_visit_reminder_comes_once_at_its_time(world: World) -> None:
    request_id = world.request()
    world.feed(request_id, "on_site_scheduled", visit=CurrentVisit(50, SLOT, "confirmed"))
    service = world.service
    assert service.due_reminders(VISIT_STARTS - dt.timedelta(hours=24, seconds=1)) == []
    (due,) = service.due_reminders(VISIT_STARTS - dt.timedelta(hours=24))
    assert due[1] == "day_before" and due[0].request_id == request_id
    service.mark_reminded(request_id, "day_before")
    assert service.due_reminders(VISIT_STARTS - dt.timedelta(hours=2)) == []
    assert [kind for _visit, kind in service.due_reminders(VISIT_STARTS - dt.timedelta(minutes=59))] == [
        "hour_before"]
    service.mark_reminded(request_id, "hour_before")
    assert service.due_reminders(VISIT_STARTS - dt.timedelta(minutes=30)) == []
    # Proposed again for another day and confirmed: that visit has its own reminders.
    other = VisitSlot(dt.date(2026, 11, 30), dt.time(9, 0), dt.time(10, 0), "Trần Minh")
    world.feed(request_id, "on_site_scheduled", visit=CurrentVisit(60, other, "confirmed"))
    starts = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHOP_TZ)
    assert [kind for _v, kind in service.due_reminders(starts - dt.timedelta(hours=3))] == ["day_before"]


def test_a_missed_reminder_gives_way_and_a_past_visit_is_not_upcoming(world: World) -> None:
    request_id = world.request()
    world.feed(request_id, "on_site_scheduled", visit=CurrentVisit(50, SLOT, "confirmed"))
    assert [kind for _v, kind in world.service.due_reminders(VISIT_STARTS - dt.timedelta(minutes=10))] == [
        "hour_before"]  # the app was off the day before: no stale "tomorrow"
    assert world.service.due_reminders(VISIT_STARTS) == []
    world.clock.now = dt.datetime(2026, 11, 27, 15, 0, tzinfo=SHOP_TZ)
    assert len(world.service.upcoming_visits()) == 1  # under way until its window ends
    world.clock.now = dt.datetime(2026, 11, 27, 16, 0, tzinfo=SHOP_TZ)
    assert world.service.upcoming_visits() == []


# --- unread and notified ----------------------------------------------------------------------------------

def test_the_vendors_steps_are_unread_until_the_request_is_opened(world: World) -> None:
    first, second = world.request(), world.request(8)
    world.feed(first, "in_progress", world.event(EventKind.MESSAGE, text="Anh gửi log giúp em"),
               world.event(EventKind.MESSAGE, text="Và ảnh màn hình"))
    world.feed(second, "in_progress", world.event(EventKind.MESSAGE, Author.SHOP, text="từ máy khác"))
    assert world.service.unread_by_request() == {first: 2}
    assert world.service.unread_count() == 2
    assert world.service.conversation(first).unread == 2
    world.service.reply(first, "Chị Lan", "Đây ạ")  # the shop's own entries are never unread
    world.service.mark_read(first)
    assert world.service.unread_count() == 0
    announced = world.service.unnotified()
    assert [entry.text for entry in announced] == ["Anh gửi log giúp em", "Và ảnh màn hình"]
    world.service.mark_notified([entry.id for entry in announced])
    assert world.service.unnotified() == []


# --- downloads --------------------------------------------------------------------------------------------

class FileServer(LocalHttpServer):
    """A real HTTP listener serving one attachment's bytes, slowly if told to (for a cancel mid-way)."""

    def __init__(self, body: bytes, chunks: int = 1, pause: threading.Event | None = None) -> None:
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                served.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                step = max(1, len(body) // chunks)
                for start in range(0, len(body), step):
                    self.wfile.write(body[start:start + step])
                    self.wfile.flush()
                    if pause is not None:
                        pause.wait(5)

            def log_message(self, *_args: object) -> None:
                pass

        self.paths: list[str] = []
        super().__init__(Handler)


def vendor_file(world: World, body: bytes, stated: bytes | None = None,
                name: str = "huong-dan.pdf") -> tuple[str, str]:
    """A request with one vendor message carrying one file whose size and sha256 are those of ``stated``."""
    request_id = world.request()
    stated = body if stated is None else stated
    file = ThreadFile(31, name, len(stated), hashlib.sha256(stated).hexdigest())
    world.feed(request_id, "in_progress", world.event(EventKind.MESSAGE, files=(file,)))
    (entry,) = world.thread.entries(request_id)
    return request_id, entry.files[0].id


def test_a_vendor_file_is_checked_then_kept_under_its_own_name(world: World) -> None:
    body = os.urandom(200_000)
    request_id, file_id = vendor_file(world, body, name="../hướng dẫn:in tem.pdf")
    server = FileServer(body, chunks=4)
    world.base_url = server.base_url
    try:
        path = world.service.download(request_id, file_id)
        assert world.service.download(request_id, file_id) == path  # a second open is the kept copy
    finally:
        server.close()
    assert server.paths == ["/api/v1/tickets/7/attachments/31"]
    assert path.read_bytes() == body and path.name == "hướng dẫn_in tem.pdf"
    assert path.parent.parent.parent == world.downloads
    (entry,) = world.thread.entries(request_id)
    assert entry.files[0].state is FileState.DOWNLOADED and entry.files[0].local_path == str(path)


@pytest.mark.parametrize(("served", "problem"), [
    (b"the bytes someone changed", FileProblem.MISMATCH),
    (b"the bytes the vendor sent, and more", FileProblem.SIZE),
])
def test_a_vendor_file_that_does_not_match_what_was_stated_is_refused_and_not_kept(
        world: World, served: bytes, problem: FileProblem) -> None:
    request_id, file_id = vendor_file(world, served, stated=b"the bytes the vendor sent")
    server = FileServer(served)
    world.base_url = server.base_url
    try:
        with pytest.raises(FileRefused) as caught:
            world.service.download(request_id, file_id)
    finally:
        server.close()
    assert caught.value.code is problem
    assert not [path for path in world.downloads.rglob("*") if path.is_file()]
    (entry,) = world.thread.entries(request_id)
    assert entry.files[0].state is FileState.REFUSED and entry.files[0].local_path is None


def test_a_cancelled_download_keeps_nothing(world: World) -> None:
    body = os.urandom(300_000)
    request_id, file_id = vendor_file(world, body)
    cancel, pause = threading.Event(), threading.Event()
    server = FileServer(body, chunks=3, pause=pause)
    world.base_url = server.base_url
    cancel.set()  # the cashier pressed Cancel as the first bytes came
    try:
        with pytest.raises(Cancelled):
            world.service.download(request_id, file_id, cancel)
    finally:
        pause.set()
        server.close()
    assert not [path for path in world.downloads.rglob("*") if path.is_file()]
    assert world.thread.entries(request_id)[0].files[0].state is FileState.AVAILABLE  # may be fetched again


def test_a_file_of_another_request_is_not_handed_over(world: World) -> None:
    _request_id, file_id = vendor_file(world, b"x")
    with pytest.raises(FileRefused) as caught:
        world.service.download(world.request(), file_id)
    assert caught.value.code is FileProblem.UNKNOWN
