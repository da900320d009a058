"""Machine-readable results: JSON for scripts, one Nagios line for Nagios/Icinga/Zabbix.

The Nagios line follows the monitoring plugins' development guidelines
(https://nagios-plugins.org/doc/guidelines.html): performance data is
``'label'=value[UOM];[warn];[crit];[min];[max]``, and warn and crit are
threshold *ranges* (``[@]start:end``; an alert when the value lies outside
the range, or inside it with ``@``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from app.health.model import CheckResult, HealthReport, Metric, Status

# The guidelines' units of measurement; any other unit (h, d, VND) is left off, and the label names it.
NAGIOS_UNITS = frozenset({"", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"})


def to_dict(report: HealthReport, remedies: dict[str, str]) -> dict[str, object]:
    """Stable field names: id, status, summary, details, remedy, metrics, duration_ms."""
    return {
        "verdict": report.verdict.value,
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "results": [
            {
                "id": item.check_id,
                "title": report.titles.get(item.check_id, item.check_id),
                "status": item.status.value,
                "summary": item.summary,
                "details": item.details,
                "remedy": {"code": item.remedy, "steps": remedies.get(item.remedy, "")} if item.remedy else None,
                "metrics": [
                    {"name": m.name, "value": m.value, "unit": m.unit, "warn": m.warn, "crit": m.crit}
                    for m in item.metrics
                ],
                "duration_ms": item.duration_ms,
            }
            for item in report.results
        ],
    }


def to_json(report: HealthReport, remedies: dict[str, str]) -> str:
    return json.dumps(to_dict(report, remedies), ensure_ascii=False, indent=2)


# --- performance data -----------------------------------------------------------------------------------------

def _number(value: float) -> str:
    """Plain decimal digits (the guidelines' class ``[-0-9.]``): never ``2.5e+07``, never ``-0``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"not a number for perfdata: {value!r}")
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class NagiosRange:
    """``[@]start:end`` with ``None`` for an open end (``~`` below, nothing above)."""

    start: float | None
    end: float | None
    inside: bool = False  # '@': alert when the value is inside the range

    def alerts(self, value: float) -> bool:
        within = (self.start is None or value >= self.start) and (self.end is None or value <= self.end)
        return within if self.inside else not within

    def __str__(self) -> str:
        if self.start == 0 and self.end is not None and not self.inside:
            return _number(self.end)  # '10' is '0:10'
        start = "~" if self.start is None else _number(self.start)
        end = "" if self.end is None else _number(self.end)
        return f"{'@' if self.inside else ''}{start}:{end}"


def _integral(*values: float) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def lower_is_worse(metric: Metric) -> bool:
    """Which way a metric goes bad, read from its thresholds.

    Free space and days of cover go bad downwards: their critical threshold
    lies below the warning one, or, alone, is 0 (no backup, no POS process
    left).  Everything else (ages, counts of problems, load) goes bad upwards.
    """
    if metric.warn is not None and metric.crit is not None:
        return metric.crit < metric.warn
    alone = metric.crit if metric.crit is not None else metric.warn
    return alone == 0


def threshold_range(metric: Metric, threshold: float) -> NagiosRange:
    """The range that alerts exactly when the metric has reached ``threshold`` in its bad direction.

    Counts (integers) reach a threshold by equalling it (1 missing invoice is
    critical; 30 days left is 'ending soon'); measurements (floats) by passing
    it (more than 12 hours old).  A signed measurement (clock skew) is judged
    by its size, so a negative value gets the symmetric range.
    """
    count = _integral(metric.value, threshold)
    if lower_is_worse(metric):
        return NagiosRange(threshold + 1 if count else threshold, None)  # alert below
    end = threshold - 1 if count else threshold
    if metric.value < 0 and not count:
        return NagiosRange(-end, end)
    return NagiosRange(0, end) if end >= 0 else NagiosRange(None, end)


def _threshold(metric: Metric, threshold: float | None, level: Status, reported: Status) -> str:
    """The threshold's range, or nothing if it would claim a state the check did not report.

    A check may judge with more than its numbers (the price board may be
    13 hours old outside trading hours, and that is fine): a threshold that
    would alert here without the check having reported that level is not the
    rule that applies now, so it is left out rather than contradict the state.
    """
    if threshold is None:
        return ""
    nagios = threshold_range(metric, threshold)
    if nagios.alerts(metric.value) and reported.severity < level.severity:
        return ""
    return str(nagios)


def _label(check_id: str, metric: Metric) -> str:
    return "'" + f"{check_id}.{metric.name}".replace("'", "''") + "'"


def perfdata(item: CheckResult) -> list[str]:
    """One ``'label'=value[UOM];warn;crit`` per metric of ``item``."""
    out = []
    for metric in item.metrics:
        unit = metric.unit if metric.unit in NAGIOS_UNITS else ""
        warn = _threshold(metric, metric.warn, Status.WARNING, item.status)
        crit = _threshold(metric, metric.crit, Status.CRITICAL, item.status)
        out.append(f"{_label(item.check_id, metric)}={_number(metric.value)}{unit};{warn};{crit}".rstrip(";"))
    return out


def verdict_exit_code(report: HealthReport) -> int:
    """``check --json``'s exit code: the verdict the JSON states (0 ok, 1 warning, 2 critical; a check that timed
    out counts as a warning there).  3 is left to a run that could not start; ``--nagios`` keeps Nagios's own
    worst-state code, where an unknown check is UNKNOWN."""
    return report.verdict.nagios_code


def nagios(report: HealthReport) -> tuple[str, int]:
    """One line ``PMV <STATE> - summary | perfdata`` and the exit code (0/1/2/3)."""
    worst = max((r.status for r in report.results), key=lambda s: s.severity, default=Status.OK)
    code = worst.nagios_code if worst is not Status.SKIPPED else 0
    state = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}[code]
    bad = [r for r in report.results if r.status in (Status.CRITICAL, Status.WARNING, Status.UNKNOWN)]
    bad.sort(key=lambda r: -r.status.severity)
    if bad:
        summary = "; ".join(f"{r.check_id}: {r.summary}" for r in bad[:4])
        if len(bad) > 4:
            summary += f"; +{len(bad) - 4} more"
    else:
        passed = sum(1 for r in report.results if r.status is Status.OK)
        summary = f"{passed} checks ok"
    perf = " ".join(entry for r in report.results for entry in perfdata(r))
    line = f"PMV {state} - {summary}".replace("|", "/").replace("\n", " ")
    return (f"{line} | {perf}" if perf else line), code
