"""The shop's poll once every ticket has a conversation: 5,000 shops, 50,000 tickets, 10 messages each.

Issue 21 asks that the poll of a shop with nothing new answer in the same
time as before conversations existed (ratio <= 1.2 in one run), on SQLite
and PostgreSQL.  One database per engine is measured twice by the shipped
server (``pmv-vendor serve`` on 127.0.0.1):

1. *before*: 5,000 shops with 10 tickets each (50,000), no timeline at all,
   which is the vendor database as it was before issue 21;
2. *after*: the same database with 10 message events per ticket (500,000)
   and a flow row per ticket, added in bulk.

Each figure is the median time of one ``GET /api/v1/tickets?updated_since=``
answered to one client, over 300 polls of random shops whose tickets all
changed before ``updated_since`` (the every-2-minutes poll that finds
nothing).  Beside it, informative: the poll of a shop whose ticket has just
received 10 messages, which carries them.

The rows are written with SQLAlchemy Core ``executemany`` (multi-row VALUES
on PostgreSQL), not through the API: 500,000 HTTP calls would measure the
seeding, not the poll.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import requests  # noqa: E402

from tests.bench.common import Row, VendorProcess, median  # noqa: E402

SHOPS = 5000
TICKETS_PER_SHOP = 10
MESSAGES_PER_TICKET = 10
POLLS = 300
BUDGET = 1.2
# Everything seeded happened before this; the polls ask for what changed after it.
SEEDED_BEFORE = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
POLL_SINCE = SEEDED_BEFORE + dt.timedelta(hours=1)


def _seed_tickets(db_url: str) -> list[tuple[str, list[int]]]:
    """5,000 shops with 10 tickets each; returns each shop's token and ticket ids."""
    from sqlalchemy import insert, select

    from vendor_server.db import Shop, Ticket, VendorDatabase, hash_token, new_token

    db = VendorDatabase(db_url)
    tokens = [new_token() for _ in range(SHOPS)]
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(Shop), [
                {"shop_id": f"BENCH-{index:05d}", "name": f"Tiệm vàng {index}", "token_hash": hash_token(token),
                 "created_at": SEEDED_BEFORE} for index, token in enumerate(tokens)])
            shop_pks = dict(connection.execute(select(Shop.shop_id, Shop.id)).all())
            rows = []
            for index in range(SHOPS):
                for number in range(TICKETS_PER_SHOP):
                    at = SEEDED_BEFORE - dt.timedelta(days=number + 1, minutes=index % 600)
                    rows.append({
                        "shop_pk": shop_pks[f"BENCH-{index:05d}"], "idempotency_key": str(uuid.uuid4()),
                        "number": f"PMV-B{index:05d}-{number:02d}", "category": "incident", "severity": "normal",
                        "title": "Máy in tem không in", "description": "In tem ra giấy trắng",
                        "contact_name": "Chị Lan", "contact_phone": "+84903112233", "channel": "remote",
                        "app_version": "1.0.0", "coverage": "warranty", "opened_at": at,
                        "response_due_at": at + dt.timedelta(hours=4), "status": "in_progress",
                        "created_at": at, "updated_at": at + dt.timedelta(hours=2)})
            connection.execute(insert(Ticket), rows)
            owned: dict[int, list[int]] = {}
            for ticket_id, shop_pk in connection.execute(select(Ticket.id, Ticket.shop_pk)):
                owned.setdefault(shop_pk, []).append(ticket_id)
    finally:
        db.engine.dispose()
    return [(token, owned[shop_pks[f"BENCH-{index:05d}"]]) for index, token in enumerate(tokens)]


def _seed_conversations(db_url: str) -> None:
    """10 message events and a flow row for every ticket, all recorded before the polls' moment."""
    from sqlalchemy import insert, select

    from vendor_server.db import Ticket, VendorDatabase
    from vendor_server.thread_tables import TicketEventRow, TicketFlow

    db = VendorDatabase(db_url)
    try:
        with db.engine.begin() as connection:
            tickets = connection.execute(select(Ticket.id, Ticket.opened_at)).all()
            connection.execute(insert(TicketFlow), [
                {"ticket_id": ticket_id, "ever_resolved": False, "rated": False} for ticket_id, _ in tickets])
            batch: list[dict[str, object]] = []
            for ticket_id, opened_at in tickets:
                for step in range(MESSAGES_PER_TICKET):
                    at = opened_at + dt.timedelta(minutes=5 * (step + 1))
                    shop_side = step % 2 == 0
                    batch.append({
                        "ticket_id": ticket_id, "kind": "message", "author": "shop" if shop_side else "vendor",
                        "author_name": "Chị Lan" if shop_side else "Anh Minh (PMV)",
                        "client_id": str(uuid.uuid4()) if shop_side else None, "at": at, "recorded_at": at,
                        "text": f"Tin nhắn {step + 1}: máy in vẫn ra giấy trắng sau khi thay ribbon", "data": None})
                if len(batch) >= 50_000:
                    connection.execute(insert(TicketEventRow), batch)
                    batch = []
            if batch:
                connection.execute(insert(TicketEventRow), batch)
    finally:
        db.engine.dispose()


def _add_fresh_messages(db_url: str, ticket_id: int) -> None:
    """The informative case: one ticket just received 10 messages (as the server's add_event stamps them)."""
    from sqlalchemy import insert, update

    from vendor_server.db import Ticket, VendorDatabase
    from vendor_server.thread_tables import TicketEventRow

    now = POLL_SINCE + dt.timedelta(minutes=30)
    db = VendorDatabase(db_url)
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(TicketEventRow), [
                {"ticket_id": ticket_id, "kind": "message", "author": "vendor", "author_name": "Anh Minh (PMV)",
                 "client_id": None, "at": now, "recorded_at": now, "text": f"Bước {step + 1}", "data": None}
                for step in range(MESSAGES_PER_TICKET)])
            connection.execute(update(Ticket).where(Ticket.id == ticket_id).values(updated_at=now))
    finally:
        db.engine.dispose()


def _poll_times(base_url: str, tokens: list[str], polls: int) -> list[float]:
    """Seconds per poll, one client, random shops (seeded: both phases poll the same shops)."""
    picker = random.Random(21)
    since = POLL_SINCE.isoformat()
    times = []
    with requests.Session() as session:
        for _ in range(polls):
            token = picker.choice(tokens)
            started = time.perf_counter()
            response = session.get(f"{base_url}/api/v1/tickets", params={"updated_since": since},
                                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"poll answered {response.status_code}: {response.text[:200]}")
    return times


def _phase(data: Path, db_url: str, tokens: list[str], runs: int, polls: int) -> float:
    """Median seconds per nothing-new poll against a freshly started server."""
    with VendorProcess(data, db_url) as vendor:
        _poll_times(vendor.base_url, tokens, 50)  # warm-up: connections, the OS file cache, query plans
        return median(median(_poll_times(vendor.base_url, tokens, polls)) for _ in range(runs))


def _measure(label: str, db_url: str, data: Path, runs: int, polls: int) -> list[Row]:
    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    shops = _seed_tickets(db_url)
    tokens = [token for token, _ in shops]
    before = _phase(data, db_url, tokens, runs, polls)
    _seed_conversations(db_url)
    seeded = time.perf_counter() - started
    after = _phase(data, db_url, tokens, runs, polls)
    busy_token, busy_tickets = shops[0]
    _add_fresh_messages(db_url, busy_tickets[0])
    with VendorProcess(data, db_url) as vendor:
        _poll_times(vendor.base_url, [busy_token], 20)
        busy = median(_poll_times(vendor.base_url, [busy_token], polls // 3))
        feed = requests.get(f"{vendor.base_url}/api/v1/tickets", params={"updated_since": POLL_SINCE.isoformat()},
                            headers={"Authorization": f"Bearer {busy_token}"}, timeout=30).json()
    carried = sum(len(item["events"]) for item in feed["tickets"])
    if carried != MESSAGES_PER_TICKET:
        raise RuntimeError(f"the busy shop's poll carried {carried} events, not {MESSAGES_PER_TICKET}")
    ratio = after / before
    scale = f"{SHOPS:,} shops, {SHOPS * TICKETS_PER_SHOP:,} tickets"
    return [
        Row(f"thread poll {label}: nothing new, {MESSAGES_PER_TICKET} messages/ticket ({scale}; seeded in "
            f"{seeded:.0f} s)", f"{after * 1000:.2f} ms", f"{before * 1000:.2f} ms without messages",
            f"{ratio:.2f}x", f"<= {BUDGET}x", ratio <= BUDGET),
        Row(f"thread poll {label}: one ticket with {MESSAGES_PER_TICKET} new messages (informative)",
            f"{busy * 1000:.2f} ms", f"{after * 1000:.2f} ms nothing new", f"{busy / after:.2f}x"),
    ]


def bench_thread_poll(runs: int, quick: bool = False, postgres: bool = False) -> list[Row]:
    from tests.bench.vendor_load import on_each_database

    polls = POLLS // 3 if quick else POLLS
    return on_each_database(lambda label, db_url, data: _measure(label, db_url, data, runs, polls), postgres)


if __name__ == "__main__":
    from tests.bench.common import part_arguments, print_table

    parser = part_arguments(__doc__)
    args = parser.parse_args()
    print_table(bench_thread_poll(args.runs, args.quick, args.postgres))
