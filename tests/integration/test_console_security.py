"""The staff console refuses what it must, on the real server, and the audit log keeps every attempt.

The cases are the issue's list (wrong password, wrong TOTP, throttling, a missing or foreign form token, an
expired session, an agent trying a technician's or admin's page, a shop's token on /console, what shops write
shown as text), with the rules' sources: OWASP's Authentication and Session Management cheat sheets (the
same refusal for an unknown login and a wrong password; idle timeout; token replaced at sign-in), RFC 6238
(a TOTP code belongs to one 30-second step and is not accepted twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.console_helpers import PASSWORD, Console, csrf_of, hidden, running_console
from vendor_server.console.audit import Action, Outcome
from vendor_server.console.notes import notes_of

pytestmark = pytest.mark.integration


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def _refusals(console: Console, action: Action) -> list[str]:
    return [e.detail or "" for e in console.audit(action=action, outcome=Outcome.REFUSED)]


def test_signing_in_takes_the_password_and_then_the_code(console: Console) -> None:
    browser = console.sign_in("thuha")
    queue = browser.get(f"{console.url}/queue", timeout=10)
    assert queue.status_code == 200 and "Nguyễn Thu Hà" in queue.text and "Nhân viên hỗ trợ" in queue.text
    (entry,) = console.audit(action=Action.SIGN_IN, outcome=Outcome.OK)
    assert entry.login == "thuha" and entry.address == "127.0.0.1"


def test_a_wrong_password_and_an_unknown_login_get_the_same_words(console: Console) -> None:
    _browser, wrong = console.password_step("thuha", "not-the-password")
    _browser, unknown = console.password_step("nobody", "not-the-password")
    for answer in (wrong, unknown):
        assert answer.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu." in answer.text
    assert sorted(e.login for e in console.audit(action=Action.SIGN_IN, outcome=Outcome.REFUSED)) == ["nobody", "thuha"]


def test_the_password_alone_opens_nothing_but_the_code_page(console: Console) -> None:
    browser, answer = console.password_step("thuha")
    assert answer.url.endswith("/console/signin/code")
    queue = browser.get(f"{console.url}/queue", timeout=10)
    assert queue.url.endswith("/console/signin/code") and "Yêu cầu đang mở" not in queue.text


def test_a_wrong_code_and_a_replayed_code_are_refused(console: Console) -> None:
    browser, answer = console.password_step("thuha")
    wrong = browser.post(f"{console.url}/signin/code", data={"code": "000000" if console.code("thuha") != "000000"
                                                             else "111111", "csrf": csrf_of(answer.text)}, timeout=10)
    assert wrong.status_code == 401 and "Sai mã xác thực" in wrong.text
    code = console.code("thuha")
    assert browser.post(f"{console.url}/signin/code", data={"code": code, "csrf": csrf_of(answer.text)},
                        timeout=10).url.endswith("/console/queue")
    # Someone who saw that code over the cashier's shoulder, within the same 30 seconds:
    other, second = console.password_step("thuha")
    replay = other.post(f"{console.url}/signin/code", data={"code": code, "csrf": csrf_of(second.text)}, timeout=10)
    assert replay.status_code == 401
    assert _refusals(console, Action.SECOND_FACTOR) == ["wrong_code", "wrong_code"]


def test_five_failures_throttle_the_account_even_for_the_right_password(console: Console) -> None:
    for _ in range(5):
        console.password_step("thuha", "wrong-password")
    _browser, right = console.password_step("thuha")
    assert right.status_code == 429 and "Đăng nhập sai quá nhiều lần" in right.text
    assert "throttled" in _refusals(console, Action.SIGN_IN)
    console.clock.advance(minutes=16)  # the window has passed
    assert console.sign_in("thuha").get(f"{console.url}/queue", timeout=10).status_code == 200


def test_twenty_failures_from_one_address_throttle_every_account_from_it(console: Console) -> None:
    for n in range(20):
        console.password_step(f"guess{n}", "wrong-password")
    _browser, right = console.password_step("tranminh")
    assert right.status_code == 429


def test_a_sign_in_form_from_elsewhere_is_refused(console: Console) -> None:
    """Login CSRF: another site's page cannot sign this browser in to an account of its choosing."""
    answer = requests.post(f"{console.url}/signin", data={"login": "thuha", "password": PASSWORD, "pre": "forged"},
                           timeout=10)
    assert answer.status_code == 403
    assert _refusals(console, Action.CSRF_REFUSED) == ["sign-in form"]


def test_a_form_without_or_with_a_foreign_token_is_refused_and_changes_nothing(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(console.clock())
    ha, minh = console.sign_in("thuha"), console.sign_in("tranminh")
    minh_token = csrf_of(minh.get(f"{console.url}/queue", timeout=10).text)
    note = f"{console.url}/tickets/{ticket['number']}/note"
    missing = ha.post(note, data={"text": "Ghi chú lạc"}, timeout=10)
    foreign = ha.post(note, data={"text": "Ghi chú lạc", "csrf": minh_token}, timeout=10)
    for answer in (missing, foreign):
        assert answer.status_code == 403 and "Biểu mẫu đã hết hạn" in answer.text
    assert notes_of(console.db, ticket["id"]) == []
    assert len(_refusals(console, Action.CSRF_REFUSED)) == 2


def test_an_idle_session_expires_and_the_attempt_is_logged(console: Console) -> None:
    browser = console.sign_in("thuha")
    console.clock.advance(minutes=29)
    assert browser.get(f"{console.url}/queue", timeout=10).url.endswith("/console/queue")  # still in use
    console.clock.advance(minutes=31)
    expired = browser.get(f"{console.url}/queue", timeout=10)
    assert expired.url.endswith("/console/signin") and "Đăng nhập" in expired.text
    assert _refusals(console, Action.SESSION_REFUSED) == ["/console/queue"]


def test_an_agent_cannot_open_the_admins_pages_and_the_try_is_logged(console: Console) -> None:
    agent, admin = console.sign_in("thuha"), console.sign_in("phamlan")
    refused = agent.get(f"{console.url}/audit", timeout=10)
    assert refused.status_code == 403 and "không có quyền" in refused.text
    assert admin.get(f"{console.url}/audit", timeout=10).status_code == 200
    (entry,) = console.audit(action=Action.ROLE_REFUSED)
    assert entry.login == "thuha" and "needs admin" in (entry.detail or "")


def test_a_shops_token_is_no_key_to_the_console(console: Console) -> None:
    shop = console.shop("KP-0002")
    answer = requests.get(f"{console.url}/queue", headers={"Authorization": f"Bearer {shop.token}"}, timeout=10,
                          allow_redirects=False)
    assert answer.status_code == 401 and "dành cho nhân viên" in answer.text
    (entry,) = console.audit(action=Action.SHOP_TOKEN_REFUSED)
    assert entry.shop_id == "KP-0002"


def test_what_a_shop_writes_is_shown_as_text(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(console.clock(), title="<script>alert('x')</script>", description="<b>đậm</b>")
    browser = console.sign_in("thuha")
    for page in (browser.get(f"{console.url}/queue", timeout=10).text,
                 browser.get(f"{console.url}/tickets/{ticket['number']}", timeout=10).text):
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>đậm</b>" not in browser.get(f"{console.url}/tickets/{ticket['number']}", timeout=10).text


def test_the_session_cookie_is_http_only_same_site_and_replaced_at_sign_in(console: Console) -> None:
    browser, answer = console.password_step("thuha")
    half_open = browser.cookies.get("pmv_console")
    cookie = next(h for h in answer.history[0].raw.headers.getlist("set-cookie") if h.startswith("pmv_console="))
    assert re.search(r"HttpOnly", cookie, re.I) and re.search(r"SameSite=strict", cookie, re.I)
    assert "Path=/console" in cookie
    browser.post(f"{console.url}/signin/code", data={"code": console.code("thuha"), "csrf": csrf_of(answer.text)},
                 timeout=10)
    assert browser.cookies.get("pmv_console") not in (None, half_open)
    stale = requests.get(f"{console.url}/queue", cookies={"pmv_console": half_open}, timeout=10)
    assert stale.url.endswith("/console/signin")  # the token from before the code opens nothing


def test_signing_out_ends_the_session_on_the_server(console: Console) -> None:
    browser = console.sign_in("thuha")
    token = browser.cookies.get("pmv_console")
    page = browser.get(f"{console.url}/queue", timeout=10).text
    assert browser.post(f"{console.url}/signout", data={"csrf": csrf_of(page)}, timeout=10).url.endswith("/signin")
    replay = requests.get(f"{console.url}/queue", cookies={"pmv_console": token}, timeout=10)
    assert replay.url.endswith("/console/signin")
    assert [e.action for e in console.audit(login="thuha", outcome=Outcome.OK)] == [Action.SIGN_OUT, Action.SIGN_IN]


def test_hidden_reads_the_sign_in_forms_token() -> None:
    assert hidden('<input type="hidden" name="pre" value="a&amp;b">', "pre") == "a&b"


def test_the_queues_own_refresh_does_not_hold_an_idle_session_open(console: Console) -> None:
    # An open tab refreshing its queue is not the staff member at work (OWASP Session Management: the idle
    # timeout counts from the user's last activity); only real requests move it.
    browser = console.sign_in("thuha")
    for _ in range(4):
        console.clock.advance(minutes=10)
        refreshed = browser.get(f"{console.url}/queue", headers={"X-Console-Refresh": "1"}, timeout=10)
    assert refreshed.url.endswith("/console/signin")  # 40 minutes after the last real request
    assert _refusals(console, Action.SESSION_REFUSED) == ["/console/queue"]
    # The same requests without the header are activity, and keep the session.
    other = console.sign_in("thuha")
    for _ in range(4):
        console.clock.advance(minutes=10)
        assert other.get(f"{console.url}/queue", timeout=10).url.endswith("/console/queue")


def test_anyone_without_a_session_cannot_fill_the_audit_log(console: Console) -> None:
    # The audit log is append-only (nobody may clean it): a row per anonymous request, its 15,000-character path
    # kept whole, let anyone fill the vendor's disk. Now a few rows a window per address, each bounded.
    from vendor_server.console.audit import DETAIL_MAX, REFUSALS_KEPT

    stranger = requests.Session()
    stranger.cookies.set("pmv_console", "made-up", path="/console")
    long_path = f"{console.url}/tickets/{'A' * 15_000}"
    for _ in range(REFUSALS_KEPT + 15):
        assert stranger.get(long_path, timeout=10, allow_redirects=False).status_code == 303
    kept = _refusals(console, Action.SESSION_REFUSED)
    assert len(kept) == REFUSALS_KEPT and all(len(detail) <= DETAIL_MAX for detail in kept)
    assert kept[0].startswith("/console/tickets/AAAA")
