"""The shop's time zone and the shop's day: one definition for the shop client and the vendor server.

Every time either side shows or counts in is shop time, whatever zone the PC
or the server is set to.
"""

from __future__ import annotations

import datetime as dt

# The shop's time zone, defined here only.  Vietnam has kept UTC+7 without daylight saving since 1975, so a
# fixed offset is exact for every date the app meets, and needs no tz database (Windows ships none, and the
# ``tzdata`` package may be missing from an install).  The IANA name is for what needs a name (the vendor's
# working calendar, ZoneInfo).
SHOP_TZ_NAME = "Asia/Ho_Chi_Minh"
SHOP_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def utc_now() -> dt.datetime:
    """Now, aware, in UTC: the clock every part of the app takes by default (tests inject their own)."""
    return dt.datetime.now(dt.UTC)


def shop_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the shop's zone.

    A naive datetime is taken as already being shop wall-clock time: that is
    how the POS writes its own times (price board, invoices, logs).
    """
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        return moment.replace(tzinfo=SHOP_TZ)
    return moment.astimezone(SHOP_TZ)


def shop_today(now: dt.datetime) -> dt.date:
    """The shop's date at the instant ``now`` (00:30 in Hà Nội is still 'yesterday' in UTC)."""
    return shop_time(now).date()
