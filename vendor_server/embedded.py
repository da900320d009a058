"""A vendor server inside the shop app, for ``pmv-support --demo``.

It runs the real FastAPI app on 127.0.0.1 (a port the OS picks) in a daemon
thread, so the whole flow (contract refresh, tickets, status polling) works
on one machine with no network.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from pmv_protocol.signed_json import parse_object
from vendor_server.app import create_app
from vendor_server.contract_issue import store_contract
from vendor_server.db import VendorDatabase
from vendor_server.routes.deps import utc_now
from vendor_server.staff_acts import DEFAULT_STAFF

# A pack's summary travels in the signed TUF metadata every shop downloads on every refresh: a few sentences,
# not the pack (which holds the full text).  Long enough for the Decree 232 summary whole, conclusion included.
SUMMARY_LIMIT = 1000


def cut_summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` if it fits in ``limit`` characters, else cut after its last whole word, with ``…``.

    Never mid-word: a cut word can read as another one.  A single word longer than the limit (a URL) is the
    only thing cut inside.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    room = text[: limit - 1]  # one character for the ellipsis
    if not text[limit - 1].isspace():
        cut = max(room.rfind(space) for space in (" ", "\n", "\t"))
        room = room[:cut] if cut > 0 else room
    return room.rstrip(" \n\t,;:-–") + "…"


class EmbeddedVendor:
    """The demo's vendor: the real server on loopback, and the staff's acts as methods (the demo's samples)."""

    def __init__(self, data_dir: Path, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.data_dir = Path(data_dir)
        # The server's clock: the demo passes its own, so the server stamps the demo's time, not the machine's.
        self.clock = clock or utc_now
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = VendorDatabase(f"sqlite:///{self.data_dir / 'vendor.sqlite3'}")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.base_url = ""

    def start(self, timeout: float = 10.0) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        config = uvicorn.Config(create_app(self.db, self.data_dir, clock=self.clock), log_level="warning",
                                lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="demo-vendor", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the demo vendor server did not start")
            time.sleep(0.02)
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.base_url

    def shop_token(self, shop_id: str, name: str) -> str:
        """The demo shop's token, issued once and kept in the demo folder."""
        token_file = self.data_dir / f"{shop_id}.token"
        if token_file.exists():
            return token_file.read_text(encoding="utf-8").strip()
        token = self.db.add_shop(shop_id, name)
        token_file.write_text(token, encoding="utf-8")
        return token

    def publish_contract(self, shop_id: str, document: str) -> None:
        issued_at = dt.datetime.fromisoformat(parse_object(document)["payload"]["issued_at"])
        store_contract(self.db, shop_id, document, issued_at)

    def publish_pack(self, pack_file: Path, *, version: str, title_vi: str, summary_vi: str,
                     effective_date: str | None, target_id: str) -> bytes:
        """Publish a regulation pack in this vendor's TUF repository (once); returns the trusted root.

        ``summary_vi`` goes into the metadata cut to :data:`SUMMARY_LIMIT` on a word boundary.
        """
        from vendor_server.tuf_repo import VendorRepository, add_target, init_repo

        repo, keys = self.data_dir / "tuf", self.data_dir / "tuf-keys"
        if not (repo / "metadata" / "1.root.json").exists():
            init_repo(repo, keys)
        published = (repo / "targets" / "regulation").glob(f"*{target_id}-{version}*")
        if not any(published):
            add_target(repo, keys, pack_file, kind="regulation", version=version, effective_date=effective_date,
                       title_vi=title_vi, summary_vi=cut_summary(summary_vi), target_id=target_id)
        return VendorRepository(repo, keys).root_bytes()

    def publish_calendar(self, pack_file: Path) -> None:
        """Publish a working-calendar pack (kind ``calendar``) in this vendor's TUF repository, once.

        Call after :meth:`publish_pack` (which creates the repository).  The id, version and year come from
        the pack itself, which the publishing tool validates.
        """
        from vendor_server.tuf_repo import add_target

        repo, keys = self.data_dir / "tuf", self.data_dir / "tuf-keys"
        pack = parse_object(pack_file.read_bytes())
        published = (repo / "targets" / "calendar").glob(f"*{pack['id']}-{pack['version']}*")
        if not any(published):
            add_target(repo, keys, pack_file, kind="calendar", version=pack["version"], target_id=pack["id"])

    def move_ticket(self, number: str, status: str, solution_kind: str | None = None,
                    solution_text: str | None = None, now: dt.datetime | None = None,
                    staff: str = DEFAULT_STAFF) -> None:
        """Staff move a ticket along; ``now``: when, for the demo's samples set in its own (shop) time."""
        from vendor_server.tickets import update_ticket

        update_ticket(self.db, number, status=status, solution_kind=solution_kind, solution_text=solution_text,
                      now=now or self.clock(), staff=staff)

    def reply(self, number: str, staff: str, text: str, files: Sequence[Path] = (),
              now: dt.datetime | None = None) -> None:
        """Staff write to the shop on a ticket (with files, sent as the ticket's attachments)."""
        from vendor_server.staff_acts import reply

        reply(self.db, number, staff=staff, text=text, files=files, attachments_root=self.data_dir / "attachments",
              now=now or self.clock())

    def propose(self, number: str, staff: str, kind: str, text: str, now: dt.datetime | None = None) -> None:
        """Staff propose a solution; the shop accepts or refuses it (closable after the default working days)."""
        from vendor_server.staff_acts import propose

        propose(self.db, number, staff=staff, kind=kind, text=text, now=now or self.clock())

    def propose_visit(self, number: str, staff: str, day: dt.date, start: dt.time, end: dt.time, technician: str,
                      now: dt.datetime | None = None) -> None:
        """Staff offer an on-site visit (shop time); the shop confirms it or asks for another time."""
        from vendor_server.staff_acts import propose_visit

        propose_visit(self.db, number, staff=staff, day=day, start=start, end=end, technician=technician,
                      now=now or self.clock())

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
        if self._socket is not None:
            self._socket.close()
