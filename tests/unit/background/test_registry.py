"""The background jobs' one timetable, and the one rule for handing over to a waiting app version."""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import random
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import app.updates.app_swap as app_swap
from app.background.agent import BackgroundAgent
from app.background.registry import (
    BACKGROUND_JOBS,
    DELIVER,
    HEALTH,
    HEARTBEAT,
    POLL,
    UPDATES,
    WARRANTY,
    HandOverMoment,
    hand_over,
    hand_over_allowed,
    job_named,
)
from app.infra.settings import FleetSettings, HealthSettings, Settings, UpdatesSettings
from app.updates.app_install import AppInstall, InstallKind, PendingUpdate
from pmv_protocol.shop_time import SHOP_TZ

ROOT = Path(__file__).resolve().parents[3]


class Extreme:
    """A random source that always draws the low (or the high) end: the jitter's bounds, exactly."""

    def __init__(self, high: bool) -> None:
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


# --------------------------------------------------------------------------- the timetable


def _settings(*, minutes: int = 30, hours: float = 6) -> Settings:
    return Settings(health=HealthSettings(interval_minutes=minutes), updates=UpdatesSettings(interval_hours=hours))


def test_the_periods_come_from_the_settings() -> None:
    settings = _settings(minutes=5, hours=1.5)
    assert HEALTH.period(settings) == 5 * 60
    assert UPDATES.period(settings) == 1.5 * 3600
    assert UPDATES.interval(settings, Extreme(high=False)) == dt.timedelta(hours=1.5)
    # Jobs without a setting keep their fixed period whatever the settings say.
    assert POLL.period(settings) == 120 and DELIVER.period(settings) == 30 and WARRANTY.period(settings) == 6 * 3600


def test_the_defaults_the_tray_plans_with_are_the_settings_defaults() -> None:
    """Before its first job process reports, the tray plans with these: they must be what the settings say."""
    defaults = Settings()
    for job in BACKGROUND_JOBS:
        assert job.period() == job.period(defaults), job.name
    assert HEALTH.period_from(defaults.health.interval_minutes) == HEALTH.period()


def test_the_update_run_is_jittered_by_up_to_30_minutes_and_first_comes_20_to_120_seconds_after_start() -> None:
    settings = _settings(hours=6)
    low, high = Extreme(high=False), Extreme(high=True)
    assert UPDATES.interval(settings, low) == dt.timedelta(hours=6)
    assert UPDATES.interval(settings, high) == dt.timedelta(hours=6, minutes=30)
    assert UPDATES.first_after(low) == dt.timedelta(seconds=20)
    assert UPDATES.first_after(high) == dt.timedelta(seconds=120)
    rng = random.Random(7)
    for _ in range(200):
        assert dt.timedelta(hours=6) <= UPDATES.interval(settings, rng) <= dt.timedelta(hours=6, minutes=30)
        first = UPDATES.first_after(rng)
        assert first is not None and dt.timedelta(seconds=20) <= first <= dt.timedelta(seconds=120)


def test_the_heartbeat_comes_every_heartbeat_minutes_a_minute_apart_at_most_and_soon_after_start() -> None:
    settings = Settings(fleet=FleetSettings(heartbeat_minutes=20))
    low, high = Extreme(high=False), Extreme(high=True)
    assert HEARTBEAT.period() == HEARTBEAT.period(Settings()) == 15 * 60
    assert HEARTBEAT.interval(settings, low) == dt.timedelta(minutes=20)
    assert HEARTBEAT.interval(settings, high) == dt.timedelta(minutes=21)
    # After the first checks (which start at once) have had time to finish, and within the tray's first batch.
    assert HEARTBEAT.first_after(low) == dt.timedelta(seconds=20)
    assert HEARTBEAT.first_after(high) == dt.timedelta(seconds=50)


def test_only_the_update_run_and_heartbeat_are_jittered_the_checks_and_status_start_at_once() -> None:
    high = Extreme(high=True)
    for job in (HEALTH, POLL, DELIVER, WARRANTY):
        assert job.interval(Settings(), high) == dt.timedelta(seconds=job.period()), job.name
    assert HEALTH.first_after(high) == POLL.first_after(high) == dt.timedelta(0)
    assert DELIVER.first_after(high) is None


def test_every_job_has_one_entry_and_the_headless_agent_runs_all_but_the_coverage_reminder() -> None:
    names = [job.name for job in BACKGROUND_JOBS]
    # The order a job process runs them: the heartbeat right after the checks it reports.
    assert names == ["health", "heartbeat", "poll", "deliver", "updates", "warranty"]
    assert all(job_named(name).name == name for name in names)
    assert [job.name for job in BACKGROUND_JOBS if job.headless] == ["health", "heartbeat", "poll", "deliver",
                                                                     "updates"]
    assert [job.name for job in BACKGROUND_JOBS if job.hands_over] == ["updates"]
    ids = [job.agent_id for job in BACKGROUND_JOBS if job.agent_id is not None]
    assert len(ids) == len(set(ids)) == 5 and WARRANTY.agent_id is None


def test_an_agent_schedules_each_job_by_its_timetable(monkeypatch: pytest.MonkeyPatch) -> None:
    scheduled: dict[str, tuple[dt.timedelta, dt.timedelta | None]] = {}

    def every(_self: BackgroundAgent, job_id: str, interval: dt.timedelta, _func: Callable[[], Any], *,
              start_now: bool = False, first_after: dt.timedelta | None = None) -> None:
        assert not start_now
        scheduled[job_id] = (interval, first_after)

    monkeypatch.setattr(BackgroundAgent, "every", every)
    agent = BackgroundAgent()
    settings = _settings(minutes=10, hours=2)
    high = Extreme(high=True)
    for job in (HEALTH, POLL, DELIVER, UPDATES):
        agent.add(job, lambda: None, settings, rng=high)
    assert scheduled == {
        "health.checks": (dt.timedelta(minutes=10), dt.timedelta(0)),
        "support.poll": (dt.timedelta(minutes=2), dt.timedelta(0)),
        "support.deliver": (dt.timedelta(seconds=30), None),
        "updates.run": (dt.timedelta(hours=2, minutes=30), dt.timedelta(seconds=120)),
    }
    agent.add(HEALTH, lambda: None, settings, wait_first=True)  # the demo's checks wait for its pack
    assert scheduled["health.checks"] == (dt.timedelta(minutes=10), None)
    with pytest.raises(ValueError):
        agent.add(WARRANTY, lambda: None, settings)  # the window's own timer looks for reminders


# --------------------------------------------------------------------------- the hand-over rule


def _rule_table() -> list[dict[str, str]]:
    """The rows of the table in hand_over_allowed's own documentation."""
    doc = inspect.getdoc(hand_over_allowed) or ""
    lines = [line for line in doc.splitlines() if line.strip()]
    rules = [i for i, line in enumerate(lines) if re.fullmatch(r"[= ]+", line)]
    header = lines[rules[0] + 1].split()
    assert header == ["moment", "install", "trading", "hours", "in", "use", "demo", "hands", "over"]
    rows = [line.split() for line in lines[rules[1] + 1:rules[2]]]
    keys = ["moment", "install", "trading_hours", "in_use", "demo", "hands_over"]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _cases() -> list[tuple[HandOverMoment, InstallKind, bool, bool, bool]]:
    return list(itertools.product(HandOverMoment, InstallKind, (True, False), (True, False), (True, False)))


def _matches(row: dict[str, str], case: tuple[HandOverMoment, InstallKind, bool, bool, bool]) -> bool:
    moment, install, closed, in_use, demo = case
    wanted = {"moment": moment.value, "install": install.value, "trading_hours": "closed" if closed else "open",
              "in_use": "yes" if in_use else "no", "demo": "yes" if demo else "no"}
    return all(row[key] in ("any", value) for key, value in wanted.items())


def test_the_rule_does_what_its_table_says_for_every_case() -> None:
    table = _rule_table()
    assert len(table) >= 8
    for case in _cases():
        rows = [row for row in table if _matches(row, case)]
        assert rows, f"the table says nothing about {case}"
        answers = {row["hands_over"] for row in rows}
        assert len(answers) == 1, f"the table contradicts itself about {case}"
        moment, install, closed, in_use, demo = case
        allowed = hand_over_allowed(moment, install, outside_trading_hours=closed, in_use=in_use, demo=demo)
        assert allowed is (answers.pop() == "yes"), case


def test_the_table_says_what_the_readme_promises() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    # "a verified build waits until the app is next opened, the user presses *Khởi động lại để cập nhật* on the
    # Cập nhật page, or (side-by-side installs) the tray app or `pmv-support agent` is idle outside
    # `[health] trading_hours` with no window or job open; Windows installs wait for the next opening"
    assert "until the app is next opened, the user presses *Khởi động lại để cập nhật*" in readme
    assert "is idle outside `[health] trading_hours` with no window or job open" in readme
    assert "Windows installs wait for the next opening, since the installer asks for elevation" in readme
    rule = hand_over_allowed
    side, installer = InstallKind.SIDE_BY_SIDE, InstallKind.INSTALLER
    for kind in (side, installer):
        assert rule(HandOverMoment.OPENING, kind, outside_trading_hours=False, in_use=True, demo=False)
        assert rule(HandOverMoment.ASKED, kind, outside_trading_hours=False, in_use=True, demo=False)
    assert rule(HandOverMoment.IDLE, side, outside_trading_hours=True, in_use=False, demo=False)
    assert not rule(HandOverMoment.IDLE, side, outside_trading_hours=False, in_use=False, demo=False)
    assert not rule(HandOverMoment.IDLE, side, outside_trading_hours=True, in_use=True, demo=False)
    assert not rule(HandOverMoment.IDLE, installer, outside_trading_hours=True, in_use=False, demo=False)


# --------------------------------------------------------------------------- handing over


def _runtime(data: Path, *, clock: str = "22:00", demo: bool = False) -> Any:
    hour, minute = map(int, clock.split(":"))
    now = dt.datetime(2026, 12, 1, hour, minute, tzinfo=SHOP_TZ)
    return SimpleNamespace(paths=SimpleNamespace(data_dir=data), settings=Settings(), demo=demo,
                           clock=lambda: now.astimezone(dt.UTC))


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """A side-by-side install with version 0.2.0 waiting; the helpers it would start, recorded, not run."""
    install = AppInstall(InstallKind.SIDE_BY_SIDE, tmp_path / "root")
    pending = PendingUpdate("0.2.0", InstallKind.SIDE_BY_SIDE, str(tmp_path / "root"), "payload", "2026-12-01")
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(app_swap, "waiting_update", lambda _data, _running: (install, pending))
    monkeypatch.setattr(app_swap, "launch_helper", lambda _install, data, relaunch, *, pid=None: started.append(
        {"data": data, "relaunch": list(relaunch), "pid": pid}))
    return started


def test_an_idle_app_outside_trading_hours_starts_the_helper_for_the_process_it_names(
        tmp_path: Path, helpers: list[dict[str, Any]]) -> None:
    data = tmp_path / "data"
    assert hand_over(_runtime(data), HandOverMoment.IDLE, ["--minimized"], pid=4242)
    assert helpers == [{"data": data, "relaunch": ["--minimized"], "pid": 4242}]
    assert app_swap.handover_file(data).exists()  # counted, so a helper that never finishes is given up


def test_a_hand_over_the_rule_refuses_is_not_counted(tmp_path: Path, helpers: list[dict[str, Any]]) -> None:
    data = tmp_path / "data"
    assert not hand_over(_runtime(data, clock="10:00"), HandOverMoment.IDLE, [])  # the shop is trading
    assert not hand_over(_runtime(data, demo=True), HandOverMoment.OPENING, [])
    assert helpers == [] and not app_swap.handover_file(data).exists()
    assert hand_over(_runtime(data, clock="10:00"), HandOverMoment.OPENING, [])  # opening: whatever the hour


def test_a_version_whose_helper_never_finished_is_given_up(tmp_path: Path, helpers: list[dict[str, Any]]) -> None:
    data = tmp_path / "data"
    tries = [hand_over(_runtime(data), HandOverMoment.ASKED, []) for _ in range(app_swap.MAX_HANDOVERS + 1)]
    assert tries == [True] * app_swap.MAX_HANDOVERS + [False]
    assert len(helpers) == app_swap.MAX_HANDOVERS


def test_nothing_waiting_nothing_is_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_swap, "waiting_update", lambda _data, _running: None)
    monkeypatch.setattr(app_swap, "launch_helper", lambda *_a, **_k: pytest.fail("no helper without an update"))
    assert not hand_over(_runtime(tmp_path), HandOverMoment.ASKED, [])


def test_the_tray_job_does_not_hand_over_once_the_window_has_opened(
        tmp_path: Path, helpers: list[dict[str, Any]]) -> None:
    """Found by a review: the tray's job process, started before the cashier opened the window, handed over when
    its update run ended, and the app quit under the cashier. The window's process holds the window lock."""
    from app.background.job_process import _hand_over_if_quiet
    from app.background.jobs import window_lock

    data = tmp_path / "data"
    data.mkdir()
    held = window_lock(data)  # the window opened (another open file: flock refuses it even in this process)
    assert held is not None
    try:
        assert not _hand_over_if_quiet(_runtime(data), 4242, ["--minimized"])
        assert helpers == []
    finally:
        held.release()
    assert _hand_over_if_quiet(_runtime(data), 4242, ["--minimized"])  # the window closed: idle again
    assert helpers == [{"data": data, "relaunch": ["--minimized"], "pid": 4242}]


def test_the_headless_agent_does_not_hand_over_while_a_window_is_open_on_its_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helpers: list[dict[str, Any]]) -> None:
    """Found by a review: ``pmv-support agent`` handed over after its update run as if nobody worked in the app,
    while the shop's window (another process, holding the window lock) was open on the same data."""
    import threading

    import app.updates.service as service
    from app.background.jobs import register_jobs, window_lock

    monkeypatch.setattr(service, "Updater", lambda _runtime: SimpleNamespace(run=lambda: None))
    data = tmp_path / "data"
    data.mkdir()
    jobs: dict[str, Callable[[], None]] = {}
    agent = SimpleNamespace(add=lambda job, run, _settings=None, **_kw: jobs.__setitem__(job.name, run))
    stop = threading.Event()
    runtime = _runtime(data)
    runtime.outbox = SimpleNamespace(deliver=lambda: None)
    register_jobs(agent, runtime, stop)
    held = window_lock(data)  # the window's process
    assert held is not None
    try:
        jobs[UPDATES.name]()
        assert helpers == [] and not stop.is_set()
    finally:
        held.release()
    jobs[UPDATES.name]()  # the window closed: after closing time the agent hands over and stops for the helper
    assert len(helpers) == 1 and stop.is_set()
