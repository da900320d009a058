"""The heartbeat as built from what the demo shop's app keeps: checks, metrics, packs, versions, the outboxes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app import __version__
from app.fleet.heartbeat import (
    HEALTH_KEY,
    CheckSummary,
    TelemetryOff,
    build_heartbeat,
    pos_version,
    read_health,
    telemetry_off_by,
)
from app.health.model import Status
from app.health.service import run_health
from app.infra.resources import resources_dir
from app.runtime import Runtime
from app.shop.demo import POS_VERSION
from app.support.models import Category, Channel, NewRequest, Severity
from app.support.service import raise_request
from app.support.vendor_api import heartbeat_body
from pmv_protocol.fleet import MAX_BODY_BYTES, CheckStatus, Heartbeat, TargetKind, UpdateEvent, UpdateEventKind, Verdict
from pmv_protocol.shop_time import shop_time
from tests.helpers import FixedClock, signed_contract, write_keys_file

KEY = Ed25519PrivateKey.generate()
ND232 = resources_dir() / "regulation" / "nd-232-2025.json"


def install_decree_232(runtime: Runtime) -> str:
    return runtime.pack_store.install(ND232.read_bytes()).version


def test_the_heartbeat_carries_the_last_run_the_packs_the_versions_and_what_waits(runtime: Runtime) -> None:
    version = install_decree_232(runtime)
    report = run_health(runtime)
    request = NewRequest(Category.INCIDENT, Severity.NORMAL, "Máy in hóa đơn không in", "Bấm in không ra giấy",
                         "Chị Lan", "+84903112233", Channel.PHONE)
    raise_request(runtime.support, request, contract=None, calendar=runtime.working_calendar(),
                  opened_at=runtime.clock())
    runtime.fleet.record_event(UpdateEvent(id=str(uuid.uuid4()), at=shop_time(runtime.clock()),
                                           kind=UpdateEventKind.INSTALLED, target_kind=TargetKind.PACK,
                                           target_id="nd-232-2025", version=version))

    beat = build_heartbeat(runtime)

    assert beat.telemetry and beat.app_version == __version__
    assert beat.verdict == Verdict(report.verdict.value)
    assert [(c.id, c.status.value) for c in beat.checks] == [(r.check_id, r.status.value) for r in report.results]
    by_id = {c.id: c for c in beat.checks}
    results = report.by_id()
    for check_id, check in by_id.items():  # every metric of the run, by name, as numbers
        assert check.metrics == {m.name: m.value for m in results[check_id].metrics}, check_id
        assert check.since == shop_time(report.finished_at)
    assert by_id["backup.age"].metrics["age_hours"] == beat.last_backup_age_hours == 23.0
    assert beat.pos_version == POS_VERSION
    assert [(p.id, p.version) for p in beat.packs] == [("nd-232-2025", version)]
    assert beat.outbox_depth == 2  # the request not yet sent and the event
    assert beat.made_at == shop_time(runtime.clock())


def test_no_free_text_leaves_the_shop_only_codes_and_numbers(runtime: Runtime) -> None:
    report = run_health(runtime)
    body = build_heartbeat(runtime).model_dump_json()
    for result in report.results:  # the summaries name customers, invoices, paths: none of it is sent
        assert result.summary not in body
    assert "KH0001" not in body and "Nguy" not in body and str(runtime.paths.data_dir) not in body
    for check in json.loads(body)["checks"]:
        assert all(isinstance(v, (int, float, bool)) for v in check["metrics"].values())


def test_since_is_when_each_check_first_had_its_status(runtime: Runtime, demo_clock: FixedClock) -> None:
    first = run_health(runtime).finished_at
    demo_clock.advance(minutes=30)
    run_health(runtime)
    # The backups go: backup.age turns critical from this run on, the others keep their first run's 'since'.
    backups = runtime.settings.pos.backups_dir
    assert backups is not None
    for backup in backups.iterdir():
        backup.unlink()
    demo_clock.advance(minutes=30)
    third = run_health(runtime)
    assert third.by_id()["backup.age"].status is Status.CRITICAL
    by_id = {c.id: c for c in build_heartbeat(runtime).checks}
    assert by_id["backup.age"].status is CheckStatus.CRITICAL
    assert by_id["backup.age"].since == shop_time(third.finished_at)
    assert by_id["pos.db.connect"].since == shop_time(first)
    assert build_heartbeat(runtime).last_backup_age_hours is None  # no backup, no age


def test_before_any_run_of_this_version_the_history_gives_the_statuses(runtime: Runtime) -> None:
    report = run_health(runtime)
    runtime.state.set(HEALTH_KEY, None)  # as after an upgrade: history recorded, no summary yet
    beat = build_heartbeat(runtime)
    assert [(c.id, c.status.value, c.metrics) for c in beat.checks] == [
        (r.check_id, r.status.value, {}) for r in report.results]
    assert beat.verdict == Verdict(report.verdict.value)


def test_a_shop_never_checked_reports_no_verdict(runtime: Runtime) -> None:
    beat = build_heartbeat(runtime)
    assert beat.telemetry and beat.verdict is None and beat.checks == []


def test_a_contract_saying_telemetry_false_leaves_the_app_version_only(runtime: Runtime, tmp_path: Path) -> None:
    runtime.extra_key_files = [write_keys_file(KEY, tmp_path / "keys.json")]
    runtime.contract_service().accept(signed_contract(KEY, "DEMO-0001", telemetry=False))
    run_health(runtime)
    beat = build_heartbeat(runtime)
    assert beat == Heartbeat(id=beat.id, made_at=beat.made_at, app_version=__version__, telemetry=False)
    assert set(json.loads(beat.model_dump_json(exclude_defaults=True))) == {"id", "made_at", "app_version",
                                                                              "telemetry"}
    assert telemetry_off_by(runtime.contract_service().current(), runtime.settings) is TelemetryOff.CONTRACT


def test_a_contract_allowing_it_sends_the_summary(runtime: Runtime, tmp_path: Path) -> None:
    runtime.extra_key_files = [write_keys_file(KEY, tmp_path / "keys.json")]
    runtime.contract_service().accept(signed_contract(KEY, "DEMO-0001"))
    run_health(runtime)
    assert build_heartbeat(runtime).checks


def test_the_settings_saying_telemetry_false_leave_the_app_version_only(runtime: Runtime) -> None:
    run_health(runtime)
    runtime.settings.fleet.telemetry = False
    beat = build_heartbeat(runtime)
    assert not beat.telemetry and beat.verdict is None and beat.checks == [] and beat.pos_version is None
    assert beat.app_version == __version__
    assert telemetry_off_by(None, runtime.settings) is TelemetryOff.SETTINGS


@pytest.mark.parametrize("written, sent", [("5.9.0 build 12", "5.9.0"), ("v5.8.2", "v5.8.2"),
                                           ("  ", None), ("Phiên bản 5", None)])
def test_the_pos_version_is_cut_to_the_wire_shape(tmp_path: Path, written: str, sent: str | None) -> None:
    (tmp_path / "version.txt").write_text(written + "\n", encoding="utf-8")
    assert pos_version(tmp_path) == sent
    assert pos_version(None) is None


def test_a_summary_written_by_another_version_is_read_as_none(runtime: Runtime) -> None:
    runtime.state.set(HEALTH_KEY, {"run_at": "yesterday", "checks": "?"})
    assert read_health(runtime.state) is None
    assert build_heartbeat(runtime).checks == []


def test_the_heartbeat_runs_every_heartbeat_minutes_with_bounds() -> None:
    from pydantic import ValidationError

    from app.infra.settings import FleetSettings, Settings

    assert Settings().fleet.heartbeat_minutes == 15 and Settings().fleet.telemetry is True
    for wrong in (0, 4, 24 * 60 + 1):
        with pytest.raises(ValidationError):
            FleetSettings(heartbeat_minutes=wrong)
    assert dt.timedelta(minutes=FleetSettings(heartbeat_minutes=5).heartbeat_minutes) == dt.timedelta(minutes=5)


def test_a_heartbeat_too_large_for_the_server_goes_without_its_metrics(runtime: Runtime) -> None:
    now = runtime.clock()
    metrics = {f"metric-{n:02d}-{'x' * 50}": 1.5 for n in range(12)}
    checks = tuple(CheckSummary(f"check-{n:02d}-{'y' * 50}", Status.OK, now, metrics) for n in range(64))
    runtime.state.set(HEALTH_KEY, {"run_at": now.isoformat(), "verdict": "ok", "checks": [
        {"id": check.id, "status": "ok", "since": now.isoformat(), "metrics": check.metrics} for check in checks]})
    beat = build_heartbeat(runtime)
    assert len(beat.checks) == 64 and all(check.metrics == {} for check in beat.checks)
    assert len(json.dumps(heartbeat_body(beat))) <= MAX_BODY_BYTES
    runtime.fleet.put_heartbeat(beat)  # the server would take it
