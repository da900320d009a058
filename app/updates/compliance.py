"""Health check: cash payments against the installed cash-limit rule (Decree 232/2025/NĐ-CP).

The rule comes from the installed regulation pack, not from code, so a later
decree that changes the amount is a pack update. The check context has no
pack store, so the check is built around a loader: the registry wires it as
``make_check(lambda: store.pack_with_rule(CashLimitRule))`` (``CashLimitRule`` from
:mod:`app.updates.packs`) with the app's
:class:`~app.updates.install.PackStore`. ``CHECKS`` is therefore empty here.

The limit counts a customer's whole day, buying and selling together (the
decree speaks of gold bought or sold by one customer in a day), so splitting
a purchase over several invoices does not hide it. Invoices without a
customer cannot be added up per person; each is judged on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from app.formatting import format_date, format_vnd
from app.health.checks.database import CONNECT_ID, to_shop_time
from app.health.checks.pos_data import invoice_code
from app.health.context import CheckContext
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.updates.packs import RegulationPack

CHECK_ID = "compliance.cash_limit"
TITLE = "Thanh toán tiền mặt theo Nghị định 232"
REMEDY = "compliance.cash_limit"
WINDOW_DAYS = 90
SHOWN = 2  # customer-days named in the summary
LISTED = 20  # customer-days listed in details

REMEDIES: dict[str, str] = {
    REMEDY: (
        "Có khách thanh toán bằng tiền mặt từ hạn mức trở lên trong một ngày. Theo Nghị định "
        "232/2025/NĐ-CP, từ hạn mức này phải thanh toán qua tài khoản ngân hàng của khách và của cửa hàng.\n"
        "1. Không xóa, không hủy và không sửa phương thức thanh toán trên các hóa đơn được nêu.\n"
        "2. Ghi lại tên khách, ngày và số hóa đơn trong phần chi tiết; báo ngay cho chủ cửa hàng.\n"
        "3. Từ nay, khi tổng tiền trong ngày của một khách (cộng cả các hóa đơn trước đó) đạt hạn mức, "
        "chỉ nhận hoặc trả tiền bằng chuyển khoản, kể cả khi khách muốn tách thành nhiều hóa đơn.\n"
        "4. Gọi 1900 6037 để kỹ thuật viên bật cảnh báo hạn mức tiền mặt trong PMV và hướng dẫn "
        "cách xử lý các giao dịch đã lập."
    ),
}


@dataclass(frozen=True)
class CashDay:
    """One customer's cash total for one shop day, with the invoices that make it up."""

    customer: str  # masked name, as shown to the cashier
    day: dt.date
    total_vnd: int
    invoices: tuple[str, ...]


def mask_name(full_name: str | None) -> str:
    """``Nguyễn Thị Lan`` -> ``Nguyễn Thị L***``: enough for staff to recognise, not a full identity on a report."""
    words = (full_name or "").split()
    if not words:
        return "Khách không tên"
    return " ".join([*words[:-1], f"{words[-1][0]}***"])


# Plain text SQL, no dialect date functions: SQLite compares the POS's ISO text,
# SQL Server converts the ISO parameter to its datetime; the day is cut in Python.
_CASH_SQL = text(
    "SELECT i.series, i.number, i.issued_at, i.customer_id, c.full_name, c.code, i.total_vnd"
    " FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id"
    " WHERE i.payment_method = 'cash' AND i.status <> 'void' AND i.issued_at >= :since"
    " ORDER BY i.issued_at, i.series, i.number"
)


def cash_days_over(ctx: CheckContext, limit_vnd: int, since: dt.datetime) -> list[CashDay]:
    """Customer-days since ``since`` (naive shop time) whose cash total is at least ``limit_vnd``."""
    with ctx.pos_engine.connect() as conn:
        rows = conn.execute(_CASH_SQL, {"since": since.isoformat(timespec="seconds")}).all()
    totals: dict[tuple[object, dt.date], int] = defaultdict(int)
    numbers: dict[tuple[object, dt.date], list[str]] = defaultdict(list)
    names: dict[tuple[object, dt.date], str] = {}
    for series, number, issued_at, customer_id, full_name, code, total in rows:
        day = to_shop_time(issued_at).date()
        # Without a customer the invoice stands alone: it cannot be tied to anyone's other invoices.
        who: object = customer_id if customer_id is not None else ("invoice", series, number)
        key = (who, day)
        totals[key] += int(total)
        numbers[key].append(invoice_code(str(series), int(number)))
        label = mask_name(full_name) if customer_id is not None else "Khách lẻ không ghi tên"
        names[key] = f"{label} ({code})" if code else label
    found = [CashDay(names[key], key[1], total, tuple(numbers[key]))
             for key, total in totals.items() if total >= limit_vnd]
    return sorted(found, key=lambda item: (item.day, -item.total_vnd))


def _describe(item: CashDay) -> str:
    return (f"{item.customer}, ngày {format_date(item.day)}: {format_vnd(item.total_vnd)} tiền mặt"
            f" ({', '.join(item.invoices)})")


def check_cash_limit(ctx: CheckContext, pack: RegulationPack | None, window_days: int = WINDOW_DAYS) -> CheckResult:
    rule = pack.cash_limit() if pack is not None else None
    if pack is None or rule is None:
        return result(Status.SKIPPED, "Bỏ qua: chưa cài gói quy định về hạn mức thanh toán tiền mặt "
                                      "(Nghị định 232/2025/NĐ-CP)")
    effective = pack.effective_date_of(rule)
    now = ctx.local_now().replace(tzinfo=None, microsecond=0)
    if now.date() < effective:
        return result(Status.SKIPPED, f"Bỏ qua: quy định hạn mức tiền mặt có hiệu lực từ {format_date(effective)}")
    # Whole days only: a window starting mid-morning would undercount that morning's customers.
    first_day = max((now - dt.timedelta(days=window_days)).date(), effective)
    since = dt.datetime.combine(first_day, dt.time())
    limit = format_vnd(rule.amount_vnd)
    over = cash_days_over(ctx, rule.amount_vnd, since)
    metrics = (Metric("customer_days_over_limit", len(over), crit=1),
               Metric("max_cash_vnd", max((item.total_vnd for item in over), default=0), "VND",
                      crit=rule.amount_vnd))
    scope = (f"Hạn mức {limit} mỗi khách mỗi ngày ({pack.legal_reference}); "
             f"đã xét hóa đơn tiền mặt từ {format_date(since.date())} đến {format_date(now.date())}.")
    if not over:
        return result(Status.OK, f"Không có khách nào thanh toán tiền mặt từ {limit} trong một ngày",
                      scope, metrics=metrics)
    lines = [_describe(item) for item in over[:LISTED]]
    if len(over) > LISTED:
        lines.append(f"... và {len(over) - LISTED} trường hợp khác")
    named = "; ".join(_describe(item) for item in over[:SHOWN])
    more = f"; và {len(over) - SHOWN} trường hợp khác" if len(over) > SHOWN else ""
    return result(Status.CRITICAL,
                  f"{len(over)} trường hợp khách thanh toán tiền mặt từ {limit} trong một ngày: {named}{more}",
                  "\n".join([scope, *lines]), remedy=REMEDY, metrics=metrics)


def make_check(pack_loader: Callable[[], RegulationPack | None], window_days: int = WINDOW_DAYS) -> Check:
    """The check, reading the pack at each run (a pack installed or rolled back since is seen at once)."""

    def run(ctx: CheckContext) -> CheckResult:
        return check_cash_limit(ctx, pack_loader(), window_days)

    return Check(CHECK_ID, TITLE, Category.DATA, run, timeout=15, depends_on=(CONNECT_ID,))


# Empty on purpose: the check needs the app's PackStore, which only the registry has (see the module doc).
CHECKS: list[Check] = []
