"""Vietnam's public holidays by year as the pinned ``holidays`` package gives them, stored as a table.

The package answers the same for a given version, but importing it loads every
country's rules: ~17 MiB resident and ~80 ms in the shop's window the first time
a deadline is counted (issue 24's profile), and the same in the vendor server.
The table (``data/vn_public_holidays.json``, written by ``tools/holiday_table.py``
and compared with the installed package by a test) covers the years a till
meets; :func:`pmv_protocol.calendar.public_holidays` asks the package only
outside them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

TABLE_PATH = Path(__file__).resolve().parent / "data" / "vn_public_holidays.json"
COUNTRY = "VN"
FIRST_YEAR = 2000
LAST_YEAR = 2060


@functools.cache
def _table() -> dict[int, frozenset[dt.date]]:
    """The stored years; empty (every year asks the package) if the installed file is missing or damaged."""
    try:
        stored = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
        return {int(year): frozenset(dt.date.fromisoformat(day) for day in days)
                for year, days in stored["years"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.error("holiday table %s unreadable (%s): the holidays package answers instead", TABLE_PATH, exc)
        return {}


def stored_holidays(year: int, country: str) -> frozenset[dt.date] | None:
    """The table's days off for ``year``, or None when the table does not hold it (another country or year)."""
    if country != COUNTRY or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return _table().get(year)
