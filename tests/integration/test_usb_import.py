"""Updates without Internet: a copy of the vendor's repository on a USB stick, verified as a download is.

Every repository here is made by the vendor's own tool (vendor_server/tuf_repo.py) and copied into the
export layout (``DIR/metadata``, ``DIR/targets``) as ``pmv-vendor repo export-offline`` writes it; the shop
imports it with the real updater into its real data folder and database.  The copies are written by the vendor's
export itself (vendor_server/releases/offline.py).  A refused copy installs nothing,
leaves the packs as they were, and the vendor is told the refusal (source ``usb``) like any other.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import __version__
from app.fleet.store import FleetStore
from app.infra.resources import resources_dir
from app.runtime import Runtime
from app.updates.app_install import AppInstall, InstallKind, StageProblem, create_layout, read_pending
from app.updates.app_swap import SwapResult
from app.updates.offline import CopyFolderError, CopyFolderProblem, OfflineCopyRefused, OfflineRefusal, import_offline
from app.updates.service import APP_SOURCES_KEY, Updater
from app.updates.targets import UpdateErrorKind
from app.updates.tuf_client import UpdateClient
from pmv_protocol.fleet import UpdateEvent
from pmv_protocol.shop_time import SHOP_TZ
from tests.helpers import FixedClock
from tests.integration.conftest import start_vendor_server
from tests.integration.test_tuf_repo_and_client import trusted_files
from tests.unit.updates.app_fakes import bundle_zip, hand_over_after_exit, make_bundle, wait_for_launches
from vendor_server import tuf_repo
from vendor_server.releases.offline import export_offline

pytestmark = pytest.mark.integration

PACK = resources_dir() / "regulation" / "nd-232-2025.json"
CALENDAR_2026 = resources_dir() / "calendar" / "vendor-calendar-2026.json"
PACK_ID = "nd-232-2025"
NEXT_APP = "9.9.0"  # newer than any real version, so the test does not age


@dataclass
class Vendor:
    """One vendor's repository and keys, published with the vendor's tool."""

    repo: Path
    keys: Path
    work: Path

    @classmethod
    def create(cls, folder: Path, *, now: dt.datetime | None = None) -> Vendor:
        vendor = cls(folder / "tuf", folder / "tuf-keys", folder / "work")
        vendor.work.mkdir(parents=True, exist_ok=True)
        tuf_repo.init_repo(vendor.repo, vendor.keys, now=now)
        return vendor

    def root(self) -> bytes:
        """The root a shop ships with (the first version)."""
        return tuf_repo.VendorRepository(self.repo, self.keys).root_bytes(1)

    def publish_pack(self, version: str, *, now: dt.datetime | None = None, rollout_percent: int | None = None,
                     amount: int | None = None) -> tuf_repo.PublishedTarget:
        doc = json.loads(PACK.read_text(encoding="utf-8"))
        doc["version"] = version
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if amount is not None:
            text = text.replace("20000000", str(amount))
        file = self.work / f"{PACK_ID}-{version}.json"
        file.write_text(text, encoding="utf-8")
        return tuf_repo.add_target(self.repo, self.keys, file, kind="regulation", version=version,
                                   effective_date="2025-10-10", target_id=PACK_ID, title_vi=doc["title_vi"],
                                   rollout_percent=rollout_percent, now=now)

    def publish_calendar(self, *, now: dt.datetime | None = None) -> tuf_repo.PublishedTarget:
        return tuf_repo.add_target(self.repo, self.keys, CALENDAR_2026, kind="calendar", version="1.0.0", now=now)

    def publish_app(self, version: str, data_dir: Path) -> tuf_repo.PublishedTarget:
        archive = self.work / f"pmv-support-{version}.zip"
        archive.write_bytes(bundle_zip(version, data_dir))
        return tuf_repo.add_target(self.repo, self.keys, archive, kind="app", version=version,
                                   min_app_version=__version__)

    def export(self, dest: Path) -> Path:
        """The copy ``pmv-vendor repo export-offline DIR`` writes (``metadata/``, ``targets/``, its marker)."""
        export_offline(tuf_repo.VendorRepository(self.repo, self.keys), dest, now=dt.datetime.now(dt.UTC))
        return dest


def served_file(copy: Path, target: tuf_repo.PublishedTarget) -> Path:
    folder, _, name = target.path.rpartition("/")
    return copy / "targets" / folder / f"{target.sha256}.{name}"


def events(runtime: Runtime) -> list[UpdateEvent]:
    """The update events waiting in the fleet outbox (the ``fleet_outbox`` table), oldest first."""
    return [UpdateEvent.model_validate_json(item.body) for item in FleetStore(runtime.database).events(500)]


def said(runtime: Runtime) -> list[tuple[str, str, str, str, str | None, str]]:
    return [(e.kind.value, e.target_kind.value, e.target_id, e.version, e.reason, e.source.value)
            for e in events(runtime)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def vendor(tmp_path: Path) -> Vendor:
    return Vendor.create(tmp_path / "vendor")


def test_a_good_copy_installs_its_packs_and_the_vendor_hears_it_came_by_usb(
        runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    vendor.publish_pack("1.0.0")
    vendor.publish_calendar()
    copy = vendor.export(tmp_path / "usb")
    on_stick = snapshot(copy)

    run = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)

    assert run.error is None
    assert [(r.pack_id, r.version) for r in run.installed] == [(PACK_ID, "1.0.0")]
    assert [(r.pack_id, r.version) for r in run.calendars] == [("vendor-calendar-2026", "1.0.0")]
    assert runtime.pack_store.current(PACK_ID).version == "1.0.0"
    assert not runtime.working_calendar().source_for(2026).is_estimate
    assert said(runtime) == [
        ("downloaded", "pack", PACK_ID, "1.0.0", None, "usb"),
        ("installed", "pack", PACK_ID, "1.0.0", None, "usb"),
        ("downloaded", "calendar", "vendor-calendar-2026", "1.0.0", None, "usb"),
        ("installed", "calendar", "vendor-calendar-2026", "1.0.0", None, "usb"),
    ]
    assert snapshot(copy) == on_stick  # nothing is written to the stick
    # The same copy again: verified, nothing new, nothing more to tell.
    again = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)
    assert again.error is None and again.installed == [] and again.calendars == []
    assert len(events(runtime)) == 4


def test_the_vendors_repository_folder_itself_is_read_as_a_copy(
        runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    vendor.publish_pack("1.0.0")
    stick = tmp_path / "usb"
    shutil.copytree(vendor.repo, stick / "tuf")  # the folder as the vendor keeps it, copied by hand
    run = import_offline(Updater(runtime, root_bytes=vendor.root()), stick)
    assert run.error is None and runtime.pack_store.current(PACK_ID).version == "1.0.0"


def test_a_stale_copy_is_refused_saying_since_when(runtime: Runtime, tmp_path: Path) -> None:
    # python-tuf judges expiry by the real clock; the shop's clock is set to the same moment for the age.
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    runtime.clock = FixedClock(now)
    made = now - dt.timedelta(days=40)
    vendor = Vendor.create(tmp_path / "vendor", now=made)
    vendor.publish_pack("1.0.0", now=made)
    copy = vendor.export(tmp_path / "usb")

    run = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)

    error = run.error
    assert isinstance(error, OfflineCopyRefused) and error.problem is OfflineRefusal.STALE
    assert error.kind is UpdateErrorKind.SECURITY
    expired = made + dt.timedelta(days=tuf_repo.DEFAULT_EXPIRY_DAYS["timestamp"])
    assert error.expired_at == expired
    assert error.expired_on == expired.astimezone(SHOP_TZ).date()
    assert error.days_ago == (now.astimezone(SHOP_TZ).date() - error.expired_on).days
    assert 32 <= error.days_ago <= 34
    assert runtime.pack_store.installed() == []
    assert said(runtime) == [("refused", "metadata", "metadata", "0", "security", "usb")]


@pytest.mark.parametrize("tamper", ["same length", "longer", "targets metadata edited"])
def test_a_tampered_copy_is_refused_and_the_shop_keeps_what_it_had(
        runtime: Runtime, vendor: Vendor, tmp_path: Path, tamper: str) -> None:
    vendor.publish_pack("1.0.0")
    first = vendor.export(tmp_path / "first")
    assert import_offline(Updater(runtime, root_bytes=vendor.root()), first).error is None
    newer = vendor.publish_pack("1.1.0", amount=90_000_000)
    copy = vendor.export(tmp_path / "usb")
    served = served_file(copy, newer)
    if tamper == "same length":  # someone lowers the limit back on the stick: only the signed hash can tell
        served.write_bytes(served.read_bytes().replace(b"90000000", b"10000000"))
    elif tamper == "longer":
        served.write_bytes(served.read_bytes() + b" ")
    else:  # the signed metadata itself: the targets file names another hash
        targets = copy / "metadata" / f"{newer.targets_version}.targets.json"
        targets.write_bytes(targets.read_bytes().replace(newer.sha256.encode(), b"0" * 64))
    before = trusted_files(runtime.paths.data_dir / "updates" / "metadata")

    run = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)

    error = run.error
    assert isinstance(error, OfflineCopyRefused) and error.problem is OfflineRefusal.TAMPERED
    assert runtime.pack_store.current(PACK_ID).version == "1.0.0"
    assert [r.version for r in run.installed] == []
    told = said(runtime)[2:]  # after the first copy's downloaded + installed
    if tamper == "targets metadata edited":
        # The refused role is not named by python-tuf here: the timestamp the shop trusted before, version 2.
        assert told == [("refused", "metadata", "metadata", "2", "security", "usb")]
        # The new timestamp and snapshot verified and are kept (python-tuf stores each as it verifies); the
        # targets the shop trusts are still the first copy's.
        after = trusted_files(runtime.paths.data_dir / "updates" / "metadata")
        assert after["targets.json"] == before["targets.json"]
    else:
        assert told == [("refused", "pack", PACK_ID, "1.1.0", error.kind.value, "usb")]
        assert error.kind in (UpdateErrorKind.HASH_MISMATCH, UpdateErrorKind.TOO_LARGE)


def test_a_copy_whose_signed_metadata_was_edited_is_refused_as_tampered_whatever_else_lies_there(
        runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    vendor.publish_pack("1.0.0")
    copy = vendor.export(tmp_path / "usb")
    timestamp = copy / "metadata" / "timestamp.json"
    document = json.loads(timestamp.read_bytes())
    document["signed"]["expires"] = "2099-01-01T00:00:00Z"  # kept fresh by hand: its signature no longer holds
    timestamp.write_text(json.dumps(document))
    # A stray file whose name passes str.isdigit() but not int() ("²"): wording the refusal raised on it.
    (copy / "metadata" / "².root.json").write_bytes(b"{}")

    run = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)

    error = run.error
    assert isinstance(error, OfflineCopyRefused) and error.problem is OfflineRefusal.TAMPERED
    assert runtime.pack_store.installed() == []


def test_a_copy_older_than_what_the_shop_already_has_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    with start_vendor_server(tmp_path / "server") as server:
        vendor = Vendor(server.data / "tuf", server.data / "tuf-keys", tmp_path / "work")
        vendor.work.mkdir()
        tuf_repo.init_repo(vendor.repo, vendor.keys)
        vendor.publish_pack("1.0.0")
        old_copy = vendor.export(tmp_path / "old-usb")  # made last month, kept in a drawer
        vendor.publish_pack("1.1.0")
        folder = runtime.paths.data_dir / "updates"
        online = Updater(runtime, lambda: UpdateClient(folder / "metadata", folder / "downloads", server.base_url,
                                                       vendor.root())).run()
        assert online.error is None and runtime.pack_store.current(PACK_ID).version == "1.1.0"
    before = trusted_files(folder / "metadata")

    run = import_offline(Updater(runtime, root_bytes=vendor.root()), old_copy)

    error = run.error
    assert isinstance(error, OfflineCopyRefused) and error.problem is OfflineRefusal.ROLLBACK
    assert runtime.pack_store.current(PACK_ID).version == "1.1.0"
    assert trusted_files(folder / "metadata") == before
    assert said(runtime)[-1] == ("refused", "metadata", "metadata", "3", "security", "usb")


@pytest.mark.parametrize("rotated", [False, True], ids=["first root", "rotated root"])
def test_a_copy_from_another_vendor_is_refused_as_not_yours(
        runtime: Runtime, vendor: Vendor, tmp_path: Path, rotated: bool) -> None:
    other = Vendor.create(tmp_path / "other")
    other.publish_pack("1.0.0")
    if rotated:  # its 2.root.json, signed by its own root keys only
        tuf_repo.rotate_key(other.repo, other.keys, "timestamp")
    copy = other.export(tmp_path / "usb")

    run = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)

    error = run.error
    assert isinstance(error, OfflineCopyRefused) and error.problem is OfflineRefusal.FOREIGN
    assert runtime.pack_store.installed() == []
    assert said(runtime) == [("refused", "metadata", "metadata", "0", "security", "usb")]


def test_a_copy_missing_a_target_says_it_is_incomplete(runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    published = vendor.publish_pack("1.0.0")
    copy = vendor.export(tmp_path / "usb")
    served_file(copy, published).unlink()
    run = import_offline(Updater(runtime, root_bytes=vendor.root()), copy)
    error = run.error
    assert isinstance(error, OfflineCopyRefused) and error.problem is OfflineRefusal.INCOMPLETE
    assert runtime.pack_store.installed() == []
    assert said(runtime) == []  # a missing file is this stick's trouble, not the release's


@pytest.mark.parametrize("kind", ["missing", "file", "empty", "unfinished"])
def test_a_folder_that_is_not_a_copy_is_refused_before_anything_is_read(
        runtime: Runtime, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "stick"
    if kind == "file":
        target.write_bytes(b"not a folder")
    elif kind == "empty":
        (target / "metadata").mkdir(parents=True)
    elif kind == "unfinished":  # the export was cut short: its marker still says so
        vendor = Vendor.create(tmp_path / "vendor")
        vendor.export(target)
        (target / "pmv-offline.json").write_text('{"made_by": "pmv-vendor repo export-offline", "complete": false}',
                                                 encoding="utf-8")
    with pytest.raises(CopyFolderError) as refused:
        import_offline(Updater(runtime, root_bytes=b"{}"), target)
    expected = {"missing": CopyFolderProblem.NOT_FOUND, "file": CopyFolderProblem.NOT_A_FOLDER,
                "empty": CopyFolderProblem.NOT_A_COPY, "unfinished": CopyFolderProblem.UNFINISHED}[kind]
    assert refused.value.problem is expected
    assert not (runtime.paths.data_dir / "updates" / "metadata").exists()


def test_an_app_build_on_the_copy_is_staged_where_the_install_can_apply_it(
        runtime: Runtime, vendor: Vendor, tmp_path: Path) -> None:
    data = runtime.paths.data_dir
    vendor.publish_app(NEXT_APP, data)
    copy = vendor.export(tmp_path / "usb")

    unmanaged = import_offline(Updater(runtime, app_install=AppInstall(InstallKind.UNMANAGED),
                                       root_bytes=vendor.root()), copy)
    assert unmanaged.error is None and unmanaged.app_update is not None
    assert unmanaged.app_stage_error is not None and unmanaged.app_stage_error.problem is StageProblem.UNMANAGED
    assert read_pending(data) is None

    root = tmp_path / "install"
    create_layout(root, make_bundle(tmp_path / "dist", __version__, data), __version__)
    side_by_side = AppInstall(InstallKind.SIDE_BY_SIDE, root, __version__)
    run = import_offline(Updater(runtime, app_install=side_by_side, root_bytes=vendor.root()), copy)
    assert run.error is None and run.app_staged is not None and run.app_staged.version == NEXT_APP
    assert read_pending(data) == run.app_staged
    assert runtime.state.get(APP_SOURCES_KEY) == {NEXT_APP: "usb"}
    downloaded = [e for e in said(runtime) if e[0] == "downloaded"]
    assert downloaded == [("downloaded", "app", "app", NEXT_APP, None, "usb")] * 2

    # The app exits, the helper switches and the new version starts: told as installed, from the stick.
    assert hand_over_after_exit(side_by_side, data, [], lives=0.3).result is SwapResult.APPLIED
    wait_for_launches(data, 1)
    Updater(runtime, app_install=side_by_side, root_bytes=vendor.root()).report_app_outcome()
    assert said(runtime)[-1] == ("installed", "app", "app", NEXT_APP, None, "usb")
