"""The background jobs without a window: ``pmv-support agent`` (PCs where no GUI is wanted).

The tray app registers the same work through its GUI state objects; both
take ``<data>/agent.lock`` first, so the jobs never run twice on one till.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.background.agent import BackgroundAgent
from app.background.registry import (
    BACKGROUND_JOBS,
    DELIVER,
    HEALTH,
    HEARTBEAT,
    POLL,
    UPDATES,
    BackgroundJob,
    HandOverMoment,
    hand_over,
)
from pmv_protocol.filelock import FileLock, LockTimeout

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger(__name__)


def _held(path: Path) -> FileLock | None:
    """The lock at ``path``, taken now; None when another process holds it."""
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except LockTimeout:
        return None
    return lock


def agent_lock(data_dir: Path) -> FileLock | None:
    """The agent's lock if this process may run the jobs, None if another process already does."""
    return _held(data_dir / "agent.lock")


def window_lock(data_dir: Path) -> FileLock | None:
    """Held by a process while its window is open (None: another process's window holds it).

    The tray's job process, started before the window opened, asks :func:`window_open` before handing over to
    a waiting version: an update run takes minutes, and the cashier may open the window meanwhile. A lock, not
    a marker file: the OS lets it go when the process ends, however it ends.
    """
    return _held(data_dir / "window.lock")


def window_open(data_dir: Path) -> bool:
    """Whether a process of this app has its window open on ``data_dir`` (it holds :func:`window_lock`)."""
    lock = window_lock(data_dir)
    if lock is None:
        return True
    lock.release()
    return False


def _safely(name: str, job: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("background job %s failed", name)

    return run


def register_jobs(agent: BackgroundAgent, runtime: Runtime, stop: threading.Event | None = None) -> None:
    """Every job ``pmv-support agent`` runs, on its timetable (:mod:`app.background.registry`).

    ``stop``: set when an update run handed over to a waiting version, so that the agent exits for the helper.
    """
    from app.fleet.service import send_heartbeat
    from app.health.service import run_health
    from app.support.outbox import poll_updates
    from app.updates.service import Updater

    def poll() -> None:
        poll_updates(runtime.support, runtime.vendor_client(), runtime.state)

    work: dict[BackgroundJob, Callable[[], object]] = {
        DELIVER: runtime.outbox.deliver, POLL: poll, HEALTH: lambda: run_health(runtime),
        UPDATES: lambda: Updater(runtime).run(), HEARTBEAT: lambda: send_heartbeat(runtime),
    }

    def run(job: BackgroundJob) -> None:
        work[job]()
        # This agent has no window of its own, but the shop's window may be open on the same data in another
        # process (it holds the window lock): the helper would then quit the app under the cashier.
        if job.hands_over and stop is not None and hand_over(runtime, HandOverMoment.IDLE, sys.argv[1:],
                                                             in_use=window_open(runtime.paths.data_dir)):
            stop.set()

    for job in BACKGROUND_JOBS:
        if job.headless:
            agent.add(job, _safely(job.name, functools.partial(run, job)), runtime.settings)


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
