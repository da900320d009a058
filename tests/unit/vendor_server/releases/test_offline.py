"""``repo export-offline``: the copy on a stick is whole and consistent, as python-tuf's own client proves from
the root a shop trusts (root version 1, shipped with the app), through a rotated root.

The repository is signed on the real clock (python-tuf checks expiry against it); the README's dates are
checked against the moments the export itself reports.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from pmv_protocol.shop_time import SHOP_TZ
from tests.unit.vendor_server.releases.folder_fetcher import tuf_client
from vendor_server.releases.offline import MARKER, README, ExportError, export_offline, needed_targets, parse_kinds
from vendor_server.tuf_repo import VendorRepository

REPO_ROOT = Path(__file__).resolve().parents[4]
PACK_FILE = REPO_ROOT / "resources" / "regulation" / "nd-232-2025.json"
CALENDAR_FILE = REPO_ROOT / "resources" / "calendar" / "vendor-calendar-2026.json"
NOW = dt.datetime.now(dt.UTC)


def _file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


@pytest.fixture
def repo(tmp_path: Path) -> VendorRepository:
    """App 9.8.0 for everyone, 9.9.0 at 50 %, 9.9.1 paused; pack 1.0.0 replaced by 1.1.0 for everyone, a beta
    1.2.0; the 2026 calendar; then the timestamp key rotated (root version 2)."""
    repository = VendorRepository(tmp_path / "tuf", tmp_path / "tuf-keys")
    repository.init()
    work = tmp_path / "work"
    for version, percent in (("9.8.0", None), ("9.9.0", 50), ("9.9.1", 0)):
        build = _file(work, f"pmv-support-{version}.zip", os.urandom(3000))
        repository.add_target(build, kind="app", version=version, rollout_percent=percent)
    repository.add_target(PACK_FILE, kind="regulation", version="1.0.0", effective_date="2025-10-10")
    for version, channel in (("1.1.0", "stable"), ("1.2.0", "beta")):
        pack = _file(work / version, "nd-232-2025.json",
                     PACK_FILE.read_bytes().replace(b'"1.0.0"', f'"{version}"'.encode()))
        repository.add_target(pack, kind="regulation", version=version, effective_date="2025-10-10",
                              channel=channel)
    repository.add_target(CALENDAR_FILE, kind="calendar", version="1.0.0")
    repository.rotate_key("timestamp")
    return repository


EVERYTHING = ["app/pmv-support-9.8.0.zip", "app/pmv-support-9.9.0.zip", "calendar/vendor-calendar-2026-1.0.0.json",
              "regulation/nd-232-2025-1.1.0.json", "regulation/nd-232-2025-1.2.0.json"]


def test_only_what_a_shop_may_take_now_is_chosen(repo: VendorRepository) -> None:
    targets = repo.targets()
    assert needed_targets(targets, ["app", "pack", "calendar"]) == EVERYTHING
    assert needed_targets(targets, ["pack"]) == ["regulation/nd-232-2025-1.1.0.json",
                                                 "regulation/nd-232-2025-1.2.0.json"]
    assert needed_targets(targets, ["app"]) == EVERYTHING[:2]  # 9.9.0 for the shops inside its 50 %, 9.8.0 else


def test_the_copy_verifies_with_python_tuf_from_the_shops_trusted_root(repo: VendorRepository,
                                                                        tmp_path: Path) -> None:
    stick = tmp_path / "usb" / "PMV"
    made = export_offline(repo, stick, now=NOW)
    assert made.targets == tuple(EVERYTHING)
    names = sorted(p.name for p in (stick / "metadata").iterdir())
    timestamp = repo.load("timestamp").signed
    snapshot_version = timestamp.snapshot_meta.version
    targets_version = repo.load("snapshot").signed.meta["targets.json"].version
    assert names == sorted(["1.root.json", "2.root.json", "root.json", "timestamp.json",
                            f"{snapshot_version}.snapshot.json", f"{targets_version}.targets.json"])
    assert (stick / "metadata" / "root.json").read_bytes() == repo.root_bytes(2)

    client, fetcher = tuf_client(stick, repo.root_bytes(1), tmp_path / "shop")
    client.refresh()  # walks 1 -> 2.root.json, then timestamp, snapshot, targets: all from the stick
    assert "metadata/2.root.json" in fetcher.fetched
    for path in EVERYTHING:
        info = client.get_targetinfo(path)
        assert info is not None, path
        downloaded = Path(client.download_target(info))  # length and hash checked by python-tuf
        assert downloaded.read_bytes() == (repo.targets_dir / repo.stored_path(repo.targets()[path])).read_bytes()
    stored = sorted(p.relative_to(stick / "targets").as_posix() for p in (stick / "targets").rglob("*")
                    if p.is_file())
    assert stored == sorted(repo.stored_path(repo.targets()[path]) for path in EVERYTHING)  # hash-prefixed
    assert made.bytes == sum(repo.targets()[path].length for path in EVERYTHING)
    assert made.expires == timestamp.expires


def test_the_readme_says_what_it_is_when_it_was_made_and_until_when_it_works(repo: VendorRepository,
                                                                             tmp_path: Path) -> None:
    made = export_offline(repo, tmp_path / "usb", kinds=["pack"], now=NOW)
    text = (tmp_path / "usb" / README).read_text(encoding="utf-8")
    assert "BẢN SAO KHO CẬP NHẬT PMV" in text and "không có Internet" in text
    assert f"Tạo lúc: {made.made_at.astimezone(SHOP_TZ):%d/%m/%Y %H:%M}" in text
    assert f"Dùng được đến: {made.expires.astimezone(SHOP_TZ):%d/%m/%Y %H:%M}" in text
    assert "gói quy định nd-232-2025 1.1.0" in text and "bản ứng dụng" not in text
    marker = json.loads((tmp_path / "usb" / MARKER).read_text(encoding="utf-8"))
    assert marker["complete"] is True and marker["kinds"] == ["pack"]
    assert not (tmp_path / "usb" / "targets" / "app").exists()


def test_a_second_export_replaces_the_first_whole(repo: VendorRepository, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    export_offline(repo, stick, now=NOW)
    repo.set_rollout("app/pmv-support-9.9.0.zip", 0)  # paused since: no longer on a new copy
    export_offline(repo, stick, kinds=["app"], now=NOW)
    stored = sorted(p.name.split(".", 1)[1] for p in (stick / "targets").rglob("*") if p.is_file())
    assert stored == ["pmv-support-9.8.0.zip"]
    assert sorted(p.name for p in stick.iterdir()) == sorted([MARKER, README, "metadata", "targets"])
    client, _fetcher = tuf_client(stick, repo.root_bytes(1), tmp_path / "shop")
    client.refresh()
    assert client.get_targetinfo("app/pmv-support-9.9.0.zip").custom["rollout_percent"] == 0  # type: ignore[union-attr]


def test_a_folder_with_other_files_is_refused_and_kept(repo: VendorRepository, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    photo = _file(stick, "anh-cua-hang.jpg", b"\xff\xd8 not ours")
    with pytest.raises(ExportError, match="is not empty and was not made by pmv-vendor repo export-offline"):
        export_offline(repo, stick, now=NOW)
    assert [p.name for p in stick.iterdir()] == ["anh-cua-hang.jpg"] and photo.read_bytes() == b"\xff\xd8 not ours"
    with pytest.raises(ExportError, match="is a file"):
        export_offline(repo, photo, now=NOW)


def test_a_copy_cut_short_is_still_ours_to_redo(repo: VendorRepository, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    missing = repo.targets_dir / repo.stored_path(repo.targets()["app/pmv-support-9.8.0.zip"])
    kept = missing.read_bytes()
    missing.unlink()
    with pytest.raises(ExportError, match="is missing"):
        export_offline(repo, stick, now=NOW)
    missing.write_bytes(kept)
    assert export_offline(repo, stick, now=NOW).targets == tuple(EVERYTHING)


def test_a_store_that_does_not_match_its_signature_is_not_copied(repo: VendorRepository, tmp_path: Path) -> None:
    stored = repo.targets_dir / repo.stored_path(repo.targets()["calendar/vendor-calendar-2026-1.0.0.json"])
    stored.write_bytes(stored.read_bytes().replace(b"2026", b"2027", 1))
    with pytest.raises(ExportError, match="does not match the signed length and hash"):
        export_offline(repo, tmp_path / "usb", now=NOW)


@pytest.mark.parametrize("text", ["", "apps", "app,firmware", ","])
def test_bad_kinds_are_named(text: str) -> None:
    with pytest.raises(ExportError, match="--kinds takes a comma-separated list of app, pack, calendar"):
        parse_kinds(text)
    assert parse_kinds(" pack, app ,pack") == ("pack", "app")
