"""Rollouts end to end on loopback: the real vendor server and console, the app's real updater, real shop tokens.

(a) A manager pauses a release in the console (an HTTP form post in a signed-in admin session): a shop whose
rollout bucket is inside the percentage stops being offered it at its next refresh, while a shop that already
installed it keeps its version; resuming offers it again.
(b) Shops report, with their own tokens, that they installed a new app build and some rolled it back: when the
rollback rate among the shops that tried it reaches the setting, the rollout stops itself, re-signed at 0 %, and
the console says why.

The server's clock is fixed at the real time the test starts: python-tuf's client checks the metadata's expiry
against the real clock (under CI's moved clock both move together), so nothing depends on the date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from app import __version__
from app.bootstrap import bootstrap
from app.health.machine import MachineProbes
from app.infra.paths import AppPaths
from app.runtime import Runtime
from app.shop.demo import DemoShop
from app.updates.app_install import AppInstall, InstallKind, create_layout, read_pending
from app.updates.service import INSTALL_ID_KEY, Updater
from app.updates.targets import rollout_bucket
from app.updates.tuf_client import UpdateClient
from pmv_protocol.fleet import EVENTS_PATH
from tests.helpers import FixedClock
from tests.integration.conftest import start_vendor_server
from tests.integration.console_helpers import PASSWORD, STAFF, Console, csrf_of
from tests.unit.updates.app_fakes import bundle_zip, make_bundle
from vendor_server.cli import main as vendor_main
from vendor_server.console import accounts
from vendor_server.console.audit import Action
from vendor_server.db import VendorDatabase
from vendor_server.releases.settings import ReleaseSettings

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
PACK_FILE = REPO_ROOT / "resources" / "regulation" / "nd-232-2025.json"
APP_VERSION = "9.9.0"  # newer than any real version, so the test does not age
PACK_VERSION = "1.1.0"
PACK_ID = "nd-232-2025"


def release_console(tmp_path: Path, **app_options: object) -> Iterator[Console]:
    clock = FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    with start_vendor_server(tmp_path / "vendor", clock=clock, **app_options) as vendor:
        console = Console(vendor, clock)
        db = VendorDatabase(vendor.db_url)
        for login, (name, role) in STAFF.items():
            _staff, secret = accounts.add_staff(db, login, name, role, PASSWORD, now=clock())
            console.secrets[login] = secret
        db.engine.dispose()
        assert vendor_main(["repo", "init", "--data", str(vendor.data)]) == 0
        yield console


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    yield from release_console(tmp_path, releases=ReleaseSettings(auto_stop_rollback_rate=0.05,
                                                                  auto_stop_min_shops=10))


def install_id_inside(prefix: str, percent: int, *versions: str) -> str:
    """An install id whose rollout bucket is inside ``percent`` for every one of ``versions``."""
    return next(f"{prefix}-{n}" for n in range(10_000)
                if all(rollout_bucket(f"{prefix}-{n}", version) < percent for version in versions))


@dataclass
class ShopPc:
    """A shop's till: the app's runtime on its own data folder, its side-by-side install and its updater."""

    runtime: Runtime
    install: AppInstall
    updater: Updater

    def installed_pack(self) -> str | None:
        return {pack.id: pack.version for pack in self.runtime.pack_store.installed()}.get(PACK_ID)

    def pending_app(self) -> str | None:
        pending = read_pending(self.runtime.paths.data_dir)
        return None if pending is None else pending.version


@pytest.fixture
def shop_pcs(tmp_path: Path, demo_shop: DemoShop, console: Console) -> Iterator[dict[str, ShopPc]]:
    root = (console.vendor.data / "tuf" / "metadata" / "1.root.json").read_bytes()  # what the app ships
    made: dict[str, ShopPc] = {}
    for name in ("a", "b"):
        folder = tmp_path / f"shop-{name}"
        paths = AppPaths(config_dir=folder / "config", data_dir=folder / "data")
        runtime = bootstrap(demo_shop.settings_file, paths=paths, install_crash_handler=False,
                            machine=MachineProbes.fixed(cpu_percent=7.0, memory_percent=45.0))
        runtime.state.set(INSTALL_ID_KEY, install_id_inside(f"shop-{name}", 50, APP_VERSION, PACK_VERSION))
        install_root = folder / "install"
        create_layout(install_root, make_bundle(folder / "dist", __version__, runtime.paths.data_dir), __version__)
        install = AppInstall(InstallKind.SIDE_BY_SIDE, install_root, __version__)
        updates = runtime.paths.data_dir / "updates"

        def client(updates: Path = updates) -> UpdateClient:
            return UpdateClient(updates / "metadata", updates / "downloads", console.vendor.base_url, root,
                                read_timeout=10)

        made[name] = ShopPc(runtime, install, Updater(runtime, client, app_install=install))
    yield made
    for pc in made.values():
        pc.runtime.database.close()


def publish(console: Console, tmp_path: Path, percent: int) -> None:
    data = ["--data", str(console.vendor.data)]
    pack = tmp_path / "publish" / f"{PACK_ID}.json"
    pack.parent.mkdir(parents=True, exist_ok=True)
    pack.write_bytes(PACK_FILE.read_bytes().replace(b'"1.0.0"', f'"{PACK_VERSION}"'.encode()))
    assert vendor_main(["repo", "add", str(pack), "--kind", "regulation", "--version", PACK_VERSION,
                        "--effective-date", "2025-10-10", "--title", "Nghị định 232/2025/NĐ-CP (bản 1.1)",
                        "--rollout-percent", str(percent), *data]) == 0
    build = tmp_path / "publish" / f"pmv-support-{APP_VERSION}.zip"
    build.write_bytes(bundle_zip(APP_VERSION, tmp_path / "unused-data"))
    assert vendor_main(["repo", "add", str(build), "--kind", "app", "--version", APP_VERSION, "--min-app-version",
                        __version__, "--title", f"Bản {APP_VERSION}", "--rollout-percent", str(percent), *data]) == 0


def release_form(page: str, kind: str, target_id: str, version: str, **extra: str) -> dict[str, str]:
    return {"csrf": csrf_of(page), "target_kind": kind, "target_id": target_id, "version": version, **extra}


def row_of(page: str, kind: str, target_id: str, version: str) -> str:
    start = page.index(f'id="release-{kind}-{target_id}-{version}"')
    return page[start:page.index("</tr>", start)]


def signed_percent(console: Console, path: str, tmp_path: Path) -> int | None:
    """The rollout percent as a shop's TUF client verifies it from the server now (a fresh client each time)."""
    root = (console.vendor.data / "tuf" / "metadata" / "1.root.json").read_bytes()
    folder = tmp_path / "probe" / uuid.uuid4().hex
    listed = {t.path: t for t in UpdateClient(folder / "metadata", folder / "cache", console.vendor.base_url,
                                                root, read_timeout=10).refresh()}
    return listed[path].rollout_percent


# --------------------------------------------------------------------------- (a) a manual pause


def test_a_rollout_paused_in_the_console_stops_new_installs_and_updated_shops_keep_their_version(
        console: Console, shop_pcs: dict[str, ShopPc], tmp_path: Path) -> None:
    publish(console, tmp_path, 50)
    a, b = shop_pcs["a"], shop_pcs["b"]

    first = a.updater.run()  # shop A refreshes before the pause: inside the 50 %, it takes both
    assert first.error is None and [r.version for r in first.installed] == [PACK_VERSION]
    assert a.installed_pack() == PACK_VERSION and a.pending_app() == APP_VERSION

    admin = console.sign_in("phamlan")
    page = admin.get(f"{console.url}/releases", timeout=10).text
    assert "50&nbsp;%" in row_of(page, "pack", PACK_ID, PACK_VERSION)
    for kind, target_id, version in (("pack", PACK_ID, PACK_VERSION), ("app", "app", APP_VERSION)):
        answer = admin.post(f"{console.url}/releases/pause", data=release_form(page, kind, target_id, version),
                            timeout=30)
        assert answer.status_code == 200 and "/console/releases?done=paused" in answer.url, answer.text
        page = answer.text
        row = row_of(page, kind, target_id, version)
        assert "Đang tạm dừng" in row and "Tạm dừng bởi phamlan" in row and "Tiếp tục → 50\u00a0%" in row
    assert "cửa hàng đã cài vẫn giữ bản của mình" in page

    again = b.updater.run()  # shop B's next refresh: its bucket is inside 50 %, but the release is paused
    assert again.error is None and again.installed == [] and again.app_update is None
    assert b.installed_pack() is None and b.pending_app() is None
    kept = a.updater.run()  # shop A's next refresh: nothing taken away
    assert kept.error is None and a.installed_pack() == PACK_VERSION and a.pending_app() == APP_VERSION
    listed = {t.path: t.rollout_percent for t in kept.available}
    assert listed[f"app/pmv-support-{APP_VERSION}.zip"] == 0  # what the shop verified: the signed 0 %

    page = admin.get(f"{console.url}/releases", timeout=10).text
    for kind, target_id, version in (("pack", PACK_ID, PACK_VERSION), ("app", "app", APP_VERSION)):
        answer = admin.post(f"{console.url}/releases/resume", data=release_form(page, kind, target_id, version),
                            timeout=30)
        assert answer.status_code == 200 and "done=resumed" in answer.url, answer.text
        page = answer.text
    resumed = b.updater.run()  # the pause was what held shop B back: resumed, it takes both
    assert resumed.error is None and b.installed_pack() == PACK_VERSION and b.pending_app() == APP_VERSION
    logged = [(e.action, e.login) for e in console.audit() if str(e.action).startswith("rollout_")]
    assert logged == [(Action.ROLLOUT_RESUMED, "phamlan")] * 2 + [(Action.ROLLOUT_PAUSED, "phamlan")] * 2


def test_only_a_manager_with_the_forms_token_changes_a_rollout(console: Console, tmp_path: Path) -> None:
    publish(console, tmp_path, 50)
    path = f"app/pmv-support-{APP_VERSION}.zip"
    for login in ("thuha", "tranminh"):  # an agent, a technician: they see the page, not the buttons
        browser = console.sign_in(login)
        page = browser.get(f"{console.url}/releases", timeout=10).text
        assert 'id="release-app-app-9.9.0"' in page and "/console/releases/pause" not in page
        refused = browser.post(f"{console.url}/releases/pause", data=release_form(page, "app", "app", APP_VERSION),
                               timeout=10)
        assert refused.status_code == 403 and "không có quyền" in refused.text
    admin = console.sign_in("phamlan")
    page = admin.get(f"{console.url}/releases", timeout=10).text
    forged = admin.post(f"{console.url}/releases/pause",
                        data={**release_form(page, "app", "app", APP_VERSION), "csrf": "forged"}, timeout=10)
    assert forged.status_code == 403
    bad = admin.post(f"{console.url}/releases/percent",
                     data=release_form(page, "app", "app", APP_VERSION, percent="0"), timeout=10)
    assert bad.status_code == 422 and "từ 1 đến 100" in bad.text
    superscript = admin.post(f"{console.url}/releases/percent",  # "²".isdigit() is true; int("²") raises
                             data=release_form(page, "app", "app", APP_VERSION, percent="²"), timeout=10)
    assert superscript.status_code == 422 and "từ 1 đến 100" in superscript.text
    unknown = admin.post(f"{console.url}/releases/pause", data=release_form(page, "app", "app", "1.0.0"), timeout=10)
    assert unknown.status_code == 404 and "không còn trong kho" in unknown.text
    assert signed_percent(console, path, tmp_path) == 50  # nothing above changed the signed metadata
    changed = admin.post(f"{console.url}/releases/percent",
                         data=release_form(page, "app", "app", APP_VERSION, percent="20"), timeout=30)
    assert changed.status_code == 200 and "done=percent" in changed.url
    assert signed_percent(console, path, tmp_path) == 20
    assert [e.action for e in console.audit(outcome="refused")].count(Action.ROLE_REFUSED) == 2
    assert [e.action for e in console.audit(outcome="refused")].count(Action.CSRF_REFUSED) == 1


# --------------------------------------------------------------------------- (b) the automatic stop


def post_events(console: Console, token: str, *kinds: str, reason: str = "crashed_on_start") -> requests.Response:
    at = console.clock().astimezone(dt.timezone(dt.timedelta(hours=7))).isoformat()
    events = [{"id": str(uuid.uuid4()), "at": at, "kind": kind, "target_kind": "app", "target_id": "app",
               "version": APP_VERSION, "from_version": __version__, **({"reason": reason} if kind == "rolled_back"
                                                                      else {})} for kind in kinds]
    return requests.post(console.vendor.base_url + EVENTS_PATH, json={"events": events},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_the_rollout_stops_itself_on_rollback_reports_and_the_console_says_why(
        console: Console, tmp_path: Path) -> None:
    publish(console, tmp_path, 50)
    path = f"app/pmv-support-{APP_VERSION}.zip"
    tokens = [console.vendor.add_shop(f"KP-{n:04d}", f"Tiệm vàng số {n}") for n in range(1, 13)]
    for token in tokens[:8]:
        answer = post_events(console, token, "downloaded", "installed")
        assert answer.status_code == 200 and answer.json() == {"stored": 2, "duplicates": 0}
    assert post_events(console, tokens[8], "installed", "rolled_back").status_code == 200
    assert signed_percent(console, path, tmp_path) == 50  # 1 of 9: fewer than 10 shops tried it

    tipping = post_events(console, tokens[9], "installed", "rolled_back")  # 2 of 10 = 20 %
    assert tipping.status_code == 200 and tipping.json() == {"stored": 2, "duplicates": 0}
    assert signed_percent(console, path, tmp_path) == 0

    for token in tokens[10:]:  # more rollbacks after the stop: still one stop
        assert post_events(console, token, "installed", "rolled_back").status_code == 200
    [stopped] = console.audit(action=Action.ROLLOUT_AUTO_STOPPED)
    assert (stopped.login, stopped.shop_id) == ("system", "KP-0010")
    assert stopped.detail is not None and "2/10 shops rolled back (20.0 %)" in stopped.detail

    agent = console.sign_in("thuha")
    row = row_of(agent.get(f"{console.url}/releases", timeout=10).text, "app", "app", APP_VERSION)
    assert "Tự dừng: 2/10 cửa hàng (20 %) đã quay lại bản cũ" in row
    assert "<code>crashed_on_start</code>: 4" in row and '<td class="installed">12</td>' in row
    english = requests.Session()
    english.cookies.update(agent.cookies)
    english.cookies.set("pmv_console_lang", "en", path="/console")
    row = row_of(english.get(f"{console.url}/releases", timeout=10).text, "app", "app", APP_VERSION)
    assert "Stopped automatically: 2/10 shops (20 %) rolled back" in row

    admin = console.sign_in("phamlan")
    page = admin.get(f"{console.url}/releases", timeout=10).text
    assert "Tiếp tục → 50\u00a0%" in row_of(page, "app", "app", APP_VERSION)
    resumed = admin.post(f"{console.url}/releases/resume", data=release_form(page, "app", "app", APP_VERSION),
                         timeout=30)
    assert resumed.status_code == 200 and signed_percent(console, path, tmp_path) == 50
