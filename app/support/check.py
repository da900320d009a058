"""Health check: support requests stuck in the outbox."""

from __future__ import annotations

import datetime as dt

from app import HOTLINE
from app.health.model import CheckResult, Metric, Status
from app.storage.support_requests import SupportRepository
from app.support.models import RequestStatus

CHECK_ID = "support.outbox"
STUCK_AFTER = dt.timedelta(minutes=30)

REMEDIES = {
    "support.outbox_stuck": (
        "Có yêu cầu hỗ trợ chưa gửi được: kiểm tra kết nối Internet của máy, rồi mở mục \u201cYêu cầu hỗ trợ\u201d "
        f"để xem lỗi. Việc gấp, gọi {HOTLINE} và đọc tiêu đề yêu cầu."
    ),
}


def check_outbox(repo: SupportRepository, now: dt.datetime) -> CheckResult:
    pending = [r for r in repo.all() if r.status is RequestStatus.PENDING]
    stuck = [r for r in pending if now - r.opened_at >= STUCK_AFTER]
    metrics = (Metric("pending", len(pending)), Metric("stuck", len(stuck), warn=1))
    if not stuck:
        summary = "Không có yêu cầu nào bị kẹt" if not pending else f"{len(pending)} yêu cầu đang chờ gửi"
        return CheckResult(CHECK_ID, Status.OK, summary, metrics=metrics)
    oldest = min(stuck, key=lambda r: r.opened_at)
    minutes = int((now - oldest.opened_at).total_seconds() // 60)
    details = "\n".join(f"- {r.title} (lỗi gần nhất: {r.last_error or 'chưa rõ'})" for r in stuck)
    return CheckResult(CHECK_ID, Status.WARNING,
                       f"{len(stuck)} yêu cầu chưa gửi được, lâu nhất {minutes} phút",
                       details=details, remedy="support.outbox_stuck", metrics=metrics)
