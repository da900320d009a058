from __future__ import annotations

import threading
import time

import pytest

from app.health.context import CheckContext, NotConfigured
from app.health.model import Category, Check, Status, result
from app.health.runner import run_checks
from app.infra.settings import Settings


def check(check_id: str, status: Status = Status.OK, *, sleep: float = 0.0, depends: tuple[str, ...] = (),
          timeout: float = 5.0, record: list[str] | None = None) -> Check:
    def run(_ctx: CheckContext):
        if record is not None:
            record.append(f"start:{check_id}")
        time.sleep(sleep)
        return result(status, f"{check_id} {status.value}")

    return Check(check_id, f"Kiểm tra {check_id}", Category.SYSTEM, run, timeout=timeout, depends_on=depends)


@pytest.fixture
def ctx() -> CheckContext:
    return CheckContext(Settings())


def test_checks_run_concurrently(ctx: CheckContext) -> None:
    checks = [check(f"c{n}", sleep=0.3) for n in range(6)]
    started = time.monotonic()
    report = run_checks(checks, ctx)
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 * 3  # six 0.3 s checks, nowhere near 1.8 s in sequence
    assert [r.check_id for r in report.results] == [c.id for c in checks]  # display order kept
    assert all(r.duration_ms >= 290 for r in report.results)


def test_a_hung_check_is_unknown_and_the_run_still_finishes_on_time(ctx: CheckContext) -> None:
    release = threading.Event()

    def hang(_ctx: CheckContext):
        release.wait(30)
        return result(Status.OK, "late")

    checks = [Check("hang", "Treo", Category.SYSTEM, hang, timeout=0.5), check("fine")]
    started = time.monotonic()
    report = run_checks(checks, ctx)
    assert time.monotonic() - started < 2
    hung = report.by_id()["hang"]
    assert hung.status is Status.UNKNOWN and "Quá thời gian chờ" in hung.summary
    assert report.by_id()["fine"].status is Status.OK
    release.set()


def test_dependants_of_a_failed_check_are_skipped_with_the_cause_named(ctx: CheckContext) -> None:
    calls: list[str] = []
    checks = [
        check("db", Status.CRITICAL, record=calls),
        check("integrity", depends=("db",), record=calls),
        check("backup", depends=("integrity",), record=calls),
        check("disk", record=calls),
    ]
    report = run_checks(checks, ctx)
    results = report.by_id()
    assert results["integrity"].status is Status.SKIPPED
    assert "Kiểm tra db" in results["integrity"].summary
    assert results["backup"].status is Status.SKIPPED  # one root cause, one red line
    assert sorted(calls) == ["start:db", "start:disk"]
    assert [r.status for r in report.results].count(Status.CRITICAL) == 1


def test_a_warning_does_not_stop_dependants(ctx: CheckContext) -> None:
    report = run_checks([check("db", Status.WARNING), check("integrity", depends=("db",))], ctx)
    assert report.by_id()["integrity"].status is Status.OK


def test_crashes_and_missing_settings_are_reported_not_raised(ctx: CheckContext) -> None:
    def crash(_ctx: CheckContext):
        raise ZeroDivisionError("chia cho 0")

    def unconfigured(_ctx: CheckContext):
        raise NotConfigured("chưa khai báo máy in")

    report = run_checks([Check("crash", "Lỗi", Category.SYSTEM, crash),
                         Check("printers", "Máy in", Category.DEVICES, unconfigured)], ctx)
    assert report.by_id()["crash"].status is Status.UNKNOWN
    assert "ZeroDivisionError" in report.by_id()["crash"].summary
    skipped = report.by_id()["printers"]
    assert skipped.status is Status.SKIPPED and "chưa khai báo máy in" in skipped.summary


def test_progress_and_cancel(ctx: CheckContext) -> None:
    seen: list[float] = []
    run_checks([check("a"), check("b"), check("c")], ctx, progress=lambda f, _m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) == 3
    cancel = threading.Event()
    cancel.set()
    cancelled = run_checks([check("slow", sleep=1)], ctx, cancel=cancel)
    assert cancelled.cancelled and cancelled.results == ()


@pytest.mark.parametrize(
    "statuses, verdict",
    [
        ([Status.OK, Status.SKIPPED], Status.OK),
        ([Status.OK, Status.UNKNOWN], Status.WARNING),
        ([Status.WARNING, Status.OK], Status.WARNING),
        ([Status.WARNING, Status.CRITICAL, Status.UNKNOWN], Status.CRITICAL),
    ],
)
def test_verdict_is_the_worst_result(ctx: CheckContext, statuses, verdict) -> None:
    report = run_checks([check(f"c{i}", s) for i, s in enumerate(statuses)], ctx)
    assert report.verdict is verdict


def test_a_cancelled_run_tells_the_checks_still_at_work(shop_settings: Settings) -> None:
    # The heavy checks (the database copy, a backup's unpacking) watch ctx.cancel; "Dừng" set only the runner's
    # own event, so they went on copying hundreds of MB after the run had returned.
    pressed, told = threading.Event(), threading.Event()

    def slow(ctx: CheckContext) -> object:
        pressed.set()  # the cashier presses Dừng while this check runs
        if ctx.cancel.wait(10):
            told.set()
        return result(Status.OK, "done")

    ctx = CheckContext(shop_settings)
    report = run_checks([Check("slow", "Chậm", Category.SYSTEM, slow, timeout=30)], ctx, cancel=pressed)
    assert report.cancelled
    assert told.wait(5)
