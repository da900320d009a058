"""Heartbeats against the real vendor server on 127.0.0.1 (``POST /api/v1/heartbeat`` with a real shop token),
the silent-shop alarm on the console's fleet page, and the proactive ticket job run again and again.

The server runs on a clock the test moves (``create_app(clock=...)``): Tuesday 10/03/2026 09:00 in the shop,
the fleet's default settings (silent after 2 h of the 08:00–20:00 trading day; a ticket after 48 h of a
critical backup check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from pmv_protocol.fleet import HEARTBEAT_PATH, MAX_BODY_BYTES
from tests.integration.console_helpers import T0, Console, running_console
from vendor_server.db import Ticket, VendorDatabase
from vendor_server.fleet import cli as fleet_cli
from vendor_server.fleet.tables import ShopCheckState, ShopContact

pytestmark = pytest.mark.integration

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def heartbeat(checks: dict[str, str] | None = None, *, made_at: dt.datetime, **fields: Any) -> dict[str, Any]:
    """A heartbeat as the shop's app sends it."""
    checks = checks if checks is not None else {"backup.age": "ok", "pos.db.connect": "ok"}
    statuses = set(checks.values())
    verdict = "critical" if "critical" in statuses else "warning" if "warning" in statuses else "ok"
    body = {"id": str(uuid.uuid4()), "made_at": made_at.isoformat(), "app_version": "1.4.0", "verdict": verdict,
            "checks": [{"id": k, "status": v, "metrics": {"age_hours": 50.0} if k == "backup.age" else {}}
                       for k, v in checks.items()],
            "packs": [{"id": "nd232", "version": "1.0.0"}], "last_backup_age_hours": 50.0, "pos_version": "5.2.1",
            "outbox_depth": 0}
    body.update(fields)
    return body


def send(console: Console, token: str | None, body: Any, **options: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if isinstance(body, dict):
        return requests.post(console.vendor.base_url + HEARTBEAT_PATH, json=body, headers=headers, timeout=10,
                             **options)
    return requests.post(console.vendor.base_url + HEARTBEAT_PATH, data=body, timeout=10,
                         headers={**headers, "Content-Type": "application/json"}, **options)


def db(console: Console) -> VendorDatabase:
    return VendorDatabase(console.vendor.db_url)


def sweep_job(console: Console) -> dict[str, Any]:
    """``pmv-vendor fleet sweep`` as cron runs it, on the server's database, at the server's clock."""
    parser = argparse.ArgumentParser(prog="pmv-vendor")
    common = argparse.ArgumentParser(add_help=False)
    sub = parser.add_subparsers(dest="command", required=True)
    fleet_cli.add_parsers(sub, common)
    args = parser.parse_args(["fleet", "sweep", "--at", console.clock().isoformat()])
    settings = {"db": console.vendor.db_url, "data": console.vendor.data, "tuf_repo": console.vendor.data / "tuf"}
    return {"exit": fleet_cli.run(args, settings)}


def test_a_heartbeat_is_received_once_by_the_servers_clock(console: Console) -> None:
    shop = console.shop()
    body = heartbeat(made_at=T0 - dt.timedelta(minutes=7))  # the till's clock is off: the server's counts
    first = send(console, shop.token, body)
    assert first.status_code == 200, first.text
    assert dt.datetime.fromisoformat(first.json()["received_at"]) == T0 and first.json()["duplicate"] is False
    console.clock.advance(minutes=1)
    again = send(console, shop.token, body)  # the outbox retries after a lost answer
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert dt.datetime.fromisoformat(again.json()["received_at"]) == T0
    with db(console).sessions() as session:
        contacts = list(session.scalars(select(ShopContact)))
        states = {row.check_id: row.status for row in session.scalars(select(ShopCheckState))}
    assert [(c.last_seen_at, c.verdict, c.app_version) for c in contacts] == [(T0, "ok", "1.4.0")]
    assert states == {"backup.age": "ok", "pos.db.connect": "ok"}


def test_without_a_token_or_with_a_wrong_one_401(console: Console) -> None:
    console.shop()
    assert send(console, None, heartbeat(made_at=T0)).status_code == 401
    refused = send(console, "pmv_not-a-real-token", heartbeat(made_at=T0))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    with db(console).sessions() as session:
        assert session.scalars(select(ShopContact)).all() == []


def test_a_body_over_the_limit_is_refused_413_before_parsing(console: Console) -> None:
    shop = console.shop()
    huge = json.dumps(heartbeat(made_at=T0)) + " " * MAX_BODY_BYTES  # valid JSON, just too long
    assert send(console, shop.token, huge.encode()).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        yield huge.encode()[:20_000]
        yield huge.encode()[20_000:]

    refused = send(console, shop.token, chunks())
    assert refused.status_code == 413, refused.text
    exactly = json.dumps(heartbeat(made_at=T0)).encode()
    assert send(console, shop.token, exactly + b" " * (MAX_BODY_BYTES - len(exactly))).status_code == 200


@pytest.mark.parametrize(("change", "reason"), [
    ({"colour": "red"}, "extra_forbidden"),
    ({"id": "not-a-uuid"}, "string_pattern_mismatch"),
    ({"made_at": "2026-03-10T09:00:00"}, "timezone_aware"),
    ({"checks": [{"id": "backup.age", "status": "on fire"}]}, "enum"),
    ({"telemetry": False}, "telemetry is off"),
])
def test_a_bad_heartbeat_is_refused_422_with_pydantics_reason(console: Console, change: dict[str, Any],
                                                              reason: str) -> None:
    shop = console.shop()
    refused = send(console, shop.token, {**heartbeat(made_at=T0), **change})
    assert refused.status_code == 422, refused.text
    assert reason in json.dumps(refused.json()["detail"]), refused.text
    assert send(console, shop.token, b"{not json").status_code == 422
    with db(console).sessions() as session:
        assert session.scalars(select(ShopContact)).all() == []  # nothing stored from a refused report


def test_a_shop_quiet_past_the_freshness_window_raises_the_silent_alarm(console: Console) -> None:
    talking, quiet = console.shop("KP-0001"), console.shop("KP-0002")
    assert send(console, talking.token, heartbeat(made_at=T0)).status_code == 200
    assert send(console, quiet.token, heartbeat(made_at=T0)).status_code == 200
    console.clock.advance(hours=1, minutes=59)  # 10:59: within the window
    assert send(console, talking.token, heartbeat(made_at=console.clock())).status_code == 200
    counts = _counts(console)
    assert counts["silent"] == 0 and counts["healthy"] == 2

    console.clock.advance(minutes=1)  # 11:00: two trading hours since KP-0002's last report at 09:00
    browser = console.sign_in("thuha")  # every staff member may read the fleet
    page = browser.get(f"{console.url}/fleet", timeout=10).text
    assert _counts(console, page) == {**_counts(console, page), "silent": 1, "healthy": 1}
    silent = page.split('id="silent"')[1].split("</table>")[0]
    assert "KP-0002" in silent and "KP-0001" not in silent
    assert "im lặng từ 10/03/2026 09:00" in silent

    shops = browser.get(f"{console.url}/shops", timeout=10).text
    row = shops.split('data-shop="KP-0002"')[1].split("</tr>")[0]
    assert "Im lặng" in row and "10/03/2026 09:00" in row
    assert "Im lặng" not in shops.split('data-shop="KP-0001"')[1].split("</tr>")[0]

    assert send(console, quiet.token, heartbeat(made_at=console.clock())).status_code == 200  # back
    assert _counts(console)["silent"] == 0


def test_a_critical_check_held_past_its_threshold_opens_exactly_one_ticket(console: Console) -> None:
    shop = console.shop()
    critical = {"backup.age": "critical", "pos.db.connect": "ok"}
    assert send(console, shop.token, heartbeat(critical, made_at=T0)).status_code == 200
    console.clock.advance(hours=47)
    assert [sweep_job(console) for _ in range(3)] == [{"exit": 0}] * 3
    assert _tickets(console) == []  # 47 h: not yet

    console.clock.advance(hours=1)  # 48 h critical, and the shop has gone quiet meanwhile: the job opens it
    for _ in range(10):
        assert sweep_job(console) == {"exit": 0}
        console.clock.advance(minutes=15)
    assert send(console, shop.token, heartbeat(critical, made_at=console.clock())).status_code == 200
    tickets = _tickets(console)
    assert [(t.opened_by, t.check_id, t.status) for t in tickets] == [("system", "backup.age", "received")]
    feed = shop.poll()["tickets"]  # the shop learns of it from its own feed
    assert [(t["number"], t["opened_by"]) for t in feed] == [(tickets[0].number, "system")]

    browser = console.sign_in("thuha")
    page = browser.get(f"{console.url}/fleet", timeout=10).text
    assert tickets[0].number is not None and tickets[0].number in page.split('id="system-tickets"')[1]
    shop_page = browser.get(f"{console.url}/shops/KP-0001", timeout=10).text
    checks = shop_page.split('id="checks"')[1].split("</table>")[0]
    assert "Sao lưu dữ liệu" in checks and tickets[0].number in checks

    recovered = heartbeat({"backup.age": "ok", "pos.db.connect": "ok"}, made_at=console.clock())
    assert send(console, shop.token, recovered).status_code == 200  # noted at once, by the heartbeat's sweep
    note = shop.timeline(tickets[0].id)[-1]
    assert note["author"] == "system" and "trở lại bình thường" in note["text"]
    assert [sweep_job(console) for _ in range(3)] == [{"exit": 0}] * 3
    assert len(_tickets(console)) == 1 and len(shop.timeline(tickets[0].id)) == 2


def test_a_contract_without_telemetry_keeps_the_app_version_only(console: Console) -> None:
    vendor = console.vendor
    token = vendor.add_shop("KP-0009", "Tiệm vàng Ngọc Thẩm")
    vendor.trusted_keys_file()
    from vendor_server.contract_issue import issue_contract

    issue_contract(db(console), vendor.keys, shop_id="KP-0009", package="PMV-GOLD-PRO", warranty_months=12,
                   accepted_on=dt.date(2026, 1, 15), telemetry=False, now=console.clock())
    answer = send(console, token, heartbeat({"backup.age": "critical"}, made_at=T0))
    assert answer.status_code == 200  # a wrong client is not punished: what it may not send is dropped
    page = console.sign_in("thuha").get(f"{console.url}/shops/KP-0009", timeout=10).text
    health = page.split('id="health"')[1].split("</div>")[0]
    assert "Cửa hàng không gửi dữ liệu tình trạng (hợp đồng)" in health and "1.4.0" in health
    assert "Sao lưu dữ liệu" not in health


def _counts(console: Console, page: str | None = None) -> dict[str, int]:
    if page is None:
        page = console.sign_in("thuha").get(f"{console.url}/fleet", timeout=10).text
    return {name: int(value) for name, value in re.findall(r'id="count-([a-z]+)">(\d+)<', page)}


def _tickets(console: Console) -> list[Ticket]:
    with db(console).sessions() as session:
        return list(session.scalars(select(Ticket).order_by(Ticket.id)))
