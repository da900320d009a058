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
from pathlib import Path
from typing import TYPE_CHECKING

from app.agent import DELIVER_EVERY, POLL_EVERY, BackgroundAgent
from app.filelock import FileLock, LockTimeout

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


def register_jobs(agent: BackgroundAgent, runtime: Runtime) -> None:
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
    agent.every("updates.run", dt.timedelta(hours=hours) + dt.timedelta(minutes=random.uniform(0, 30)),
                _safely("updates", lambda: Updater(runtime).run()),
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
    register_jobs(agent, runtime)
    agent.start()
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
