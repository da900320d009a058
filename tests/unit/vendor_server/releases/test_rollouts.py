"""Pause, resume, percentage and the automatic stop, on a real database and a real signed repository."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.unit.vendor_server.releases.world import APP, NOW, PACK, World, batch, event, make_world
from vendor_server.console.audit import Action, entries
from vendor_server.releases import rollouts
from vendor_server.releases.events import TriedFigures
from vendor_server.releases.intake import receive_events
from vendor_server.releases.names import ReleaseKey
from vendor_server.releases.rollouts import Actor, RolloutError, rollout_state, should_stop
from vendor_server.releases.settings import ReleaseSettings

ISSUE = ReleaseSettings(auto_stop_rollback_rate=0.05, auto_stop_min_shops=10)  # the issue's example
ADMIN = Actor("phamlan", "127.0.0.1", staff_id=3)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "vendor")


@pytest.mark.parametrize(("tried", "rolled_back", "stops"), [
    (9, 1, False),  # 11 % but fewer than 10 shops tried it
    (10, 1, True),  # 10 %
    (20, 1, True),  # exactly 5 %: the rate is reached
    (21, 1, False),  # 4.8 %
    (10, 0, False),
    (0, 0, False),
])
def test_the_issues_example(tried: int, rolled_back: int, stops: bool) -> None:
    assert should_stop(TriedFigures(tried, rolled_back), ISSUE) is stops


def test_the_rate_is_compared_exactly() -> None:
    """0.1 and 0.3 are not exact in binary: 3 of 10 must still reach a 30 % setting."""
    assert should_stop(TriedFigures(10, 3), ReleaseSettings(auto_stop_rollback_rate=0.3, auto_stop_min_shops=1))
    assert not should_stop(TriedFigures(1000, 299), ReleaseSettings(auto_stop_rollback_rate=0.3,
                                                                    auto_stop_min_shops=1))


def _report(world: World, shops: int, rolled_back: int, key: ReleaseKey = APP, first: int = 1,
            settings: ReleaseSettings = ISSUE) -> list[rollouts.AutoStop]:
    """``shops`` shops report they tried ``key``, the last ``rolled_back`` of them rolling it back, each through
    the server's intake (stored, then the automatic stop looked at); returns the stops made."""
    stops: list[rollouts.AutoStop] = []
    for number in range(first, first + shops):
        shop_id = f"KP-{number:04d}"
        events = [event("downloaded", key), event("installed", key)]
        if number >= first + shops - rolled_back:
            events.append(event("rolled_back", key, reason="crashed_on_start"))
        _receipt, made = receive_events(world.db, world.shop(shop_id), shop_id, batch(*events), repo=world.repo,
                                        settings=settings, now=NOW, address="10.0.0.9")
        stops += made
    return stops


@pytest.mark.parametrize(("shops", "stops"), [(9, False), (10, True), (20, True), (21, False)])
def test_the_automatic_stop_on_simulated_reports(world: World, shops: int, stops: bool) -> None:
    made = _report(world, shops, 1)
    state = rollout_state(world.db, APP)
    if not stops:
        assert made == [] and world.percent() == 50 and (state is None or not state.paused)
        assert entries(world.db, action=Action.ROLLOUT_AUTO_STOPPED) == []
        return
    [stop] = made
    assert (stop.key, stop.figures, stop.before) == (APP, TriedFigures(shops, 1), 50)
    assert world.percent() == 0
    assert state is not None and state.paused and state.reason == "auto_rollbacks" and state.by == "system"
    assert (state.stop_rolled_back, state.stop_tried, state.percent_before) == (1, shops, 50)
    [logged] = entries(world.db, action=Action.ROLLOUT_AUTO_STOPPED)
    assert logged.login == "system" and logged.shop_id == f"KP-{shops:04d}" and logged.address == "10.0.0.9"
    assert logged.detail is not None and f"1/{shops} shops rolled back" in logged.detail


def test_a_paused_release_is_not_paused_a_second_time(world: World) -> None:
    assert len(_report(world, 10, 1)) == 1
    assert _report(world, 5, 5, first=11) == []  # five more rollbacks: still the one stop
    state = rollout_state(world.db, APP)
    assert state is not None and (state.stop_rolled_back, state.stop_tried, state.percent_before) == (1, 10, 50)
    assert len(entries(world.db, action=Action.ROLLOUT_AUTO_STOPPED)) == 1


def test_a_manual_pause_stays_manual(world: World) -> None:
    rollouts.pause(world.db, world.repo, APP, ADMIN, now=NOW)
    assert _report(world, 10, 3) == []
    state = rollout_state(world.db, APP)
    assert state is not None and state.reason == "manual" and state.by == "phamlan" and state.percent_before == 50


def test_a_pack_never_stops_itself(world: World) -> None:
    """A shop rolls a pack back by hand, one at a time, for its own reasons (a rule it disputes): no signal about
    the pack's quality worth stopping everyone for.  Only app builds stop themselves."""
    assert _report(world, 10, 10, key=PACK) == []
    assert world.percent("regulation/nd-232-2025-1.0.0.json") is None
    assert rollout_state(world.db, PACK) is None


def test_a_release_the_shops_report_but_the_repository_no_longer_lists_is_left_alone(world: World) -> None:
    gone = ReleaseKey("app", "app", "9.8.0")
    assert _report(world, 10, 5, key=gone) == []  # logged; the reports are stored all the same
    assert rollout_state(world.db, gone) is None


def test_pause_and_resume_restore_the_percentage(world: World) -> None:
    assert rollouts.pause(world.db, world.repo, APP, ADMIN, now=NOW) == rollouts.RolloutChange(APP, 50, 0)
    assert world.percent() == 0
    with pytest.raises(RolloutError) as again:
        rollouts.pause(world.db, world.repo, APP, ADMIN, now=NOW)
    assert again.value.code == RolloutError.ALREADY_PAUSED
    assert rollouts.resume(world.db, world.repo, APP, ADMIN, now=NOW) == rollouts.RolloutChange(APP, 0, 50)
    assert world.percent() == 50
    with pytest.raises(RolloutError) as twice:
        rollouts.resume(world.db, world.repo, APP, ADMIN, now=NOW)
    assert twice.value.code == RolloutError.NOT_PAUSED
    logged = [(e.action, e.login, e.detail) for e in reversed(entries(world.db)) if e.action != Action.SIGN_IN]
    assert logged == [(Action.ROLLOUT_PAUSED, "phamlan", "app 9.9.0: 50 % -> 0 %"),
                      (Action.ROLLOUT_RESUMED, "phamlan", "app 9.9.0: 0 % -> 50 %")]


def test_a_release_offered_to_everyone_is_resumed_to_everyone(tmp_path: Path) -> None:
    world = make_world(tmp_path / "vendor", app_percent=None)
    assert rollouts.pause(world.db, world.repo, APP, ADMIN, now=NOW).before is None
    assert rollouts.resume(world.db, world.repo, APP, ADMIN, now=NOW).after is None
    assert world.percent() is None


def test_a_resumed_release_waits_for_a_new_rollback_before_stopping_again(world: World) -> None:
    assert len(_report(world, 10, 1)) == 1
    rollouts.resume(world.db, world.repo, APP, ADMIN, now=NOW)  # the manager read the reason and accepted it
    assert _report(world, 2, 0, first=11) == [] and world.percent() == 50  # 1/12 is still over 5 %
    [stop] = _report(world, 1, 1, first=13)  # a new rollback: 2/13
    assert stop.figures == TriedFigures(13, 2) and world.percent() == 0


def test_a_new_percentage_is_signed_and_resumes_a_paused_release(world: World) -> None:
    assert rollouts.set_percent(world.db, world.repo, APP, 20, ADMIN, now=NOW).before == 50
    assert world.percent() == 20
    rollouts.pause(world.db, world.repo, APP, ADMIN, now=NOW)
    assert rollouts.set_percent(world.db, world.repo, APP, 100, ADMIN, now=NOW).before == 0
    state = rollout_state(world.db, APP)
    assert world.percent() == 100 and state is not None and not state.paused
    [changed, *_] = entries(world.db, action=Action.ROLLOUT_PERCENT)
    assert changed.detail == "app 9.9.0: 0 % -> 100 % (was paused)"


@pytest.mark.parametrize("percent", [0, 101, -5, True])
def test_a_percentage_out_of_range_is_refused(world: World, percent: int) -> None:
    with pytest.raises(RolloutError) as refused:
        rollouts.set_percent(world.db, world.repo, APP, percent, ADMIN, now=NOW)
    assert refused.value.code == RolloutError.BAD_PERCENT and world.percent() == 50


def test_a_release_not_published_or_a_server_without_repository_is_refused(world: World) -> None:
    with pytest.raises(RolloutError) as unknown:
        rollouts.pause(world.db, world.repo, ReleaseKey("app", "app", "1.0.0"), ADMIN, now=NOW)
    assert unknown.value.code == RolloutError.NOT_PUBLISHED
    with pytest.raises(RolloutError) as bare:
        rollouts.pause(world.db, None, APP, ADMIN, now=NOW)
    assert bare.value.code == RolloutError.NO_REPOSITORY
    assert rollout_state(world.db, APP) is None and entries(world.db) == []


def test_a_failed_re_signature_leaves_the_release_running(world: World) -> None:
    next(world.repo.keys_dir.glob("targets-*.key")).unlink()
    with pytest.raises(RolloutError) as refused:
        rollouts.pause(world.db, world.repo, APP, ADMIN, now=NOW)
    assert refused.value.code == RolloutError.SIGNING
    state = rollout_state(world.db, APP)
    assert world.percent() == 50 and (state is None or not state.paused) and entries(world.db) == []


def test_managers_pausing_at_once_pause_once_and_remember_the_real_percent(world: World) -> None:
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def work(number: int) -> None:
        start.wait()
        try:
            rollouts.pause(world.db, world.repo, APP, Actor(f"admin{number}", "127.0.0.1"), now=NOW)
            outcomes.append("paused")
        except RolloutError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["already_paused"] * 3 + ["paused"]
    state = rollout_state(world.db, APP)
    assert state is not None and state.percent_before == 50 and world.percent() == 0
    assert len(entries(world.db, action=Action.ROLLOUT_PAUSED)) == 1
