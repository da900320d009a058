"""App update end to end on loopback: the vendor publishes a bundle, the shop downloads, stages and switches it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import __version__
from app.runtime import Runtime
from app.updates.app_install import AppInstall, InstallKind, Pointer, create_layout, read_pending, read_pointer
from app.updates.app_swap import SwapResult, refused_versions
from app.updates.service import Updater
from app.updates.tuf_client import UpdateClient
from tests.integration.conftest import VendorServer, vendor_server  # noqa: F401  (the fixture)
from tests.unit.updates.app_fakes import CRASHES, GOOD, bundle_zip, hand_over_after_exit, make_bundle, wait_for_launches
from vendor_server.cli import main as vendor_main

pytestmark = pytest.mark.integration

NEXT = "9.9.0"  # newer than any real version, so the test does not age


def publish_app(vendor: VendorServer, work: Path, data_dir: Path, behaviour: str, version: str = NEXT) -> None:
    archive = work / f"pmv-support-{version}.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(bundle_zip(version, data_dir, behaviour))
    assert vendor_main(["repo", "add", str(archive), "--kind", "app", "--version", version,
                        "--min-app-version", __version__, "--title", f"Bản {version}",
                        "--data", str(vendor.data)]) == 0


def updater_for(runtime: Runtime, vendor: VendorServer, install: AppInstall) -> Updater:
    root = (vendor.data / "tuf" / "metadata" / "1.root.json").read_bytes()
    folder = runtime.paths.data_dir / "updates"
    return Updater(runtime, lambda: UpdateClient(folder / "metadata", folder / "downloads", vendor.base_url, root),
                   app_install=install)


@pytest.mark.parametrize("behaviour", [GOOD, CRASHES])
def test_a_published_bundle_is_staged_by_the_updater_and_applied_after_the_app_exits(
        runtime: Runtime, vendor_server: VendorServer, tmp_path: Path, behaviour: str) -> None:  # noqa: F811
    data = runtime.paths.data_dir
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    publish_app(vendor_server, tmp_path / "work", data, behaviour)
    root = tmp_path / "install"
    create_layout(root, make_bundle(tmp_path / "dist", __version__, data), __version__)
    install = AppInstall(InstallKind.SIDE_BY_SIDE, root, __version__)

    run = updater_for(runtime, vendor_server, install).run()
    assert run.error is None and run.app_update is not None and run.app_update.version == NEXT
    assert run.app_staged is not None and read_pending(data) == run.app_staged
    assert read_pointer(root) == Pointer(__version__)  # the running version is untouched

    outcome = hand_over_after_exit(install, data, ["--minimized"])
    if behaviour == GOOD:
        assert outcome.result is SwapResult.APPLIED and read_pointer(root) == Pointer(NEXT, __version__)
        assert wait_for_launches(data, 1) == [f"{NEXT} --minimized"]
    else:
        assert outcome.result is SwapResult.ROLLED_BACK and read_pointer(root) == Pointer(__version__)
        assert wait_for_launches(data, 2) == [f"{NEXT} --minimized", f"{__version__} --minimized"]
        # The refused version is not taken again on the next run.
        again = updater_for(runtime, vendor_server, install).run()
        assert again.error is None and again.app_update is None and refused_versions(data) == {NEXT}


def test_an_installer_build_is_not_offered_to_a_side_by_side_install(
        runtime: Runtime, vendor_server: VendorServer, tmp_path: Path) -> None:  # noqa: F811
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    setup = tmp_path / f"pmv-support-{NEXT}.exe"
    setup.write_bytes(os.urandom(1000))
    assert vendor_main(["repo", "add", str(setup), "--kind", "app", "--version", NEXT,
                        "--data", str(vendor_server.data)]) == 0
    root = tmp_path / "install"
    create_layout(root, make_bundle(tmp_path / "dist", __version__, runtime.paths.data_dir), __version__)
    run = updater_for(runtime, vendor_server, AppInstall(InstallKind.SIDE_BY_SIDE, root, __version__)).run()
    assert run.error is None and run.app_update is None and read_pending(runtime.paths.data_dir) is None


@pytest.mark.parametrize(("running", "offered", "takes"), [
    ("9.9.0rc1", ["9.9.0rc1", "9.9.0"], "9.9.0"),  # a shop on the release candidate is offered the release
    ("9.8.0", ["9.9.0rc1", "9.9.0"], "9.9.0"),  # and one before both takes the release, not the candidate
    ("9.9.0", ["9.9.0rc1", "9.9.1rc1"], "9.9.1rc1"),  # 9.9.1rc1 is newer than 9.9.0 (PEP 440), 9.9.0rc1 is not
    ("9.9.0", ["9.9.0rc1"], None),
])
def test_pre_releases_are_ordered_before_their_release(runtime: Runtime, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, running: str,
                                                       offered: list[str], takes: str | None) -> None:
    from app.updates import service
    from app.updates.targets import AvailableTarget

    monkeypatch.setattr(service, "__version__", running)
    updater = Updater(runtime, lambda: None,  # type: ignore[arg-type,return-value]
                      app_install=AppInstall(InstallKind.SIDE_BY_SIDE, tmp_path / "install", running))
    targets = [AvailableTarget(path=f"app/pmv-support-{v}.zip", length=1, hashes={"sha256": "0" * 64}, kind="app",
                               version=v, channel="stable", target_id="pmv-support") for v in offered]
    candidates = updater._app_candidates(targets)
    newest = max(candidates, key=lambda t: service._version_key(t.version)) if candidates else None
    assert (newest and newest.version) == takes
