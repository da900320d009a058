"""The tray's job process: its report so far is on disk after each job, for a process stopped mid-way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import app.background.job_process as job_process
from app.runtime import Runtime


def test_the_report_so_far_is_written_after_each_job(runtime: Runtime, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by the review of the background jobs: the report was written only after the last job. A slow update
    # (the tray stops a process after 15 minutes) lost it, and with it the checks' "became critical", which the
    # stored verdict says only once: the cashier was never told.
    report_file = tmp_path / "report.json"
    seen_during_updates: list[dict] = []

    def slow_update(_runtime: Runtime) -> dict:
        # Where the tray would stop the process: what is on disk now is all it gets.
        seen_during_updates.append(json.loads(report_file.read_text(encoding="utf-8")))
        raise TimeoutError("a large download on a slow line")

    monkeypatch.setattr(job_process, "_updates", slow_update)
    report = job_process.run_tray_jobs(runtime, ["health", "updates"], tray_pid=1, report_to=report_file)
    (so_far,) = seen_during_updates
    assert so_far["done"] == ["health"] and so_far["health"]["verdict"] in ("ok", "warning", "critical")
    assert "became_critical" in so_far["health"]
    assert report["done"] == ["health", "updates"] and "updates" in report["errors"]  # it ran, and failed
    assert json.loads(report_file.read_text(encoding="utf-8"))["done"] == ["health", "updates"]


def test_a_process_that_ran_no_job_says_no_done_list(runtime: Runtime, tmp_path: Path) -> None:
    from app.background.jobs import agent_lock

    lock = agent_lock(runtime.paths.data_dir)  # another process runs the jobs
    assert lock is not None
    try:
        report = job_process.run_tray_jobs(runtime, ["health"], tray_pid=1, report_to=tmp_path / "r.json")
    finally:
        lock.release()
    assert report["skipped"] == job_process.SKIPPED_AGENT_ELSEWHERE and "done" not in report
