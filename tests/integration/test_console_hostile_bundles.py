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

from tests.integration.console_helpers import T0, Console, running_console
from tests.integration.test_vendor_tickets import upload
from vendor_server.console import diagnostics

pytestmark = pytest.mark.integration

MANIFEST = json.dumps({"app": "PMV Support 1.0", "created_at": "2026-03-10T09:00:00+07:00", "parts": [],
                       "left_out": []})


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    monkeypatch.setattr(diagnostics, "CACHE", diagnostics.BundleCache())  # this test's own cache
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
