"""Health check: payments not through a bank account against the installed cash-limit rule (Decree 232/2025/NĐ-CP).

The rule comes from the installed regulation pack, not from code: the
threshold, which documents count towards a customer's day (sales and
buy-backs), which means of payment count, and which POS payment methods are
payment through a bank payment account (only a transfer: cash, cards,
e-wallets and vouchers are not, State Bank guidance of 17/10/2025).  A later
pack that corrects any of it is a pack update.  The check context has no pack
store, so the check is built around a loader: the registry wires it as
``make_check(lambda: store.pack_with_rule(CashLimitRule))`` (``CashLimitRule``
from :mod:`pmv_protocol.packs`) with the app's
:class:`~app.updates.install.PackStore`. ``CHECKS`` is therefore empty here.

The limit counts a customer's whole day, whatever was paid how (the decree
speaks of one customer's gold transactions in a day), so splitting a day
over several invoices, or paying part by transfer, does not hide it: a day at
or over the threshold is a finding as soon as any part of it was paid by a
means that does not qualify.  Documents without a customer cannot be added
up per person; each is judged on its own.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from app import HOTLINE
from app.health.checks.database import CONNECT_ID, to_shop_time
from app.health.checks.pos_data import invoice_code
from app.health.context import CheckContext
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import format_date, format_vnd
from app.infra.phrase import Phrase, joined, say
from app.shop.pos_reader import PosDocument, read_documents
from pmv_protocol.packs import CashLimitRule, RegulationPack

CHECK_ID = "compliance.cash_limit"
TITLE = "Thanh toán không qua tài khoản ngân hàng (Nghị định 232)"
REMEDY = "compliance.cash_limit"
REMEDY_UNREADABLE = "compliance.cash_limit.unreadable"
WINDOW_DAYS = 90
SHOWN = 2  # customer-days named in the summary
LISTED = 500  # customer-days listed in details: every one of the window's, short of a runaway database

REMEDIES: dict[str, str] = {
    REMEDY: say(
        "HealthCheck",
        "Có khách giao dịch vàng từ hạn mức trở lên trong một ngày (cộng cả cửa hàng bán ra và mua vào) "
        "nhưng có phần thanh toán không qua tài khoản ngân hàng: tiền mặt, quẹt thẻ, ví điện tử hoặc phiếu "
        "quà tặng. Theo Nghị định 232/2025/NĐ-CP, từ hạn mức này phải thanh toán qua tài khoản thanh toán "
        "của khách và của cửa hàng tại ngân hàng.\n"
        "1. Không xóa, không hủy và không sửa phương thức thanh toán trên các hóa đơn, bảng kê được nêu.\n"
        "2. Ghi lại tên khách, ngày và số chứng từ trong phần chi tiết; báo ngay cho chủ cửa hàng.\n"
        "3. Từ nay, khi tổng giao dịch trong ngày của một khách (cả mua và bán, cộng cả các hóa đơn trước đó) "
        "đạt hạn mức, chỉ nhận hoặc trả tiền bằng chuyển khoản giữa tài khoản ngân hàng của khách và của "
        "cửa hàng; tiền mặt, thẻ, ví điện tử, phiếu quà tặng đều không được, kể cả khi khách muốn tách "
        "thành nhiều hóa đơn.\n"
        "4. Gọi %1 để kỹ thuật viên bật cảnh báo hạn mức trong PMV và hướng dẫn cách xử lý các "
        "giao dịch đã lập.",
    ).fill(HOTLINE),
    REMEDY_UNREADABLE: say(
        "HealthCheck",
        "Một số chứng từ trong dữ liệu PMV có số tiền hoặc thời gian ghi sai dạng (ví dụ số tiền lưu kèm dấu chấm), "
        "nên chưa kiểm tra được theo hạn mức thanh toán qua tài khoản ngân hàng.\n"
        "1. Không xóa và không tự sửa các chứng từ được nêu trong phần chi tiết.\n"
        "2. Đối chiếu số tiền và cách thanh toán của các chứng từ đó với hóa đơn giấy hoặc hóa đơn điện tử; "
        "nếu khách giao dịch từ hạn mức trở lên trong ngày mà có phần không chuyển khoản, báo ngay cho chủ cửa hàng.\n"
        "3. Gọi %1 để kỹ thuật viên sửa dữ liệu của các chứng từ này.",
    ).fill(HOTLINE),
}

# How a cashier names each POS payment method (a method the POS adds later shows as recorded).
METHOD_NAMES: dict[str, str] = {
    "cash": say("HealthCheck", "tiền mặt"),
    "bank_transfer": say("HealthCheck", "chuyển khoản"),
    "card": say("HealthCheck", "thẻ"),
    "e_wallet": say("HealthCheck", "ví điện tử"),
    "voucher": say("HealthCheck", "phiếu quà tặng"),
}
KIND_NAMES: dict[str, str] = {"sell": say("HealthCheck", "bán ra"), "buy": say("HealthCheck", "mua vào")}


@dataclass(frozen=True)
class CustomerDay:
    """One customer's shop day that the rule catches, with the documents that make it up."""

    customer: str  # masked name, as shown to the cashier
    day: dt.date
    total_vnd: int  # what counts towards the limit
    not_via_bank_vnd: int  # the part paid by means that are not a bank payment account
    not_via_bank: tuple[tuple[str, int], ...]  # that part by payment method, largest first
    documents: tuple[str, ...]  # invoice and purchase-record numbers, in time order


def mask_name(full_name: str | None) -> str:
    """``Nguyễn Thị Lan`` -> ``Nguyễn Thị L***``: enough for staff to recognise, not a full identity on a report."""
    # Composed first: a name stored decomposed (NFD) would keep its initial's base letter without its accent.
    words = unicodedata.normalize("NFC", full_name or "").split()
    if not words:
        return say("HealthCheck", "Khách không tên")
    return " ".join([*words[:-1], f"{words[-1][0]}***"])


def judge_days(documents: list[PosDocument], rule: CashLimitRule, first_day: dt.date) -> list[CustomerDay]:
    """The customer-days from ``first_day`` on that ``rule`` catches: at or over the limit, and not all via a bank."""
    totals: dict[tuple[object, dt.date], int] = defaultdict(int)
    outside: dict[tuple[object, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    codes: dict[tuple[object, dt.date], list[str]] = defaultdict(list)
    names: dict[tuple[object, dt.date], str] = {}
    for doc in documents:
        day = to_shop_time(doc.issued_at).date()  # the shop's day, whatever zone a server returns
        if day < first_day:
            continue
        counted = [part for part in doc.payments if rule.counts(doc.kind, part.method)]
        if not counted:
            continue
        # Without a customer the document stands alone: it cannot be tied to anyone's other documents.
        who: object = doc.customer_id if doc.customer_id is not None else ("document", doc.id)
        key = (who, day)
        amount = sum(part.amount_vnd for part in counted)
        if rule.counted_methods == "all" and doc.kind in rule.counted_kinds:
            amount = doc.total_vnd  # the transaction's value, even where payment lines over-record it
        totals[key] += amount
        # What went through the bank is paid first; only the rest was paid otherwise, each line at most what it
        # says: change given back on cash handed over is not a payment (25M = 20M transfer + 10M cash - 5M back).
        left = max(amount - sum(part.amount_vnd for part in counted if rule.through_bank_account(part.method)), 0)
        for part in counted:
            if not rule.through_bank_account(part.method):
                share = min(part.amount_vnd, left)
                outside[key][part.method] += share
                left -= share
        codes[key].append(invoice_code(doc.series, doc.number))
        label = (mask_name(doc.customer_name) if doc.customer_id is not None
                 else say("HealthCheck", "Khách lẻ không ghi tên"))
        names[key] = joined([label, f"({doc.customer_code})"], " ") if doc.customer_code else label
    found = []
    for key, total in totals.items():
        parts = {method: value for method, value in outside[key].items() if value > 0}
        if rule.reaches(total) and parts:
            ordered = tuple(sorted(parts.items(), key=lambda item: (-item[1], item[0])))
            found.append(CustomerDay(names[key], key[1], total, sum(parts.values()), ordered, tuple(codes[key])))
    # Newest first: the cashier can still reach the customers of last week.
    return sorted(found, key=lambda item: (-item.day.toordinal(), -item.total_vnd, item.customer))


def _describe(item: CustomerDay) -> Phrase:
    how = joined([joined([METHOD_NAMES.get(method, method), format_vnd(value)], " ")
                  for method, value in item.not_via_bank])
    return say("HealthCheck", "%1, ngày %2: tổng %3, trong đó %4 không qua tài khoản ngân hàng (%5); chứng từ %6").fill(
        item.customer, format_date(item.day), format_vnd(item.total_vnd), format_vnd(item.not_via_bank_vnd), how,
        ", ".join(item.documents))


def _left_out(unreadable: tuple[tuple[str, str], ...]) -> list[str]:
    """One line naming the documents the POS database holds in a form that cannot be read (none if all read)."""
    if not unreadable:
        return []
    codes = [invoice_code(series, int(number)) if number.strip().isdigit() else f"{series}-{number}"
             for series, number in unreadable]
    return [say("HealthCheck", "Không đọc được số tiền hoặc thời gian của %1 chứng từ nên chưa xét: %2").fill(
        len(codes), ", ".join(codes))]


def _and(parts: list[str]) -> str:
    """``a và b và c``, each part said in the window's language."""
    said = parts[0] if parts else ""
    for part in parts[1:]:
        said = say("HealthCheck", "%1 và %2").fill(said, part)
    return said


def _scope(rule: CashLimitRule, pack: RegulationPack, first_day: dt.date, today: dt.date) -> Phrase:
    limit = format_vnd(rule.amount_vnd)
    kinds = _and([KIND_NAMES.get(kind, kind) for kind in rule.counted_kinds])
    methods = (say("HealthCheck", "mọi cách thanh toán") if rule.counted_methods == "all"
               else joined([METHOD_NAMES.get(m, m) for m in rule.counted_methods]))
    bank = joined([METHOD_NAMES.get(m, m) for m in rule.bank_account_methods])
    if rule.inclusive:
        scope = say("HealthCheck", "Hạn mức: tổng giao dịch từ %1 của một khách trong một ngày (%2), "
                                   "tính cả %3, %4; chỉ %5 được tính là qua tài khoản ngân hàng. "
                                   "Đã xét từ %6 đến %7.")
    else:
        scope = say("HealthCheck", "Hạn mức: tổng giao dịch trên %1 của một khách trong một ngày (%2), "
                                   "tính cả %3, %4; chỉ %5 được tính là qua tài khoản ngân hàng. "
                                   "Đã xét từ %6 đến %7.")
    return scope.fill(limit, pack.legal_reference, kinds, methods, bank, format_date(first_day), format_date(today))


def check_cash_limit(ctx: CheckContext, pack: RegulationPack | None, window_days: int = WINDOW_DAYS) -> CheckResult:
    rule = pack.cash_limit() if pack is not None else None
    if pack is None or rule is None:
        return result(Status.SKIPPED, say("HealthCheck", "Bỏ qua: chưa cài gói quy định về thanh toán qua tài "
                                                         "khoản ngân hàng (Nghị định 232/2025/NĐ-CP)"))
    effective = pack.effective_date_of(rule)
    now = ctx.local_now().replace(tzinfo=None, microsecond=0)
    if now.date() < effective:
        return result(Status.SKIPPED, say("HealthCheck", "Bỏ qua: quy định thanh toán qua tài khoản ngân hàng "
                                                         "có hiệu lực từ %1").fill(format_date(effective)))
    # Whole days only: a window starting mid-morning would undercount that morning's customers.
    # Days before the rule took effect are not judged: the rule did not apply to them.
    first_day = max((now - dt.timedelta(days=window_days)).date(), effective)
    # Read from the day before: a server may return times in another zone, the day is cut in shop time.
    since = dt.datetime.combine(first_day - dt.timedelta(days=1), dt.time())
    with ctx.pos_engine.connect() as conn:
        read = read_documents(conn, since)
    over = judge_days(read.documents, rule, first_day)
    left_out = _left_out(read.unreadable)
    limit = format_vnd(rule.amount_vnd)
    metrics = (Metric("customer_days_over_limit", len(over), crit=1),
               Metric("max_not_via_bank_vnd", max((item.not_via_bank_vnd for item in over), default=0), "VND"))
    scope = _scope(rule, pack, first_day, now.date())
    if not over:
        if rule.inclusive:
            fine = say("HealthCheck", "Không có khách nào giao dịch từ %1 trong một ngày mà thanh toán "
                                      "không qua tài khoản ngân hàng")
        else:
            fine = say("HealthCheck", "Không có khách nào giao dịch trên %1 trong một ngày mà thanh toán "
                                      "không qua tài khoản ngân hàng")
        if left_out:  # the rest is fine, but these documents were not judged: someone must look at them
            return result(Status.WARNING, joined([fine.fill(limit), *left_out], "; "), joined([scope, *left_out], "\n"),
                          remedy=REMEDY_UNREADABLE, metrics=metrics)
        return result(Status.OK, fine.fill(limit), scope, metrics=metrics)
    lines: list[str] = [_describe(item) for item in over[:LISTED]]
    if len(over) > LISTED:
        lines.append(say("HealthCheck", "... và %1 trường hợp khác").fill(len(over) - LISTED))
    named: list[str] = [_describe(item) for item in over[:SHOWN]]
    if len(over) > SHOWN:
        named.append(say("HealthCheck", "và %1 trường hợp khác").fill(len(over) - SHOWN))
    if rule.inclusive:
        summary = say("HealthCheck", "%1 trường hợp khách giao dịch từ %2 trong một ngày có phần thanh toán "
                                     "không qua tài khoản ngân hàng: %3")
    else:
        summary = say("HealthCheck", "%1 trường hợp khách giao dịch trên %2 trong một ngày có phần thanh toán "
                                     "không qua tài khoản ngân hàng: %3")
    return result(Status.CRITICAL, summary.fill(len(over), limit, joined(named, "; ")),
                  joined([scope, *lines, *left_out], "\n"), remedy=REMEDY, metrics=metrics)


def make_check(pack_loader: Callable[[], RegulationPack | None], window_days: int = WINDOW_DAYS) -> Check:
    """The check, reading the pack at each run (a pack installed or rolled back since is seen at once)."""

    def run(ctx: CheckContext) -> CheckResult:
        return check_cash_limit(ctx, pack_loader(), window_days)

    return Check(CHECK_ID, TITLE, Category.DATA, run, timeout=15, depends_on=(CONNECT_ID,))


# Empty on purpose: the check needs the app's PackStore, which only the registry has (see the module doc).
CHECKS: list[Check] = []
