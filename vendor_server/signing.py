"""The vendor's signatures: contracts for shops and unlock codes for technicians.

Only the vendor holds these private keys, so only the vendor server carries
this code; the shop's app verifies with :mod:`pmv_protocol.contract` and
:mod:`app.technician.unlock`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pmv_protocol.contract import DOCUMENT_FORMAT, Contract
from pmv_protocol.keys import key_id
from pmv_protocol.signed_json import canonical_bytes
from pmv_protocol.unlock_codes import encode_unlock_code, parse_challenge, unlock_expiry, unlock_payload

DEFAULT_TTL = dt.timedelta(hours=2)  # how long an unlock code opens technician mode


def sign_payload(payload: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The vendor side: a signed document for ``payload`` (validated first)."""
    Contract.from_payload(payload)
    signature = private_key.sign(canonical_bytes(payload))
    return {
        "format": DOCUMENT_FORMAT,
        "key_id": key_id(private_key.public_key()),
        "payload": dict(payload),
        "signature": base64.b64encode(signature).decode("ascii"),
    }


def sign_challenge(
    challenge_text: str,
    technician: str,
    private_key: Ed25519PrivateKey,
    now: dt.datetime | None = None,
    ttl: dt.timedelta = DEFAULT_TTL,
) -> str:
    """The vendor side: an unlock code for the challenge read out by the shop, good for ``ttl``.

    The expiry is counted from the challenge's own issue time, i.e. on the shop's clock, which is the one the
    shop checks it against (:func:`pmv_protocol.unlock_codes.unlock_expiry`): a till whose clock is off by hours
    or days still gets ``ttl`` from when it showed the challenge, no more and no less.  ``now`` (the vendor's
    clock) therefore no longer sets it; it stays a parameter so the callers that pass it keep working.

    Raises UnlockError(MALFORMED) for a bad challenge, ValueError for a bad technician name or a ttl that is
    not more than 0 and at most :data:`pmv_protocol.unlock_codes.MAX_UNLOCK_TTL`.
    """
    challenge = parse_challenge(challenge_text)
    expires_at = unlock_expiry(challenge, ttl)
    kid = key_id(private_key.public_key())
    signature = private_key.sign(
        canonical_bytes(unlock_payload(technician.strip(), challenge.nonce, challenge.shop_id, expires_at, kid))
    )
    return encode_unlock_code(kid, challenge.nonce, expires_at, challenge.shop_id, technician.strip(), signature)
