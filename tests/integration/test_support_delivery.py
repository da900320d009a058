"""The outbox against the real vendor server, through a proxy that misbehaves.

Whatever the network does (server down, connection dropped after the
server committed, a 500 after commit, a stall past the timeout, the client
killed mid-delivery) each request ends as exactly one ticket.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from app.storage.db import Database
from app.storage.repositories import ActivityRepository, StateRepository
from app.storage.support_requests import AttachmentSource, SupportRepository
from app.support.models import AttachmentError, AttachmentKind, Category, Channel, NewRequest, RequestStatus, Severity
from app.support.outbox import Outbox, poll_updates
from app.support.vendor_api import ApiFailure, VendorClient
from tests.helpers import LocalHttpServer, answer_json
from tests.integration.conftest import VendorServer, free_port
from tests.integration.fault_proxy import DROP_AFTER_COMMIT, ERROR_500_AFTER_COMMIT, STALL_AFTER_COMMIT, FaultProxy
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.tickets import update_ticket

pytestmark = pytest.mark.integration

NEW = NewRequest(Category.BARCODE_DEVICE, Severity.HIGH, "Máy quét ra chữ lạ", "Quét tem PMV9999 ra ký tự lạ",
                 "Chị Lan", "+84903112233", Channel.REMOTE)


def ticket_count(vendor: VendorServer) -> int:
    from sqlalchemy import func, select

    with VendorDatabase(vendor.db_url).sessions() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


@pytest.fixture
def shop(tmp_path: Path):
    db, _ = Database.open(tmp_path / "shop" / "app.sqlite3")
    repo = SupportRepository(db, tmp_path / "shop" / "outbox")
    yield db, repo
    db.close()


@pytest.fixture
def proxy(vendor_server: VendorServer):
    port = int(vendor_server.base_url.rsplit(":", 1)[1])
    fault = FaultProxy(port, stall_seconds=3)
    yield fault
    fault.close()


def outbox_for(repo: SupportRepository, base_url: str, token: str, timeout: float = 5) -> Outbox:
    return Outbox(repo, lambda: VendorClient(base_url, token, timeout=timeout))


def test_requests_raised_while_the_server_is_down_are_delivered_when_it_is_up(
    vendor_server: VendorServer, shop
) -> None:
    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    target = {"url": f"http://127.0.0.1:{free_port()}"}  # nothing listens there yet
    outbox = Outbox(repo, lambda: VendorClient(target["url"], token, timeout=2))
    first = repo.create(NEW, coverage="warranty", response_due_at=None)
    second = repo.create(NEW, coverage="warranty", response_due_at=None)
    report = outbox.deliver()
    assert report.sent == [] and report.offline
    assert {r.status for r in repo.all()} == {RequestStatus.PENDING}
    assert outbox.deliver().sent == []  # still backing off: nothing is tried again at once

    target["url"] = vendor_server.base_url  # the server is back
    report = outbox.deliver(ignore_backoff=True)
    assert sorted(report.sent) == sorted([first.id, second.id])
    assert ticket_count(vendor_server) == 2
    assert all(r.status is RequestStatus.RECEIVED and r.ticket_number for r in repo.all())
    # Each delivery is a line of the overview's recent activity, named by the vendor's number; the failed tries not.
    noted = [e.detail["number"] for e in ActivityRepository(repo.database).recent(10) if e.code == "sent"]
    assert sorted(noted) == sorted(r.ticket_number for r in repo.all())


@pytest.mark.parametrize("fault", [DROP_AFTER_COMMIT, ERROR_500_AFTER_COMMIT, STALL_AFTER_COMMIT])
def test_a_failure_after_the_server_committed_still_ends_with_one_ticket(
    vendor_server: VendorServer, shop, proxy: FaultProxy, fault: str
) -> None:
    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    proxy.on("POST", "/api/v1/tickets", fault)
    # A short timeout only where the stall is the point (a drop or a 500 must not become a timeout under load).
    outbox = outbox_for(repo, proxy.base_url, token, timeout=1 if fault == STALL_AFTER_COMMIT else 10)
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    report = outbox.deliver()
    expected = {DROP_AFTER_COMMIT: ApiFailure.OFFLINE, ERROR_500_AFTER_COMMIT: ApiFailure.SERVER,
                STALL_AFTER_COMMIT: ApiFailure.TIMEOUT}[fault]
    assert report.failed == [(request.id, expected)]
    assert ticket_count(vendor_server) == 1  # the server did commit
    assert repo.get(request.id).status is RequestStatus.PENDING

    retry = outbox.deliver(ignore_backoff=True)
    assert retry.sent == [request.id]
    assert ticket_count(vendor_server) == 1  # the retry found the same ticket
    assert repo.get(request.id).ticket_number.startswith("YC-")
    assert [action for _m, _p, action in proxy.seen if _m == "POST"] == [fault, "pass"]


def test_attachments_resume_per_file_and_are_never_stored_twice(
    vendor_server: VendorServer, shop, proxy: FaultProxy, tmp_path: Path
) -> None:
    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    files = []
    for name, size in (("a-nhat-ky.txt", 2000), ("b-anh.png", 300_000), ("c-chan-doan.zip", 5000)):
        path = tmp_path / name
        path.write_bytes(os.urandom(size))
        files.append(AttachmentSource(path, AttachmentKind.FILE))
    request = repo.create(NEW, coverage="warranty", response_due_at=None, attachments=files)
    # Uploads go in name order; the second upload is dropped after the server stored it.
    proxy.on("POST", "/api/v1/tickets/", "pass", DROP_AFTER_COMMIT)
    outbox = outbox_for(repo, proxy.base_url, token)
    report = outbox.deliver()
    assert report.sent == [request.id] and report.uploaded == 1
    uploaded = [a.uploaded_at is not None for a in repo.get(request.id).attachments]
    assert uploaded == [True, False, False]  # stopped at the failure, will resume from there
    report = outbox.deliver(ignore_backoff=True)  # the failed file waits its backoff; "Gửi lại ngay" skips it
    assert report.uploaded == 2
    assert all(a.uploaded_at for a in repo.get(request.id).attachments)
    stored = list((vendor_server.data / "attachments").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 3  # the replayed upload was not stored twice


def test_a_tampered_or_oversized_attachment_gets_a_clear_error(tmp_path: Path, shop) -> None:
    from tests.integration.conftest import start_vendor_server

    _db, repo = shop
    with start_vendor_server(tmp_path / "small-vendor", max_attachment_bytes=50_000) as vendor:
        token = vendor.add_shop("KP-0001", "Kim Phát")
        small, big = tmp_path / "ghi-chu.txt", tmp_path / "video.mp4"
        small.write_text("nội dung gốc", encoding="utf-8")
        big.write_bytes(os.urandom(80_000))
        request = repo.create(NEW, coverage="warranty", response_due_at=None,
                              attachments=[AttachmentSource(small, AttachmentKind.FILE),
                                           AttachmentSource(big, AttachmentKind.FILE)])
        stored_copy = Path(next(a.path for a in request.attachments if a.filename == "ghi-chu.txt"))
        stored_copy.write_text("nội dung bị sửa", encoding="utf-8")  # changed after it was attached
        report = outbox_for(repo, vendor.base_url, token).deliver()
        errors = {a.filename: a.error for a in repo.get(request.id).attachments}
        assert errors == {"ghi-chu.txt": AttachmentError.TAMPERED, "video.mp4": AttachmentError.TOO_LARGE}
        assert sorted(e for _id, e in report.attachment_errors) == sorted(errors.values())
        assert [e.kind for e in repo.events(request.id)].count("attachment_failed") == 2
        assert not [p for p in (vendor.data / "attachments").rglob("*") if p.is_file()]


def test_the_poller_brings_the_proposed_solution_back(vendor_server: VendorServer, shop) -> None:
    db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    client = VendorClient(vendor_server.base_url, token, timeout=5)
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    Outbox(repo, lambda: client).deliver()
    state = StateRepository(db)
    assert poll_updates(repo, client, state) == []  # nothing new yet (the ticket is just 'received')
    number = repo.get(request.id).ticket_number
    update_ticket(VendorDatabase(vendor_server.db_url), number, status="solution_proposed", solution_kind="remote",
                  solution_text="Tắt Unikey khi dùng máy quét, hoặc chuyển sang chế độ gõ tiếng Anh (E).")
    (change,) = poll_updates(repo, client, state)
    assert change.new is RequestStatus.SOLUTION_PROPOSED and "Unikey" in change.solution_text
    assert poll_updates(repo, client, state) == []  # seen once, reported once
    stored = repo.get(request.id)
    assert stored.status is RequestStatus.SOLUTION_PROPOSED and stored.solution_kind is Channel.REMOTE


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
    Outbox(repo, lambda: VendorClient(sys.argv[3], sys.argv[4], timeout=60)).deliver()
''')


def test_killing_the_client_mid_delivery_then_restarting_delivers_each_request_once(
    vendor_server: VendorServer, shop, proxy: FaultProxy, tmp_path: Path
) -> None:
    db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    requests_ = [repo.create(NEW, coverage="warranty", response_due_at=None) for _ in range(3)]
    proxy.stall_seconds = 30
    proxy.on("POST", "/api/v1/tickets", "pass", STALL_AFTER_COMMIT)  # the second one hangs after commit
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db.path), str(tmp_path / "shop" / "outbox"), proxy.base_url, token],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while ticket_count(vendor_server) < 2:
            assert time.monotonic() < deadline and child.poll() is None, child.stderr.read() if child.stderr else ""
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    statuses = [repo.get(r.id).status for r in requests_]
    assert statuses == [RequestStatus.RECEIVED, RequestStatus.PENDING, RequestStatus.PENDING]

    report = outbox_for(repo, vendor_server.base_url, token).deliver(ignore_backoff=True)
    assert sorted(report.sent) == sorted(r.id for r in requests_[1:])
    assert ticket_count(vendor_server) == 3
    numbers = {repo.get(r.id).ticket_number for r in requests_}
    assert len(numbers) == 3
    listing = requests.get(f"{vendor_server.base_url}/api/v1/tickets",
                           headers={"Authorization": f"Bearer {token}"}, timeout=5).json()["tickets"]
    assert sorted(t["idempotency_key"] for t in listing) == sorted(r.id for r in requests_)


def test_files_added_to_a_sent_request_are_uploaded_on_their_own(vendor_server: VendorServer, shop,
                                                                 tmp_path: Path) -> None:
    """A remote-access ID or the technician's audit log, attached after the request went out."""
    from sqlalchemy import select

    from vendor_server.db import Attachment

    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    outbox = outbox_for(repo, vendor_server.base_url, token)
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    assert outbox.deliver().sent == [request.id]
    note = tmp_path / "truy-cap-tu-xa.json"
    note.write_text('{"remote_tool": "anydesk", "remote_id": "123456789"}', encoding="utf-8")
    updated = repo.add_attachments(request.id, [AttachmentSource(note, AttachmentKind.FILE)], reason="remote_id")
    assert [a.filename for a in updated.attachments] == ["truy-cap-tu-xa.json"]
    note.unlink()  # the outbox holds its own copy
    outbox.deliver()
    with VendorDatabase(vendor_server.db_url).sessions() as session:
        names = session.scalars(select(Attachment.filename)).all()
    assert names == ["truy-cap-tu-xa.json"]
    assert repo.get(request.id).attachments[0].uploaded_at is not None  # type: ignore[union-attr]
    assert [e.kind for e in repo.events(request.id)][-1] == "attachments_added"
    with pytest.raises(LookupError):
        repo.add_attachments("no-such-request", [AttachmentSource(tmp_path / "x", AttachmentKind.FILE)])


def test_a_change_committed_after_a_later_stamped_one_still_reaches_the_shop(vendor_server: VendorServer,
                                                                            shop) -> None:
    """The server stamps a change when its transaction starts; two staff acts that overlap can commit in the other
    order. The shop asks from a little before its cursor, so the earlier-stamped change that committed after its
    poll is not skipped, and what it has already seen is not announced twice."""
    db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    client = VendorClient(vendor_server.base_url, token, timeout=5)
    first, second = (repo.create(NEW, coverage="warranty", response_due_at=None) for _ in range(2))
    Outbox(repo, lambda: client).deliver()
    state = StateRepository(db)
    assert poll_updates(repo, client, state) == []
    vendor_db = VendorDatabase(vendor_server.db_url)
    start = dt.datetime.now(dt.UTC)
    stamped_first, stamped_second = start + dt.timedelta(seconds=1), start + dt.timedelta(seconds=2)
    # B (stamped T2) commits, the shop polls, then A (stamped T1 < T2) commits.
    update_ticket(vendor_db, repo.get(second.id).ticket_number, status="in_progress", now=stamped_second)
    (change,) = poll_updates(repo, client, state)
    assert change.request_id == second.id
    update_ticket(vendor_db, repo.get(first.id).ticket_number, status="solution_proposed", solution_kind="phone",
                  solution_text="Gọi lại lúc 14:00 để hướng dẫn.", now=stamped_first)
    (late,) = poll_updates(repo, client, state)
    assert late.request_id == first.id and late.new is RequestStatus.SOLUTION_PROPOSED
    assert poll_updates(repo, client, state) == []  # asked again from before the cursor: nothing told twice


def test_an_upload_answered_by_a_wifi_login_page_is_not_counted_and_goes_later(vendor_server: VendorServer, shop,
                                                                               tmp_path: Path) -> None:
    """A captive portal or a proxy answers "200 OK" with its own HTML page: the vendor stored nothing, so the file
    stays waiting (not uploaded, not refused) and goes with the next run that reaches the vendor."""
    import http.server

    from sqlalchemy import select

    from vendor_server.db import Attachment

    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")

    class Portal(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/api/v1/tickets":  # the request itself gets through to the vendor
                forwarded = requests.post(f"{vendor_server.base_url}{self.path}", data=body, timeout=10, headers={
                    name: self.headers[name] for name in ("Authorization", "Idempotency-Key", "Content-Type")})
                answer_json(self, forwarded.status_code, forwarded.json())
                return
            page = b"<html><body>Dang nhap Wi-Fi</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    log_file = tmp_path / "pos.log"
    log_file.write_text("nhật ký máy bán hàng\n" * 50, encoding="utf-8")
    request = repo.create(NEW, coverage="warranty", response_due_at=None,
                          attachments=[AttachmentSource(log_file, AttachmentKind.FILE)])
    portal = LocalHttpServer(Portal)
    try:
        report = outbox_for(repo, portal.base_url, token).deliver()
    finally:
        portal.close()
    assert report.sent == [request.id] and report.uploaded == 0 and report.attachment_errors == []
    (waiting,) = repo.get(request.id).attachments  # type: ignore[union-attr]
    assert waiting.uploaded_at is None and waiting.error is None

    assert waiting.attempts == 1 and waiting.next_attempt_at is not None  # it waits its backoff, as a request does
    # The next run that reaches the vendor, once the file's backoff is over (here: "Gửi lại ngay").
    assert outbox_for(repo, vendor_server.base_url, token).deliver(ignore_backoff=True).uploaded == 1
    with VendorDatabase(vendor_server.db_url).sessions() as session:
        assert session.scalars(select(Attachment.filename)).all() == ["pos.log"]


def test_a_message_whose_file_the_full_ticket_refuses_is_refused_with_a_reason_the_app_words(
        vendor_server: VendorServer, shop, tmp_path: Path) -> None:
    """Found by the review of the ticket's file limit: the refusal was the server's English sentence, shown as
    such to the cashier. It now carries the code ticket_full, which the support page words in Vietnamese."""
    from app.storage.support_thread import ThreadRepository
    from app.support.thread_models import EventKind
    from app.ui.support.texts import refusal_text
    from pmv_protocol.ticket_flow import Refusal
    from tests.integration.test_vendor_tickets import upload
    from vendor_server.uploads import MAX_TICKET_FILES

    db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    outbox_for(repo, vendor_server.base_url, token).deliver()
    ticket_id = repo.get(request.id).ticket_id
    for index in range(MAX_TICKET_FILES):
        assert upload(vendor_server.base_url, token, ticket_id, str(index).encode()).status_code == 201
    photo = tmp_path / "anh-loi.png"
    photo.write_bytes(b"png")
    thread = ThreadRepository(db, repo.outbox_dir)
    thread.add_act(request.id, EventKind.MESSAGE, "Chị Lan", at=dt.datetime.now(dt.UTC),
                   text="Máy quét vẫn lỗi, em gửi ảnh", files=[photo])
    report = outbox_for(repo, vendor_server.base_url, token).deliver()
    assert [why for _entry, why in report.acts_refused] == [Refusal.TICKET_FULL.value]
    assert "quá nhiều tệp" in refusal_text(Refusal.TICKET_FULL.value)
    assert refusal_text("the ticket already holds 200 files") == "máy chủ từ chối"  # never the server's English


# --- issue 18: a ticket gone from the server ---------------------------------------

def delete_ticket(vendor: VendorServer, number: str) -> None:
    """What staff deleting a ticket, or restoring the server from an older backup, leaves behind."""
    from sqlalchemy import delete, select

    from vendor_server.db import Attachment

    with VendorDatabase(vendor.db_url).sessions.begin() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        session.execute(delete(Attachment).where(Attachment.ticket_id == ticket.id))
        session.delete(ticket)


def sources(tmp_path: Path, *names: str) -> list[AttachmentSource]:
    found = []
    for name in names:
        path = tmp_path / "src" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(os.urandom(3000))
        found.append(AttachmentSource(path, AttachmentKind.FILE))
    return found


def server_files(vendor: VendorServer, number: str) -> list[str]:
    from sqlalchemy import select

    from vendor_server.db import Attachment

    with VendorDatabase(vendor.db_url).sessions() as session:
        return sorted(session.scalars(select(Attachment.filename).join(Ticket, Ticket.id == Attachment.ticket_id)
                                      .where(Ticket.number == number)).all())


@pytest.mark.parametrize("how", ["deleted_by_staff", "restored_from_an_older_backup", "another_shops_token"])
def test_files_of_a_ticket_gone_from_the_server_are_marked_and_later_requests_still_upload(
    vendor_server: VendorServer, shop, tmp_path: Path, how: str
) -> None:
    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    first = repo.create(NEW, coverage="warranty", response_due_at=None)
    earlier = repo.create(NEW, coverage="warranty", response_due_at=None)
    assert outbox_for(repo, vendor_server.base_url, token).deliver().sent == [first.id, earlier.id]
    if how == "deleted_by_staff":  # a ticket in the middle: its id is not handed out again
        delete_ticket(vendor_server, repo.get(first.id).ticket_number)
    elif how == "restored_from_an_older_backup":  # the newest ticket lost: the server hands its id out again
        first, earlier = earlier, first
        delete_ticket(vendor_server, repo.get(first.id).ticket_number)
    else:  # the till was moved to another shop, with that shop's token
        token = vendor_server.add_shop("KP-0002", "Kim Hoàn")
    # Files for the first request come later (a remote-access ID, the audit log); a new request follows.
    repo.add_attachments(first.id, sources(tmp_path, "a-truy-cap.json", "b-nhat-ky.csv"), reason="remote_id")
    second = repo.create(NEW, coverage="warranty", response_due_at=None,
                         attachments=sources(tmp_path, "c-chan-doan.zip"))
    outbox = outbox_for(repo, vendor_server.base_url, token)

    report = outbox.deliver()
    assert report.sent == [second.id] and report.uploaded == 1
    if how == "restored_from_an_older_backup":
        assert repo.get(second.id).ticket_id == repo.get(first.id).ticket_id  # same id, another request
    gone = repo.get(first.id).attachments
    assert [(a.filename, a.error, a.uploaded_at) for a in gone] == [
        ("a-truy-cap.json", AttachmentError.TICKET_GONE, None), ("b-nhat-ky.csv", AttachmentError.TICKET_GONE, None)]
    assert sorted(report.attachment_errors) == sorted((a.id, AttachmentError.TICKET_GONE) for a in gone)
    assert all(Path(a.path).is_file() for a in gone)  # nothing the shop saved is lost
    assert [e.detail["error"] for e in repo.events(first.id) if e.kind == "attachment_failed"] == ["ticket_gone"] * 2
    assert server_files(vendor_server, repo.get(second.id).ticket_number) == ["c-chan-doan.zip"]
    assert repo.next_delivery_at() is None  # nothing left waiting: the lost ticket holds nothing back

    third = repo.create(NEW, coverage="warranty", response_due_at=None, attachments=sources(tmp_path, "d-anh.png"))
    report = outbox.deliver()
    assert report.sent == [third.id] and report.uploaded == 1 and report.attachment_errors == []
    assert server_files(vendor_server, repo.get(third.id).ticket_number) == ["d-anh.png"]


def test_a_wrong_server_address_never_marks_files_as_gone(vendor_server: VendorServer, shop, tmp_path: Path) -> None:
    """A 404 from the wrong address (or a proxy in the way) is not a lost ticket: the files wait."""
    _db, repo = shop
    token = vendor_server.add_shop("KP-0001", "Kim Phát")
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    assert outbox_for(repo, vendor_server.base_url, token).deliver().sent == [request.id]
    repo.add_attachments(request.id, sources(tmp_path, "ghi-chu.txt"))

    report = outbox_for(repo, f"{vendor_server.base_url}/khong-phai-api", token).deliver()
    assert report.uploaded == 0 and report.attachment_errors == []
    assert repo.get(request.id).attachments[0].error is None  # still waiting, not given up

    # The address is put right; the file waited its backoff (found by the review: it was sent whole every run).
    assert repo.get(request.id).attachments[0].attempts == 1
    report = outbox_for(repo, vendor_server.base_url, token).deliver(ignore_backoff=True)
    assert report.uploaded == 1
    assert server_files(vendor_server, repo.get(request.id).ticket_number) == ["ghi-chu.txt"]


class _ScriptedVendor(LocalHttpServer):
    """A real HTTP listener on 127.0.0.1 speaking the ticket API, answering uploads per ticket as told.

    For what the reference server never says: 410 Gone (a later server, a CDN), and a 404 on an
    upload while the ticket is still listed (an older server without the attachments route).
    """

    def __init__(self, upload_status: dict[int, int], listed: bool) -> None:
        from http.server import BaseHTTPRequestHandler

        self.seen: list[tuple[str, str]] = []
        self.keys: dict[int, str] = {}
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                sent = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                scripted.seen.append(("POST", self.path))
                if self.path == "/api/v1/tickets":
                    ticket_id = len(scripted.keys) + 1
                    scripted.keys[ticket_id] = self.headers["Idempotency-Key"]
                    return answer_json(self, 201, {"id": ticket_id, "number": f"YC-2026-{ticket_id:06d}",
                                                   "status": "received", "response_due_at": None})
                ticket_id = int(self.path.split("/")[4])
                status = upload_status.get(ticket_id, 201)
                if status >= 400:
                    return answer_json(self, status, {"detail": "gone"})
                # A receipt as the vendor's (pmv_protocol.wire.AttachmentReceipt): it names the file it stored.
                field = {name: re.search(rb'name="%s"\r\n\r\n([^\r]*)' % name.encode(), sent).group(1).decode()
                         for name in ("client_id", "sha256")}
                answer_json(self, status, {"id": 1, "filename": "f", "size": 1, **field})

            def do_GET(self) -> None:  # noqa: N802
                scripted.seen.append(("GET", self.path))
                tickets = [{"id": i, "number": f"YC-2026-{i:06d}", "status": "received", "response_due_at": None,
                            "solution_kind": None, "solution_text": None, "updated_at": "2026-11-25T03:00:00+00:00",
                            "idempotency_key": key} for i, key in scripted.keys.items() if listed]
                answer_json(self, 200, {"tickets": tickets, "server_time": "2026-11-25T03:00:00+00:00"})

            def log_message(self, *_args: object) -> None:
                pass

        super().__init__(Handler)


@pytest.mark.parametrize(
    ("status", "listed", "first_error"),
    [
        (410, True, AttachmentError.TICKET_GONE),  # RFC 9110 §15.5.11: gone, and for good, whatever a list says
        (404, False, AttachmentError.TICKET_GONE),  # not on the shop's list any more: gone
        (404, True, None),  # still listed (no attachments route there): not gone, the files wait for the next run
    ],
)
def test_a_410_or_an_unlisted_404_marks_the_files_and_the_run_goes_on(
    shop, tmp_path: Path, status: int, listed: bool, first_error: AttachmentError | None
) -> None:
    _db, repo = shop
    server = _ScriptedVendor({1: status}, listed=listed)
    try:
        opened = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
        first = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=opened,
                            attachments=sources(tmp_path, "a.txt", "b.txt"))
        second = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=opened + dt.timedelta(minutes=1),
                             attachments=sources(tmp_path, "c.txt"))
        report = outbox_for(repo, server.base_url, "pmv_token").deliver()
    finally:
        server.close()
    assert report.sent == [first.id, second.id]
    assert [a.error for a in repo.get(first.id).attachments] == [first_error, first_error]
    assert [a.uploaded_at is not None for a in repo.get(second.id).attachments] == [True]
    if first_error is None:  # not known to be gone: the file waits its backoff, not "now" for every run
        waited, untried = repo.get(first.id).attachments
        assert (waited.attempts, untried.attempts) == (1, 0)  # b.txt: its turn next run
        assert waited.next_attempt_at is not None and waited.next_attempt_at - dt.datetime.now(dt.UTC) > dt.timedelta(
            seconds=4)
    assert server.seen.count(("GET", "/api/v1/tickets")) == 1  # the list is read once per run
    # The first request's second file is never tried after the ticket's answer.
    assert [path for method, path in server.seen if "/attachments" in path] == [
        "/api/v1/tickets/1/attachments", "/api/v1/tickets/2/attachments"]


@pytest.mark.parametrize("status", [
    500, 503,  # the vendor's disk full; "attachments not enabled" (vendor_server/routes/tickets.py)
    408, 429,  # RFC 9110 §15.5.9 Request Timeout, RFC 6585 §4 Too Many Requests: a proxy or CDN, for now
])
def test_a_file_the_server_fails_for_now_waits_its_backoff_and_later_files_still_go(
    shop, tmp_path: Path, status: int
) -> None:
    """Found by the review of the support outbox: such a file was sent whole on every run (every 30 s: next
    delivery was "now" while it waited), and, being the oldest, held back every later request's files; a 408 or a
    429 marked it refused for good."""
    _db, repo = shop
    server = _ScriptedVendor({1: status}, listed=True)
    try:
        opened = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
        first = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=opened,
                            attachments=sources(tmp_path, "a.zip"))
        second = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=opened + dt.timedelta(minutes=1),
                             attachments=sources(tmp_path, "b.png"))
        outbox = outbox_for(repo, server.base_url, "pmv_token")
        report = outbox.deliver()
        assert report.sent == [first.id, second.id] and report.uploaded == 1 and report.attachment_errors == []
        (waiting,) = repo.get(first.id).attachments
        assert waiting.error is None and waiting.uploaded_at is None and waiting.attempts == 1  # not given up
        assert repo.get(second.id).attachments[0].uploaded_at is not None  # not held back by the first
        due = repo.next_delivery_at()
        assert due is not None and due - dt.datetime.now(dt.UTC) > dt.timedelta(seconds=4)  # not "now" for good
        tries = [path for method, path in server.seen if path == "/api/v1/tickets/1/attachments"]
        assert outbox.deliver().uploaded == 0  # the next scheduled run leaves it alone
        assert [path for method, path in server.seen if path == "/api/v1/tickets/1/attachments"] == tries
    finally:
        server.close()


@pytest.mark.parametrize("status", [400, 409, 415, 422])  # RFC 9110: the request itself is wrong, for good
def test_a_file_the_server_refuses_for_good_is_marked_rejected(shop, tmp_path: Path, status: int) -> None:
    _db, repo = shop
    server = _ScriptedVendor({1: status}, listed=True)
    try:
        request = repo.create(NEW, coverage="warranty", response_due_at=None, attachments=sources(tmp_path, "a.zip"))
        report = outbox_for(repo, server.base_url, "pmv_token").deliver()
    finally:
        server.close()
    assert report.sent == [request.id]
    assert [a.error for a in repo.get(request.id).attachments] == [AttachmentError.REJECTED]
    assert repo.next_delivery_at() is None
