"""Health checks of what the POS holds: today's gold price board and the invoice numbers.

Invoice numbers are judged per series: each year's sales series, and the
purchase records' own series (buy-backs are not sales invoices).

Queries are plain SQLAlchemy Core ``text()`` that SQLite, SQL Server and
PostgreSQL all understand (no SQLite date functions): times are compared as
the POS's ISO text, which a server converts to its timestamp type where the
column has one, and are parsed in Python either way
(tests/integration/test_pos_postgres.py runs them on both column types).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import text

from app import HOTLINE
from app.health.checks.database import AHEAD_OF_CLOCK, CONNECT_ID, format_age, to_shop_time
from app.health.context import CheckContext
from app.health.model import Category, Check, CheckResult, Metric, Status, result
from app.infra.formatting import format_datetime, format_vnd
from app.infra.phrase import joined, say
from app.infra.phrase import number as decimal
from app.shop.pos_reader import as_invoice_number, as_vnd
from pmv_protocol.calendar import parse_interval, within_interval

PRICES_ID = "prices.fresh"
INVOICES_ID = "invoices.sequence"
# A board this old is not "late this morning", it is abandoned: prices could be off by millions.
PRICES_CRITICAL_HOURS = 48.0
SHOWN = 3  # numbers named in a summary
LISTED = 10  # numbers listed in details

REMEDIES: dict[str, str] = {
    "prices.missing": say(
        "HealthCheck",
        "Phần mềm PMV chưa có bảng giá vàng, nên không tính được tiền hàng.\n"
        "1. Mở PMV, vào mục bảng giá vàng.\n"
        "2. Nhập giá mua và giá bán hôm nay cho từng loại vàng, rồi bấm Lưu.\n"
        "3. Nếu PMV không lưu được, gọi %1.",
    ).fill(HOTLINE),
    "prices.stale": say(
        "HealthCheck",
        "Bảng giá vàng trong PMV chưa được cập nhật hôm nay; hóa đơn sẽ tính theo giá cũ.\n"
        "1. Mở PMV, vào mục bảng giá vàng.\n"
        "2. Nhập giá mua và giá bán hôm nay cho từng loại vàng, rồi bấm Lưu.\n"
        "3. So lại với bảng giá niêm yết tại quầy.\n"
        "4. Nếu PMV không lưu được giá hoặc giá tự quay về giá cũ, gọi %1.",
    ).fill(HOTLINE),
    # Today's board, set hours ago (the morning's, checked in the evening): gold may have moved since.
    "prices.aged": say(
        "HealthCheck",
        "Bảng giá vàng trong PMV đã được nhập hôm nay nhưng đã lâu chưa cập nhật lại; giá vàng có thể đã thay "
        "đổi trong ngày.\n"
        "1. So bảng giá trong PMV với giá vàng hiện tại (bảng niêm yết tại quầy hoặc giá nơi lấy hàng vừa báo).\n"
        "2. Nếu giá đã đổi, mở PMV, vào mục bảng giá vàng, nhập giá mua và giá bán mới cho từng loại vàng, rồi "
        "bấm Lưu.\n"
        "3. Nếu cửa hàng chỉ đặt giá một lần mỗi ngày, gọi %1 để kỹ thuật viên chỉnh thời hạn cập nhật giá.",
    ).fill(HOTLINE),
    "prices.invalid": say(
        "HealthCheck",
        "Bảng giá vàng có giá sai (giá bán không cao hơn giá mua, hoặc giá bằng 0).\n"
        "1. Mở PMV, vào mục bảng giá vàng, sửa giá của loại vàng được nêu: giá bán phải cao hơn giá mua.\n"
        "2. Bấm Lưu rồi chạy lại kiểm tra.\n"
        "3. Xem lại các hóa đơn đã lập từ lúc nhập giá sai; nếu cần điều chỉnh hóa đơn, gọi %1.",
    ).fill(HOTLINE),
    "invoices.gap": say(
        "HealthCheck",
        "Số hóa đơn bị thiếu hoặc bị trùng; đây là sai sót về hóa đơn phải xử lý với cơ quan thuế.\n"
        "1. Không xóa hóa đơn và không lập hóa đơn mới để \u201clấp\u201d số bị thiếu.\n"
        "2. Ghi lại các số hóa đơn được nêu trong phần chi tiết.\n"
        "3. Gọi ngay %1: kỹ thuật viên sẽ đối chiếu với hóa đơn điện tử và hướng dẫn lập "
        "thông báo hóa đơn có sai sót (mẫu 04/SS-HĐĐT) nếu cần.",
    ).fill(HOTLINE),
    "invoices.order": say(
        "HealthCheck",
        "Số hóa đơn không tăng theo thời gian lập: thường do đồng hồ máy tính bị chỉnh sai.\n"
        "1. Kiểm tra ngày giờ ở góc dưới màn hình; nếu sai, bật \u201cSet time automatically\u201d trong "
        "cài đặt ngày giờ của Windows.\n"
        "2. Không sửa ngày giờ trên các hóa đơn đã lập.\n"
        "3. Gọi %1 để kỹ thuật viên kiểm tra các hóa đơn được nêu.",
    ).fill(HOTLINE),
    "invoices.unreadable": say(
        "HealthCheck",
        "PMV lưu số của một số hóa đơn ở dạng không đọc được, nên không kiểm tra được các số đó có liên tục "
        "không.\n"
        "1. Không sửa số hóa đơn trong PMV hay trong cơ sở dữ liệu.\n"
        "2. Ghi lại các hóa đơn được nêu trong phần chi tiết.\n"
        "3. Gọi %1 để kỹ thuật viên đối chiếu các hóa đơn đó với hóa đơn điện tử.",
    ).fill(HOTLINE),
}


# --- prices.fresh -------------------------------------------------------------

@dataclass(frozen=True)
class BoardRow:
    purity: str
    name: str
    buy: int | None  # None: the stored price cannot be read as an amount (``stored`` says what it is)
    sell: int | None
    updated_at: dt.datetime
    stored: tuple[str, str] = ("", "")  # buy and sell as the POS stored them

    @property
    def invalid(self) -> bool:
        return self.buy is None or self.sell is None or self.buy <= 0 or self.sell <= 0 or self.sell <= self.buy

    @property
    def prices(self) -> tuple[str, str]:
        """Buy and sell for people: an unreadable one as stored, said to be unreadable."""
        return _price(self.buy, self.stored[0]), _price(self.sell, self.stored[1])


def _price(value: int | None, stored: str) -> str:
    if value is None:
        return say("HealthCheck", "\u201c%1\u201d (không đọc được)").fill(stored)
    return format_vnd(value)


# The current board: each purity's latest row (portable SQL, no window functions needed).
_BOARD_SQL = text(
    "SELECT p.purity_code, u.name, p.buy_vnd_per_chi, p.sell_vnd_per_chi, p.updated_at"
    " FROM gold_prices p"
    " JOIN (SELECT purity_code, MAX(updated_at) AS latest FROM gold_prices GROUP BY purity_code) l"
    "   ON l.purity_code = p.purity_code AND l.latest = p.updated_at"
    " LEFT JOIN purities u ON u.code = p.purity_code"
    " ORDER BY u.per_mille DESC, p.purity_code"
)


def read_board(ctx: CheckContext) -> list[BoardRow]:
    with ctx.pos_engine.connect() as conn:
        rows = conn.execute(_BOARD_SQL).all()
    # Prices are read as the POS may have stored them ('15.190.000' in an SQLite INTEGER column).
    return [BoardRow(str(code), str(name or code), as_vnd(buy), as_vnd(sell), to_shop_time(updated),
                     (str(buy), str(sell)))
            for code, name, buy, sell, updated in rows]


# How old one gold type's price is, from fresh to abandoned (the order matters: the worst decides).
FRESH, YESTERDAYS, AGED, NOT_TODAY, ABANDONED = range(5)


def _freshness(updated: dt.datetime, now: dt.datetime, max_age_hours: float, open_hours: tuple[int, int]) -> int:
    hours = max(dt.timedelta(0), now - updated).total_seconds() / 3600
    before_opening = now.hour * 60 + now.minute < open_hours[0]
    if hours > PRICES_CRITICAL_HOURS:
        # Before opening (after a closure: Tết, a family event) the board is set at opening as every morning: a
        # reminder, not yet an alarm; once the shop trades on it, it is.
        return NOT_TODAY if before_opening else ABANDONED
    days_old = (now.date() - updated.date()).days
    if days_old <= 0:
        return AGED if within_interval(open_hours, now) and hours > max_age_hours else FRESH
    if days_old == 1 and before_opening:
        # Boards are set when the shop opens: before it does, yesterday's is the right one. After closing it is
        # not: the whole day was traded on it.
        return YESTERDAYS
    return NOT_TODAY


def check_prices(ctx: CheckContext) -> CheckResult:
    board = read_board(ctx)
    if not board:
        return result(Status.CRITICAL, say("HealthCheck", "Chưa có bảng giá vàng trong PMV"), remedy="prices.missing")
    health = ctx.settings.health
    now = ctx.local_now()
    newest = max(row.updated_at for row in board)
    if newest > now + AHEAD_OF_CLOCK:
        # Saved under another clock: the POS shows that row as its board until the date comes.
        return result(Status.WARNING, say("HealthCheck", "Bảng giá vàng mang thời gian trong tương lai (%1): đồng "
                                                         "hồ máy hoặc PMV bị sai, hãy sửa đồng hồ rồi cập nhật lại "
                                                         "bảng giá").fill(format_datetime(newest)),
                      remedy="clock.skew")
    # Each gold type is priced by its own newest row, and every type on the board can be sold or bought back:
    # the oldest decides. The newest would let one type saved today hide the others left for weeks.
    open_hours = parse_interval(health.trading_hours)
    ages = {row.purity: _freshness(row.updated_at, now, health.price_max_age_hours, open_hours) for row in board}
    stale = [row for row in board if ages[row.purity] > YESTERDAYS]
    oldest = min(row.updated_at for row in board)
    age = max(dt.timedelta(0), now - oldest)
    hours = age.total_seconds() / 3600
    invalid = [row for row in board if row.invalid]
    metrics = (
        Metric("age_hours", round(hours, 2), "h", warn=health.price_max_age_hours, crit=PRICES_CRITICAL_HOURS),
        Metric("invalid_purities", len(invalid), crit=1),
    )
    # Stale rows are marked only when some of the board is fresh: otherwise the summary says it of the board.
    marked = stale if len(stale) < len(board) else []
    details = joined([
        (say("HealthCheck", "SAI: %1: mua %2, bán %3 / chỉ (%4)") if row in invalid
         else say("HealthCheck", "CŨ: %1: mua %2, bán %3 / chỉ (%4)") if row in marked
         else say("HealthCheck", "%1: mua %2, bán %3 / chỉ (%4)")).fill(
            row.name, *row.prices, format_datetime(row.updated_at))
        for row in board
    ], "\n")
    if invalid:
        first = invalid[0]
        others = ", ".join(row.name for row in invalid[1:SHOWN + 1])
        summary = (say("HealthCheck", "Giá vàng sai ở %1: mua %2, bán %3; cũng sai: %4").fill(
                       first.name, *first.prices, others) if others
                   else say("HealthCheck", "Giá vàng sai ở %1: mua %2, bán %3").fill(first.name, *first.prices))
        return result(Status.CRITICAL, summary, details, remedy="prices.invalid", metrics=metrics)
    when = format_datetime(oldest)
    worst = max(ages.values())
    if worst <= YESTERDAYS:
        if worst == YESTERDAYS:
            opens = f"{open_hours[0] // 60:02d}:{open_hours[0] % 60:02d}"
            return result(Status.OK, say("HealthCheck", "Ngoài giờ giao dịch (mở cửa %1): dùng bảng giá hôm qua, "
                                                        "cập nhật lúc %2").fill(opens, when),
                          details, metrics=metrics)
        return result(Status.OK, say("HealthCheck", "Bảng giá vàng cập nhật lúc %1 (cách đây %2), %3 loại vàng").fill(
                          when, format_age(age), len(board)), details, metrics=metrics)
    status = Status.CRITICAL if worst == ABANDONED else Status.WARNING
    remedy = "prices.aged" if worst == AGED else "prices.stale"
    if marked:
        names = ", ".join(row.name for row in marked[:SHOWN]) + (", …" if len(marked) > SHOWN else "")
        summary = say("HealthCheck", "%1 trong %2 loại vàng có giá cũ (%3), cũ nhất cập nhật lúc %4 "
                                     "(cách đây %5)").fill(len(marked), len(board), names, when, format_age(age))
    elif worst == ABANDONED:
        summary = say("HealthCheck", "Bảng giá vàng đã cũ %1 (cập nhật lần cuối %2)").fill(format_age(age), when)
    elif worst == AGED:
        summary = say("HealthCheck", "Bảng giá vàng cập nhật cách đây %1 (%2), quá %3 giờ").fill(
            format_age(age), when, decimal(health.price_max_age_hours, None))
    else:
        summary = say("HealthCheck", "Bảng giá vàng chưa cập nhật hôm nay: lần cuối %1 (cách đây %2)").fill(
            when, format_age(age))
    return result(status, summary, details, remedy=remedy, metrics=metrics)


# --- invoices.sequence --------------------------------------------------------

# Each series is judged on its own: the sales invoices' e-invoice series (a new one each year) and the
# purchase records' own series (bảng kê thu mua, kind 'buy').  An older POS that numbered buy-backs in the
# sales series has one mixed series, which is then one sequence, as that POS numbered it.
_WINDOW_SQL = text("SELECT series, number, issued_at, kind FROM invoices WHERE issued_at >= :since")
# Per series, the last invoice before the window: without it, deleting the
# window's first invoice would leave no visible gap.  Each series' candidates
# are found in one grouped pass (a subquery per invoice was quadratic: past the
# timeout on a busy shop's year, holding a read that kept the POS from saving):
# the row with the largest number, and the row issued last.  The anchor is the
# larger of the two as read in Python: on a text column SQL's MAX is
# alphabetical ('9' > '18') and the last issued row has the real last number.
_ANCHOR_SQL = text(
    "SELECT i.series, i.number, i.issued_at FROM invoices i"
    " JOIN (SELECT series, MAX(number) AS last FROM invoices WHERE issued_at < :since GROUP BY series) m"
    "   ON m.series = i.series AND m.last = i.number"
    " WHERE i.issued_at < :since"
    " UNION ALL"
    " SELECT i.series, i.number, i.issued_at FROM invoices i"
    " JOIN (SELECT series, MAX(issued_at) AS latest FROM invoices WHERE issued_at < :since GROUP BY series) m"
    "   ON m.series = i.series AND m.latest = i.issued_at"
)


@dataclass(frozen=True)
class SeriesReport:
    series: str
    count: int
    first: int
    last: int
    missing: list[int]
    missing_total: int
    duplicates: list[int]
    out_of_order: list[int]
    purchase_records: bool = False  # every document of the series is a buy-back


def invoice_code(series: str, number: int) -> str:
    """How the POS prints an invoice number: ``1C26TVG-0000063``."""
    return f"{series}-{number:07d}"


def _analyse(series: str, rows: list[tuple[int, dt.datetime]], anchor: tuple[int, dt.datetime] | None,
             *, numbered_from_one: bool = True) -> SeriesReport:
    """``numbered_from_one``: a series with no document before the window started inside it, so its first number
    is 1 (Decree 123/2020/NĐ-CP art. 10(3): an invoice series is numbered from 1 from 01/01, or from the day it is
    first used). Purchase records are the POS's own numbering, judged only from their first document."""
    by_number: dict[int, list[dt.datetime]] = defaultdict(list)
    for number, issued in rows:
        by_number[number].append(issued)
    if anchor is not None:
        by_number[anchor[0]].append(anchor[1])
    # The anchor adds at most one entry, so every duplicate involves an invoice in the window.
    duplicates = sorted(n for n, times in by_number.items() if len(times) > 1)
    numbers = sorted(by_number)
    missing: list[int] = []
    missing_total = 0
    out_of_order: list[int] = []
    # A new series (nothing before the window) is measured from 0: deleting the year's first invoice is a gap.
    counted = [0, *numbers] if anchor is None and numbered_from_one and numbers[0] > 0 else numbers
    for previous, current in zip(counted, counted[1:], strict=False):
        gap = current - previous - 1
        if gap > 0:
            missing_total += gap  # counted, not listed: a typo'd number can open a gap of millions
            missing.extend(range(previous + 1, min(current, previous + 1 + LISTED - len(missing))))
    for previous, current in zip(numbers, numbers[1:], strict=False):
        # A later number issued before an earlier one (each number's first issue counts).
        if min(by_number[current]) < min(by_number[previous]):
            out_of_order.append(current)
    window_numbers = sorted({number for number, _ in rows})
    return SeriesReport(series, len(rows), window_numbers[0], window_numbers[-1], missing[:LISTED],
                        missing_total, duplicates, out_of_order)


def check_invoices(ctx: CheckContext) -> CheckResult:
    days = ctx.settings.health.invoice_window_days
    since = (ctx.local_now() - dt.timedelta(days=days)).replace(tzinfo=None, microsecond=0)
    params = {"since": since.isoformat(timespec="seconds")}  # the POS's own ISO text form
    with ctx.pos_engine.connect() as conn:
        window = conn.execute(_WINDOW_SQL, params).all()
        anchors = conn.execute(_ANCHOR_SQL, params).all()
    per_series: dict[str, list[tuple[int, dt.datetime]]] = defaultdict(list)
    kinds: dict[str, set[str]] = defaultdict(set)
    unreadable: list[str] = []  # invoices whose stored number has no digits to read, as stored
    for series, number, issued, kind in window:
        kinds[str(series)].add(str(kind))
        read = as_invoice_number(number)
        if read is None:
            unreadable.append(f"{series} \u201c{number}\u201d")
        else:
            per_series[str(series)].append((read, to_shop_time(issued)))
    anchor_of: dict[str, tuple[int, dt.datetime]] = {}
    for series, number, issued in anchors:
        read = as_invoice_number(number)
        candidate = (read, to_shop_time(issued)) if read is not None else None
        if candidate is not None and (str(series) not in anchor_of or candidate > anchor_of[str(series)]):
            anchor_of[str(series)] = candidate
    if not per_series and not unreadable:
        # English's singular of the count is its own message ("one"), as in the window's texts modules.
        none = (say("HealthCheck", "Không có hóa đơn nào trong %1 ngày qua", "one") if days == 1
                else say("HealthCheck", "Không có hóa đơn nào trong %1 ngày qua"))
        return result(Status.OK, none.fill(days),
                      metrics=(Metric("invoices", 0),))
    reports = [replace(_analyse(series, rows, anchor_of.get(series), numbered_from_one=kinds[series] != {"buy"}),
                       purchase_records=kinds[series] == {"buy"})
               for series, rows in sorted(per_series.items())]
    total = sum(r.count for r in reports)
    records = sum(r.count for r in reports if r.purchase_records)
    missing_total = sum(r.missing_total for r in reports)
    missing = [invoice_code(r.series, n) for r in reports for n in r.missing]
    duplicates = [invoice_code(r.series, n) for r in reports for n in r.duplicates]
    disordered = [invoice_code(r.series, n) for r in reports for n in r.out_of_order]
    metrics = (
        Metric("invoices", total),
        Metric("missing", missing_total, crit=1),
        Metric("duplicates", len(duplicates), crit=1),
        Metric("out_of_order", len(disordered), warn=1),
    )
    lines: list[str] = [
        (say("HealthCheck", "Bảng kê thu mua %1: %2 bảng kê, số %3 đến %4") if r.purchase_records
         else say("HealthCheck", "Ký hiệu %1: %2 hóa đơn, số %3 đến %4")).fill(r.series, r.count, r.first, r.last)
        for r in reports]
    if missing:
        if missing_total > len(missing):
            lines.append(say("HealthCheck", "Thiếu %1 số: %2 (và %3 số khác)").fill(
                missing_total, ", ".join(missing), missing_total - len(missing)))
        else:
            lines.append(say("HealthCheck", "Thiếu %1 số: %2").fill(missing_total, ", ".join(missing)))
    if duplicates:
        lines.append(say("HealthCheck", "Trùng %1 số: %2").fill(len(duplicates), ", ".join(duplicates[:LISTED])))
    if disordered:
        lines.append(say("HealthCheck", "Lập trước hóa đơn số nhỏ hơn: %1").fill(", ".join(disordered[:LISTED])))
    if unreadable:
        lines.append(say("HealthCheck", "Không đọc được số hóa đơn: %1").fill(", ".join(unreadable[:LISTED])))
    details = joined(lines, "\n")
    if missing or duplicates:
        parts: list[str] = []
        if missing:
            parts.append(say("HealthCheck", "thiếu %1 số (%2)").fill(missing_total, ", ".join(missing[:SHOWN])))
        if duplicates:
            parts.append(say("HealthCheck", "trùng %1 số (%2)").fill(len(duplicates), ", ".join(duplicates[:SHOWN])))
        summary = (say("HealthCheck", "Số hóa đơn không liên tục trong %1 ngày qua: %2", "one") if days == 1
                   else say("HealthCheck", "Số hóa đơn không liên tục trong %1 ngày qua: %2")).fill(
            days, joined(parts, "; "))
        return result(Status.CRITICAL, summary, details, remedy="invoices.gap", metrics=metrics)
    if disordered:
        return result(Status.WARNING,
                      say("HealthCheck", "%1 hóa đơn có số không tăng theo giờ lập (%2)").fill(
                          len(disordered), ", ".join(disordered[:SHOWN])),
                      details, remedy="invoices.order", metrics=metrics)
    if unreadable:
        # An invoice whose number cannot be read cannot be placed in its series: a gap it fills, or one it hides.
        return result(Status.WARNING,
                      say("HealthCheck", "Không đọc được số hóa đơn: %1").fill(", ".join(unreadable[:SHOWN])),
                      details, remedy="invoices.unreadable", metrics=metrics)
    ranges = joined([say("HealthCheck", "%1 đến %2").fill(invoice_code(r.series, r.first),
                                                          invoice_code(r.series, r.last)) for r in reports], ", ")
    if records:
        summary = (say("HealthCheck", "%1 hóa đơn và %2 bảng kê thu mua trong %3 ngày qua, số liên tục (%4)", "one")
                   if days == 1 else
                   say("HealthCheck", "%1 hóa đơn và %2 bảng kê thu mua trong %3 ngày qua, số liên tục (%4)")).fill(
            total - records, records, days, ranges)
    else:
        summary = (say("HealthCheck", "%1 hóa đơn trong %2 ngày qua, số liên tục (%3)", "one") if days == 1
                   else say("HealthCheck", "%1 hóa đơn trong %2 ngày qua, số liên tục (%3)")).fill(total, days, ranges)
    return result(Status.OK, summary, details, metrics=metrics)


CHECKS: list[Check] = [
    Check(PRICES_ID, "Bảng giá vàng", Category.DATA, check_prices, timeout=10, depends_on=(CONNECT_ID,)),
    Check(INVOICES_ID, "Số hóa đơn liên tục", Category.DATA, check_invoices, timeout=15, depends_on=(CONNECT_ID,)),
]
