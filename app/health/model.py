"""The result of a health check (Nagios semantics).

``unknown`` means the check itself could not run; ``skipped`` means it did
not apply (a feature not configured, a dependency that failed).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Status(str, enum.Enum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


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
    summary: str  # one line, Vietnamese (it is also printed by the headless CLI)
    details: str = ""
    remedy: str | None = None  # a code into the feature's remedy catalogue
    metrics: tuple[Metric, ...] = field(default_factory=tuple)
    duration_ms: int = 0
