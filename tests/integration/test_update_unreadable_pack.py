"""A signed regulation pack this app version cannot read never stops the rest of the update run.

The case (found by an independent review, reproduced before the fix): the vendor publishes, with its own tool
into a real TUF repository served on 127.0.0.1, a version of the Decree 232 pack with a rule kind this app does
not know, and a new calendar.  The pack's reader refused it and the whole run stopped on it, every run: the
calendar (and any app update, which could read the pack) never came.  Now a pack marked for a newer app
(``--min-app-version``) waits for that app, and one that does not validate is skipped and said.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.runtime import Runtime
from tests.integration.conftest import VendorServer, vendor_server  # noqa: F401  (the fixture)
from tests.integration.test_calendar_packs import PACK_2026, publish, updater_for
from vendor_server.cli import main as vendor_main

pytestmark = pytest.mark.integration

PACK_232 = Path(__file__).resolve().parents[2] / "resources" / "regulation" / "nd-232-2025.json"


def _pack_with_an_unknown_rule(folder: Path, version: str) -> Path:
    pack = json.loads(PACK_232.read_text(encoding="utf-8"))
    pack["version"] = version
    pack["rules"].append({"kind": "gold_purity_label", "min_purity": 999})  # a rule kind of a later app
    path = folder / f"nd-232-2025-{version}.json"
    path.write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    return path


def _publish_pack(vendor: VendorServer, path: Path, version: str, *extra: str) -> None:
    assert vendor_main(["repo", "add", str(path), "--kind", "regulation", "--id", "nd-232-2025", "--version", version,
                        *extra, "--data", str(vendor.data)]) == 0


def test_a_pack_this_version_cannot_read_is_skipped_and_the_calendar_still_comes(
        runtime: Runtime, vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    # The publishing tool refuses such a pack unmarked (test_the_publishing_tool_refuses_…); marked for too old an
    # app by mistake, it gets through to the shops.
    _publish_pack(vendor_server, _pack_with_an_unknown_rule(tmp_path, "1.2.0"), "1.2.0", "--min-app-version", "0.0.1")
    assert publish(vendor_server, PACK_2026, "1.0.0") == 0
    run = updater_for(runtime, vendor_server).run()
    assert run.error is None
    assert [(t.target_id, t.version) for t in run.refused_packs] == [("nd-232-2025", "1.2.0")]
    assert [(r.pack_id, r.version) for r in run.calendars] == [("vendor-calendar-2026", "1.0.0")]
    assert runtime.pack_store.installed() == []  # nothing half-installed
    # The vendor is told, as a refusal with its own reason (the Releases page counts refusals by reason).
    from tests.integration.test_usb_import import said

    assert ("refused", "pack", "nd-232-2025", "1.2.0", "unreadable", "online") in said(runtime)
    # The next run says it again but neither fetches it nor tells the vendor a second time (2,000 tills, every
    # six hours, until the app is updated).
    again = updater_for(runtime, vendor_server).run()
    assert again.error is None and [t.version for t in again.refused_packs] == ["1.2.0"]
    told = [event for event in said(runtime) if event[2] == "nd-232-2025"]
    assert told == [("downloaded", "pack", "nd-232-2025", "1.2.0", None, "online"),
                    ("refused", "pack", "nd-232-2025", "1.2.0", "unreadable", "online")]
    assert not runtime.working_calendar().source_for(2026).is_estimate
    # What `pmv-support updates install` says beside its JSON: one warning line in words, the run not failed.
    from app.cli.updates import say_refused_packs as _say_refused_packs

    _say_refused_packs(run.refused_packs)
    assert capsys.readouterr().err == (
        "pmv-support: cảnh báo: Gói quy định nd-232-2025 bản 1.2.0 không đọc được bằng phiên bản phần mềm này nên "
        "chưa cài; các bản cập nhật khác vẫn được cài. Hãy gọi 1900 6037.\n")


def test_the_publishing_tool_refuses_a_regulation_pack_the_shops_cannot_read(
        vendor_server: VendorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    later = _pack_with_an_unknown_rule(tmp_path, "1.2.0")
    capsys.readouterr()
    assert vendor_main(["repo", "add", str(later), "--kind", "regulation", "--id", "nd-232-2025", "--version", "1.2.0",
                        "--data", str(vendor_server.data)]) == 1
    err = capsys.readouterr().err
    assert "is not a regulation pack this release reads" in err and "--min-app-version" in err
    _publish_pack(vendor_server, later, "1.2.0", "--min-app-version", "0.9.0")  # for the app that reads it


def test_a_pack_marked_for_a_newer_app_waits_for_it_without_being_fetched(
        runtime: Runtime, vendor_server: VendorServer, tmp_path: Path) -> None:  # noqa: F811
    assert vendor_main(["repo", "init", "--data", str(vendor_server.data)]) == 0
    _publish_pack(vendor_server, _pack_with_an_unknown_rule(tmp_path, "1.2.0"), "1.2.0", "--min-app-version", "99.0.0")
    assert publish(vendor_server, PACK_2026, "1.0.0") == 0
    run = updater_for(runtime, vendor_server).run()
    assert run.error is None and run.refused_packs == [] and run.installed == []
    assert [(r.pack_id, r.version) for r in run.calendars] == [("vendor-calendar-2026", "1.0.0")]
    downloads = runtime.paths.data_dir / "updates" / "downloads"
    assert not any("nd-232" in path.name for path in downloads.rglob("*"))  # not even downloaded
