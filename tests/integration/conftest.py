"""A real vendor server (FastAPI + uvicorn) on 127.0.0.1, on a port the OS picks."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import uvicorn

from tests.helpers import FixedClock
from vendor_server.app import create_app
from vendor_server.cli import main as vendor_main
from vendor_server.db import VendorDatabase


@dataclass
class VendorServer:
    base_url: str
    db_url: str
    data: Path
    keys: Path
    server: uvicorn.Server
    thread: threading.Thread | None = None

    def cli(self, *args: str, capsys: pytest.CaptureFixture[str] | None = None) -> int:
        return vendor_main([*args[:1], *args[1:], "--db", self.db_url, "--data", str(self.data),
                            "--keys", str(self.keys)] if args[0] != "keys" else
                           [*args, "--data", str(self.data), "--keys", str(self.keys)])

    def add_shop(self, shop_id: str, name: str) -> str:
        return VendorDatabase(self.db_url).add_shop(shop_id, name)

    def trusted_keys_file(self) -> Path:
        target = self.data / "vendor_keys.json"
        assert vendor_main(["keys", "init", "--data", str(self.data), "--keys", str(self.keys),
                            "--export", str(target)]) == 0
        return target

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


def _start(app, sock: socket.socket) -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("vendor server did not start")
        time.sleep(0.02)
    return server, thread


@contextmanager
def start_vendor_server(data: Path, **app_options: object) -> Iterator[VendorServer]:
    data.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{data / 'vendor.sqlite3'}"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(VendorDatabase(db_url), data, **app_options)  # type: ignore[arg-type]
    server, thread = _start(app, sock)
    vendor = VendorServer(f"http://127.0.0.1:{port}", db_url, data, data / "keys", server, thread)
    try:
        yield vendor
    finally:
        vendor.stop()
        sock.close()


@pytest.fixture
def vendor_server(tmp_path: Path) -> Iterator[VendorServer]:
    with start_vendor_server(tmp_path / "vendor") as vendor:
        yield vendor


@pytest.fixture
def vendor(tmp_path: Path, clock: FixedClock) -> Iterator[VendorServer]:
    """The vendor server on the test module's own ``clock`` fixture (each module starts it at its own moment)."""
    with start_vendor_server(tmp_path / "vendor", clock=clock) as server:
        yield server


def wait_until_serving(base_url: str, server: subprocess.Popen, seconds: float) -> None:
    """Wait for a ``pmv-vendor serve`` child to answer ``/healthz``; fail the test if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline and server.poll() is None, "server did not start"
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_json(text: str) -> dict:
    return json.loads(text)
