"""The ticket page with diagnostics zips a compromised till could upload: each costs the page a bounded amount.

Found by an independent review of the console (vendor_server/console/diagnostics.py): settings nested 200 deep
were indented into hundreds of MB, a health.json of millions of bad rows became as many lines on the page, a zip
of 100,000 entries cost most of a second, and every zip was read again on every view.  Real server on 127.0.0.1,
real HTTP: the shop uploads through the API, a staff member opens the ticket in the console.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.console_helpers import T0, Console, running_console
from tests.integration.test_vendor_tickets import upload
from vendor_server.console import bundle_cache, diagnostics

pytestmark = pytest.mark.integration

MANIFEST = json.dumps({"app": "PMV Support 1.0", "created_at": "2026-03-10T09:00:00+07:00", "parts": [],
                       "left_out": []})


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    monkeypatch.setattr(bundle_cache, "CACHE", bundle_cache.BundleCache())  # this test's own cache
    with running_console(tmp_path) as running:
        yield running


def zipped(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def panel(page: str, filename: str) -> str:
    """The diagnostics panel of the bundle named ``filename``: from its heading to the page's next one."""
    return next(section for section in page.split("<h2>") if filename in section.split("</h2>")[0])


class Opened:
    """How many members the server decompresses (it runs in this process)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = zipfile.ZipFile.open

        def spy(archive: zipfile.ZipFile, *args: object, **kwargs: object) -> object:
            self.count += 1
            return real(archive, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(zipfile.ZipFile, "open", spy)


def test_hostile_bundles_cost_the_ticket_page_a_bounded_amount_and_are_read_once(
        console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    deep_settings = "[" * 200 + ",".join(["0"] * 60_000) + "]" * 200  # 120 KB; indented, 24 million characters
    bad_rows = json.dumps({"verdict": "critical", "results": [0] * 20_000})
    many_tails = "\n".join(f"===== pmv-{number}.log =====\nmột dòng" for number in range(5_000))
    bundles = {"a-settings.zip": {"settings.json": deep_settings}, "b-health.zip": {"health.json": bad_rows},
               "c-logs.zip": {"pos.log": many_tails}}
    for filename, members in bundles.items():
        sent = upload(console.vendor.base_url, shop.token, ticket["id"], zipped({"manifest.json": MANIFEST, **members}),
                      filename=filename)
        assert sent.status_code == 201, sent.text
    staff = console.sign_in("thuha")
    opened = Opened(monkeypatch)

    page = staff.get(f"{console.url}/tickets/{ticket['number']}", timeout=30)
    assert page.status_code == 200, page.text[-2000:]
    assert len(page.text) < 400_000  # before: tens of MB
    settings = re.search(r"<pre[^>]*>(.*?)</pre>", panel(page.text, "a-settings.zip"), re.S)
    assert settings is not None
    assert len(html.unescape(settings.group(1))) < diagnostics.SETTINGS_SHOWN_MAX + 200
    assert "ký tự khác không hiện" in settings.group(1)
    health = panel(page.text, "b-health.zip")
    assert health.count('class="flash error"') == diagnostics.PROBLEMS_MAX + 1
    assert "vấn đề khác không hiện" in health
    logs = panel(page.text, "c-logs.zip")
    assert logs.count("<details>") == diagnostics.LOG_TAILS_MAX
    assert f"…và {5_000 - diagnostics.LOG_TAILS_MAX:,} tệp khác không hiện".replace(",", ".") in logs
    assert opened.count > 0

    opened.count = 0
    again = staff.get(f"{console.url}/tickets/{ticket['number']}", timeout=30)
    assert again.status_code == 200 and again.text == page.text
    assert opened.count == 0  # the second view read no zip


# --- system.json: the till's details beside the checks --------------------------------------------------------

# What the app writes (app/support/bundle.py system_info, and the packs collect_parts adds).
APP = "PMV Support Assistant 1.4.0"
SYSTEM = {"app": APP, "python": "3.11.7", "platform": "Windows-10-10.0.19045-SP0",
          "pos_version": "5.2.1", "local_time": "2026-03-10T08:58:41+07:00", "utc_offset": "7:00:00",
          "disks": {"pos_database": {"free_bytes": 12 * 1024 ** 3, "total_bytes": 237 * 1024 ** 3},
                    "data_dir": {"free_bytes": 512 * 1024 ** 2, "total_bytes": 64 * 1024 ** 3}},
          "packs": [{"id": "nd-232-2025", "version": "1.1.0", "title": "Nghị định 232/2025/NĐ-CP"},
                    {"id": "lich-lam-viec-2026", "version": "1.0.0", "title": "Lịch làm việc 2026"}]}
# Each wrong where the page reads system.json; before, each made the whole ticket page a 500 (StrictUndefined,
# fromisoformat, a size float() cannot hold), so staff could not even reply.
MALFORMED_SYSTEMS: dict[str, dict[str, object]] = {
    "local_time not a time": {"local_time": "x"},
    "local_time a number": {"local_time": 5},
    "local_time past the calendar in shop time": {"local_time": "0001-01-01T00:00:00+14:00"},
    "a disk a number": {"disks": {"C:": 5}},
    "a disk without its total": {"disks": {"C:": {"free_bytes": 1024}}},
    "a disk's size past what a float holds": {"disks": {"C:": {"free_bytes": 10 ** 400, "total_bytes": 1}}},
    "packs a number": {"packs": 5},
    "a pack without its id": {"packs": [{"title": ""}]},
    "a pack a string": {"packs": ["nd-232-2025"]},
}


def machine_table(panel_html: str) -> str:
    """The bundle's "Máy bán hàng" table, as the page writes it."""
    found = re.search(r"<h3>Máy bán hàng</h3>\s*(<table>.*?</table>)", panel_html, re.S)
    assert found is not None, panel_html
    return found.group(1)


def test_the_tills_details_show_as_the_app_sent_them(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    sent = upload(console.vendor.base_url, shop.token, ticket["id"],
                  zipped({"manifest.json": MANIFEST, "system.json": json.dumps(SYSTEM, ensure_ascii=False)}),
                  filename="chan-doan.zip")
    assert sent.status_code == 201, sent.text

    page = console.sign_in("thuha").get(f"{console.url}/tickets/{ticket['number']}", timeout=10)
    assert page.status_code == 200
    shown = panel(page.text, "chan-doan.zip")
    assert 'class="flash error"' not in shown
    rows = re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", machine_table(shown), re.S)
    assert rows == [
        ("Ứng dụng hỗ trợ", APP),
        ("Phần mềm bán hàng", "5.2.1"),
        ("Hệ điều hành", "Windows-10-10.0.19045-SP0"),
        ("Giờ trên máy lúc gửi", "10/03/2026 08:58"),
        ("Ổ đĩa pos_database", "12,0 GB / 237,0 GB còn trống"),
        ("Ổ đĩa data_dir", "512,0 MB / 64,0 GB còn trống"),
        ("Gói cập nhật đã cài", '<div>Nghị định 232/2025/NĐ-CP <span class="muted">nd-232-2025 1.1.0</span></div>'
                                '<div>Lịch làm việc 2026 <span class="muted">lich-lam-viec-2026 1.0.0</span></div>'),
    ]


def test_a_malformed_system_json_is_a_problem_line_and_the_ticket_can_still_be_worked(console: Console) -> None:
    shop = console.shop()
    tickets = {}
    for case, wrong in MALFORMED_SYSTEMS.items():
        ticket = shop.open_ticket(T0, title=case)
        system = json.dumps({"app": APP, **wrong})
        sent = upload(console.vendor.base_url, shop.token, ticket["id"],
                      zipped({"manifest.json": MANIFEST, "system.json": system}), filename="chan-doan.zip")
        assert sent.status_code == 201, sent.text
        tickets[case] = ticket["number"]
    staff = console.sign_in("thuha")

    failed = {}
    for case, number in tickets.items():
        try:
            page = staff.get(f"{console.url}/tickets/{number}", timeout=10)
        except requests.ConnectionError as exc:  # the test server drops the connection on an exception
            failed[case] = f"no answer ({exc})"
            continue
        if page.status_code != 200:
            failed[case] = f"answered {page.status_code}"
            continue
        shown = panel(page.text, "chan-doan.zip")
        problems = re.findall(r'<div class="flash error">(.*?)</div>', shown)
        checks = {
            "the conversation": 'id="thread"' in page.text and 'data-kind="opened"' in page.text,
            "the reply form": f'action="/console/tickets/{number}/reply"' in page.text,
            "a problem line naming system.json": any("system.json" in line for line in problems),
            "the well-formed rest of system.json": APP in machine_table(shown),
        }
        if missing := [what for what, there in checks.items() if not there]:
            failed[case] = f"missing {', '.join(missing)}"
    assert failed == {}
