"""The fleet in the staff console, in a real browser against the real server on loopback.

Five shops send (or do not send) their heartbeats over HTTP with their own tokens on the server's clock: one
healthy, one with a critical backup held past its threshold (one hour here), one that stops reporting, one
never enrolled a till, one whose contract keeps its health private.  An agent signs in and reads the counts,
the "needs attention" panel, the silent shop's red tag on the shop list, and a shop's last report.
``CONSOLE_SCREENSHOTS=DIR`` keeps a PNG of each page (fleet-*.png).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pmv_protocol.fleet import HEARTBEAT_PATH
from tests.browser.test_console_browser import _sign_in
from tests.integration.console_helpers import T0, Console, running_console
from vendor_server.contract_issue import issue_contract
from vendor_server.db import VendorDatabase
from vendor_server.fleet.settings import FleetSettings
from vendor_server.shop_registry import register_shop

pytestmark = [pytest.mark.integration, pytest.mark.real_clock]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    settings = FleetSettings(proactive_hours={"backup.age": 1.0, "pos.db.connect": 1.0})
    with running_console(tmp_path, fleet=settings) as running:
        yield running


def _report(console: Console, token: str, checks: dict[str, str], **fields: Any) -> None:
    worst = "critical" if "critical" in checks.values() else "warning" if "warning" in checks.values() else "ok"
    body = {"id": str(uuid.uuid4()), "made_at": console.clock().isoformat(), "app_version": "1.4.0",
            "verdict": worst, "checks": [{"id": k, "status": v} for k, v in checks.items()],
            "packs": [{"id": "nd232", "version": "1.0.0"}, {"id": "lich-2026", "version": "2026.1"}],
            "last_backup_age_hours": 60.5 if checks.get("backup.age") == "critical" else 2.0,
            "pos_version": "5.2.1", "outbox_depth": 0}
    body.update(fields)
    answer = requests.post(console.vendor.base_url + HEARTBEAT_PATH, json=body, timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text


def _whole_page(driver: Any, path: Path) -> None:
    """A screenshot of the whole page, not just the window's first screen."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(768, height + 140))
    driver.save_screenshot(str(path))
    driver.set_window_size(1366, 768)


def test_the_fleet_page_counts_the_shops_and_the_shop_list_marks_the_silent_one(
        browser: Any, console: Console, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    vendor = console.vendor
    healthy, critical = console.shop("KP-0001"), console.shop("KP-0002")
    quiet = console.shop("KP-0003")
    db = VendorDatabase(vendor.db_url)
    register_shop(db, "KP-0004", "Tiệm vàng Bảo Tín", now=(T0 - dt.timedelta(days=3)).astimezone(dt.UTC))
    issue_contract(db, vendor.keys, shop_id="KP-0004", package="PMV-GOLD-PRO", warranty_months=12,
                   accepted_on=dt.date(2026, 3, 1), now=console.clock())
    private = vendor.add_shop("KP-0005", "Tiệm vàng Ngọc Thẩm")
    issue_contract(db, vendor.keys, shop_id="KP-0005", package="PMV-GOLD-PRO", warranty_months=12,
                   accepted_on=dt.date(2026, 1, 15), telemetry=False, now=console.clock())
    ok = {"backup.age": "ok", "pos.db.connect": "ok", "disk.free": "ok"}
    for shop in (healthy, quiet):
        _report(console, shop.token, ok)
    _report(console, critical.token, {**ok, "backup.age": "critical", "disk.free": "warning"})
    _report(console, private, {}, verdict=None, telemetry=False, packs=[], last_backup_age_hours=None,
            pos_version=None, outbox_depth=None)

    console.clock.advance(hours=2)  # 11:00: KP-0003 has been quiet for two trading hours
    for shop in (healthy,):
        _report(console, shop.token, ok, app_version="1.5.0")
    _report(console, critical.token, {**ok, "backup.age": "critical", "disk.free": "warning"})  # opens the ticket
    _report(console, private, {}, verdict=None, telemetry=False, packs=[], last_backup_age_hours=None,
            pos_version=None, outbox_depth=None)

    _sign_in(driver, console, "thuha", screenshots, "fleet-agent")
    driver.get(f"{console.url}/fleet")
    counts = {bucket: driver.find_element(By.ID, f"count-{bucket}").text
              for bucket in ("total", "healthy", "warning", "critical", "silent", "unknown", "never")}
    assert counts == {"total": "5", "healthy": "1", "warning": "0", "critical": "1", "silent": "2", "unknown": "1",
                      "never": "0"}
    silent = driver.find_element(By.ID, "silent").text
    assert "Tiệm vàng Kim Phát" in silent and "im lặng từ 10/03/2026 09:00" in silent
    assert "Tiệm vàng Bảo Tín" in silent and "chưa gửi lần nào, thêm lúc 07/03/2026 09:00" in silent
    assert "Sao lưu dữ liệu" in driver.find_element(By.ID, "critical").text
    tickets = driver.find_element(By.ID, "system-tickets").text
    assert "Sao lưu dữ liệu" in tickets and "YC-2026-" in tickets
    failing = driver.find_element(By.ID, "failing").text
    assert failing.index("Sao lưu dữ liệu") < failing.index("Dung lượng ổ đĩa")
    assert "1.5.0" in driver.find_element(By.ID, "versions").text
    assert "nd232 1.0.0" in driver.find_element(By.ID, "packs").text
    _whole_page(driver, screenshots / "fleet.png")

    driver.get(f"{console.url}/shops")
    row = driver.find_element(By.CSS_SELECTOR, "#shops tr[data-shop='KP-0003']")
    tag = row.find_element(By.CSS_SELECTOR, ".tag.red")
    assert tag.text == "Im lặng" and tag.is_displayed()
    assert "10/03/2026 09:00" in row.find_element(By.CSS_SELECTOR, "td.contact").text
    assert not driver.find_element(By.CSS_SELECTOR, "#shops tr[data-shop='KP-0001']").find_elements(
        By.CSS_SELECTOR, ".tag.red")
    _whole_page(driver, screenshots / "fleet-shops.png")

    driver.get(f"{console.url}/shops/KP-0002")
    checks = driver.find_element(By.ID, "checks").text
    assert "Sao lưu dữ liệu" in checks and "Nghiêm trọng" in checks and "YC-2026-" in checks
    assert "60,5 giờ trước" in driver.find_element(By.ID, "health").text
    _whole_page(driver, screenshots / "fleet-shop.png")
    driver.get(f"{console.url}/shops/KP-0005")
    assert "Cửa hàng không gửi dữ liệu tình trạng (hợp đồng)" in driver.find_element(By.ID, "health").text
    _whole_page(driver, screenshots / "fleet-shop-private.png")

    driver.get(f"{console.url}/language?lang=en&back=/console/fleet")
    assert "Needs attention" in driver.page_source and "Data backup" in driver.page_source
    rule = next(p.text for p in driver.find_elements(By.CSS_SELECTOR, "p.muted") if "silent" in p.text)
    # The threshold's unit, then the shop's hours: it used to read "2 trading hours (trading hours 08:00-20:00)".
    assert rule.count("trading hour") == 1 and "(shop hours " in rule, rule
    _whole_page(driver, screenshots / "fleet-en.png")
