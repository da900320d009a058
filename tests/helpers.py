"""Helpers shared by several test packages."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import http.server
import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.health.context import CheckContext
from app.infra.settings import Settings, load_settings
from app.shop.demo import DemoShop
from app.storage.db import Database
from pmv_protocol.keys import key_id, public_key_to_b64
from vendor_server.signing import sign_payload

# --- signed contracts ---------------------------------------------------------------------------------------------

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


class MemoryStore:
    """A state store like StateRepository (JSON values under string keys), in memory: TechnicianUnlock's."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return json.loads(self.data[key]) if key in self.data else default

    def set(self, key: str, value: Any) -> None:
        self.data[key] = json.dumps(value)


# --- clocks ---------------------------------------------------------------------------------------------------------

class FixedClock:
    """A clock tests move by hand: ``clock()`` gives ``now``; ``advance(minutes=5)`` moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


# 09:00 on Wednesday 25/11/2026 in the shop (UTC+7): where the technician tests' clocks start.
TECHNICIAN_T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


# --- races ---------------------------------------------------------------------------------------------------------

def at_once(count: int, work: Callable[[int], object]) -> list[object]:
    """``work(0..count-1)`` in as many threads, released together; their results (an exception fails)."""
    start = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            results.append(work(index))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


# --- settings files and the app database -------------------------------------------------------------------------

# Lines 3 to 9 of a shop's settings file as the settings tests write it, below two lines of each test's own.
# [pos] database is on line 9, the line a test breaks (unclosed_quote_on_line_9).
SHOP_AND_POS_LINES = (
    "\n"  # 3
    "[shop]\n"  # 4
    'name = "Tiệm vàng Kim Phát"\n'  # 5
    "\n"  # 6
    "[pos]\n"  # 7
    'process_name = "PMV.exe"\n'  # 8
    'database = "pos/pmv.sqlite3"\n'  # 9
)
# 02:00 UTC on 3 December 2026 is 09:00 in the shop: a last good copy kept then is dated 03/12/2026.
KEPT_AT = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


def unclosed_quote_on_line_9(settings_text: str) -> str:
    """``settings_text`` with the closing quote of [pos] database lost: a TOML error on line 9."""
    return settings_text.replace('database = "pos/pmv.sqlite3"', 'database = "pos/pmv.sqlite3')


def database_at_revision(path: Path, revision: str, *statements: str) -> None:
    """An app database at ``path`` left at an older schema ``revision``, with ``statements`` (SQL) run on it
    afterwards: data an older app version wrote, or what a hand-made repair left behind."""
    old = Database(path)
    old.migrate(revision)
    assert old.current_revision() == revision
    old.close()
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)


# --- health checks on the demo shop --------------------------------------------------------------------------------

# 25/11/2026 10:00 in Hồ Chí Minh City: a Wednesday, inside trading hours, the
# demo shop's "today" (its price board was updated at 08:30 that morning).
SHOP_NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


def shop_settings_of(shop: DemoShop) -> Settings:
    """The settings a demo shop was made with; they must load without a problem."""
    loaded = load_settings(shop.settings_file)
    assert loaded.ok
    return loaded.settings


@contextlib.contextmanager
def check_contexts(shop_settings: Settings, shop_now: dt.datetime = SHOP_NOW) -> Iterator[Callable[..., CheckContext]]:
    """Makes check contexts on a stopped clock, and closes every one it made on the way out.

    ``make(settings=None, now=shop_now, **kwargs)``: other settings, another moment, or CheckContext's own options.
    """
    made: list[CheckContext] = []

    def make(settings: Settings | None = None, now: dt.datetime = shop_now, **kwargs: object) -> CheckContext:
        ctx = CheckContext(settings or shop_settings, clock=lambda: now, **kwargs)  # type: ignore[arg-type]
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


# --- servers that misbehave ----------------------------------------------------------------------------------------

def accepted(listener: socket.socket, stop: threading.Event) -> Iterator[socket.socket]:
    """The connections a fake server's ``listener`` accepts, until ``stop`` is set or the listener is closed.

    A listener with a timeout wakes up to look at ``stop`` again; that is no reason to end.
    """
    while not stop.is_set():
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            return
        yield connection


@contextlib.contextmanager
def silent_tcp_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """Accepts TCP connections on 127.0.0.1 and never says a word: a hung or firewalled-after-accept server.

    Yields its port and the connections it accepted (a test asserts the client really got there); all closed on exit.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)
        for sock in accepted:
            sock.close()
        listener.close()


def answer_json(handler: http.server.BaseHTTPRequestHandler, status: int, body: object) -> None:
    """Answer the request ``handler`` serves with ``status`` and ``body`` as JSON, its length given."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class LocalHttpServer:
    """A request handler class served on 127.0.0.1 (a free port) by a daemon thread, until ``close()``.

    The base of the scripted servers tests stand up where the real vendor server never misbehaves
    the way they need; ThreadingHTTPServer's own request threads are daemons too.
    """

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- what an import costs -----------------------------------------------------------------------------------------

DATA_LAYER = ("pydantic", "sqlalchemy", "alembic", "requests")  # most of a second to import on a till (issue 24)


def modules_loaded(code: str, watched: Sequence[str] = DATA_LAYER) -> list[str]:
    """Which of ``watched`` a fresh interpreter has imported once ``code`` has run (this process has them all)."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {tuple(watched)!r} if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def zip_marked_encrypted(data: bytes) -> bytes:
    """A zip's bytes with every member marked encrypted, as a zip tool's password leaves them.

    APPNOTE.TXT 4.4.4: bit 0 of the general purpose flag marks an encrypted member, in the local header (offset 6)
    and the central directory (offset 8); zipfile then raises RuntimeError on reading it.
    """
    marked = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = 0
        while (at := marked.find(signature, at)) >= 0:
            marked[at + offset] |= 0x1
            at += 4
    return bytes(marked)


def refuse_listing(monkeypatch: Any, folder: Path) -> None:
    """Listing ``folder`` raises PermissionError, as Windows (or a share) answers the till's account.

    The tests run as root, for whom every folder is readable: the refusal is raised by the one call that lists it.
    """
    listing = Path.iterdir

    def refused(self: Path) -> Any:
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", refused)
