"""The overview's first reads (sqlite3 alone) answer what the repositories answer, or step aside.

Each case writes through the real repositories into a real database, then
holds the quick read to the repository's own answer on the same file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from app.health.model import CheckResult, HealthReport, Status
from app.storage import quick_reads
from app.storage.check_history import CheckHistory
from app.storage.db import Database
from app.storage.quick_reads import QuickReadUnavailable, reading
from app.storage.repositories import ActivityRepository
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.models import Category, Channel, NewRequest, RequestStatus, Severity, TicketReceipt, TicketUpdate
from pmv_protocol.thread import Author, EventKind, TicketEvent
from tests.helpers import FixedClock, modules_loaded

T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 09:00 in the shop


def request(title: str) -> NewRequest:
    return NewRequest(Category.INCIDENT, Severity.HIGH, title, "", "Chị Lan", "+84903112233", Channel.PHONE)


def report_at(at: dt.datetime, *results: tuple[str, Status, str]) -> HealthReport:
    return HealthReport(at - dt.timedelta(seconds=3), at, tuple(CheckResult(i, s, t) for i, s, t in results), {})


def test_an_empty_database_reads_as_the_repositories_read_it(app_db: Database) -> None:
    with reading(app_db.path) as connection:
        assert quick_reads.latest_run(connection) is None
        assert quick_reads.recent_activity(connection, 5) == []
        assert quick_reads.request_deadlines(connection) == []


def test_the_newest_check_run_is_the_historys(app_db: Database) -> None:
    history = CheckHistory(app_db)
    history.record(report_at(T0, ("disk.free", Status.OK, "Ổ C: còn 79,3 GB")))
    history.record(report_at(T0 + dt.timedelta(hours=1, microseconds=250),
                             ("invoices.sequence", Status.CRITICAL, "Thiếu hóa đơn 1C26TVG-0000070"),
                             ("disk.free", Status.WARNING, "Ổ C: còn 7,3 GB")))
    with reading(app_db.path) as connection:
        quick = quick_reads.latest_run(connection)
    assert quick == history.latest_run()
    assert quick is not None and quick.run_at == T0 + dt.timedelta(hours=1, microseconds=250)
    assert quick.results[0].status is Status.CRITICAL


def test_a_stored_summary_reads_back_as_the_phrase_it_was_in_both(app_db: Database) -> None:
    """A run the tray's job recorded is shown later by a window in English: the phrase must survive the history."""
    from app.infra.phrase import Phrase, number, say

    said = say("HealthCheck", "Ổ đĩa %1 còn trống %2 GB (%3% của %4 GB)").fill(
        say("HealthCheck", "thư mục dữ liệu"), number(7.25), number(4, 0), number(180, 0))
    too_long = say("HealthCheck", "Quá ngưỡng: %1").fill("x" * 600)  # words cut to 500 characters, the phrase whole
    history = CheckHistory(app_db)
    history.record(report_at(T0, ("disk.free", Status.WARNING, said), ("system.resources", Status.WARNING, too_long),
                             ("clock.skew", Status.OK, "an older version's plain words")))
    with reading(app_db.path) as connection:
        quick = quick_reads.latest_run(connection)
    assert quick == history.latest_run()
    assert quick is not None
    for run in (quick, history.latest_run()):
        assert run is not None
        disk, resources, clock = run.results
        assert isinstance(disk.summary, Phrase) and disk.summary == said
        assert disk.summary.source == said.source and disk.summary.args[1].written(".") == "7.3"
        assert isinstance(resources.summary, Phrase) and resources.summary == too_long  # said in full again
        assert type(clock.summary) is str and clock.summary == "an older version's plain words"


def test_a_stored_phrase_that_cannot_be_read_shows_the_stored_words(app_db: Database) -> None:
    """Junk in the phrase column (NaN, a number no one can write, a phrase saying other words) never stops the
    history from being read: the stored words are shown instead."""
    history = CheckHistory(app_db)
    history.record(report_at(T0, ("disk.free", Status.OK, "Ổ C: còn 79,3 GB"), ("clock.skew", Status.OK, "Khớp"),
                             ("versions", Status.OK, "PMV 5.8.2")))
    with sqlite3.connect(app_db.path) as connection:
        for check_id, junk in (("disk.free", '{"c":"C","s":"%1","a":[{"n":NaN}]}'),
                               ("clock.skew", '{"c":"C","s":"%1","a":[{"n":1e300,"d":2}]}'),
                               ("versions", '{"c":"C","s":"khác hẳn","a":[]}')):
            connection.execute("UPDATE check_results SET phrase = ? WHERE check_id = ?", (junk, check_id))
    with reading(app_db.path) as connection:
        quick = quick_reads.latest_run(connection)
    assert quick == history.latest_run()
    assert quick is not None and [type(r.summary) for r in quick.results] == [str, str, str]
    assert [r.summary for r in quick.results] == ["Ổ C: còn 79,3 GB", "Khớp", "PMV 5.8.2"]


def test_a_status_a_newer_version_wrote_reads_as_unknown_in_both(app_db: Database) -> None:
    CheckHistory(app_db).record(report_at(T0, ("disk.free", Status.OK, "")))
    with sqlite3.connect(app_db.path) as connection:
        connection.execute("UPDATE check_results SET status = 'degraded'")
    with reading(app_db.path) as connection:
        quick = quick_reads.latest_run(connection)
    assert quick == CheckHistory(app_db).latest_run()
    assert quick is not None and quick.results[0].status is Status.UNKNOWN


def test_recent_activity_is_the_repositorys_newest_first(app_db: Database) -> None:
    clock = FixedClock(T0)
    activity = ActivityRepository(app_db, clock)
    for version in ("0.9.0", "0.9.1", "1.0.0"):
        activity.add("app", "started", version=version, note="Tiệm vàng Kim Phát")
    clock.advance(minutes=5)
    activity.add("health", "ran", verdict="warning")
    activity.add("app", "started", version="1.0.1")  # the same moment: the later row first
    with reading(app_db.path) as connection:
        assert quick_reads.recent_activity(connection, 4) == activity.recent(4)


def test_each_listed_requests_status_and_deadline_is_the_repositorys(app_db: Database, tmp_path: Path) -> None:
    clock = FixedClock(T0)
    support = SupportRepository(app_db, tmp_path / "outbox", clock=clock)
    due = T0 + dt.timedelta(hours=2, minutes=30)
    made = []
    for index in range(4):
        clock.advance(minutes=1)
        made.append(support.create(request(f"Máy in số {index}"), coverage="warranty",
                                   response_due_at=due if index % 2 else None))
    support.mark_sent(made[0].id, TicketReceipt(7, "HT-2026-0007", "received", due, created=True))
    live = [(r.status, r.response_due_at) for r in support.all(limit=3)]
    with reading(app_db.path) as connection:
        quick = quick_reads.request_deadlines(connection, limit=3)
    assert [(r.status, r.response_due_at) for r in quick] == live
    assert {r.status for r in quick_reads_all(app_db)} == {RequestStatus.PENDING, RequestStatus.RECEIVED}


def test_the_unread_count_is_the_conversations(app_db: Database, tmp_path: Path) -> None:
    clock = FixedClock(T0)
    support = SupportRepository(app_db, tmp_path / "outbox", clock=clock)
    thread = ThreadRepository(app_db, tmp_path / "outbox", clock=clock)
    first, second = (support.create(request(title), coverage="warranty", response_due_at=None).id
                     for title in ("Máy in", "Máy quét"))
    support.mark_sent(first, TicketReceipt(7, "YC-2026-000007", "received", None, created=True))
    messages = tuple(TicketEvent(100 + n, EventKind.MESSAGE, Author.VENDOR, "Hỗ trợ Minh", T0, text=f"Tin {n}")
                     for n in range(3))
    update = TicketUpdate(7, "YC-2026-000007", "in_progress", None, None, None, T0, first, events=messages)
    support.apply_updates([update])
    thread.apply_updates([update])
    thread.mark_read(second)  # nothing there: still 3
    with reading(app_db.path) as connection:
        assert quick_reads.unread_messages(connection) == sum(thread.unread_by_request().values()) == 3
    thread.mark_read(first)
    with reading(app_db.path) as connection:
        assert quick_reads.unread_messages(connection) == 0


def quick_reads_all(database: Database) -> list:
    with reading(database.path) as connection:
        return quick_reads.request_deadlines(connection)


def test_no_database_yet_steps_aside(tmp_path: Path) -> None:
    with pytest.raises(QuickReadUnavailable), reading(tmp_path / "none.sqlite3"):
        pass
    assert not (tmp_path / "none.sqlite3").exists()  # and creates nothing


def test_a_database_still_to_migrate_steps_aside(app_db: Database) -> None:
    with sqlite3.connect(app_db.path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0006'")
    with pytest.raises(QuickReadUnavailable, match="0006"), reading(app_db.path):
        pass


def test_a_damaged_file_steps_aside(tmp_path: Path) -> None:
    damaged = tmp_path / "app.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(QuickReadUnavailable), reading(damaged):
        pass


def test_a_writer_holding_the_file_is_not_waited_for(app_db: Database) -> None:
    """A lock SQLite cannot read past (an exclusive one, as a rollback-journal writer takes) means step aside."""
    app_db.close()
    with sqlite3.connect(app_db.path) as setup:
        setup.execute("PRAGMA journal_mode=DELETE")
    writer = sqlite3.connect(app_db.path, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        with pytest.raises(QuickReadUnavailable), reading(app_db.path):
            pass
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_the_quick_reads_load_no_data_layer() -> None:
    assert modules_loaded("import app.storage.quick_reads") == []
