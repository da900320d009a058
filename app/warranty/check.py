"""Health check: warranty / maintenance ending within 30 days (or already ended)."""

from __future__ import annotations

import datetime as dt

from app import HOTLINE
from app.health.model import CheckResult, Metric, Status
from app.infra.formatting import format_date
from app.infra.phrase import say
from pmv_protocol.contract import Contract
from pmv_protocol.coverage import ENDING_SOON_DAYS, CoverageStatus, coverage_on

CHECK_ID = "warranty.coverage"

# Fix steps, Vietnamese first: the one catalogue for this feature's remedies.
REMEDIES: dict[str, str] = {
    "warranty.renew": say(
        "HealthCheck",
        "Gia hạn hợp đồng bảo trì để tiếp tục được hỗ trợ ưu tiên: vào mục \u201cBảo hành & bảo trì\u201d, "
        "bấm \u201cĐề nghị gia hạn…\u201d, hoặc gọi %1.",
    ).fill(HOTLINE),
    "warranty.no_contract": say(
        "HealthCheck",
        "Chưa có hợp đồng: bấm \u201cTải lại hợp đồng\u201d trong mục \u201cBảo hành & bảo trì\u201d, "
        "hoặc \u201cNhập hợp đồng từ tệp\u201d nếu máy không có Internet.",
    ),
}


def check_coverage(contract: Contract | None, today: dt.date) -> CheckResult:
    if contract is None:
        return CheckResult(CHECK_ID, Status.WARNING, say("HealthCheck", "Chưa có hợp đồng bảo hành/bảo trì đã ký"),
                           remedy="warranty.no_contract")
    coverage = coverage_on(contract, today)
    metrics = (Metric("days_left", coverage.days_left, "d", warn=ENDING_SOON_DAYS, crit=0),)
    if coverage.accepted_on_ahead is not None:  # being installed: nothing has run out
        return CheckResult(CHECK_ID, Status.OK, say("HealthCheck", "Chưa nghiệm thu: bảo hành %1 tháng bắt đầu từ "
                                                                 "ngày %2").fill(
                               contract.warranty_months, format_date(coverage.accepted_on_ahead)))
    if coverage.status is CoverageStatus.EXPIRED:
        return CheckResult(CHECK_ID, Status.CRITICAL, say("HealthCheck", "Đã hết hạn bảo hành và bảo trì"),
                           remedy="warranty.renew", metrics=metrics)
    assert coverage.covered_until is not None
    if coverage.status is CoverageStatus.WARRANTY and coverage.covered_until > coverage.warranty_ends:
        # A maintenance year follows without a gap: the days counted run to its end, not the warranty's.
        summary = say("HealthCheck",
                      "Bảo hành đến hết %1, bảo trì nối tiếp; được hỗ trợ còn %2 ngày (đến hết %3)").fill(
            format_date(coverage.warranty_ends), coverage.days_left, format_date(coverage.covered_until))
    elif coverage.status is CoverageStatus.WARRANTY:
        summary = say("HealthCheck", "Bảo hành còn %1 ngày (đến hết %2)").fill(
            coverage.days_left, format_date(coverage.covered_until))
    else:
        summary = say("HealthCheck", "Bảo trì còn %1 ngày (đến hết %2)").fill(
            coverage.days_left, format_date(coverage.covered_until))
    if coverage.ending_soon:
        return CheckResult(CHECK_ID, Status.WARNING, summary, remedy="warranty.renew", metrics=metrics)
    return CheckResult(CHECK_ID, Status.OK, summary, metrics=metrics)
