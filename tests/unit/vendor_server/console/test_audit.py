"""The console's audit log on a real SQLite file: a row commits with its act, refusals alone, newest first."""

from __future__ import annotations

import datetime as dt

import pytest

from vendor_server.console import audit
from vendor_server.console.audit import Action, Outcome
from vendor_server.db import VendorDatabase

NOW = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
ADDRESS = "203.0.113.7"


class Boom(Exception):
    pass


def test_a_row_recorded_in_a_transaction_that_rolls_back_is_gone(db: VendorDatabase) -> None:
    with pytest.raises(Boom), db.sessions.begin() as session:
        audit.record(session, at=NOW, action=Action.REPLY, login="lan", address=ADDRESS, ticket_number="PMV-1")
        raise Boom  # the act failed after its row was added
    assert audit.entries(db) == []
    with db.sessions.begin() as session:
        audit.record(session, at=NOW, action=Action.REPLY, login="lan", address=ADDRESS, ticket_number="PMV-1")
    [entry] = audit.entries(db)
    assert (entry.action, entry.outcome, entry.ticket_number, entry.at) == (Action.REPLY, Outcome.OK, "PMV-1", NOW)


def test_a_refusal_is_recorded_on_its_own(db: VendorDatabase) -> None:
    audit.record_alone(db, at=NOW, action=Action.CSRF_REFUSED, outcome=Outcome.REFUSED, login="x" * 200,
                       address=ADDRESS, detail="form token missing")
    [entry] = audit.entries(db)
    assert entry == audit.AuditEntry(id=entry.id, at=NOW, staff_id=None, login="x" * 64, action=Action.CSRF_REFUSED,
                                     outcome=Outcome.REFUSED, address=ADDRESS, ticket_number=None, shop_id=None,
                                     detail="form token missing")
    assert isinstance(entry.action, Action) and isinstance(entry.outcome, Outcome)


def test_an_action_this_version_does_not_know_reads_back_as_text(db: VendorDatabase) -> None:
    audit.record_alone(db, at=NOW, action="export", login="lan", address=ADDRESS)
    assert [(e.action, type(e.action)) for e in audit.entries(db)] == [("export", str)]


def fill(db: VendorDatabase) -> None:
    with db.sessions.begin() as session:
        for minute in range(10):
            audit.record(session, at=NOW + minute * MINUTE, action=Action.NOTE if minute % 2 else Action.REPLY,
                         login="lan" if minute < 5 else "an.tran", address=ADDRESS,
                         ticket_number=f"PMV-{minute % 3}", detail=str(minute))
    audit.record_alone(db, at=NOW + 10 * MINUTE, action=Action.SIGN_IN, outcome=Outcome.REFUSED, login="lan",
                       address="198.51.100.1")


def minutes(found: list[audit.AuditEntry]) -> list[str | None]:
    return [e.detail for e in found]


def test_entries_are_filtered_newest_first(db: VendorDatabase) -> None:
    fill(db)
    assert minutes(audit.entries(db)) == [None] + [str(m) for m in range(9, -1, -1)]
    assert minutes(audit.entries(db, action=Action.NOTE)) == ["9", "7", "5", "3", "1"]
    assert minutes(audit.entries(db, action="note", login="lan")) == ["3", "1"]
    assert minutes(audit.entries(db, ticket_number="PMV-0")) == ["9", "6", "3", "0"]
    assert [e.action for e in audit.entries(db, outcome=Outcome.REFUSED)] == [Action.SIGN_IN]
    # since inclusive, until exclusive: minutes 2, 3 and 4
    assert minutes(audit.entries(db, since=NOW + 2 * MINUTE, until=NOW + 5 * MINUTE)) == ["4", "3", "2"]
    assert audit.entries(db, login="nobody") == []


def test_entries_are_paged_by_id(db: VendorDatabase) -> None:
    fill(db)
    first = audit.entries(db, action=Action.REPLY, limit=2)
    assert minutes(first) == ["8", "6"]
    second = audit.entries(db, action=Action.REPLY, limit=2, before_id=first[-1].id)
    assert minutes(second) == ["4", "2"]
    assert minutes(audit.entries(db, action=Action.REPLY, limit=2, before_id=second[-1].id)) == ["0"]
    with pytest.raises(ValueError):
        audit.entries(db, limit=0)


def test_a_detail_is_kept_to_a_bounded_length(db: VendorDatabase) -> None:
    # An anonymous request's path was kept whole: 15,000 characters a row, for good (the log is append-only).
    audit.record_alone(db, at=NOW, action=Action.SESSION_REFUSED, outcome=Outcome.REFUSED, login="-",
                       address=ADDRESS, detail="/console/tickets/" + "A" * 15_000)
    [entry] = audit.entries(db)
    assert entry.detail is not None and len(entry.detail) == audit.DETAIL_MAX
    assert entry.detail.startswith("/console/tickets/AAA")


def test_anonymous_refusals_from_one_address_are_kept_to_a_few_per_window(db: VendorDatabase) -> None:
    # Anyone, without signing in, wrote a row per request into a log nobody may clean: a disk filled for good.
    # From one address the first refusals of a kind in a window are kept, which shows the attempt; the rest is
    # not written. Another address, or the next window, is kept again.
    for second in range(100):
        audit.record_refusal(db, at=NOW + dt.timedelta(seconds=second), action=Action.SESSION_REFUSED,
                             address=ADDRESS, detail="/console/queue")
    audit.record_refusal(db, at=NOW, action=Action.SESSION_REFUSED, address="198.51.100.2", detail="/console/queue")
    audit.record_refusal(db, at=NOW, action=Action.SIGN_IN, address=ADDRESS, login="lan", detail="wrong_password")
    audit.record_refusal(db, at=NOW + audit.REFUSALS_WINDOW, action=Action.SESSION_REFUSED, address=ADDRESS,
                         detail="/console/queue")
    kept = audit.entries(db, action=Action.SESSION_REFUSED)
    assert sum(entry.address == ADDRESS for entry in kept) == audit.REFUSALS_KEPT + 1
    assert sum(entry.address == "198.51.100.2" for entry in kept) == 1
    [sign_in] = audit.entries(db, action=Action.SIGN_IN)
    assert (sign_in.login, sign_in.outcome) == ("lan", Outcome.REFUSED)


def test_a_staff_offices_sign_ins_do_not_silence_a_refusal(db: VendorDatabase) -> None:
    # Twenty colleagues signing in through the office's one address at 08:00 counted as twenty refusals: the next
    # wrong password from that address was not written.
    for minute in range(25):
        audit.record_alone(db, at=NOW + minute * MINUTE / 10, action=Action.SIGN_IN, login=f"staff{minute}",
                           address=ADDRESS)
    audit.record_refusal(db, at=NOW + 3 * MINUTE, action=Action.SIGN_IN, address=ADDRESS, login="lan",
                         detail="wrong_password")
    assert [e.login for e in audit.entries(db, action=Action.SIGN_IN, outcome=Outcome.REFUSED)] == ["lan"]
