"""The background jobs in one table, and the one rule for when the app hands over to a waiting version of itself.

Three things run these jobs, and all of them read their timetable here:

- the window's agent: the GUI's states register their work with :class:`app.background.agent.BackgroundAgent`
  (app/ui/support/state.py, app/ui/health/state.py, app/ui/updates/state.py, app/ui/fleet/state.py; the
  warranty's look is the window's own timer, app/ui/application.py);
- the headless agent, ``pmv-support agent`` (:mod:`app.background.jobs`);
- the tray at logon, one short-lived process per batch (:mod:`app.background.schedule`,
  :mod:`app.background.job_process`, app/ui/tray_jobs.py).

The tray imports this module while it holds Qt and the standard library only (tests/bench/idle.py), so it
imports nothing else at load time: settings are read through their values, the update modules inside
:func:`hand_over`.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.infra.settings import Settings
    from app.runtime import Runtime
    from app.updates.app_install import InstallKind

log = logging.getLogger(__name__)


class RandomSource(Protocol):
    """Where the jitter comes from: :mod:`random` itself, or a seeded :class:`random.Random` in tests."""

    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True)
class Setting:
    """The setting a job's period comes from: ``section.key`` in settings.toml, in units of ``unit_s`` seconds."""

    section: str
    key: str
    unit_s: float

    def value(self, settings: Settings) -> float:
        return float(getattr(getattr(settings, self.section), self.key))


@dataclass(frozen=True)
class BackgroundJob:
    """One background job and its timetable.

    ``name`` is the tray's word for it (``pmv-support tray-jobs NAME``) and ``agent_id`` the scheduler's (None:
    no agent schedules it; the window looks on its own timer).  The period is ``period_s``, or ``setting``'s
    value when the settings are known (``period_s`` is then the setting's default: what the tray plans with
    before its first job process reports).  ``jitter_s``: each shop adds a random 0..jitter_s seconds to the
    period, once per schedule, so that thousands of shops do not call the server in the same minute.
    ``first_run_s``: the first run comes a random ``(low, high)`` seconds after start ((0, 0): at once); None:
    one period after start.  ``headless``: ``pmv-support agent`` runs it too (the coverage reminder needs someone
    to see it).  ``hands_over``: after a run, an app nobody uses may hand over to a waiting version of itself
    (:func:`hand_over`, at :attr:`HandOverMoment.IDLE`).
    """

    name: str
    agent_id: str | None
    period_s: float
    setting: Setting | None = None
    jitter_s: float = 0.0
    first_run_s: tuple[float, float] | None = (0.0, 0.0)
    headless: bool = True
    hands_over: bool = False

    def period(self, settings: Settings | None = None) -> float:
        """Seconds between runs, before jitter: from ``settings`` if given, else the default."""
        if self.setting is None or settings is None:
            return self.period_s
        return self.period_from(self.setting.value(settings))

    def period_from(self, value: float) -> float:
        """Seconds between runs for the setting's ``value`` (as a job process reports it to the tray)."""
        return float(value) * self.setting.unit_s if self.setting is not None else self.period_s

    def jittered(self, period_s: float, rng: RandomSource = random) -> float:
        """``period_s`` with this shop's jitter added (drawn now)."""
        return period_s + rng.uniform(0, self.jitter_s) if self.jitter_s else period_s

    def interval(self, settings: Settings | None = None, rng: RandomSource = random) -> dt.timedelta:
        """What an agent schedules: the period from ``settings``, jittered."""
        return dt.timedelta(seconds=self.jittered(self.period(settings), rng))

    def first_after(self, rng: RandomSource = random) -> dt.timedelta | None:
        """How long after start the first run comes; None: one interval after start."""
        if self.first_run_s is None:
            return None
        low, high = self.first_run_s
        return dt.timedelta(seconds=rng.uniform(low, high) if high > low else low)


HEALTH = BackgroundJob("health", "health.checks", 30 * 60.0, Setting("health", "interval_minutes", 60))
POLL = BackgroundJob("poll", "support.poll", 2 * 60.0)  # the vendor's status changes on the shop's requests
# The outbox: a request the cashier raised goes at once (app/ui/support/state.py); this retries with backoff.
DELIVER = BackgroundJob("deliver", "support.deliver", 30.0, first_run_s=None)
# Soon after start (packs must be in place by their date), then every few hours; jittered, as every shop calls.
UPDATES = BackgroundJob("updates", "updates.run", 6 * 3600.0, Setting("updates", "interval_hours", 3600),
                        jitter_s=30 * 60.0, first_run_s=(20.0, 120.0), hands_over=True)
# The shop's state for the vendor (app/fleet): soon after start (after the first checks), then every
# ``[fleet] heartbeat_minutes``, each shop a little apart; a verdict change sends one at once (app/fleet/service.py).
HEARTBEAT = BackgroundJob("heartbeat", "fleet.heartbeat", 15 * 60.0, Setting("fleet", "heartbeat_minutes", 60),
                          jitter_s=60.0, first_run_s=(20.0, 50.0))
# Coverage changes with the date: the reminder (30, 7, 1 days before the end) is looked for every few hours.
WARRANTY = BackgroundJob("warranty", None, 6 * 3600.0, headless=False)

BACKGROUND_JOBS: tuple[BackgroundJob, ...] = (HEALTH, HEARTBEAT, POLL, DELIVER, UPDATES, WARRANTY)
"""Every job, in the order one job process runs them (the checks first: their verdict is the tray's colour and
the heartbeat's news)."""


def job_named(name: str) -> BackgroundJob:
    """The job the tray calls ``name``."""
    return next(job for job in BACKGROUND_JOBS if job.name == name)


# --------------------------------------------------------------------------- handing over to a waiting version


class HandOverMoment(enum.StrEnum):
    """When the app asks whether it may hand over to a verified version that waits (README, "App updates")."""

    OPENING = "opening"  # the app is being opened: its data loaded, its window not yet built
    ASKED = "asked"  # someone pressed "Khởi động lại để cập nhật" on the Cập nhật page
    IDLE = "idle"  # after an update run or the window's periodic look, in the tray app or `pmv-support agent`


def hand_over_allowed(moment: HandOverMoment, install: InstallKind, *, outside_trading_hours: bool,
                      in_use: bool, demo: bool) -> bool:
    """Whether the app may hand over to a waiting version now; the rule, row by row (a test reads this table):

    ========  ============  =============  ======  =====  ==========
    moment    install       trading hours  in use  demo   hands over
    ========  ============  =============  ======  =====  ==========
    any       any           any            any     yes    no
    any       unmanaged     any            any     no     no
    opening   side_by_side  any            any     no     yes
    opening   installer     any            any     no     yes
    asked     side_by_side  any            any     no     yes
    asked     installer     any            any     no     yes
    idle      installer     any            any     no     no
    idle      side_by_side  open           any     no     no
    idle      side_by_side  closed         yes     no     no
    idle      side_by_side  closed         no      no     yes
    ========  ============  =============  ======  =====  ==========

    Why: the running version never changes under the user's feet, so it waits for the next opening or for
    someone to ask; while the shop trades, or while a window or a job is open, someone is working.  The Windows
    installer asks for elevation (UAC), so it waits for someone to be there to answer it.  A pip or source
    install never replaces itself, and the demo never replaces the installed app.  ``in_use``: a window, a
    technician's or remote-assistance dialog, or a job is open.  Even when allowed, :func:`hand_over` gives a
    version up after ``app_swap.MAX_HANDOVERS`` hand-overs the helper never finished.
    """
    from app.updates.app_install import InstallKind

    if demo or install is InstallKind.UNMANAGED:
        return False
    if moment is not HandOverMoment.IDLE:
        return True
    return install is InstallKind.SIDE_BY_SIDE and outside_trading_hours and not in_use


def outside_trading_hours(trading_hours: str, local_now: dt.datetime) -> bool:
    """``trading_hours`` as in ``[health] trading_hours`` ("08:00-20:00"), ``local_now`` shop time."""
    from pmv_protocol.calendar import in_hours

    return not in_hours(trading_hours, local_now)


def runtime_outside_trading_hours(runtime: Runtime) -> bool:
    """Whether the shop is closed now, by its ``[health] trading_hours`` and the runtime's clock."""
    from pmv_protocol.shop_time import SHOP_TZ

    return outside_trading_hours(runtime.settings.health.trading_hours, runtime.clock().astimezone(SHOP_TZ))


def hand_over(runtime: Runtime, moment: HandOverMoment, relaunch: Sequence[str], *, pid: int | None = None,
              in_use: bool = False) -> bool:
    """Start the update helper if a version waits and the rule allows it now; True if started (then exit).

    ``relaunch``: the arguments the new version starts with; ``pid``: the process the helper waits for (default
    this one; the tray's, when its job process asks).  Raises OSError if the helper cannot be started.
    """
    from app import __version__
    from app.updates.app_swap import launch_helper, may_hand_over, waiting_update

    data_dir = runtime.paths.data_dir
    waiting = waiting_update(data_dir, __version__)
    if waiting is None:
        return False
    install, pending = waiting
    closed = runtime_outside_trading_hours(runtime)
    if not hand_over_allowed(moment, install.kind, outside_trading_hours=closed, in_use=in_use, demo=runtime.demo):
        return False
    if not may_hand_over(data_dir, pending.version):  # counts this hand-over: last, once all else allows it
        return False
    launch_helper(install, data_dir, relaunch, pid=pid)
    log.info("handing over to the update helper for %s (%s)", pending.version, moment.value)
    return True
