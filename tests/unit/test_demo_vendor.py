"""--demo's embedded vendor: what it publishes and the sample requests it seeds, on a real demo runtime."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from app.bootstrap import bootstrap
from app.infra.paths import AppPaths
from app.infra.resources import resources_dir
from app.runtime import Runtime
from tests.helpers import FixedClock

pytest.importorskip("uvicorn", reason="the demo vendor needs the vendor extras (pip install -e '.[vendor]')")

from vendor_server.embedded import SUMMARY_LIMIT, cut_summary  # noqa: E402


@pytest.fixture
def demo_runtime(app_paths: AppPaths, demo_clock: FixedClock) -> Iterator[Runtime]:
    runtime = bootstrap(demo=True, paths=app_paths, install_crash_handler=False, clock=demo_clock)
    assert runtime.demo_vendor is not None, "the embedded vendor did not start (see the log)"
    yield runtime
    runtime.close()


@pytest.mark.parametrize(
    "text, limit, cut",
    [
        ("nhiều hóa đơn vẫn phải chuyển khoản.", 100, "nhiều hóa đơn vẫn phải chuyển khoản."),  # fits: kept as is
        # The old cut at a fixed length ended in "chu" (of "chuyển"); now the cut falls before the word.
        ("vẫn phải chuyển khoản", 12, "vẫn phải…"),
        ("vẫn phải chuyển khoản", 9, "vẫn phải…"),  # the limit falls on the space: the word before is whole
        ("Hạn mức, tính theo ngày", 9, "Hạn mức…"),  # no dangling comma before the ellipsis
        ("https://thuvienphapluat.vn/van-ban", 10, "https://t…"),  # one word longer than the limit: cut inside
    ],
)
def test_summaries_are_cut_after_a_whole_word(text: str, limit: int, cut: str) -> None:
    assert cut_summary(text, limit) == cut
    assert len(cut_summary(text, limit)) <= limit


def test_the_demo_publishes_the_decree_232_summary_whole(demo_runtime: Runtime) -> None:
    """Its conclusion ("... vẫn phải chuyển khoản.") used to be cut off at 500 characters, mid-word."""
    summary = json.loads((resources_dir() / "regulation" / "nd-232-2025.json").read_text(encoding="utf-8"))[
        "summary_vi"]
    assert len(summary) <= SUMMARY_LIMIT
    metadata = demo_runtime.paths.data_dir / "demo-vendor" / "tuf" / "metadata"
    newest = max(metadata.glob("*.targets.json"), key=lambda path: int(path.name.split(".")[0]))
    targets = json.loads(newest.read_text(encoding="utf-8"))["signed"]["targets"]
    published = next(t["custom"]["summary_vi"] for path, t in targets.items() if "nd-232-2025" in path)
    assert published == summary and published.endswith("vẫn phải chuyển khoản.")


def test_each_sample_request_keeps_its_own_times(demo_runtime: Runtime, demo_clock: FixedClock) -> None:
    """Saved when it was opened and sent a minute later: never 'sent at 20:52' beside 'saved at 21:52'."""
    requests = demo_runtime.support.all()
    assert len(requests) == 3  # the demo: a resolved one, a conversation with a visit, a proposal waiting
    for request in requests:
        events = {event.kind: event.at for event in demo_runtime.support.events(request.id)}
        assert request.opened_at < demo_clock() - dt.timedelta(minutes=30)  # samples from the shop's past
        assert events["created"] == request.opened_at
        assert events["sent"] == request.opened_at + dt.timedelta(minutes=1)


def test_the_demo_publishes_the_2026_and_2027_calendars_and_its_updater_installs_them(
        demo_runtime: Runtime) -> None:
    from app.updates.service import Updater

    metadata = demo_runtime.paths.data_dir / "demo-vendor" / "tuf" / "metadata"
    newest = max(metadata.glob("*.targets.json"), key=lambda path: int(path.name.split(".")[0]))
    targets = json.loads(newest.read_text(encoding="utf-8"))["signed"]["targets"]
    assert {"calendar/vendor-calendar-2026-1.0.0.json", "calendar/vendor-calendar-2027-1.0.1.json"} <= set(targets)
    assert demo_runtime.working_calendar().source_for(2027).is_estimate  # nothing installed yet
    run = Updater(demo_runtime).run()
    assert run.error is None
    calendar = demo_runtime.working_calendar()
    assert [calendar.source_for(year).is_estimate for year in (2026, 2027, 2028)] == [False, False, True]
    assert calendar.is_working_day(dt.date(2027, 5, 3))  # the vendor's 2027: Monday after Sat 1/5 is worked
