"""A recovery from a damaged database, said to the shop until a window has shown it.

The command line or the tray's job process is often first to open the file (at
logon the tray's first job does), and each says it its own way: a line on
stderr, one notification.  The shop's manager reads the window, so the notice
is kept in the fresh database until a window has shown it too, once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.storage.errors import NoticeKind, StorageError, StorageNotice
from app.storage.repositories import StateRepository

log = logging.getLogger(__name__)

RECOVERY_KEY = "storage.recovered_from_corrupt"


def carry_recovery(state: StateRepository, notices: list[StorageNotice]) -> list[StorageNotice]:
    """Record a recovery this start made; or bring back one an earlier process made, not yet shown in a window."""
    found = [notice for notice in notices if notice.kind is NoticeKind.RECOVERED_FROM_CORRUPT]
    try:
        if found:
            state.set(RECOVERY_KEY, {"path": str(found[-1].path), "detail": found[-1].detail})
            return notices
        kept = state.get(RECOVERY_KEY)
    except StorageError as exc:  # the fresh database refusing a write: the notice is still said by this start
        log.error("cannot keep the recovery notice: %s", exc)
        return notices
    if isinstance(kept, dict) and kept.get("path"):
        return [*notices, StorageNotice(NoticeKind.RECOVERED_FROM_CORRUPT, Path(kept["path"]),
                                        str(kept.get("detail") or ""), new=False)]
    return notices


def recovery_shown(state: StateRepository) -> None:
    """A window has shown the recovery: later starts do not say it again (runs in a worker: a write)."""
    state.set(RECOVERY_KEY, None)
