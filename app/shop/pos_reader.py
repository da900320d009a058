"""Read-only access to a shop's POS database.

An SQLite file is opened with ``mode=ro`` so nothing in this app can change
the shop's books; a database server is read through the engine the health
checks use (read-only transactions on PostgreSQL, a read-only login
recommended on SQL Server: see the README's "POS databases").
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class BoardPrice:
    purity_code: str
    purity_name: str
    buy_vnd_per_chi: int
    sell_vnd_per_chi: int
    updated_at: str


@dataclass(frozen=True)
class PosSummary:
    version: str | None
    items: int
    items_in_stock: int
    invoices: int
    last_invoice_number: int | None
    board: list[BoardPrice]


@contextmanager
def open_read_only(path: Path) -> Iterator[sqlite3.Connection]:
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


# Portable SQL (SQLite, SQL Server, PostgreSQL): no boolean sums, and "key" quoted (reserved in T-SQL).
_VERSION_SQL = "SELECT value FROM pos_info WHERE \"key\" = 'version'"
_ITEMS_SQL = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'in_stock' THEN 1 ELSE 0 END), 0) FROM items"
_INVOICES_SQL = "SELECT COUNT(*), MAX(number) FROM invoices"
# Each purity's latest board row.
_BOARD_SQL = (
    "SELECT p.purity_code, u.name, p.buy_vnd_per_chi, p.sell_vnd_per_chi, p.updated_at"
    " FROM gold_prices p JOIN ("
    "   SELECT purity_code, MAX(updated_at) AS latest FROM gold_prices GROUP BY purity_code"
    " ) l ON l.purity_code = p.purity_code AND l.latest = p.updated_at"
    " JOIN purities u ON u.code = p.purity_code ORDER BY u.per_mille DESC"
)

Rows = Callable[[str], Sequence[Sequence[Any]]]


def read_summary(path: Path) -> PosSummary:
    """The summary of a POS kept in an SQLite file, opened read-only."""
    with open_read_only(path) as conn:
        return _summary(lambda sql: conn.execute(sql).fetchall())


def read_summary_from(engine: Engine) -> PosSummary:
    """The same summary from any POS database SQLAlchemy reaches (pos.url: SQL Server, PostgreSQL)."""
    with engine.connect() as conn:
        return _summary(lambda sql: [tuple(row) for row in conn.execute(text(sql)).all()])


def _summary(rows: Rows) -> PosSummary:
    version = rows(_VERSION_SQL)
    items, in_stock = rows(_ITEMS_SQL)[0]
    invoices, last_number = rows(_INVOICES_SQL)[0]
    board = [
        BoardPrice(str(code), str(name), int(buy), int(sell), _as_text(updated))
        for code, name, buy, sell, updated in rows(_BOARD_SQL)
    ]
    return PosSummary(
        version=str(version[0][0]) if version else None,
        items=int(items),
        items_in_stock=int(in_stock),
        invoices=int(invoices),
        last_invoice_number=int(last_number) if last_number is not None else None,
        board=board,
    )


def _as_text(value: object) -> str:
    """The POS's ISO text for a time, whether the column is text (SQLite) or a timestamp (a server)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value)
