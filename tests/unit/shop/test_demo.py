from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from app.infra.settings import load_settings
from app.shop.demo import CASH_LIMIT_VND, DAY_SHOWN_UNTIL, DemoShop, DemoShopError, create_demo_shop
from app.shop.pos_reader import read_summary
from tests.conftest import DEMO_TODAY


def test_pos_database_holds_what_the_generator_claims(demo_shop_template: DemoShop) -> None:
    shop = demo_shop_template
    summary = read_summary(shop.pos_database)
    assert summary.version == "5.8.2"
    assert summary.items == shop.items > 0
    assert 0 < summary.items_in_stock < summary.items
    assert summary.invoices == shop.invoices  # sales invoices; buy-backs are purchase records
    assert summary.purchase_records == shop.purchase_records > 0
    assert summary.last_invoice_number == shop.invoices  # one series this month, numbered from 1
    codes = [price.purity_code for price in summary.board]
    assert codes == ["9999", "999", "99", "98", "750", "610", "585", "417"]
    for price in summary.board:
        assert price.buy_vnd_per_chi < price.sell_vnd_per_chi
        assert price.updated_at.startswith(DEMO_TODAY.isoformat())


def test_invoice_numbers_are_gapless_per_series_and_follow_time(demo_shop_template: DemoShop) -> None:
    with sqlite3.connect(demo_shop_template.pos_database) as conn:
        rows = conn.execute("SELECT series, number, issued_at FROM invoices ORDER BY series, number").fetchall()
        orphans = conn.execute(
            "SELECT COUNT(*) FROM invoices i WHERE NOT EXISTS"
            " (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)"
        ).fetchone()[0]
        mismatched = conn.execute(
            "SELECT COUNT(*) FROM invoices i WHERE total_vnd !="
            " (SELECT SUM(amount_vnd) FROM invoice_lines l WHERE l.invoice_id = i.id)"
        ).fetchone()[0]
        # Payment lines, where an invoice has them, add up to its total.
        unpaid = conn.execute(
            "SELECT COUNT(*) FROM invoices i WHERE EXISTS (SELECT 1 FROM invoice_payments p WHERE p.invoice_id = i.id)"
            " AND total_vnd != (SELECT SUM(amount_vnd) FROM invoice_payments p WHERE p.invoice_id = i.id)"
        ).fetchone()[0]
    per_series: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for series, number, issued in rows:
        per_series[series].append((number, issued))
    assert set(per_series) == {"1C26TVG", "BK26"}
    for series, entries in per_series.items():
        assert [number for number, _ in entries] == list(range(1, len(entries) + 1)), series
        times = [issued for _, issued in entries]
        assert times == sorted(times), series
    assert orphans == 0 and mismatched == 0 and unpaid == 0


# Circular 78/2021/TT-BTC art. 4 cl. 1 b: in an e-invoice's series (ký hiệu hóa đơn), "hai ký tự tiếp theo là
# hai chữ số Ả rập thể hiện năm lập hóa đơn điện tử", the last two digits of the year the invoice is made.
# Decree 123/2020/NĐ-CP art. 10 cl. 3: numbers start from 1 on 1 January and end on 31 December.
def test_the_series_year_is_the_year_each_invoice_was_made(tmp_path: Path) -> None:
    shop = create_demo_shop(tmp_path / "shop", today=dt.date(2027, 1, 10))
    with sqlite3.connect(shop.pos_database) as conn:
        rows = conn.execute("SELECT series, number, kind, issued_at FROM invoices ORDER BY issued_at").fetchall()
    sales = [(series, number, issued) for series, number, kind, issued in rows if kind == "sell"]
    assert {issued[:4] for _, _, issued in sales} == {"2026", "2027"}  # the month spans the new year
    for series, _, issued in sales:
        assert series == f"1C{issued[2:4]}TVG", (series, issued)
    december = [n for series, n, issued in sales if issued.startswith("2026-12")]
    january = [n for series, n, issued in sales if issued.startswith("2027-01")]
    assert december and january == list(range(1, len(january) + 1))
    records = [(series, issued) for series, _, kind, issued in rows if kind == "buy"]
    assert records and all(series == f"BK{issued[2:4]}" for series, issued in records)


def test_buy_backs_are_purchase_records_not_sales_invoices(demo_shop_template: DemoShop) -> None:
    with sqlite3.connect(demo_shop_template.pos_database) as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM invoices GROUP BY kind").fetchall())
        mixed = conn.execute("SELECT series FROM invoices GROUP BY series HAVING COUNT(DISTINCT kind) > 1").fetchall()
        buy_series = {row[0] for row in conn.execute("SELECT DISTINCT series FROM invoices WHERE kind = 'buy'")}
    assert kinds["buy"] == demo_shop_template.purchase_records > 0
    assert kinds["sell"] == demo_shop_template.invoices > 0
    assert mixed == [] and buy_series == {"BK26"}  # never numbered in the sales series


def _violating_days(path: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """Worked out independently with SQL: each customer-day's total of sales and buy-backs, whatever the means
    of payment, and its part not paid by transfer (Decree 232/2025; SBV guidance 17/10/2025: only a transfer
    between payment accounts qualifies), kept where the total is at least 20.000.000 and that part not zero."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT c.full_name, substr(i.issued_at, 1, 10), SUM(i.total_vnd),"
            " SUM(CASE WHEN EXISTS (SELECT 1 FROM invoice_payments p WHERE p.invoice_id = i.id)"
            "     THEN (SELECT COALESCE(SUM(p.amount_vnd), 0) FROM invoice_payments p"
            "           WHERE p.invoice_id = i.id AND p.method <> 'bank_transfer')"
            "     WHEN i.payment_method <> 'bank_transfer' THEN i.total_vnd ELSE 0 END)"
            " FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.status <> 'void'"
            " GROUP BY i.customer_id, substr(i.issued_at, 1, 10)"
        ).fetchall()
    return {(name, day): (total, outside) for name, day, total, outside in rows
            if total >= CASH_LIMIT_VND and outside > 0}


def test_the_planted_violations_are_exactly_the_days_that_break_the_rule(demo_shop_template: DemoShop) -> None:
    shop = demo_shop_template
    expected = {(v.customer, v.day.isoformat()): (v.total_vnd, v.not_via_bank_vnd) for v in shop.violations}
    assert _violating_days(shop.pos_database) == expected
    hows = {v.how for v in shop.violations}
    assert {"cash_split", "transfer_and_cash", "card", "split_payment", "sale_and_buyback"} <= hows
    first = shop.violations[0]
    assert (shop.over_limit_customer, shop.over_limit_day, shop.over_limit_invoices) == (
        first.customer, first.day, first.documents)
    assert first.customer == "Nguyễn Thị Lan" and len(first.documents) == 2
    with sqlite3.connect(shop.pos_database) as conn:
        largest = conn.execute("SELECT MAX(total_vnd) FROM invoices WHERE series || '-' || printf('%07d', number)"
                               " IN (?, ?)", first.documents).fetchone()[0]
    assert largest < CASH_LIMIT_VND <= first.total_vnd  # split so that no single invoice shows it


def _log_times(shop: DemoShop) -> list[dt.datetime]:
    stamps = []
    for log in shop.logs_dir.glob("pmv-*.log"):
        for line in log.read_text(encoding="utf-8").splitlines():
            stamps.append(dt.datetime.fromisoformat(line[:19]))
    return stamps


def test_nothing_is_dated_after_the_shops_now(tmp_path: Path) -> None:
    # Made at 08:00 in the shop: PMV has started (07:58), the board is not yet updated (08:30).
    now = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    shop = create_demo_shop(tmp_path / "early", now=now)
    assert max(_log_times(shop)) == dt.datetime(2026, 11, 25, 7, 58, 2)
    summary = read_summary(shop.pos_database)
    assert max(price.updated_at for price in summary.board) == "2026-11-24T14:00:00"
    with sqlite3.connect(shop.pos_database) as conn:
        (latest,) = conn.execute("SELECT MAX(issued_at) FROM invoices").fetchone()
    assert latest < "2026-11-25"


def test_a_shop_for_a_given_day_ends_before_that_nights_backup(demo_shop_template: DemoShop) -> None:
    # Tonight's backup has not run (the newest backup file is last night's), so neither has its log line.
    stamps = _log_times(demo_shop_template)
    assert max(stamps) <= dt.datetime.combine(DEMO_TODAY, DAY_SHOWN_UNTIL)
    backups = sorted(demo_shop_template.backups_dir.glob("PMV_backup_*.zip"))
    assert backups[-1].name.startswith(f"PMV_backup_{DEMO_TODAY - dt.timedelta(days=1):%Y-%m-%d}")


def test_now_and_today_must_agree(tmp_path: Path) -> None:
    with pytest.raises(DemoShopError):
        create_demo_shop(tmp_path / "shop", today=DEMO_TODAY, now=dt.datetime(2026, 11, 26, 9, 0))


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
