"""The staff console's queue page against the bare SQL query for its rows: 5,000 shops, 50,000 tickets.

The queue page (``GET /console/queue``) must cost little more than the one query that gives its rows
(``vendor_server.console.queue.queue_query``: tickets joined with their shop, assignee and newest answer,
running clocks first, then by deadline, 200 at most; a full page also counts what it leaves out): no query per
row (N+1), no per-row work that outweighs the database.  Budget: the page's server time at most 3x the bare
query's, on SQLite and PostgreSQL, measured in one run.

One database per engine, seeded with SQLAlchemy Core ``executemany`` (not through the API): 5,000 shops
with 10 tickets each, 20 % of them open (received, in progress, solution proposed, on-site visit booked)
and the rest resolved or closed; the open ones were opened over the last few days with a 2 or 4 hour
deadline, so most are past it and some are still running, and some have no deadline (expired coverage).
A few staff members hold about half of the open tickets (``console_assignments``).

The shipped server (``pmv-vendor serve --workers 2`` on 127.0.0.1, the real clock) serves the page to one
staff member signed in over HTTP (password, then the TOTP code).  Each figure is the median of the
page's ``Server-Timing: app;dur=`` (the server's own time for the request, from the middleware in
``vendor_server/console/web.py``) over N requests; the baseline is the median time of
``session.execute(queue_query(QueueFilter())).all()`` in this process on the same database, through a
fresh ``VendorDatabase`` (its own connection pool, warmed up), timed between the page requests so both
see the same machine.  The page's row count and its total HTTP time are printed beside it.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pyotp  # noqa: E402
import requests  # noqa: E402

from tests.bench.common import Row, VendorProcess, median  # noqa: E402

SHOPS = 5000
TICKETS_PER_SHOP = 10
OPEN_SHARE = 0.2
ASSIGNED_SHARE = 0.5  # of the open tickets
WORKERS = 2
REQUESTS = 30  # per run; --quick: QUICK_REQUESTS
QUICK_REQUESTS = 10
BUDGET = 3.0
PASSWORD = "mật-khẩu-đủ-dài-bench-1"
STAFF = [("bench.agent", "Nguyễn Thu Hà"), ("bench.lan", "Phạm Lan"), ("bench.minh", "Trần Minh"),
         ("bench.quang", "Lê Quang"), ("bench.vy", "Đỗ Vy")]
OPEN = [("received", 4), ("in_progress", 4), ("solution_proposed", 1), ("on_site_scheduled", 1)]
SEVERITY_HOURS = [("critical", 2), ("high", 4), ("normal", 4)]
TIMING = re.compile(r"app;dur=([0-9.]+)")


def _seed(db_url: str, now: dt.datetime) -> tuple[int, str]:
    """Shops, tickets, staff and assignments; returns the number of open tickets and the TOTP secret of the
    staff member who signs in."""
    from sqlalchemy import insert, select, text

    from vendor_server.console import accounts
    from vendor_server.console.tables import TicketAssignment
    from vendor_server.db import Shop, Ticket, VendorDatabase, hash_token, new_token

    picker = random.Random(42)
    db = VendorDatabase(db_url)
    try:
        staff_ids, secret = [], ""
        for login, name in STAFF:
            staff, totp = accounts.add_staff(db, login, name, accounts.Role.AGENT, PASSWORD, now=now)
            staff_ids.append(staff.id)
            secret = secret or totp
        with db.engine.begin() as connection:
            connection.execute(insert(Shop), [
                {"shop_id": f"BENCH-{index:05d}", "name": f"Tiệm vàng {index}", "token_hash": hash_token(new_token()),
                 "created_at": now - dt.timedelta(days=400)} for index in range(SHOPS)])
            shop_pks = dict(connection.execute(select(Shop.shop_id, Shop.id)).all())
            rows = []
            for index in range(SHOPS):
                for number in range(TICKETS_PER_SHOP):
                    is_open = picker.random() < OPEN_SHARE
                    severity, hours = picker.choice(SEVERITY_HOURS)
                    coverage = picker.choices(["warranty", "maintenance", "expired"], [6, 3, 1])[0]
                    if is_open:  # opened over the last 4 days: most past their deadline, some still running
                        status = picker.choices([s for s, _ in OPEN], [w for _, w in OPEN])[0]
                        opened = now - dt.timedelta(minutes=picker.uniform(0, 4 * 24 * 60))
                    else:
                        status = picker.choice(["resolved", "closed"])
                        opened = now - dt.timedelta(days=picker.uniform(4, 365))
                    due = None if coverage == "expired" else opened + dt.timedelta(hours=hours)
                    rows.append({
                        "shop_pk": shop_pks[f"BENCH-{index:05d}"], "idempotency_key": str(uuid.uuid4()),
                        "number": f"PMV-B{index:05d}-{number:02d}", "category": "incident", "severity": severity,
                        "title": "Máy in tem không in", "description": "In tem ra giấy trắng",
                        "contact_name": "Chị Lan", "contact_phone": "+84903112233", "channel": "remote",
                        "app_version": "1.0.0", "coverage": coverage, "opened_at": opened, "response_due_at": due,
                        "status": status, "created_at": opened, "updated_at": opened + dt.timedelta(minutes=30)})
            connection.execute(insert(Ticket), rows)
            open_ids = connection.execute(select(Ticket.id).where(Ticket.status.in_([s for s, _ in OPEN]))).scalars()
            open_ids = list(open_ids)
            assigned = picker.sample(open_ids, int(len(open_ids) * ASSIGNED_SHARE))
            connection.execute(insert(TicketAssignment), [
                {"ticket_id": ticket_id, "staff_id": picker.choice(staff_ids),
                 "assigned_at": now - dt.timedelta(minutes=picker.uniform(0, 600))} for ticket_id in assigned])
        if db.engine.dialect.name == "postgresql":  # what autovacuum would have done by the time staff look
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
    finally:
        db.engine.dispose()
    return len(open_ids), secret


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    if found is None:
        raise RuntimeError(f"no hidden field {name} in the page")
    return html.unescape(found.group(1))


def _sign_in(base_url: str, login: str, secret: str) -> requests.Session:
    """A browser signed in to the console (password, then the TOTP code of the real clock)."""
    browser = requests.Session()
    form = browser.get(f"{base_url}/console/signin", timeout=30)
    answer = browser.post(f"{base_url}/console/signin", data={
        "login": login, "password": PASSWORD, "pre": _hidden(form.text, "pre")}, timeout=30)
    if answer.status_code != 200 or not answer.url.endswith("/console/signin/code"):
        raise RuntimeError(f"password step answered {answer.status_code} at {answer.url}")
    done = browser.post(f"{base_url}/console/signin/code", data={
        "code": pyotp.TOTP(secret).now(), "csrf": _hidden(answer.text, "csrf")}, timeout=30)
    if done.status_code != 200 or not done.url.endswith("/console/queue"):
        raise RuntimeError(f"code step answered {done.status_code} at {done.url}")
    return browser


def _page(browser: requests.Session, base_url: str) -> tuple[float, float, int]:
    """Server seconds, total HTTP seconds and row count of one queue page."""
    started = time.perf_counter()
    response = browser.get(f"{base_url}/console/queue", timeout=60, allow_redirects=False)
    total = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"the queue page answered {response.status_code}: {response.text[:200]}")
    found = TIMING.search(response.headers.get("Server-Timing", ""))
    if found is None:
        raise RuntimeError("the queue page carries no Server-Timing app;dur")
    return float(found.group(1)) / 1000, total, response.text.count('data-number="')


def _bare(db: object) -> tuple[float, int]:
    """Seconds and row count of the page's query alone, as ``open_queue`` runs it (one session)."""
    from vendor_server.console.queue import QueueFilter, queue_query

    started = time.perf_counter()
    with db.sessions() as session:  # type: ignore[attr-defined]
        found = session.execute(queue_query(QueueFilter())).all()
    return time.perf_counter() - started, len(found)


def _measure(label: str, db_url: str, data: Path, runs: int, count: int) -> list[Row]:
    from vendor_server.db import VendorDatabase

    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    VendorDatabase(db_url).engine.dispose()  # the tables
    opened, secret = _seed(db_url, dt.datetime.now(dt.UTC))
    seeded = time.perf_counter() - started
    with VendorProcess(data, db_url, workers=WORKERS) as vendor:
        browser = _sign_in(vendor.base_url, STAFF[0][0], secret)
        db = VendorDatabase(db_url)
        try:
            # Warm-up: both workers' pools, templates and calendar; the OS file cache; query plans.
            for _ in range(max(count // 2, 2 * WORKERS)):
                _page(browser, vendor.base_url)
                _bare(db)
            server_runs, total_runs, bare_runs, shown, queried = [], [], [], set(), set()
            for _ in range(runs):
                server, total, bare = [], [], []
                for _ in range(count):  # interleaved, so a busy moment of the machine hits both alike
                    page_server, page_total, rows = _page(browser, vendor.base_url)
                    server.append(page_server)
                    total.append(page_total)
                    shown.add(rows)
                    bare_time, found = _bare(db)
                    bare.append(bare_time)
                    queried.add(found)
                server_runs.append(median(server))
                total_runs.append(median(total))
                bare_runs.append(median(bare))
        finally:
            browser.close()
            db.engine.dispose()
    if len(shown) != 1 or shown != queried:
        raise RuntimeError(f"the page showed {sorted(shown)} rows, the bare query found {sorted(queried)}")
    page, http, bare = median(server_runs), median(total_runs), median(bare_runs)
    ratio = page / bare
    scale = f"{SHOPS:,} shops, {SHOPS * TICKETS_PER_SHOP:,} tickets, {WORKERS} workers"
    return [
        Row(f"console queue {label}: page server time ({scale})", f"{page * 1000:.2f} ms",
            f"{bare * 1000:.2f} ms bare query", f"{ratio:.1f}x", f"<= {BUDGET:g}x", ratio <= BUDGET),
        Row(f"console queue {label}: {shown.pop()} rows of {opened:,} open tickets, total HTTP time "
            f"(seeded in {seeded:.0f} s; informative)", f"{http * 1000:.2f} ms", f"{page * 1000:.2f} ms server time",
            f"{http / page:.2f}x"),
    ]


def bench_console_queue(runs: int, quick: bool = False, postgres: bool = False) -> list[Row]:
    from tests.bench.vendor_load import on_each_database

    count = QUICK_REQUESTS if quick else REQUESTS
    return on_each_database(lambda label, db_url, data: _measure(label, db_url, data, runs, count), postgres)


if __name__ == "__main__":
    from tests.bench.common import part_arguments, print_table

    parser = part_arguments(__doc__)
    args = parser.parse_args()
    print_table(bench_console_queue(args.runs, args.quick, args.postgres))
