"""The Nagios line's performance data agrees with the states it sits beside.

Source: the monitoring plugins development guidelines,
https://nagios-plugins.org/doc/guidelines.html
  - "Performance data": ``'label'=value[UOM];[warn];[crit];[min];[max]``; warn and crit are in the range
    format; UOM is one of: none, s/ms/us, %, B/KB/MB/GB/TB, c; trailing unfilled semicolons can be dropped;
    value in class ``[-0-9.]``.
  - "Threshold and ranges": ``[@]start:end``; start and ':' may be left out when start is 0; 'start:' means
    end is infinity; '~' is negative infinity; an alert is raised when the value is outside start..end
    (endpoints inclusive), or inside it when the range starts with '@'.
The reference parser below is written from those two sections only, and checked against the guidelines'
own table of example ranges before it judges the app's output.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

import pytest

from app.health.context import CheckContext
from app.health.model import CheckResult, HealthReport, Metric, Status
from app.health.output import nagios, perfdata, verdict_exit_code
from app.health.registry import default_checks
from app.health.runner import run_checks
from tests.unit.health.conftest import find, settings_with

GUIDELINE_UNITS = {"", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"}
PERF = re.compile(r"^'(?P<label>(?:[^']|'')+)'=(?P<value>[-0-9.]+)(?P<uom>[a-zA-Z%]*)(?:;(?P<rest>.*))?$")


def guideline_alerts(range_text: str, value: float) -> bool:
    """Does ``value`` raise an alert for the threshold ``range_text`` (the guidelines' rules, nothing else)?"""
    inside = range_text.startswith("@")
    body = range_text[1:] if inside else range_text
    if ":" in body:
        start_text, end_text = body.split(":", 1)
        start = -math.inf if start_text == "~" else float(start_text)
        end = math.inf if end_text == "" else float(end_text)
    else:
        start, end = 0.0, float(body)
    within = start <= value <= end
    return within if inside else not within


# The guidelines' table "Example ranges": range, then values that alert and values that do not.
@pytest.mark.parametrize(
    "range_text, alerting, quiet",
    [
        ("10", [-1, 11], [0, 5, 10]),  # < 0 or > 10 (outside {0 .. 10})
        ("10:", [9.9, -5], [10, 1e9]),  # < 10 (outside {10 .. inf})
        ("~:10", [10.1], [-1e9, 10]),  # > 10 (outside {-inf .. 10})
        ("10:20", [9, 21], [10, 15, 20]),  # < 10 or > 20 (outside {10 .. 20})
        ("@10:20", [10, 15, 20], [9, 21]),  # >= 10 and <= 20 (inside {10 .. 20})
    ],
)
def test_the_reference_parser_follows_the_guidelines_table(range_text: str, alerting: list[float],
                                                           quiet: list[float]) -> None:
    assert all(guideline_alerts(range_text, v) for v in alerting)
    assert not any(guideline_alerts(range_text, v) for v in quiet)


def parse(entry: str) -> tuple[str, float, str, str, str]:
    match = PERF.match(entry)
    assert match, f"not the guidelines' perfdata format: {entry!r}"
    fields = (match["rest"] or "").split(";") + ["", ""]
    return match["label"], float(match["value"]), match["uom"], fields[0], fields[1]


def implied(entry: str) -> Status:
    """The state a monitoring system reads off one perfdata entry."""
    _label, value, _uom, warn, crit = parse(entry)
    if crit and guideline_alerts(crit, value):
        return Status.CRITICAL
    if warn and guideline_alerts(warn, value):
        return Status.WARNING
    return Status.OK


# Real metrics of the app's checks (app/health/checks, app/warranty/check.py, app/updates/compliance.py), each with
# the state its check reports in that situation and the perfdata that must stand beside it.
CASES = [
    # prices.fresh at 21:00, board from 08:30: 12.5 h is past the 12 h warning, but outside trading hours the
    # day's board is the right one, so the check says OK -- and the 12 h threshold is not written beside it.
    ("prices.fresh", Metric("age_hours", 13.42, "h", warn=12, crit=48.0), Status.OK,
     "'prices.fresh.age_hours'=13.42;;48"),
    ("prices.fresh", Metric("age_hours", 13.42, "h", warn=12, crit=48.0), Status.WARNING,
     "'prices.fresh.age_hours'=13.42;12;48"),  # in trading hours the same age is a warning: both apply
    ("prices.fresh", Metric("age_hours", 50.0, "h", warn=12, crit=48.0), Status.CRITICAL,
     "'prices.fresh.age_hours'=50;12;48"),
    # Free space goes bad downwards: "10:" alerts below 10, as the check does.
    ("disk.free", Metric("free_gb", 120.5, "GB", warn=10, crit=5.0), Status.OK, "'disk.free.free_gb'=120.5GB;10:;5:"),
    ("disk.free", Metric("free_gb", 7.25, "GB", warn=10, crit=5.0), Status.WARNING,
     "'disk.free.free_gb'=7.25GB;10:;5:"),
    # Counts are critical from the threshold on: one missing invoice is critical, so "more than 0".
    ("invoices.sequence", Metric("missing", 1, crit=1), Status.CRITICAL, "'invoices.sequence.missing'=1;;0"),
    ("invoices.sequence", Metric("missing", 0, crit=1), Status.OK, "'invoices.sequence.missing'=0;;0"),
    # No POS process in trading hours is critical: "1:" alerts at 0.
    ("pos.process", Metric("processes", 0, crit=0), Status.CRITICAL, "'pos.process.processes'=0;;1:"),
    # Days of cover: 30 or fewer is 'ending soon'; the last covered day (0 left) is still only a warning, so the
    # critical threshold is left out that day rather than claim an expiry.
    ("warranty.coverage", Metric("days_left", 30, "d", warn=30, crit=0), Status.WARNING,
     "'warranty.coverage.days_left'=30;31:;1:"),
    ("warranty.coverage", Metric("days_left", 0, "d", warn=30, crit=0), Status.WARNING,
     "'warranty.coverage.days_left'=0;31:"),
    ("warranty.coverage", Metric("days_left", 200, "d", warn=30, crit=0), Status.OK,
     "'warranty.coverage.days_left'=200;31:;1:"),
    # A clock 30 s slow is fine: the skew is judged by its size, in both directions.
    ("clock.skew", Metric("skew_seconds", -30.0, "s", warn=60, crit=300), Status.OK,
     "'clock.skew.skew_seconds'=-30s;-60:60;-300:300"),
    # 20,000,000 VND or more in cash is the decree's line: plain digits, no exponent, no 'VND' unit.
    ("compliance.cash_limit", Metric("max_cash_vnd", 30_631_000, "VND", crit=20_000_000), Status.CRITICAL,
     "'compliance.cash_limit.max_cash_vnd'=30631000;;19999999"),
    ("pos.db.connect", Metric("latency_ms", 2.1, "ms", warn=500.0), Status.OK, "'pos.db.connect.latency_ms'=2.1ms;500"),
]


@pytest.mark.parametrize("check_id, metric, status, expected", CASES)
def test_perfdata_thresholds_agree_with_the_reported_state(check_id: str, metric: Metric, status: Status,
                                                          expected: str) -> None:
    (entry,) = perfdata(CheckResult(check_id, status, "…", metrics=(metric,)))
    assert entry == expected
    _label, value, uom, _warn, _crit = parse(entry)
    assert uom in GUIDELINE_UNITS and value == pytest.approx(metric.value)
    # A monitoring system reading the numbers by the guidelines reaches the state the check reported (in each
    # case this metric is what decided it).
    assert implied(entry) is status


def test_the_price_board_at_night_sits_beside_an_ok_without_a_contradicting_threshold(
    make_ctx: Callable[..., CheckContext], shop_settings
) -> None:
    """The issue's line, from the real check on the demo shop: 21:30 in the shop, board last set at 08:30."""
    evening = dt.datetime(2026, 11, 25, 21, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    ctx = make_ctx(settings_with(shop_settings, "health", trading_hours="08:00-20:00"), now=evening)
    report = run_checks([find(default_checks(), check_id) for check_id in ("pos.db.connect", "prices.fresh")], ctx)
    line, code = nagios(report)
    assert code == 0 and line.startswith("PMV OK - ")
    entries = line.split(" | ", 1)[1].split(" ")
    age = next(e for e in entries if e.startswith("'prices.fresh.age_hours'="))
    _label, value, _uom, warn, crit = parse(age)
    assert value > 12 and warn == "" and crit == "48"  # 13 h old, not written beside a 12 h warning
    assert all(implied(e) is Status.OK for e in entries)


def test_the_nagios_line_is_one_line_with_one_bar() -> None:
    at = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
    results = (CheckResult("disk.free", Status.WARNING, "Ổ C: còn 7,3 GB | ít", metrics=(
        Metric("free_gb", 7.25, "GB", warn=10, crit=5.0),)),)
    line, code = nagios(HealthReport(at, at, results, {}))
    assert code == 1 and line.count("|") == 1 and "\n" not in line
    assert line.endswith(" | 'disk.free.free_gb'=7.25GB;10:;5:")


def test_a_check_that_timed_out_exits_as_the_json_verdict_says_not_as_a_run_that_could_not_start() -> None:
    """README (exit codes): `check --json` exits by the verdict it prints, 3 only when it could not run at all;
    the verdict counts an unknown check as a warning (HealthReport.verdict).  `--nagios` keeps the Nagios plugin
    guidelines' worst state, where a state that could not be determined is UNKNOWN (3)."""
    at = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
    timed_out = CheckResult("pos.invoices", Status.UNKNOWN, "Quá thời gian chờ (20 giây)")
    report = HealthReport(at, at, (CheckResult("disk.free", Status.OK, "Ổ C: còn nhiều"), timed_out), {})
    assert report.verdict is Status.WARNING and verdict_exit_code(report) == 1
    assert nagios(report)[1] == 3
    critical = HealthReport(at, at, (timed_out, CheckResult("backup.age", Status.CRITICAL, "Sao lưu cũ")), {})
    assert verdict_exit_code(critical) == nagios(critical)[1] == 2
    quiet = HealthReport(at, at, (CheckResult("backup.age", Status.SKIPPED, "Bỏ qua"),), {})
    assert verdict_exit_code(quiet) == 0
