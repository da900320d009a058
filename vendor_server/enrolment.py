"""Enrolment: a shop's new install trades a one-time code for the shop's token (``POST /api/v1/enrol``).

Staff make a code for a shop (the console's shop page, or ``pmv-vendor enrol``) and read it out; the shop's
setup wizard sends it and gets back the shop's details, a new token and its signed contract
(:mod:`pmv_protocol.enrolment_wire`).  A code is 10 characters with its own check
(:mod:`pmv_protocol.enrolment_codes`), bound to the shop it was made for, good for one use within
:data:`CODE_LIFETIME`, and stored only as its SHA-256.  Enrolling replaces the shop's token: a reinstall after
a disk failure works, and the old PC's token stops working.

The throttle counts rows of :class:`EnrolmentAttempt` over :data:`THROTTLE_WINDOW` (never a worker's memory,
so every worker sees the same count): from one address at most :data:`PER_ADDRESS` failed tries, and on one
code at most :data:`PER_CODE` tries of any outcome.  The count is read before the try is added, so workers
racing at the edge of a limit may let one or two more through; 40 random bits leave guessing hopeless
either way.  A throttled try is recorded too, but not counted: it would otherwise push the end of the wait
forward for as long as someone keeps trying, and ``retry_after`` would not be true.

Hashing stops a code being read out of the database, not searched for: 40 bits are few enough that someone
holding a copy of the database could find an outstanding code by brute force.  Its short life and single use
bound what that buys (and such a copy already holds everything else of the shop's).

Framework-free, like the ticket services: the route passes the request's address and the server's clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import math
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmv_protocol.enrolment_codes import CodeProblem, CodeReading, display, new_code, read_code
from pmv_protocol.enrolment_wire import CODE_LIFETIME_HOURS, EnrolRefusal
from vendor_server import enrolment_replay as replay
from vendor_server.console import audit
from vendor_server.db import Shop, VendorDatabase, hash_token, new_token
from vendor_server.enrolment_tables import EnrolmentAttempt, EnrolmentCodeRow

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

__all__ = ["CODE_LIFETIME", "PER_ADDRESS", "PER_CODE", "SHOP_SIDE", "THROTTLE_WINDOW", "CodeState", "CodeStatus",
           "EnrolRefused", "Enrolled", "IssuedCode", "create_code", "hash_code", "latest_code", "redeem"]

CODE_LIFETIME = dt.timedelta(hours=CODE_LIFETIME_HOURS)
# The throttle.  Per address: a technician mistyping a few times, or a shop office behind one NAT enrolling
# a second till, stays well inside 10 failures; a guesser gets 10 guesses of 2^40 per quarter hour.  Per code:
# the code's rightful user needs one try, and 5 leave room for a retry after a lost answer.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
PER_ADDRESS = 10  # failed tries from one address within the window
PER_CODE = 5  # tries on one code within the window, whatever came of them
SHOP_SIDE = "-"  # the audit log's login for what comes from a shop's side (no staff member)
_ADDRESS = 64  # enrolment_attempts.address, enrolment_codes.used_from
_CREATED_BY = 64  # enrolment_codes.created_by
_OK = "ok"
_DRAWS = 3  # a new code equal to one made before (1 in 2^40 per code on record) is drawn again


def hash_code(code: str) -> str:
    """What is stored of a canonical code (as :func:`pmv_protocol.enrolment_codes.read_code` gives it)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


@dataclasses.dataclass(frozen=True)
class IssuedCode:
    """A code just made; ``code`` is canonical, and is never stored or shown again."""

    code: str
    shop_id: str
    expires_at: dt.datetime

    @property
    def shown(self) -> str:
        """As staff read it out: ``ABCDE-FGHJK``."""
        return display(self.code)


@dataclasses.dataclass(frozen=True)
class Enrolled:
    """A code redeemed: the shop as registered, its new token and its latest signed contract (or None)."""

    shop_id: str
    name: str
    address: str
    phone: str
    token: str
    contract: dict[str, Any] | None  # the signed document as ``GET /api/v1/contract`` serves it


class EnrolRefused(Exception):
    """A redeem refused; the message says why in plain English for the wire's ``message``.

    ``position`` (FORMAT): the likely wrong character, 1-based, when the code's check can tell;
    ``retry_after`` (THROTTLED): whole seconds until a try is counted again.
    """

    def __init__(self, refusal: EnrolRefusal, message: str, *, position: int | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message
        self.position = position
        self.retry_after = retry_after


class CodeState(enum.StrEnum):
    OUTSTANDING = "outstanding"  # not used yet, not expired, the shop's newest
    USED = "used"
    EXPIRED = "expired"
    REPLACED = "replaced"  # a newer code was made before this one was used


@dataclasses.dataclass(frozen=True)
class CodeStatus:
    """What the shop page says of a shop's newest code (never the code: only its hash is kept)."""

    state: CodeState
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_from: str | None


def _state(row: EnrolmentCodeRow, now: dt.datetime) -> CodeState:
    if row.used_at is not None:
        return CodeState.USED
    if row.replaced_at is not None:
        return CodeState.REPLACED
    return CodeState.EXPIRED if now >= row.expires_at else CodeState.OUTSTANDING


def _shop(session: Session, shop_id: str) -> Shop:
    shop = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
    if shop is None:
        raise LookupError(f"unknown shop {shop_id}")
    return shop


def create_code(db: VendorDatabase, shop_id: str, *, now: dt.datetime, created_by: str, staff_id: int | None = None,
                address: str = "-") -> IssuedCode:
    """A new code for ``shop_id``, good for one use until ``now`` + :data:`CODE_LIFETIME`.

    Making a code makes every earlier unused code of the same shop unusable (it is marked replaced, and
    redeeming it is refused as expired): only the newest code a shop was given works, so a code read out
    twice, or made again by a colleague, cannot open the shop twice.  The code is returned this once and
    stored only as its hash; the act goes to the audit log (``created_by``: a staff login, or "cli").
    LookupError for an unknown shop.
    """
    expires_at = now + CODE_LIFETIME
    for _draw in range(_DRAWS):
        code = new_code()
        try:
            with db.sessions.begin() as session:
                shop = _shop(session, shop_id)
                session.execute(update(EnrolmentCodeRow)
                                .where(EnrolmentCodeRow.shop_pk == shop.id, EnrolmentCodeRow.used_at.is_(None),
                                       EnrolmentCodeRow.replaced_at.is_(None))
                                .values(replaced_at=now).execution_options(synchronize_session=False))
                session.add(EnrolmentCodeRow(shop_pk=shop.id, code_hash=hash_code(code), created_at=now,
                                             expires_at=expires_at, created_by=created_by[:_CREATED_BY]))
                audit.record(session, at=now, action=audit.Action.ENROL_CODE, login=created_by, staff_id=staff_id,
                             address=address, shop_id=shop.shop_id, detail=f"expires {expires_at.isoformat()}")
        except IntegrityError:
            continue
        return IssuedCode(code, shop_id, expires_at)
    raise RuntimeError("could not draw an enrolment code unlike every code made before")  # pragma: no cover


def latest_code(db: VendorDatabase, shop_id: str, *, now: dt.datetime) -> CodeStatus | None:
    """The shop's newest code and where it stands; None when none was ever made (LookupError: no such shop)."""
    with db.sessions() as session:
        shop = _shop(session, shop_id)
        row = session.scalar(select(EnrolmentCodeRow).where(EnrolmentCodeRow.shop_pk == shop.id)
                             .order_by(EnrolmentCodeRow.id.desc()).limit(1))
        if row is None:
            return None
        return CodeStatus(_state(row, now), row.created_at, row.created_by, row.expires_at, row.used_at,
                          row.used_from)


def redeem(db: VendorDatabase, typed_code: str, *, address: str, now: dt.datetime,
           replay_key: str | None = None) -> Enrolled:
    """Trade ``typed_code`` (as typed: dashes, spaces and case do not matter) for its shop's new token.

    Raises :class:`EnrolRefused`.  Every call is recorded as an attempt, whatever comes of it.  The code is
    spent by a conditional UPDATE (``used_at IS NULL``), so of two redeems of one code at once exactly one
    wins; the other is refused as used.  A success, and a try of a code already used or expired, go to the
    audit log with the shop's id (a spent code tried again may mean it leaked).  ``replay_key``: the install's
    Idempotency-Key; the same code with the same key within :data:`~vendor_server.enrolment_replay.REPLAY_WINDOW`
    is answered again with the same token, as long as no later enrolment replaced it -- also when the two tries
    overlap (the loser of the UPDATE reads the winner's row once it committed, and answers as a replay).
    """
    address = address[:_ADDRESS]
    reading = read_code(typed_code)
    code_hash = None if reading.code is None else hash_code(reading.code)
    result: Enrolled | EnrolRefused
    with db.sessions.begin() as session:
        try:
            result = _redeem(db, session, reading, code_hash, address, now, replay_key)
        except EnrolRefused as refused:
            result = refused
        outcome = _OK if isinstance(result, Enrolled) else str(result.refusal)
        session.add(EnrolmentAttempt(at=now, address=address, code_hash=code_hash, outcome=outcome))
    if isinstance(result, EnrolRefused):
        raise result
    return result


def _wait(session: Session, counted: ColumnElement[bool], limit: int, now: dt.datetime) -> int | None:
    """Seconds until fewer than ``limit`` counted attempts are left in the window; None when already fewer."""
    newest = session.scalars(select(EnrolmentAttempt.at)
                             .where(counted, EnrolmentAttempt.at > now - THROTTLE_WINDOW)
                             .order_by(EnrolmentAttempt.at.desc()).limit(limit)).all()
    if len(newest) < limit:
        return None
    # Once the limit-th newest leaves the window, fewer than the limit remain in it.
    return max(1, math.ceil((newest[-1] + THROTTLE_WINDOW - now).total_seconds()))


def _throttle(session: Session, code_hash: str | None, address: str, now: dt.datetime) -> None:
    failed = (EnrolmentAttempt.address == address) & EnrolmentAttempt.outcome.not_in(
        (_OK, str(EnrolRefusal.THROTTLED)))
    wait = _wait(session, failed, PER_ADDRESS, now)
    if wait is None and code_hash is not None:
        tried = (EnrolmentAttempt.code_hash == code_hash) & (EnrolmentAttempt.outcome != str(EnrolRefusal.THROTTLED))
        wait = _wait(session, tried, PER_CODE, now)
    if wait is not None:
        raise EnrolRefused(EnrolRefusal.THROTTLED, f"too many tries: try again in {wait} s", retry_after=wait)


def _format_refusal(reading: CodeReading) -> EnrolRefused:
    if reading.problem is CodeProblem.LENGTH:
        message = f"an enrolment code has 10 characters, this has {reading.found}"
    elif reading.problem is CodeProblem.INPUT_METHOD:
        message = (f"character {reading.position} is a Vietnamese letter: turn the Vietnamese input method "
                   "(Unikey, EVKey) off and type the code again")
    elif reading.position is not None:
        message = f"the code fails its check: character {reading.position} is likely wrong"
    else:
        message = "the code fails its check: read it again"
    return EnrolRefused(EnrolRefusal.FORMAT, message, position=reading.position)


def _iso(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _spent(session: Session, shop: Shop, refusal: EnrolRefusal, why: str, address: str,
           now: dt.datetime) -> EnrolRefused:
    """A real code that no longer works: audited with its shop (it may have leaked), then refused."""
    audit.record(session, at=now, action=audit.Action.ENROL_REFUSED, outcome=audit.Outcome.REFUSED,
                 login=SHOP_SIDE, address=address, shop_id=shop.shop_id, detail=why)
    messages = {EnrolRefusal.USED: "this code has already been used: ask the vendor for a new one",
                EnrolRefusal.EXPIRED: "this code is no longer valid: ask the vendor for a new one"}
    return EnrolRefused(refusal, messages[refusal])


def _redeem(db: VendorDatabase, session: Session, reading: CodeReading, code_hash: str | None, address: str,
            now: dt.datetime, replay_key: str | None) -> Enrolled:
    _throttle(session, code_hash, address, now)
    if code_hash is None:
        raise _format_refusal(reading)
    row = session.scalar(select(EnrolmentCodeRow).where(EnrolmentCodeRow.code_hash == code_hash))
    if row is None:
        raise EnrolRefused(EnrolRefusal.UNKNOWN, "no shop was given this code: check it with the vendor")
    shop = session.get_one(Shop, row.shop_pk)
    state = _state(row, now)
    if state is CodeState.USED:
        again = _replayed(db, session, row, shop, replay_key, address, now)
        if again is not None:
            return again
        raise _spent(session, shop, EnrolRefusal.USED, f"used: first used {_iso(row.used_at)} from {row.used_from}",
                     address, now)
    if state is not CodeState.OUTSTANDING:
        when = row.replaced_at if state is CodeState.REPLACED else row.expires_at
        raise _spent(session, shop, EnrolRefusal.EXPIRED, f"{state}: since {_iso(when)}", address, now)
    token = new_token()
    spent = cast("CursorResult[Any]", session.execute(
        update(EnrolmentCodeRow)
        .where(EnrolmentCodeRow.id == row.id, EnrolmentCodeRow.used_at.is_(None),
               EnrolmentCodeRow.replaced_at.is_(None))
        .values(used_at=now, used_from=address,
                replay_key_hash=None if replay_key is None else replay.key_hash(replay_key),
                replay_sealed=None if replay_key is None else replay.seal(token, replay_key, row.code_hash))
        .execution_options(synchronize_session=False)))
    if spent.rowcount != 1:  # another try spent it, or a newer code replaced it, since it was read
        # Read again past the winner's commit (the UPDATE waited for it): the row as it spent it, and the shop
        # with the token it set.  The winner may be this install's own first try (Enter pressed twice, or
        # asked again after a client timeout while the server was still committing): same key, same answer.
        row = session.scalars(select(EnrolmentCodeRow).where(EnrolmentCodeRow.id == row.id)
                              .execution_options(populate_existing=True)).one()
        shop = session.scalars(select(Shop).where(Shop.id == row.shop_pk)
                               .execution_options(populate_existing=True)).one()
        if row.used_at is None:
            raise _spent(session, shop, EnrolRefusal.EXPIRED, "replaced: by a newer code made meanwhile", address,
                         now)
        again = _replayed(db, session, row, shop, replay_key, address, now)
        if again is not None:
            return again
        raise _spent(session, shop, EnrolRefusal.USED, "used: spent by a concurrent try", address, now)
    session.execute(update(Shop).where(Shop.id == shop.id).values(token_hash=hash_token(token))
                    .execution_options(synchronize_session=False))
    audit.record(session, at=now, action=audit.Action.ENROL, login=SHOP_SIDE, address=address, shop_id=shop.shop_id,
                 detail=f"code made {row.created_at.isoformat()} by {row.created_by}; the previous token no "
                        "longer works")
    return _enrolled(db, session, shop, token)


def _replayed(db: VendorDatabase, session: Session, row: EnrolmentCodeRow, shop: Shop, replay_key: str | None,
              address: str, now: dt.datetime) -> Enrolled | None:
    """The same answer again for the install that redeemed ``row`` (its answer lost on the way), or None."""
    if (replay_key is None or row.replay_key_hash != replay.key_hash(replay_key) or row.replay_sealed is None
            or row.used_at is None or now - row.used_at > replay.REPLAY_WINDOW):
        return None
    token = replay.unseal(row.replay_sealed, replay_key, row.code_hash)
    if token is None or shop.token_hash != hash_token(token):  # a later enrolment has replaced that token
        return None
    audit.record(session, at=now, action=audit.Action.ENROL, login=SHOP_SIDE, address=address, shop_id=shop.shop_id,
                 detail=f"the answer of {row.used_at.isoformat()} sent again to the same install (it was lost on "
                        "the way)")
    return _enrolled(db, session, shop, token)


def _enrolled(db: VendorDatabase, session: Session, shop: Shop, token: str) -> Enrolled:
    """The answer: the shop as registered, its token and its newest contract (None before one is issued)."""
    document = db.latest_contract(session, shop)
    return Enrolled(shop.shop_id, shop.name, shop.address, shop.phone, token,
                    None if document is None else json.loads(document))
