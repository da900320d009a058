"""The vendor's Ed25519 signing keys, one file per purpose, readable only by the owner."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from pmv_protocol.keys import key_id, public_key_to_b64

PURPOSES = ("contract", "technician")


class VendorKeyError(Exception):
    """A key is missing or unreadable; the message says which and what to run."""


class VendorKeys:
    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = Path(keys_dir)

    def path(self, purpose: str) -> Path:
        return self.keys_dir / f"{purpose}.key"

    def init(self, *, force: bool = False) -> dict[str, dict[str, str]]:
        """Create any missing key; returns the public keys in vendor_keys.json form."""
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        for purpose in PURPOSES:
            path = self.path(purpose)
            if path.exists() and not force:
                continue
            pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
        return self.public_keys()

    def private(self, purpose: str) -> Ed25519PrivateKey:
        path = self.path(purpose)
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise VendorKeyError(f"no {purpose} key in {self.keys_dir}; "
                                 f"run: pmv-vendor keys init --keys {self.keys_dir}") from None
        except ValueError as exc:
            raise VendorKeyError(f"{path} is not a valid key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise VendorKeyError(f"{path} is not an Ed25519 key")
        return key

    def public_keys(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for purpose in PURPOSES:
            if self.path(purpose).exists():
                public = self.private(purpose).public_key()
                result[purpose] = {key_id(public): public_key_to_b64(public)}
        return result

    def write_public(self, target: Path) -> None:
        Path(target).write_text(json.dumps(self.public_keys(), indent=2) + "\n", encoding="utf-8")
