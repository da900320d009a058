"""Offline technician unlock, shop side: an unlock code signed with the vendor's Ed25519 "technician" key
opens technician mode for a while.

The challenge and the code's formats are :mod:`pmv_protocol.unlock_codes`; the vendor signs codes with
``pmv-vendor sign-challenge`` (``vendor_server.signing``).  Used nonces and failed attempts are kept in the
app's state store, so a code works once and guessing is rate-limited.

The code's expiry is on the shop's clock (the vendor counts it from the challenge's issue time).  Once
unlocked, the session also ends on a monotonic clock: at most :data:`MAX_UNLOCK_TTL` after the unlock and
never later than the time the code had left then, so a PC clock set back (by hand, or by a flat CMOS battery
corrected later) cannot keep technician mode open.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pmv_protocol.signed_json import canonical_bytes
from pmv_protocol.unlock_codes import (
    MAX_UNLOCK_TTL,
    Challenge,
    UnlockError,
    UnlockReason,
    make_challenge,
    parse_challenge,
    parse_unlock_code,
)

__all__ = ["MAX_UNLOCK_TTL", "Challenge", "Session", "TechnicianUnlock", "UnlockError", "UnlockReason",
           "make_challenge", "parse_challenge"]

MAX_FAILURES = 5  # wrong codes allowed within FAILURE_WINDOW; the next attempts are refused
FAILURE_WINDOW = dt.timedelta(minutes=10)
LOCKOUT = dt.timedelta(minutes=10)

STATE_USED = "technician.unlock.used_nonces"
STATE_FAILURES = "technician.unlock.failures"
STATE_LOCKED_UNTIL = "technician.unlock.locked_until"

Clock = Callable[[], dt.datetime]
Monotonic = Callable[[], float]  # seconds that only ever go forward (time.monotonic)


class StateStore(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...



# ---------------------------------------------------------------- verification (shop side)


@dataclass(frozen=True)
class Session:
    """An unlocked technician: open while :meth:`time_left` is positive.

    ``expires_at`` is on the PC's clock (the audit log's "until", the countdown); ``monotonic_deadline`` is the
    same end on ``monotonic``, which the PC's clock does not move.  A session made without one (by hand, in a
    test) follows the PC's clock alone.
    """

    technician: str
    expires_at: dt.datetime
    monotonic_deadline: float | None = None
    monotonic: Monotonic = field(default=time.monotonic, compare=False, repr=False)

    def time_left(self, now: dt.datetime) -> dt.timedelta:
        """What is left at ``now`` (the PC's clock), and never more than the monotonic clock allows."""
        left = self.expires_at - now
        if self.monotonic_deadline is not None:
            left = min(left, dt.timedelta(seconds=self.monotonic_deadline - self.monotonic()))
        return left

    def is_open(self, now: dt.datetime) -> bool:
        return self.time_left(now) > dt.timedelta(0)


class TechnicianUnlock:
    """Checks unlock codes; remembers used nonces and failed attempts in ``state_store``."""

    def __init__(self, trusted_keys: Mapping[str, Ed25519PublicKey], state_store: StateStore, clock: Clock,
                 monotonic: Monotonic = time.monotonic) -> None:
        self._keys = dict(trusted_keys)
        self._state = state_store
        self._clock = clock
        self._monotonic = monotonic

    def locked_until(self) -> dt.datetime | None:
        """When the rate limit lifts, or None when codes are accepted now."""
        value = self._state.get(STATE_LOCKED_UNTIL)
        if not value:
            return None
        until = dt.datetime.fromisoformat(value)
        return until if self._clock() < until else None

    def verify(self, challenge: Challenge, code: str) -> Session:
        now = self._clock()
        until = self.locked_until()
        if until is not None:
            raise UnlockError(UnlockReason.RATE_LIMITED, f"until {until.isoformat()}")
        try:
            session = self._check(challenge, code, now)
        except UnlockError:
            self._record_failure(now)
            raise
        self._state.set(STATE_FAILURES, [])
        return session

    def _check(self, challenge: Challenge, text: str, now: dt.datetime) -> Session:
        code = parse_unlock_code(text)
        public_key = self._keys.get(code.key_id)
        if public_key is None:
            raise UnlockError(UnlockReason.UNKNOWN_KEY, code.key_id)
        try:
            public_key.verify(code.signature, canonical_bytes(code.payload()))
        except InvalidSignature:
            raise UnlockError(UnlockReason.BAD_SIGNATURE) from None
        if code.shop_id != challenge.shop_id:
            raise UnlockError(UnlockReason.OTHER_SHOP, code.shop_id)
        if not secrets.compare_digest(code.nonce, challenge.nonce):
            raise UnlockError(UnlockReason.WRONG_CHALLENGE)
        if now >= code.expires_at:
            raise UnlockError(UnlockReason.EXPIRED, code.expires_at.isoformat())
        used: dict[str, str] = dict(self._state.get(STATE_USED, {}) or {})
        if code.nonce.hex() in used:
            raise UnlockError(UnlockReason.REPLAYED)
        keep_after = now - dt.timedelta(days=1)  # a day's margin against a clock set back
        used = {n: t for n, t in used.items() if dt.datetime.fromisoformat(t) > keep_after}
        used[code.nonce.hex()] = code.expires_at.isoformat()
        self._state.set(STATE_USED, used)
        # Never longer, counted from now, than the time the vendor gave (from the challenge's issue to the code's
        # end), nor than the longest code: a clock days ahead when the challenge was shown, then put right, made a
        # 2-hour code last days; a code signed by the vendor's clock (before codes were counted from the
        # challenge) on a till whose clock is days behind likewise.
        given = min(code.expires_at - challenge.issued_at, MAX_UNLOCK_TTL)
        expires_at = min(code.expires_at, now + given)
        deadline = self._monotonic() + (expires_at - now).total_seconds()
        return Session(technician=code.technician, expires_at=expires_at, monotonic_deadline=deadline,
                       monotonic=self._monotonic)

    def _record_failure(self, now: dt.datetime) -> None:
        since = now - FAILURE_WINDOW
        failures = [
            t for t in (self._state.get(STATE_FAILURES, []) or []) if dt.datetime.fromisoformat(t) > since
        ]
        failures.append(now.isoformat())
        if len(failures) >= MAX_FAILURES:
            self._state.set(STATE_LOCKED_UNTIL, (now + LOCKOUT).isoformat())
            failures = []
        self._state.set(STATE_FAILURES, failures)
