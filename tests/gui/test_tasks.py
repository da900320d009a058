from __future__ import annotations

import threading
import time

import pytest
from pytestqt.qtbot import QtBot

from app.ui.tasks import TaskCancelled, TaskRunner, when_all_done
from app.ui.widgets.task_progress import TaskProgress


@pytest.fixture
def runner() -> TaskRunner:
    return TaskRunner()


def test_work_runs_in_a_worker_and_results_arrive_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    gui_thread = threading.get_ident()
    seen: dict[str, object] = {}

    def job() -> int:
        seen["job_thread"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_thread"] = threading.get_ident()

    task = runner.run(job, on_success=done)
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert seen["result"] == 42
    assert seen["job_thread"] != gui_thread
    assert seen["callback_thread"] == gui_thread


def test_progress_is_delivered_in_order_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    gui_thread = threading.get_ident()
    updates: list[tuple[float, str, bool]] = []

    def job(cancel: threading.Event, progress) -> str:
        for step in range(1, 5):
            progress(step / 4, f"bước {step}")
            time.sleep(0.12)  # slower than the progress rate limit (and each a new step), so every step shows
        return "xong"

    task = runner.run_job(
        job, on_progress=lambda f, m: updates.append((f, m, threading.get_ident() == gui_thread))
    )
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert updates == [(0.25, "bước 1", True), (0.5, "bước 2", True), (0.75, "bước 3", True), (1.0, "bước 4", True)]


def test_a_flood_of_progress_reaches_the_gui_rate_limited_and_ends_complete(qtbot: QtBot, runner: TaskRunner) -> None:
    updates: list[float] = []

    def job(cancel: threading.Event, progress) -> None:
        for item in range(1, 1001):
            progress(item / 1000, "")

    task = runner.run_job(job, on_progress=lambda f, _m: updates.append(f))
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert 1 <= len(updates) < 50 and updates[-1] == 1.0


def test_cancel_stops_the_job_and_reports_cancelled_not_success(qtbot: QtBot, runner: TaskRunner) -> None:
    started = threading.Event()
    outcome: list[str] = []

    def job(cancel: threading.Event, progress) -> None:
        started.set()
        while not cancel.wait(0.01):
            pass
        raise TaskCancelled

    task = runner.run_job(job, on_success=lambda _r: outcome.append("success"),
                          on_cancelled=lambda: outcome.append("cancelled"), cancellable=True)
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert outcome == ["cancelled"]


def test_a_core_job_that_stops_on_cancel_reports_cancelled(qtbot: QtBot, runner: TaskRunner) -> None:
    """Feature code raises the core's Cancelled (app.infra.job_protocol); the runner knows it as TaskCancelled."""
    from app.infra.job_protocol import Cancelled, raise_if_cancelled

    assert TaskCancelled is Cancelled
    outcome: list[str] = []

    def job(cancel: threading.Event, progress) -> None:
        cancel.wait(5)
        raise_if_cancelled(cancel, "stopped")

    task = runner.run_job(job, on_success=lambda _r: outcome.append("success"),
                          on_failure=lambda _e: outcome.append("failure"),
                          on_cancelled=lambda: outcome.append("cancelled"), cancellable=True)
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert outcome == ["cancelled"]


def test_failures_reach_the_failure_callback_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    gui_thread = threading.get_ident()
    errors: list[tuple[BaseException, bool]] = []

    def job() -> None:
        raise OSError("ổ đĩa đầy")

    task = runner.run(job, on_failure=lambda exc: errors.append((exc, threading.get_ident() == gui_thread)))
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert len(errors) == 1
    assert isinstance(errors[0][0], OSError) and errors[0][1]


def test_runner_reports_busy_and_idle(qtbot: QtBot, runner: TaskRunner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    release = threading.Event()
    first = runner.run(lambda: release.wait(5))
    second = runner.run(lambda: release.wait(5))
    assert runner.is_busy() and len(runner.active()) == 2
    release.set()
    qtbot.waitUntil(lambda: first.done and second.done and not runner.is_busy(), timeout=5000)
    assert states == [True, False]


def test_progress_widget_shows_a_titled_task_and_its_cancel_button_cancels(qtbot: QtBot, runner: TaskRunner) -> None:
    widget = TaskProgress(runner)
    qtbot.addWidget(widget)
    widget.show()

    def job(cancel: threading.Event, progress) -> None:
        progress(0.5, "một nửa")
        deadline = time.monotonic() + 5
        while not cancel.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)

    task = runner.run_job(job, title="Đang kiểm tra", cancellable=True)
    assert widget.isVisible() and widget.cancel_button.isVisible()
    qtbot.waitUntil(lambda: widget.bar.value() == 500, timeout=5000)
    assert "một nửa" in widget.label.text()
    widget.cancel_button.click()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert task.cancel_event.is_set()
    assert not widget.isVisible()


def test_a_job_runs_at_a_lower_os_priority_than_the_gui_thread(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    import os
    import sys
    import threading

    from app.infra.threads import BACKGROUND_NICE
    from app.ui.tasks import TaskRunner

    if sys.platform == "win32":
        return  # nice values are the POSIX form; Windows uses SetThreadPriority

    runner = TaskRunner()
    results: list[int] = []
    runner.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), on_success=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results[0] >= BACKGROUND_NICE
    runner.shutdown(1000)


def test_when_all_done_waits_for_every_task_and_its_callbacks(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    order: list[str] = []
    quick = runner.run(lambda: "quick", on_success=order.append)
    slow = runner.run(lambda: release.wait(10) and "slow", on_success=order.append)
    failing = runner.run(lambda: 1 / 0, on_failure=lambda exc: order.append(type(exc).__name__))
    when_all_done([quick, slow, failing], lambda: order.append("all"))
    qtbot.waitUntil(lambda: quick.done and failing.done)
    assert "all" not in order  # the slow one still runs
    release.set()
    qtbot.waitUntil(lambda: "all" in order)
    assert order[-1] == "all" and sorted(order[:-1]) == ["ZeroDivisionError", "quick", "slow"]
    called: list[bool] = []
    when_all_done([quick, slow], lambda: called.append(True))  # all done already: at once
    assert called == [True]
