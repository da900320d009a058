from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.storage.db import Database
from app.storage.repositories import StateRepository
from app.warranty.reminders import due_reminder
from pmv_protocol.contract import Contract, MaintenanceContract
from pmv_protocol.coverage import coverage_on

# Warranty 15/01/2026 -> 15/01/2027 inclusive.
CONTRACT = Contract("KP", "Kim Phát", "PMV", 12, dt.date(2026, 1, 15), (), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


@pytest.fixture
def state(tmp_path: Path) -> StateRepository:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    yield StateRepository(db)
    db.close()


def remind(state: StateRepository, day: dt.date, contract: Contract = CONTRACT) -> int | None:
    return due_reminder(coverage_on(contract, day), state)


def test_each_reminder_fires_once_on_its_day(state) -> None:
    fired = {}
    day = dt.date(2026, 12, 1)
    while day <= dt.date(2027, 1, 16):
        for _run in range(3):  # the app checks several times a day
            threshold = remind(state, day)
            if threshold is not None:
                fired.setdefault(threshold, []).append(day)
        day += dt.timedelta(days=1)
    assert fired == {30: [dt.date(2026, 12, 16)], 7: [dt.date(2027, 1, 8)], 1: [dt.date(2027, 1, 14)]}


def test_a_pc_that_was_off_gets_one_reminder_not_three(state) -> None:
    assert remind(state, dt.date(2027, 1, 14)) == 1
    assert remind(state, dt.date(2027, 1, 15)) is None


def test_a_pc_off_on_the_reminder_day_is_told_the_days_really_left(state) -> None:
    # Off from before 16/12 until 10/01: the 7-day reminder is due, and it says 5 days (the tile's figure),
    # not 7; first on on the last day, it says 0 (it said "tomorrow").
    assert remind(state, dt.date(2027, 1, 10)) == 5
    assert remind(state, dt.date(2027, 1, 15)) == 0
    assert remind(state, dt.date(2027, 1, 15)) is None


def test_a_renewal_starts_the_reminders_afresh(state) -> None:
    assert remind(state, dt.date(2027, 1, 10)) == 5
    renewed = Contract("KP", "Kim Phát", "PMV", 12, dt.date(2026, 1, 15),
                       (MaintenanceContract(dt.date(2027, 1, 16), dt.date(2028, 1, 15), "std"),),
                       dt.datetime(2027, 1, 11, tzinfo=dt.UTC))
    assert remind(state, dt.date(2027, 1, 11), renewed) is None
    assert remind(state, dt.date(2027, 12, 20), renewed) == 26  # the 30-day one, due since 16/12
