"""What every technician-mode tab needs: the runtime, the runner, and who is doing it (for the audit log)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject

from app.runtime import Runtime
from app.technician.actions import Action, audited
from app.ui.failure_texts import failure_text
from app.ui.i18n import translate
from app.ui.tasks import TaskCancelled, TaskRunner


def tool_failure_text(error: BaseException) -> str:
    """Why a tool's work did not happen, as a phrase for after "Không thực hiện được: ": stopped on Hủy, or the
    failure in the shop's words (a file by its name and why, never the system's English; the log has the rest)."""
    if isinstance(error, TaskCancelled):
        return str(error)  # run_job's "đã hủy", already in the window's language
    return failure_text(error)


@dataclass
class ToolContext:
    runtime: Runtime
    runner: TaskRunner
    technician: Callable[[], str]  # the unlocked technician's name
    audit_changed: Callable[[], None] = lambda: None  # the audit tab reloads

    def run(self, action: Action, work: Callable[[], Any], *, on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], context: QObject | None = None,
            summary: Callable[[Any], dict[str, Any]] | None = None, **detail: Any) -> None:
        """Run ``work`` in a worker and record it in the audit log, success or failure."""
        self.run_job(action, lambda _cancel, _progress: work(), title="", cancellable=False, on_success=on_success,
                     on_failure=on_failure, context=context, summary=summary, **detail)

    def run_job(self, action: Action, work: Callable[[Any, Any], Any], *, title: str,
                on_success: Callable[[Any], None], on_failure: Callable[[BaseException], None],
                context: QObject | None = None, summary: Callable[[Any], dict[str, Any]] | None = None,
                cancellable: bool = True, **detail: Any) -> None:
        """``work(cancel, progress)`` in a worker, audited; with a title it shows a progress bar and Hủy."""
        audit, who = self.runtime.audit_log(), self.technician()

        def job(cancel: Any, progress: Any) -> Any:
            # A work that stops on Hủy raises the core's Cancelled (TaskCancelled): the runner calls cancelled().
            return audited(audit, who, action, lambda: work(cancel, progress), summary, **detail)

        def cancelled() -> None:
            # The buttons come back, and the tab says the work was stopped (the audit entry says so too).
            self.audit_changed()
            on_failure(TaskCancelled(translate("ToolContext", "đã hủy")))

        def succeeded(result: Any) -> None:
            self.audit_changed()
            on_success(result)

        def failed(exc: BaseException) -> None:
            self.audit_changed()
            on_failure(exc)

        self.runner.run_job(job, on_success=succeeded, on_failure=failed, on_cancelled=cancelled, title=title,
                            cancellable=cancellable, context=context)
