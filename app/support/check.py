"""Health check: support requests, and the shop's replies and decisions on them, stuck in the outbox."""

from __future__ import annotations

import datetime as dt

from app import HOTLINE
from app.health.model import CheckResult, Metric, Status
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.models import RequestStatus
from pmv_protocol.thread import EventKind

CHECK_ID = "support.outbox"
STUCK_AFTER = dt.timedelta(minutes=30)

REMEDIES = {
    "support.outbox_stuck": (
        "Có yêu cầu hỗ trợ hoặc trả lời chưa gửi được: kiểm tra kết nối Internet của máy, "
        "rồi mở mục \u201cYêu cầu hỗ trợ\u201d để xem lỗi."
        f" Việc gấp, gọi {HOTLINE} và đọc tiêu đề yêu cầu."
    ),
}


# What the shop's act is called in the check's details (the cashier's own words on the buttons).
ACT_WORDS: dict[EventKind | str, str] = {
    EventKind.MESSAGE: "tin nhắn",
    EventKind.ACCEPTED: "xác nhận đã khắc phục",
    EventKind.REFUSED: "báo chưa khắc phục",
    EventKind.VISIT_CONFIRMED: "xác nhận lịch hẹn",
    EventKind.VISIT_RESCHEDULE: "đề nghị giờ hẹn khác",
    EventKind.RATED: "đánh giá",
    EventKind.REOPENED: "báo lỗi xuất hiện lại",
}


def check_outbox(repo: SupportRepository, now: dt.datetime) -> CheckResult:
    """Warn when a request, or one of the shop's acts on a request, has waited to go out for 30 minutes."""
    pending = [r for r in repo.all() if r.status is RequestStatus.PENDING]
    stuck = [r for r in pending if now - r.opened_at >= STUCK_AFTER]
    thread = ThreadRepository(repo.database, repo.outbox_dir, repo.clock)
    acts = thread.pending_made_before(now)
    stuck_acts = [(title, act) for title, act in acts if now - act.at >= STUCK_AFTER]
    metrics = (Metric("pending", len(pending)), Metric("stuck", len(stuck), warn=1),
               Metric("pending_acts", len(acts)), Metric("stuck_acts", len(stuck_acts), warn=1))
    if not stuck and not stuck_acts:
        waiting = [f"{len(pending)} yêu cầu"] if pending else []
        waiting += [f"{len(acts)} trả lời"] if acts else []
        summary = "Không có yêu cầu nào bị kẹt" if not waiting else f"{' và '.join(waiting)} đang chờ gửi"
        return CheckResult(CHECK_ID, Status.OK, summary, metrics=metrics)
    oldest = min([r.opened_at for r in stuck] + [act.at for _title, act in stuck_acts])
    minutes = int((now - oldest).total_seconds() // 60)
    lines = [f"- {r.title} (lỗi gần nhất: {r.last_error or 'chưa rõ'})" for r in stuck]
    lines += [f"- {ACT_WORDS.get(act.kind, str(act.kind))} cho yêu cầu \u201c{title}\u201d "
              f"(lỗi gần nhất: {act.last_error or 'chưa rõ'})" for title, act in stuck_acts]
    counted = [f"{len(stuck)} yêu cầu"] if stuck else []
    counted += [f"{len(stuck_acts)} trả lời"] if stuck_acts else []
    return CheckResult(CHECK_ID, Status.WARNING,
                       f"{' và '.join(counted)} chưa gửi được, lâu nhất {minutes} phút",
                       details="\n".join(lines), remedy="support.outbox_stuck", metrics=metrics)
