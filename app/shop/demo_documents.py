"""The demo shop's month of trading: sales invoices, purchase records, and the days that break Decree 232.

Part of the demo-shop generator (app.shop.demo), kept apart because it is
the one part with rules of its own:

- Sales invoices are numbered in the e-invoice series of the year each was
  made (``1C26TVG``: Circular 78/2021/TT-BTC art. 4 cl. 1 b, the two digits
  are the year the invoice is made), from 1 each year (Decree 123/2020/NĐ-CP
  art. 10 cl. 3).  Buy-backs from customers are not invoices of the shop:
  they are purchase records (bảng kê thu mua), numbered in their own series
  (``BK26``).
- The filler trading obeys the cash-limit rule: a customer-day that reaches
  CASH_LIMIT_VND is paid wholly by transfer.  Only the planted days break it,
  each in a way the check must see (see PLANTED).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from app.infra.formatting import MG_PER_CHI
from app.shop.pos_schema import BUY, SELL

CASH_LIMIT_VND = 20_000_000
INVOICE_SERIES_PREFIX = "1C"
INVOICE_SERIES_SUFFIX = "TVG"
PURCHASE_SERIES_PREFIX = "BK"  # bảng kê thu mua: the shop's own numbering, not an e-invoice series
TRADING_DAYS = 30  # the month of documents before "today"
SPLIT_TRANSFER_VND = 20_000_000  # the transfer part of the planted split-payment invoice

# Old gold a customer sells back: (description, purity, weight in mg).
OLD_GOLD = "Vàng cũ khách bán lại"

# (how, customer number (1-based, app.shop.demo's customer list), days before today,
#  [(time, kind, catalogue name or None for old gold, old gold mg, payment)]).
# A payment is a POS method, or "split" for SPLIT_TRANSFER_VND by transfer and the rest in cash.
PLANTED: list[tuple[str, int, int, list[tuple[dt.time, str, str | None, int, str]]]] = [
    # Two cash invoices, each under the limit, the day over it: splitting changes nothing.
    ("cash_split", 1, 3, [(dt.time(9, 15), SELL, "Nhẫn tròn trơn 1 chỉ", 0, "cash"),
                          (dt.time(15, 40), SELL, "Nhẫn tròn trơn 1 chỉ", 0, "cash")]),
    # 15M by transfer and 8M in cash: the cash part alone is under the limit, the day is not.
    ("transfer_and_cash", 2, 6, [(dt.time(10, 5), SELL, "Nhẫn tròn trơn 1 chỉ", 0, "bank_transfer"),
                                 (dt.time(10, 20), SELL, "Bông tai 610 đính đá", 0, "cash")]),
    # A card is not a bank payment account (State Bank guidance, 17/10/2025).
    ("card", 3, 9, [(dt.time(16, 30), SELL, "Dây chuyền 18K mắt xích", 0, "card")]),
    # One invoice, 20M by transfer and the rest in cash (payment lines).
    ("split_payment", 4, 12, [(dt.time(11, 0), SELL, "Nhẫn tròn trơn 2 chỉ", 0, "split")]),
    # The customer sells old gold for cash and buys a ring by transfer: both count towards the day.
    ("sale_and_buyback", 5, 15, [(dt.time(14, 10), BUY, None, 2_250, "cash"),
                                 (dt.time(14, 25), SELL, "Nhẫn tròn trơn 1 chỉ", 0, "bank_transfer")]),
]


@dataclass(frozen=True)
class DemoViolation:
    """A customer-day planted to break the Decree 232 rule: what the compliance check must find."""

    how: str  # cash_split, transfer_and_cash, card, split_payment, sale_and_buyback
    customer: str  # full name
    day: dt.date
    total_vnd: int
    not_via_bank_vnd: int
    documents: tuple[str, ...]  # invoice / purchase-record numbers, in time order


@dataclass(frozen=True)
class WrittenDocuments:
    invoices: int
    purchase_records: int
    violations: tuple[DemoViolation, ...]


@dataclass
class _Doc:
    moment: dt.datetime
    kind: str
    customer: int
    line: tuple[str, str, str, int, int]  # item code, description, purity, gold mg, labour
    payment: str | None = None  # None: decided once the customer's day is known
    planted: str | None = None
    amount: int = 0
    price: int = 0


def series_of(day: dt.date, kind: str = SELL) -> str:
    """The series a document made on ``day`` belongs to (its year's last two digits)."""
    year = f"{day.year % 100:02d}"
    if kind == BUY:
        return f"{PURCHASE_SERIES_PREFIX}{year}"
    return f"{INVOICE_SERIES_PREFIX}{year}{INVOICE_SERIES_SUFFIX}"


def document_code(series: str, number: int) -> str:
    """As the POS prints it (app.health.checks.pos_data.invoice_code)."""
    return f"{series}-{number:07d}"


def line_amount(weight_mg: int, price_per_chi: int, labor: int) -> int:
    return int(round(weight_mg * price_per_chi / MG_PER_CHI, -3)) + labor


def write_documents(conn: sqlite3.Connection, today: dt.date, rng: random.Random,
                    customer_names: list[str]) -> WrittenDocuments:
    stock = conn.execute(
        "SELECT code, name, purity_code, gold_weight_mg, labor_vnd FROM items ORDER BY id"
    ).fetchall()
    customer_ids = [row[0] for row in conn.execute("SELECT id FROM customers ORDER BY id")]
    docs = _planted(stock, customer_ids, today)
    reserved = {(doc.customer, doc.moment.date()) for doc in docs}
    docs += _filler(stock, customer_ids, today, rng, reserved)
    for doc in docs:
        buy, sell = _board_price(conn, doc.line[2], doc.moment)
        doc.price = sell if doc.kind == SELL else buy
        doc.amount = line_amount(doc.line[3], doc.price, doc.line[4] if doc.kind == SELL else 0)
    _choose_payments(docs, rng)
    docs.sort(key=lambda doc: doc.moment)
    codes = _insert(conn, docs)
    return WrittenDocuments(
        invoices=sum(doc.kind == SELL for doc in docs),
        purchase_records=sum(doc.kind == BUY for doc in docs),
        violations=_violations(docs, codes, customer_names),
    )


def _take(stock: list[tuple[str, str, str, int, int]], name: str) -> tuple[str, str, str, int, int]:
    index = next(i for i, row in enumerate(stock) if row[1] == name)
    return stock.pop(index)


def _planted(stock: list, customer_ids: list[int], today: dt.date) -> list[_Doc]:
    docs = []
    for how, customer, days_ago, entries in PLANTED:
        day = today - dt.timedelta(days=days_ago)
        for at, kind, item, old_mg, payment in entries:
            line = _take(stock, item) if item else ("", OLD_GOLD, "9999", old_mg, 0)
            docs.append(_Doc(dt.datetime.combine(day, at), kind, customer_ids[customer - 1], line, payment, how))
    return docs


def _filler(stock: list, customer_ids: list[int], today: dt.date, rng: random.Random,
            reserved: set[tuple[int, dt.date]]) -> list[_Doc]:
    docs = []
    for days_ago in range(TRADING_DAYS, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        if day.weekday() == 6 and rng.random() < 0.5:
            continue  # some Sundays closed
        for _ in range(rng.randrange(1, 5)):
            moment = dt.datetime.combine(day, dt.time(rng.randrange(8, 20), rng.randrange(60)))
            # Customer 1 appears only on her planted day; the others not on theirs.
            pool = [c for c in customer_ids[1:] if (c, day) not in reserved]
            customer = rng.choice(pool)
            if stock and rng.random() < 0.65:
                docs.append(_Doc(moment, SELL, customer, stock.pop(rng.randrange(len(stock)))))
            else:
                purity = rng.choice(["9999", "750", "610"])
                docs.append(_Doc(moment, BUY, customer, ("", OLD_GOLD, purity, rng.randrange(1_500, 12_000), 0)))
    return docs


def _choose_payments(docs: list[_Doc], rng: random.Random) -> None:
    """A compliant shop for the filler: a customer-day that reaches the limit is paid by transfer only."""
    day_total: dict[tuple[int, dt.date], int] = defaultdict(int)
    for doc in docs:
        day_total[(doc.customer, doc.moment.date())] += doc.amount
    for doc in docs:
        if doc.payment is not None:
            continue
        if day_total[(doc.customer, doc.moment.date())] >= CASH_LIMIT_VND:
            doc.payment = "bank_transfer"
        elif doc.kind == SELL:
            doc.payment = rng.choices(["cash", "bank_transfer", "card", "e_wallet"], [50, 25, 15, 10])[0]
        else:
            doc.payment = rng.choices(["cash", "bank_transfer"], [70, 30])[0]


def _insert(conn: sqlite3.Connection, docs: list[_Doc]) -> list[str]:
    numbers: dict[str, int] = defaultdict(int)
    codes = []
    for doc in docs:
        series = series_of(doc.moment.date(), doc.kind)
        numbers[series] += 1
        split = doc.payment == "split"
        cursor = conn.execute(
            "INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method, total_vnd)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (series, numbers[series], doc.kind, doc.moment.isoformat(timespec="seconds"), doc.customer,
             "bank_transfer" if split else doc.payment, doc.amount),
        )
        code, name, purity, weight, labor = doc.line
        conn.execute(
            "INSERT INTO invoice_lines(invoice_id, item_code, description, purity_code, gold_weight_mg,"
            " unit_price_vnd_per_chi, labor_vnd, amount_vnd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (cursor.lastrowid, code or None, name, purity, weight, doc.price,
             labor if doc.kind == SELL else 0, doc.amount),
        )
        if split:
            conn.executemany(
                "INSERT INTO invoice_payments(invoice_id, method, amount_vnd) VALUES (?, ?, ?)",
                [(cursor.lastrowid, "bank_transfer", SPLIT_TRANSFER_VND),
                 (cursor.lastrowid, "cash", doc.amount - SPLIT_TRANSFER_VND)],
            )
        if doc.kind == SELL:
            conn.execute("UPDATE items SET status = 'sold' WHERE code = ?", (code,))
        codes.append(document_code(series, numbers[series]))
    return codes


def _not_via_bank(doc: _Doc) -> int:
    if doc.payment == "split":
        return doc.amount - SPLIT_TRANSFER_VND
    return 0 if doc.payment == "bank_transfer" else doc.amount


def _violations(docs: list[_Doc], codes: list[str], names: list[str]) -> tuple[DemoViolation, ...]:
    found = []
    for how, customer, _days_ago, _entries in PLANTED:
        mine = [(doc, code) for doc, code in zip(docs, codes, strict=True) if doc.planted == how]
        found.append(DemoViolation(
            how, names[customer - 1], mine[0][0].moment.date(),
            sum(doc.amount for doc, _ in mine), sum(_not_via_bank(doc) for doc, _ in mine),
            tuple(code for _, code in mine)))
    return tuple(found)


def _board_price(conn: sqlite3.Connection, purity: str, moment: dt.datetime) -> tuple[int, int]:
    """The board price in force at ``moment`` (the first one if the board is younger)."""
    row = conn.execute(
        "SELECT buy_vnd_per_chi, sell_vnd_per_chi FROM gold_prices WHERE purity_code = ?"
        " AND updated_at <= ? ORDER BY updated_at DESC LIMIT 1",
        (purity, moment.isoformat(timespec="seconds")),
    ).fetchone() or conn.execute(
        "SELECT buy_vnd_per_chi, sell_vnd_per_chi FROM gold_prices WHERE purity_code = ?"
        " ORDER BY updated_at LIMIT 1",
        (purity,),
    ).fetchone()
    return int(row[0]), int(row[1])
