"""``--demo``: the embedded vendor server, the demo vendor's signed contract and sample requests with their
conversations.

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
from app.shop.demo_support import (
    STAFF,
    TECHNICIAN,
    VISIT_HOURS,
    ScriptStep,
    Step,
    sample_requests,
    visit_day,
    write_sample_files,
)
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.conversation import ActInvalid, ActRefused, ConversationService
from app.support.models import NewRequest
from app.support.outbox import POLL_STATE_KEY, Outbox, poll_updates
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

    folder = runtime.paths.data_dir / "demo-vendor"
    # On the demo's clock, so the server stamps the shop's acts in the demo's time, as the samples' own steps.
    vendor = EmbeddedVendor(folder, clock=runtime.clock)
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
    """The sample requests the first time (:mod:`app.shop.demo_support`): one resolved and not rated yet, one
    with a whole conversation and a confirmed on-site visit, one whose proposed solution waits for the shop.

    Each sample keeps its own moments, in the demo clock's past: saved when it was opened, sent a minute later,
    and each step of its script at its own time, so its page never shows "sent at 20:52" beside "saved on this
    PC at 21:52", the time the demo happened to seed it.  The vendor's steps go through the embedded server,
    the shop's through the app's own conversation service and outbox, as a cashier's would.
    """
    if runtime.state.get(SEEDED_KEY):
        return
    now = runtime.clock()
    contract = runtime.contract_service().current()
    calendar = runtime.working_calendar()
    files = write_sample_files(runtime.paths.data_dir / "demo-vendor" / "samples")
    for sample in sample_requests(now):
        new = NewRequest(sample.category, sample.severity, sample.title, sample.description, sample.contact_name,
                         sample.contact_phone, sample.channel)
        request = raise_request(_repository_at(runtime, sample.opened_at), new, contract=contract,
                                calendar=calendar, opened_at=sample.opened_at)
        sent_at = sample.opened_at + dt.timedelta(minutes=1)
        Outbox(_repository_at(runtime, sent_at), runtime.vendor_client,
               clock=_fixed(sent_at)).deliver(ignore_backoff=True)
        stored = runtime.support.get(request.id)
        if stored is None or not stored.ticket_number:
            log.warning("demo request %s was not delivered; its conversation is left out", request.id)
            continue
        for step in sample.script:
            _play(runtime, vendor, stored.id, stored.ticket_number, step, sample.opened_at + step.after, files)
    _poll_all(runtime)
    runtime.state.set(SEEDED_KEY, True)


def _play(runtime: Runtime, vendor: Any, request_id: str, number: str, step: ScriptStep, at: dt.datetime,
          files: Path) -> None:
    """One step of a sample's script at its moment ``at``."""
    paths = [files / name for name in step.files]
    kind = step.kind.value if step.kind is not None else None
    if step.step is Step.VENDOR_PROPOSE:
        vendor.propose(number, STAFF, kind, step.text, now=at)
    elif step.step is Step.VENDOR_STATUS:
        vendor.move_ticket(number, step.text, now=at, staff=STAFF)
    elif step.step is Step.VENDOR_REPLY:
        vendor.reply(number, STAFF, step.text, tuple(paths), now=at)
    elif step.step is Step.VENDOR_VISIT:
        start, end = VISIT_HOURS
        vendor.propose_visit(number, STAFF, visit_day(runtime.clock()), start, end, TECHNICIAN, now=at)
    else:
        _shop_act(runtime, request_id, step, at, paths)


def _shop_act(runtime: Runtime, request_id: str, step: ScriptStep, at: dt.datetime, paths: list[Path]) -> None:
    """The cashier's act at ``at``, saved by the conversation service and delivered by the outbox, as live."""
    _poll_all(runtime)  # what the vendor did so far, so the act meets the state the cashier would see
    clock = _fixed(at)
    repo = _repository_at(runtime, at)
    service = ConversationService(repo, ThreadRepository(runtime.database, repo.outbox_dir, clock=clock),
                                  downloads_dir=runtime.paths.data_dir / "support-files",
                                  client_factory=runtime.vendor_client, clock=clock)
    request = runtime.support.get(request_id)
    name = request.contact_name if request is not None else "Thu ngân"
    if step.step is Step.SEEN:
        service.mark_read(request_id)
        service.mark_notified([entry.id for entry in service.unnotified() if entry.request_id == request_id])
        return
    try:
        if step.step is Step.SHOP_REPLY:
            service.reply(request_id, name, step.text, paths)
        elif step.step is Step.SHOP_REFUSE:
            service.decide(request_id, name, accept=False, reason=step.text)
        elif step.step is Step.SHOP_CONFIRM_VISIT:
            conversation = service.conversation(request_id)
            if conversation is None or conversation.visit is None:
                log.warning("demo request %s has no visit to confirm", request_id)
                return
            service.answer_visit(request_id, name, conversation.visit.id, confirm=True)
    except (ActRefused, ActInvalid) as exc:
        log.warning("demo act %s on %s refused: %s", step.step.value, request_id, exc)
        return
    Outbox(repo, runtime.vendor_client, clock=clock).deliver(ignore_backoff=True)


def _poll_all(runtime: Runtime) -> None:
    """The whole feed, not only what is new since the last poll: the samples' vendor steps carry the demo's
    moments while the server stamps the shop's acts with its own clock, so "since" would skip some."""
    runtime.state.set(POLL_STATE_KEY, None)
    poll_updates(runtime.support, runtime.vendor_client(), runtime.state)


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
