"""The POS summary read from a file and through an engine, and the schema's table order."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.shop.demo import POS_VERSION, DemoShop, create_demo_shop
from app.shop.pos_reader import (
    PosDocument,
    PosDocuments,
    as_vnd,
    read_documents,
    read_summary,
    read_summary_at,
    read_summary_from,
)
from app.shop.pos_schema import POS_SCHEMA, POS_TABLES


def test_the_engine_reads_what_the_file_reader_reads(demo_shop: DemoShop) -> None:
    before = hashlib.sha256(demo_shop.pos_database.read_bytes()).hexdigest()
    engine = create_engine(f"sqlite:///{demo_shop.pos_database}")
    try:
        through_engine = read_summary_from(engine)
    finally:
        engine.dispose()
    from_file = read_summary(demo_shop.pos_database)
    assert through_engine == from_file
    assert from_file.version == POS_VERSION and from_file.items_in_stock > 0 and from_file.board
    assert hashlib.sha256(demo_shop.pos_database.read_bytes()).hexdigest() == before


def test_a_sqlite_pos_is_summarised_without_sqlalchemy(demo_shop: DemoShop) -> None:
    """The overview's price board reads a SQLite POS at start-up, before the data layer loads (issue 24): the
    summary must come whole (the board with its prices) without importing SQLAlchemy."""
    code = (
        "import sys\n"
        "from app.shop.pos_reader import read_summary\n"
        f"summary = read_summary({str(demo_shop.pos_database)!r})\n"
        "print(len(summary.board), summary.board[0].sell_vnd_per_chi > 0, 'sqlalchemy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(read_summary(demo_shop.pos_database).board)), "True", "False"]


def test_pos_url_is_read_as_the_health_checks_reach_it(demo_shop: DemoShop) -> None:
    """The overview's board for a POS behind ``pos.url``: the same summary as the file's, through the URL."""
    url = f"sqlite:///{demo_shop.pos_database}"
    assert read_summary_at(url) == read_summary(demo_shop.pos_database)


def test_a_pos_url_that_cannot_be_used_says_why() -> None:
    from app.shop.pos_url import PosUrlError

    with pytest.raises(PosUrlError):
        read_summary_at(r"C:\PMV\pmv.mdf")  # a file path where a URL belongs


def test_in_stock_counts_only_items_in_stock(demo_shop: DemoShop) -> None:
    # The portable CASE sum must count what SQLite's boolean sum counted.
    with sqlite3.connect(demo_shop.pos_database) as conn:
        sold, in_stock = (conn.execute("SELECT COUNT(*) FROM items WHERE status = ?", (s,)).fetchone()[0]
                          for s in ("sold", "in_stock"))
        conn.execute("UPDATE items SET status = 'sold' "
                     "WHERE id = (SELECT MIN(id) FROM items WHERE status = 'in_stock')")
    summary = read_summary(demo_shop.pos_database)
    assert summary.items == sold + in_stock
    assert summary.items_in_stock == in_stock - 1


def test_tables_are_listed_in_foreign_key_order() -> None:
    created = re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", POS_SCHEMA, re.DOTALL)
    assert [name for name, _ in created] == list(POS_TABLES)
    for position, (name, body) in enumerate(created):
        for target in re.findall(r"REFERENCES (\w+)\(", body):
            assert POS_TABLES.index(target) < position, (name, target)


def test_a_new_years_series_and_purchase_records_are_counted_apart(tmp_path: Path) -> None:
    # The newest sales invoice is number 22 of 1C27TVG, not the largest number of last year's series.
    shop = create_demo_shop(tmp_path / "shop", today=dt.date(2027, 1, 10))
    summary = read_summary(shop.pos_database)
    with sqlite3.connect(shop.pos_database) as conn:
        (newest,) = conn.execute("SELECT number FROM invoices WHERE kind = 'sell'"
                                 " ORDER BY issued_at DESC LIMIT 1").fetchone()
        (biggest,) = conn.execute("SELECT MAX(number) FROM invoices WHERE kind = 'sell'").fetchone()
    assert summary.last_invoice_number == newest != biggest
    assert (summary.invoices, summary.purchase_records) == (shop.invoices, shop.purchase_records)


def _numbers_as_text(conn: sqlite3.Connection, expression: str) -> None:
    """Rebuild ``invoices`` with its number as TEXT (a POS on a varchar column), written as ``expression``."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'invoices'").fetchone()[0]
    columns = [row[1] for row in conn.execute("PRAGMA table_info(invoices)")]
    conn.execute("PRAGMA legacy_alter_table = ON")
    conn.execute("ALTER TABLE invoices RENAME TO invoices_old")
    conn.execute(re.sub(r"\bnumber(\s+)INTEGER\b", r"number\1TEXT", sql))
    conn.execute(f"INSERT INTO invoices SELECT {', '.join(expression if c == 'number' else c for c in columns)}"  # noqa: S608
                 " FROM invoices_old")
    conn.execute("DROP TABLE invoices_old")


def test_a_last_invoice_number_stored_as_text_is_read_as_a_number(demo_shop: DemoShop) -> None:
    # Found by a review (r03): 'HD000050' ended the overview's read in ValueError. The expected number is the
    # integer demo's own newest sales invoice, read before the column is rewritten.
    newest = read_summary(demo_shop.pos_database).last_invoice_number
    with sqlite3.connect(demo_shop.pos_database) as conn:
        _numbers_as_text(conn, "'HD' || printf('%06d', number)")
    assert newest is not None and read_summary(demo_shop.pos_database).last_invoice_number == newest


def test_of_two_invoices_saved_in_the_same_second_the_larger_number_is_last(demo_shop: DemoShop) -> None:
    # Two tills saving in the same second, numbers kept as text: MAX('9', '18') is '9' in SQL.
    with sqlite3.connect(demo_shop.pos_database) as conn:
        _numbers_as_text(conn, "CAST(number AS TEXT)")
        conn.executemany("INSERT INTO invoices(series, number, kind, issued_at, payment_method, total_vnd)"
                         " VALUES ('1C27TVG', ?, 'sell', '2027-01-02T09:00:00', 'cash', 1000000)", [("9",), ("18",)])
    assert read_summary(demo_shop.pos_database).last_invoice_number == 18


def test_a_board_price_typed_with_thousands_dots_reads_and_an_unreadable_one_is_left_off(demo_shop: DemoShop) -> None:
    """As the price check reads it (as_vnd): '15.190.000' is 15,190,000 đồng; a price with no amount in it is not
    shown on the overview's board (the price check names it) rather than ending the overview's read."""
    with sqlite3.connect(demo_shop.pos_database) as conn:
        conn.execute("UPDATE gold_prices SET buy_vnd_per_chi = '15.190.000' WHERE purity_code = '9999'")
        conn.execute("UPDATE gold_prices SET sell_vnd_per_chi = 'liên hệ' WHERE purity_code = '610'")
    board = {price.purity_code: price for price in read_summary(demo_shop.pos_database).board}
    assert board["9999"].buy_vnd_per_chi == 15_190_000
    assert "610" not in board and len(board) >= 2


def test_documents_numbered_with_a_prefix_are_read_as_the_invoice_check_reads_them(demo_shop: DemoShop) -> None:
    """One reader of invoice numbers (as_invoice_number): 'HD000050' is invoice 50 to the Decree 232 check too,
    not a document left out as unreadable while the invoice check counts it."""
    before = _documents(demo_shop)
    with sqlite3.connect(demo_shop.pos_database) as conn:
        _numbers_as_text(conn, "'HD' || printf('%06d', number)")
    after = read_documents_of(demo_shop)
    assert after.unreadable == ()
    assert sorted((d.series, d.number) for d in after.documents) == sorted((d.series, d.number) for d in before)


def read_documents_of(shop: DemoShop) -> PosDocuments:
    engine = create_engine(f"sqlite:///{shop.pos_database}")
    try:
        with engine.connect() as conn:
            return read_documents(conn, dt.datetime(2000, 1, 1))
    finally:
        engine.dispose()


def _documents(shop: DemoShop) -> list[PosDocument]:
    return read_documents_of(shop).documents


def test_documents_carry_their_payment_lines_and_an_older_pos_reads_too(demo_shop: DemoShop) -> None:
    split = next(v for v in demo_shop.violations if v.how == "split_payment")
    engine = create_engine(f"sqlite:///{demo_shop.pos_database}")
    try:
        with engine.connect() as conn:
            read = read_documents(conn, dt.datetime(2000, 1, 1))
            documents = {f"{d.series}-{d.number:07d}": d for d in read.documents}
        [code] = split.documents
        paid = documents[code].payments
        assert sorted(p.method for p in paid) == ["bank_transfer", "cash"]
        assert sum(p.amount_vnd for p in paid) == documents[code].total_vnd
        assert all(d.payments for d in documents.values())
        # A POS older than split payments: no lines table, every invoice paid whole by its payment_method.
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE invoice_payments")
        with engine.connect() as conn:
            older = {f"{d.series}-{d.number:07d}": d for d in read_documents(conn, dt.datetime(2000, 1, 1)).documents}
    finally:
        engine.dispose()
    assert [(p.method, p.amount_vnd) for p in older[code].payments] == [("bank_transfer", documents[code].total_vnd)]
    assert set(older) == set(documents)


@pytest.mark.parametrize(("stored", "vnd"), [
    (25_000_000, 25_000_000),
    ("25.000.000", 25_000_000),  # a Vietnamese cashier's separators, kept as text by SQLite
    ("25,000,000", 25_000_000),
    (" 25 000 000 ", 25_000_000),
    ("25000000", 25_000_000),
    # VND has no sub-unit: half-up to the đồng, never cut (19,999,999.6 is 20,000,000, at Decree 232's threshold).
    (19_999_999.6, 20_000_000),
    (19_999_999.5, 20_000_000),
    (19_999_999.4, 19_999_999),
    (Decimal("19999999.6"), 20_000_000),
    ("19999999,6", 20_000_000),
    ("25.000.000,5", 25_000_001),
    ("năm triệu", None),
    ("", None),
    (None, None),
    (float("nan"), None),
    (True, None),
])
def test_amounts_are_read_leniently_in_whole_dong(stored: object, vnd: int | None) -> None:
    assert as_vnd(stored) == vnd
