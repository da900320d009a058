"""The staff console's accounts: who may sign in, with what role, and the two checks of signing in.

Signing in takes a password (an argon2id hash on the row) and then a TOTP code (RFC 6238) from the staff
member's phone.  Both checks count their failures in :class:`SignInFailure` rows, per login and per address,
and refuse further attempts while too many fall in the window: the count lives in the database, so every
worker behind the load balancer sees the same throttle.  Framework-free, like the ticket services: the
console's routes call these with the request's address and the time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
import secrets
from typing import TYPE_CHECKING, Any, cast

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pmv_protocol.digits import ascii_digits
from vendor_server.console.tables import SignInFailure, StaffRow
from vendor_server.console.vietnamese_order import vietnamese_key

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

    from vendor_server.db import VendorDatabase

__all__ = ["PASSWORD_MAX", "PASSWORD_MIN", "PER_ADDRESS", "PER_LOGIN", "THROTTLE_WINDOW", "TOTP_ISSUER", "Role",
           "SignInRefused", "Staff", "add_staff", "change_password", "check_password", "check_totp", "get_staff",
           "list_staff", "set_active", "set_role", "staff_of", "totp_uri"]

# The throttle (OWASP Authentication Cheat Sheet, "Protect Against Automated Attacks"): a handful of guesses
# per account, more per address (an office behind one NAT), counted over a sliding window.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
PER_LOGIN = 5
PER_ADDRESS = 20

# OWASP: at least 8 characters with a second factor (we ask 10); a maximum only against a denial of service
# by hashing huge inputs, far above anything typed or pasted from a password manager.
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
NAME_MAX = 100  # console_staff.name
_LOGIN = re.compile(r"[a-z0-9._-]{3,64}")
_COLUMN = 64  # console_sign_in_failures.login and .address: a typed login of any length must still fit

TOTP_ISSUER = "PMV Support"
# RFC 6238: 30-second steps (the default of every authenticator app); one step either side is accepted for
# the drift of a phone's clock and the seconds it takes to type the code (the RFC's recommended tolerance).
TOTP_STEP_SECONDS = 30
TOTP_DRIFT_STEPS = 1
_TOTP_DIGITS = 6

# argon2-cffi's defaults are RFC 9106's low-memory profile of argon2id, which OWASP's Password Storage
# Cheat Sheet accepts; a hash made under older parameters is replaced at the next right sign-in.
_hasher = PasswordHasher()


class Role(enum.StrEnum):
    """What a staff member may do; each role may do everything the one before it may."""

    AGENT = "agent"
    TECHNICIAN = "technician"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may (an admin what a technician may, and so on)."""
        return _RANK[self] >= _RANK[needed]


_RANK = {Role.AGENT: 0, Role.TECHNICIAN: 1, Role.ADMIN: 2}


@dataclasses.dataclass(frozen=True)
class Staff:
    """A staff account as the console shows it: never the hash or the TOTP secret."""

    id: int
    login: str
    name: str
    role: Role
    active: bool
    created_at: dt.datetime


class SignInRefused(Exception):
    """A sign-in (or a password change) refused; ``code`` is what the page words.

    ``wrong_password`` also stands for an unknown login, so the page never tells whether an account exists;
    ``throttled`` while too many failures fall in the window; ``inactive`` for a disabled account (said only
    to someone who gave its right password); ``wrong_code`` for a wrong or replayed TOTP code.
    """

    CODES = frozenset({"wrong_password", "throttled", "inactive", "wrong_code"})

    def __init__(self, code: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown sign-in refusal {code!r}")
        super().__init__(code)
        self.code = code


def staff_of(row: StaffRow) -> Staff:
    """The public view of a staff row (the sessions module builds its :class:`SessionInfo` with it)."""
    return Staff(id=row.id, login=row.login, name=row.name, role=Role(row.role), active=row.active,
                 created_at=row.created_at)


def _login(login: str) -> str:
    login = login.strip().lower()
    if not _LOGIN.fullmatch(login):
        raise ValueError("the login must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-'")
    return login


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValueError(f"the name must be 1 to {NAME_MAX} characters")
    return name


def _password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"the password must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ValueError(f"the password must be at most {PASSWORD_MAX} characters")
    return password


def _row(session: Session, staff_id: int) -> StaffRow:
    row = session.get(StaffRow, staff_id)
    if row is None:
        raise LookupError(f"unknown staff id {staff_id}")
    return row


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, made once: an unknown login is verified against it so that refusing it
    takes as long as refusing a known login's wrong password (the time must not tell which accounts exist)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def add_staff(db: VendorDatabase, login: str, name: str, role: Role, password: str, *,
              now: dt.datetime) -> tuple[Staff, str]:
    """A new active account; returns it and its TOTP secret (base32), which the admin shows once as a QR code."""
    login, name, password, role = _login(login), _name(name), _password(password), Role(role)
    secret = pyotp.random_base32()
    row = StaffRow(login=login, name=name, role=role.value, password_hash=_hasher.hash(password),
                   totp_secret=secret, totp_last_step=0, active=True, created_at=now, password_changed_at=now)
    staff = db.add_unique(row, select(StaffRow.id).where(StaffRow.login == login),
                          lambda: ValueError(f"the login {login!r} is already taken"), staff_of)
    return staff, secret


def list_staff(db: VendorDatabase) -> list[Staff]:
    """Every account, active or not, by name in the Vietnamese alphabet's order (then login, for two of the same
    name): by code point, "Ánh" and "Đặng" came after "Vũ"."""
    with db.sessions() as session:
        rows = session.scalars(select(StaffRow)).all()
        staff = [staff_of(row) for row in rows]
    return sorted(staff, key=lambda member: (vietnamese_key(member.name), member.login))


def get_staff(db: VendorDatabase, staff_id: int) -> Staff | None:
    with db.sessions() as session:
        row = session.get(StaffRow, staff_id)
        return None if row is None else staff_of(row)


def set_active(db: VendorDatabase, staff_id: int, active: bool) -> Staff:
    """Enable or disable an account; a disabled account's sessions stop working at their next request."""
    with db.sessions.begin() as session:
        row = _row(session, staff_id)
        row.active = active
        return staff_of(row)


def set_role(db: VendorDatabase, staff_id: int, role: Role) -> Staff:
    role = Role(role)
    with db.sessions.begin() as session:
        row = _row(session, staff_id)
        row.role = role.value
        return staff_of(row)


def change_password(db: VendorDatabase, staff_id: int, old: str, new: str, *, now: dt.datetime) -> None:
    """Replace the password after checking the old one (a session left open must not be enough to take over
    the account).  The caller ends the account's other sessions (:func:`sessions.end_others`)."""
    _password(new)
    with db.sessions.begin() as session:
        row = _row(session, staff_id)
        if not _verify(row.password_hash, old):
            raise SignInRefused("wrong_password")
        if new == old:
            raise ValueError("the new password is the same as the old one")
        row.password_hash = _hasher.hash(new)
        row.password_changed_at = now


def totp_uri(secret: str, login: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=TOTP_ISSUER)


def _throttled(session: Session, login: str, address: str, now: dt.datetime) -> bool:
    since = now - THROTTLE_WINDOW
    per_login = session.scalar(select(func.count()).select_from(SignInFailure)
                               .where(SignInFailure.login == login[:_COLUMN], SignInFailure.at > since))
    if (per_login or 0) >= PER_LOGIN:
        return True
    per_address = session.scalar(select(func.count()).select_from(SignInFailure)
                                 .where(SignInFailure.address == address[:_COLUMN], SignInFailure.at > since))
    return (per_address or 0) >= PER_ADDRESS


def _fail(session: Session, login: str, address: str, now: dt.datetime) -> None:
    session.add(SignInFailure(login=login[:_COLUMN], address=address[:_COLUMN], at=now))


def check_password(db: VendorDatabase, login: str, password: str, address: str, *, now: dt.datetime) -> Staff:
    """The first step of signing in: the account whose right password this is, or :class:`SignInRefused`.

    The throttle is checked before the password, so a guess made while throttled tells nothing (not even a
    right one gets through).  The failure row is committed even though the call raises.
    """
    typed = login.strip().lower()
    refusal: str | None = None
    staff: Staff | None = None
    with db.sessions.begin() as session:
        if _throttled(session, typed, address, now):
            raise SignInRefused("throttled")
        row = session.scalar(select(StaffRow).where(StaffRow.login == typed))
        if row is None:
            _verify(_dummy_hash(), password)
            refusal = "wrong_password"
        elif not _verify(row.password_hash, password):
            refusal = "wrong_password"
        elif not row.active:
            refusal = "inactive"
        if refusal == "wrong_password":
            _fail(session, typed, address, now)
        if row is not None and refusal is None:
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            staff = staff_of(row)
    if staff is None:
        raise SignInRefused(refusal or "wrong_password")
    return staff


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The newest step within the drift whose code this is, or None.

    The newest, so that a code that happens to be right for two neighbouring steps is used up by accepting it.
    """
    code = code.replace(" ", "")
    if len(code) != _TOTP_DIGITS or not ascii_digits(code):
        return None
    totp = pyotp.TOTP(secret, digits=_TOTP_DIGITS, interval=TOTP_STEP_SECONDS)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in range(current + TOTP_DRIFT_STEPS, current - TOTP_DRIFT_STEPS - 1, -1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp(db: VendorDatabase, staff_id: int, code: str, *, now: dt.datetime, address: str) -> None:
    """The second step of signing in (or a fresh code before a sensitive act): the account's TOTP code.

    A code is accepted once: only for a step after the last accepted one, and that step is stored by a
    conditional UPDATE, so two workers given the same code at once accept it only once (the other sees no
    row updated and refuses it as a replay).
    """
    refused = False
    with db.sessions.begin() as session:
        row = _row(session, staff_id)
        if _throttled(session, row.login, address, now):
            raise SignInRefused("throttled")
        if not row.active:
            raise SignInRefused("inactive")
        step = _matching_step(row.totp_secret, code, now)
        if step is None or step <= row.totp_last_step:
            refused = True
        else:
            result = cast("CursorResult[Any]", session.execute(
                update(StaffRow).where(StaffRow.id == staff_id, StaffRow.totp_last_step < step)
                .values(totp_last_step=step).execution_options(synchronize_session=False)))
            refused = result.rowcount == 0
        if refused:
            _fail(session, row.login, address, now)
    if refused:
        raise SignInRefused("wrong_code")
