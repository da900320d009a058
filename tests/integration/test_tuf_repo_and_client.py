"""The vendor's TUF repository tool and the shop's TUF client, over the real vendor server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from app.updates.tuf_client import (
    AvailableTarget,
    UpdateClient,
    UpdateError,
    UpdateErrorKind,
    rollout_bucket,
    should_take,
)
from pmv_protocol.filelock import FileLock, LockTimeout
from tests.integration.conftest import VendorServer, start_vendor_server
from vendor_server import tuf_repo
from vendor_server.cli import main as vendor_main

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
PACK_FILE = REPO_ROOT / "resources" / "regulation" / "nd-232-2025.json"


@dataclass
class Published:
    """A vendor server whose repository holds a regulation pack and an app build."""

    vendor: VendorServer
    repo: Path
    keys: Path
    work: Path
    pack_v1: bytes
    app_zip: bytes

    @property
    def vendor_repo(self) -> tuf_repo.VendorRepository:
        return tuf_repo.VendorRepository(self.repo, self.keys)

    def root_v1(self) -> bytes:
        return self.vendor_repo.root_bytes(1)

    def client(self, name: str = "shop", base_url: str | None = None, **options: object) -> UpdateClient:
        shop = self.work / name
        options = {"read_timeout": 5.0, "connect_timeout": 2.0, "backoff_seconds": 0.05, **options}
        return UpdateClient(shop / "metadata", shop / "cache", base_url or self.vendor.base_url, self.root_v1(),
                            **options)  # type: ignore[arg-type]

    def add(self, file: Path, **kwargs: object) -> tuf_repo.PublishedTarget:
        return tuf_repo.add_target(self.repo, self.keys, file, **kwargs)  # type: ignore[arg-type]


def trusted_files(metadata_dir: Path) -> dict[str, bytes]:
    """The client's trusted metadata, file by file (to show an attack changed nothing)."""
    return {p.relative_to(metadata_dir).as_posix(): p.read_bytes()
            for p in sorted(metadata_dir.rglob("*.json")) if p.is_file()}


def publish_basics(vendor: VendorServer, work: Path, *, app_size: int = 3_000_000) -> Published:
    repo, keys = vendor.data / "tuf", vendor.data / "tuf-keys"
    tuf_repo.init_repo(repo, keys)
    published = Published(vendor, repo, keys, work, PACK_FILE.read_bytes(), os.urandom(app_size))
    published.add(PACK_FILE, kind="regulation", version="1.0.0", effective_date="2025-10-10",
                  title_vi="Nghị định 232/2025/NĐ-CP", summary_vi="Thanh toán từ 20 triệu qua ngân hàng")
    app_zip = work / "pmv-support-0.2.0.zip"
    app_zip.parent.mkdir(parents=True, exist_ok=True)
    app_zip.write_bytes(published.app_zip)
    published.add(app_zip, kind="app", version="0.2.0", min_app_version="0.1.0", title_vi="Bản 0.2.0")
    return published


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Published]:
    with start_vendor_server(tmp_path / "vendor") as vendor:
        yield publish_basics(vendor, tmp_path / "work")


def by_path(targets: list[AvailableTarget]) -> dict[str, AvailableTarget]:
    return {t.path: t for t in targets}


# --------------------------------------------------------------------------- publish, list, download


def test_two_pack_versions_and_an_app_build_are_listed_with_their_fields_and_download_verified(
        vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--data", str(vendor_server.data)]
    assert vendor_main(["repo", "init", *common]) == 0
    assert json.loads(capsys.readouterr().out)["timestamp"] == 1
    assert vendor_main(["repo", "add", str(PACK_FILE), "--kind", "regulation", "--version", "1.0.0",
                        "--effective-date", "2025-10-10", "--title", "Nghị định 232", "--summary", "Tóm tắt",
                        *common]) == 0
    pack_v2 = tmp_path / "nd-232-2025.json"
    pack_v2.write_bytes(PACK_FILE.read_bytes().replace(b'"1.0.0"', b'"1.1.0"'))
    assert vendor_main(["repo", "add", str(pack_v2), "--kind", "regulation", "--version", "1.1.0",
                        "--effective-date", "2025-10-10", "--channel", "beta", "--rollout-percent", "25",
                        *common]) == 0
    app_zip = tmp_path / "build.zip"
    app_zip.write_bytes(os.urandom(1_500_000))
    assert vendor_main(["repo", "add", str(app_zip), "--kind", "app", "--version", "0.2.0",
                        "--min-app-version", "0.1.0", "--title", "Bản mới", *common]) == 0
    out = capsys.readouterr().out
    assert '"path": "app/pmv-support-0.2.0.zip"' in out

    repo = tuf_repo.VendorRepository(vendor_server.data / "tuf", vendor_server.data / "tuf-keys")
    client = UpdateClient(tmp_path / "shop" / "metadata", tmp_path / "shop" / "cache", vendor_server.base_url,
                          repo.root_bytes(1), read_timeout=5)
    listed = by_path(client.refresh())
    assert set(listed) == {"regulation/nd-232-2025-1.0.0.json", "regulation/nd-232-2025-1.1.0.json",
                           "app/pmv-support-0.2.0.zip"}
    v1 = listed["regulation/nd-232-2025-1.0.0.json"]
    assert (v1.kind, v1.version, v1.target_id, v1.channel) == ("regulation", "1.0.0", "nd-232-2025", "stable")
    assert v1.effective_date is not None and v1.effective_date.isoformat() == "2025-10-10"
    assert (v1.title_vi, v1.summary_vi, v1.rollout_percent) == ("Nghị định 232", "Tóm tắt", None)
    v2 = listed["regulation/nd-232-2025-1.1.0.json"]
    assert (v2.channel, v2.rollout_percent) == ("beta", 25)
    app = listed["app/pmv-support-0.2.0.zip"]
    assert (app.kind, app.version, app.min_app_version, app.length) == ("app", "0.2.0", "0.1.0", 1_500_000)

    seen: list[float] = []
    dest = tmp_path / "downloads"
    got = client.download(app, dest, progress=lambda fraction, _path: seen.append(fraction))
    assert got == dest / "pmv-support-0.2.0.zip"
    assert got.read_bytes() == app_zip.read_bytes()
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    assert client.download(v2, dest).read_bytes() == pack_v2.read_bytes()
    assert not list((tmp_path / "shop" / "cache" / "partial").iterdir())

    # On the server the targets are content-addressed (consistent snapshot).
    stored = vendor_server.data / "tuf" / "targets" / "app" / f"{app.hashes['sha256']}.pmv-support-0.2.0.zip"
    assert stored.read_bytes() == app_zip.read_bytes()


def test_refresh_again_with_a_new_updater_and_a_second_client_from_the_same_root(published: Published) -> None:
    client = published.client()
    first = client.refresh()
    assert client.refresh() == first  # a fresh Updater each time: ngclient's refresh() runs once per Updater
    assert published.client().refresh() == first  # a new client on the same metadata folder

    newer = published.work / "nd-232-2025-v2.json"
    newer.write_bytes(published.pack_v1 + b"\n")
    published.add(newer, kind="regulation", version="1.1.0", target_id="nd-232-2025")
    after = by_path(client.refresh())
    assert set(after) == {t.path for t in first} | {"regulation/nd-232-2025-1.1.0.json"}
    timestamp = json.loads((published.client().metadata_dir / "timestamp.json").read_text())
    assert timestamp["signed"]["version"] == published.vendor_repo.load("timestamp").signed.version

    # An unchanged repository re-signed by `repo refresh` is still accepted.
    tuf_repo.refresh(published.repo, published.keys)
    assert by_path(client.refresh()) == after


def test_key_rotations_reach_a_client_that_ships_root_version_1(published: Published) -> None:
    client = published.client()
    client.refresh()
    for role in ("targets", "timestamp", "snapshot", "root"):
        tuf_repo.rotate_key(published.repo, published.keys, role)
    assert published.vendor_repo.root_version() == 5
    newer = published.work / "nd-232-2025.json"
    newer.write_bytes(published.pack_v1 + b" ")
    published.add(newer, kind="regulation", version="1.0.1")

    listed = by_path(client.refresh())
    assert "regulation/nd-232-2025-1.0.1.json" in listed
    trusted_root = json.loads((client.metadata_dir / "root.json").read_text())
    assert trusted_root["signed"]["version"] == 5
    # A shop installed long ago (fresh folder, root v1 from its installer) walks 1 -> 5 as well.
    assert "regulation/nd-232-2025-1.0.1.json" in by_path(published.client("old-shop").refresh())
    assert len(list((published.keys / "retired").glob("*.key"))) == 4


def test_download_resumes_a_cancelled_download_with_a_range_request(published: Published) -> None:
    client = published.client(chunk_size=64 * 1024)
    app = by_path(client.refresh())["app/pmv-support-0.2.0.zip"]
    cancel = threading.Event()

    def stop_after_a_third(fraction: float, _path: str) -> None:
        if fraction > 0.33:
            cancel.set()

    with pytest.raises(UpdateError) as stopped:
        client.download(app, published.work / "out", cancel=cancel, progress=stop_after_a_third)
    assert stopped.value.kind is UpdateErrorKind.CANCELLED
    partial = client.partial_path(app)
    kept = partial.stat().st_size
    assert 0 < kept < app.length
    assert not (published.work / "out").exists()

    ranges: list[str] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: ranges.append(r.request.headers.get("Range", "")))
    resumed = published.client(session=session)
    resumed.refresh()
    got = resumed.download(app, published.work / "out")
    assert got.read_bytes() == published.app_zip
    assert f"bytes={kept}-" in ranges
    assert not partial.exists()


def test_the_server_serves_ranges_and_answers_404_before_the_repository_exists(tmp_path: Path) -> None:
    with start_vendor_server(tmp_path / "vendor") as vendor:
        assert requests.get(f"{vendor.base_url}/tuf/metadata/timestamp.json", timeout=5).status_code == 404
        client = UpdateClient(tmp_path / "m", tmp_path / "c", vendor.base_url, b"{}", read_timeout=5)
        with pytest.raises(UpdateError) as bad_root:
            client.refresh()
        assert bad_root.value.kind is UpdateErrorKind.SECURITY  # a broken trust anchor is never "just retry"

        published = publish_basics(vendor, tmp_path / "work", app_size=100_000)
        app = by_path(published.client().refresh())["app/pmv-support-0.2.0.zip"]
        url = f"{vendor.base_url}/tuf/targets/app/{app.hashes['sha256']}.pmv-support-0.2.0.zip"
        part = requests.get(url, headers={"Range": "bytes=99990-"}, timeout=5)
        assert part.status_code == 206
        assert part.headers["Content-Range"] == "bytes 99990-99999/100000"
        assert part.content == published.app_zip[99990:]
        assert requests.get(f"{vendor.base_url}/tuf/metadata/99.root.json", timeout=5).status_code == 404
        assert requests.get(f"{vendor.base_url}/tuf/metadata/timestamp.json",
                            timeout=5).headers["Cache-Control"] == "no-cache"
        assert requests.get(f"{vendor.base_url}/tuf/metadata/../../vendor.sqlite3", timeout=5).status_code == 404

        vendor.stop()
        with pytest.raises(UpdateError) as offline:
            published.client(attempts=1).refresh()
        assert offline.value.kind is UpdateErrorKind.NETWORK


# --------------------------------------------------------------------------- lock, rollout, CLI


def test_one_update_job_per_metadata_folder_across_processes(tmp_path: Path) -> None:
    lock_file = tmp_path / "metadata" / ".lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from app.updates.tuf_client import FileLock\n"
         f"lock = FileLock(Path({str(lock_file)!r})); lock.acquire(); print('held', flush=True); time.sleep(30)"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout):
            FileLock(lock_file, timeout=0.2).acquire()
        client = UpdateClient(tmp_path / "metadata", tmp_path / "cache", "http://127.0.0.1:9", b"{}",
                              lock_timeout=0.2)
        with pytest.raises(UpdateError) as busy:
            client.refresh()
        assert busy.value.kind is UpdateErrorKind.BUSY
    finally:
        holder.kill()
        holder.wait(5)
    with FileLock(lock_file, timeout=5):  # released when the holder died
        pass


def _target(version: str, rollout: int | None, channel: str = "stable") -> AvailableTarget:
    return AvailableTarget(path=f"app/pmv-support-{version}.zip", length=1, hashes={"sha256": "0" * 64},
                           kind="app", version=version, channel=channel, rollout_percent=rollout)


def test_staged_rollout_is_stable_per_install_and_close_to_the_percentage() -> None:
    ids = [f"install-{n:04d}" for n in range(2000)]
    taken = [i for i in ids if should_take(_target("0.3.0", 20), i, "stable")]
    assert 340 <= len(taken) <= 460
    assert taken == [i for i in ids if should_take(_target("0.3.0", 20), i, "stable")]
    # Raising the percentage only adds shops; the ones that had it keep it.
    assert set(taken) <= {i for i in ids if should_take(_target("0.3.0", 50), i, "stable")}
    assert all(should_take(_target("0.3.0", None), i, "stable") for i in ids[:50])
    assert not any(should_take(_target("0.3.0", 0), i, "stable") for i in ids[:50])
    assert rollout_bucket("abc", "1.0") == int(__import__("hashlib").sha256(b"abc1.0").hexdigest(), 16) % 100
    assert not should_take(_target("0.3.0b1", None, "beta"), ids[0], "stable")
    assert should_take(_target("0.3.0b1", None, "beta"), ids[0], "beta")
    assert should_take(_target("0.3.0", None), ids[0], "beta")


@pytest.mark.parametrize("args, reason", [
    (["add", "{pack}", "--kind", "firmware", "--version", "1.0.0"], "kind must be one of"),
    (["add", "{pack}", "--kind", "regulation", "--version", "1.0"], "already published with other content"),
    (["add", "{pack}", "--kind", "regulation", "--version", "v1"], "version must look like"),
    (["add", "{pack}", "--kind", "regulation", "--version", "2.0.0", "--rollout-percent", "150"],
     "rollout percent must be 0..100"),
    # "²" passes str.isdigit(); int() refused it with a traceback instead of this line.
    (["add", "{pack}", "--kind", "regulation", "--version", "2.0.0", "--rollout-percent", "²"],
     "rollout percent must be 0..100"),
    (["add", "{pack}", "--kind", "regulation", "--version", "2.0.0", "--effective-date", "10/10/2025"],
     "effective date must be YYYY-MM-DD"),
    (["add", "{pack}", "--kind", "regulation", "--version", "2.0.0", "--channel", "nightly"], "channel must be"),
    (["add", "missing.json", "--kind", "regulation", "--version", "2.0.0"], "is not a file"),
    (["add", "{pack}", "--kind", "regulation", "--version", "2.0.0", "--id", "../etc"], "id must be"),
    (["rotate", "mirror"], "unknown role"),
    (["init"], "already holds a TUF repository"),
    (["export-offline", "{pack}"], "is a file, not a folder"),
    (["export-offline", "{pack}.usb", "--kinds", "apps"], "--kinds takes a comma-separated list"),
])
def test_repo_cli_refuses_bad_input_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  args: list[str], reason: str) -> None:
    data = tmp_path / "data"
    assert vendor_main(["repo", "init", "--data", str(data)]) == 0
    pack = tmp_path / "nd-232-2025.json"
    pack.write_bytes(PACK_FILE.read_bytes())
    assert vendor_main(["repo", "add", str(pack), "--kind", "regulation", "--version", "1.0", "--data",
                        str(data)]) == 0
    pack.write_bytes(PACK_FILE.read_bytes() + b"\n")
    capsys.readouterr()
    before = sorted(p.name for p in (data / "tuf" / "metadata").iterdir())
    assert vendor_main(["repo", *[a.replace("{pack}", str(pack)) for a in args], "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert reason in err and err.count("\n") == 1 and err.startswith("pmv-vendor: error: ")
    assert sorted(p.name for p in (data / "tuf" / "metadata").iterdir()) == before


def test_repo_commands_need_an_initialised_repository_and_keys(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert vendor_main(["repo", "refresh", "--data", str(data)]) == 1
    assert "run: pmv-vendor repo init" in capsys.readouterr().err
    assert vendor_main(["repo", "init", "--root-threshold", "2", "--export-root", str(tmp_path / "root.json"),
                        "--data", str(data)]) == 0
    capsys.readouterr()
    root = json.loads((tmp_path / "root.json").read_text())
    assert root["signed"]["roles"]["root"]["threshold"] == 2 and len(root["signatures"]) == 2
    assert root["signed"]["consistent_snapshot"] is True
    keys = sorted((data / "tuf-keys").glob("*.key"))
    assert len(keys) == 5 and all(k.stat().st_mode & 0o777 == 0o600 for k in keys)
    next(iter((data / "tuf-keys").glob("targets-*.key"))).unlink()
    assert vendor_main(["repo", "add", str(PACK_FILE), "--kind", "regulation", "--version", "1.0.0",
                        "--data", str(data)]) == 1
    assert "of the 1 targets key(s) needed" in capsys.readouterr().err
    assert vendor_main(["repo", "refresh", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["timestamp"] == 2
