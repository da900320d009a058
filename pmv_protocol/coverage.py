"""Coverage on a day, by DESIGN.md's rules (a pure function of the contract).

Months are counted as the Vietnamese Civil Code counts them: the last covered
day is the same day number N months later, or the last day of that month
when it has no such day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass

from pmv_protocol.contract import Contract, MaintenanceContract

ENDING_SOON_DAYS = 30


class CoverageStatus(enum.StrEnum):
    WARRANTY = "warranty"
    MAINTENANCE = "maintenance"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Coverage:
    status: CoverageStatus
    warranty_ends: dt.date
    maintenance: MaintenanceContract | None  # the contract in force, if any
    priority: bool
    days_left: int  # to the last day of the unbroken run of coverage; 0 on that day and when expired
    ending_soon: bool
    covered_until: dt.date | None  # that last day; None when expired
    # The acceptance day, while it is still ahead: the shop is being installed, its warranty not begun.  Not
    # covered by the policy (W1: from acceptance), and not "expired" either: the words say which.
    accepted_on_ahead: dt.date | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day number ``months`` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_end(contract: Contract) -> dt.date:
    return add_months(contract.accepted_on, contract.warranty_months)


def covered_runs(contract: Contract) -> list[tuple[dt.date, dt.date]]:
    """Warranty and maintenance periods merged where they overlap or touch."""
    periods = [(contract.accepted_on, warranty_end(contract))]
    periods += [(m.start, m.end) for m in contract.maintenance]
    periods.sort()
    runs: list[tuple[dt.date, dt.date]] = []
    for start, end in periods:
        if runs and start <= runs[-1][1] + dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs


def contract_in_force(contract: Contract, day: dt.date) -> MaintenanceContract | None:
    """The maintenance contract covering ``day``; of overlapping ones, the one lasting longest."""
    covering = [m for m in contract.maintenance if m.start <= day <= m.end]
    return max(covering, key=lambda m: (m.end, m.start), default=None)


def coverage_on(contract: Contract, day: dt.date) -> Coverage:
    ends = warranty_end(contract)
    in_force = contract_in_force(contract, day)
    if contract.accepted_on <= day <= ends:
        status = CoverageStatus.WARRANTY
    elif in_force is not None:
        status = CoverageStatus.MAINTENANCE
    else:
        status = CoverageStatus.EXPIRED
    covered_until = None
    if status is not CoverageStatus.EXPIRED:
        covered_until = next(end for start, end in covered_runs(contract) if start <= day <= end)
    days_left = (covered_until - day).days if covered_until else 0
    return Coverage(
        status=status,
        warranty_ends=ends,
        maintenance=in_force,
        priority=in_force is not None,
        days_left=days_left,
        ending_soon=covered_until is not None and days_left <= ENDING_SOON_DAYS,
        covered_until=covered_until,
        accepted_on_ahead=contract.accepted_on if day < contract.accepted_on else None,
    )


def deadline_class(coverage: Coverage) -> str:
    """The row of the response-time table (:data:`pmv_protocol.sla.RESPONSE_HOURS`) a request of that day is in.

    A maintenance contract in force makes the shop a priority customer even inside its warranty (DESIGN.md,
    "Domain rules": priority "even inside the warranty"; seed rule M1), so it is answered on the maintenance row.
    """
    return CoverageStatus.MAINTENANCE.value if coverage.priority else coverage.status.value
