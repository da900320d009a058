"""The vendor's working calendar end to end on loopback.

The vendor publishes a calendar pack with its own tool (``pmv-vendor repo add --kind calendar``) into a real
TUF repository served by the real vendor server on 127.0.0.1; the shop's updater installs it through the TUF
client; the app's ``response_due`` and the server's ticket deadline both move to the vendor's calendar.

The case, worked out by hand (facts: Official Dispatch 12729/VPCP-KGVX of 25/12/2025, 01/01-04/01/2026 off
for the public sector, Friday 02/01/2026 swapped with Saturday 10/01/2026; the vendor works Saturday
mornings 08:00-12:00): a request opened on Thursday 01/01/2026 09:00 by a shop under warranty, severity
normal, has 4 working hours.
* The holidays package (no pack): 02/01 is a working Friday -> 08:00 + 4 h = Fri 02/01/2026 12:00.
* The vendor's 2026 pack: 02/01 off, Sat 03/01 08:00-12:00 -> Sat 03/01/2026 12:00 (a closing time stays).
* A version 1.1.0 that also closes Sat 03/01: Sun closed, Mon 05/01 08:00 + 4 h -> Mon 05/01/2026 12:00.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.runtime import Runtime
from app.updates.service import Updater
from app.updates.tuf_client import UpdateClient
from pmv_protocol.sla import response_due
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer, vendor, vendor_server  # noqa: F401  (the fixtures)
from tests.integration.test_vendor_tickets import issue_contract, new_ticket
from vendor_server.cli import main as vendor_main

pytestmark = pytest.mark.integration

HCM = dt.timezone(dt.timedelta(hours=7))
PACK_2026 = Path(__file__).resolve().parents[2] / "resources" / "calendar" / "vendor-calendar-2026.json"
OPENED = dt.datetime(2026, 1, 1, 9, tzinfo=HCM)
ESTIMATE_DUE = dt.datetime(2026, 1, 2, 12, tzinfo=HCM)
VENDOR_DUE = dt.datetime(2026, 1, 3, 12, tzinfo=HCM)
VENDOR_DUE_V11 = dt.datetime(2026, 1, 5, 12, tzinfo=HCM)


@pytest.fixture
def clock() -> FixedClock:
    """The vendor server's clock (the ``vendor`` fixture): the request reaches it a minute after the shop raised it
    (the server reads a shop's stated time only within a week before its own)."""
    return FixedClock(OPENED + dt.timedelta(minutes=1))


def updater_for(runtime: Runtime, vendor: VendorServer) -> Updater:
    root = (vendor.data / "tuf" / "metadata" / "1.root.json").read_bytes()
    folder = runtime.paths.data_dir / "updates"
    return Updater(runtime, lambda: UpdateClient(folder / "metadata", folder / "downloads", vendor.base_url, root))


def publish(vendor: VendorServer, file: Path, version: str) -> int:
    return vendor_main(["repo", "add", str(file), "--kind", "calendar", "--version", version,
                        "--data", str(vendor.data)])


def server_due(vendor: VendorServer, token: str) -> dt.datetime:
    ticket = new_ticket(vendor, token, opened_at=OPENED.isoformat(), severity="normal")
    return dt.datetime.fromisoformat(ticket["response_due_at"])


def test_a_published_calendar_moves_the_deadline_in_the_app_and_on_the_server(
        runtime: Runtime, vendor: VendorServer, tmp_path: Path) -> None:
    assert vendor_main(["repo", "init", "--data", str(vendor.data)]) == 0
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    issue_contract(vendor, "KP-0001", "2025-12-01")  # under warranty on 01/01/2026

    before = runtime.working_calendar()
    assert before.source_for(2026).is_estimate
    assert response_due(OPENED, "normal", "warranty", before) == ESTIMATE_DUE
    assert server_due(vendor, token) == ESTIMATE_DUE  # the server estimates the same way

    assert publish(vendor, PACK_2026, "1.0.0") == 0
    run = updater_for(runtime, vendor).run()
    assert run.error is None
    assert [(r.pack_id, r.version) for r in run.calendars] == [("vendor-calendar-2026", "1.0.0")]
    assert run.installed == []  # not announced as a regulation pack
    calendar = runtime.working_calendar()
    source = calendar.source_for(2026)
    assert (source.is_estimate, source.version) == (False, "1.0.0")
    assert source.published_at == dt.datetime(2025, 12, 26, 9, tzinfo=HCM)
    assert response_due(OPENED, "normal", "warranty", calendar) == VENDOR_DUE
    assert server_due(vendor, token) == VENDOR_DUE  # the server counts on the pack it publishes
    assert calendar.source_for(2027).is_estimate  # no 2027 pack published: still the estimate

    # A new version: both sides move again; the shop can roll it back like a regulation pack.
    pack = json.loads(PACK_2026.read_text(encoding="utf-8"))
    pack["version"] = "1.1.0"
    pack["days_off"].append({"date": "2026-01-03", "name_vi": "Nghỉ thêm sáng thứ Bảy 03/01/2026"})
    v11 = tmp_path / "vendor-calendar-2026.json"
    v11.write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    assert publish(vendor, v11, "1.1.0") == 0
    updater = updater_for(runtime, vendor)
    assert [(r.pack_id, r.version) for r in updater.run().calendars] == [("vendor-calendar-2026", "1.1.0")]
    assert response_due(OPENED, "normal", "warranty", runtime.working_calendar()) == VENDOR_DUE_V11
    assert server_due(vendor, token) == VENDOR_DUE_V11
    back = updater.rollback("vendor-calendar-2026")
    assert (back.version, back.previous_version) == ("1.0.0", "1.1.0")
    assert response_due(OPENED, "normal", "warranty", runtime.working_calendar()) == VENDOR_DUE


@pytest.mark.parametrize(("change", "reason"), [
    ({"make_up_days": [{"date": "2026-01-02", "name_vi": "x", "hours": ["08:00-12:00"]}]}, "both"),
    ({"holidays": []}, "holidays"),
    ({"version": "2.0.0"}, "version"),
])
def test_the_publishing_tool_refuses_a_bad_calendar(vendor_server: VendorServer, tmp_path: Path,  # noqa: F811
                                                   capsys: pytest.CaptureFixture[str], change: dict[str, object],
                                                   reason: str) -> None:
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    pack = json.loads(PACK_2026.read_text(encoding="utf-8"))
    pack.update(change)
    bad = tmp_path / "vendor-calendar-2026.json"
    bad.write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert publish(vendor_server, bad, "1.0.0") == 1
    err = capsys.readouterr().err
    assert "vendor-calendar-2026.json" in err and (reason in err or reason == "both"), err
    assert not (vendor_server.data / "tuf" / "targets" / "calendar").exists()  # nothing was published
