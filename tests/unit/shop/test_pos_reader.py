"""The POS summary read from a file and through an engine, and the schema's table order."""

from __future__ import annotations

import hashlib
import re
import sqlite3

from sqlalchemy import create_engine

from app.shop.demo import POS_VERSION, DemoShop
from app.shop.pos_reader import read_summary, read_summary_from
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


def test_in_stock_counts_only_items_in_stock(demo_shop: DemoShop) -> None:
    # The portable CASE sum must count what SQLite's boolean sum counted.
    with sqlite3.connect(demo_shop.pos_database) as conn:
        sold, in_stock = (conn.execute("SELECT COUNT(*) FROM items WHERE status = ?", (s,)).fetchone()[0]
                          for s in ("sold", "in_stock"))
        conn.execute("UPDATE items SET status = 'sold' WHERE id = (SELECT MIN(id) FROM items WHERE status = 'in_stock')")
    summary = read_summary(demo_shop.pos_database)
    assert summary.items == sold + in_stock
    assert summary.items_in_stock == in_stock - 1


def test_tables_are_listed_in_foreign_key_order() -> None:
    created = re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", POS_SCHEMA, re.DOTALL)
    assert [name for name, _ in created] == list(POS_TABLES)
    for position, (name, body) in enumerate(created):
        for target in re.findall(r"REFERENCES (\w+)\(", body):
            assert POS_TABLES.index(target) < position, (name, target)
