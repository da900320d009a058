"""Reminders 30, 7 and 1 days before coverage ends, once each.

Which ones were sent is remembered per end date, so a renewal (a new end
date) starts the reminders afresh, and a PC that was off on day 30 still
gets one reminder (not three) when it starts on day 6.  The reminder gives the days really left (5 on
day 5, not the 7 of the threshold it crossed): it is read beside the warranty tile, which counts them.
"""

from __future__ import annotations

from app.storage.repositories import StateRepository
from pmv_protocol.coverage import Coverage

THRESHOLDS = (30, 7, 1)


def _key(coverage: Coverage) -> str:
    assert coverage.covered_until is not None
    return f"warranty.reminders.{coverage.covered_until.isoformat()}"


def due_reminder(coverage: Coverage, state: StateRepository) -> int | None:
    """The days left to remind about now (and mark every crossed threshold as sent), or None."""
    if coverage.covered_until is None:
        return None
    crossed = [t for t in THRESHOLDS if coverage.days_left <= t]
    if not crossed:
        return None
    sent = set(state.get(_key(coverage), []))
    if set(crossed) <= sent:
        return None
    state.set(_key(coverage), sorted(sent | set(crossed), reverse=True))
    return coverage.days_left
