"""The window's heartbeat: the app's own agent sends it on the registry's timetable (app/background/registry.py).

A health run the window makes sends one at once when the verdict changes (app/health/service.py); this is
the periodic one.  Both go through the fleet outbox (app/fleet/outbox.py).
"""

from __future__ import annotations

import logging

from app.background.agent import BackgroundAgent
from app.background.registry import HEARTBEAT
from app.fleet.service import send_heartbeat
from app.runtime import Runtime

log = logging.getLogger(__name__)


def register_heartbeat(agent: BackgroundAgent, runtime: Runtime) -> None:
    """Schedule the heartbeat on ``agent`` (it runs once this window's agent holds the agent lock)."""

    def beat() -> None:  # an agent thread
        try:
            send_heartbeat(runtime)
        except Exception:
            log.exception("heartbeat failed")

    agent.add(HEARTBEAT, beat, runtime.settings)
