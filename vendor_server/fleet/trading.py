"""Time counted within the shops' trading day only: how long a shop has been quiet, or a check critical, while
it was trading.

The fleet's trading day is one interval of shop time, the same every day (``[fleet] trading_hours``, e.g.
``08:00-20:00``): a shop closed at night is not silent, and a database switched off with the shop is not an
incident.  The shop's zone has a fixed offset (:data:`pmv_protocol.shop_time.SHOP_TZ`), so the count is plain
arithmetic: the trading time from a fixed origin up to a moment is whole days times the day's length plus the
part of that moment's own day, and the time between two moments is the difference of those two positions.
No day-by-day loop, so a shop that has never reported in a year costs what one that was quiet an hour does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pmv_protocol.calendar import parse_interval, within_interval
from pmv_protocol.shop_time import SHOP_TZ

_ORIGIN = dt.date(2000, 1, 1)  # any shop day before every moment counted; positions are measured from it
_MICROS_PER_MINUTE = 60_000_000
_MICROS_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class TradingDay:
    """The trading interval ``opens``–``closes`` (minutes after the shop's midnight), every day."""

    opens: int
    closes: int

    @classmethod
    def parse(cls, text: str) -> TradingDay:
        """From ``"HH:MM-HH:MM"`` (ValueError naming the text, from :func:`pmv_protocol.calendar.parse_interval`)."""
        opens, closes = parse_interval(text)
        return cls(opens, closes)

    @property
    def _day_micros(self) -> int:
        return (self.closes - self.opens) * _MICROS_PER_MINUTE

    def _position(self, moment: dt.datetime) -> int:
        """Trading microseconds from the origin's opening to ``moment``."""
        local = moment.astimezone(SHOP_TZ)
        of_day = ((local.hour * 60 + local.minute) * 60 + local.second) * _MICROS_PER_SECOND + local.microsecond
        within = min(max(of_day - self.opens * _MICROS_PER_MINUTE, 0), self._day_micros)
        return (local.date() - _ORIGIN).days * self._day_micros + within

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Trading time from ``start`` to ``end`` (zero when ``end`` is not after ``start``)."""
        micros = self._position(end) - self._position(start)
        return dt.timedelta(microseconds=max(micros, 0))

    def after(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The first moment by which ``duration`` (> 0) of trading time has passed since ``start`` (shop time).

        When the time runs out exactly at a closing, that closing is the moment (not the next opening)."""
        if duration <= dt.timedelta(0):
            raise ValueError(f"duration must be above zero, got {duration}")
        target = self._position(start) + duration // dt.timedelta(microseconds=1)
        days, rest = divmod(target, self._day_micros)
        if rest == 0:
            days, rest = days - 1, self._day_micros
        midnight = dt.datetime.combine(_ORIGIN + dt.timedelta(days=days), dt.time(), tzinfo=SHOP_TZ)
        return midnight + dt.timedelta(minutes=self.opens, microseconds=rest)

    def is_open(self, moment: dt.datetime) -> bool:
        return within_interval((self.opens, self.closes), moment.astimezone(SHOP_TZ))
