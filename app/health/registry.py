"""Every check the app runs, in display order, and the one remedy catalogue."""

from __future__ import annotations

from types import ModuleType

from app import HOTLINE
from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult
from app.infra.phrase import say
from app.support import check as support_check
from app.updates import compliance
from app.warranty import check as warranty_check


def _check_modules() -> list[ModuleType]:
    from app.health.checks import backups, database, devices, pos_data, pos_log, services, settings, system

    # settings first: when it fails, it is why the POS checks after it are skipped.
    return [settings, database, backups, pos_data, pos_log, system, devices, services]


def _warranty(ctx: CheckContext) -> CheckResult:
    if ctx.contract is None:
        raise NotConfigured(say("HealthCheck", "chưa có dịch vụ hợp đồng"))
    return warranty_check.check_coverage(ctx.contract(), ctx.local_now().date())


def _outbox(ctx: CheckContext) -> CheckResult:
    if ctx.support is None:
        raise NotConfigured(say("HealthCheck", "chưa có hộp thư yêu cầu hỗ trợ"))
    return support_check.check_outbox(ctx.support, ctx.now())


def _cash_limit(ctx: CheckContext) -> CheckResult:
    if ctx.cash_limit_pack is None:
        raise NotConfigured(say("HealthCheck", "chưa có kho gói quy định"))
    return compliance.check_cash_limit(ctx, ctx.cash_limit_pack(), compliance.WINDOW_DAYS)


def _updates_current(ctx: CheckContext) -> CheckResult:
    """Regulation packs are only as current as the last good look at the update server."""
    import datetime as dt
    import json

    from app.health.model import Status, result
    from app.updates.service import status_file

    if ctx.data_dir is None:
        raise NotConfigured(say("HealthCheck", "không rõ thư mục dữ liệu"))
    path = status_file(ctx.data_dir)
    if not path.exists():
        raise NotConfigured(say("HealthCheck", "chưa kiểm tra cập nhật lần nào"))
    status = json.loads(path.read_text(encoding="utf-8") or "{}")
    error = status.get("last_error") or {}
    if error.get("kind") == "security":
        return result(Status.CRITICAL,
                      say("HealthCheck", "Bản cập nhật gần nhất không có chữ ký hợp lệ: đã bị từ chối"),
                      remedy="updates.security")
    last = status.get("last_success")
    if not last:
        return result(Status.WARNING, say("HealthCheck", "Chưa cập nhật được lần nào"), remedy="updates.stale")
    age = ctx.now() - dt.datetime.fromisoformat(last)
    days = age.total_seconds() / 86400
    if days > 3:
        return result(Status.WARNING, say("HealthCheck", "Gói quy định chưa được kiểm tra %1 ngày").fill(f"{days:.0f}"),
                      remedy="updates.stale")
    return result(Status.OK, say("HealthCheck", "Gói quy định đã được kiểm tra gần đây"))


UPDATE_REMEDIES: dict[str, str] = {
    "updates.stale": say("HealthCheck", "1. Kiểm tra kết nối Internet của máy.\n"
                                        "2. Vào mục \u201cCập nhật\u201d, bấm \u201cKiểm tra cập nhật\u201d.\n"
                                        "3. Nếu vẫn lỗi, gọi %1.").fill(HOTLINE),
    "updates.security": say("HealthCheck", "1. Không cài lại bằng tay.\n"
                                           "2. Gọi ngay %1: máy chủ cập nhật hoặc đường mạng có thể đã "
                                           "bị giả mạo; ứng dụng đã giữ nguyên các gói đang dùng.").fill(HOTLINE),
}


FEATURE_CHECKS = [
    Check("updates.current", "Gói quy định được cập nhật", Category.SERVICE, _updates_current, timeout=5),
    Check(compliance.CHECK_ID, compliance.TITLE, Category.DATA, _cash_limit, timeout=15,
          depends_on=(compliance.CONNECT_ID,)),
    Check(support_check.CHECK_ID, "Yêu cầu hỗ trợ chưa gửi được", Category.SERVICE, _outbox, timeout=5),
    Check(warranty_check.CHECK_ID, "Bảo hành / bảo trì sắp hết hạn", Category.SERVICE, _warranty, timeout=5),
]


def default_checks() -> list[Check]:
    checks = [check for module in _check_modules() for check in module.CHECKS]
    return checks + FEATURE_CHECKS


def remedies() -> dict[str, str]:
    """Fix steps, Vietnamese first, by remedy code: the health feature's one catalogue."""
    catalogue: dict[str, str] = {}
    for module in [*_check_modules(), warranty_check, support_check, compliance]:
        catalogue.update(module.REMEDIES)
    catalogue.update(UPDATE_REMEDIES)
    return catalogue
