"""What a technician can do in technician mode, each action recorded in the audit log.

The UI calls these through :func:`audited` so that every action leaves one
audit entry with who, what and how it went (``ok`` or ``failed`` with the
error), whether it succeeds or raises. Action codes are data; the UI words
them (``app/ui/technician/texts.py``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from app.technician.audit import AuditLog

log = logging.getLogger(__name__)

T = TypeVar("T")

RESULT_OK = "ok"
RESULT_FAILED = "failed"


class Action(enum.StrEnum):
    """Audit codes of technician actions (unlock and remote-session codes live with their features)."""

    UNLOCK = "unlock"
    LOCK = "lock"
    VIEW_CHECKS = "checks.raw"
    VIEW_LOG = "log.view"
    SEARCH_LOG = "log.search"
    SETTINGS_SAVE = "settings.save"
    UPDATES_RUN = "updates.run"
    UPDATES_ROLLBACK = "updates.rollback"
    DB_INTEGRITY = "db.integrity"
    DB_VACUUM = "db.vacuum"
    BUNDLE_EXPORT = "bundle.export"
    AUDIT_EXPORT = "audit.export"
    AUDIT_ATTACH = "audit.attach"
    PROFILE_EXPORT = "profile.export"
    PROFILE_IMPORT = "profile.import"


def audited(audit: AuditLog, technician: str, action: Action | str, work: Callable[[], T],
            summary: Callable[[T], dict[str, Any]] | None = None, **detail: Any) -> T:
    """Run ``work`` and record it; the entry is written even when ``work`` raises (then re-raised)."""
    code = action.value if isinstance(action, Action) else action
    try:
        result = work()
    except BaseException as exc:
        audit.record(technician, code, RESULT_FAILED, error=f"{type(exc).__name__}: {exc}"[:500], **detail)
        raise
    extra = summary(result) if summary is not None else {}
    audit.record(technician, code, RESULT_OK, **detail, **extra)
    return result
