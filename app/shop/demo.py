"""Writes a realistic sample of a shop's gold-trading system.

Used by ``pmv-support demo-shop DIR``, by ``--demo`` and by tests: a POS
database (price board, stock with weights, sales invoices and purchase
records), dated backups, POS logs, an install folder with a version file and
the POS's own configuration (``PMV.ini``, naming where the other three are),
and ``DIR/settings.toml`` pointing every setting at that shop.

The data is seeded, so the same ``today`` and ``seed`` give the same shop.
Documents are numbered as a shop numbers them: sales invoices in the
e-invoice series of the year each was made (``1C26TVG``, then ``1C27TVG``
from 1 January, Circular 78/2021 art. 4 and Decree 123/2020 art. 10),
buy-backs from customers as purchase records (bảng kê thu mua) in their own
series (``BK26``).  Nothing is dated after the shop's "now".

It deliberately contains customer-days that break the Decree 232/2025 rule
(20.000.000 ₫ or more in a day, not all paid through a bank account), so the
compliance check has something real to find: a day paid in cash split over
two invoices, a day part transfer part cash, a card day, one invoice paid
part by transfer and part in cash, and a sale plus a cash buy-back.
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

from app.infra.formatting import chi_to_mg
from app.infra.settings import PosSettings, Settings, ShopSettings, settings_to_toml
from app.shop.demo_documents import (
    CASH_LIMIT_VND,
    INVOICE_SERIES_PREFIX,
    PURCHASE_SERIES_PREFIX,
    DemoViolation,
    WrittenDocuments,
    series_of,
    write_documents,
)
from app.shop.pos_schema import BUY, POS_SCHEMA, PURITIES
from pmv_protocol.shop_time import SHOP_TZ

MARKER = ".pmv-demo-shop"
POS_VERSION = "5.8.2"
# The POS's own configuration in its install folder: where its database, backups and logs are.
POS_CONFIG_FILE = "PMV.ini"
# A demo made for a given day shows that day up to this time: after closing, before the 22:00 backup.
DAY_SHOWN_UNTIL = dt.time(21, 0)
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
    invoices: int  # sales invoices
    over_limit_customer: str  # the cash day split over two invoices (the first of ``violations``)
    over_limit_day: dt.date
    over_limit_invoices: tuple[str, ...]
    purchase_records: int = 0
    violations: tuple[DemoViolation, ...] = ()


def create_demo_shop(
    root: Path, *, today: dt.date | None = None, seed: int = 2026, force: bool = False,
    now: dt.datetime | None = None,
) -> DemoShop:
    """Write the shop into a fresh folder next to ``root``, then move it into place.

    ``now`` is the shop's moment (aware, or naive shop time): nothing is dated
    after it.  Without it, a shop for a given ``today`` is shown up to
    DAY_SHOWN_UNTIL that day, and with neither, the real clock is used.
    A failure half-way leaves ``root`` as it was (never half a shop that a
    retry would then refuse).
    """
    root = Path(root).resolve()
    moment = _shop_moment(today, now)
    today = moment.date()
    if not dt.date(2000, 1, 1) <= today <= dt.date(2999, 12, 31):
        raise DemoShopError(f"--today must be between 2000 and 2999, not {today.isoformat()}")
    _check_target(root, force)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the shop folder is an ordinary folder
    try:
        shop = _write_shop(staging, root, moment, seed)
        if root.exists():
            shutil.rmtree(root)
        staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return shop


def _shop_moment(today: dt.date | None, now: dt.datetime | None) -> dt.datetime:
    """The shop's "now" as naive shop time (Asia/Ho_Chi_Minh), not the PC's zone."""
    if now is not None:
        moment = now.astimezone(SHOP_TZ).replace(tzinfo=None) if now.tzinfo is not None else now
        if today is not None and today != moment.date():
            raise DemoShopError(f"--today {today.isoformat()} is not the day of {moment.isoformat()}")
        return moment.replace(microsecond=0)
    if today is not None:
        return dt.datetime.combine(today, DAY_SHOWN_UNTIL)
    return dt.datetime.now(SHOP_TZ).replace(tzinfo=None, microsecond=0)


def _check_target(root: Path, force: bool) -> None:
    if root.exists() and not root.is_dir():
        raise DemoShopError(f"{root} exists and is not a folder")
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise DemoShopError(f"{root} is not empty and is not a demo shop; choose an empty folder")
        if not force:
            raise DemoShopError(f"{root} already holds a demo shop; pass --force to recreate it")


def _write_shop(folder: Path, root: Path, now: dt.datetime, seed: int) -> DemoShop:
    """Writes into ``folder``; the returned paths are where it will live (``root``)."""
    today = now.date()
    paths = {name: folder / name for name in ("pos", "backups", "logs", "install")}
    for sub in paths.values():
        sub.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pos_db = paths["pos"] / "pmv.sqlite3"
    written = _write_pos_database(pos_db, now, rng)
    _write_backups(pos_db, paths["backups"], today)
    _write_logs(paths["logs"], now)
    (paths["install"] / "version.txt").write_text(POS_VERSION + "\n", encoding="utf-8")
    _write_pos_config(paths["install"] / POS_CONFIG_FILE)
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
        invoices=written.invoices,
        over_limit_customer=written.violations[0].customer,
        over_limit_day=written.violations[0].day,
        over_limit_invoices=written.violations[0].documents,
        purchase_records=written.purchase_records,
        violations=written.violations,
    )


def _write_pos_config(path: Path) -> None:
    """The POS's own configuration, as PMV's installer writes it (app.setup.pos_discovery reads it).

    Windows INI with a UTF-8 BOM, CRLF and ``;`` comments; paths relative to the install folder with
    backslashes, so the shop folder can move and a reader must take Windows paths on any system.
    """
    lines = [
        f"; PMV - Phần mềm vàng {POS_VERSION}: cấu hình máy bán hàng",
        "[Shop]",
        "ShopCode=DEMO-0001",
        "[Database]",
        "; Dữ liệu trên máy chủ: ConnectionString=Server=máy-chủ\\SQLEXPRESS;Database=PMV;User Id=...;Password=...",
        "Path=..\\pos\\pmv.sqlite3",
        "[Folders]",
        "Backups=..\\backups",
        "Logs=..\\logs",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def _write_pos_database(path: Path, now: dt.datetime, rng: random.Random) -> WrittenDocuments:
    today = now.date()
    conn = sqlite3.connect(path)
    try:
        conn.executescript(POS_SCHEMA)
        conn.executemany(
            "INSERT INTO pos_info(key, value) VALUES (?, ?)",
            [("version", POS_VERSION), ("shop_code", "DEMO-0001"), ("invoice_series", series_of(today)),
             ("purchase_series", series_of(today, BUY))],
        )
        conn.executemany("INSERT INTO purities VALUES (?, ?, ?)", PURITIES)
        _write_prices(conn, now, rng)
        _write_items(conn, today, rng)
        conn.executemany(
            "INSERT INTO customers(code, full_name, phone, id_number) VALUES (?, ?, ?, ?)",
            [
                (f"KH{n:04d}", name, phone, f"0791{rng.randrange(10**7, 10**8)}")
                for n, (name, phone) in enumerate(_CUSTOMERS, start=1)
            ],
        )
        written = write_documents(conn, today, rng, [name for name, _ in _CUSTOMERS])
        conn.commit()
    finally:
        conn.close()
    return written


def _write_prices(conn: sqlite3.Connection, now: dt.datetime, rng: random.Random) -> None:
    # A week of board updates, twice a day; the last one this morning at 08:30 (if it is past 08:30).
    today = now.date()
    rows = []
    for days_ago in range(6, -1, -1):
        day = today - dt.timedelta(days=days_ago)
        for hour, minute in ((8, 30), (14, 0)):
            if days_ago == 0 and hour == 14:
                continue
            drift = 1 + (rng.random() - 0.5) * 0.01 - days_ago * 0.001
            when = dt.datetime.combine(day, dt.time(hour, minute))
            if when > now:
                continue  # the drift was drawn all the same: the rest of the shop does not depend on the hour
            stamp = when.isoformat(timespec="seconds")
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


def _write_logs(logs: Path, now: dt.datetime) -> None:
    # The last four days' files; nothing after ``now``, and tonight's backup has not run yet.
    for days_ago in range(3, -1, -1):
        day = now.date() - dt.timedelta(days=days_ago)
        entries = [(dt.time(7, 58, 2), f"INFO  PMV {POS_VERSION} khởi động"),
                   (dt.time(8, 30), "INFO  Cập nhật bảng giá vàng")]
        if days_ago == 1:
            entries.append((dt.time(10, 12, 44), "WARN  Máy in tem: hết thời gian chờ (COM3)"))
        entries.append((dt.time(22, 0, 5), "INFO  Sao lưu dữ liệu hoàn tất"))
        lines = [f"{day.isoformat()} {at.isoformat()} {text}" for at, text in entries
                 if dt.datetime.combine(day, at) <= now]
        if lines:  # before PMV starts in the morning there is no file for today yet
            (logs / f"pmv-{day.isoformat()}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


__all__ = ["CASH_LIMIT_VND", "DAY_SHOWN_UNTIL", "INVOICE_SERIES_PREFIX", "PURCHASE_SERIES_PREFIX", "DemoShop",
           "DemoShopError", "DemoViolation", "create_demo_shop"]
