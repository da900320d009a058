"""The technician's support bundle: the support feature's redacted diagnostics plus the audit log.

One function for the CLI (``pmv-support bundle``) and the technician-mode button,
so both send the same thing by whatever channel the shop has (Zalo, e-mail, USB).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.infra.job_protocol import raise_if_cancelled
from app.support.bundle import BundlePart, collect_parts, write_bundle

if TYPE_CHECKING:
    from app.runtime import Runtime


@dataclass(frozen=True)
class BundleResult:
    path: Path
    parts: list[str]
    redacted: int


def write_support_bundle(runtime: Runtime, target: Path, *, with_health: bool = False,
                         cancel: threading.Event | None = None,
                         progress: Callable[[float, str], None] | None = None) -> BundleResult:
    """Write the bundle to ``target``; :class:`app.infra.job_protocol.Cancelled` if ``cancel`` is set first."""
    # Audit details and check output can quote settings values (a URL with a password): collect_parts redacts
    # them like the logs.
    extra: list[BundlePart] = []
    if with_health:
        from app.health.output import to_json
        from app.health.registry import remedies
        from app.health.service import run_health

        if progress:
            progress(0.1, "health")
        extra.append(BundlePart("health_report", "health.json", to_json(run_health(runtime, cancel=cancel),
                                                                        remedies())))
    text, count = runtime.audit_log().csv_text()
    if count:  # who did what on this till: technicians' sessions and actions
        extra.append(BundlePart("audit_log", "audit.csv", text))
    # The technician pressed Hủy: stop before anything is written.
    raise_if_cancelled(cancel, "bundle cancelled before it was written")
    if progress:
        progress(0.7, "bundle")
    parts = collect_parts(runtime.settings, runtime.log_file, extra=extra, packs=runtime.installed_packs)
    path = write_bundle(parts, target)
    return BundleResult(path, [part.key for part in parts], sum(sum(part.redactions.values()) for part in parts))
