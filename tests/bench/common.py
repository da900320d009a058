"""Shared pieces of the benchmark suite: the result row, a vendor server process, a shop folder.

Everything talks to 127.0.0.1 only.  Child processes get a throw-away
``PMV_SUPPORT_HOME`` and a keyring backend that refuses, so no real shop's
data or credentials are ever read or written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MB = 1024 * 1024


@dataclass
class Row:
    """One line of the table: a figure, its baseline, and the budget it is held to."""

    figure: str
    value: str
    baseline: str = ""
    result: str = ""  # the compared figure (a ratio, a gap, a rate)
    budget: str = ""
    met: bool | None = None  # None: informative, no budget

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "MISSED")


def print_table(rows: Iterable[Row], out=None) -> None:  # type: ignore[no-untyped-def]
    rows = list(rows)
    out = out or sys.stdout
    header = Row("figure", "measured", "baseline", "result", "budget")
    cells = [[r.figure, r.value, r.baseline, r.result, r.budget, r.verdict if r is not header else "verdict"]
             for r in [header, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(6)]
    for index, line in enumerate(cells):
        print("  ".join(cell.ljust(widths[i]) if i in (0, 2, 4) else cell.rjust(widths[i]) if i in (1, 3) else cell
                        for i, cell in enumerate(line)).rstrip(), file=out)
        if index == 0:
            print("  ".join("-" * w for w in widths), file=out)
    out.flush()


def part_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options a part takes when run on its own (``python tests/bench/<part>.py``), as run.py passes them."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    return parser


def run_clients(seconds: float, clients: int, worker: Callable[[int, threading.Event], None], *,
                daemon: bool = False, join_timeout: float | None = None) -> float:
    """``worker(index, stop)`` on ``clients`` threads until ``stop`` is set after ``seconds``; the wall seconds taken.

    Each worker loops while ``stop`` is not set, so a rate is its count over the seconds returned.
    """
    stop = threading.Event()
    pool = [threading.Thread(target=worker, args=(i, stop), daemon=daemon) for i in range(clients)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join(join_timeout)
    return time.perf_counter() - started


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def compile_app() -> None:
    """Write the app's bytecode first, as an install has it (see child_env)."""
    import compileall

    compileall.compile_dir(str(ROOT / "app"), quiet=1)


def child_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for an app child process: offscreen Qt, a private home, no OS keyring."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    # Measured as installed: an install (PyInstaller bundle, pip) runs from bytecode.  Some shells set
    # PYTHONDONTWRITEBYTECODE, which would make every start compile the app's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if home is not None:
        env["PMV_SUPPORT_HOME"] = str(home)
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before answering {url}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered at {url}") from None
            time.sleep(0.05)


class VendorProcess:
    """``pmv-vendor serve`` (uvicorn, as shipped) in a child process on 127.0.0.1."""

    def __init__(self, data: Path, db_url: str | None = None, port: int | None = None, workers: int = 1) -> None:
        self.data = Path(data)
        self.data.mkdir(parents=True, exist_ok=True)
        self.db_url = db_url or f"sqlite:///{self.data / 'vendor.sqlite3'}"
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> VendorProcess:
        from vendor_server.db import VendorDatabase

        VendorDatabase(self.db_url).engine.dispose()  # tables exist before the first request
        self.process = subprocess.Popen(
            [PYTHON, "-m", "vendor_server.cli", "serve", "--data", str(self.data), "--db", self.db_url,
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)],
            cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"{self.base_url}/healthz", process=self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def add_shop(self, shop_id: str = "DEMO-0001", name: str = "Tiệm vàng Kim Phát (demo)") -> str:
        from vendor_server.db import VendorDatabase

        db = VendorDatabase(self.db_url)
        try:
            return db.add_shop(shop_id, name)
        finally:
            db.engine.dispose()


def make_shop(home: Path, vendor_url: str, token: str | None) -> Path:
    """A shop till under ``home``: the demo POS data, settings pointing at ``vendor_url``; returns the settings file.

    Started with ``PMV_SUPPORT_HOME=home --config <file>`` the app runs as at a
    real shop (no --demo: no embedded vendor server, no seeded requests).
    """
    from app.shop.demo import create_demo_shop

    shop = create_demo_shop(home / "shop", today=dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date())
    settings = shop.settings_file
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('base_url = "https://support.phanmemvang.vn"', f'base_url = "{vendor_url}"'),
                        encoding="utf-8")
    if token:
        secret = home / "data" / "secrets" / "shop-token"
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text(token + "\n", encoding="utf-8")
        secret.chmod(0o600)
    return settings
