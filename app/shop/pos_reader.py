"""Read-only access to a shop's POS database.

An SQLite file is opened with ``mode=ro`` so nothing in this app can change
the shop's books; a database server is read through the engine the health
checks use (read-only transactions on PostgreSQL, a read-only login
recommended on SQL Server: see the README's "POS databases").  SQLAlchemy is
imported only there: the SQLite summary is what the window's overview reads at
start-up, before the data layer has loaded (issue 24).

Counts and numbers are of sales invoices: buy-backs are purchase records
with their own numbering (see app.shop.pos_schema), counted apart.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.shop.file_uri import file_uri
from app.shop.pos_schema import BUY, PAYMENTS_TABLE

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


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
    last_invoice_number: int | None  # of the latest sales invoice (each year's series restarts at 1)
    board: list[BoardPrice]
    purchase_records: int = 0


@contextmanager
def open_read_only(path: Path) -> Iterator[sqlite3.Connection]:
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    conn = sqlite3.connect(file_uri(path) + "?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


# Portable SQL (SQLite, SQL Server, PostgreSQL): no boolean sums, and "key" quoted (reserved in T-SQL).
_VERSION_SQL = "SELECT value FROM pos_info WHERE \"key\" = 'version'"
_ITEMS_SQL = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'in_stock' THEN 1 ELSE 0 END), 0) FROM items"
_INVOICES_SQL = (
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN kind = 'buy' THEN 1 ELSE 0 END), 0) FROM invoices"
)
# The newest sales invoice's number: MAX(number) over all series would mix last year's series with this year's.
# Every number saved in that second is read, and the largest taken in Python (as_invoice_number): SQL's MAX of a
# text column is alphabetical ('9' > '18').
_LAST_NUMBER_SQL = (
    "SELECT number FROM invoices WHERE kind = 'sell'"
    " AND issued_at = (SELECT MAX(issued_at) FROM invoices WHERE kind = 'sell')"
)
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
    from sqlalchemy import text

    with engine.connect() as conn:
        return _summary(lambda sql: [tuple(row) for row in conn.execute(text(sql)).all()])


def read_summary_at(url: str) -> PosSummary:
    """The summary of the POS that ``pos.url`` names (an SQLAlchemy URL or the POS's connection string), through
    the driver and the connect options the health checks use; :class:`app.shop.pos_url.PosUrlError` says why a
    URL cannot be used."""
    from app.shop.pos_driver import pos_engine_for
    from app.shop.pos_url import to_sqlalchemy_url

    engine = pos_engine_for(to_sqlalchemy_url(url))
    try:
        return read_summary_from(engine)
    finally:
        engine.dispose()


def _summary(rows: Rows) -> PosSummary:
    version = rows(_VERSION_SQL)
    items, in_stock = rows(_ITEMS_SQL)[0]
    documents, purchases = rows(_INVOICES_SQL)[0]
    last_number = max((n for n in (as_invoice_number(row[0]) for row in rows(_LAST_NUMBER_SQL)) if n is not None),
                      default=None)
    # Prices as the price check reads them ('15.190.000' is an amount); a row with none is left off the board,
    # and the price check names it, rather than ending the overview's read.
    board = [
        BoardPrice(str(code), str(name), buy_vnd, sell_vnd, _as_text(updated))
        for code, name, buy, sell, updated in rows(_BOARD_SQL)
        if (buy_vnd := as_vnd(buy)) is not None and (sell_vnd := as_vnd(sell)) is not None
    ]
    return PosSummary(
        version=str(version[0][0]) if version else None,
        items=int(items),
        items_in_stock=int(in_stock),
        invoices=int(documents) - int(purchases),
        last_invoice_number=last_number,
        board=board,
        purchase_records=int(purchases),
    )


def _as_text(value: object) -> str:
    """The POS's ISO text for a time, whether the column is text (SQLite) or a timestamp (a server)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


# --- documents and how they were paid (the cash-limit compliance check) ---------

@dataclass(frozen=True)
class Payment:
    method: str  # a POS payment method (app.shop.pos_schema.PAYMENT_METHODS), as recorded
    amount_vnd: int


@dataclass(frozen=True)
class PosDocument:
    """One sales invoice or purchase record that is not void, with how it was paid."""

    id: int
    series: str
    number: int
    kind: str  # 'sell' (a sales invoice) or 'buy' (a purchase record)
    issued_at: dt.datetime  # naive = shop time, as the POS means it
    customer_id: int | None
    customer_name: str | None
    customer_code: str | None
    total_vnd: int
    payments: tuple[Payment, ...]

    @property
    def is_purchase_record(self) -> bool:
        return self.kind == BUY


# Plain SQL for all three databases: no date functions, the ISO parameter compares with text or a timestamp.
_DOCUMENTS_SQL = (
    "SELECT i.id, i.series, i.number, i.kind, i.issued_at, i.customer_id, c.full_name, c.code,"
    " i.payment_method, i.total_vnd"
    " FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id"
    " WHERE i.status <> 'void' AND i.issued_at >= :since"
    " ORDER BY i.issued_at, i.series, i.number"
)
_PAYMENTS_SQL = (
    f"SELECT p.invoice_id, p.method, p.amount_vnd FROM {PAYMENTS_TABLE} p"
    " JOIN invoices i ON i.id = p.invoice_id"
    " WHERE i.status <> 'void' AND i.issued_at >= :since"
    " ORDER BY p.invoice_id, p.id"
)


@dataclass(frozen=True)
class PosDocuments:
    """What :func:`read_documents` read: the documents, and the ones it had to leave out."""

    documents: list[PosDocument]
    # (series, number) as stored, of each document whose total, payment line or time could not be read
    unreadable: tuple[tuple[str, str], ...] = ()


def read_documents(conn: Connection, since: dt.datetime) -> PosDocuments:
    """Documents issued from ``since`` (naive shop time), oldest first, each with its payments.

    An invoice with payment lines was paid as they say; any part of its total
    they leave unexplained, and the whole of an invoice without lines (every
    invoice of a POS older than the lines table), was paid by its
    ``payment_method``.  Amounts are read leniently (:func:`as_vnd`); a document
    whose total, payment line or time still cannot be read is left out and
    named in ``unreadable``, so that one bad row does not hide the others.
    """
    from sqlalchemy import inspect, text

    params = {"since": since.isoformat(timespec="seconds")}
    rows = conn.execute(text(_DOCUMENTS_SQL), params).all()
    lines: dict[int, list[Payment | None]] = {}
    if inspect(conn).has_table(PAYMENTS_TABLE):
        for invoice_id, method, amount in conn.execute(text(_PAYMENTS_SQL), params).all():
            value = as_vnd(amount)
            lines.setdefault(int(invoice_id), []).append(None if value is None else Payment(str(method), value))
    documents = []
    unreadable = []
    for ident, series, number, kind, issued, customer_id, name, code, method, total in rows:
        paid = list(lines.get(int(ident), []))
        total_vnd, issued_at, number_read = as_vnd(total), _as_datetime_or_none(issued), as_invoice_number(number)
        if total_vnd is None or issued_at is None or number_read is None or None in paid:
            unreadable.append((str(series), str(number)))
            continue
        parts = [part for part in paid if part is not None]
        rest = total_vnd - sum(part.amount_vnd for part in parts)
        if rest > 0:
            parts.append(Payment(str(method), rest))
        documents.append(PosDocument(
            int(ident), str(series), number_read, str(kind), issued_at,
            int(customer_id) if customer_id is not None else None,
            str(name) if name is not None else None, str(code) if code is not None else None,
            total_vnd, tuple(parts)))
    return PosDocuments(documents, tuple(unreadable))


# Grouped thousands as typed: 25.000.000 (Vietnamese, with a decimal comma) or 25,000,000 (with a decimal point).
_GROUPED_DOTS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_GROUPED_COMMAS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def as_vnd(value: object) -> int | None:
    """An amount as whole đồng, or None when it cannot be read.

    SQLite keeps whatever was written into an INTEGER column: a REAL (19999999.6), or text with separators
    ('25.000.000').  VND has no sub-unit: a fraction is rounded half-up to the đồng, not cut off.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        amount = Decimal(str(value))
    elif isinstance(value, str):
        written = re.sub(r"\s", "", value)
        if _GROUPED_DOTS.fullmatch(written):
            written = written.replace(".", "").replace(",", ".")
        elif _GROUPED_COMMAS.fullmatch(written):
            written = written.replace(",", "")
        elif written.count(",") == 1 and "." not in written:
            written = written.replace(",", ".")  # a decimal comma: 19999999,6
        try:
            amount = Decimal(written)
        except InvalidOperation:
            return None
    else:
        return None
    if not amount.is_finite():
        return None
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# The number at the end of what the POS stored: '0000034', 'HD000034' and 'HD-34' are all 34.
_TRAILING_DIGITS = re.compile(r"(\d+)\s*$")


def as_invoice_number(value: object) -> int | None:
    """An invoice number as the POS meant it, or None when the stored value has none.

    A POS on a text column stores numbers as text, which SQL compares alphabetically ('9' > '18'), and some write
    a prefix into it ('HD000034'): numbers are therefore compared in Python, read as the digits the value ends in.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return int(value) if math.isfinite(value) and value == int(value) else None
    if isinstance(value, str):
        found = _TRAILING_DIGITS.search(value)
        return int(found.group(1)) if found else None
    return None


def _as_datetime(value: object) -> dt.datetime:
    """A POS time as a datetime (text on SQLite, a timestamp on a server); naive means shop time."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())


def _as_datetime_or_none(value: object) -> dt.datetime | None:
    try:
        return _as_datetime(value)
    except ValueError:
        return None
