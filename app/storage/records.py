"""Plain records the repositories hand out, importable without SQLAlchemy.

The window's overview reads a few of them at start-up before the data layer
has loaded (:mod:`app.storage.quick_reads`, issue 24); the repositories hand
out the same classes, so a test can compare the two reads directly.  (A
recorded check run is the health feature's: :class:`app.health.model.StoredRun`.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.support.status import RequestStatus


@dataclass(frozen=True)
class ActivityEntry:
    """One thing the app did; ``code`` is mapped to words by the UI."""

    id: int
    at: dt.datetime
    kind: str
    code: str
    detail: dict[str, Any]


# How many requests the support page lists (and its overview tile counts): the newest, by opening time.
LISTED_REQUESTS = 200


@dataclass(frozen=True)
class RequestDeadline:
    """What the overview's support tile needs of one request: where it is and when a proposal is due."""

    status: RequestStatus
    response_due_at: dt.datetime | None  # aware, UTC
