"""The shop's consent to a remote session, and the session's record in the audit log (Qt-free).

A technician may only take over the till after someone at the shop said yes,
and only for a support request: :class:`ConsentRequest` is the question,
:class:`ConsentFlow` collects the one answer (or the silence: after
``timeout_s`` the question times out and a late "yes" is refused), and
:class:`RemoteSession` records start and end, refusing to start without an
approval.  Every decision and both ends of a session go to the technician
audit log under the ``ACTION_*`` codes below.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from app.storage.repositories import Clock, utc_now
from app.technician.audit import AuditEntry, AuditLog
from app.technician.remote_tools import ToolKind

DEFAULT_CONSENT_TIMEOUT_S = 120

ACTION_CONSENT = "remote.consent"  # result: a ConsentOutcome value
ACTION_SESSION_START = "remote.session_start"  # result: "ok"
ACTION_SESSION_END = "remote.session_end"  # result: "ok"; detail: reason, duration_s

RESULT_OK = "ok"


class ConsentOutcome(enum.StrEnum):
    APPROVED = "approved"
    DENIED = "denied"
    TIMED_OUT = "timed_out"  # nobody answered in time, or the answer came too late


class SessionEndReason(enum.StrEnum):
    """Why a session ended; the UI chooses, the audit log keeps it."""

    ENDED = "ended"  # the shop or the technician pressed "end"
    TOOL_EXITED = "tool_exited"  # the remote-desktop tool was closed
    APP_CLOSED = "app_closed"
    MODE_LOCKED = "mode_locked"  # technician mode expired or was locked


class ConsentNotGiven(Exception):
    """A session was started without an approved consent."""

    def __init__(self, outcome: ConsentOutcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


def _require_aware(value: dt.datetime, name: str) -> None:
    # Naive times would compare wrongly against the clock's aware ones.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class ConsentRequest:
    """A technician asks the shop for a remote session on support request ``request_number``."""

    request_number: str
    technician: str
    reason: str
    tool: ToolKind
    remote_id: str | None
    asked_at: dt.datetime
    timeout_s: int = DEFAULT_CONSENT_TIMEOUT_S

    def __post_init__(self) -> None:
        _require_aware(self.asked_at, "asked_at")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if not self.request_number.strip() or not self.technician.strip():
            raise ValueError("a consent needs a request number and a technician")

    @property
    def deadline(self) -> dt.datetime:
        return self.asked_at + dt.timedelta(seconds=self.timeout_s)

    def expired(self, now: dt.datetime) -> bool:
        """True from the deadline on: an answer given at the deadline is already too late."""
        _require_aware(now, "now")
        return now >= self.deadline

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        """Time left to answer, never negative (the UI's countdown)."""
        return max(self.deadline - now, dt.timedelta(0))

    def decide(self, approved: bool, by: str, at: dt.datetime) -> ConsentDecision:
        """The answer ``by`` gave at ``at``; TIMED_OUT whatever it was once the question expired."""
        if not by.strip():
            raise ValueError("the person who answered must be named")
        if self.expired(at):
            return ConsentDecision(self, ConsentOutcome.TIMED_OUT, by, at, late_answer=approved)
        outcome = ConsentOutcome.APPROVED if approved else ConsentOutcome.DENIED
        return ConsentDecision(self, outcome, by, at)

    def time_out(self, now: dt.datetime) -> ConsentDecision | None:
        """The TIMED_OUT decision once expired (nobody answered), else None."""
        if not self.expired(now):
            return None
        return ConsentDecision(self, ConsentOutcome.TIMED_OUT, None, now)


@dataclass(frozen=True)
class ConsentDecision:
    """The final answer to a :class:`ConsentRequest`."""

    request: ConsentRequest
    outcome: ConsentOutcome
    by: str | None  # who at the shop answered; None when nobody did
    at: dt.datetime
    late_answer: bool | None = None  # what a too-late answer would have been

    @property
    def approved(self) -> bool:
        return self.outcome is ConsentOutcome.APPROVED

    def audit_detail(self) -> dict[str, Any]:
        r = self.request
        detail: dict[str, Any] = {
            "request_number": r.request_number,
            "tool": r.tool.value,
            "remote_id": r.remote_id,
            "reason": r.reason,
            "asked_at": r.asked_at.isoformat(),
            "decided_at": self.at.isoformat(),
            "decided_by": self.by,
        }
        if self.late_answer is not None:
            detail["late_answer"] = "approved" if self.late_answer else "denied"
        return detail


class ConsentFlow:
    """One consent question from asking to its single, audited decision.

    The first decision is final: a second answer (a double click, a "yes"
    after the time-out) returns the decision already made and records nothing.
    The UI calls :meth:`expire` from its countdown timer.
    """

    def __init__(self, request: ConsentRequest, audit: AuditLog, clock: Clock = utc_now) -> None:
        self.request = request
        self._audit = audit
        self._clock = clock
        self._decision: ConsentDecision | None = None

    @classmethod
    def ask(cls, audit: AuditLog, clock: Clock = utc_now, *, request_number: str, technician: str, reason: str,
            tool: ToolKind, remote_id: str | None, timeout_s: int = DEFAULT_CONSENT_TIMEOUT_S) -> ConsentFlow:
        """A new question, asked now by ``clock``."""
        request = ConsentRequest(request_number, technician, reason, tool, remote_id, clock(), timeout_s)
        return cls(request, audit, clock)

    @property
    def decision(self) -> ConsentDecision | None:
        return self._decision

    def remaining(self) -> dt.timedelta:
        return dt.timedelta(0) if self._decision is not None else self.request.remaining(self._clock())

    def decide(self, approved: bool, by: str) -> ConsentDecision:
        if self._decision is not None:
            return self._decision
        return self._settle(self.request.decide(approved, by, self._clock()))

    def expire(self) -> ConsentDecision | None:
        """Time the question out if its deadline has passed; None while it may still be answered."""
        if self._decision is not None:
            return self._decision if self._decision.outcome is ConsentOutcome.TIMED_OUT else None
        decision = self.request.time_out(self._clock())
        return self._settle(decision) if decision is not None else None

    def _settle(self, decision: ConsentDecision) -> ConsentDecision:
        # On record first: if the audit write fails, there is no decision (and so no session) either.
        self._audit.record(self.request.technician, ACTION_CONSENT, decision.outcome.value, **decision.audit_detail())
        self._decision = decision
        return decision


class RemoteSession:
    """A remote session under an approved consent: recorded when it starts and when it ends.

    Build it with :meth:`start`; :meth:`end` records once (later calls return
    the first end entry), with the duration in whole seconds.
    """

    def __init__(self, decision: ConsentDecision, audit: AuditLog, clock: Clock,
                 started_at: dt.datetime, start_entry: AuditEntry) -> None:
        self.decision = decision
        self.started_at = started_at
        self.start_entry = start_entry
        self._audit = audit
        self._clock = clock
        self.ended_at: dt.datetime | None = None
        self.end_entry: AuditEntry | None = None

    @classmethod
    def start(cls, decision: ConsentDecision, audit: AuditLog, clock: Clock = utc_now,
              **detail: Any) -> RemoteSession:
        """Record the start; raises ConsentNotGiven unless ``decision`` approved it.

        ``detail`` adds to the audit entry (e.g. the tool's pid).
        """
        if not decision.approved:
            raise ConsentNotGiven(decision.outcome)
        started_at = clock()
        entry = audit.record(decision.request.technician, ACTION_SESSION_START, RESULT_OK,
                             **cls._base_detail(decision), consent_by=decision.by,
                             consent_at=decision.at.isoformat(), **detail)
        return cls(decision, audit, clock, started_at, entry)

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def duration(self, now: dt.datetime | None = None) -> dt.timedelta:
        end = self.ended_at or now or self._clock()
        return end - self.started_at

    def end(self, reason: SessionEndReason = SessionEndReason.ENDED) -> AuditEntry:
        if self.end_entry is not None:
            return self.end_entry
        self.ended_at = self._clock()
        self.end_entry = self._audit.record(
            self.decision.request.technician, ACTION_SESSION_END, RESULT_OK,
            **self._base_detail(self.decision), reason=reason.value, started_at=self.started_at.isoformat(),
            duration_s=int(self.duration().total_seconds()),
        )
        return self.end_entry

    @staticmethod
    def _base_detail(decision: ConsentDecision) -> dict[str, Any]:
        r = decision.request
        return {"request_number": r.request_number, "tool": r.tool.value, "remote_id": r.remote_id}
