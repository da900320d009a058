"""The background jobs without a window: ``pmv-support agent`` (PCs where no GUI is wanted).

The tray app registers the same work through its GUI state objects; both
take ``<data>/agent.lock`` first, so the jobs never run twice on one till.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.background.agent import DELIVER_EVERY, POLL_EVERY, BackgroundAgent
from pmv_protocol.filelock import FileLock, LockTimeout

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger(__name__)


def agent_lock(data_dir: Path) -> FileLock | None:
    """The agent's lock if this process may run the jobs, None if another process already does."""
    lock = FileLock(data_dir / "agent.lock", timeout=0)
    try:
        lock.acquire()
    except LockTimeout:
        return None
    return lock


def _safely(name: str, job):  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("background job %s failed", name)

    return run


def hand_over_if_quiet(runtime: Runtime, *, pid: int | None = None, relaunch: Sequence[str] | None = None) -> bool:
    """Outside trading hours, start the helper that switches to a waiting app version; True if started.

    The caller then exits.  ``pid``: the process the helper waits for (the tray's, when a job process
    asks); ``relaunch``: its arguments for the restart (default: this process's).
    """
    import sys

    from app import __version__
    from pmv_protocol.shop_time import SHOP_TZ
    from app.updates.app_install import InstallKind
    from app.updates.app_swap import launch_helper, may_hand_over, outside_trading_hours, waiting_update

    waiting = waiting_update(runtime.paths.data_dir, __version__)
    if waiting is None:
        return False
    install, pending = waiting
    if install.kind is InstallKind.INSTALLER:
        return False  # the Windows installer asks for elevation (UAC): applied when the app is next opened
    if not outside_trading_hours(runtime.settings.health.trading_hours, runtime.clock().astimezone(SHOP_TZ)):
        return False
    if not may_hand_over(runtime.paths.data_dir, pending.version):
        return False
    launch_helper(install, runtime.paths.data_dir, sys.argv[1:] if relaunch is None else relaunch, pid=pid)
    return True


def register_jobs(agent: BackgroundAgent, runtime: Runtime, stop: threading.Event | None = None) -> None:
    from app.health.service import run_health
    from app.support.outbox import poll_updates
    from app.updates.service import Updater

    def poll() -> None:
        poll_updates(runtime.support, runtime.vendor_client(), runtime.state)

    agent.every("support.deliver", DELIVER_EVERY, _safely("deliver", runtime.outbox.deliver))
    agent.every("support.poll", POLL_EVERY, _safely("poll", poll), start_now=True)
    agent.every("health.checks", dt.timedelta(minutes=runtime.settings.health.interval_minutes),
                _safely("health", lambda: run_health(runtime)), start_now=True)
    hours = runtime.settings.updates.interval_hours
    def update() -> None:
        Updater(runtime).run()
        if stop is not None and hand_over_if_quiet(runtime):
            stop.set()

    agent.every("updates.run", dt.timedelta(hours=hours) + dt.timedelta(minutes=random.uniform(0, 30)),
                _safely("updates", update),
                first_after=dt.timedelta(seconds=random.uniform(20, 120)))


def run_agent(runtime: Runtime, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or ``stop``); 0 also when another agent already runs."""
    lock = agent_lock(runtime.paths.data_dir)
    if lock is None:
        print("pmv-support: agent already running for this data folder")
        return 0
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_args: stop.set())
    agent = BackgroundAgent()
    register_jobs(agent, runtime, stop)
    agent.start()
    from app import __version__
    from app.updates.app_swap import signal_started

    signal_started(runtime.paths.data_dir, __version__)  # the update helper's proof this version starts
    from app.infra.memory import freeze_startup_objects

    freeze_startup_objects()
    log.info("background agent running")
    print("pmv-support: agent running", flush=True)
    try:
        while not stop.wait(1):
            pass
    finally:
        agent.shutdown()
        lock.release()
        log.info("background agent stopped")
    return 0
