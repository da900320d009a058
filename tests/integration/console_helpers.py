"""The staff console on a real vendor server (127.0.0.1) for the console's tests: staff accounts, signing in.

The server runs on a clock the test moves; TOTP codes are computed for that clock with pyotp (RFC 6238), as a
staff member's authenticator app would compute them for the real time.  Each sign-in moves the clock 30 s on,
so the same account never presents a code of an already used 30-second step (which the server refuses).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import requests

from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer, start_vendor_server
from tests.integration.test_vendor_thread import Shop, warranty_shop
from vendor_server.console import accounts
from vendor_server.console.audit import AuditEntry, entries
from vendor_server.db import VendorDatabase

HCM = dt.timezone(dt.timedelta(hours=7))
# Tuesday 10/03/2026 09:00 in Hồ Chí Minh City: a working morning on the default calendar.
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=HCM)
PASSWORD = "mật-khẩu-đủ-dài-1"
STAFF = {  # login -> (name, role)
    "thuha": ("Nguyễn Thu Hà", accounts.Role.AGENT),
    "tranminh": ("Trần Minh", accounts.Role.TECHNICIAN),
    "phamlan": ("Phạm Lan", accounts.Role.ADMIN),
}


def hidden(page: str, name: str) -> str:
    """The value of the form's hidden field ``name`` in ``page``."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, f"no hidden field {name} in the page"
    return html.unescape(found.group(1))


@dataclass
class Console:
    vendor: VendorServer
    clock: FixedClock
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{self.vendor.base_url}/console"

    @property
    def db(self) -> VendorDatabase:
        return VendorDatabase(self.vendor.db_url)

    def code(self, login: str) -> str:
        return pyotp.TOTP(self.secrets[login]).at(self.clock())

    def password_step(self, login: str, password: str = PASSWORD) -> tuple[requests.Session, requests.Response]:
        browser = requests.Session()
        form = browser.get(f"{self.url}/signin", timeout=10)
        assert form.status_code == 200, form.text
        answer = browser.post(f"{self.url}/signin", data={"login": login, "password": password,
                                                         "pre": hidden(form.text, "pre")}, timeout=10)
        return browser, answer

    def sign_in(self, login: str) -> requests.Session:
        """A browser signed in as ``login`` (password, then the code), on the queue page."""
        self.clock.advance(seconds=30)
        browser, answer = self.password_step(login)
        assert answer.status_code == 200 and answer.url.endswith("/console/signin/code"), answer.text
        done = browser.post(f"{self.url}/signin/code", data={"code": self.code(login),
                                                             "csrf": hidden(answer.text, "csrf")}, timeout=10)
        assert done.status_code == 200 and done.url.endswith("/console/queue"), done.text
        return browser

    def audit(self, **filters: object) -> list[AuditEntry]:
        return entries(self.db, **filters)  # type: ignore[arg-type]

    def shop(self, shop_id: str = "KP-0001") -> Shop:
        return warranty_shop(self.vendor, shop_id)


@contextmanager
def running_console(tmp_path: Path, **app_options: object) -> Iterator[Console]:
    clock = FixedClock(T0)
    with start_vendor_server(tmp_path / "vendor", clock=clock, **app_options) as vendor:
        console = Console(vendor, clock)
        db = VendorDatabase(vendor.db_url)
        for login, (name, role) in STAFF.items():
            _staff, secret = accounts.add_staff(db, login, name, role, PASSWORD, now=T0)
            console.secrets[login] = secret
        db.engine.dispose()
        yield console


def csrf_of(page: str) -> str:
    return hidden(page, "csrf")
