"""What every vendor table is declared on: the declarative base and the UTC column type.

Its own module so the tables of each area (:mod:`vendor_server.db`, :mod:`vendor_server.thread_tables`) share
one ``Base`` without importing each other.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Dialect, TypeDecorator
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """The vendor database's metadata; the migrations (vendor_server/migrations) make its tables."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC, read back aware.

    SQLite's DATETIME drops the offset, so a value written as 10:00+07:00
    would come back as a naive 10:00 and compare wrongly against UTC times
    (``updated_since`` polling compares in SQL).  Normalising to UTC on the
    way in keeps SQLite's string order equal to time order, and tagging UTC
    on the way out gives callers aware values on every backend.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given for a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
