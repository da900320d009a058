"""The vendor public keys this app trusts, shipped in resources/keys.

``vendor_keys.json`` maps a purpose (``contract``, ``technician``) to
``{key_id: base64 raw Ed25519 public key}``.  Only these keys are trusted;
the demo mode adds the key of its embedded demo vendor, and tests pass their
own keys through constructors.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.infra.resources import resources_dir
from pmv_protocol.keys import key_id, public_key_from_b64
from pmv_protocol.signed_json import parse_object

log = logging.getLogger(__name__)

KEYS_FILE = "vendor_keys.json"


def shipped_keys_file() -> Path:
    return resources_dir() / "keys" / KEYS_FILE


def load_trusted_keys(purpose: str, *files: Path) -> dict[str, Ed25519PublicKey]:
    """Keys for ``purpose`` from the shipped file and any extra ``files``.

    Extra files are only ever the demo vendor's (in demo mode): a file a shop
    could write must never make a real contract verify.
    """
    keys: dict[str, Ed25519PublicKey] = {}
    for path in (shipped_keys_file(), *files):
        try:
            data = parse_object(Path(path).read_bytes())  # trust anchors: a purpose given twice is refused
            entries = data.get(purpose, {})
        except (OSError, ValueError, AttributeError) as exc:
            log.error("cannot read trusted keys from %s: %s", path, exc)
            continue
        for claimed_id, text in entries.items():
            try:
                public_key = public_key_from_b64(text)
            except ValueError:
                log.error("bad %s key %s in %s", purpose, claimed_id, path)
                continue
            if key_id(public_key) != claimed_id:
                log.error("key id %s does not match its key in %s", claimed_id, path)
                continue
            keys[claimed_id] = public_key
    return keys
