"""Coverage, checked against cases worked out by hand from DESIGN.md's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from pmv_protocol.contract import Contract, MaintenanceContract
from pmv_protocol.coverage import CoverageStatus, add_months, coverage_on, covered_runs, warranty_end

D = dt.date


def contract(accepted: dt.date, months: int = 12, *maintenance: tuple[dt.date, dt.date]) -> Contract:
    return Contract(
        shop_id="KP-0001", shop_name="Kim Phát", package_code="PMV-GOLD", warranty_months=months,
        accepted_on=accepted,
        maintenance=tuple(MaintenanceContract(s, e, "standard") for s, e in maintenance),
        issued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    "accepted, months, last_day",
    [
        (D(2026, 1, 15), 12, D(2027, 1, 15)),  # DESIGN.md's example
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # DESIGN.md's example: no 31 Feb, clamp to month end
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # 2028 is a leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # from a leap day into a common year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 31), 6, D(2026, 9, 30)),
        (D(2026, 7, 31), 6, D(2027, 1, 31)),
        (D(2026, 12, 1), 12, D(2027, 12, 1)),
    ],
)
def test_warranty_last_day_counts_months_as_the_civil_code(accepted, months, last_day) -> None:
    assert warranty_end(contract(accepted, months)) == last_day


def test_add_months_crosses_years_both_ways() -> None:
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)
    assert add_months(D(2026, 1, 15), -14) == D(2024, 11, 15)


def test_inside_warranty_without_contract() -> None:
    c = contract(D(2026, 1, 15))
    cov = coverage_on(c, D(2026, 12, 16))
    assert cov.status is CoverageStatus.WARRANTY
    assert cov.priority is False and cov.maintenance is None
    assert cov.days_left == 30 and cov.ending_soon  # 16/12 -> 15/01 is 30 days
    assert coverage_on(c, D(2026, 12, 15)).ending_soon is False  # 31 days left
    last = coverage_on(c, D(2027, 1, 15))
    assert last.status is CoverageStatus.WARRANTY and last.days_left == 0
    after = coverage_on(c, D(2027, 1, 16))
    assert after.status is CoverageStatus.EXPIRED and after.days_left == 0 and not after.ending_soon
    assert after.covered_until is None


def test_maintenance_chained_back_to_back_counts_to_the_end_of_the_run() -> None:
    c = contract(
        D(2026, 1, 15), 12,
        (D(2027, 1, 16), D(2028, 1, 15)),
        (D(2028, 1, 16), D(2029, 1, 15)),
    )
    during_warranty = coverage_on(c, D(2026, 6, 1))
    assert during_warranty.status is CoverageStatus.WARRANTY
    assert during_warranty.covered_until == D(2029, 1, 15)
    assert during_warranty.days_left == (D(2029, 1, 15) - D(2026, 6, 1)).days
    assert not during_warranty.ending_soon  # the warranty ends in 7 months but coverage goes on
    first_day = coverage_on(c, D(2027, 1, 16))
    assert first_day.status is CoverageStatus.MAINTENANCE and first_day.priority
    assert first_day.maintenance.start == D(2027, 1, 16)
    second_year = coverage_on(c, D(2028, 6, 1))
    assert second_year.maintenance.start == D(2028, 1, 16)


def test_a_gap_between_contracts_is_expired_for_its_days() -> None:
    c = contract(D(2026, 1, 15), 12, (D(2027, 3, 1), D(2028, 2, 29)))
    assert coverage_on(c, D(2027, 1, 15)).days_left == 0  # the warranty's run stops at the gap
    gap = coverage_on(c, D(2027, 2, 10))
    assert gap.status is CoverageStatus.EXPIRED and not gap.priority
    back = coverage_on(c, D(2027, 3, 1))
    assert back.status is CoverageStatus.MAINTENANCE
    assert back.days_left == (D(2028, 2, 29) - D(2027, 3, 1)).days == 365


def test_overlapping_contracts_are_merged_and_priority_applies_inside_the_warranty() -> None:
    c = contract(
        D(2026, 1, 15), 12,
        (D(2026, 11, 1), D(2027, 10, 31)),  # bought early, overlapping the warranty
        (D(2027, 6, 1), D(2028, 5, 31)),  # and another overlapping that one
    )
    assert covered_runs(c) == [(D(2026, 1, 15), D(2028, 5, 31))]
    inside = coverage_on(c, D(2026, 12, 1))
    assert inside.status is CoverageStatus.WARRANTY and inside.priority
    assert inside.days_left == (D(2028, 5, 31) - D(2026, 12, 1)).days
    overlap = coverage_on(c, D(2027, 7, 1))
    assert overlap.maintenance.end == D(2028, 5, 31)  # the one lasting longest


def test_before_acceptance_is_not_covered() -> None:
    c = contract(D(2026, 1, 15))
    assert coverage_on(c, D(2026, 1, 14)).status is CoverageStatus.EXPIRED
    assert coverage_on(c, D(2026, 1, 15)).status is CoverageStatus.WARRANTY
    # Not covered (seed rule W1: from acceptance), but not run out either: the shop is being installed, and the
    # words say so (it read "Hết hạn bảo hành", red, through the commissioning).
    assert coverage_on(c, D(2026, 1, 14)).accepted_on_ahead == D(2026, 1, 15)
    assert coverage_on(c, D(2026, 1, 15)).accepted_on_ahead is None
    assert coverage_on(c, D(2027, 2, 1)).accepted_on_ahead is None  # run out for real


def test_ending_soon_threshold_is_30_days_inclusive_on_maintenance() -> None:
    c = contract(D(2025, 1, 1), 6, (D(2025, 7, 2), D(2026, 7, 1)))
    assert coverage_on(c, D(2026, 6, 1)).days_left == 30
    assert coverage_on(c, D(2026, 6, 1)).ending_soon
    assert not coverage_on(c, D(2026, 5, 31)).ending_soon
