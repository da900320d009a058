from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.settings import load_settings
from app.shop.demo import CASH_LIMIT_VND, DemoShop, DemoShopError, create_demo_shop
from app.shop.pos_reader import read_summary
from tests.conftest import DEMO_TODAY


def test_pos_database_holds_what_the_generator_claims(demo_shop_template: DemoShop) -> None:
    shop = demo_shop_template
    summary = read_summary(shop.pos_database)
    assert summary.version == "5.8.2"
    assert summary.items == shop.items > 0
    assert 0 < summary.items_in_stock < summary.items
    assert summary.invoices == shop.invoices
    assert summary.last_invoice_number == shop.invoices
    codes = [price.purity_code for price in summary.board]
    assert codes == ["9999", "999", "99", "98", "750", "610", "585", "417"]
    for price in summary.board:
        assert price.buy_vnd_per_chi < price.sell_vnd_per_chi
        assert price.updated_at.startswith(DEMO_TODAY.isoformat())


def test_invoice_numbers_are_gapless_and_follow_time(demo_shop_template: DemoShop) -> None:
    with sqlite3.connect(demo_shop_template.pos_database) as conn:
        rows = conn.execute("SELECT number, issued_at FROM invoices ORDER BY number").fetchall()
        orphans = conn.execute(
            "SELECT COUNT(*) FROM invoices i WHERE NOT EXISTS"
            " (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)"
        ).fetchone()[0]
        mismatched = conn.execute(
            "SELECT COUNT(*) FROM invoices i WHERE total_vnd !="
            " (SELECT SUM(amount_vnd) FROM invoice_lines l WHERE l.invoice_id = i.id)"
        ).fetchone()[0]
    assert [number for number, _ in rows] == list(range(1, len(rows) + 1))
    times = [issued for _, issued in rows]
    assert times == sorted(times)
    assert orphans == 0 and mismatched == 0


def test_exactly_one_customer_day_reaches_the_cash_limit(demo_shop_template: DemoShop) -> None:
    shop = demo_shop_template
    with sqlite3.connect(shop.pos_database) as conn:
        over = conn.execute(
            "SELECT c.full_name, date(i.issued_at), SUM(i.total_vnd), COUNT(*),"
            " MAX(i.total_vnd) FROM invoices i JOIN customers c ON c.id = i.customer_id"
            " WHERE i.payment_method = 'cash' GROUP BY i.customer_id, date(i.issued_at)"
            " HAVING SUM(i.total_vnd) >= ?",
            (CASH_LIMIT_VND,),
        ).fetchall()
    assert len(over) == 1
    name, day, total, count, largest = over[0]
    assert name == shop.over_limit_customer == "Nguyễn Thị Lan"
    assert day == shop.over_limit_day.isoformat()
    assert count == len(shop.over_limit_invoices) == 2
    assert largest < CASH_LIMIT_VND <= total  # split so that no single invoice shows it


def test_item_weights_are_realistic(demo_shop_template: DemoShop) -> None:
    with sqlite3.connect(demo_shop_template.pos_database) as conn:
        low, high = conn.execute("SELECT MIN(gold_weight_mg), MAX(gold_weight_mg) FROM items").fetchone()
    assert 0.5 * 3_750 < low and high < 7 * 3_750  # between half a chỉ and 7 chỉ


def test_backups_logs_and_version_are_written(demo_shop_template: DemoShop) -> None:
    shop = demo_shop_template
    backups = sorted(shop.backups_dir.glob("PMV_backup_*.zip"))
    assert len(backups) == 7
    newest = backups[-1]
    assert newest.name == f"PMV_backup_{DEMO_TODAY - dt.timedelta(days=1):%Y-%m-%d}_2200.zip"
    assert dt.date.fromtimestamp(newest.stat().st_mtime) == DEMO_TODAY - dt.timedelta(days=1)
    with zipfile.ZipFile(newest) as archive:
        assert archive.namelist() == ["pmv.sqlite3"]
        assert archive.read("pmv.sqlite3")[:16] == b"SQLite format 3\x00"
    assert len(list(shop.logs_dir.glob("pmv-*.log"))) == 4
    assert (shop.install_dir / "version.txt").read_text().strip() == "5.8.2"


def test_settings_file_points_every_setting_at_the_shop(demo_shop_template: DemoShop) -> None:
    shop = demo_shop_template
    loaded = load_settings(shop.settings_file)
    assert loaded.ok
    pos = loaded.settings.pos
    assert pos.database == shop.pos_database
    assert pos.backups_dir == shop.backups_dir
    assert pos.logs_dir == shop.logs_dir
    assert pos.install_dir == shop.install_dir
    assert loaded.settings.shop.name.startswith("Tiệm vàng")


def test_same_seed_and_day_give_the_same_shop(tmp_path: Path) -> None:
    first = create_demo_shop(tmp_path / "a", today=DEMO_TODAY, seed=7)
    second = create_demo_shop(tmp_path / "b", today=DEMO_TODAY, seed=7)
    dump = lambda p: list(sqlite3.connect(p).iterdump())  # noqa: E731
    assert dump(first.pos_database) == dump(second.pos_database)


def test_refuses_a_folder_with_other_files_and_leaves_them(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    target.mkdir()
    (target / "important.txt").write_text("sổ sách")
    with pytest.raises(DemoShopError):
        create_demo_shop(target, today=DEMO_TODAY)
    assert [p.name for p in target.iterdir()] == ["important.txt"]


def test_recreating_an_existing_demo_shop_needs_force(tmp_path: Path) -> None:
    create_demo_shop(tmp_path / "shop", today=DEMO_TODAY)
    with pytest.raises(DemoShopError):
        create_demo_shop(tmp_path / "shop", today=DEMO_TODAY)
    again = create_demo_shop(tmp_path / "shop", today=DEMO_TODAY + dt.timedelta(days=1), force=True)
    assert read_summary(again.pos_database).board[0].updated_at.startswith("2026-11-26")
