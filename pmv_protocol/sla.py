"""The response-deadline clock (DESIGN.md, "Domain rules").

The vendor promises a first response within a number of *working* hours that
depends on the request's severity and the shop's coverage on the day:

================  ==========  ==========  ==========
coverage          critical    high        normal
================  ==========  ==========  ==========
maintenance       2 h         2 h         4 h
warranty          2 h         4 h         4 h
expired           no deadline (best effort; the app offers the hotline)
================  ==========  ==========  ==========

Time is counted on :class:`~pmv_protocol.calendar.WorkingCalendar`: a request
opened outside working hours starts counting at the next opening, and a
deadline landing exactly on a closing time stays there.

``response_due`` is a stable entry point: the vendor server, the CLI and the
UI all call it, so its signature only grows parameters with defaults.
``calendar=None`` is the default calendar with no calendar pack, i.e. the
``holidays`` estimate for every year; the app passes
``Runtime.working_calendar()`` (its installed calendar packs) and the vendor
server the packs it publishes (:mod:`vendor_server.calendars`), so both count
the same deadline.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from types import MappingProxyType

from pmv_protocol.calendar import WorkingCalendar

SEVERITIES: tuple[str, ...] = ("critical", "high", "normal")
COVERAGES: tuple[str, ...] = ("warranty", "maintenance", "expired")

# coverage -> severity -> working hours to first response; ``expired`` is
# absent on purpose: it has no deadline.  Read-only so no caller can
# accidentally change the promise for everyone.
RESPONSE_HOURS: Mapping[str, Mapping[str, int]] = MappingProxyType({
    "maintenance": MappingProxyType({"critical": 2, "high": 2, "normal": 4}),
    "warranty": MappingProxyType({"critical": 2, "high": 4, "normal": 4}),
})


def _code(value: object, allowed: tuple[str, ...], what: str) -> str:
    """The plain string code of ``value``, or ValueError naming it.

    A ``str`` enum such as ``CoverageStatus.WARRANTY`` compares and hashes
    like ``"warranty"``, but on Python 3.11 ``str()`` / f-strings render it as
    ``"CoverageStatus.WARRANTY"``; taking ``.value`` first keeps the code a
    plain string wherever it travels next (logs, JSON, error text).
    """
    code = value.value if isinstance(value, enum.Enum) else value
    if not isinstance(code, str) or code not in allowed:
        raise ValueError(f"unknown {what} {value!r}: expected one of {', '.join(allowed)}")
    return code


def response_hours(severity: str, coverage: str) -> int | None:
    """Working hours allowed for a first response, or None for ``expired``."""
    severity_code = _code(severity, SEVERITIES, "severity")
    coverage_code = _code(coverage, COVERAGES, "coverage")
    table = RESPONSE_HOURS.get(coverage_code)
    return None if table is None else table[severity_code]


def response_due(
    opened_at: dt.datetime,
    severity: str,
    coverage: str,
    calendar: WorkingCalendar | None = None,
) -> dt.datetime | None:
    """When the vendor must have responded to a request opened at ``opened_at``.

    ``opened_at`` must be timezone-aware (any zone): a naive time would be
    read in whatever zone the till PC happens to use.  Returns an aware
    datetime in the calendar's zone (Asia/Ho_Chi_Minh by default), or None
    when coverage is ``expired``.  Severity and coverage are validated even
    for ``expired``, so a typo never hides behind "no deadline".
    """
    if opened_at.tzinfo is None or opened_at.utcoffset() is None:
        raise ValueError(f"opened_at must be timezone-aware, got naive {opened_at.isoformat()}")
    hours = response_hours(severity, coverage)
    if hours is None:
        return None
    if calendar is None:
        calendar = WorkingCalendar.default()
    return calendar.add_working_time(opened_at, dt.timedelta(hours=hours))


def is_outside_working_hours(moment: dt.datetime, calendar: WorkingCalendar | None = None) -> bool:
    """True when the vendor's desk is closed at ``moment``.

    The UI uses it to put the 24/7 hotline first ("call 1900 6037"), since
    nobody will pick up a request until the next opening.
    """
    if calendar is None:
        calendar = WorkingCalendar.default()
    return not calendar.is_open(moment)
