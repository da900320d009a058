"""Attacks on the update channel, each refused by the shop's TUF client.

The repository is made by the vendor tool and served by the real vendor
server on loopback; the attacker edits the served files (as a compromised
mirror or a stolen online key would), or sits in front of the server as a
misbehaving TCP proxy or mirror. Every refusal leaves nothing in the
destination folder and the client's trusted metadata as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from securesystemslib.signer import CryptoSigner
from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, MetaFile, TargetFile
from tuf.api.serialization.json import JSONSerializer

from app.updates.tuf_client import AvailableTarget, UpdateClient, UpdateError, UpdateErrorKind
from tests.helpers import LocalHttpServer, accepted
from tests.integration.conftest import start_vendor_server
from tests.integration.test_tuf_repo_and_client import Published, by_path, publish_basics, trusted_files
from vendor_server import tuf_repo

pytestmark = pytest.mark.integration

APP_PATH = "app/pmv-support-0.2.0.zip"
PACK_PATH = "regulation/nd-232-2025-1.0.0.json"


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Published]:
    with start_vendor_server(tmp_path / "vendor") as vendor:
        yield publish_basics(vendor, tmp_path / "work")


def served(published: Published, target: AvailableTarget) -> Path:
    """The file the server sends for ``target`` (hash-prefixed: consistent snapshot)."""
    folder, _, name = target.path.rpartition("/")
    return published.repo / "targets" / folder / f"{target.hashes['sha256']}.{name}"


def write_signed(path: Path, md: Metadata, *signers: CryptoSigner) -> bytes:
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)
    data = md.to_bytes(JSONSerializer(compact=False))
    path.write_bytes(data)
    return data


def publish_chain_by_hand(published: Published, *, targets_bytes: bytes | None = None,
                          targets_version: int | None = None, snapshot_bytes: bytes | None = None,
                          snapshot_version: int | None = None,
                          timestamp_signer: CryptoSigner | None = None) -> None:
    """What an attacker holding the online keys (snapshot, timestamp) can publish."""
    repo = published.vendor_repo
    meta = published.repo / "metadata"
    if snapshot_bytes is None:
        snap = repo.load("snapshot")
        snap.signed.version += 1
        if targets_bytes is not None:
            assert targets_version is not None
            snap.signed.meta["targets.json"] = MetaFile.from_data(targets_version, targets_bytes, ["sha256"])
        snapshot_version = snap.signed.version
        snapshot_bytes = write_signed(meta / f"{snapshot_version}.snapshot.json", snap, *repo.signers("snapshot"))
    ts = repo.load("timestamp")
    ts.signed.version += 1
    assert snapshot_version is not None
    ts.signed.snapshot_meta = MetaFile.from_data(snapshot_version, snapshot_bytes, ["sha256"])
    write_signed(meta / "timestamp.json", ts, timestamp_signer or repo.signers("timestamp")[0])


@pytest.fixture
def shop(published: Published) -> tuple[UpdateClient, dict[str, AvailableTarget]]:
    client = published.client(attempts=2, read_timeout=2.0)
    return client, by_path(client.refresh())


def assert_refused(client: UpdateClient, kind: UpdateErrorKind, *, before: dict[str, bytes] | None = None,
                   keep: tuple[str, ...] = ()) -> UpdateError:
    """A refresh is refused with ``kind``; the trusted metadata (or the files in ``keep``) did not change."""
    with pytest.raises(UpdateError) as refused:
        client.refresh()
    assert refused.value.kind is kind, refused.value
    if before is not None:
        after = trusted_files(client.metadata_dir)
        if keep:
            assert {k: after[k] for k in keep} == {k: before[k] for k in keep}
        else:
            assert after == before
    return refused.value


def assert_download_refused(client: UpdateClient, target: AvailableTarget, dest: Path,
                            kind: UpdateErrorKind) -> UpdateError:
    with pytest.raises(UpdateError) as refused:
        client.download(target, dest)
    assert refused.value.kind is kind, refused.value
    assert not dest.exists() or not any(dest.iterdir())
    return refused.value


# --------------------------------------------------------------------------- (a) target changed after signing


def test_a_target_modified_on_the_server_after_signing_is_refused(published: Published, shop) -> None:
    client, targets = shop
    app = targets[APP_PATH]
    before = trusted_files(client.metadata_dir)
    tampered = bytearray(published.app_zip)
    tampered[1000:1010] = b"MALWARE!!!"
    served(published, app).write_bytes(bytes(tampered))  # same length, other bytes

    error = assert_download_refused(client, app, published.work / "dest", UpdateErrorKind.HASH_MISMATCH)
    assert "does not match" in error.detail
    assert not client.partial_path(app).exists()  # bad bytes are not kept for a resume
    assert trusted_files(client.metadata_dir) == before

    served(published, app).write_bytes(published.app_zip[:-1])  # one byte short
    assert_download_refused(client, app, published.work / "dest", UpdateErrorKind.HASH_MISMATCH)


# --------------------------------------------------------------------------- (b) wrong key


def test_targets_signed_with_a_key_the_root_does_not_trust_are_refused(published: Published, shop) -> None:
    client, _ = shop
    before = trusted_files(client.metadata_dir)
    rogue = CryptoSigner.generate_ed25519()
    evil = published.work / "evil.zip"
    evil.write_bytes(b"not from the vendor")
    targets = published.vendor_repo.load("targets")
    targets.signed.version += 1
    targets.signed.targets["app/pmv-support-9.9.9.zip"] = TargetFile.from_file(
        "app/pmv-support-9.9.9.zip", str(evil))
    targets_bytes = write_signed(published.repo / "metadata" / f"{targets.signed.version}.targets.json",
                                 targets, rogue)
    # The attacker also holds the online snapshot and timestamp keys: only the targets signature is wrong.
    publish_chain_by_hand(published, targets_bytes=targets_bytes, targets_version=targets.signed.version)

    error = assert_refused(client, UpdateErrorKind.SECURITY, before=before,
                           keep=("targets.json", "root.json", "root_history/1.root.json"))
    assert "UnsignedMetadataError" in error.detail
    assert "app/pmv-support-9.9.9.zip" not in (client.metadata_dir / "targets.json").read_text()


def test_a_timestamp_signed_with_a_wrong_key_is_refused(published: Published, shop) -> None:
    client, _ = shop
    before = trusted_files(client.metadata_dir)
    snapshot = published.vendor_repo.load("snapshot")
    snapshot_bytes = (published.repo / "metadata" / f"{snapshot.signed.version}.snapshot.json").read_bytes()
    publish_chain_by_hand(published, snapshot_bytes=snapshot_bytes, snapshot_version=snapshot.signed.version,
                          timestamp_signer=CryptoSigner.generate_ed25519())
    assert_refused(client, UpdateErrorKind.SECURITY, before=before)


# --------------------------------------------------------------------------- (c) rollback


def test_rolling_back_to_older_metadata_is_refused(published: Published, shop) -> None:
    client, _ = shop
    meta = published.repo / "metadata"
    old_timestamp = (meta / "timestamp.json").read_bytes()
    newer = published.work / "nd-232-2025.json"
    newer.write_bytes(published.pack_v1 + b"\n")
    published.add(newer, kind="regulation", version="1.1.0")
    assert "regulation/nd-232-2025-1.1.0.json" in by_path(client.refresh())
    before = trusted_files(client.metadata_dir)

    # A mirror serves yesterday's timestamp (signed, not expired, just older).
    current_timestamp = (meta / "timestamp.json").read_bytes()
    (meta / "timestamp.json").write_bytes(old_timestamp)
    error = assert_refused(client, UpdateErrorKind.SECURITY, before=before)
    assert "BadVersionNumberError" in error.detail

    # With the timestamp key: a new timestamp pointing at an older snapshot.
    (meta / "timestamp.json").write_bytes(current_timestamp)
    old_snapshot_version = published.vendor_repo.load("snapshot").signed.version - 1
    publish_chain_by_hand(published, snapshot_bytes=(meta / f"{old_snapshot_version}.snapshot.json").read_bytes(),
                          snapshot_version=old_snapshot_version)
    assert_refused(client, UpdateErrorKind.SECURITY, before=before)

    # With timestamp and snapshot keys: a new snapshot listing the older targets version.
    (meta / "timestamp.json").write_bytes(current_timestamp)
    old_targets_version = published.vendor_repo.load("targets").signed.version - 1
    publish_chain_by_hand(published, targets_bytes=(meta / f"{old_targets_version}.targets.json").read_bytes(),
                          targets_version=old_targets_version)
    assert_refused(client, UpdateErrorKind.SECURITY, before=before, keep=("targets.json", "snapshot.json"))
    assert "regulation/nd-232-2025-1.1.0.json" in (client.metadata_dir / "targets.json").read_text()


# --------------------------------------------------------------------------- (d) freeze


def test_an_expired_timestamp_is_refused_even_though_correctly_signed(published: Published, shop) -> None:
    client, _ = shop
    before = trusted_files(client.metadata_dir)
    # The vendor tool itself, run with a clock 30 days back: a newer, validly signed, expired timestamp.
    tuf_repo.refresh(published.repo, published.keys, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    timestamp = published.vendor_repo.load("timestamp").signed
    assert timestamp.is_expired() and timestamp.version > 1
    error = assert_refused(client, UpdateErrorKind.SECURITY, before=before)
    assert "ExpiredMetadataError" in error.detail

    tuf_repo.refresh(published.repo, published.keys)  # the vendor's cron runs again: all good
    assert by_path(client.refresh()).keys() == {APP_PATH, PACK_PATH}


# --------------------------------------------------------------------------- (e) mix-and-match


def test_a_timestamp_from_one_state_with_a_snapshot_from_another_is_refused(published: Published, shop) -> None:
    client, _ = shop
    meta = published.repo / "metadata"
    state_a = published.vendor_repo.load("snapshot").signed.version
    snapshot_a = (meta / f"{state_a}.snapshot.json").read_bytes()
    targets_a_version = published.vendor_repo.load("targets").signed.version
    targets_a = (meta / f"{targets_a_version}.targets.json").read_bytes()
    newer = published.work / "nd-232-2025.json"
    newer.write_bytes(published.pack_v1 + b"\n")
    published.add(newer, kind="regulation", version="1.1.0")  # state B
    state_b = published.vendor_repo.load("snapshot").signed.version
    targets_b_version = published.vendor_repo.load("targets").signed.version
    before = trusted_files(client.metadata_dir)

    # B's timestamp, A's snapshot where B's should be.
    snapshot_b = (meta / f"{state_b}.snapshot.json").read_bytes()
    (meta / f"{state_b}.snapshot.json").write_bytes(snapshot_a)
    error = assert_refused(client, UpdateErrorKind.SECURITY, before=before,
                           keep=("snapshot.json", "targets.json", "root.json"))
    assert "LengthOrHashMismatchError" in error.detail

    # B's timestamp and snapshot, A's targets where B's should be.
    (meta / f"{state_b}.snapshot.json").write_bytes(snapshot_b)
    (meta / f"{targets_b_version}.targets.json").write_bytes(targets_a)
    assert_refused(client, UpdateErrorKind.SECURITY, before=before, keep=("targets.json", "root.json"))
    assert "1.1.0" not in (client.metadata_dir / "targets.json").read_text()


# --------------------------------------------------------------------------- (f) endless data


class SpySession(requests.Session):
    """Remembers every response, so a test can ask how many body bytes were read."""

    def __init__(self) -> None:
        super().__init__()
        self.responses: list[requests.Response] = []

    def request(self, *args, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def, override]
        response = super().request(*args, **kwargs)
        self.responses.append(response)
        return response


def test_a_target_longer_than_signed_is_refused_without_reading_it(published: Published, shop) -> None:
    _, targets = shop
    pack = targets[PACK_PATH]
    served(published, pack).write_bytes(published.pack_v1 + b"A" * 20_000_000)
    spy = SpySession()
    client = published.client(session=spy)
    client.refresh()
    error = assert_download_refused(client, pack, published.work / "dest", UpdateErrorKind.TOO_LARGE)
    assert f"signed length is {pack.length}" in error.detail
    assert spy.responses[-1].raw.tell() <= pack.length + 1
    assert not client.partial_path(pack).exists()


class EndlessMirror(LocalHttpServer):
    """A hostile mirror: honest metadata copied from the repository, endless bodies for targets.

    No Content-Length (the body ends when the connection does), so only the
    client's own count can stop it. Bounded: at most ``cap`` bytes per response.
    """

    def __init__(self, repo: Path, *, endless_metadata: bool = False, cap: int = 64_000_000) -> None:
        mirror = self
        self.sent: list[int] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                endless = path.startswith("/tuf/targets/") or (
                    endless_metadata and path.endswith("/timestamp.json"))
                if not endless:
                    file = repo / path.removeprefix("/tuf/")
                    if not path.startswith("/tuf/") or ".." in path or not file.is_file():
                        self.send_error(404)
                        return
                    body = file.read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.end_headers()
                sent = 0
                block = b"\0" * 65536
                try:
                    while sent < cap:
                        self.wfile.write(block)
                        sent += len(block)
                except OSError:
                    pass
                mirror.sent.append(sent)

        super().__init__(Handler)


def test_endless_data_stops_at_the_signed_length_plus_one(published: Published) -> None:
    mirror = EndlessMirror(published.repo)
    try:
        spy = SpySession()
        client = published.client("mirror-shop", base_url=mirror.base_url, session=spy)
        pack = by_path(client.refresh())[PACK_PATH]
        before = trusted_files(client.metadata_dir)
        error = assert_download_refused(client, pack, published.work / "dest", UpdateErrorKind.TOO_LARGE)
        assert "more than the signed" in error.detail
        assert spy.responses[-1].raw.tell() == pack.length + 1
        assert not client.partial_path(pack).exists()
        assert trusted_files(client.metadata_dir) == before
    finally:
        mirror.close()


def test_endless_metadata_is_refused(published: Published) -> None:
    mirror = EndlessMirror(published.repo, endless_metadata=True)
    try:
        client = published.client("mirror-shop", base_url=mirror.base_url)
        error = assert_refused(client, UpdateErrorKind.TOO_LARGE)
        assert "maximum allowed length" in error.detail
    finally:
        mirror.close()


# --------------------------------------------------------------------------- (g) dropped and stalled connections


class CuttingProxy:
    """A TCP proxy in front of the vendor server that cuts or stalls target responses on cue.

    After a request for ``/tuf/targets/`` passes, the response is forwarded for
    ``after_bytes`` bytes (headers included), then the connection is closed
    ("cut"), left silent for ``stall_seconds`` ("stall"), or the rest sent a byte
    every ``stall_seconds`` ("drip": never silent long enough for a read timeout); ``times`` counts
    how many responses to spoil (-1: all). Request heads are kept in
    ``requests`` to check for Range headers.
    """

    def __init__(self, upstream_port: int, *, mode: str = "cut", after_bytes: int = 1_000_000, times: int = 1,
                 stall_seconds: float = 5.0, path_marker: bytes = b" /tuf/targets/") -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.mode, self.after_bytes, self.times = mode, after_bytes, times
        self.stall_seconds, self.path_marker = stall_seconds, path_marker
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        for client in accepted(self._listener, self._stop):
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _arm(self) -> bool:
        with self._lock:
            if self.times == 0:
                return False
            if self.times > 0:
                self.times -= 1
            return True

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream, timeout=10)
        armed = threading.Event()

        def upward() -> None:
            try:
                while data := client.recv(65536):
                    self.requests.append(data)
                    if self.path_marker in data and self._arm():
                        armed.set()
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    upstream.shutdown(socket.SHUT_WR)

        threading.Thread(target=upward, daemon=True).start()
        budget = self.after_bytes
        try:
            while data := upstream.recv(65536):
                if armed.is_set():
                    if len(data) >= budget:
                        client.sendall(data[:budget])
                        if self.mode == "stall":
                            self._stop.wait(self.stall_seconds)
                        if self.mode == "drip":
                            self._drip(data[budget:], upstream, client)
                        break
                    budget -= len(data)
                client.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _drip(self, rest: bytes, upstream: socket.socket, client: socket.socket) -> None:
        """The rest of the response, this packet's and the following ones', a byte every ``stall_seconds``."""
        while rest:
            for byte in rest:
                if self._stop.wait(self.stall_seconds):
                    return
                client.sendall(bytes([byte]))
            rest = upstream.recv(65536)

    def range_requests(self) -> list[str]:
        heads = [r.decode("latin-1") for r in self.requests]
        return [line for head in heads for line in head.split("\r\n") if line.lower().startswith("range:")]

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


def _port(published: Published) -> int:
    return int(published.vendor.base_url.rsplit(":", 1)[1])


def test_a_dropped_download_resumes_with_range_and_succeeds(published: Published) -> None:
    proxy = CuttingProxy(_port(published), mode="cut", after_bytes=1_000_000, times=1)
    try:
        client = published.client("proxied", base_url=proxy.base_url)
        app = by_path(client.refresh())[APP_PATH]
        got = client.download(app, published.work / "dest")
        assert got.read_bytes() == published.app_zip
        ranges = proxy.range_requests()
        assert len(ranges) == 1
        resumed_from = int(ranges[0].split("=")[1].rstrip("-"))
        assert 500_000 < resumed_from < 1_000_000  # what arrived before the cut was kept, not fetched again
        assert not client.partial_path(app).exists()
    finally:
        proxy.close()


def test_a_download_that_keeps_dropping_fails_as_network_and_keeps_the_partial(published: Published) -> None:
    proxy = CuttingProxy(_port(published), mode="cut", after_bytes=700_000, times=-1)
    try:
        client = published.client("proxied", base_url=proxy.base_url, attempts=2)
        app = by_path(client.refresh())[APP_PATH]
        error = assert_download_refused(client, app, published.work / "dest", UpdateErrorKind.NETWORK)
        assert error.kind.retryable
        kept = client.partial_path(app).stat().st_size
        assert 0 < kept < app.length
    finally:
        proxy.close()

    # Next run, the connection is fine again: only the rest is fetched.
    honest = CuttingProxy(_port(published), times=0)
    try:
        client = published.client("proxied", base_url=honest.base_url)
        client.refresh()
        assert client.download(app, published.work / "dest").read_bytes() == published.app_zip
        assert honest.range_requests() == [f"Range: bytes={kept}-"]
    finally:
        honest.close()


def test_a_stalled_download_fails_as_slow_retrieval_and_keeps_the_partial(published: Published) -> None:
    proxy = CuttingProxy(_port(published), mode="stall", after_bytes=500_000, times=-1, stall_seconds=4)
    try:
        # The metadata is fetched with an ordinary timeout (a loaded CI machine under libfaketime took
        # longer than 0.5 s to answer 2.root.json); only the download is held to 0.5 s, as the test is about it.
        client = published.client("proxied", base_url=proxy.base_url, attempts=1, read_timeout=10.0)
        app = by_path(client.refresh())[APP_PATH]
        client.fetcher.read_timeout = 0.5
        error = assert_download_refused(client, app, published.work / "dest", UpdateErrorKind.NETWORK)
        assert isinstance(error.__cause__, tuf_errors.SlowRetrievalError)
        assert client.partial_path(app).stat().st_size > 0
    finally:
        proxy.close()


def test_stalled_metadata_fails_the_refresh_as_slow_retrieval(published: Published, shop) -> None:
    client, _ = shop
    before = trusted_files(client.metadata_dir)
    proxy = CuttingProxy(_port(published), mode="stall", after_bytes=100, times=-1, stall_seconds=4,
                         path_marker=b"/timestamp.json")
    try:
        slow = published.client(base_url=proxy.base_url, read_timeout=0.5)
        error = assert_refused(slow, UpdateErrorKind.NETWORK, before=before)
        assert isinstance(error.__cause__, tuf_errors.SlowRetrievalError)
    finally:
        proxy.close()


def test_metadata_sent_a_byte_at_a_time_fails_the_refresh_instead_of_holding_it_for_hours(
        published: Published, shop) -> None:
    """Found by an independent review: a server that sends a byte every few seconds never trips the read
    timeout, so a check held the metadata lock (and the page's button) for hours.  Here timestamp.json comes a
    byte every 0.2 s after its headers: about 5 bytes a second, against a floor of 512 (tuf_client.py)."""
    client, _ = shop
    before = trusted_files(client.metadata_dir)
    proxy = CuttingProxy(_port(published), mode="drip", after_bytes=250, times=-1, stall_seconds=0.2,
                         path_marker=b"/timestamp.json")
    try:
        slow = published.client(base_url=proxy.base_url, read_timeout=1.0, attempts=1)
        outcome: list[BaseException] = []
        worker = threading.Thread(target=lambda: outcome.append(assert_refused(slow, UpdateErrorKind.NETWORK,
                                                                               before=before)), daemon=True)
        worker.start()
        worker.join(60)  # the whole file would take minutes at this rate; the floor stops it within seconds
        assert not worker.is_alive() and len(outcome) == 1
        assert isinstance(outcome[0].__cause__, tuf_errors.SlowRetrievalError)
    finally:
        proxy.close()


def test_nothing_is_left_behind_by_a_refused_download(published: Published, shop) -> None:
    """Belt and braces for (a)/(f): the destination folder is untouched even if it already exists."""
    client, targets = shop
    dest = published.work / "dest"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    served(published, targets[APP_PATH]).write_bytes(b"x" * targets[APP_PATH].length)
    with pytest.raises(UpdateError) as refused:
        client.download(targets[APP_PATH], dest)
    assert refused.value.kind is UpdateErrorKind.HASH_MISMATCH
    assert sorted(p.name for p in dest.iterdir()) == ["keep.txt"]
    shutil.rmtree(dest)
