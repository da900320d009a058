"""The console's queue and ticket page show a ticket the vendor's system opened, tagged, with its check.

A real server on loopback, a staff member signed in with password and TOTP (tests/integration/console_helpers.py);
the ticket opened as the fleet's sweep opens it (:func:`tests.integration.test_system_tickets.open_on_server`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.console_helpers import T0, Console, running_console
from tests.integration.test_system_tickets import note_on_server, open_on_server

pytestmark = pytest.mark.integration

TAG = re.compile(r'<span class="tag system-opened"[^>]*>([^<]+)</span>')


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def _row(page: str, number: str) -> str:
    found = re.search(rf'<tr [^>]*data-number="{number}">(.*?)</tr>', page, re.S)
    assert found is not None, f"no row for {number} in the queue"
    return found.group(1)


def test_the_queue_and_the_ticket_page_tag_a_system_ticket_and_name_its_check(console: Console) -> None:
    shop = console.shop()  # KP-0001 under warranty
    own = shop.open_ticket(T0, severity="high")
    opened = open_on_server(console.vendor, console.clock, "pos.db.connect")
    browser = console.sign_in("thuha")

    queue = browser.get(f"{console.url}/queue", timeout=10).text
    system_row, own_row = _row(queue, opened.number), _row(queue, own["number"])
    assert TAG.findall(system_row) == ["Hệ thống mở"] and "pos.db.connect" in system_row
    assert "Không kết nối được cơ sở dữ liệu PMV" in system_row
    assert TAG.findall(own_row) == []  # the shop's own request: no tag

    console.clock.advance(minutes=20)  # within the console's idle limit
    note_on_server(console.vendor, opened.id, console.clock(), "pos.db.connect")
    page = browser.get(f"{console.url}/tickets/{opened.number}", timeout=10)
    assert page.status_code == 200 and page.url.endswith(f"/console/tickets/{opened.number}")
    text = html.unescape(page.text)
    assert TAG.findall(text) == ["Hệ thống mở"]
    assert re.search(r'<code id="system-check">pos\.db\.connect</code>', text)
    assert "Hệ thống mở yêu cầu thay cho cửa hàng" in text  # its first step
    assert "Hệ thống PMV · 1900 6037" in text  # the contact: the system and the hotline
    assert "Kiểm tra \u201cKết nối cơ sở dữ liệu PMV\u201d đã trở lại bình thường lúc 10/03/2026 09:20." in text
    own_page = html.unescape(browser.get(f"{console.url}/tickets/{own['number']}", timeout=10).text)
    assert TAG.findall(own_page) == [] and 'id="system-check"' not in own_page

    english = browser.get(f"{console.url}/language", params={"lang": "en", "back": f"/console/tickets/{opened.number}"},
                          timeout=10).text
    assert TAG.findall(english) == ["Opened by the system"]
    assert "The system opened the request for the shop" in html.unescape(english)
    assert "stayed critical past its threshold" in english
