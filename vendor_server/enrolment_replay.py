"""The answer to a redeemed enrolment code, kept for one replay window, readable only by the install that asked.

A code is spent the moment the server answers. When that answer is lost on the way (the shop's network drops
after the server committed), the install asks again with the same code and the same ``Idempotency-Key`` (a
random UUID it keeps until setup ends, :mod:`app.setup.pending`), and gets the same answer instead of "already
used" with its old token already replaced. The server keeps the key's hash and the token sealed (AES-256-GCM)
with a key derived from the install's key (HKDF-SHA256, RFC 5869): the database alone cannot give the token out.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

REPLAY_WINDOW = dt.timedelta(hours=1)  # long enough to try again after a dropped answer; short for a stolen key
_INFO = b"pmv-enrolment-replay/1"
_NONCE = 12


def key_hash(key: str) -> str:
    return hashlib.sha256(b"check:" + key.encode("ascii")).hexdigest()


def _aead(key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(key.encode("ascii"))
    return AESGCM(derived)


def seal(token: str, key: str, code_hash: str) -> str:
    """``token`` sealed for ``key``, bound to the code it answered."""
    nonce = os.urandom(_NONCE)
    sealed = _aead(key).encrypt(nonce, token.encode("ascii"), code_hash.encode("ascii"))
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(sealed: str, key: str, code_hash: str) -> str | None:
    """The token sealed for ``key``; None when the key is not the one it was sealed for, or the text is damaged."""
    try:
        raw = base64.b64decode(sealed, validate=True)
        return _aead(key).decrypt(raw[:_NONCE], raw[_NONCE:], code_hash.encode("ascii")).decode("ascii")
    except (ValueError, InvalidTag):
        return None
