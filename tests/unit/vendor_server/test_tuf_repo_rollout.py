"""``VendorRepository.set_rollout``: a release's rollout percentage re-signed, read back by python-tuf's own client.

The repository is signed on the real clock because python-tuf's client checks expiry against it (under the
moved clock of CI's second run both move together); nothing here depends on the date.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tuf.api.exceptions import RepositoryError

from tests.unit.vendor_server.releases.folder_fetcher import tuf_client
from vendor_server.tuf_repo import TufRepoError, VendorRepository

REPO_ROOT = Path(__file__).resolve().parents[3]
PACK_FILE = REPO_ROOT / "resources" / "regulation" / "nd-232-2025.json"
APP_ZIP = "app/pmv-support-9.9.0.zip"
APP_EXE = "app/pmv-support-9.9.0.exe"


@pytest.fixture
def repo(tmp_path: Path) -> VendorRepository:
    repository = VendorRepository(tmp_path / "tuf", tmp_path / "tuf-keys")
    repository.init()
    for suffix in (".zip", ".exe"):
        build = tmp_path / f"pmv-support-9.9.0{suffix}"
        build.write_bytes(os.urandom(2000))
        repository.add_target(build, kind="app", version="9.9.0", rollout_percent=50, title_vi="Bản 9.9.0")
    repository.add_target(PACK_FILE, kind="regulation", version="1.0.0", effective_date="2025-10-10")
    return repository


def _custom(updater: object, path: str) -> dict[str, object]:
    info = updater.get_targetinfo(path)  # type: ignore[attr-defined]
    assert info is not None, path
    return dict(info.custom)


def test_a_new_percentage_is_signed_and_python_tuf_reads_it_while_the_files_stay_as_they_were(
        repo: VendorRepository, tmp_path: Path) -> None:
    trusted_root = repo.root_bytes(1)
    shop = tmp_path / "shop"
    before, _fetcher = tuf_client(repo.repo_dir, trusted_root, shop)
    before.refresh()
    assert _custom(before, APP_ZIP)["rollout_percent"] == 50
    old_targets = repo.load("targets").signed
    old_files = {path: (info.length, info.hashes) for path, info in old_targets.targets.items()}

    assert repo.set_rollout([APP_ZIP, APP_EXE], 0) == {APP_ZIP: 50, APP_EXE: 50}

    after, _fetcher = tuf_client(repo.repo_dir, trusted_root, shop)  # the same shop, its next refresh
    after.refresh()
    assert _custom(after, APP_ZIP)["rollout_percent"] == 0 and _custom(after, APP_EXE)["rollout_percent"] == 0
    assert _custom(after, "regulation/nd-232-2025-1.0.0.json")["rollout_percent"] is None  # untouched
    new_targets = repo.load("targets").signed
    assert new_targets.version == old_targets.version + 1
    assert {path: (info.length, info.hashes) for path, info in new_targets.targets.items()} == old_files
    # The file a shop downloads is the one it always was: the download still verifies against the new metadata.
    info = after.get_targetinfo(APP_ZIP)
    assert info is not None and Path(after.download_target(info)).stat().st_size == 2000
    assert repo.set_rollout(APP_ZIP, None) == {APP_ZIP: 0}  # one path alone; None is everyone again
    everyone, _fetcher = tuf_client(repo.repo_dir, trusted_root, tmp_path / "shop2")
    everyone.refresh()
    assert _custom(everyone, APP_ZIP)["rollout_percent"] is None
    assert _custom(everyone, APP_EXE)["rollout_percent"] == 0


def test_a_percentage_written_into_the_metadata_without_signing_is_refused_by_the_client(
        repo: VendorRepository, tmp_path: Path) -> None:
    """What TUF protects: a server (or a mirror) editing rollout_percent by hand makes every shop refuse it."""
    repo.set_rollout([APP_ZIP, APP_EXE], 0)
    version = repo.load("targets").signed.version
    forged_file = repo.metadata_dir / f"{version}.targets.json"
    signed = forged_file.read_bytes()
    assert signed.count(b'"rollout_percent": 0') == 2
    forged_file.write_bytes(signed.replace(b'"rollout_percent": 0', b'"rollout_percent": 9'))  # same length
    client, _fetcher = tuf_client(repo.repo_dir, repo.root_bytes(1), tmp_path / "shop")
    with pytest.raises(RepositoryError):
        client.refresh()
    forged_file.write_bytes(signed)
    client, _fetcher = tuf_client(repo.repo_dir, repo.root_bytes(1), tmp_path / "shop")
    client.refresh()  # the file as signed: accepted (so the refusal above was the forgery's)
    assert _custom(client, APP_ZIP)["rollout_percent"] == 0


def test_nothing_is_re_signed_when_the_percentage_is_already_the_one_asked(repo: VendorRepository) -> None:
    version = repo.load("timestamp").signed.version
    assert repo.set_rollout(APP_ZIP, 50) == {APP_ZIP: 50}
    assert repo.load("timestamp").signed.version == version


@pytest.mark.parametrize(("names", "percent", "says"), [
    ([APP_ZIP], 101, "rollout percent must be 0..100"),
    ([APP_ZIP], -1, "rollout percent must be 0..100"),
    ([APP_ZIP], True, "rollout percent must be 0..100"),
    (["app/pmv-support-1.0.0.zip"], 0, "no published target app/pmv-support-1.0.0.zip"),
    ([], 0, "no target named"),
])
def test_bad_input_changes_nothing(repo: VendorRepository, names: list[str], percent: int, says: str) -> None:
    before = sorted(p.name for p in repo.metadata_dir.iterdir())
    with pytest.raises(TufRepoError, match=says):
        repo.set_rollout(names, percent)
    assert sorted(p.name for p in repo.metadata_dir.iterdir()) == before


def test_the_targets_key_is_needed(repo: VendorRepository) -> None:
    next(repo.keys_dir.glob("targets-*.key")).unlink()
    with pytest.raises(TufRepoError, match="targets key"):
        repo.set_rollout(APP_ZIP, 0)
    assert repo.targets()[APP_ZIP].custom["rollout_percent"] == 50
