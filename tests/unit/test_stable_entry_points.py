"""The names DESIGN.md ("Stable entry points") promises to other features, the CLI and outside tests, called
exactly as it writes them.  The expected values come from the vendor's policy (../shared/seed: 2 working hours
for a critical request under maintenance, 4 for a normal one under warranty; working hours 08:00-12:00 and
13:30-17:30 on weekdays; warranty from acceptance for the package's months) and from GS1's EAN-13 check digit."""

from __future__ import annotations

import datetime as dt

from app.devices.diagnosis import Fault, diagnose
from app.support.sla import response_due
from app.warranty.contract import Contract
from app.warranty.coverage import coverage_on

VN = dt.timezone(dt.timedelta(hours=7))
PAYLOAD = {"shop_id": "KP-0001", "shop_name": "Tiệm vàng Kim Phát",
           "package": {"code": "PMV-GOLD", "warranty_months": 6}, "accepted_on": "2026-01-15",
           "maintenance": [{"start": "2026-07-16", "end": "2027-07-15", "tier": "standard"}],
           "issued_at": "2026-01-15T09:00:00+07:00"}


def test_response_due_takes_any_zone_and_answers_in_the_shops() -> None:
    opened = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Hà Nội, no holiday
    critical = response_due(opened, "critical", "maintenance")
    assert critical == dt.datetime(2026, 3, 10, 12, 0, tzinfo=VN)
    assert critical is not None and critical.utcoffset() == dt.timedelta(hours=7)
    # 10:00-12:00 is two hours; the lunch break does not count; 13:30 + 2 h.
    assert response_due(opened, "normal", "warranty") == dt.datetime(2026, 3, 10, 15, 30, tzinfo=VN)
    assert response_due(opened, "critical", "expired") is None


def test_contract_from_payload_and_its_coverage_by_day() -> None:
    contract = Contract.from_payload(PAYLOAD)
    # 15/01 + 6 months: the warranty covers through 15/07; maintenance takes over on 16/07.
    on_last_warranty_day = coverage_on(contract, dt.date(2026, 7, 15))
    assert on_last_warranty_day.status == "warranty" and on_last_warranty_day.warranty_ends == dt.date(2026, 7, 15)
    next_day = coverage_on(contract, dt.date(2026, 7, 16))
    assert next_day.status == "maintenance" and next_day.maintenance is not None
    assert next_day.maintenance.end == dt.date(2027, 7, 15)
    assert coverage_on(contract, dt.date(2027, 7, 16)).status == "expired"
    assert {"status", "warranty_ends", "maintenance", "priority", "days_left", "ending_soon"} <= set(
        vars(next_day))


def test_diagnose_names_faults_as_design_lists_them() -> None:
    assert diagnose("8934567890120", "8934567890120\r") == []  # 8934567890120: GS1 check digit 0
    assert diagnose("8934567890120", "8934567890120") == [Fault.MISSING_TERMINATOR]
    assert Fault.MISSING_TERMINATOR == "missing_terminator" and isinstance(Fault.IME_TELEX, str)
