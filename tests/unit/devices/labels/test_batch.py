"""A run of numbered tags: codes, the bytes a real worker process renders, refusal, cancel and a killed worker."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import replace

import pytest

from app.devices.labels import (
    LabelTemplate,
    TagFieldError,
    TagRefused,
    VerifyProblem,
    batch,
    demo_tag,
    load_template,
    prepare_job,
)
from app.devices.labels.batch import MAX_RUN, RunFailed, numbered_tags, render_run
from app.devices.labels.model import templates_dir


def _silent_worker(conn, *_args) -> None:  # type: ignore[no-untyped-def]
    """Stands in for a worker stuck before its first chunk (a hung import, an antivirus holding it)."""
    time.sleep(30)


def test_codes_count_up_from_the_entered_code_keeping_its_width() -> None:
    tags = numbered_tags(replace(demo_tag(), item_code="N-0098"), 4)
    assert [tag.item_code for tag in tags] == ["N-0098", "N-0099", "N-0100", "N-0101"]
    assert {tag.product_name for tag in tags} == {demo_tag().product_name}  # only the code changes


def test_a_run_past_the_width_grows_the_number_and_too_long_a_code_is_refused() -> None:
    assert [t.item_code for t in numbered_tags(replace(demo_tag(), item_code="A98"), 3)] == ["A98", "A99", "A100"]
    with pytest.raises(TagFieldError) as refused:
        numbered_tags(replace(demo_tag(), item_code="X" * 39 + "9"), 2)  # X…X10 has 41 characters
    assert (refused.value.field, refused.value.reason) == ("item_code", "too_long")


@pytest.mark.parametrize(("code", "count", "field", "reason"), [
    ("NHAN-A", 3, "item_code", "no_number"),
    ("75000001", 0, "count", "out_of_range"),
    ("75000001", MAX_RUN + 1, "count", "out_of_range"),
])
def test_runs_that_cannot_be_numbered_are_refused(code: str, count: int, field: str, reason: str) -> None:
    with pytest.raises(TagFieldError) as refused:
        numbered_tags(replace(demo_tag(), item_code=code), count)
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_the_worker_process_renders_every_tag_in_order_exactly_as_one_tag_at_a_time() -> None:
    template = load_template()
    tags = numbered_tags(demo_tag(), 60)
    seen: list[tuple[float, str]] = []
    data = render_run(tags, template, "tspl", 203, cancel=threading.Event(),
                      progress=lambda fraction, code: seen.append((fraction, code)), chunk=25)
    assert data == b"".join(prepare_job(tag, template, "tspl", 203)[0] for tag in tags)
    assert seen == [(25 / 60, "75000025"), (50 / 60, "75000050"), (1.0, "75000060")]
    assert multiprocessing.active_children() == []  # the worker is gone once the run is rendered


def code128_only():  # type: ignore[no-untyped-def]
    """The rat-tail template asking for Code 128 only (a shop whose scanners read no 2D codes)."""
    data = json.loads((templates_dir() / "rat_tail_75x10.json").read_text(encoding="utf-8"))
    return LabelTemplate.from_dict({**data, "symbology": "code128"})


def test_a_tag_that_would_not_scan_stops_the_run_with_its_reason() -> None:
    # At 203 dpi the demo shop's PMV-style code does not fit the 30 mm rat-tail head as Code 128 (verify.py).
    tags = [*numbered_tags(demo_tag(), 3), replace(demo_tag(), item_code="PMV75000001"),
            *numbered_tags(demo_tag(), 900)]
    seen: list[float] = []
    with pytest.raises(TagRefused) as refused:
        render_run(tags, code128_only(), "zpl", 203, cancel=threading.Event(),
                   progress=lambda f, _c: seen.append(f), chunk=2)
    assert refused.value.problem is VerifyProblem.TOO_LONG_FOR_LABEL  # the reason crosses the process boundary
    assert seen == [2 / len(tags)]  # stopped at the refused tag's chunk, the 900 after it never reported
    assert multiprocessing.active_children() == []


def test_cancel_stops_the_worker_at_once_not_after_the_whole_run() -> None:
    tags, template = numbered_tags(demo_tag(), 600), load_template()
    started = time.monotonic()
    assert render_run(tags, template, "zpl", 203, cancel=threading.Event(), progress=lambda *_: None, chunk=10)
    whole_run = time.monotonic() - started
    cancel = threading.Event()
    seen: list[float] = []

    def progress(fraction: float, _code: str) -> None:
        seen.append(fraction)
        cancel.set()

    started = time.monotonic()
    assert render_run(tags, template, "zpl", 203, cancel=cancel, progress=progress, chunk=10) is None
    assert time.monotonic() - started < whole_run * 0.6  # the worker was stopped, not waited for
    assert seen == [10 / 600]
    assert multiprocessing.active_children() == []


def test_a_run_cancelled_before_it_starts_starts_no_process() -> None:
    cancel = threading.Event()
    cancel.set()
    assert render_run(numbered_tags(demo_tag(), 5), load_template(), "zpl", 203, cancel=cancel,
                      progress=lambda *_: None) is None
    assert multiprocessing.active_children() == []


def test_a_worker_that_goes_silent_fails_the_run_and_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_worker", _silent_worker)
    monkeypatch.setattr(batch, "STALL_S", 1.0)
    with pytest.raises(RunFailed, match="sent nothing"):
        render_run(numbered_tags(demo_tag(), 5), load_template(), "zpl", 203, cancel=threading.Event(),
                   progress=lambda *_: None)
    assert multiprocessing.active_children() == []


def test_a_killed_worker_is_reported_not_hung_on() -> None:
    def progress(_fraction: float, _code: str) -> None:
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(RunFailed, match="stopped"):
        render_run(numbered_tags(demo_tag(), 300), load_template(), "zpl", 203, cancel=threading.Event(),
                   progress=progress, chunk=10)
