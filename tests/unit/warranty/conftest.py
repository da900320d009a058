from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pmv_protocol.keys import key_id
from tests.helpers import signed_contract


@pytest.fixture(scope="session")
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def trusted(vendor_key: Ed25519PrivateKey) -> dict:
    return {key_id(vendor_key.public_key()): vendor_key.public_key()}


@pytest.fixture
def signed(vendor_key: Ed25519PrivateKey) -> Callable[..., bytes]:
    return lambda shop_id="KP-0001", **changes: signed_contract(vendor_key, shop_id, **changes)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[bytes, str], Path]:
    def make(data: bytes, name: str = "contract.json") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make
