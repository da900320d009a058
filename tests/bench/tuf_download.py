"""Benchmark (figures, not a pass/fail test): ``python tests/bench/tuf_download.py``.

1. Throughput of a ~50 MB target through the TUF client (ranged streaming
   into a .partial file, then length + sha256 verification, then a rename)
   against a plain ``requests`` streamed download of the same file from the
   same loopback vendor server.
2. Peak RSS growth of this process while the TUF client downloads a ~200 MB
   target: streaming keeps it flat (a few MB), where reading the body whole
   (``requests.get(url).content``, shown for contrast) grows by the file size.

The vendor server runs in a child process (``pmv-vendor serve``) so its
memory is not counted.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.updates.tuf_client import AvailableTarget, UpdateClient  # noqa: E402
from vendor_server import tuf_repo  # noqa: E402

MB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_random(path: Path, size: int) -> None:
    block = os.urandom(4 * MB)
    with path.open("wb") as out:
        for _ in range(size // len(block)):
            out.write(block)
        out.write(block[: size % len(block)])


class PeakRss:
    """Samples this process's RSS every few ms while running; ``growth`` is peak minus start."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / MB


def _timed(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small-mb", type=int, default=50)
    parser.add_argument("--large-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "vendor"
        repo, keys = data / "tuf", data / "tuf-keys"
        tuf_repo.init_repo(repo, keys)
        for name, size in (("small", args.small_mb), ("large", args.large_mb)):
            build = work / f"{name}.zip"
            _write_random(build, size * MB)
            tuf_repo.add_target(repo, keys, build, kind="pos-profile", version="1.0.0", target_id=f"bench-{name}")
            build.unlink()

        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "vendor_server.cli", "serve", "--data", str(data),
                                   "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    requests.get(f"{base}/healthz", timeout=1)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("vendor server did not start") from None
                    time.sleep(0.1)

            client = UpdateClient(work / "shop" / "metadata", work / "shop" / "cache", base,
                                  tuf_repo.VendorRepository(repo, keys).root_bytes(1))
            started = time.perf_counter()
            targets = {t.target_id: t for t in client.refresh()}
            refresh_ms = (time.perf_counter() - started) * 1000
            small, large = targets["bench-small"], targets["bench-large"]

            def target_url(target: AvailableTarget) -> str:
                folder, _, name = target.path.rpartition("/")
                return f"{base}/tuf/targets/{folder}/{target.hashes['sha256']}.{name}"

            dest = work / "dest"

            def via_tuf(target: AvailableTarget) -> None:
                client.download(target, dest).unlink()

            session = requests.Session()

            def via_requests(target: AvailableTarget) -> None:
                with session.get(target_url(target), stream=True, timeout=30) as response, \
                        (work / "plain.bin").open("wb") as out:
                    response.raise_for_status()
                    for chunk in response.iter_content(256 * 1024):
                        out.write(chunk)

            size_mb = small.length / MB
            via_requests(small)  # warm the page cache and the connection
            plain_s = _timed(lambda: via_requests(small), args.runs)
            tuf_s = _timed(lambda: via_tuf(small), args.runs)

            with PeakRss() as streaming:
                via_tuf(large)
            with PeakRss() as whole:
                body = session.get(target_url(large), timeout=60).content
                del body
        finally:
            server.terminate()
            server.wait(10)

    print(f"refresh (root, timestamp, snapshot, targets):  {refresh_ms:7.1f} ms")
    print(f"{size_mb:.0f} MB target, plain requests stream:        {size_mb / plain_s:7.1f} MB/s  ({plain_s:.2f} s)")
    print(f"{size_mb:.0f} MB target, TUF client (Range+verify):    {size_mb / tuf_s:7.1f} MB/s  ({tuf_s:.2f} s)"
          f"  = {plain_s / tuf_s:.0%} of plain")
    print(f"{large.length / MB:.0f} MB target, TUF client peak RSS growth:  {streaming.growth_mb:7.1f} MB"
          f"  (RSS {streaming.start / MB:.0f} MB before)")
    print(f"{large.length / MB:.0f} MB target, response.content growth:     {whole.growth_mb:7.1f} MB  (for contrast)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
