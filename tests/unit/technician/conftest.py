"""Set-up shared by the technician tests."""

from __future__ import annotations

import pytest

from tests.helpers import TECHNICIAN_T0, FixedClock


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test moves by hand, at TECHNICIAN_T0 until it does."""
    return FixedClock(TECHNICIAN_T0)
