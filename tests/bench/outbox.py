"""Outbox: delivering 1,000 queued support requests to the real vendor server on 127.0.0.1.

1. ``Outbox.deliver()`` (the app's own, with its ``VendorClient``) empties a
   shop database holding 1,000 pending requests into ``pmv-vendor serve``
   (uvicorn, SQLite).  Baseline: the same 1,000 bodies POSTed by a bare
   ``requests.Session`` to the same server.
2. The same through a proxy (``tests/integration/fault_proxy.py``) that
   forwards every request, so the server commits, and then answers 500 to
   every other ticket POST; the outbox retries (``deliver(ignore_backoff=
   True)`` until nothing is pending).  Baseline: the same proxy passing
   everything (it closes each connection, so it costs on its own).

Budget for both: exactly 1,000 tickets on the server, one per request
(Idempotency-Key), and every request marked received.  Times are medians of
``runs`` runs, each with a new shop.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import requests  # noqa: E402

from tests.bench.common import Row, VendorProcess, median  # noqa: E402

MAX_PASSES = 60


def _ticket_count(db_url: str, shop_id: str) -> int:
    from sqlalchemy import func, select

    from vendor_server.db import Shop, Ticket, VendorDatabase

    db = VendorDatabase(db_url)
    try:
        with db.sessions() as session:
            return session.scalar(select(func.count()).select_from(Ticket).join(Shop, Ticket.shop_pk == Shop.id)
                                  .where(Shop.shop_id == shop_id))
    finally:
        db.engine.dispose()


def _new_request():  # type: ignore[no-untyped-def]
    from app.support.models import Category, Channel, NewRequest, Severity

    return NewRequest(Category.INCIDENT, Severity.HIGH, "Máy quét ra chữ lạ", "Quét tem PMV9999 ra ký tự lạ",
                      "Chị Lan", "+84903112233", Channel.REMOTE)


def _deliver_all(folder: Path, base_url: str, token: str, count: int) -> tuple[float, int, int]:
    """Queue ``count`` requests in a new shop database, deliver them all; (seconds, passes, still pending)."""
    from app.storage.db import Database
    from app.storage.support_requests import SupportRepository
    from app.support.models import RequestStatus
    from app.support.outbox import Outbox
    from app.support.vendor_api import VendorClient

    db, _notices = Database.open(folder / "app.sqlite3")
    try:
        repo = SupportRepository(db, folder / "outbox")
        new = _new_request()
        for _ in range(count):
            repo.create(new, coverage="warranty", response_due_at=None)
        outbox = Outbox(repo, lambda: VendorClient(base_url, token, timeout=10))
        started, passes = time.perf_counter(), 0
        while repo.pending_count() and passes < MAX_PASSES:
            outbox.deliver(ignore_backoff=passes > 0)
            passes += 1
        seconds = time.perf_counter() - started
        received = sum(1 for r in repo.all(limit=count + 1) if r.status is RequestStatus.RECEIVED and r.ticket_number)
        return seconds, passes, count - received
    finally:
        db.close()


def _plain_posts(base_url: str, token: str, count: int) -> float:
    from app import __version__

    new = _new_request()
    body = {"category": new.category.value, "severity": new.severity.value, "title": new.title,
            "description": new.description, "contact_name": new.contact_name, "contact_phone": new.contact_phone,
            "channel": new.channel.value, "opened_at": "2026-03-02T10:00:00+07:00", "app_version": __version__}
    session = requests.Session()
    started = time.perf_counter()
    for _ in range(count):
        response = session.post(f"{base_url}/api/v1/tickets", json=body, timeout=10,
                                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        response.raise_for_status()
    return time.perf_counter() - started


def bench_outbox(runs: int, quick: bool = False, count: int | None = None) -> list[Row]:
    from tests.integration.fault_proxy import ERROR_500_AFTER_COMMIT, PASS, FaultProxy

    count = count or (200 if quick else 1000)
    logging.getLogger("app.support.outbox").setLevel(logging.ERROR)  # one warning per injected 500
    times: dict[str, list[float]] = {"direct": [], "plain": [], "faulty": [], "proxy": []}
    passes: list[int] = []
    exact = {"direct": True, "faulty": True}
    with tempfile.TemporaryDirectory() as tmp_name, VendorProcess(Path(tmp_name) / "vendor") as vendor:
        tmp = Path(tmp_name)
        for run in range(runs):
            for kind in ("plain", "direct", "proxy", "faulty"):
                shop_id = f"BENCH-{kind}-{run}"
                token = vendor.add_shop(shop_id, shop_id)
                if kind == "plain":
                    times[kind].append(_plain_posts(vendor.base_url, token, count))
                    continue
                proxy = FaultProxy(vendor.port) if kind in ("proxy", "faulty") else None
                if proxy is not None and kind == "faulty":
                    proxy.on("POST", "/api/v1/tickets", *[ERROR_500_AFTER_COMMIT, PASS] * (2 * count))
                try:
                    seconds, rounds, pending = _deliver_all(tmp / shop_id, proxy.base_url if proxy else
                                                            vendor.base_url, token, count)
                finally:
                    if proxy is not None:
                        proxy.close()
                times[kind].append(seconds)
                tickets = _ticket_count(vendor.db_url, shop_id)
                if kind in exact:
                    exact[kind] = exact[kind] and tickets == count and pending == 0
                if kind == "faulty":
                    passes.append(rounds)
                if tickets != count or pending:
                    print(f"outbox {kind} run {run}: {tickets} tickets for {count} requests, {pending} not received",
                          file=sys.stderr)
    direct, plain = median(times["direct"]), median(times["plain"])
    faulty, proxied = median(times["faulty"]), median(times["proxy"])
    return [
        Row(f"outbox: {count:,} requests delivered ({count / direct:.0f}/s)", f"{direct:.2f} s",
            f"{plain:.2f} s plain POSTs", f"{direct / plain:.2f}x", f"exactly {count:,} tickets", exact["direct"]),
        Row(f"outbox: same, 500 after commit on every 2nd POST ({median(passes):.0f} passes)", f"{faulty:.2f} s",
            f"{proxied:.2f} s via proxy", f"{faulty / proxied:.2f}x", f"exactly {count:,} tickets", exact["faulty"]),
    ]


if __name__ == "__main__":
    from tests.bench.common import print_table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    print_table(bench_outbox(args.runs, args.quick, args.count))
