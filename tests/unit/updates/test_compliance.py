"""compliance.cash_limit on the real demo shop with the real ND 232 pack."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from collections.abc import Callable
from pathlib import Path

import pytest

from app.health.context import CheckContext
from app.health.model import Status
from app.shop.demo import DemoShop
from app.updates.compliance import CHECK_ID, CHECKS, REMEDIES, make_check, mask_name
from app.updates.install import PackStore
from app.updates.packs import CashLimitRule, RegulationPack, VatRateRule, load_pack
from tests.unit.health.conftest import run_one
from tests.unit.updates.conftest import ND232

MakeCtx = Callable[..., CheckContext]


@pytest.fixture
def nd232() -> RegulationPack:
    return load_pack(ND232.read_bytes())


def _split(code: str) -> tuple[str, int]:
    series, _, number = code.rpartition("-")
    return series, int(number)


def _set_payment(shop: DemoShop, codes: tuple[str, ...], **changes: str) -> None:
    conn = sqlite3.connect(shop.pos_database)
    try:
        for code in codes:
            series, number = _split(code)
            for column, value in changes.items():
                conn.execute(f"UPDATE invoices SET {column} = ? WHERE series = ? AND number = ?",  # noqa: S608
                             (value, series, number))
        conn.commit()
    finally:
        conn.close()


def test_finds_the_demo_customer_day(demo_shop: DemoShop, make_ctx: MakeCtx, nd232: RegulationPack) -> None:
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert outcome.check_id == CHECK_ID
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert outcome.remedy in REMEDIES
    first, second = demo_shop.over_limit_invoices
    day = demo_shop.over_limit_day.strftime("%d/%m/%Y")
    assert "Nguyễn Thị L***" in outcome.summary and "Nguyễn Thị Lan" not in outcome.summary + outcome.details
    assert day in outcome.summary and first in outcome.summary and second in outcome.summary
    assert outcome.summary.startswith("1 trường hợp")
    metrics = {m.name: m.value for m in outcome.metrics}
    assert metrics["customer_days_over_limit"] == 1
    assert metrics["max_cash_vnd"] >= 20_000_000
    # Exactly one customer-day, and its two invoices (each under the limit on its own).
    listed = [line for line in outcome.details.splitlines() if "₫ tiền mặt" in line]
    assert len(listed) == 1 and first in listed[0] and second in listed[0]
    assert "₫ tiền mặt" in listed[0] and "." in listed[0]  # 30.631.000 ₫, not 30631000


def test_ok_when_that_day_went_through_the_bank(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                nd232: RegulationPack) -> None:
    _set_payment(demo_shop, demo_shop.over_limit_invoices, payment_method="bank_transfer")
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert outcome.status is Status.OK, outcome.details
    assert outcome.summary == "Không có khách nào thanh toán tiền mặt từ 20.000.000 ₫ trong một ngày"


def test_one_invoice_by_bank_brings_the_day_under(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                  nd232: RegulationPack) -> None:
    _set_payment(demo_shop, demo_shop.over_limit_invoices[:1], payment_method="card")
    assert run_one(make_check(lambda: nd232), make_ctx()).status is Status.OK


def test_void_invoices_do_not_count(demo_shop: DemoShop, make_ctx: MakeCtx, nd232: RegulationPack) -> None:
    _set_payment(demo_shop, demo_shop.over_limit_invoices[1:], status="void")
    assert run_one(make_check(lambda: nd232), make_ctx()).status is Status.OK


def test_skipped_without_a_pack(demo_shop: DemoShop, make_ctx: MakeCtx) -> None:
    outcome = run_one(make_check(lambda: None), make_ctx())
    assert outcome.status is Status.SKIPPED
    assert outcome.summary.startswith("Bỏ qua:") and "Nghị định 232" in outcome.summary


def test_skipped_with_a_pack_without_a_cash_rule(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                 nd232: RegulationPack) -> None:
    vat = VatRateRule(kind="vat_rate", percent=Decimal(8), applies_to="labor")
    vat_only = nd232.model_copy(update={"rules": [vat]})
    assert run_one(make_check(lambda: vat_only), make_ctx()).status is Status.SKIPPED


def test_nothing_before_the_rule_takes_effect(demo_shop: DemoShop, make_ctx: MakeCtx,
                                              nd232: RegulationPack) -> None:
    # A rule effective the day after the demo's over-limit day does not judge that day.
    later = demo_shop.over_limit_day + dt.timedelta(days=1)
    rule = CashLimitRule(kind="cash_limit_per_customer_per_day", amount_vnd=20_000_000, effective_date=later)
    pack = nd232.model_copy(update={"rules": [rule]})
    assert run_one(make_check(lambda: pack), make_ctx()).status is Status.OK


def test_a_lower_limit_from_a_newer_pack_finds_more(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                    nd232: RegulationPack) -> None:
    rule = CashLimitRule(kind="cash_limit_per_customer_per_day", amount_vnd=5_000_000)
    outcome = run_one(make_check(lambda: nd232.model_copy(update={"rules": [rule]})), make_ctx())
    assert outcome.status is Status.CRITICAL
    assert int(next(m.value for m in outcome.metrics if m.name == "customer_days_over_limit")) > 1


def test_wired_to_a_pack_store(demo_shop: DemoShop, make_ctx: MakeCtx, tmp_path: Path) -> None:
    """How the registry wires it: the loader asks the store at each run, so installing a pack is seen at once."""
    store = PackStore(tmp_path / "packs")
    check = make_check(lambda: store.pack_with_rule(CashLimitRule))
    assert run_one(check, make_ctx()).status is Status.SKIPPED
    store.install(ND232.read_bytes())
    assert run_one(check, make_ctx()).status is Status.CRITICAL


def test_invoices_without_a_customer_stand_alone(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                 nd232: RegulationPack) -> None:
    _set_payment(demo_shop, demo_shop.over_limit_invoices, payment_method="bank_transfer")
    conn = sqlite3.connect(demo_shop.pos_database)
    try:
        rows = [("ZZ", 1, "2026-11-20T10:00:00", 12_000_000), ("ZZ", 2, "2026-11-20T11:00:00", 12_000_000)]
        conn.executemany("INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method,"
                         " total_vnd) VALUES (?, ?, 'buy', ?, NULL, 'cash', ?)", rows)
        conn.commit()
        # Two walk-in invoices are not one person's day: no finding.
        assert run_one(make_check(lambda: nd232), make_ctx()).status is Status.OK
        conn.execute("INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method,"
                     " total_vnd) VALUES ('ZZ', 3, 'sell', '2026-11-21T09:00:00', NULL, 'cash', 21000000)")
        conn.commit()
    finally:
        conn.close()
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert outcome.status is Status.CRITICAL
    assert "Khách lẻ không ghi tên" in outcome.summary and "ZZ-0000003" in outcome.summary
    assert "ZZ-0000001" not in outcome.details


def test_the_module_leaves_wiring_to_the_registry() -> None:
    assert CHECKS == []


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Thị Lan", "Nguyễn Thị L***"),
    ("Đặng  Thị Mỹ Duyên", "Đặng Thị Mỹ D***"),
    ("Ánh", "Á***"),
    ("", "Khách không tên"),
    (None, "Khách không tên"),
])
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked
