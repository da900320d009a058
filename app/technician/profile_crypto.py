"""Sealing the profile's secrets with the technician's passphrase.

secrets.enc is a small JSON envelope::

    {"format": "pmv-profile-secrets/1",
     "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<b64, 16 bytes>"},
     "cipher": "aes-256-gcm", "nonce": "<b64, 12 bytes>", "ciphertext": "<b64, with the GCM tag>"}

scrypt (n = 2**15: about a tenth of a second and 32 MiB on a till PC, for
each guess an attacker makes) turns the passphrase into an AES-256-GCM key;
salt and nonce are fresh for every export.  The associated data is
:meth:`Manifest.secrets_aad`, so the envelope opens only inside the profile
it was made for.  GCM cannot tell a wrong passphrase from a foreign envelope:
both are WRONG_PASSPHRASE.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import unicodedata
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.technician.profile import MIN_PASSPHRASE_LENGTH, ProfileError, ProfileProblem
from pmv_protocol.signed_json import StrictJsonError, parse_object

ENVELOPE_FORMAT = "pmv-profile-secrets/1"
CIPHER = "aes-256-gcm"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
# A hostile envelope must not make the new PC spend minutes or gigabytes deriving a key: scrypt needs
# 128·r·n bytes (RFC 7914 section 2), so these allow 128 MiB and four times the work of what export writes.
_MAX_N = 2**17
_MAX_R = 8
_MAX_P = 1


def passphrase_bytes(passphrase: str | None) -> bytes:
    """The passphrase as the KDF sees it; refuses a missing or short one.

    NFC: Vietnamese typed with Telex on one PC and VNI or a phone keyboard on
    another can give the same letters as different code points.
    """
    if not passphrase:
        raise ProfileError(ProfileProblem.PASSPHRASE_REQUIRED)
    text = unicodedata.normalize("NFC", passphrase)
    if len(text) < MIN_PASSPHRASE_LENGTH:
        raise ProfileError(ProfileProblem.PASSPHRASE_TOO_SHORT, f"fewer than {MIN_PASSPHRASE_LENGTH} characters")
    return text.encode("utf-8")


def _key(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(secret)


def seal(plaintext: bytes, passphrase: str, associated_data: bytes) -> bytes:
    secret = passphrase_bytes(passphrase)
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    key = _key(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, associated_data)
    envelope = {
        "format": ENVELOPE_FORMAT,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": CIPHER,
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }
    return json.dumps(envelope, indent=2).encode("utf-8")


def unseal(envelope: bytes, passphrase: str | None, associated_data: bytes) -> bytes:
    """The plaintext, or ProfileError: PASSPHRASE_REQUIRED, WRONG_PASSPHRASE or SECRETS_INVALID."""
    if not passphrase:
        raise ProfileError(ProfileProblem.PASSPHRASE_REQUIRED)
    # Only normalised here: a short passphrase on import is simply a wrong one.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    salt, nonce, ciphertext, n, r, p = _parse(envelope)
    try:
        return AESGCM(_key(secret, salt, n, r, p)).decrypt(nonce, ciphertext, associated_data)
    except InvalidTag:
        raise ProfileError(ProfileProblem.WRONG_PASSPHRASE) from None


def _parse(envelope: bytes) -> tuple[bytes, bytes, bytes, int, int, int]:
    try:
        # Strict: with two "n" members, which scrypt cost is meant would be up to the parser.
        doc: Any = parse_object(envelope)
    except StrictJsonError as exc:
        raise ProfileError(ProfileProblem.SECRETS_INVALID, f"envelope: {exc}", fault=exc.fault) from None
    try:
        kdf = doc["kdf"]
        if doc["format"] != ENVELOPE_FORMAT or doc["cipher"] != CIPHER or kdf["name"] != "scrypt":
            raise ValueError("unknown envelope, cipher or KDF")
        n, r, p = kdf["n"], kdf["r"], kdf["p"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
            raise TypeError("scrypt parameters must be integers")
        if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
            raise ValueError(f"scrypt parameters out of range: n={n} r={r} p={p}")
        salt, nonce = _unb64(kdf["salt"]), _unb64(doc["nonce"])
        ciphertext = _unb64(doc["ciphertext"])
        if len(salt) < SALT_BYTES or len(nonce) != NONCE_BYTES or len(ciphertext) < 16:
            raise ValueError("salt, nonce or ciphertext too short")
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise ProfileError(ProfileProblem.SECRETS_INVALID, f"{type(exc).__name__}: {exc}") from None
    return salt, nonce, ciphertext, n, r, p


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("base64 field must be a string")
    return base64.b64decode(text, validate=True)
