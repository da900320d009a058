"""``--demo``: the embedded vendor server, the demo vendor's signed contract and a few sample requests.

Demo mode trusts one extra key, generated in the demo folder, and keeps its
contract in the demo folder too, so nothing here can make a real shop's
contract verify.

The only module of the shop client that reaches into ``vendor_server`` (an
import-linter exception), and only in demo mode.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from app import HOTLINE
from app.storage.support_requests import SupportRepository
from app.support.models import Category, Channel, NewRequest, Severity
from app.support.outbox import Outbox, poll_updates
from app.support.service import raise_request
from pmv_protocol.coverage import add_months
from pmv_protocol.keys import key_id, public_key_to_b64
from vendor_server.signing import sign_payload

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger(__name__)

SEEDED_KEY = "demo.requests_seeded"
DEMO_CALENDAR_YEARS = (2026, 2027)  # resources/calendar/vendor-calendar-<year>.json


def start_demo_vendor(runtime: Runtime) -> Any:
    """Start the vendor server, register the demo shop, publish its contract; returns the server."""
    from vendor_server.embedded import EmbeddedVendor  # only ever in demo mode

    vendor = EmbeddedVendor(runtime.paths.data_dir / "demo-vendor")
    vendor.start()
    shop = runtime.settings.shop
    token = vendor.shop_token(shop.shop_id, shop.name)
    vendor.publish_contract(shop.shop_id,
                            (runtime.paths.demo_shop_dir / "contract.json").read_text(encoding="utf-8"))
    runtime.token_store.set(token)
    _publish_demo_pack(runtime, vendor)
    runtime.loaded.settings = runtime.settings.model_copy(
        update={"vendor": runtime.settings.vendor.model_copy(update={"base_url": vendor.base_url})})
    return vendor


def _publish_demo_pack(runtime: Runtime, vendor: Any) -> None:
    """Decree 232/2025 as a signed pack, and the demo root the demo (only) trusts."""
    import json

    from app.infra.resources import resources_dir

    pack_file = resources_dir() / "regulation" / "nd-232-2025.json"
    pack = json.loads(pack_file.read_text(encoding="utf-8"))
    root = vendor.publish_pack(pack_file, version=pack["version"], title_vi=pack["title_vi"],
                               summary_vi=pack["summary_vi"], effective_date=pack["effective_date"],
                               target_id=pack["id"])
    for year in DEMO_CALENDAR_YEARS:  # the vendor's working calendars, installed by the demo's update run
        vendor.publish_calendar(resources_dir() / "calendar" / f"vendor-calendar-{year}.json")
    (runtime.paths.demo_shop_dir / "tuf-root.json").write_bytes(root)


def seed_demo_requests(runtime: Runtime, vendor: Any) -> None:
    """Two sample requests the first time: one answered and resolved, one being worked on."""
    if runtime.state.get(SEEDED_KEY):
        return
    now = runtime.clock()
    contract = runtime.contract_service().current()
    calendar = runtime.working_calendar()
    samples = [
        (NewRequest(Category.BARCODE_DEVICE, Severity.HIGH, "Máy in tem in mờ, máy quét không đọc được tem",
                    "Từ chiều qua tem in ra bị mờ nửa bên phải.", "Chị Lan", "+84903112233", Channel.REMOTE),
         now - dt.timedelta(days=2), "resolved", "remote",
         "Đã truy cập từ xa: tăng nhiệt độ đầu in lên 12 và vệ sinh đầu in bằng cồn. Tem in rõ, quét được."),
        (NewRequest(Category.REGULATION_UPDATE, Severity.NORMAL, "Hỏi về giới hạn thanh toán tiền mặt 20 triệu",
                    "Khách mua 2 lần trong ngày tổng hơn 20 triệu thì có phải chuyển khoản không?", "Anh Tâm",
                    "+84918223344", Channel.PHONE),
         now - dt.timedelta(hours=1), "in_progress", None, None),
    ]
    created = []
    for new, opened_at, status, kind, solution in samples:
        # Each sample keeps its own moments (saved when it was opened, sent a minute later), so its page never
        # shows "sent at 20:52" beside "saved on this PC at 21:52", the time the demo happened to seed it.
        request = raise_request(_repository_at(runtime, opened_at), new, contract=contract, calendar=calendar,
                                opened_at=opened_at)
        sent_at = opened_at + dt.timedelta(minutes=1)
        Outbox(_repository_at(runtime, sent_at), runtime.vendor_client,
               clock=_fixed(sent_at)).deliver(ignore_backoff=True)
        created.append((request, status, kind, solution))
    for request, status, kind, solution in created:
        stored = runtime.support.get(request.id)
        if stored is not None and stored.ticket_number:
            # The vendor's steps at the sample's own moments (an hour, then three, after it was opened), so
            # its history reads in the demo's time, not the real clock's.
            opened = request.opened_at
            if status == "resolved":
                vendor.move_ticket(stored.ticket_number, "solution_proposed", kind, solution,
                                   now=opened + dt.timedelta(hours=1))
            vendor.move_ticket(stored.ticket_number, status, kind, solution,
                               now=opened + dt.timedelta(hours=3 if status == "resolved" else 0, minutes=20))
    poll_updates(runtime.support, runtime.vendor_client(), runtime.state)
    runtime.state.set(SEEDED_KEY, True)


def _fixed(moment: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock stopped at ``moment``."""
    return lambda: moment


def _repository_at(runtime: Runtime, moment: dt.datetime) -> SupportRepository:
    """The app's support requests, written as if at ``moment`` (a sample's past)."""
    return SupportRepository(runtime.database, runtime.paths.data_dir / "outbox", clock=_fixed(moment))


# --------------------------------------------------------------------------- the demo vendor's contract

DEMO_PACKAGE = "PMV-GOLD-PRO"
# The demo vendor's identity, signed into the demo contract the way ``pmv-vendor issue-contract`` signs the
# real vendor's from its config.  Made up: the tax code has the legal shape (and even a plausible check digit)
# but the company is fictitious, and the name says so.
DEMO_VENDOR = {
    "name": "Công ty TNHH Phần Mềm Vàng (demo)",
    "address": "Tầng 5, Tòa nhà PMV, 123 Nguyễn Thị Minh Khai, Phường Bến Thành, Thành phố Hồ Chí Minh",
    "tax_code": "0399999999",
    "hotline": f"{HOTLINE}",
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
