"""The fleet view from a real SQLite database: each shop in one bucket (silent first), the failing checks counted
per shop, versions and packs tallied, what needs attention; one shop's last report; the shop list's columns."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from pmv_protocol.shop_time import shop_today
from tests.unit.vendor_server.fleet.conftest import T0, Fleet, beat
from vendor_server.console.shops import list_shops, shop_page
from vendor_server.fleet.proactive import sweep
from vendor_server.fleet.view import fleet_view, shop_report

HOUR = dt.timedelta(hours=1)


def populate(fleet: Fleet) -> dict[str, int]:
    """Seven shops, one of each kind, as of T0 (Tuesday 09:00)."""
    shops = {name: fleet.add_shop(name) for name in ("OK-1", "WARN-1", "CRIT-1", "CRIT-2", "QUIET-1", "PRIVATE-1")}
    shops["NEVER-1"] = fleet.add_shop("NEVER-1", added_at=T0 - dt.timedelta(minutes=30))  # within the window
    shops["GONE-1"] = fleet.add_shop("GONE-1", added_at=T0 - dt.timedelta(days=400), accepted_on=dt.date(2024, 1, 1))
    recent = T0 - dt.timedelta(minutes=10)
    fleet.send(shops["OK-1"], beat({"backup.age": "ok", "disk.free": "ok"}, app_version="1.10.0"), recent)
    fleet.send(shops["WARN-1"], beat({"backup.age": "warning", "disk.free": "ok"}), recent)
    fleet.send(shops["CRIT-1"], beat({"backup.age": "critical", "disk.free": "warning"}), recent)
    fleet.send(shops["CRIT-2"], beat({"backup.age": "critical", "pos.db.connect": "critical"},
                                     packs=[{"id": "nd232", "version": "1.1.0"}], app_version="1.9.2"), recent)
    fleet.send(shops["QUIET-1"], beat({"backup.age": "critical"}), T0 - 20 * HOUR)  # 13:00 yesterday: 8 h of trading
    fleet.send(shops["PRIVATE-1"], beat().app_version_only(), recent)
    return shops


def test_each_shop_in_one_bucket_and_silence_overrides_its_verdict(fleet: Fleet) -> None:
    populate(fleet)
    view = fleet_view(fleet.db, fleet.settings, T0)
    assert view.total == 8
    # GONE-1's contract expired and it never reported: owed nothing, so "never", not silent.
    assert view.counts == {"healthy": 1, "warning": 1, "critical": 2, "silent": 1, "unknown": 1, "never": 2}
    assert [(s.shop_id, s.silence.since) for s in view.silent] == [("QUIET-1", T0 - 20 * HOUR)]
    assert [(c.shop_id, c.checks) for c in view.critical] == [
        ("CRIT-1", ("Sao lưu dữ liệu",)), ("CRIT-2", ("Kết nối cơ sở dữ liệu PMV", "Sao lưu dữ liệu"))]


def test_failing_checks_are_counted_per_shop_most_first(fleet: Fleet) -> None:
    populate(fleet)
    failing = fleet_view(fleet.db, fleet.settings, T0).failing
    assert [(f.check_id, f.critical, f.warning, f.shops) for f in failing] == [
        ("backup.age", 3, 1, 4), ("pos.db.connect", 1, 0, 1), ("disk.free", 0, 1, 1)]
    assert failing[0].title == "Sao lưu dữ liệu"


def test_versions_newest_first_and_packs_of_shops_that_share_them(fleet: Fleet) -> None:
    populate(fleet)
    view = fleet_view(fleet.db, fleet.settings, T0)
    assert [(v.label, v.shops) for v in view.versions] == [("1.10.0", 1), ("1.9.2", 1), ("1.4.0", 4)]
    assert [(p.label, p.shops) for p in view.packs] == [("nd232 1.1.0", 1), ("nd232 1.0.0", 4)]


def test_open_system_tickets_need_attention(fleet: Fleet) -> None:
    shops = populate(fleet)
    later = T0 + 48 * HOUR
    fleet.send(shops["CRIT-1"], beat({"backup.age": "critical"}, made_at=later), later)
    assert len(sweep(fleet.db, fleet.settings, later, fleet.calendars).opened) >= 1
    tickets = fleet_view(fleet.db, fleet.settings, later).tickets
    assert ("CRIT-1", "backup.age", "Sao lưu dữ liệu") in [(t.shop_id, t.check_id, t.check_title) for t in tickets]


def test_the_whole_fleet_is_read_in_a_few_queries(fleet: Fleet) -> None:
    populate(fleet)
    for n in range(20):
        fleet.send(fleet.add_shop(f"MORE-{n}"), beat({"backup.age": "warning"}), T0)
    seen: list[str] = []
    event.listen(fleet.db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    fleet_view(fleet.db, fleet.settings, T0)
    assert len(seen) <= 7, seen  # no query per shop


def test_a_shops_last_report_for_its_page(fleet: Fleet) -> None:
    shops = populate(fleet)
    with fleet.db.sessions() as session:
        report = shop_report(session, shops["CRIT-1"])
        private = shop_report(session, shops["PRIVATE-1"])
        never = shop_report(session, shops["NEVER-1"])
    assert report is not None and report.telemetry and report.verdict == "critical"
    sent = T0 - dt.timedelta(minutes=10)
    assert [(c.check_id, c.status, c.since) for c in report.checks] == [
        ("backup.age", "critical", sent), ("disk.free", "warning", sent)]
    assert report.packs == [("nd232", "1.0.0")] and report.pos_version == "5.2.1" and report.outbox_depth == 0
    assert private is not None and not private.telemetry and private.checks == [] and private.app_version == "1.4.0"
    assert never is None


def test_the_shop_list_shows_the_last_heartbeat_and_the_silent_tag(fleet: Fleet) -> None:
    populate(fleet)
    rows = {row.shop_id: row for row in list_shops(fleet.db, shop_today(T0), now=T0, fleet=fleet.settings)}
    assert rows["QUIET-1"].silence is not None and rows["QUIET-1"].last_contact == T0 - 20 * HOUR
    assert rows["OK-1"].silence is None and rows["OK-1"].app_version == "1.10.0" and rows["OK-1"].heartbeat
    assert rows["NEVER-1"].silence is None and rows["NEVER-1"].last_contact is None
    assert all(row.silence is None for row in list_shops(fleet.db, shop_today(T0)))  # without now: no alarm
    page = shop_page(fleet.db, "QUIET-1", shop_today(T0), now=T0, fleet=fleet.settings)
    assert page is not None and page.row.silence is not None and page.report is not None


def test_the_shop_search_finds_a_name_in_any_case_with_or_without_its_diacritics(fleet: Fleet) -> None:
    """Found by an independent review: SQL's ILIKE folds only A-Z on SQLite, so "KIM PHÁT" missed "Kim Phát" and
    "đức" missed "ĐỨC THÀNH"; a typed "%" or "_" matched every shop."""
    fleet.db.add_shop("KIMPHAT-01", "Tiệm vàng Kim Phát")
    fleet.db.add_shop("DUCTHANH-01", "Tiệm vàng ĐỨC THÀNH")
    fleet.db.add_shop("BAOTIN-01", "Bảo Tín")

    def found(search: str) -> list[str]:
        return [row.shop_id for row in list_shops(fleet.db, shop_today(T0), search)]

    assert found("kim phát") == found("KIM PHÁT") == found("kim phat") == ["KIMPHAT-01"]
    assert found("đức") == found("Duc Thanh") == found("ductHANH-0") == ["DUCTHANH-01"]
    assert found("%") == found("_") == []
    assert len(found("")) == 3


def test_shops_are_listed_in_vietnamese_alphabetical_order(fleet: Fleet) -> None:
    """Found by a review: the shop list (ORDER BY name, code points on SQLite) and the fleet view's critical panel
    put "Ánh Kim", "Ông Bảy", "Đức Hạnh" and lower-case names after Z.  The expected order is the Vietnamese
    alphabet's (a ă â b c d đ … o ô ơ … u ư v x y; tests/unit/vendor_server/console/test_vietnamese_order.py)."""
    names = {"S1": "Vàng bạc Yến Nhi", "S2": "Đức Hạnh", "S3": "Ánh Kim", "S4": "Bảo Tín", "S5": "Ông Bảy",
             "S6": "an khang", "S7": "Dũng Tiến", "S8": "Ơn Trời"}
    expected = ["an khang", "Ánh Kim", "Bảo Tín", "Dũng Tiến", "Đức Hạnh", "Ông Bảy", "Ơn Trời", "Vàng bạc Yến Nhi"]
    for shop_id, name in names.items():
        fleet.db.add_shop(shop_id, name)
        fleet.send(fleet.shop(shop_id).id, beat({"backup.age": "critical"}), T0 - dt.timedelta(minutes=5))
    assert [row.name for row in list_shops(fleet.db, shop_today(T0))] == expected
    assert [row.name for row in list_shops(fleet.db, shop_today(T0), "n")] == [n for n in expected if "n" in n]
    assert [shop.name for shop in fleet_view(fleet.db, fleet.settings, T0).critical] == expected


def test_versions_and_packs_follow_the_release_order_pre_releases_included(fleet: Fleet) -> None:
    """PEP 440 order, the one the tills use to choose an update (pmv_protocol.versions): rc10 after rc2, a
    release candidate before its release, 1.10 after 1.9."""
    for n, version in enumerate(("1.2.0rc2", "1.2.0rc10", "1.9.0", "1.2.0", "1.10.0")):
        fleet.send(fleet.add_shop(f"V-{n}"), beat(packs=[{"id": "nd232", "version": version}], app_version=version), T0)
    view = fleet_view(fleet.db, fleet.settings, T0)
    assert [v.label for v in view.versions] == ["1.10.0", "1.9.0", "1.2.0", "1.2.0rc10", "1.2.0rc2"]
    assert [p.label for p in view.packs] == ["nd232 1.10.0", "nd232 1.9.0", "nd232 1.2.0", "nd232 1.2.0rc10",
                                             "nd232 1.2.0rc2"]
