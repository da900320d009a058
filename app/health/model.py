"""Health checks as data (Nagios semantics).

``unknown`` means the check itself could not run (it crashed or timed
out); ``skipped`` means it did not apply (not configured, outside trading
hours, a dependency failed), always with the reason in the summary.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.storage.errors import StorageFailure

if TYPE_CHECKING:
    from app.health.context import CheckContext


# The window's words for the checks' titles (app/ui/health/texts.py) are filed under this context with the titles'
# Vietnamese as their sources, so a title the core names in a phrase is said in the window's language too.
TITLE_CONTEXT = "HealthTexts"


class Status(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"

    @property
    def severity(self) -> int:
        """For 'worst of': skipped < ok < unknown < warning < critical."""
        return {"skipped": 0, "ok": 1, "unknown": 2, "warning": 3, "critical": 4}[self.value]

    @property
    def nagios_code(self) -> int:
        return {"ok": 0, "skipped": 0, "warning": 1, "critical": 2, "unknown": 3}[self.value]


class Category(enum.StrEnum):
    DATABASE = "database"  # the POS database
    BACKUP = "backup"
    DATA = "data"  # prices, invoices, compliance
    SYSTEM = "system"  # disk, clock, memory/CPU, POS process and log
    DEVICES = "devices"  # printers, scanners
    SERVICE = "service"  # vendor server, versions, outbox, warranty


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str = ""
    warn: float | None = None
    crit: float | None = None


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    status: Status
    summary: str  # one line, Vietnamese (also printed by the headless CLI); a Phrase, so the window can translate it
    details: str = ""
    remedy: str | None = None  # a code into the remedy catalogue (app.health.remedies)
    metrics: tuple[Metric, ...] = field(default_factory=tuple)
    duration_ms: int = 0
    # A warning whose dependants must wait all the same: what they would read cannot be reached now (the POS
    # holding its database's lock).  Not stored: only the run in progress needs it.
    holds_dependants: bool = False


def result(
    status: Status,
    summary: str,
    details: str = "",
    remedy: str | None = None,
    metrics: tuple[Metric, ...] = (),
) -> CheckResult:
    """What a check function returns; the runner fills in the id and the duration."""
    return CheckResult("", status, summary, details, remedy, metrics)


CheckFunction = Callable[["CheckContext"], CheckResult]


@dataclass(frozen=True)
class Check:
    """One check: an id like ``pos.db.connect``, a Vietnamese title, and the function."""

    id: str
    title: str
    category: Category
    run: CheckFunction
    timeout: float = 10.0
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class HealthReport:
    started_at: dt.datetime
    finished_at: dt.datetime
    results: tuple[CheckResult, ...]
    titles: dict[str, str]
    cancelled: bool = False
    # Why this run could not be kept in the history (a full disk, a read-only file…); its results are whole.
    not_recorded: StorageFailure | None = None

    @property
    def verdict(self) -> Status:
        """ok, warning (unknown counts as one) or critical."""
        worst = max((r.status for r in self.results), key=lambda s: s.severity, default=Status.OK)
        if worst is Status.CRITICAL:
            return Status.CRITICAL
        if worst in (Status.WARNING, Status.UNKNOWN):
            return Status.WARNING
        return Status.OK

    def by_id(self) -> dict[str, CheckResult]:
        return {r.check_id: r for r in self.results}


SUMMARY_LIMIT = 500  # characters of a summary the history keeps as words (its phrase is kept whole)


@dataclass(frozen=True)
class StoredResult:
    check_id: str
    status: Status
    summary: str  # as the check said it (its words cut to SUMMARY_LIMIT); details, fix steps, metrics are not kept


@dataclass(frozen=True)
class StoredRun:
    """One recorded run, whoever made it: this window, the agent, the tray's job or the command line."""

    run_at: dt.datetime  # aware, UTC: when the run finished
    results: tuple[StoredResult, ...]


def stored_status(text: str) -> Status:
    """A stored status; one a newer version wrote (after a downgrade) is not understood, so not guessed at."""
    try:
        return Status(text)
    except ValueError:
        return Status.UNKNOWN
