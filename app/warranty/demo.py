"""The demo vendor's contract for the demo shop.

Demo mode trusts one extra key, generated in the demo folder, and keeps its
contract in the demo folder too, so nothing here can make a real shop's
contract verify.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from app.warranty.contract import key_id, public_key_to_b64, sign_payload
from app.warranty.coverage import add_months

DEMO_PACKAGE = "PMV-GOLD-PRO"
# The demo vendor's identity, signed into the demo contract the way ``pmv-vendor issue-contract`` signs the
# real vendor's from its config.  Made up: the tax code has the legal shape (and even a plausible check digit)
# but the company is fictitious, and the name says so.
DEMO_VENDOR = {
    "name": "Công ty TNHH Phần Mềm Vàng (demo)",
    "address": "Tầng 5, Tòa nhà PMV, 123 Nguyễn Thị Minh Khai, Phường Bến Thành, Thành phố Hồ Chí Minh",
    "tax_code": "0399999999",
    "hotline": "1900 6037",
}


def demo_contract_number(shop_id: str) -> str:
    """The number ``pmv-vendor issue-contract`` gives a shop's first contract."""
    return f"HD-{shop_id}-001"


def demo_key(folder: Path) -> Ed25519PrivateKey:
    path = folder / "demo-vendor-contract.key"
    if path.exists():
        key = load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return key


def ensure_demo_contract(folder: Path, shop_id: str, shop_name: str, today: dt.date) -> tuple[Path, Path]:
    """Writes the demo vendor's public key file and a signed contract; returns (keys file, contract file).

    The demo shop went live 14 months ago on a 12-month warranty and renewed
    maintenance straight after, so it shows a priority customer with a
    timeline of warranty then maintenance.
    """
    key = demo_key(folder)
    keys_file = folder / "demo_vendor_keys.json"
    public = key.public_key()
    keys_file.write_text(json.dumps({"contract": {key_id(public): public_key_to_b64(public)}}), encoding="utf-8")
    accepted = add_months(today, -14)
    warranty_end = add_months(accepted, 12)
    start = warranty_end + dt.timedelta(days=1)
    payload = {
        "contract_number": demo_contract_number(shop_id),
        "vendor": DEMO_VENDOR,
        "shop_id": shop_id,
        "shop_name": shop_name,
        "package": {"code": DEMO_PACKAGE, "warranty_months": 12},
        "accepted_on": accepted.isoformat(),
        "maintenance": [
            {"start": start.isoformat(), "end": (add_months(start, 12) - dt.timedelta(days=1)).isoformat(),
             "tier": "Bảo trì tiêu chuẩn"},
        ],
        "issued_at": dt.datetime.combine(start, dt.time(9, 0), tzinfo=dt.UTC).isoformat(),
    }
    contract_file = folder / "contract.json"
    contract_file.write_text(json.dumps(sign_payload(payload, key), ensure_ascii=False, indent=2), encoding="utf-8")
    return keys_file, contract_file
