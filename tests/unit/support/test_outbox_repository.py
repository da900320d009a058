"""The outbox's storage side: nothing raised is lost, and retries are spaced out."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from app.storage import support_requests
from app.storage.db import Database
from app.storage.support_requests import AttachmentSource, SupportRepository
from app.support import models
from app.support.models import (
    AttachmentKind,
    Category,
    Channel,
    NewRequest,
    RequestStatus,
    Severity,
    TicketReceipt,
    TicketUpdate,
)
from app.support.outbox import BACKOFF_CAP, backoff_delay

T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hồ Chí Minh City
NEW = NewRequest(Category.INCIDENT, Severity.HIGH, "Máy in tem không in", "Từ sáng nay", "Chị Lan", "+84903112233",
                 Channel.PHONE)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def repo(tmp_path: Path) -> SupportRepository:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    yield SupportRepository(db, tmp_path / "outbox", clock=Clock())
    db.close()


def test_a_request_and_copies_of_its_files_survive_a_restart(tmp_path: Path, repo: SupportRepository) -> None:
    original = tmp_path / "anh.png"
    original.write_bytes(b"\x89PNG fake image")
    created = repo.create(NEW, coverage="warranty", response_due_at=T0 + dt.timedelta(hours=4),
                          attachments=[AttachmentSource(original, AttachmentKind.SCREENSHOT)])
    original.unlink()  # the cashier deletes the file: the outbox keeps its own copy
    db2, _ = Database.open(tmp_path / "app.sqlite3")
    reread = SupportRepository(db2, tmp_path / "outbox").get(created.id)
    assert reread is not None and reread.status is RequestStatus.PENDING
    assert reread.title == "Máy in tem không in" and reread.contact_phone == "+84903112233"
    (attachment,) = reread.attachments
    assert Path(attachment.path).read_bytes() == b"\x89PNG fake image"
    assert attachment.filename == "anh.png" and attachment.size == 15
    assert [e.kind for e in repo.events(created.id)] == ["created"]
    db2.close()


@pytest.mark.parametrize("ids_per_query", [500, 2])
def test_the_list_gives_each_request_its_own_files_in_order(
        tmp_path: Path, repo: SupportRepository, monkeypatch: pytest.MonkeyPatch, ids_per_query: int) -> None:
    # all() reads every request's files in one query (issue 24), a query per IDS_PER_QUERY requests: each must
    # still get only its own, across the queries' borders too.
    monkeypatch.setattr(support_requests, "IDS_PER_QUERY", ids_per_query)
    def files(*names: str) -> list[AttachmentSource]:
        sources = []
        for name in names:
            (tmp_path / name).write_bytes(name.encode())
            kind = AttachmentKind.SCREENSHOT if name.endswith(".png") else AttachmentKind.DIAGNOSTICS
            sources.append(AttachmentSource(tmp_path / name, kind))
        return sources

    first = repo.create(NEW, coverage="warranty", response_due_at=None, attachments=files("b.png", "a.png"))
    bare = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=T0 + dt.timedelta(minutes=1))
    second = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=T0 + dt.timedelta(minutes=2),
                         attachments=files("c.zip", "d.png"))
    listed = {request.id: request for request in repo.all()}
    assert [a.filename for a in listed[first.id].attachments] == [a.filename for a in repo.get(first.id).attachments]
    assert sorted(a.filename for a in listed[first.id].attachments) == ["a.png", "b.png"]
    assert listed[bare.id].attachments == ()
    assert {a.filename for a in listed[second.id].attachments} == {"c.zip", "d.png"}
    assert [a.kind for a in listed[second.id].attachments] == sorted(a.kind for a in listed[second.id].attachments)


def test_a_failed_save_leaves_no_files_behind(tmp_path: Path, repo: SupportRepository) -> None:
    with pytest.raises(FileNotFoundError):
        repo.create(NEW, coverage="warranty", response_due_at=None,
                    attachments=[AttachmentSource(tmp_path / "missing.pdf", AttachmentKind.FILE)])
    assert repo.all() == []
    assert not any((tmp_path / "outbox").iterdir())


def test_due_for_delivery_respects_the_next_attempt_time(repo: SupportRepository) -> None:
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    assert [r.id for r in repo.due_for_delivery(T0)] == [request.id]
    repo.mark_attempt_failed(request.id, "offline", T0 + dt.timedelta(seconds=30))
    assert repo.due_for_delivery(T0 + dt.timedelta(seconds=29)) == []
    assert [r.id for r in repo.due_for_delivery(T0 + dt.timedelta(seconds=30))] == [request.id]
    assert repo.get(request.id).attempts == 1
    repo.mark_sent(request.id, TicketReceipt(7, "YC-2026-000007", "received", T0 + dt.timedelta(hours=2), True))
    sent = repo.get(request.id)
    assert sent.status is RequestStatus.RECEIVED and sent.ticket_number == "YC-2026-000007"
    assert sent.response_due_at == T0 + dt.timedelta(hours=2)  # the vendor's deadline replaces ours
    assert repo.due_for_delivery(T0 + dt.timedelta(days=1)) == []


def proposed(repo: SupportRepository, kind: str,
             text: str) -> tuple[models.SupportRequest, TicketUpdate, models.StatusChange]:
    """A request sent as ticket 7, then the vendor's proposal of ``kind`` applied: the request, update and change."""
    request = repo.create(NEW, coverage="warranty", response_due_at=None)
    repo.mark_sent(request.id, TicketReceipt(7, "YC-2026-000007", "received", None, True))
    update = TicketUpdate(7, "YC-2026-000007", "solution_proposed", None, kind, text, T0, request.id)
    (change,) = repo.apply_updates([update])
    return request, update, change


def test_status_updates_are_applied_once_and_reported(repo: SupportRepository) -> None:
    request, update, change = proposed(repo, "phone", "Khởi động lại máy in và kiểm tra cáp USB.")
    assert change.old is RequestStatus.RECEIVED and change.new is RequestStatus.SOLUTION_PROPOSED
    assert repo.apply_updates([update]) == []  # the same update again changes nothing
    stored = repo.get(request.id)
    assert stored.solution_text.startswith("Khởi động lại") and stored.solution_kind is Channel.PHONE
    unknown = TicketUpdate(9, "YC-2026-000009", "received", None, None, None, T0, "not-ours")
    assert repo.apply_updates([unknown]) == []


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(n, rng) for n in range(12)]
    for attempts, delay in enumerate(delays[:6]):
        ceiling = dt.timedelta(seconds=10) * 2 ** attempts
        assert ceiling / 2 <= delay <= ceiling
    assert all(d <= BACKOFF_CAP for d in delays)
    assert delays[-1] >= BACKOFF_CAP / 2
    assert len({round(d.total_seconds(), 3) for d in delays[:6]}) == 6  # jittered, not fixed steps


def test_the_outbox_check_warns_only_about_requests_stuck_for_a_while(repo: SupportRepository) -> None:
    from app.health.model import Status
    from app.support.check import REMEDIES, check_outbox

    assert check_outbox(repo, T0).status is Status.OK
    request = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=T0)
    fresh = check_outbox(repo, T0 + dt.timedelta(minutes=5))
    assert fresh.status is Status.OK and "1 yêu cầu đang chờ gửi" in fresh.summary
    repo.mark_attempt_failed(request.id, "offline: connection refused", T0 + dt.timedelta(minutes=45))
    stuck = check_outbox(repo, T0 + dt.timedelta(minutes=40))
    assert stuck.status is Status.WARNING and "lâu nhất 40 phút" in stuck.summary
    assert "connection refused" in stuck.details and stuck.remedy in REMEDIES
    repo.mark_sent(request.id, TicketReceipt(1, "YC-2026-000001", "received", None, True))
    assert check_outbox(repo, T0 + dt.timedelta(hours=2)).status is Status.OK


def test_the_outbox_check_counts_the_shops_replies_waiting_to_go_out(repo: SupportRepository) -> None:
    """A reply or decision saved offline is part of the outbox too: after 30 minutes the check names it."""
    from app.health.model import Status
    from app.storage.support_thread import ThreadRepository
    from app.support.check import check_outbox
    from pmv_protocol.thread import EventKind

    request = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=T0)
    repo.mark_sent(request.id, TicketReceipt(1, "YC-2026-000001", "received", None, True))
    thread = ThreadRepository(repo.database, repo.outbox_dir, repo.clock)
    message = thread.add_act(request.id, EventKind.MESSAGE, "Chị Lan", at=T0, text="Vẫn chưa in được")
    decision = thread.add_act(request.id, EventKind.REFUSED, "Chị Lan", at=T0 + dt.timedelta(minutes=20),
                              text="In thử vẫn trắng")
    fresh = check_outbox(repo, T0 + dt.timedelta(minutes=5))
    assert fresh.status is Status.OK and fresh.summary == "2 trả lời đang chờ gửi"
    assert {m.name: m.value for m in fresh.metrics}["pending_acts"] == 2
    thread.mark_act_failed(message.id, "offline: connection refused", T0 + dt.timedelta(minutes=50))
    stuck = check_outbox(repo, T0 + dt.timedelta(minutes=40))
    # Only the message is 30 minutes old; the refusal (made at 09:20) is not stuck yet.
    assert stuck.status is Status.WARNING and stuck.summary == "1 trả lời chưa gửi được, lâu nhất 40 phút"
    assert "tin nhắn cho yêu cầu \u201cMáy in tem không in\u201d" in stuck.details
    assert "connection refused" in stuck.details and "báo chưa khắc phục" not in stuck.details
    later = check_outbox(repo, T0 + dt.timedelta(minutes=55))
    assert later.summary == "2 trả lời chưa gửi được, lâu nhất 55 phút"
    thread.mark_act_refused(message.id, "ticket_closed")
    thread.mark_act_refused(decision.id, "ticket_closed")
    assert check_outbox(repo, T0 + dt.timedelta(hours=2)).status is Status.OK


def test_a_lost_ticket_marks_only_the_files_still_waiting_and_keeps_them(tmp_path: Path,
                                                                         repo: SupportRepository) -> None:
    from app.support.models import AttachmentError

    files = []
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
        files.append(AttachmentSource(tmp_path / name, AttachmentKind.FILE))
    later = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=T0 + dt.timedelta(minutes=5),
                        attachments=files[:1])
    request = repo.create(NEW, coverage="warranty", response_due_at=None, opened_at=T0, attachments=files)
    for sent in (later, request):
        repo.mark_sent(sent.id, TicketReceipt(1, "YC-2026-000001", "received", None, True))
    assert [r.id for r in repo.with_pending_uploads()] == [request.id, later.id]  # oldest first
    a, b, c = repo.get(request.id).attachments
    repo.mark_attachment_uploaded(a.id)
    repo.mark_attachment_failed(b.id, AttachmentError.TOO_LARGE)

    assert repo.mark_pending_attachments_failed(request.id, AttachmentError.TICKET_GONE) == [c.id]
    assert [x.error for x in repo.get(request.id).attachments] == [None, AttachmentError.TOO_LARGE,
                                                                    AttachmentError.TICKET_GONE]
    assert all(Path(x.path).is_file() for x in repo.get(request.id).attachments)  # the copies stay
    assert [r.id for r in repo.with_pending_uploads()] == [later.id]
    assert repo.mark_pending_attachments_failed(request.id, AttachmentError.TICKET_GONE) == []  # nothing left


def test_a_way_of_solving_this_version_does_not_know_still_lists_the_request(repo: SupportRepository) -> None:
    # pmv_protocol.wire: an unknown solution kind "stays text"; the list (support page, overview tile) must not break.
    request, _update, change = proposed(repo, "video_call", "Gọi video để hướng dẫn cài lại máy in.")
    assert change.new is RequestStatus.SOLUTION_PROPOSED
    (listed,) = repo.all()
    assert listed.solution_kind is None and listed.solution_text.startswith("Gọi video")
    assert repo.get(request.id).solution_text == listed.solution_text


def test_the_vendors_no_deadline_replaces_this_pcs_estimate(repo: SupportRepository) -> None:
    # The receipt's response_due_at is the vendor's deadline, None meaning "not covered, best effort"
    # (pmv_protocol.wire): the vendor holds the contract, so its answer replaces the till's estimate, None included.
    estimate = T0 + dt.timedelta(hours=2)
    request = repo.create(NEW, coverage="warranty", response_due_at=estimate)
    assert repo.get(request.id).response_due_at == estimate
    repo.mark_sent(request.id, TicketReceipt(7, "YC-2026-000007", "received", None, True))
    assert repo.get(request.id).response_due_at is None
    later = TicketUpdate(7, "YC-2026-000007", "in_progress", T0 + dt.timedelta(hours=3), None, None, T0, request.id)
    repo.apply_updates([later])
    assert repo.get(request.id).response_due_at == T0 + dt.timedelta(hours=3)
    repo.apply_updates([TicketUpdate(7, "YC-2026-000007", "in_progress", None, None, None, T0, request.id)])
    assert repo.get(request.id).response_due_at is None
