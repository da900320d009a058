"""The technician unlock's texts: the challenge the shop shows and the unlock code the vendor signs for it.

The shop's app shows a short challenge (shop id, 8 random bytes, issue time)
that the technician reads out to the vendor.  The vendor signs an unlock code
for it (technician, challenge nonce, shop id, expiry, key id, signature) that
the technician types back.  Both texts are base32 (RFC 4648, no padding)
grouped by four characters with dashes; dashes, spaces and case are ignored,
and the look-alikes 0/1/8 are read as O/I/B.

Binary layouts (big-endian)::

    challenge: version(1) nonce(8) issued_at(4, unix s) shop_len(1) shop check(2 = sha256[:2])
    unlock:    version(1) key_id(8) nonce(8) expires_at(4, unix s) shop_len(1) shop tech_len(1) tech signature(64)

The signature covers :func:`pmv_protocol.signed_json.canonical_bytes` of
:func:`unlock_payload`, so the binary layout is only a transport.

Whose clock: the code's ``expires_at`` is compared with the shop's clock, so
the vendor counts it from the challenge's ``issued_at`` (the shop's clock at
the time), not from its own: :func:`unlock_expiry`.  A till whose clock is
hours or days off (a wrong time zone, a flat CMOS battery) then gets exactly
the time the vendor chose.  The layout and the signed payload did not change
for that, so the version stays 1: a code signed the old way (from the
vendor's clock) still verifies, and an older app reads new codes the same.
The shop also ends a session at most :data:`MAX_UNLOCK_TTL` after the unlock
(and never later than the code's time left at the unlock) on a monotonic
clock, so setting the PC's clock back cannot stretch it.

A code has one reading by construction, which is why it needs no JSON parser
and cannot carry a key twice: every field has a fixed place or a length
prefix, a byte left over after the signature is refused ("trailing data"),
base32 is accepted only in the one form the encoder writes (no unused bits),
text fields must be strict UTF-8 (no surrogates, no overlong forms), and the
signed JSON is built here from the decoded fields, never parsed from what the
technician typed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import hashlib
import secrets
import struct
from dataclasses import dataclass
from typing import Any, Protocol

from pmv_protocol.coded_error import CodeAlias, CodedError

CHALLENGE_VERSION = 1
UNLOCK_VERSION = 1
UNLOCK_FORMAT = "pmv-unlock/1"
NONCE_BYTES = 8
SIGNATURE_BYTES = 64
# The longest a code opens technician mode (pmv-vendor sign-challenge --ttl-hours allows up to a week).
MAX_UNLOCK_TTL = dt.timedelta(days=7)

_TYPO_MAP = str.maketrans({"0": "O", "1": "I", "8": "B"})



class UnlockReason(enum.StrEnum):
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    OTHER_SHOP = "other_shop"
    WRONG_CHALLENGE = "wrong_challenge"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    RATE_LIMITED = "rate_limited"


class UnlockError(CodedError[UnlockReason]):
    """An unlock (or a challenge) was refused; ``reason`` says why (the UI words it)."""

    reason = CodeAlias[UnlockReason]()


class _Rng(Protocol):
    def token_bytes(self, nbytes: int | None = ...) -> bytes: ...


# ---------------------------------------------------------------- text encoding


def _to_text(data: bytes) -> str:
    text = base64.b32encode(data).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _from_text(text: str) -> bytes:
    if not isinstance(text, str):
        raise UnlockError(UnlockReason.MALFORMED, "not text")
    clean = "".join(text.split()).replace("-", "").upper().translate(_TYPO_MAP)
    if not clean:
        raise UnlockError(UnlockReason.MALFORMED, "empty")
    try:
        data = base64.b32decode(clean + "=" * (-len(clean) % 8))
    except (binascii.Error, ValueError):
        raise UnlockError(UnlockReason.MALFORMED, "not base32") from None
    # Unused trailing bits or an impossible length: not a code we wrote.
    if base64.b32encode(data).decode("ascii").rstrip("=") != clean:
        raise UnlockError(UnlockReason.MALFORMED, "bad length")
    return data


def _timestamp(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    seconds = int(moment.timestamp())
    if not 0 <= seconds < 2**32:
        raise ValueError(f"time out of range: {moment}")
    return seconds


def _from_timestamp(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _short(text: str, what: str) -> bytes:
    raw = text.encode("utf-8")
    if not raw or len(raw) > 255:
        raise ValueError(f"{what} must be 1..255 bytes of UTF-8")
    return raw


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise UnlockError(UnlockReason.MALFORMED, "truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def text(self) -> str:
        length = self.take(1)[0]
        try:
            value = self.take(length).decode("utf-8")
        except UnicodeDecodeError:
            raise UnlockError(UnlockReason.MALFORMED, "bad text") from None
        if not value:
            raise UnlockError(UnlockReason.MALFORMED, "empty text")
        return value

    def u32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def end(self) -> None:
        if self.pos != len(self.data):
            raise UnlockError(UnlockReason.MALFORMED, "trailing data")


# ---------------------------------------------------------------- challenge (shop side)


@dataclass(frozen=True)
class Challenge:
    shop_id: str
    nonce: bytes
    issued_at: dt.datetime

    def to_bytes(self) -> bytes:
        body = (
            bytes([CHALLENGE_VERSION])
            + self.nonce
            + struct.pack(">I", _timestamp(self.issued_at))
            + bytes([len(_short(self.shop_id, "shop id"))])
            + _short(self.shop_id, "shop id")
        )
        return body + hashlib.sha256(body).digest()[:2]

    def code(self) -> str:
        """The short text the shop shows and the technician reads out, e.g. ``AEBC-…``."""
        return _to_text(self.to_bytes())


def make_challenge(shop_id: str, now: dt.datetime, rng: _Rng = secrets) -> Challenge:
    _short(shop_id, "shop id")
    issued = now.astimezone(dt.UTC).replace(microsecond=0)
    _timestamp(issued)
    return Challenge(shop_id=shop_id, nonce=rng.token_bytes(NONCE_BYTES), issued_at=issued)


def parse_challenge(text: str) -> Challenge:
    """The challenge in ``text``; raises UnlockError(MALFORMED) on a typo or garbage."""
    data = _from_text(text)
    if len(data) < 3 or hashlib.sha256(data[:-2]).digest()[:2] != data[-2:]:
        raise UnlockError(UnlockReason.MALFORMED, "checksum mismatch (typo?)")
    reader = _Reader(data[:-2])
    if reader.take(1)[0] != CHALLENGE_VERSION:
        raise UnlockError(UnlockReason.MALFORMED, "unknown challenge version")
    nonce = reader.take(NONCE_BYTES)
    issued_at = _from_timestamp(reader.u32())
    shop_id = reader.text()
    reader.end()
    return Challenge(shop_id=shop_id, nonce=nonce, issued_at=issued_at)


def unlock_expiry(challenge: Challenge, ttl: dt.timedelta) -> dt.datetime:
    """When a code for ``challenge`` that opens technician mode for ``ttl`` expires, on the shop's clock.

    Counted from the challenge's ``issued_at`` (the shop's clock when it showed the challenge), never from the
    signer's clock, which may be hours or days away from the till's.  Raises ValueError for a ttl that is not
    more than 0 and at most :data:`MAX_UNLOCK_TTL`.
    """
    if not dt.timedelta(0) < ttl <= MAX_UNLOCK_TTL:
        raise ValueError(f"ttl must be more than 0 and at most {MAX_UNLOCK_TTL}, not {ttl}")
    return (challenge.issued_at + ttl).astimezone(dt.UTC).replace(microsecond=0)


# ---------------------------------------------------------------- unlock code


@dataclass(frozen=True)
class UnlockCode:
    key_id: str
    nonce: bytes
    expires_at: dt.datetime
    shop_id: str
    technician: str
    signature: bytes

    def payload(self) -> dict[str, Any]:
        return unlock_payload(self.technician, self.nonce, self.shop_id, self.expires_at, self.key_id)


def unlock_payload(technician: str, nonce: bytes, shop_id: str, expires_at: dt.datetime, kid: str) -> dict[str, Any]:
    """What the vendor signs (as canonical JSON)."""
    return {
        "format": UNLOCK_FORMAT,
        "technician": technician,
        "nonce": nonce.hex(),
        "shop_id": shop_id,
        "expires_at": _from_timestamp(_timestamp(expires_at)).isoformat(),
        "key_id": kid,
    }


def encode_unlock_code(kid: str, nonce: bytes, expires_at: dt.datetime, shop_id: str, technician: str,
                       signature: bytes) -> str:
    """The text the technician types back (the vendor signs ``unlock_payload`` of the same fields)."""
    shop_raw, tech_raw = _short(shop_id, "shop id"), _short(technician, "technician name")
    data = (
        bytes([UNLOCK_VERSION])
        + bytes.fromhex(kid)
        + nonce
        + struct.pack(">I", _timestamp(expires_at))
        + bytes([len(shop_raw)])
        + shop_raw
        + bytes([len(tech_raw)])
        + tech_raw
        + signature
    )
    return _to_text(data)


def parse_unlock_code(text: str) -> UnlockCode:
    reader = _Reader(_from_text(text))
    if reader.take(1)[0] != UNLOCK_VERSION:
        raise UnlockError(UnlockReason.MALFORMED, "unknown code version")
    kid = reader.take(8).hex()
    nonce = reader.take(NONCE_BYTES)
    expires_at = _from_timestamp(reader.u32())
    shop_id = reader.text()
    technician = reader.text()
    signature = reader.take(SIGNATURE_BYTES)
    reader.end()
    return UnlockCode(kid, nonce, expires_at, shop_id, technician, signature)


