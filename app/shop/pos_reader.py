"""Read-only access to a shop's POS database.

Opened with ``mode=ro`` so nothing in this app can change the shop's books.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


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


def read_summary(path: Path) -> PosSummary:
    with open_read_only(path) as conn:
        version_row = conn.execute("SELECT value FROM pos_info WHERE key = 'version'").fetchone()
        items, in_stock = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(status = 'in_stock'), 0) FROM items"
        ).fetchone()
        invoices, last_number = conn.execute("SELECT COUNT(*), MAX(number) FROM invoices").fetchone()
        board = [
            BoardPrice(*row)
            for row in conn.execute(
                "SELECT p.purity_code, u.name, p.buy_vnd_per_chi, p.sell_vnd_per_chi, p.updated_at"
                " FROM gold_prices p JOIN ("
                "   SELECT purity_code, MAX(updated_at) AS latest FROM gold_prices GROUP BY purity_code"
                " ) l ON l.purity_code = p.purity_code AND l.latest = p.updated_at"
                " JOIN purities u ON u.code = p.purity_code ORDER BY u.per_mille DESC"
            )
        ]
    return PosSummary(
        version=version_row[0] if version_row else None,
        items=items,
        items_in_stock=in_stock,
        invoices=invoices,
        last_invoice_number=last_number,
        board=board,
    )
