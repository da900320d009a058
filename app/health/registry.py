"""Every check the app runs, in display order, and the one remedy catalogue."""

from __future__ import annotations

from types import ModuleType

from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, CheckResult
from app.support import check as support_check
from app.warranty import check as warranty_check


def _check_modules() -> list[ModuleType]:
    from app.health.checks import backups, database, devices, pos_data, pos_log, services, system

    return [database, backups, pos_data, pos_log, system, devices, services]


def _warranty(ctx: CheckContext) -> CheckResult:
    if ctx.contract is None:
        raise NotConfigured("chưa có dịch vụ hợp đồng")
    return warranty_check.check_coverage(ctx.contract(), ctx.local_now().date())


def _outbox(ctx: CheckContext) -> CheckResult:
    if ctx.support is None:
        raise NotConfigured("chưa có hộp thư yêu cầu hỗ trợ")
    return support_check.check_outbox(ctx.support, ctx.now())


FEATURE_CHECKS = [
    Check(support_check.CHECK_ID, "Yêu cầu hỗ trợ chưa gửi được", Category.SERVICE, _outbox, timeout=5),
    Check(warranty_check.CHECK_ID, "Bảo hành / bảo trì sắp hết hạn", Category.SERVICE, _warranty, timeout=5),
]


def default_checks() -> list[Check]:
    checks = [check for module in _check_modules() for check in module.CHECKS]
    return checks + FEATURE_CHECKS


def remedies() -> dict[str, str]:
    """Fix steps, Vietnamese first, by remedy code: the health feature's one catalogue."""
    catalogue: dict[str, str] = {}
    for module in [*_check_modules(), warranty_check, support_check]:
        catalogue.update(module.REMEDIES)
    return catalogue
