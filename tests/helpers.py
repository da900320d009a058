"""Helpers shared by several test packages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pmv_protocol.keys import key_id, public_key_to_b64

from vendor_server.signing import sign_payload


def contract_payload(shop_id: str = "KP-0001", **changes: Any) -> dict[str, Any]:
    return {
        "shop_id": shop_id,
        "shop_name": "Tiệm vàng Kim Phát",
        "package": {"code": "PMV-GOLD-PRO", "warranty_months": 12},
        "accepted_on": "2026-01-15",
        "maintenance": [],
        "issued_at": "2026-01-15T09:00:00+07:00",
        **changes,
    }


def signed_contract(key: Ed25519PrivateKey, shop_id: str = "KP-0001", **changes: Any) -> bytes:
    return json.dumps(sign_payload(contract_payload(shop_id, **changes), key), ensure_ascii=False).encode()


def write_keys_file(key: Ed25519PrivateKey, path: Path) -> Path:
    public = key.public_key()
    path.write_text(json.dumps({"contract": {key_id(public): public_key_to_b64(public)}}), encoding="utf-8")
    return path


class FixedClock:
    """A clock tests move by hand: ``clock()`` gives ``now``; ``advance(minutes=5)`` moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)
