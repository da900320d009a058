"""Health-check history: each run's results, the latest run, and since when each check has had its state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from app.health.model import SUMMARY_LIMIT, HealthReport, Status, StoredResult, StoredRun, stored_status
from app.infra.phrase import Phrase, phrase_from_json
from app.storage.db import Database
from app.storage.tables import CheckResultRow

KEEP = dt.timedelta(days=90)
# Runs pruned by one record at most: the steady state prunes one (a run in, the oldest out); a till's clock set a
# year ahead would otherwise prune the whole history against that year in one run.
PRUNED_AT_ONCE = 2


@dataclass(frozen=True)
class CheckState:
    status: Status
    since: dt.datetime  # the first run of the current unbroken streak of this status


PHRASE_LIMIT = 20_000  # characters of a phrase's JSON kept; a longer one is shown as its stored words


def stored_summary(summary: str) -> tuple[str, str | None]:
    """The summary's words as stored (cut to :data:`SUMMARY_LIMIT`), and how it was said.

    The phrase is kept whole even when the words are cut, so a long summary (the cash-limit check naming its
    customers) is said in full, and in English, when the run is shown again.
    """
    phrase = summary.to_json() if isinstance(summary, Phrase) else None
    return str(summary)[:SUMMARY_LIMIT], phrase if phrase is not None and len(phrase) <= PHRASE_LIMIT else None


class CheckHistory:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, report: HealthReport) -> None:
        if report.cancelled:
            return  # a half run says nothing about the checks it did not reach
        with self._db.write() as session:
            for item in report.results:
                summary, phrase = stored_summary(item.summary)
                session.add(CheckResultRow(run_at=report.finished_at, check_id=item.check_id,
                                           status=item.status.value, summary=summary, phrase=phrase))
            oldest = session.scalars(
                select(CheckResultRow.run_at).where(CheckResultRow.run_at < report.finished_at - KEEP)
                .group_by(CheckResultRow.run_at).order_by(func.min(CheckResultRow.id)).limit(PRUNED_AT_ONCE)).all()
            if oldest:
                session.execute(delete(CheckResultRow).where(CheckResultRow.run_at.in_(oldest)))

    def states(self) -> dict[str, CheckState]:
        """Per check: its latest status and since when it has had it."""
        with self._db.read() as session:
            rows = session.execute(
                select(CheckResultRow.check_id, CheckResultRow.status, CheckResultRow.run_at)
                .order_by(CheckResultRow.check_id, CheckResultRow.id.desc())  # as recorded: a clock can jump
            ).all()
        states: dict[str, CheckState] = {}
        current: dict[str, str] = {}
        for check_id, status, run_at in rows:
            if check_id not in current:
                current[check_id] = status
                states[check_id] = CheckState(stored_status(status), run_at)
            elif status == current[check_id] and check_id in states:
                states[check_id] = CheckState(stored_status(status), run_at)
            else:
                current[check_id] = "\0"  # streak broken: 'since' stays at the last same-status run
        return states

    def latest_run(self) -> StoredRun | None:
        """The last recorded run, its results in the order they were recorded; None before any run.

        The last recorded, not the one with the greatest time: a run made while the clock was a year ahead
        would otherwise hide every run after the clock was put right.
        """
        with self._db.read() as session:
            last = session.scalar(select(CheckResultRow.run_at).order_by(CheckResultRow.id.desc()).limit(1))
            if last is None:
                return None
            rows = session.execute(
                select(CheckResultRow.check_id, CheckResultRow.status, CheckResultRow.summary, CheckResultRow.phrase)
                .where(CheckResultRow.run_at == last).order_by(CheckResultRow.id)
            ).all()
        results = tuple(StoredResult(check_id, stored_status(status), phrase_from_json(phrase, summary, SUMMARY_LIMIT))
                        for check_id, status, summary, phrase in rows)
        return StoredRun(last, results)

    def last_verdict(self) -> Status | None:
        """The verdict of the previous recorded run (for 'became critical' notifications)."""
        with self._db.read() as session:
            last = session.scalar(select(CheckResultRow.run_at).order_by(CheckResultRow.id.desc()).limit(1))
            if last is None:
                return None
            statuses = session.scalars(select(CheckResultRow.status).where(CheckResultRow.run_at == last)).all()
        worst = max((stored_status(s) for s in statuses), key=lambda s: s.severity, default=Status.OK)
        return Status.WARNING if worst is Status.UNKNOWN else (Status.OK if worst is Status.SKIPPED else worst)
