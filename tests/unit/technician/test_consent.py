"""Consent to a remote session and the session's audit trail, on a real SQLite database."""

from __future__ import annotations

import datetime as dt

import pytest

from app.storage.db import Database
from app.technician.audit import AuditLog
from app.technician.consent import (
    ACTION_CONSENT,
    ACTION_SESSION_END,
    ACTION_SESSION_START,
    DEFAULT_CONSENT_TIMEOUT_S,
    ConsentDecision,
    ConsentFlow,
    ConsentNotGiven,
    ConsentOutcome,
    ConsentRequest,
    RemoteSession,
    SessionEndReason,
)
from app.technician.remote_tools import ToolKind
from tests.helpers import TECHNICIAN_T0 as T0
from tests.helpers import FixedClock

TECH = "Nguyễn Văn An"


@pytest.fixture
def audit(app_db: Database, clock: FixedClock) -> AuditLog:
    return AuditLog(app_db, clock)


def ask(audit: AuditLog, clock: FixedClock, timeout_s: int = DEFAULT_CONSENT_TIMEOUT_S) -> ConsentFlow:
    return ConsentFlow.ask(audit, clock, request_number="YC-2026-0042", technician=TECH,
                           reason="Máy in tem in mờ", tool=ToolKind.ULTRAVIEWER, remote_id="123456789",
                           timeout_s=timeout_s)


def request(**changes: object) -> ConsentRequest:
    fields: dict[str, object] = {"request_number": "YC-1", "technician": TECH, "reason": "r",
                                 "tool": ToolKind.ANYDESK, "remote_id": None, "asked_at": T0}
    fields.update(changes)
    return ConsentRequest(**fields)  # type: ignore[arg-type]


# --- the pure model -----------------------------------------------------------------------


def test_decide_within_and_after_the_timeout() -> None:
    req = request()
    assert req.timeout_s == 120 and req.deadline == T0 + dt.timedelta(seconds=120)
    just_in_time = T0 + dt.timedelta(seconds=119, microseconds=999_999)
    assert req.decide(True, "Chị Lan", just_in_time).outcome is ConsentOutcome.APPROVED
    assert req.decide(False, "Chị Lan", T0).outcome is ConsentOutcome.DENIED
    late = req.decide(True, "Chị Lan", T0 + dt.timedelta(seconds=120))  # the deadline itself is too late
    assert late == ConsentDecision(req, ConsentOutcome.TIMED_OUT, "Chị Lan", T0 + dt.timedelta(seconds=120),
                                   late_answer=True)
    assert not late.approved


def test_expired_remaining_and_time_out() -> None:
    req = request(timeout_s=30)
    assert not req.expired(T0 + dt.timedelta(seconds=29))
    assert req.expired(T0 + dt.timedelta(seconds=30))
    assert req.remaining(T0 + dt.timedelta(seconds=10)) == dt.timedelta(seconds=20)
    assert req.remaining(T0 + dt.timedelta(hours=1)) == dt.timedelta(0)
    assert req.time_out(T0 + dt.timedelta(seconds=29)) is None
    timed_out = req.time_out(T0 + dt.timedelta(seconds=31))
    assert timed_out is not None and timed_out.outcome is ConsentOutcome.TIMED_OUT and timed_out.by is None


@pytest.mark.parametrize("changes", [
    {"asked_at": dt.datetime(2026, 11, 25, 9, 0)},  # naive
    {"timeout_s": 0},
    {"request_number": "  "},
    {"technician": ""},
])
def test_bad_requests_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        request(**changes)


def test_an_answer_needs_a_name_and_an_aware_time() -> None:
    with pytest.raises(ValueError):
        request().decide(True, " ", T0)
    with pytest.raises(ValueError):
        request().decide(True, "Chị Lan", dt.datetime(2026, 11, 25, 9, 1))


# --- the audited flow ---------------------------------------------------------------------


def test_approval_is_audited(audit: AuditLog, clock: FixedClock) -> None:
    flow = ask(audit, clock)
    assert flow.request.asked_at == T0 and flow.decision is None
    clock.advance(seconds=45)
    assert flow.remaining() == dt.timedelta(seconds=75)
    decision = flow.decide(True, "Chị Lan")

    assert decision.approved and decision.at == T0 + dt.timedelta(seconds=45) and flow.decision is decision
    [entry] = audit.entries()
    assert (entry.technician, entry.action, entry.result) == (TECH, ACTION_CONSENT, "approved")
    assert entry.detail == {
        "request_number": "YC-2026-0042", "tool": "ultraviewer", "remote_id": "123456789",
        "reason": "Máy in tem in mờ", "asked_at": T0.isoformat(),
        "decided_at": (T0 + dt.timedelta(seconds=45)).isoformat(), "decided_by": "Chị Lan",
    }


def test_the_first_answer_is_final(audit: AuditLog, clock: FixedClock) -> None:
    flow = ask(audit, clock)
    denied = flow.decide(False, "Anh Minh")
    clock.advance(seconds=5)
    assert flow.decide(True, "Chị Lan") is denied
    assert flow.expire() is None
    assert [(e.action, e.result) for e in audit.entries()] == [(ACTION_CONSENT, "denied")]


def test_late_approval_is_refused_and_recorded(audit: AuditLog, clock: FixedClock) -> None:
    flow = ask(audit, clock, timeout_s=60)
    clock.advance(seconds=61)
    decision = flow.decide(True, "Chị Lan")
    assert decision.outcome is ConsentOutcome.TIMED_OUT
    [entry] = audit.entries()
    assert entry.result == "timed_out" and entry.detail["late_answer"] == "approved"
    assert entry.detail["decided_by"] == "Chị Lan"
    with pytest.raises(ConsentNotGiven) as caught:
        RemoteSession.start(decision, audit, clock)
    assert caught.value.outcome is ConsentOutcome.TIMED_OUT


def test_expire_times_out_once(audit: AuditLog, clock: FixedClock) -> None:
    flow = ask(audit, clock)
    clock.advance(seconds=119)
    assert flow.expire() is None and audit.entries() == []
    clock.advance(seconds=1)
    first = flow.expire()
    assert first is not None and first.outcome is ConsentOutcome.TIMED_OUT and first.by is None
    clock.advance(seconds=10)
    assert flow.expire() is first
    assert flow.decide(True, "Chị Lan") is first
    assert flow.remaining() == dt.timedelta(0)
    assert [e.result for e in audit.entries()] == ["timed_out"]


# --- the session --------------------------------------------------------------------------


def test_session_records_start_and_end_with_duration(audit: AuditLog, clock: FixedClock) -> None:
    flow = ask(audit, clock)
    clock.advance(seconds=20)
    decision = flow.decide(True, "Chị Lan")
    clock.advance(seconds=10)
    session = RemoteSession.start(decision, audit, clock, pid=4242)
    assert session.active and session.started_at == T0 + dt.timedelta(seconds=30)
    assert session.start_entry.action == ACTION_SESSION_START and session.start_entry.detail["pid"] == 4242
    assert session.start_entry.detail["consent_by"] == "Chị Lan"

    clock.advance(minutes=7, seconds=30)
    assert session.duration() == dt.timedelta(minutes=7, seconds=30)
    end = session.end(SessionEndReason.TOOL_EXITED)
    clock.advance(minutes=5)
    assert session.end() is end  # recorded once; the second caller gets the same entry
    assert not session.active and session.duration() == dt.timedelta(minutes=7, seconds=30)

    assert (end.action, end.result, end.technician) == (ACTION_SESSION_END, "ok", TECH)
    assert end.detail == {
        "request_number": "YC-2026-0042", "tool": "ultraviewer", "remote_id": "123456789",
        "reason": "tool_exited", "started_at": session.started_at.isoformat(), "duration_s": 450,
    }
    assert [e.action for e in audit.entries()] == [ACTION_SESSION_END, ACTION_SESSION_START, ACTION_CONSENT]


def test_denied_consent_starts_nothing(audit: AuditLog, clock: FixedClock) -> None:
    decision = ask(audit, clock).decide(False, "Chị Lan")
    with pytest.raises(ConsentNotGiven) as caught:
        RemoteSession.start(decision, audit, clock)
    assert caught.value.outcome is ConsentOutcome.DENIED
    assert [e.action for e in audit.entries()] == [ACTION_CONSENT]
