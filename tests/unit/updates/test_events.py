"""The events the updater makes: the wire's vocabulary, told once where once is the rule, never a reason to fail."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.updates.events import HELD_BACK_KEY, EventRecorder, refused_role, trusted_versions
from app.updates.targets import AvailableTarget, UpdateError, UpdateErrorKind
from pmv_protocol.fleet import TargetKind, UpdateEvent, UpdateEventKind, UpdateSource
from tests.helpers import FixedClock, MemoryStore

NOW = dt.datetime(2026, 11, 25, 2, 30, tzinfo=dt.UTC)  # 09:30 in the shop


class ListSink:
    """An outbox that keeps what it is given, in order."""

    def __init__(self) -> None:
        self.events: list[UpdateEvent] = []

    def record_event(self, event: UpdateEvent) -> None:
        self.events.append(event)


class BrokenSink:
    """An outbox whose database has gone (a full disk, a locked file)."""

    def record_event(self, event: UpdateEvent) -> None:
        raise OSError(28, "No space left on device")


def target(kind: str = "regulation", version: str = "1.1.0", target_id: str = "nd-232-2025") -> AvailableTarget:
    return AvailableTarget(path=f"{kind}/{target_id}-{version}.json", length=10, hashes={"sha256": "0" * 64},
                           kind=kind, version=version, target_id=target_id, rollout_percent=10)


def recorder(sink: object, source: UpdateSource = UpdateSource.ONLINE) -> EventRecorder:
    return EventRecorder(lambda: sink, FixedClock(NOW), source)  # type: ignore[arg-type,return-value]


def test_each_event_is_the_wires_with_the_shops_time_and_its_source() -> None:
    sink = ListSink()
    events = recorder(sink, UpdateSource.USB)
    events.downloaded(target())
    events.installed(target(), "1.0.0")
    events.downloaded(target("app", "9.9.0", "pmv-support"))
    events.refused(target("calendar", "1.0.0", "vendor-calendar-2026"), UpdateError(UpdateErrorKind.HASH_MISMATCH))
    told = [(e.kind.value, e.target_kind.value, e.target_id, e.version, e.from_version, e.reason) for e in sink.events]
    assert told == [
        ("downloaded", "pack", "nd-232-2025", "1.1.0", None, None),
        ("installed", "pack", "nd-232-2025", "1.1.0", "1.0.0", None),
        ("downloaded", "app", "app", "9.9.0", None, None),  # an app build is "app" on the wire
        ("refused", "calendar", "vendor-calendar-2026", "1.0.0", None, "hash_mismatch"),
    ]
    assert {e.source for e in sink.events} == {UpdateSource.USB}
    assert {e.at.isoformat() for e in sink.events} == {"2026-11-25T09:30:00+07:00"}
    assert len({e.id for e in sink.events}) == 4


def test_only_a_security_refusal_is_told() -> None:
    sink = ListSink()
    events = recorder(sink)
    for kind in UpdateErrorKind:
        events.refused(target(), UpdateError(kind))
        events.refused_metadata(UpdateError(kind, "timestamp.json is expired"), {"timestamp": "7"})
    assert sorted({e.reason for e in sink.events if e.reason}) == ["hash_mismatch", "security", "too_large"]
    metadata = [e for e in sink.events if e.target_kind.value == "metadata"]
    assert {(e.target_id, e.version) for e in metadata} == {("metadata", "7")}


def test_a_pos_profile_is_not_a_kind_the_vendor_counts() -> None:
    sink = ListSink()
    recorder(sink).downloaded(target("pos-profile", "2.1", "pmv-pos-5"))
    assert sink.events == []


def test_held_back_is_told_once_per_release() -> None:
    sink, state = ListSink(), MemoryStore()
    events = recorder(sink)
    assert events.held_back(target(), 42, state) is True
    assert events.held_back(target(), 42, state) is False  # the next run: already told
    assert events.held_back(target(version="1.2.0"), 7, state) is True  # another release
    assert [(e.kind, e.version, e.bucket) for e in sink.events] == [
        (UpdateEventKind.HELD_BACK, "1.1.0", 42), (UpdateEventKind.HELD_BACK, "1.2.0", 7)]
    assert state.get(HELD_BACK_KEY) == ["pack:nd-232-2025:1.1.0", "pack:nd-232-2025:1.2.0"]


def test_a_held_back_release_not_stored_is_told_at_the_next_run() -> None:
    state = MemoryStore()
    assert recorder(BrokenSink()).held_back(target(), 42, state) is False
    assert state.get(HELD_BACK_KEY) is None
    sink = ListSink()
    assert recorder(sink).held_back(target(), 42, state) is True and len(sink.events) == 1


def test_an_event_that_cannot_be_stored_or_made_is_logged_and_the_update_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    assert recorder(BrokenSink()).record(UpdateEventKind.DOWNLOADED, TargetKind.PACK, "nd-232-2025", "1.0") \
        is None
    sink = ListSink()
    # A version the wire cannot carry (a space): not sent, not raised.
    assert recorder(sink).record(UpdateEventKind.DOWNLOADED, TargetKind.PACK, "nd-232-2025", "1 0") is None
    assert sink.events == []

    def no_outbox() -> object:
        raise AttributeError("no fleet outbox in this build")

    assert EventRecorder(no_outbox, FixedClock(NOW)).record(  # type: ignore[arg-type]
        UpdateEventKind.DOWNLOADED, TargetKind.PACK, "nd-232-2025", "1.0") is None
    assert caplog.text.count("could not record the update event") == 3


@pytest.mark.parametrize(("detail", "role"), [
    ("ExpiredMetadataError: timestamp.json is expired", "timestamp"),
    ("BadVersionNumberError: New snapshot version 2 must be >= 3", "snapshot"),
    ("UnsignedMetadataError: root was signed by 0/1 keys", "root"),
    ("UnsignedMetadataError: New targets is expired", "targets"),
    ("LengthOrHashMismatchError: Observed hash 4bd3 does not match expected hash ac2e", "timestamp"),
])
def test_the_refused_role_is_read_from_python_tufs_words(detail: str, role: str) -> None:
    assert refused_role(UpdateError(UpdateErrorKind.SECURITY, detail)) == role


def test_trusted_versions_are_read_from_the_stored_metadata(tmp_path: Path) -> None:
    (tmp_path / "timestamp.json").write_text(json.dumps({"signed": {"version": 12}}), encoding="utf-8")
    (tmp_path / "snapshot.json").write_text("not json", encoding="utf-8")
    (tmp_path / "targets.json").write_text(json.dumps({"signed": {"version": "3"}}), encoding="utf-8")
    assert trusted_versions(tmp_path) == {"root": "0", "timestamp": "12", "snapshot": "0", "targets": "0"}
