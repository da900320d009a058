"""``pmv-vendor fleet sweep`` (vendor_server/fleet/cli.py) on a real SQLite database: what it prints, its exit
code, the [fleet] settings it takes, and a bad ``--at`` refused with a reason."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest

from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server.fleet import cli
from vendor_server.fleet.settings import FleetSettings


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pmv-vendor")
    common = argparse.ArgumentParser(add_help=False)
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_parsers(sub, common)
    return parser.parse_args(list(argv))


def settings_of(world: Fleet, **extra: object) -> dict[str, object]:
    """The CLI's settings for the test's database (``extra``: more, e.g. the config's ``fleet`` table)."""
    return {"db": str(world.db.engine.url), "data": world.keys.parent, "tuf_repo": world.keys.parent / "tuf", **extra}


def test_the_sweep_prints_what_it_opened_and_a_second_run_nothing(fleet: Fleet,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical"}), T0)
    later = T0 + dt.timedelta(hours=48)
    fleet.send(shop, beat({"backup.age": "critical"}, made_at=later), later)  # still critical at its last report
    at = later.isoformat()
    assert cli.run(parse("fleet", "sweep", "--at", at), settings_of(fleet)) == 0
    printed = json.loads(capsys.readouterr().out)
    number = fleet.tickets(shop)[0].number
    assert printed == {"opened": [{"shop_id": "KP-0001", "check_id": "backup.age", "ticket": number}], "noted": [],
                       "linked": [], "failures": []}
    assert cli.run(parse("fleet", "sweep", "--at", at), settings_of(fleet)) == 0
    assert json.loads(capsys.readouterr().out)["opened"] == []


def test_the_fleet_table_of_the_config_sets_the_thresholds(fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    shop = fleet.add_shop("KP-0001")
    fleet.send(shop, beat({"backup.age": "critical"}), T0)
    later = T0 + dt.timedelta(hours=2)
    fleet.send(shop, beat({"backup.age": "critical"}, made_at=later), later)
    at = later.isoformat()
    assert cli.run(parse("fleet", "sweep", "--at", at), settings_of(fleet)) == 0
    assert json.loads(capsys.readouterr().out)["opened"] == []  # the default: 48 h
    table = {"proactive_hours": {"backup.age": 1}}
    assert cli.run(parse("fleet", "sweep", "--at", at), settings_of(fleet, fleet=table)) == 0
    assert len(json.loads(capsys.readouterr().out)["opened"]) == 1
    assert cli.fleet_settings({"fleet": FleetSettings(silent_after_hours=3)}).silent_after_hours == 3
    assert cli.fleet_settings({}) == FleetSettings()
    assert cli.fleet_settings({"fleet": {"closed_weekdays": ["sunday"]}}).closed_weekdays == {6}


def test_a_bad_fleet_table_exits_1_with_the_reason(fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse("fleet", "sweep"), settings_of(fleet, fleet={"silent_hours": 2})) == 1
    assert "unknown key(s) silent_hours" in capsys.readouterr().err


@pytest.mark.parametrize("at", ["tomorrow", "2026-03-10T09:00"])
def test_a_moment_without_its_offset_is_refused(at: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("fleet", "sweep", "--at", at)
    assert "--at" in capsys.readouterr().err
