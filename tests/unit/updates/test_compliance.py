"""compliance.cash_limit: a table of customer-days worked out by hand from the rule, then the real demo shop.

The rule (Decree 232/2025/NĐ-CP, new clause 10 of art. 4 of Decree 24/2012/NĐ-CP; in force 10/10/2025):
when one customer's gold transactions with the shop in one day total 20,000,000 VND or more ("từ 20 triệu
đồng trở lên"), purchases and buy-backs together, payment goes through the customer's and the shop's payment
accounts at a bank.  The State Bank's guidance of 17/10/2025: cash does not qualify, and neither do cards,
e-wallets or vouchers (not payment from a payment account).  Cited below as [D232] and [SBV].
Each case runs on a real SQLite POS database built from POS_SCHEMA.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from app.health.context import CheckContext
from app.health.model import CheckResult, HealthReport, Status
from app.health.registry import remedies
from app.health.report_pdf import write_report
from app.infra.formatting import format_vnd
from app.infra.settings import PosSettings, Settings, ShopSettings
from app.shop.demo import DemoShop
from app.shop.pos_reader import read_documents
from app.shop.pos_schema import POS_SCHEMA
from app.updates.compliance import CHECK_ID, CHECKS, REMEDIES, TITLE, judge_days, make_check, mask_name
from app.updates.install import PackStore
from pmv_protocol.packs import CashLimitRule, RegulationPack, VatRateRule, load_pack
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


def test_finds_the_demo_customer_days(demo_shop: DemoShop, make_ctx: MakeCtx, nd232: RegulationPack) -> None:
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert outcome.check_id == CHECK_ID
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert outcome.remedy in REMEDIES
    first, second = demo_shop.over_limit_invoices
    day = demo_shop.over_limit_day.strftime("%d/%m/%Y")
    # Newest first in the summary: the cash day split over two invoices is the most recent.
    assert "Nguyễn Thị L***" in outcome.summary and "Nguyễn Thị Lan" not in outcome.summary + outcome.details
    assert day in outcome.summary and first in outcome.summary and second in outcome.summary
    assert outcome.summary.startswith(f"{len(demo_shop.violations)} trường hợp")
    assert "không qua tài khoản ngân hàng" in outcome.summary and "tiền mặt" in outcome.summary
    metrics = {m.name: m.value for m in outcome.metrics}
    assert metrics["customer_days_over_limit"] == len(demo_shop.violations) == 5
    # Every planted day is listed once, with its day, its total, the part not via a bank, and its documents.
    listed = [line for line in outcome.details.splitlines() if "không qua tài khoản ngân hàng (" in line]
    assert len(listed) == len(demo_shop.violations)
    for violation in demo_shop.violations:
        [line] = [ln for ln in listed if violation.day.strftime("%d/%m/%Y") in ln]
        assert f"tổng {format_vnd(violation.total_vnd)}" in line
        assert f"trong đó {format_vnd(violation.not_via_bank_vnd)} không qua" in line
        assert all(code in line for code in violation.documents)
    card = next(v for v in demo_shop.violations if v.how == "card")
    assert f"thẻ {format_vnd(card.total_vnd)}" in outcome.details


def _days_found(outcome: CheckResult) -> int:
    return int(next(m.value for m in outcome.metrics if m.name == "customer_days_over_limit"))


def test_ok_when_that_day_went_through_the_bank(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                nd232: RegulationPack) -> None:
    _set_payment(demo_shop, demo_shop.over_limit_invoices, payment_method="bank_transfer")
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert _days_found(outcome) == len(demo_shop.violations) - 1, outcome.details
    assert demo_shop.over_limit_day.strftime("%d/%m/%Y") not in outcome.details


def test_one_invoice_by_card_still_leaves_the_day_over(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                       nd232: RegulationPack) -> None:
    # A card is not a payment account [SBV]: moving one invoice to card changes nothing.
    _set_payment(demo_shop, demo_shop.over_limit_invoices[:1], payment_method="card")
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert _days_found(outcome) == len(demo_shop.violations)
    assert "thẻ" in outcome.summary and demo_shop.over_limit_invoices[0] in outcome.summary


def test_void_invoices_do_not_count(demo_shop: DemoShop, make_ctx: MakeCtx, nd232: RegulationPack) -> None:
    _set_payment(demo_shop, demo_shop.over_limit_invoices[1:], status="void")
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert _days_found(outcome) == len(demo_shop.violations) - 1


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
    outcome = run_one(make_check(lambda: pack), make_ctx())
    assert _days_found(outcome) == 0, outcome.details  # every planted day is on or before it


def test_a_lower_limit_from_a_newer_pack_finds_more(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                    nd232: RegulationPack) -> None:
    rule = CashLimitRule(kind="cash_limit_per_customer_per_day", amount_vnd=5_000_000)
    outcome = run_one(make_check(lambda: nd232.model_copy(update={"rules": [rule]})), make_ctx())
    assert outcome.status is Status.CRITICAL
    assert _days_found(outcome) > len(demo_shop.violations)


def test_wired_to_a_pack_store(demo_shop: DemoShop, make_ctx: MakeCtx, tmp_path: Path) -> None:
    """How the registry wires it: the loader asks the store at each run, so installing a pack is seen at once."""
    store = PackStore(tmp_path / "packs")
    check = make_check(lambda: store.pack_with_rule(CashLimitRule))
    assert run_one(check, make_ctx()).status is Status.SKIPPED
    store.install(ND232.read_bytes())
    assert run_one(check, make_ctx()).status is Status.CRITICAL


def test_a_newer_pack_whose_rule_starts_later_leaves_the_older_rule_in_force_until_then(
        demo_shop: DemoShop, make_ctx: MakeCtx, tmp_path: Path, make_pack: Callable[..., bytes]) -> None:
    # The pack model allows a rule its own later date (a transition period). A newer pack raising the limit from
    # 01/12/2026 made the check stop ("có hiệu lực từ 01/12/2026") while the 20-million rule was still the law.
    store = PackStore(tmp_path / "packs")
    store.install(ND232.read_bytes().replace(b'"version": "1.1.0"', b'"version": "1.0.0"', 1))
    check = make_check(lambda: store.pack_with_rule(CashLimitRule, on=dt.date(2026, 11, 25)))
    before = run_one(check, make_ctx())
    assert before.status is Status.CRITICAL
    store.install(make_pack("1.1.0", rule={"amount_vnd": 30_000_000, "effective_date": "2026-12-01"}))
    during = run_one(check, make_ctx())  # 25/11/2026: the 1.0.0 rule still applies
    assert (during.status, _days_found(during)) == (Status.CRITICAL, _days_found(before))
    after = run_one(make_check(lambda: store.pack_with_rule(CashLimitRule, on=dt.date(2026, 12, 2))),
                    make_ctx(now=dt.datetime(2026, 12, 2, 3, tzinfo=dt.UTC)))
    assert after.status is Status.OK and format_vnd(30_000_000) in after.details  # the new rule, from its day


def test_a_corrective_pack_during_a_transition_keeps_the_rule_in_force(
        demo_shop: DemoShop, make_ctx: MakeCtx, tmp_path: Path, make_pack: Callable[..., bytes]) -> None:
    # Left open by the last review: the store keeps the current and the previous version only, so a corrective
    # 1.2.0 published before the new rule's day pruned 1.0.0, whose 20-million rule was still the law, and the
    # check stopped until 01/12/2026.
    store = PackStore(tmp_path / "packs")
    day = dt.date(2026, 11, 25)
    store.install(ND232.read_bytes().replace(b'"version": "1.1.0"', b'"version": "1.0.0"', 1), in_force_on=day)
    check = make_check(lambda: store.pack_with_rule(CashLimitRule, on=day))
    before = run_one(check, make_ctx())
    later = {"amount_vnd": 30_000_000, "effective_date": "2026-12-01"}
    store.install(make_pack("1.1.0", rule=later), in_force_on=day)
    store.install(make_pack("1.2.0", rule=later, summary_vi="Bản sửa lỗi chính tả."), in_force_on=day)
    during = run_one(check, make_ctx())
    assert (during.status, _days_found(during)) == (Status.CRITICAL, _days_found(before))
    assert store.previous_version("nd-232-2025") == "1.1.0"  # rollback still goes one step back
    # Once the new rule is the law, the next install lets the old version go.
    store.install(make_pack("1.3.0", rule=later), in_force_on=dt.date(2026, 12, 2))
    assert sorted(p.name for p in (store.packs_dir / "nd-232-2025").iterdir() if p.is_dir()) == ["1.2.0", "1.3.0"]


def test_a_later_decrees_pack_announced_in_advance_does_not_suspend_decree_232(
        demo_shop: DemoShop, make_ctx: MakeCtx, tmp_path: Path, make_pack: Callable[..., bytes]) -> None:
    # [D232] applies to every day from 10/10/2025; another pack whose cash-limit rule begins on 01/07/2027 only
    # announces a later rule.  It was chosen for its later date and the check said "Bỏ qua … từ 01/07/2027".
    store = PackStore(tmp_path / "packs")
    day = dt.date(2026, 11, 25)
    store.install(ND232.read_bytes(), in_force_on=day)
    store.install(make_pack("1.0.0", id="nd-999-2027", issued_on="2026-11-01", effective_date="2027-07-01",
                            rule={"amount_vnd": 10_000_000, "effective_date": "2027-07-01"}), in_force_on=day)
    chosen = store.pack_with_rule(CashLimitRule, on=day)
    assert chosen is not None and chosen.id == "nd-232-2025"
    outcome = run_one(make_check(lambda: store.pack_with_rule(CashLimitRule, on=day)), make_ctx())
    assert (outcome.status, _days_found(outcome)) == (Status.CRITICAL, len(demo_shop.violations))
    # Once it has begun, the later rule is the newest in force; before any rule has begun, the soonest is named.
    later = store.pack_with_rule(CashLimitRule, on=dt.date(2027, 7, 1))
    assert later is not None and later.id == "nd-999-2027"
    soonest = store.pack_with_rule(CashLimitRule, on=dt.date(2025, 1, 1))
    assert soonest is not None and soonest.id == "nd-232-2025"
    # Without a day: the newest by effective date, as before.
    newest = store.pack_with_rule(CashLimitRule)
    assert newest is not None and newest.id == "nd-999-2027"


def test_invoices_without_a_customer_stand_alone(demo_shop: DemoShop, make_ctx: MakeCtx,
                                                 nd232: RegulationPack) -> None:
    conn = sqlite3.connect(demo_shop.pos_database)
    try:
        rows = [("ZZ", 1, "2026-11-20T10:00:00", 12_000_000), ("ZZ", 2, "2026-11-20T11:00:00", 12_000_000)]
        conn.executemany("INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method,"
                         " total_vnd) VALUES (?, ?, 'buy', ?, NULL, 'cash', ?)", rows)
        conn.commit()
        # Two walk-in invoices are not one person's day: no finding.
        assert _days_found(run_one(make_check(lambda: nd232), make_ctx())) == len(demo_shop.violations)
        conn.execute("INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method,"
                     " total_vnd) VALUES ('ZZ', 3, 'sell', '2026-11-24T09:00:00', NULL, 'cash', 21000000)")
        conn.commit()
    finally:
        conn.close()
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    assert _days_found(outcome) == len(demo_shop.violations) + 1
    assert "Khách lẻ không ghi tên" in outcome.summary and "ZZ-0000003" in outcome.summary
    assert "ZZ-0000001" not in outcome.details


def test_the_module_leaves_wiring_to_the_registry() -> None:
    assert CHECKS == []


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Thị Lan", "Nguyễn Thị L***"),
    ("Đặng  Thị Mỹ Duyên", "Đặng Thị Mỹ D***"),
    ("Ánh", "Á***"),
    # Decomposed (Unicode NFD), as Unikey's "Unicode tổ hợp" stores a name: the initial lost its accent ("A***").
    (unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "Nguyễn Thị Á***"),
    (unicodedata.normalize("NFD", "Lê Ưng"), "Lê Ư***"),
    ("", "Khách không tên"),
    (None, "Khách không tên"),
])
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


# --- the rule, worked out by hand on a POS built from POS_SCHEMA -------------------------------------------

VN = dt.timezone(dt.timedelta(hours=7))
TABLE_NOW = dt.datetime(2025, 11, 20, 10, 0, tzinfo=VN)  # 90 days back reaches before 10/10/2025
CUSTOMERS = {1: ("KH0001", "Nguyễn Thị Lan"), 2: ("KH0002", "Trần Văn Hùng")}
LAN, HUNG = "Nguyễn Thị L*** (KH0001)", "Trần Văn H*** (KH0002)"
M = 1_000_000

# A document: (customer id or None, issued at (shop time), kind, payment_method, total, payment lines or None, status)
Doc = tuple[int | None, str, str, str, int, list[tuple[str, int]] | None, str]


def doc(customer: int | None, at: str, method: str, total: int, *, kind: str = "sell",
        lines: list[tuple[str, int]] | None = None, status: str = "issued") -> Doc:
    return (customer, at, kind, method, total, lines, status)


# (case, source, documents, expected findings: (customer, day, day total, part not via a bank, documents))
TABLE: list[tuple[str, str, list[Doc], list[tuple[str, str, int, int, tuple[str, ...]]]]] = [
    ("exactly 20M by transfer", "[D232] 'từ 20 triệu trở lên' through bank accounts: complies",
     [doc(1, "2025-11-03T10:00:00", "bank_transfer", 20 * M)], []),
    ("exactly 20M in cash", "[D232] 20,000,000 is already 'from 20 million': cash breaks it",
     [doc(1, "2025-11-03T10:00:00", "cash", 20 * M)],
     [(LAN, "2025-11-03", 20 * M, 20 * M, ("1C25TVG-0000001",))]),
    ("19,999,999 in cash", "[D232] under the threshold: any means of payment",
     [doc(1, "2025-11-03T10:00:00", "cash", 20 * M - 1)], []),
    ("two customers at 15M cash each", "[D232] one customer's day: two customers are not added up",
     [doc(1, "2025-11-03T10:00:00", "cash", 15 * M), doc(2, "2025-11-03T10:30:00", "cash", 15 * M)], []),
    ("one customer across midnight", "[D232] 'trong một ngày': 23:30 and 00:15 are two days, each under",
     [doc(1, "2025-11-03T23:30:00", "cash", 15 * M), doc(1, "2025-11-04T00:15:00", "cash", 15 * M)], []),
    ("the same customer twice in a day, split", "[D232] the day's total counts, however many invoices",
     [doc(1, "2025-11-03T09:00:00", "cash", 10 * M), doc(1, "2025-11-03T16:00:00", "cash", 10 * M)],
     [(LAN, "2025-11-03", 20 * M, 20 * M, ("1C25TVG-0000001", "1C25TVG-0000002"))]),
    ("a sale and a buy-back in one day", "[D232] purchases and buy-backs together: 9M sold + 12M bought back",
     [doc(1, "2025-11-05T09:00:00", "cash", 12 * M, kind="buy"), doc(1, "2025-11-05T09:20:00", "bank_transfer", 9 * M)],
     [(LAN, "2025-11-05", 21 * M, 12 * M, ("BK25-0000001", "1C25TVG-0000001"))]),
    ("card 25M", "[SBV] a card payment is not payment from a payment account",
     [doc(2, "2025-11-06T15:00:00", "card", 25 * M)],
     [(HUNG, "2025-11-06", 25 * M, 25 * M, ("1C25TVG-0000001",))]),
    ("e-wallet 20M", "[SBV] an e-wallet is not a payment account",
     [doc(2, "2025-11-06T15:00:00", "e_wallet", 20 * M)],
     [(HUNG, "2025-11-06", 20 * M, 20 * M, ("1C25TVG-0000001",))]),
    ("voucher 5M + transfer 16M", "[SBV] a voucher is not a payment account; [D232] the day's total is 21M",
     [doc(2, "2025-11-06T15:00:00", "voucher", 5 * M), doc(2, "2025-11-06T15:05:00", "bank_transfer", 16 * M)],
     [(HUNG, "2025-11-06", 21 * M, 5 * M, ("1C25TVG-0000001", "1C25TVG-0000002"))]),
    ("15M transfer + 6M cash", "[D232] the day (21M) counts whatever the means; the 6M cash breaks it",
     [doc(1, "2025-11-07T10:00:00", "bank_transfer", 15 * M), doc(1, "2025-11-07T11:00:00", "cash", 6 * M)],
     [(LAN, "2025-11-07", 21 * M, 6 * M, ("1C25TVG-0000001", "1C25TVG-0000002"))]),
    ("a day before the decree took effect", "[D232] in force 10/10/2025: 09/10 is not judged, 10/10 is",
     [doc(1, "2025-10-09T10:00:00", "cash", 30 * M), doc(1, "2025-10-10T10:00:00", "cash", 20 * M)],
     [(LAN, "2025-10-10", 20 * M, 20 * M, ("1C25TVG-0000002",))]),
    ("one invoice split: 20M transfer + 5M cash", "[D232] every part must go through the bank accounts",
     [doc(1, "2025-11-08T10:00:00", "bank_transfer", 25 * M, lines=[("bank_transfer", 20 * M), ("cash", 5 * M)])],
     [(LAN, "2025-11-08", 25 * M, 5 * M, ("1C25TVG-0000001",))]),
    ("one invoice split, all by transfer", "[D232] complies; the payment lines, not the header's method, say how",
     [doc(1, "2025-11-08T10:00:00", "cash", 25 * M, lines=[("bank_transfer", 5 * M), ("bank_transfer", 20 * M)])],
     []),
    ("transfer and cash with change given back",
     "[D232] 25M day: 20M by transfer, 10M cash handed over and 5M given back: 5M was paid in cash, not 10M",
     [doc(1, "2025-11-08T10:00:00", "bank_transfer", 25 * M, lines=[("cash", 10 * M), ("bank_transfer", 20 * M)])],
     [(LAN, "2025-11-08", 25 * M, 5 * M, ("1C25TVG-0000001",))]),
    ("payment lines that leave part unexplained", "POS schema: the rest was paid by the header's method (cash)",
     [doc(1, "2025-11-08T10:00:00", "cash", 22 * M, lines=[("bank_transfer", 20 * M)])],
     [(LAN, "2025-11-08", 22 * M, 2 * M, ("1C25TVG-0000001",))]),
    ("a void invoice", "a cancelled invoice is no transaction",
     [doc(1, "2025-11-09T10:00:00", "cash", 30 * M, status="void")], []),
    ("walk-in customers", "no customer: each invoice stands alone (12M + 12M), one of 21M is over",
     [doc(None, "2025-11-09T10:00:00", "cash", 12 * M), doc(None, "2025-11-09T10:10:00", "cash", 12 * M),
      doc(None, "2025-11-09T11:00:00", "cash", 21 * M)],
     [("Khách lẻ không ghi tên", "2025-11-09", 21 * M, 21 * M, ("1C25TVG-0000003",))]),
]


def build_pos(path: Path, documents: list[Doc], *, with_payments_table: bool = True) -> Path:
    """A real POS database from POS_SCHEMA: sales numbered in 1C25TVG, buy-backs in the purchase series BK25."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(POS_SCHEMA)
        if not with_payments_table:
            conn.execute("DROP TABLE invoice_payments")  # a POS older than split payments
        conn.executemany("INSERT INTO customers(id, code, full_name) VALUES (?, ?, ?)",
                         [(ident, code, name) for ident, (code, name) in CUSTOMERS.items()])
        numbers = {"sell": 0, "buy": 0}
        for customer, at, kind, method, total, lines, status in documents:
            numbers[kind] += 1
            series = "1C25TVG" if kind == "sell" else "BK25"
            cursor = conn.execute(
                "INSERT INTO invoices(series, number, kind, issued_at, customer_id, payment_method, total_vnd, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (series, numbers[kind], kind, at, customer, method, total, status))
            for line_method, amount in lines or []:
                conn.execute("INSERT INTO invoice_payments(invoice_id, method, amount_vnd) VALUES (?, ?, ?)",
                             (cursor.lastrowid, line_method, amount))
        conn.commit()
    finally:
        conn.close()
    return path


def table_ctx(path: Path, now: dt.datetime = TABLE_NOW) -> CheckContext:
    return CheckContext(Settings(pos=PosSettings(database=path)), clock=lambda: now)


def findings(path: Path, pack: RegulationPack) -> list[tuple[str, str, int, int, tuple[str, ...]]]:
    rule = pack.cash_limit()
    assert rule is not None
    ctx = table_ctx(path)
    try:
        with ctx.pos_engine.connect() as conn:
            documents = read_documents(conn, dt.datetime(2025, 1, 1)).documents
    finally:
        ctx.close()
    return [(d.customer, d.day.isoformat(), d.total_vnd, d.not_via_bank_vnd, d.documents)
            for d in judge_days(documents, rule, pack.effective_date_of(rule))]


def _first_shape(nd232: RegulationPack) -> RegulationPack:
    """The pack as 1.0.0 shipped it (the threshold only): what a till may still have installed."""
    data = json.loads(ND232.read_text(encoding="utf-8"))
    data["version"] = "1.0.0"
    for key in ("inclusive", "counted_kinds", "counted_methods", "bank_account_methods"):
        del data["rules"][0][key]
    return load_pack(json.dumps(data, ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize("shape", ["1.1.0", "1.0.0"])
@pytest.mark.parametrize(("case", "source", "documents", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_the_rule_by_hand(tmp_path: Path, nd232: RegulationPack, shape: str, case: str, source: str,
                          documents: list[Doc], expected: list[tuple[str, str, int, int, tuple[str, ...]]]) -> None:
    pack = nd232 if shape == "1.1.0" else _first_shape(nd232)
    path = build_pos(tmp_path / "pmv.sqlite3", documents)
    assert findings(path, pack) == expected, f"{case}: {source}"
    # The check itself, as the registry runs it: red exactly when a customer-day is found.
    ctx = table_ctx(path)
    try:
        outcome = run_one(make_check(lambda: pack), ctx)
    finally:
        ctx.close()
    assert outcome.status is (Status.CRITICAL if expected else Status.OK), outcome.summary
    for customer, day, total, outside, codes in expected:
        line = next(ln for ln in outcome.details.splitlines() if ln.startswith(customer))
        shown = dt.date.fromisoformat(day).strftime("%d/%m/%Y")
        assert (f"ngày {shown}: tổng {format_vnd(total)}, trong đó {format_vnd(outside)} không qua tài khoản ngân hàng"
                in line) and all(code in line for code in codes)


def test_a_pos_without_payment_lines_is_read_by_each_invoices_method(tmp_path: Path, nd232: RegulationPack) -> None:
    documents = [doc(1, "2025-11-03T10:00:00", "cash", 20 * M), doc(2, "2025-11-03T10:00:00", "bank_transfer", 30 * M)]
    path = build_pos(tmp_path / "old.sqlite3", documents, with_payments_table=False)
    assert findings(path, nd232) == [(LAN, "2025-11-03", 20 * M, 20 * M, ("1C25TVG-0000001",))]


def test_the_summary_says_not_through_a_bank_account(tmp_path: Path, nd232: RegulationPack) -> None:
    path = build_pos(tmp_path / "pmv.sqlite3", [doc(2, "2025-11-06T15:00:00", "card", 25 * M)])
    ctx = table_ctx(path)
    try:
        outcome = run_one(make_check(lambda: nd232), ctx)
    finally:
        ctx.close()
    assert outcome.summary.startswith("1 trường hợp khách giao dịch từ 20.000.000 ₫ trong một ngày có phần thanh toán"
                                      " không qua tài khoản ngân hàng: Trần Văn H*** (KH0002), ngày 06/11/2025")
    assert "(thẻ 25.000.000 ₫)" in outcome.summary and "tiền mặt" not in outcome.summary
    assert "chỉ chuyển khoản được tính là qua tài khoản ngân hàng" in outcome.details
    assert "tiền mặt, thẻ, ví điện tử, phiếu quà tặng đều không được" in REMEDIES[outcome.remedy or ""]


# A later pack can change any part of the rule without an app release: each change moves the verdict.
LATER_PACKS: list[tuple[str, dict[str, object], list[Doc], int]] = [
    ("card accepted as a bank account", {"bank_account_methods": ["bank_transfer", "card"]},
     [doc(2, "2025-11-06T15:00:00", "card", 25 * M)], 0),
    ("the amount itself no longer caught", {"inclusive": False},
     [doc(1, "2025-11-03T10:00:00", "cash", 20 * M)], 0),
    ("only sales count", {"counted_kinds": ["sell"]},
     [doc(1, "2025-11-05T09:00:00", "cash", 12 * M, kind="buy"), doc(1, "2025-11-05T09:20:00", "cash", 9 * M)], 0),
    ("only cash counts towards the total", {"counted_methods": ["cash"]},
     [doc(1, "2025-11-07T10:00:00", "bank_transfer", 15 * M), doc(1, "2025-11-07T11:00:00", "cash", 6 * M)], 0),
    ("a lower amount", {"amount_vnd": 10 * M},
     [doc(1, "2025-11-07T11:00:00", "cash", 10 * M)], 1),
]


@pytest.mark.parametrize(("case", "change", "documents", "found"), LATER_PACKS, ids=[row[0] for row in LATER_PACKS])
def test_a_later_pack_changes_the_rule(tmp_path: Path, nd232: RegulationPack, case: str, change: dict[str, object],
                                       documents: list[Doc], found: int) -> None:
    data = json.loads(ND232.read_text(encoding="utf-8"))
    data["version"] = "1.2.0"
    data["rules"][0].update(change)
    later = load_pack(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    path = build_pos(tmp_path / "pmv.sqlite3", documents)
    assert len(findings(path, nd232)) == 1 - found, case  # the current pack judges each day the other way
    assert len(findings(path, later)) == found, case


def _store_raw(path: Path, table: str, values: dict[int, tuple[str, object]]) -> None:
    """Write a value as the POS left it: SQLite keeps text or a REAL in an INTEGER column as given."""
    conn = sqlite3.connect(path)
    try:
        for row_id, (column, value) in values.items():
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))  # noqa: S608
        conn.commit()
    finally:
        conn.close()


def _run_table(path: Path, pack: RegulationPack) -> CheckResult:
    ctx = table_ctx(path)
    try:
        return run_one(make_check(lambda: pack), ctx)
    finally:
        ctx.close()


def test_a_total_written_with_separators_is_read_and_an_unreadable_document_is_named(
        tmp_path: Path, nd232: RegulationPack) -> None:
    # One old invoice's total stored as '25.000.000' made the whole check UNKNOWN ("ValueError: invalid literal
    # for int()") and hid Hùng's 30M cash day, which [D232] catches whatever the other rows hold.
    documents = [doc(1, "2025-11-03T10:00:00", "cash", 25 * M), doc(2, "2025-11-04T10:00:00", "cash", 30 * M),
                 doc(2, "2025-11-05T10:00:00", "cash", 5 * M), doc(1, "2025-11-06T10:00:00", "cash", 5 * M)]
    path = build_pos(tmp_path / "pmv.sqlite3", documents)
    _store_raw(path, "invoices", {1: ("total_vnd", "25.000.000"), 3: ("total_vnd", "năm triệu"),
                                  4: ("issued_at", "2025-11-06 10h00")})
    outcome = _run_table(path, nd232)
    assert outcome.status is Status.CRITICAL, outcome.summary
    assert _days_found(outcome) == 2  # Lan's 25M read through its separators [D232: from 20M], Hùng's 30M
    assert f"ngày 03/11/2025: tổng {format_vnd(25 * M)}" in outcome.details
    [line] = [ln for ln in outcome.details.splitlines() if ln.startswith("Không đọc được")]
    assert line == "Không đọc được số tiền hoặc thời gian của 2 chứng từ nên chưa xét: 1C25TVG-0000003, 1C25TVG-0000004"
    assert "Error" not in outcome.summary + outcome.details


def test_an_unreadable_document_alone_is_a_warning_not_a_pass(tmp_path: Path, nd232: RegulationPack) -> None:
    # A document not judged may be the one that reaches 20M [D232]: the check cannot say all is fine.
    path = build_pos(tmp_path / "pmv.sqlite3", [doc(1, "2025-11-03T10:00:00", "cash", 25 * M)])
    _store_raw(path, "invoices", {1: ("total_vnd", "25tr")})
    outcome = _run_table(path, nd232)
    assert outcome.status is Status.WARNING, outcome.summary
    assert outcome.summary.endswith("chưa xét: 1C25TVG-0000001") and outcome.remedy in REMEDIES


def test_fractional_amounts_are_rounded_to_the_dong_not_cut(tmp_path: Path, nd232: RegulationPack) -> None:
    # VND has no sub-unit (Law on the State Bank: the đồng is the unit); a total stored as 19,999,999.6 is
    # 20,000,000 đồng, which [D232] already catches ("từ 20 triệu đồng trở lên"); int() cut it to 19,999,999.
    path = build_pos(tmp_path / "pmv.sqlite3", [
        doc(1, "2025-11-03T10:00:00", "cash", 20 * M),
        doc(2, "2025-11-04T10:00:00", "bank_transfer", 20 * M,
            lines=[("bank_transfer", 10 * M), ("cash", 10 * M)])])
    _store_raw(path, "invoices", {1: ("total_vnd", 19_999_999.6)})
    _store_raw(path, "invoice_payments", {1: ("amount_vnd", 10_000_000.4), 2: ("amount_vnd", 9_999_999.6)})
    outcome = _run_table(path, nd232)
    assert _days_found(outcome) == 2, outcome.details
    assert f"ngày 03/11/2025: tổng {format_vnd(20 * M)}, trong đó {format_vnd(20 * M)}" in outcome.details
    # The cash line is 10,000,000 đồng, not 9,999,999.
    assert f"ngày 04/11/2025: tổng {format_vnd(20 * M)}, trong đó {format_vnd(10 * M)}" in outcome.details


def test_the_pdf_names_every_flagged_customer_day(demo_shop: DemoShop, make_ctx: MakeCtx, nd232: RegulationPack,
                                                  tmp_path: Path) -> None:
    # [D232] every customer-day at or over 20M with a part not through a bank is a finding; the fix steps tell the
    # manager to note each one "trong phần chi tiết", but the PDF printed only the summary (2 of the 5).
    outcome = run_one(make_check(lambda: nd232), make_ctx())
    now = dt.datetime(2026, 11, 25, 3, tzinfo=dt.UTC)
    report = HealthReport(now, now, (outcome,), {CHECK_ID: TITLE})
    target = write_report(report, ShopSettings(name="Kim Phát", shop_id="KP"), {}, remedies(), tmp_path / "r.pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
    assert "Chi tiết" in text and "phần chi tiết" in text
    for violation in demo_shop.violations:
        assert all(code in text for code in violation.documents), violation


def test_the_details_list_every_customer_day_of_the_window(tmp_path: Path, nd232: RegulationPack) -> None:
    # [D232] each customer-day is its own finding: 30 cash days of 20M in the window are 30 lines to note,
    # not 20 and "... và 10 trường hợp khác".
    first = dt.datetime(2025, 10, 10, 10)
    days = [doc(1 + n % 2, (first + dt.timedelta(days=n)).isoformat(), "cash", 20 * M) for n in range(30)]
    outcome = _run_table(build_pos(tmp_path / "pmv.sqlite3", days), nd232)
    listed = [line for line in outcome.details.splitlines() if "không qua tài khoản ngân hàng (" in line]
    assert len(listed) == _days_found(outcome) == 30
    assert "trường hợp khác" not in outcome.details
