"""A ticket the vendor's system opened for a shop, in a real browser: tagged in the queue and on its page.

``CONSOLE_SCREENSHOTS=DIR`` keeps ``queue-system.png`` and ``ticket-system.png`` for a person to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_console_browser import _click_and_wait, _shop, _sign_in
from tests.integration.console_helpers import Console, running_console
from tests.integration.test_system_tickets import note_on_server, open_on_server

pytestmark = [pytest.mark.integration, pytest.mark.real_clock]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def test_staff_see_who_opened_a_ticket_and_for_which_check(browser: Any, console: Console, tmp_path: Path,
                                                           screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    shop = _shop(console, tmp_path)
    _own_id, own_number = shop.raise_request()
    since = console.clock() - dt.timedelta(hours=50)  # the backup check critical for two days and more
    opened = open_on_server(console.vendor, console.clock, "backup.age", since)
    note_on_server(console.vendor, opened.id, console.clock())

    _sign_in(driver, console, "thuha", screenshots, "agent-system")
    row = driver.find_element(By.CSS_SELECTOR, f"#queue tbody tr[data-number='{opened.number}']")
    assert row.find_element(By.CSS_SELECTOR, ".system-opened").text == "Hệ thống mở"
    assert row.find_element(By.CSS_SELECTOR, "code.check").text == "backup.age"
    own = driver.find_element(By.CSS_SELECTOR, f"#queue tbody tr[data-number='{own_number}']")
    assert own.find_elements(By.CSS_SELECTOR, ".system-opened") == []
    driver.save_screenshot(str(screenshots / "queue-system.png"))

    _click_and_wait(driver, f"#queue tbody tr a[href='/console/tickets/{opened.number}']")
    assert driver.find_element(By.CSS_SELECTOR, "h1 .system-opened").text == "Hệ thống mở"
    assert driver.find_element(By.ID, "system-check").text == "backup.age"
    events = driver.find_elements(By.CSS_SELECTOR, "#thread .event")
    assert [event.get_attribute("data-kind") for event in events] == ["opened", "message"]
    assert "Hệ thống mở yêu cầu thay cho cửa hàng" in events[0].text
    assert "đã trở lại bình thường" in events[1].text
    driver.save_screenshot(str(screenshots / "ticket-system.png"))
