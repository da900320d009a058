"""Machine-readable results: JSON for scripts, one Nagios line for Nagios/Icinga/Zabbix."""

from __future__ import annotations

import json

from app.health.model import Metric, Status
from app.health.runner import HealthReport


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


def _perf_label(check_id: str, metric: Metric) -> str:
    return f"'{check_id}.{metric.name}'"


def _perf_value(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


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
    perf = " ".join(
        f"{_perf_label(r.check_id, m)}={m.value:g}{m.unit};{_perf_value(m.warn)};{_perf_value(m.crit)}"
        for r in report.results for m in r.metrics
    )
    line = f"PMV {state} - {summary}".replace("|", "/").replace("\n", " ")
    return (f"{line} | {perf}" if perf else line), code
