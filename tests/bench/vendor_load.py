"""Vendor server throughput with 5,000 shops: requests per second, SQLite and (``--postgres``) PostgreSQL.

(Named vendor_load, not vendor_server: a ``tests/bench/vendor_server.py``
would shadow the ``vendor_server`` package for every script run from here.)

``pmv-vendor serve`` (one uvicorn process, as shipped) on 127.0.0.1 with
5,000 shops (tokens hashed into the vendor database in one transaction) is
driven by a bounded pool of client threads (default 8, one
``requests.Session`` each, a random shop's token per request) for a fixed
time per figure:

- tickets: ``POST /api/v1/tickets`` with a new Idempotency-Key each;
- polls: ``GET /api/v1/tickets?updated_since=...`` (every shop's 2-minute poll);
- TUF metadata: ``GET /tuf/metadata/`` ``timestamp.json``, ``1.snapshot.json``,
  ``1.targets.json`` and the absent next root ``2.root.json`` (404): the
  files one client refresh asks for (consistent snapshots).

Baseline: ``GET /healthz`` (uvicorn + FastAPI, no database) the same way.
Budgets are what 5,000 shops need by the app's own schedule: polls every
2 min -> 42/s; TUF at opening time (first update run 20-120 s after start,
4 files) -> 200/s; tickets: 5,000 outboxes retrying after an outage inside
the 15-minute backoff cap -> 6/s.  The client threads share the machine
with the server, so the figures are a floor.

PostgreSQL: ``--postgres`` makes a throw-away cluster (initdb as the
``postgres`` user, trust auth, 127.0.0.1 and a socket in the temp dir),
runs the same figures with ``postgresql+psycopg://`` (``pip install -e
".[bench]"``), then stops and deletes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import requests  # noqa: E402

from tests.bench.common import Row, VendorProcess, free_port, median, run_clients  # noqa: E402

SHOPS = 5000
THREADS = 8
NEEDS = {"tickets": 6.0, "polls": 42.0, "tuf": 200.0}
TUF_FILES = ("timestamp.json", "1.snapshot.json", "1.targets.json", "2.root.json")  # what a refresh asks for


def _add_shops(db_url: str, count: int) -> list[str]:
    from vendor_server.db import Shop, VendorDatabase, hash_token, new_token

    tokens = [new_token() for _ in range(count)]
    now = dt.datetime.now(dt.UTC)
    db = VendorDatabase(db_url)
    try:
        with db.sessions.begin() as session:
            session.add_all(Shop(shop_id=f"BENCH-{index:05d}", name=f"Tiệm vàng {index}", token_hash=hash_token(t),
                                 created_at=now) for index, t in enumerate(tokens))
    finally:
        db.engine.dispose()
    return tokens


def _hammer(seconds: float, threads: int, call: Callable[[requests.Session], int]) -> tuple[float, int]:
    """Requests per second over ``seconds`` with ``threads`` clients; and how many answers were unexpected."""
    counts, errors = [0] * threads, [0] * threads

    def worker(index: int, stop: threading.Event) -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                ok = call(session)
            except requests.RequestException:
                ok = False
            counts[index] += 1
            errors[index] += 0 if ok else 1

    elapsed = run_clients(seconds, threads, worker, daemon=True, join_timeout=30)
    return sum(counts) / elapsed, sum(errors)


def _calls(base: str, tokens: list[str]) -> dict[str, Callable[[requests.Session], bool]]:
    from app import __version__

    body = {"category": "incident", "severity": "high", "title": "Máy quét ra chữ lạ",
            "description": "Quét tem PMV9999 ra ký tự lạ", "contact_name": "Chị Lan", "contact_phone": "+84903112233",
            "channel": "remote", "opened_at": dt.datetime.now(dt.UTC).isoformat(), "app_version": __version__}
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()

    def auth() -> dict[str, str]:
        return {"Authorization": f"Bearer {random.choice(tokens)}"}

    def healthz(session: requests.Session) -> bool:
        return session.get(f"{base}/healthz", timeout=30).status_code == 200

    def ticket(session: requests.Session) -> bool:
        response = session.post(f"{base}/api/v1/tickets", json=body, timeout=30,
                                headers={**auth(), "Idempotency-Key": str(uuid.uuid4())})
        return response.status_code == 201

    def poll(session: requests.Session) -> bool:
        return session.get(f"{base}/api/v1/tickets", params={"updated_since": since}, headers=auth(),
                           timeout=30).status_code == 200

    def tuf(session: requests.Session) -> bool:
        name = random.choice(TUF_FILES)
        status = session.get(f"{base}/tuf/metadata/{name}", headers=auth(), timeout=30).status_code
        return status == (404 if name == "2.root.json" else 200)

    return {"healthz": healthz, "tickets": ticket, "polls": poll, "tuf": tuf}


def _measure(db_label: str, db_url: str, data: Path, runs: int, seconds: float, threads: int) -> list[Row]:
    from vendor_server import tuf_repo

    tuf_repo.init_repo(data / "tuf", data / "tuf-keys")
    with VendorProcess(data, db_url) as vendor:  # creates the tables
        tokens = _add_shops(db_url, SHOPS)
        calls = _calls(vendor.base_url, tokens)
        rates: dict[str, list[float]] = {name: [] for name in calls}
        failures: dict[str, int] = dict.fromkeys(calls, 0)
        for _name, call in calls.items():  # warm-up: connections, caches, first queries
            _hammer(0.5, threads, call)
        for _ in range(runs):
            for name, call in calls.items():
                rate, errors = _hammer(seconds, threads, call)
                rates[name].append(rate)
                failures[name] += errors
    base = median(rates["healthz"])
    rows = []
    labels = {"tickets": "POST ticket", "polls": "GET tickets poll", "tuf": "GET TUF metadata"}
    for name, label in labels.items():
        rate = median(rates[name])
        bad = f", {failures[name]} failed" if failures[name] else ""
        rows.append(Row(f"vendor {db_label}: {label} ({SHOPS:,} shops, {threads} clients{bad})", f"{rate:.0f}/s",
                        f"{base:.0f}/s healthz", f"{rate / base:.2f}x", f">= {NEEDS[name]:.0f}/s",
                        rate >= NEEDS[name] and not failures[name]))
    return rows


@contextlib.contextmanager
def postgres_cluster(tmp: Path) -> Iterator[str]:
    """A throw-away PostgreSQL cluster on 127.0.0.1; yields its SQLAlchemy URL; stopped and deleted after."""
    bindir = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
    initdb = shutil.which("initdb") or (str(bindir / "initdb") if bindir else None)
    pg_ctl = shutil.which("pg_ctl") or (str(bindir / "pg_ctl") if bindir else None)
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL is not installed (apt-get install -y postgresql)")
    folder = tmp / "pg"
    folder.mkdir()
    data, sockets = folder / "data", folder / "sock"
    sockets.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
        tmp.chmod(0o755)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*as_postgres, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "pg.log"), "-w",
                    "start"], check=True, capture_output=True)
    try:
        createdb = str(Path(pg_ctl).resolve().with_name("createdb"))
        subprocess.run([*as_postgres, createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "vendor"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/vendor"
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def on_each_database(measure: Callable[[str, str, Path], list[Row]], postgres: bool) -> list[Row]:
    """``measure(label, db_url, data_folder)`` on a throw-away SQLite database, then (``postgres``) on a cluster's."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows += measure("SQLite", f"sqlite:///{tmp / 'sqlite' / 'vendor.sqlite3'}", tmp / "sqlite")
        if postgres:
            with postgres_cluster(tmp) as url:
                rows += measure("PostgreSQL", url, tmp / "postgres")
    return rows


def bench_vendor(runs: int, quick: bool = False, postgres: bool = False, threads: int = THREADS) -> list[Row]:
    seconds = 1.5 if quick else 3.0
    return on_each_database(lambda label, db_url, data: _measure(label, db_url, data, runs, seconds, threads),
                            postgres)


if __name__ == "__main__":
    from tests.bench.common import part_arguments, print_table

    parser = part_arguments(__doc__)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args()
    print_table(bench_vendor(args.runs, args.quick, args.postgres, args.threads))
