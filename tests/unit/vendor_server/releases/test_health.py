"""Release health: distinct shops per release and event kind, beside the signed rollout state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.vendor_server.releases.world import APP, NOW, PACK, World, event, make_world
from vendor_server.releases import rollouts
from vendor_server.releases.health import release_health
from vendor_server.releases.names import ReleaseKey
from vendor_server.releases.rollouts import Actor
from vendor_server.tuf_repo import VendorRepository

METADATA = ReleaseKey("metadata", "metadata", "7")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "vendor")


def test_each_release_counts_distinct_shops_per_kind_with_its_reasons(world: World) -> None:
    world.send("KP-0001", event("downloaded"), event("downloaded"), event("installed"))
    world.send("KP-0002", event("downloaded"), event("installed"), event("rolled_back", reason="crashed_on_start"))
    world.send("KP-0003", event("held_back", bucket=77))
    world.send("KP-0004", event("refused", reason="security"), event("refused", reason="hash_mismatch"))
    world.send("KP-0005", event("installed", PACK), event("rolled_back", PACK, reason="by_hand"))
    world.send("KP-0006", event("refused", METADATA, reason="security"))
    world.send("KP-0007", event("refused", METADATA, reason="security"),
               event("refused", ReleaseKey("metadata", "metadata", "8"), reason="security"))
    report = release_health(world.db, world.repo)
    rows = {row.key: row for row in report.releases}
    assert list(rows) == [APP, PACK]  # app builds first, then packs; the metadata is not a release
    app = rows[APP]
    assert (app.offered, app.downloaded, app.installed, app.rolled_back, app.tried, app.refused, app.held_back) \
        == (4, 2, 2, 1, 2, 1, 1)
    assert app.rollback_reasons == (("crashed_on_start", 1),)
    assert app.refusal_reasons == (("hash_mismatch", 1), ("security", 1))
    assert (app.title, app.paths, app.channel, app.percent, app.paused) == (
        "Bản 9.9.0", ("app/pmv-support-9.9.0.zip",), "stable", 50, False)
    pack = rows[PACK]
    assert (pack.offered, pack.installed, pack.rolled_back, pack.percent) == (1, 1, 1, None)
    assert report.metadata_refusals == (("security", 2),)  # two shops, whichever version they refused
    assert report.repository and report.problem == ""


def test_a_paused_release_shows_its_state_and_a_release_no_longer_published_still_shows(world: World) -> None:
    rollouts.pause(world.db, world.repo, APP, Actor("phamlan", "127.0.0.1"), now=NOW)
    old = ReleaseKey("app", "app", "9.8.0")
    world.send("KP-0001", event("installed", old))
    rows = {row.key: row for row in release_health(world.db, world.repo).releases}
    state = rows[APP].rollout
    assert rows[APP].paused and rows[APP].percent == 0 and state is not None
    assert state.percent_before == 50 and state.by == "phamlan"
    assert not rows[old].published and rows[old].installed == 1 and rows[old].percent is None
    assert [row.key for row in release_health(world.db, world.repo).releases] == [APP, old, PACK]


def test_an_app_build_in_two_formats_is_one_release(world: World, tmp_path: Path) -> None:
    setup = tmp_path / "pmv-support-9.9.0.exe"
    setup.write_bytes(os.urandom(500))
    world.repo.add_target(setup, kind="app", version="9.9.0", rollout_percent=50)
    [app] = [row for row in release_health(world.db, world.repo).releases if row.key == APP]
    assert app.paths == ("app/pmv-support-9.9.0.exe", "app/pmv-support-9.9.0.zip")
    rollouts.pause(world.db, world.repo, APP, Actor("phamlan", "127.0.0.1"), now=NOW)
    assert {path: info.custom["rollout_percent"] for path, info in world.repo.targets().items()
            if path.startswith("app/")} == {"app/pmv-support-9.9.0.exe": 0, "app/pmv-support-9.9.0.zip": 0}


def test_a_server_without_a_repository_shows_the_reports_alone(world: World, tmp_path: Path) -> None:
    world.send("KP-0001", event("installed"))
    report = release_health(world.db, VendorRepository(tmp_path / "none", tmp_path / "none-keys"))
    assert not report.repository and [row.key for row in report.releases] == [APP]
    assert not report.releases[0].published
    assert not release_health(world.db, None).repository


def test_within_one_id_the_newest_version_comes_first_pre_releases_before_their_release() -> None:
    from vendor_server.releases.names import display_order

    shown = ["1.2.0rc1", "1.2.1rc1", "1.2.0", "1.10.0", "1.2.1", "1.9.0", "1.2"]
    ordered = [key.version for key in sorted((ReleaseKey("app", "app", v) for v in shown), key=display_order)]
    # PEP 440: 1.10.0 > 1.9.0 > 1.2.1 > 1.2.1rc1 > 1.2.0 == 1.2 > 1.2.0rc1 (equal ones keep their order)
    assert ordered == ["1.10.0", "1.9.0", "1.2.1", "1.2.1rc1", "1.2.0", "1.2", "1.2.0rc1"]
