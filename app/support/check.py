"""Health check: support requests, and the shop's replies and decisions on them, stuck in the outbox."""

from __future__ import annotations

import datetime as dt

from app import HOTLINE
from app.health.model import CheckResult, Metric, Status
from app.infra.phrase import joined, say
from app.storage.support_requests import SupportRepository
from app.storage.support_thread import ThreadRepository
from app.support.models import RequestStatus
from pmv_protocol.thread import EventKind

CHECK_ID = "support.outbox"
STUCK_AFTER = dt.timedelta(minutes=30)

REMEDIES: dict[str, str] = {
    "support.outbox_stuck": say(
        "HealthCheck",
        "Có yêu cầu hỗ trợ hoặc trả lời chưa gửi được: kiểm tra kết nối Internet của máy, "
        "rồi mở mục \u201cYêu cầu hỗ trợ\u201d để xem lỗi."
        " Việc gấp, gọi %1 và đọc tiêu đề yêu cầu.",
    ).fill(HOTLINE),
}


# What the shop's act is called in the check's details (the cashier's own words on the buttons).
ACT_WORDS: dict[EventKind | str, str] = {
    EventKind.MESSAGE: say("HealthCheck", "tin nhắn"),
    EventKind.ACCEPTED: say("HealthCheck", "xác nhận đã khắc phục"),
    EventKind.REFUSED: say("HealthCheck", "báo chưa khắc phục"),
    EventKind.VISIT_CONFIRMED: say("HealthCheck", "xác nhận lịch hẹn"),
    EventKind.VISIT_RESCHEDULE: say("HealthCheck", "đề nghị giờ hẹn khác"),
    EventKind.RATED: say("HealthCheck", "đánh giá"),
    EventKind.REOPENED: say("HealthCheck", "báo lỗi xuất hiện lại"),
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
        if pending and acts:
            summary = say("HealthCheck", "%1 yêu cầu và %2 trả lời đang chờ gửi").fill(len(pending), len(acts))
        elif pending:
            summary = say("HealthCheck", "%1 yêu cầu đang chờ gửi").fill(len(pending))
        elif acts:
            summary = say("HealthCheck", "%1 trả lời đang chờ gửi").fill(len(acts))
        else:
            summary = say("HealthCheck", "Không có yêu cầu nào bị kẹt")
        return CheckResult(CHECK_ID, Status.OK, summary, metrics=metrics)
    oldest = min([r.opened_at for r in stuck] + [act.at for _title, act in stuck_acts])
    minutes = int((now - oldest).total_seconds() // 60)
    unknown = say("HealthCheck", "chưa rõ")
    lines = [say("HealthCheck", "- %1 (lỗi gần nhất: %2)").fill(r.title, r.last_error or unknown) for r in stuck]
    lines += [say("HealthCheck", "- %1 cho yêu cầu \u201c%2\u201d (lỗi gần nhất: %3)").fill(
                  ACT_WORDS.get(act.kind, str(act.kind)), title, act.last_error or unknown)
              for title, act in stuck_acts]
    if stuck and stuck_acts:
        summary = say("HealthCheck", "%1 yêu cầu và %2 trả lời chưa gửi được, lâu nhất %3 phút").fill(
            len(stuck), len(stuck_acts), minutes)
    elif stuck:
        summary = say("HealthCheck", "%1 yêu cầu chưa gửi được, lâu nhất %2 phút").fill(len(stuck), minutes)
    else:
        summary = say("HealthCheck", "%1 trả lời chưa gửi được, lâu nhất %2 phút").fill(len(stuck_acts), minutes)
    return CheckResult(CHECK_ID, Status.WARNING, summary,
                       details=joined(lines, "\n"), remedy="support.outbox_stuck", metrics=metrics)
