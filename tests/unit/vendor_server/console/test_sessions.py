"""Console sessions on a real SQLite file: hashed tokens, the token replaced at sign-in, idle and absolute limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from vendor_server.console import accounts, sessions
from vendor_server.console.accounts import Role, Staff
from vendor_server.console.sessions import SessionInfo
from vendor_server.console.tables import ConsoleSession
from vendor_server.db import VendorDatabase, hash_token

NOW = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
ADDRESS = "203.0.113.7"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def staff(db: VendorDatabase) -> Staff:
    return accounts.add_staff(db, "lan", "Chị Lan", Role.AGENT, "password-of-lan", now=NOW)[0]


def row(db: VendorDatabase, session_id: int) -> ConsoleSession:
    with db.sessions() as session:
        found = session.get(ConsoleSession, session_id)
        assert found is not None
        return found


def signed_in(db: VendorDatabase, staff: Staff, at: dt.datetime = NOW) -> tuple[str, SessionInfo]:
    _, half = sessions.open_session(db, staff.id, ADDRESS, now=at)
    return sessions.confirm_second_factor(db, half.id, now=at)


def test_a_session_keeps_the_hash_of_its_token_never_the_token(db: VendorDatabase, staff: Staff) -> None:
    token, info = sessions.open_session(db, staff.id, ADDRESS, now=NOW)
    stored = row(db, info.id)
    assert stored.token_hash == hash_token(token) != token and token not in stored.token_hash
    assert len(token) >= 43 and len(info.csrf) >= 43  # 32 random bytes, URL-safe base64
    assert (stored.address, stored.created_at, stored.last_seen_at, stored.ended_at) == (ADDRESS, NOW, NOW, None)
    with pytest.raises(LookupError):
        sessions.open_session(db, 999, ADDRESS, now=NOW)


def test_a_half_open_session_is_not_signed_in_until_its_second_factor(db: VendorDatabase, staff: Staff) -> None:
    token, info = sessions.open_session(db, staff.id, ADDRESS, now=NOW)
    assert not info.signed_in and info.staff == staff
    found = sessions.session_for(db, token, now=NOW + MINUTE)
    assert found is not None and not found.signed_in
    with pytest.raises(ValueError):  # a fresh code is for signed-in sessions; signing in replaces the token
        sessions.refresh_second_factor(db, info.id, now=NOW + MINUTE)


def test_signing_in_replaces_the_token_so_one_seen_before_is_worthless(db: VendorDatabase, staff: Staff) -> None:
    before, half = sessions.open_session(db, staff.id, ADDRESS, now=NOW)
    after, info = sessions.confirm_second_factor(db, half.id, now=NOW + MINUTE)
    assert after != before and info.signed_in and info.second_factor_at == NOW + MINUTE
    assert info.csrf != half.csrf  # the sign-in page's form token was handed out before anyone signed in
    assert sessions.session_for(db, before, now=NOW + MINUTE) is None
    found = sessions.session_for(db, after, now=NOW + MINUTE)
    assert found is not None and found.id == half.id and found.signed_in
    assert sessions.session_for(db, "", now=NOW) is None and sessions.session_for(db, "nonsense", now=NOW) is None


def test_a_session_idle_for_31_minutes_is_ended(db: VendorDatabase, staff: Staff) -> None:
    token, info = signed_in(db, staff)
    assert sessions.session_for(db, token, now=NOW + 30 * MINUTE) is not None  # 30 minutes idle: still open
    assert sessions.session_for(db, token, now=NOW + 61 * MINUTE) is None
    assert row(db, info.id).ended_at == NOW + 61 * MINUTE
    assert sessions.session_for(db, token, now=NOW + 62 * MINUTE) is None


def test_a_session_ends_after_12_hours_even_if_used_every_10_minutes(db: VendorDatabase, staff: Staff) -> None:
    token, info = signed_in(db, staff)
    at = NOW
    while at + 10 * MINUTE < NOW + sessions.LONGEST:
        at += 10 * MINUTE
        assert sessions.session_for(db, token, now=at) is not None, at
    assert sessions.session_for(db, token, now=NOW + sessions.LONGEST) is None
    assert row(db, info.id).ended_at == NOW + sessions.LONGEST


def test_last_seen_is_written_at_most_once_a_minute(db: VendorDatabase, staff: Staff) -> None:
    token, info = signed_in(db, staff)
    seen = sessions.session_for(db, token, now=NOW + dt.timedelta(seconds=60))
    assert seen is not None and seen.last_seen_at == NOW and row(db, info.id).last_seen_at == NOW
    seen = sessions.session_for(db, token, now=NOW + dt.timedelta(seconds=61))
    assert seen is not None and seen.last_seen_at == row(db, info.id).last_seen_at == NOW + dt.timedelta(seconds=61)


def test_a_disabled_account_has_no_session(db: VendorDatabase, staff: Staff) -> None:
    token, info = signed_in(db, staff)
    accounts.set_active(db, staff.id, False)
    assert sessions.session_for(db, token, now=NOW + MINUTE) is None
    accounts.set_active(db, staff.id, True)  # enabled again: the old sessions stay ended
    assert sessions.session_for(db, token, now=NOW + 2 * MINUTE) is None
    assert row(db, info.id).ended_at == NOW + MINUTE


def test_signing_out_ends_the_session(db: VendorDatabase, staff: Staff) -> None:
    token, info = signed_in(db, staff)
    sessions.end_session(db, info.id, now=NOW + MINUTE)
    sessions.end_session(db, info.id, now=NOW + 2 * MINUTE)  # twice: the first end stays
    assert sessions.session_for(db, token, now=NOW + 2 * MINUTE) is None
    assert row(db, info.id).ended_at == NOW + MINUTE
    with pytest.raises(LookupError):
        sessions.confirm_second_factor(db, info.id, now=NOW + 3 * MINUTE)


def test_after_a_password_change_only_the_session_that_changed_it_stays(db: VendorDatabase, staff: Staff) -> None:
    other = accounts.add_staff(db, "an.tran", "Anh An", Role.ADMIN, "password-of-an", now=NOW)[0]
    mine = [signed_in(db, staff) for _ in range(3)]
    theirs = signed_in(db, other)
    sessions.end_session(db, mine[2][1].id, now=NOW)
    assert sessions.end_others(db, staff.id, mine[0][1].id, now=NOW + MINUTE) == 1
    assert [sessions.session_for(db, token, now=NOW + MINUTE) is not None for token, _ in mine] == [True, False, False]
    assert sessions.session_for(db, theirs[0], now=NOW + MINUTE) is not None
    with db.sessions() as session:
        assert session.scalar(select(ConsoleSession.ended_at).where(ConsoleSession.id == mine[1][1].id)) == (
            NOW + MINUTE)


def test_a_sensitive_act_wants_a_code_from_the_last_five_minutes(db: VendorDatabase, staff: Staff) -> None:
    token, info = signed_in(db, staff)
    assert sessions.second_factor_fresh(info, now=NOW + 5 * MINUTE)
    assert not sessions.second_factor_fresh(info, now=NOW + 6 * MINUTE)
    fresh = sessions.refresh_second_factor(db, info.id, now=NOW + 20 * MINUTE)
    assert fresh.second_factor_at == NOW + 20 * MINUTE and sessions.second_factor_fresh(fresh, now=NOW + 21 * MINUTE)
    assert sessions.session_for(db, token, now=NOW + 21 * MINUTE) == fresh  # the token stays
    half = sessions.open_session(db, staff.id, ADDRESS, now=NOW)[1]
    assert not sessions.second_factor_fresh(half, now=NOW)


def test_the_form_token_must_be_the_sessions(db: VendorDatabase, staff: Staff) -> None:
    _, info = signed_in(db, staff)
    assert sessions.csrf_ok(info, info.csrf)
    assert not sessions.csrf_ok(info, info.csrf[:-1] + ("A" if info.csrf[-1] != "A" else "B"))
    assert not sessions.csrf_ok(info, None) and not sessions.csrf_ok(info, "")
    assert not sessions.csrf_ok(info, "không phải")  # not ASCII: refused, not an error
