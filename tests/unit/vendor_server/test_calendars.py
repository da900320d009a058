"""The vendor server's calendar: the calendar packs its own TUF repository publishes (a real repository on disk,
written by the publishing tool). Facts as in tests/unit/support/test_calendar_pack.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

pytest.importorskip("tuf", reason="the vendor server needs python-tuf")

from vendor_server import tuf_repo  # noqa: E402
from vendor_server.calendars import PublishedCalendars  # noqa: E402

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "calendar"


def _variant(tmp: Path, year: int, version: str, extra_off: str | None = None) -> Path:
    pack = json.loads((RESOURCES / f"vendor-calendar-{year}.json").read_text(encoding="utf-8"))
    pack["version"] = version
    if extra_off:
        pack["days_off"].append({"date": extra_off, "name_vi": "Nghỉ thêm"})
    out = tmp / version / f"vendor-calendar-{year}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    folders = tmp_path / "tuf", tmp_path / "keys"
    tuf_repo.init_repo(*folders)
    return folders


def test_no_pack_is_the_estimate(repo: tuple[Path, Path]) -> None:
    calendar = PublishedCalendars(repo[0]).calendar()
    assert calendar.source_for(2026).is_estimate
    assert not calendar.is_working_day(dt.date(2026, 11, 24))  # the package's 24/11
    assert PublishedCalendars(None).calendar().source_for(2026).is_estimate  # a server without a data folder


def test_the_newest_stable_version_of_each_year_counts(repo: tuple[Path, Path], tmp_path: Path) -> None:
    published = PublishedCalendars(repo[0])
    tuf_repo.add_target(*repo, RESOURCES / "vendor-calendar-2026.json", kind="calendar", version="1.0.0")
    assert published.calendar().is_working_day(dt.date(2026, 1, 3))  # the vendor's Saturday morning
    assert published.calendar().is_working_day(dt.date(2026, 11, 24))  # the pack, not the package
    tuf_repo.add_target(*repo, _variant(tmp_path, 2026, "1.1.0", "2026-01-03"), kind="calendar", version="1.1.0")
    assert not published.calendar().is_working_day(dt.date(2026, 1, 3))  # re-read once the repository changed
    tuf_repo.add_target(*repo, _variant(tmp_path, 2027, "1.0.0"), kind="calendar", version="1.0.0",
                        channel="beta")
    assert published.calendar().source_for(2027).is_estimate  # beta: not what every shop has


def test_a_version_still_in_a_staged_rollout_does_not_count_until_every_shop_takes_it(
        repo: tuple[Path, Path], tmp_path: Path) -> None:
    """The shops install a calendar as any release: only within its rollout_percent (DESIGN.md, staged rollout).
    A version paused at 0 % (found wrong) or offered to 10 % is not what the shops count on, so the server does
    not hold its staff to it either."""
    published = PublishedCalendars(repo[0])
    tuf_repo.add_target(*repo, RESOURCES / "vendor-calendar-2026.json", kind="calendar", version="1.0.0")
    newer = tuf_repo.add_target(*repo, _variant(tmp_path, 2026, "1.1.0", "2026-01-03"), kind="calendar",
                                version="1.1.0", rollout_percent=10)
    assert published.calendar().source_for(2026).version == "1.0.0"
    assert published.calendar().is_working_day(dt.date(2026, 1, 3))
    tuf_repo.set_rollout(*repo, newer.path, 0)  # paused
    assert published.calendar().source_for(2026).version == "1.0.0"
    tuf_repo.set_rollout(*repo, newer.path, 100)  # every shop
    assert published.calendar().source_for(2026).version == "1.1.0"
    assert not published.calendar().is_working_day(dt.date(2026, 1, 3))


def test_a_damaged_stored_file_falls_back_to_the_version_before(repo: tuple[Path, Path], tmp_path: Path) -> None:
    tuf_repo.add_target(*repo, RESOURCES / "vendor-calendar-2026.json", kind="calendar", version="1.0.0")
    newer = tuf_repo.add_target(*repo, _variant(tmp_path, 2026, "1.1.0", "2026-01-03"), kind="calendar",
                                version="1.1.0")
    stored = repo[0] / "targets" / "calendar" / f"{newer.sha256}.vendor-calendar-2026-1.1.0.json"
    stored.write_bytes(stored.read_bytes().replace(b"2026-01-03", b"2026-01-05"))
    calendar = PublishedCalendars(repo[0]).calendar()
    assert calendar.source_for(2026).version == "1.0.0"  # what the shops keep too: TUF refuses the damaged one
    assert calendar.is_working_day(dt.date(2026, 1, 3)) and calendar.is_working_day(dt.date(2026, 1, 5))


def test_the_publishing_tool_names_the_target_by_the_pack(repo: tuple[Path, Path], tmp_path: Path) -> None:
    done = tuf_repo.add_target(*repo, RESOURCES / "vendor-calendar-2027.json", kind="calendar", version="1.0.1")
    assert done.path == "calendar/vendor-calendar-2027-1.0.1.json"
    assert done.custom["effective_date"] == "2027-01-01" and done.custom["title_vi"].startswith("Lịch làm việc")
    with pytest.raises(tuf_repo.TufRepoError, match="vendor-calendar-2027"):
        tuf_repo.add_target(*repo, RESOURCES / "vendor-calendar-2027.json", kind="calendar", version="1.0.1",
                            target_id="vendor-calendar-2026")
    with pytest.raises(tuf_repo.TufRepoError, match="2027-01-01"):
        tuf_repo.add_target(*repo, RESOURCES / "vendor-calendar-2027.json", kind="calendar", version="1.0.1",
                            effective_date="2027-02-01")


def test_the_command_lines_read_the_repository_the_settings_name(repo: tuple[Path, Path], tmp_path: Path) -> None:
    """`pmv-vendor ticket ...` counted close_after on <data>/tuf while `serve` published to `tuf_repo`."""
    tuf_repo.add_target(*repo, _variant(tmp_path, 2026, "1.1.0", "2026-01-03"), kind="calendar", version="1.1.0")
    elsewhere = PublishedCalendars.of_settings({"data": tmp_path / "data", "tuf_repo": repo[0]}).calendar()
    assert elsewhere.source_for(2026).version == "1.1.0" and not elsewhere.is_working_day(dt.date(2026, 1, 3))
    default = PublishedCalendars.of_settings({"data": tmp_path / "data"}).calendar()
    assert default.source_for(2026).is_estimate  # nothing published under <data>/tuf
