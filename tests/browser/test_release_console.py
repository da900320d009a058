"""The releases page in a real browser: an app build that stopped itself on the shops' rollback reports (the page
says why), a manager pausing a pack and resuming the app build with the page's own buttons, and the English page.

``CONSOLE_SCREENSHOTS=DIR`` keeps the PNGs (releases-*.png) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_console_browser import _click_and_wait, _sign_in
from tests.integration.console_helpers import Console
from tests.integration.test_release_rollout import APP_VERSION, PACK_ID, PACK_VERSION, publish, release_console
from vendor_server.releases.settings import ReleaseSettings

pytestmark = [pytest.mark.integration, pytest.mark.real_clock]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    yield from release_console(tmp_path, releases=ReleaseSettings(auto_stop_rollback_rate=0.05,
                                                                  auto_stop_min_shops=10))


def _report(console: Console, token: str, events: list[dict[str, Any]]) -> None:
    import uuid

    import requests

    from pmv_protocol.fleet import EVENTS_PATH

    body = {"events": [{"id": str(uuid.uuid4()), "at": "2026-03-10T09:00:00+07:00", **event} for event in events]}
    answer = requests.post(console.vendor.base_url + EVENTS_PATH, json=body,
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text


def _app(kind: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "target_kind": "app", "target_id": "app", "version": APP_VERSION, **extra}


def _pack(kind: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "target_kind": "pack", "target_id": PACK_ID, "version": PACK_VERSION, **extra}


def test_the_releases_page_shows_why_a_rollout_stopped_and_its_buttons_work(
        browser: Any, console: Console, tmp_path: Path, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    publish(console, tmp_path, 50)
    tokens = [console.vendor.add_shop(f"KP-{n:04d}", f"Tiệm vàng số {n}") for n in range(1, 15)]
    for number, token in enumerate(tokens[:10], start=1):
        app = [_app("downloaded"), _app("installed")]
        if number > 8:  # the last two roll the build back: 2 of 10
            app.append(_app("rolled_back", reason="crashed_on_start"))
        _report(console, token, [*app, _pack("downloaded"), _pack("installed")])
    for token in tokens[10:]:
        _report(console, token, [_app("held_back", bucket=71), _pack("held_back", bucket=64),
                                 _pack("refused", reason="hash_mismatch")])
    _report(console, tokens[13], [{"kind": "refused", "target_kind": "metadata", "target_id": "metadata",
                                   "version": "3", "reason": "security"}])

    _sign_in(driver, console, "phamlan", screenshots, "releases-admin")
    driver.get(f"{console.url}/releases")
    app_row = driver.find_element(By.ID, f"release-app-app-{APP_VERSION}")
    assert "Tự dừng: 2/10 cửa hàng (20 %) đã quay lại bản cũ" in app_row.text
    assert app_row.find_element(By.CSS_SELECTOR, ".offered").text == "14"
    assert app_row.find_element(By.CSS_SELECTOR, ".held-back").text == "4"
    driver.save_screenshot(str(screenshots / "releases-auto-stopped.png"))

    pack_id = f"release-pack-{PACK_ID}-{PACK_VERSION}"
    _click_and_wait(driver, f"[id='{pack_id}'] button.pause")
    assert "Đã tạm dừng bản này" in driver.page_source
    assert "Tạm dừng bởi phamlan" in driver.find_element(By.ID, pack_id).text
    driver.save_screenshot(str(screenshots / "releases-pack-paused.png"))

    _click_and_wait(driver, f"[id='release-app-app-{APP_VERSION}'] button.resume")
    app_row = driver.find_element(By.ID, f"release-app-app-{APP_VERSION}")
    assert "Đang phát hành" in app_row.text and "50 %" in app_row.find_element(By.CSS_SELECTOR, ".percent").text
    driver.save_screenshot(str(screenshots / "releases-app-resumed.png"))

    driver.get(f"{console.url}/language?lang=en&back=/console/releases")
    assert "Paused by phamlan" in driver.find_element(By.ID, pack_id).text
    assert "Update metadata refused" in driver.page_source
    driver.save_screenshot(str(screenshots / "releases-en.png"))
