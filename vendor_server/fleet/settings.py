"""The server's fleet settings (``[fleet]`` in the server's config): when a shop counts as silent, and how long a
check may stay critical before the system opens a ticket for it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmv_protocol.calendar import parse_interval, weekday_index

# Per check id: hours a check may stay critical before a ticket is opened for the shop.  The backup's age is
# itself measured in hours, so 48 h means two days without a usable backup; a POS database that cannot be
# reached stops the shop trading, so one hour of trading time is enough.
DEFAULT_PROACTIVE_HOURS: Mapping[str, float] = {"backup.age": 48.0, "pos.db.connect": 1.0}


@dataclass(frozen=True)
class FleetSettings:
    """``silent_after_hours``: a shop with a contract in force is silent when this many hours of its trading
    hours have passed since its last report (the shop's heartbeat comes every 15 minutes).  ``trading_hours``:
    the shops' usual trading day, shop time, as in the app's ``[health] trading_hours``.  ``proactive_hours``:
    see :data:`DEFAULT_PROACTIVE_HOURS`; ``trading_hours_only``: the checks whose time counts only within
    trading hours (a closed shop's database may well be off).  ``closed_weekdays``: the weekdays the shops do not
    trade (0 Monday … 6 Sunday; the config names them, ``["sunday"]``).  None by default: Vietnamese gold shops
    trade seven days a week; the days they close together, Tết above all, are the public holidays of the
    vendor's calendar, which trading time always skips (:mod:`vendor_server.fleet.trading`)."""

    silent_after_hours: float = 2.0
    trading_hours: str = "08:00-20:00"
    proactive_hours: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PROACTIVE_HOURS))
    trading_hours_only: frozenset[str] = frozenset({"pos.db.connect"})
    closed_weekdays: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        # nan and inf pass "> 0" and then break every silence and sweep computation at run time.
        if not (math.isfinite(self.silent_after_hours) and self.silent_after_hours > 0):
            raise ValueError(f"silent_after_hours must be above 0, got {self.silent_after_hours}")
        parse_interval(self.trading_hours)  # raises ValueError for a malformed "HH:MM-HH:MM"
        if not self.closed_weekdays <= set(range(7)) or len(self.closed_weekdays) == 7:
            raise ValueError(f"closed_weekdays must be some weekdays (0-6), not all seven, "
                             f"got {sorted(self.closed_weekdays)}")
        for check_id, hours in self.proactive_hours.items():
            if not (math.isfinite(hours) and hours > 0):
                raise ValueError(f"proactive hours for {check_id} must be above 0, got {hours}")

    @classmethod
    def from_mapping(cls, block: Mapping[str, Any]) -> FleetSettings:
        """From the config's ``[fleet]`` table; ValueError naming the bad key."""
        known = {"silent_after_hours", "trading_hours", "proactive_hours", "trading_hours_only", "closed_weekdays"}
        unknown = set(block) - known
        if unknown:
            raise ValueError(f"[fleet]: unknown key(s) {', '.join(sorted(unknown))}")
        only = block.get("trading_hours_only", ["pos.db.connect"])
        if not isinstance(only, list | tuple):  # a string would become the set of its letters
            raise ValueError(f"[fleet]: trading_hours_only must be a list of check ids, got {only!r}")
        closed = block.get("closed_weekdays", [])
        if not isinstance(closed, list | tuple):
            raise ValueError(f"[fleet]: closed_weekdays must be a list of weekday names, got {closed!r}")
        try:
            return cls(
                silent_after_hours=float(block.get("silent_after_hours", cls.silent_after_hours)),
                trading_hours=str(block.get("trading_hours", cls.trading_hours)),
                proactive_hours={str(k): float(v) for k, v in
                                 dict(block.get("proactive_hours", DEFAULT_PROACTIVE_HOURS)).items()},
                trading_hours_only=frozenset(str(c) for c in only),
                closed_weekdays=frozenset(_weekday(name) for name in closed),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"[fleet]: {exc}") from None


def _weekday(name: object) -> int:
    """0 for "monday" or "Mon" … 6 for "sunday", as the working calendar reads them (ValueError else)."""
    try:
        return weekday_index(str(name))
    except ValueError:
        raise ValueError(f"closed_weekdays: {name!r} is not a weekday (monday … sunday)") from None
