"""The newest recorded run, read back from the real history table, as the window shows it at start."""

from __future__ import annotations

import datetime as dt
import sqlite3

from app.health.model import CheckResult, HealthReport, Status
from app.health.service import latest_stored, run_health
from app.runtime import Runtime
from app.shop.demo import DemoShop
from app.storage.check_history import CheckHistory
from app.storage.tables import CheckResultRow


def report_at(at: dt.datetime, *results: tuple[str, Status, str]) -> HealthReport:
    return HealthReport(at - dt.timedelta(seconds=3), at, tuple(CheckResult(i, s, t) for i, s, t in results), {})


def test_nothing_stored_before_the_first_run(runtime: Runtime) -> None:
    assert CheckHistory(runtime.database).latest_run() is None
    assert latest_stored(runtime) is None


def test_the_newest_run_comes_back_whole_and_in_order(runtime: Runtime) -> None:
    history = CheckHistory(runtime.database)
    t0 = dt.datetime(2026, 11, 25, 13, 0, tzinfo=dt.UTC)
    history.record(report_at(t0, ("disk.free", Status.OK, "Ổ C: còn 79,3 GB")))
    history.record(report_at(t0 + dt.timedelta(hours=1),
                             ("invoices.sequence", Status.CRITICAL, "Thiếu hóa đơn 1C26TVG-0000070"),
                             ("disk.free", Status.WARNING, "Ổ C: còn 7,3 GB")))
    stored = history.latest_run()
    assert stored is not None
    assert stored.run_at == t0 + dt.timedelta(hours=1) and stored.run_at.utcoffset() == dt.timedelta(0)
    assert [(r.check_id, r.status, r.summary) for r in stored.results] == [
        ("invoices.sequence", Status.CRITICAL, "Thiếu hóa đơn 1C26TVG-0000070"),
        ("disk.free", Status.WARNING, "Ổ C: còn 7,3 GB"),
    ]


def test_a_status_from_a_newer_version_reads_as_unknown_not_as_a_crash(runtime: Runtime) -> None:
    at = dt.datetime(2026, 11, 25, 13, 0, tzinfo=dt.UTC)
    with runtime.database.write() as session:
        session.add(CheckResultRow(run_at=at, check_id="future.check", status="degraded", summary="…"))
    stored = CheckHistory(runtime.database).latest_run()
    assert stored is not None and stored.results[0].status is Status.UNKNOWN
    found = latest_stored(runtime)
    assert found is not None and found[1]["future.check"].status is Status.UNKNOWN


def test_a_run_recorded_elsewhere_reads_back_as_a_report_with_titles_and_since(
    runtime: Runtime, demo_shop: DemoShop
) -> None:
    """What the agent or `pmv-support check` recorded is what the window gets: statuses, summaries, when."""
    with sqlite3.connect(demo_shop.pos_database) as conn:  # one invoice number missing: critical
        (missing,) = conn.execute("SELECT number FROM invoices ORDER BY number DESC LIMIT 1 OFFSET 2").fetchone()
        conn.execute("DELETE FROM invoices WHERE number = ?", (missing,))
    ran = run_health(runtime)  # records, as any process running the checks does
    found = latest_stored(runtime)
    assert found is not None
    report, states = found
    assert report.finished_at == ran.finished_at  # the time it was made, to the microsecond
    assert [(r.check_id, r.status, r.summary) for r in report.results] == [
        (r.check_id, r.status, r.summary[:500]) for r in ran.results]
    assert report.verdict is Status.CRITICAL
    assert report.titles["invoices.sequence"] == ran.titles["invoices.sequence"] == "Số hóa đơn liên tục"
    assert states["invoices.sequence"].status is Status.CRITICAL
    assert all(r.remedy is None and not r.details for r in report.results)  # not kept: the page says so
