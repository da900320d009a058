"""The staff console's sessions: a cookie token per signed-in browser, its limits, its form token.

The cookie holds a random token; the row holds only its SHA-256 (a copy of the database opens no session).
A session is half-open after the password and signed in after the TOTP code; the token is replaced at that
moment, so a token planted or seen before signing in (session fixation, OWASP Session Management Cheat
Sheet) is worth nothing afterwards.  Sessions end when idle for :data:`IDLE_TIMEOUT` and, active or not,
:data:`LONGEST` after they began (the OWASP cheat sheet's idle and absolute timeouts).  Everything lives in
the database so any worker serves any session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vendor_server.console.accounts import Staff, staff_of
from vendor_server.console.tables import ConsoleSession, StaffRow
from vendor_server.db import hash_token

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

    from vendor_server.db import VendorDatabase

__all__ = ["IDLE_TIMEOUT", "LONGEST", "SECOND_FACTOR_FRESH", "TOUCH_AFTER", "SessionInfo", "confirm_second_factor",
           "csrf_ok", "end_others", "end_session", "open_session", "refresh_second_factor", "second_factor_fresh",
           "session_for"]

IDLE_TIMEOUT = dt.timedelta(minutes=30)
LONGEST = dt.timedelta(hours=12)  # one working day, then the password and the code again
SECOND_FACTOR_FRESH = dt.timedelta(minutes=5)  # how recent a code must be for a sensitive act
# last_seen_at is written at most once a minute: a page view is a read, not a write, and a minute is nothing
# against the 30-minute idle limit.
TOUCH_AFTER = dt.timedelta(seconds=60)
_ADDRESS = 64  # console_sessions.address


@dataclasses.dataclass(frozen=True)
class SessionInfo:
    """A session as a request sees it (never the token, which only the cookie holds)."""

    id: int
    staff: Staff
    csrf: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    second_factor_at: dt.datetime | None

    @property
    def signed_in(self) -> bool:
        """Both factors given; a half-open session may only finish signing in."""
        return self.second_factor_at is not None


def _info(row: ConsoleSession, staff: StaffRow) -> SessionInfo:
    return SessionInfo(id=row.id, staff=staff_of(staff), csrf=row.csrf, created_at=row.created_at,
                       last_seen_at=row.last_seen_at, second_factor_at=row.second_factor_at)


def _open_row(session: Session, session_id: int) -> tuple[ConsoleSession, StaffRow]:
    row = session.get(ConsoleSession, session_id)
    if row is None or row.ended_at is not None:
        raise LookupError(f"no open session {session_id}")
    staff = session.get(StaffRow, row.staff_id)
    assert staff is not None  # a foreign key
    return row, staff


def open_session(db: VendorDatabase, staff_id: int, address: str, *, now: dt.datetime) -> tuple[str, SessionInfo]:
    """A half-open session after the right password; returns the cookie's token (shown once) and the session."""
    token = secrets.token_urlsafe(32)
    with db.sessions.begin() as session:
        staff = session.get(StaffRow, staff_id)
        if staff is None:
            raise LookupError(f"unknown staff id {staff_id}")
        row = ConsoleSession(token_hash=hash_token(token), staff_id=staff_id, csrf=secrets.token_urlsafe(32),
                             created_at=now, last_seen_at=now, second_factor_at=None, address=address[:_ADDRESS])
        session.add(row)
        session.flush()
        return token, _info(row, staff)


def confirm_second_factor(db: VendorDatabase, session_id: int, *, now: dt.datetime) -> tuple[str, SessionInfo]:
    """The session signed in after the right TOTP code; returns its new token, the old one finds nothing now.

    The form token is replaced too: the one on the sign-in page was handed out before anyone was signed in.
    """
    token = secrets.token_urlsafe(32)
    with db.sessions.begin() as session:
        row, staff = _open_row(session, session_id)
        row.token_hash = hash_token(token)
        row.csrf = secrets.token_urlsafe(32)
        row.second_factor_at = now
        row.last_seen_at = now
        return token, _info(row, staff)


def refresh_second_factor(db: VendorDatabase, session_id: int, *, now: dt.datetime) -> SessionInfo:
    """A fresh TOTP code given in a signed-in session (before a sensitive act); the token stays.

    Refused (ValueError) for a half-open session: signing in goes through :func:`confirm_second_factor`,
    which replaces the token.
    """
    with db.sessions.begin() as session:
        row, staff = _open_row(session, session_id)
        if row.second_factor_at is None:
            raise ValueError("the session is not signed in yet; confirm_second_factor signs it in")
        row.second_factor_at = now
        row.last_seen_at = now
        return _info(row, staff)


def second_factor_fresh(info: SessionInfo, *, now: dt.datetime) -> bool:
    """Whether the last TOTP code of the session is recent enough for a sensitive act."""
    return info.second_factor_at is not None and now - info.second_factor_at <= SECOND_FACTOR_FRESH


def session_for(db: VendorDatabase, token: str, *, now: dt.datetime, touch: bool = True) -> SessionInfo | None:
    """The open session of a cookie's token, or None.

    None for an unknown token, an ended session, one idle longer than :data:`IDLE_TIMEOUT`, one older than
    :data:`LONGEST` and one of a disabled account; the last three are ended on the way, so they stay ended
    (a re-enabled account does not get its old sessions back).  A live session's ``last_seen_at`` is moved
    to ``now`` only when it is more than :data:`TOUCH_AFTER` old, and never with ``touch=False``: a page
    refreshing itself in an open tab is not the staff member at work, and must not hold the session open.
    """
    if not token:
        return None
    with db.sessions.begin() as session:
        found = session.execute(select(ConsoleSession, StaffRow).join(StaffRow, StaffRow.id == ConsoleSession.staff_id)
                                .where(ConsoleSession.token_hash == hash_token(token))).one_or_none()
        if found is None:
            return None
        row, staff = found
        if row.ended_at is not None:
            return None
        if now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at >= LONGEST or not staff.active:
            row.ended_at = now
            return None
        if touch and now - row.last_seen_at > TOUCH_AFTER:
            row.last_seen_at = now
        return _info(row, staff)


def end_session(db: VendorDatabase, session_id: int, *, now: dt.datetime) -> None:
    """Sign out: the session ends (an already ended or unknown one is left as it is)."""
    with db.sessions.begin() as session:
        session.execute(update(ConsoleSession).where(ConsoleSession.id == session_id, ConsoleSession.ended_at.is_(None))
                        .values(ended_at=now).execution_options(synchronize_session=False))


def end_others(db: VendorDatabase, staff_id: int, keep_session_id: int | None, *, now: dt.datetime) -> int:
    """End every open session of the account but ``keep_session_id`` (after a password change, so whoever
    knew the old one is signed out everywhere); None ends them all.  Returns how many were ended."""
    condition = [ConsoleSession.staff_id == staff_id, ConsoleSession.ended_at.is_(None)]
    if keep_session_id is not None:
        condition.append(ConsoleSession.id != keep_session_id)
    with db.sessions.begin() as session:
        result = cast("CursorResult[Any]", session.execute(
            update(ConsoleSession).where(*condition).values(ended_at=now)
            .execution_options(synchronize_session=False)))
        return int(result.rowcount)


def csrf_ok(info: SessionInfo, token: str | None) -> bool:
    """Whether a form's token is the session's, compared in constant time."""
    if not token:
        return False
    return secrets.compare_digest(info.csrf.encode("utf-8"), token.encode("utf-8"))
