"""Writes a realistic sample of a shop's gold-trading system.

Used by ``pmv-support demo-shop DIR``, by ``--demo`` and by tests: a POS
database (price board, stock with weights, sequential invoices), dated
backups, POS logs, an install folder with a version file, and
``DIR/settings.toml`` pointing every setting at that shop.

The data is seeded, so the same ``today`` and ``seed`` give the same shop.
It deliberately contains one customer-day whose cash purchases add up to
more than the Decree 232/2025 limit (20.000.000 ₫), split over two invoices,
so the compliance check has something real to find.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.formatting import MG_PER_CHI, chi_to_mg, shop_today
from app.settings import PosSettings, Settings, ShopSettings, settings_to_toml
from app.shop.pos_schema import POS_SCHEMA, PURITIES

MARKER = ".pmv-demo-shop"
POS_VERSION = "5.8.2"
INVOICE_SERIES_PREFIX = "1C"
CASH_LIMIT_VND = 20_000_000
ITEMS_PER_MODEL = 12

# Sell price per chỉ, late 2026; the shop buys back 2% lower.
_SELL_PRICE_PER_CHI = {
    "9999": 15_150_000,
    "999": 15_000_000,
    "99": 14_850_000,
    "98": 14_700_000,
    "750": 11_250_000,
    "610": 9_100_000,
    "585": 8_700_000,
    "417": 6_150_000,
}

# (name, purity, gold weight in chỉ, labour VND)
_CATALOGUE: list[tuple[str, str, str, int]] = [
    ("Nhẫn tròn trơn 1 chỉ", "9999", "1", 150_000),
    ("Nhẫn tròn trơn 2 chỉ", "9999", "2", 200_000),
    ("Nhẫn tròn trơn 5 chỉ", "9999", "5", 300_000),
    ("Dây chuyền 18K mắt xích", "750", "2.5", 650_000),
    ("Lắc tay 18K kiểu Ý", "750", "3.2", 800_000),
    ("Bông tai 610 đính đá", "610", "0.85", 450_000),
    ("Nhẫn cưới 14K", "585", "1.35", 900_000),
    ("Mặt dây chuyền 10K", "417", "0.6", 350_000),
    ("Kiềng cổ 999", "999", "6", 1_200_000),
    ("Vòng tay 98 trơn", "98", "4", 500_000),
]

_CUSTOMERS = [
    ("Nguyễn Thị Lan", "0903 112 233"),
    ("Trần Văn Hùng", "0912 445 566"),
    ("Lê Thị Thu Hà", "0938 778 899"),
    ("Phạm Minh Đức", "0977 001 122"),
    ("Võ Thị Ngọc Ánh", "0909 334 455"),
    ("Huỳnh Quốc Bảo", "0988 667 788"),
    ("Đặng Thị Mỹ Duyên", "0933 990 011"),
    ("Bùi Văn Tâm", "0918 223 344"),
]


class DemoShopError(Exception):
    """The target folder cannot take a demo shop (not empty, not writable)."""


@dataclass(frozen=True)
class DemoShop:
    """What was written, for the CLI's JSON output and for tests."""

    root: Path
    settings_file: Path
    pos_database: Path
    backups_dir: Path
    logs_dir: Path
    install_dir: Path
    items: int
    invoices: int
    over_limit_customer: str
    over_limit_day: dt.date
    over_limit_invoices: tuple[str, ...]


def create_demo_shop(
    root: Path, *, today: dt.date | None = None, seed: int = 2026, force: bool = False
) -> DemoShop:
    """Write the shop into a fresh folder next to ``root``, then move it into place.

    A failure half-way leaves ``root`` as it was (never half a shop that a
    retry would then refuse).
    """
    root = Path(root).resolve()
    # The shop's date (Asia/Ho_Chi_Minh), not the PC's: the demo must look current to the shop's clock.
    today = today or shop_today(dt.datetime.now(dt.UTC))
    if not dt.date(2000, 1, 1) <= today <= dt.date(2999, 12, 31):
        raise DemoShopError(f"--today must be between 2000 and 2999, not {today.isoformat()}")
    _check_target(root, force)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the shop folder is an ordinary folder
    try:
        shop = _write_shop(staging, root, today, seed)
        if root.exists():
            shutil.rmtree(root)
        staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return shop


def _check_target(root: Path, force: bool) -> None:
    if root.exists() and not root.is_dir():
        raise DemoShopError(f"{root} exists and is not a folder")
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise DemoShopError(f"{root} is not empty and is not a demo shop; choose an empty folder")
        if not force:
            raise DemoShopError(f"{root} already holds a demo shop; pass --force to recreate it")


def _write_shop(folder: Path, root: Path, today: dt.date, seed: int) -> DemoShop:
    """Writes into ``folder``; the returned paths are where it will live (``root``)."""
    paths = {name: folder / name for name in ("pos", "backups", "logs", "install")}
    for sub in paths.values():
        sub.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pos_db = paths["pos"] / "pmv.sqlite3"
    invoice_count, over = _write_pos_database(pos_db, today, rng)
    _write_backups(pos_db, paths["backups"], today)
    _write_logs(paths["logs"], today, rng)
    (paths["install"] / "version.txt").write_text(POS_VERSION + "\n", encoding="utf-8")
    settings = Settings(
        language="vi",
        shop=ShopSettings(
            name="Tiệm vàng Kim Phát (demo)",
            shop_id="DEMO-0001",
            address="123 Lê Lợi, P. Bến Thành, TP. Hồ Chí Minh",
            phone="028 3822 1234",
        ),
        pos=PosSettings(
            database=Path("pos/pmv.sqlite3"),
            backups_dir=Path("backups"),
            logs_dir=Path("logs"),
            install_dir=Path("install"),
        ),
    )
    (folder / "settings.toml").write_text(settings_to_toml(settings), encoding="utf-8")
    (folder / MARKER).write_text(f"created {today.isoformat()} seed {seed}\n", encoding="utf-8")
    return DemoShop(
        root=root,
        settings_file=root / "settings.toml",
        pos_database=root / "pos" / pos_db.name,
        backups_dir=root / "backups",
        logs_dir=root / "logs",
        install_dir=root / "install",
        items=len(_CATALOGUE) * ITEMS_PER_MODEL,
        invoices=invoice_count,
        over_limit_customer=over[0],
        over_limit_day=over[1],
        over_limit_invoices=over[2],
    )


def _write_pos_database(
    path: Path, today: dt.date, rng: random.Random
) -> tuple[int, tuple[str, dt.date, tuple[str, ...]]]:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(POS_SCHEMA)
        conn.executemany(
            "INSERT INTO pos_info(key, value) VALUES (?, ?)",
            [("version", POS_VERSION), ("shop_code", "DEMO-0001"), ("invoice_series", _series(today))],
        )
        conn.executemany("INSERT INTO purities VALUES (?, ?, ?)", PURITIES)
        _write_prices(conn, today, rng)
        _write_items(conn, today, rng)
        conn.executemany(
            "INSERT INTO customers(code, full_name, phone, id_number) VALUES (?, ?, ?, ?)",
            [
                (f"KH{n:04d}", name, phone, f"0791{rng.randrange(10**7, 10**8)}")
                for n, (name, phone) in enumerate(_CUSTOMERS, start=1)
            ],
        )
        invoices, over = _write_invoices(conn, today, rng)
        conn.commit()
    finally:
        conn.close()
    return invoices, over


def _series(today: dt.date) -> str:
    return f"{INVOICE_SERIES_PREFIX}{today.year % 100:02d}TVG"


def _write_prices(conn: sqlite3.Connection, today: dt.date, rng: random.Random) -> None:
    # A week of board updates, twice a day; the last one this morning at 08:30.
    rows = []
    for days_ago in range(6, -1, -1):
        day = today - dt.timedelta(days=days_ago)
        for hour, minute in ((8, 30), (14, 0)):
            if days_ago == 0 and hour == 14:
                continue
            drift = 1 + (rng.random() - 0.5) * 0.01 - days_ago * 0.001
            stamp = dt.datetime.combine(day, dt.time(hour, minute)).isoformat(timespec="seconds")
            for code, sell in _SELL_PRICE_PER_CHI.items():
                sell_now = int(round(sell * drift, -4))
                rows.append((code, int(round(sell_now * 0.98, -4)), sell_now, stamp))
    conn.executemany(
        "INSERT INTO gold_prices(purity_code, buy_vnd_per_chi, sell_vnd_per_chi, updated_at)"
        " VALUES (?, ?, ?, ?)",
        rows,
    )


def _write_items(conn: sqlite3.Connection, today: dt.date, rng: random.Random) -> None:
    rows = []
    serial = 1
    for name, purity, chi, labor in _CATALOGUE:
        for _ in range(ITEMS_PER_MODEL):
            weight = chi_to_mg(chi) + rng.randrange(-40, 41)  # real pieces vary a little
            stone = rng.choice([0, 0, 0, 150, 320]) if purity in ("610", "585", "750") else 0
            created = today - dt.timedelta(days=rng.randrange(20, 200))
            rows.append((f"PMV{purity}{serial:05d}", name, purity, weight, stone, labor, created.isoformat()))
            serial += 1
    conn.executemany(
        "INSERT INTO items(code, name, purity_code, gold_weight_mg, stone_weight_mg, labor_vnd,"
        " status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'in_stock', ?)",
        rows,
    )


def _line_amount(weight_mg: int, price_per_chi: int, labor: int) -> int:
    return round(weight_mg * price_per_chi / MG_PER_CHI, -3) + labor


def _write_invoices(
    conn: sqlite3.Connection, today: dt.date, rng: random.Random
) -> tuple[int, tuple[str, dt.date, tuple[str, ...]]]:
    stock = conn.execute(
        "SELECT code, name, purity_code, gold_weight_mg, labor_vnd FROM items ORDER BY id"
    ).fetchall()
    customer_ids = [row[0] for row in conn.execute("SELECT id FROM customers ORDER BY id")]
    # The over-limit day: customer 1 buys two 1-chỉ rings in cash, each invoice
    # under the limit, the day's total over it.
    over_day = today - dt.timedelta(days=3)
    rings = [stock.pop(0), stock.pop(0)]
    planned: list[tuple[dt.datetime, str, int, tuple[str, str, str, int, int]]] = []
    for days_ago in range(30, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        if day.weekday() == 6 and rng.random() < 0.5:
            continue  # some Sundays closed
        for _ in range(rng.randrange(1, 5)):
            moment = dt.datetime.combine(day, dt.time(rng.randrange(8, 20), rng.randrange(60)))
            customer = rng.choice(customer_ids[1:])  # customer 1 appears only on the over day
            if stock and rng.random() < 0.65:
                planned.append((moment, "sell", customer, stock.pop(rng.randrange(len(stock)))))
            else:
                purity = rng.choice(["9999", "750", "610"])
                old_gold = ("", "Vàng cũ khách bán lại", purity, rng.randrange(1_500, 12_000), 0)
                planned.append((moment, "buy", customer, old_gold))
    planned.append((dt.datetime.combine(over_day, dt.time(9, 15)), "sell", customer_ids[0], rings[0]))
    planned.append((dt.datetime.combine(over_day, dt.time(15, 40)), "sell", customer_ids[0], rings[1]))
    planned.sort(key=lambda entry: entry[0])

    series = _series(today)
    over_numbers: list[str] = []
    cash_per_customer_day: dict[tuple[int, dt.date], int] = {}
    for number, (moment, kind, customer, line) in enumerate(planned, start=1):
        code, name, purity, weight, labor = line
        buy, sell = _board_price(conn, purity, moment)
        price = sell if kind == "sell" else buy
        line_labor = labor if kind == "sell" else 0
        amount = _line_amount(weight, price, line_labor)
        key = (customer, moment.date())
        if customer == customer_ids[0]:
            method = "cash"
            over_numbers.append(f"{series}-{number:07d}")
        elif cash_per_customer_day.get(key, 0) + amount >= CASH_LIMIT_VND or rng.random() < 0.3:
            # A compliant shop: from the limit up, payment goes through the bank.
            method = "bank_transfer"
        else:
            method = "cash"
        if method == "cash":
            cash_per_customer_day[key] = cash_per_customer_day.get(key, 0) + amount
        cursor = conn.execute(
            "INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method, total_vnd)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (series, number, kind, moment.isoformat(timespec="seconds"), customer, method, amount),
        )
        conn.execute(
            "INSERT INTO invoice_lines(invoice_id, item_code, description, purity_code, gold_weight_mg,"
            " unit_price_vnd_per_chi, labor_vnd, amount_vnd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (cursor.lastrowid, code or None, name, purity, weight, price, line_labor, amount),
        )
        if kind == "sell":
            conn.execute("UPDATE items SET status = 'sold' WHERE code = ?", (code,))
    return len(planned), (_CUSTOMERS[0][0], over_day, tuple(over_numbers))


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


def _write_backups(pos_db: Path, backups: Path, today: dt.date) -> None:
    # Nightly backups at 22:00 for the last 7 nights, each a zipped snapshot.
    for days_ago in range(7, 0, -1):
        night = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(22, 0))
        target = backups / f"PMV_backup_{night:%Y-%m-%d_%H%M}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # A fixed entry time keeps the same seed's shop identical byte for byte.
            entry = zipfile.ZipInfo("pmv.sqlite3", date_time=night.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, pos_db.read_bytes())
        stamp = night.timestamp()
        os.utime(target, (stamp, stamp))


def _write_logs(logs: Path, today: dt.date, rng: random.Random) -> None:
    for days_ago in range(3, -1, -1):
        day = today - dt.timedelta(days=days_ago)
        lines = [f"{day.isoformat()} 07:58:02 INFO  PMV {POS_VERSION} khởi động"]
        lines.append(f"{day.isoformat()} 08:30:00 INFO  Cập nhật bảng giá vàng")
        if days_ago == 1:
            lines.append(f"{day.isoformat()} 10:12:44 WARN  Máy in tem: hết thời gian chờ (COM3)")
        lines.append(f"{day.isoformat()} 22:00:05 INFO  Sao lưu dữ liệu hoàn tất")
        (logs / f"pmv-{day.isoformat()}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
