"""The update events the real updater records, against a real repository served by the real vendor server.

Each test publishes with the vendor's tool (vendor_server/tuf_repo.py), serves it on 127.0.0.1, runs the shop's
updater on its real data folder, and reads what waits for the vendor in the app's ``fleet_outbox`` table (the
updater's default sink is ``runtime.fleet``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from app.runtime import Runtime
from app.updates.app_install import AppInstall, InstallKind, create_layout
from app.updates.app_swap import SwapResult
from app.updates.events import HELD_BACK_KEY
from app.updates.offline import import_offline
from app.updates.service import RollbackRefused, Updater
from app.updates.targets import UpdateErrorKind, rollout_bucket
from app.updates.tuf_client import UpdateClient
from tests.integration.conftest import VendorServer, start_vendor_server
from tests.integration.test_usb_import import NEXT_APP, PACK_ID, Vendor, events, said, served_file
from tests.unit.updates.app_fakes import CRASHES, GOOD, bundle_zip, hand_over_after_exit, make_bundle, wait_for_launches
from vendor_server import tuf_repo

pytestmark = pytest.mark.integration


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[VendorServer, Vendor]]:
    """The vendor's repository in the server's data folder, so the server publishes it."""
    with start_vendor_server(tmp_path / "server") as server:
        vendor = Vendor(server.data / "tuf", server.data / "tuf-keys", tmp_path / "work")
        vendor.work.mkdir()
        tuf_repo.init_repo(vendor.repo, vendor.keys)
        yield server, vendor


def online(runtime: Runtime, server: VendorServer, vendor: Vendor, install: AppInstall | None = None) -> Updater:
    """The shop's updater on the served repository, trusting the vendor's first root (as shipped)."""
    folder = runtime.paths.data_dir / "updates"
    root = vendor.root()
    return Updater(runtime, lambda: UpdateClient(folder / "metadata", folder / "downloads", server.base_url, root),
                   app_install=install)


def test_a_pack_downloaded_installed_and_rolled_back_by_hand_is_told_each_time(
        runtime: Runtime, served: tuple[VendorServer, Vendor]) -> None:
    server, vendor = served
    vendor.publish_pack("1.0.0")
    assert online(runtime, server, vendor).run().error is None
    vendor.publish_pack("1.1.0")
    assert online(runtime, server, vendor).run().error is None
    online(runtime, server, vendor).rollback(PACK_ID)

    assert said(runtime) == [
        ("downloaded", "pack", PACK_ID, "1.0.0", None, "online"),
        ("installed", "pack", PACK_ID, "1.0.0", None, "online"),
        ("downloaded", "pack", PACK_ID, "1.1.0", None, "online"),
        ("installed", "pack", PACK_ID, "1.1.0", None, "online"),
        ("rolled_back", "pack", PACK_ID, "1.1.0", "manual", "online"),
    ]
    told = events(runtime)
    assert told[3].from_version == "1.0.0"  # installed 1.1.0 over 1.0.0
    assert told[4].from_version == "1.0.0"  # gave 1.1.0 up, back on 1.0.0
    assert {e.at for e in told} == {runtime.clock()}  # the shop's clock, in the shop's zone
    assert len({e.id for e in told}) == 5


def test_a_pack_rolled_back_by_hand_stays_back_in_the_app_and_the_pos_until_a_newer_one(
        runtime: Runtime, served: tuple[VendorServer, Vendor], tmp_path: Path) -> None:
    # The next run (the agent's, every few hours) installed the version given up again, without a word; the POS's
    # rules folder kept it all along; and a second press of "Quay lại bản trước" went forward to it.
    pos_rules = tmp_path / "pos" / "rules"
    settings = runtime.settings.model_copy(update={"updates": runtime.settings.updates.model_copy(
        update={"pos_rules_dir": pos_rules})})
    runtime.loaded = dataclasses.replace(runtime.loaded, settings=settings)
    server, vendor = served
    vendor.publish_pack("1.0.0")
    assert online(runtime, server, vendor).run().error is None
    vendor.publish_pack("1.1.0")
    assert online(runtime, server, vendor).run().error is None
    assert json.loads((pos_rules / f"{PACK_ID}.json").read_bytes())["version"] == "1.1.0"

    back = online(runtime, server, vendor).rollback(PACK_ID)
    assert (back.version, back.previous_version) == ("1.0.0", "1.1.0")
    assert json.loads((pos_rules / f"{PACK_ID}.json").read_bytes())["version"] == "1.0.0"  # the POS follows
    again = online(runtime, server, vendor).run()
    assert again.error is None and again.installed == []
    assert runtime.pack_store.current(PACK_ID).version == "1.0.0"
    with pytest.raises(RollbackRefused) as refused:  # nothing older to go back to: not forward to 1.1.0
        online(runtime, server, vendor).rollback(PACK_ID)
    assert refused.value.reason == RollbackRefused.NO_PREVIOUS
    assert online(runtime, server, vendor).rolled_back() == {PACK_ID: ["1.1.0"]}

    # A USB copy brought on purpose installs it again (a mistaken rollback can be undone), and the hold goes.
    usb = import_offline(Updater(runtime, root_bytes=vendor.root()), vendor.export(tmp_path / "usb"))
    assert usb.error is None and [r.version for r in usb.installed] == ["1.1.0"]
    assert online(runtime, server, vendor).rolled_back() == {}
    assert online(runtime, server, vendor).rollback(PACK_ID).version == "1.0.0"  # and back again

    vendor.publish_pack("1.2.0")  # the vendor's fix
    newer = online(runtime, server, vendor).run()
    assert [r.version for r in newer.installed] == ["1.2.0"]
    assert json.loads((pos_rules / f"{PACK_ID}.json").read_bytes())["version"] == "1.2.0"


def test_a_release_outside_this_shops_rollout_is_told_held_back_once(
        runtime: Runtime, served: tuple[VendorServer, Vendor]) -> None:
    server, vendor = served
    vendor.publish_pack("1.0.0")
    install_id = Updater(runtime).install_id()
    bucket = rollout_bucket(install_id, "1.1.0")
    newer = vendor.publish_pack("1.1.0", rollout_percent=bucket)  # reaches buckets below this one only

    first = online(runtime, server, vendor).run()
    second = online(runtime, server, vendor).run()

    assert [t.version for t in first.held_back] == ["1.1.0"] == [t.version for t in second.held_back]
    assert runtime.pack_store.current(PACK_ID).version == "1.0.0"
    held = [e for e in events(runtime) if e.kind.value == "held_back"]
    assert [(e.target_id, e.version, e.bucket) for e in held] == [(PACK_ID, "1.1.0", bucket)]  # once, not per run
    assert runtime.state.get(HELD_BACK_KEY) == [f"pack:{PACK_ID}:1.1.0"]

    tuf_repo.set_rollout(vendor.repo, vendor.keys, newer.path, bucket + 1)  # the vendor widens the rollout
    widened = online(runtime, server, vendor).run()
    assert widened.held_back == [] and runtime.pack_store.current(PACK_ID).version == "1.1.0"
    assert said(runtime)[-1] == ("installed", "pack", PACK_ID, "1.1.0", None, "online")


def test_a_tampered_target_is_told_refused_with_its_kind(runtime: Runtime, served: tuple[VendorServer, Vendor]) -> None:
    server, vendor = served
    published = vendor.publish_pack("1.0.0")
    target = served_file(vendor.repo, published)
    target.write_bytes(target.read_bytes().replace(b"20000000", b"90000000"))  # same length, other bytes

    run = online(runtime, server, vendor).run()

    assert run.error is not None and run.error.kind is UpdateErrorKind.HASH_MISMATCH
    assert runtime.pack_store.installed() == []
    assert said(runtime) == [("refused", "pack", PACK_ID, "1.0.0", "hash_mismatch", "online")]


def test_metadata_signed_by_a_key_the_shop_does_not_trust_is_told_refused(
        runtime: Runtime, served: tuple[VendorServer, Vendor], tmp_path: Path) -> None:
    server, vendor = served
    vendor.publish_pack("1.0.0")
    updater = online(runtime, server, vendor)
    assert updater.run().error is None
    # The server's repository is replaced by another vendor's (a hijacked server).
    other = Vendor.create(tmp_path / "other")
    other.publish_pack("1.1.0")
    for part in ("metadata", "targets"):
        for file in (other.repo / part).rglob("*"):
            if file.is_file():
                dest = vendor.repo / part / file.relative_to(other.repo / part)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(file.read_bytes())

    run = updater.run()  # still trusting the shop's own vendor's root

    assert run.error is not None and run.error.kind is UpdateErrorKind.SECURITY
    assert runtime.pack_store.current(PACK_ID).version == "1.0.0"
    assert said(runtime)[-1] == ("refused", "metadata", "metadata", "2", "security", "online")


@pytest.mark.parametrize("behaviour", [GOOD, CRASHES])
def test_an_app_build_is_told_installed_once_it_started_or_rolled_back_with_the_helpers_reason(
        runtime: Runtime, served: tuple[VendorServer, Vendor], tmp_path: Path, behaviour: str) -> None:
    server, vendor = served
    data = runtime.paths.data_dir
    archive = vendor.work / f"pmv-support-{NEXT_APP}.zip"
    archive.write_bytes(bundle_zip(NEXT_APP, data, behaviour))
    tuf_repo.add_target(vendor.repo, vendor.keys, archive, kind="app", version=NEXT_APP, min_app_version=__version__)
    root = tmp_path / "install"
    create_layout(root, make_bundle(tmp_path / "dist", __version__, data), __version__)
    install = AppInstall(InstallKind.SIDE_BY_SIDE, root, __version__)
    staged = online(runtime, server, vendor, install).run()
    assert staged.app_staged is not None
    # A later run while the build waits for the app to exit: not fetched (nor told) again.
    assert online(runtime, server, vendor, install).run().app_staged == staged.app_staged
    assert said(runtime) == [("downloaded", "app", "app", NEXT_APP, None, "online")]

    outcome = hand_over_after_exit(install, data, ["--minimized"])
    wait_for_launches(data, 1 if behaviour == GOOD else 2)

    online(runtime, server, vendor, install).run()  # the next run, in the version that now runs, tells it
    online(runtime, server, vendor, install).run()  # ... once
    told = [e for e in events(runtime) if e.kind.value != "downloaded"]
    assert len(told) == 1
    event = told[0]
    assert (event.target_kind.value, event.target_id, event.version, event.from_version) == \
        ("app", "app", NEXT_APP, __version__)
    if behaviour == GOOD:
        assert outcome.result is SwapResult.APPLIED
        assert (event.kind.value, event.reason) == ("installed", None)
    else:
        assert outcome.result is SwapResult.ROLLED_BACK
        assert (event.kind.value, event.reason) == ("rolled_back", "exited_early")


class FullDiskOutbox:
    """The fleet outbox on a disk that has just filled up."""

    def record_event(self, event: object) -> None:
        raise OSError(28, "No space left on device")


def test_an_outbox_that_cannot_store_events_never_stops_an_update(
        runtime: Runtime, served: tuple[VendorServer, Vendor]) -> None:
    server, vendor = served
    vendor.publish_pack("1.0.0")
    folder = runtime.paths.data_dir / "updates"
    root = vendor.root()
    updater = Updater(runtime, lambda: UpdateClient(folder / "metadata", folder / "downloads", server.base_url, root),
                      events=FullDiskOutbox())
    run = updater.run()
    assert run.error is None and runtime.pack_store.current(PACK_ID).version == "1.0.0"
    vendor.publish_pack("1.1.0")
    assert updater.run().error is None
    assert updater.rollback(PACK_ID).version == "1.0.0"  # a rollback by hand too
    assert events(runtime) == []  # nothing reached the real outbox: the updater used the one it was given
