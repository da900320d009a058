"""``--demo``: the embedded vendor server and a few sample requests.

The only module of the shop client that reaches into ``vendor_server`` (an
import-linter exception), and only in demo mode.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from app.storage.support_requests import SupportRepository
from app.support.models import Category, Channel, NewRequest, Severity
from app.support.outbox import Outbox, poll_updates
from app.support.service import raise_request

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

    from app.resources import resources_dir

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
        Outbox(_repository_at(runtime, sent_at), runtime.vendor_client, clock=lambda at=sent_at: at).deliver(
            ignore_backoff=True)
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


def _repository_at(runtime: Runtime, moment: dt.datetime) -> SupportRepository:
    """The app's support requests, written as if at ``moment`` (a sample's past)."""
    return SupportRepository(runtime.database, runtime.paths.data_dir / "outbox", clock=lambda: moment)
