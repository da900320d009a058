"""Working tickets in the console when things do not go to plan: the queue's alarm follows the promise (not the
status), a refused act keeps what was typed and says why in the page's language, a claim never takes a ticket
from a colleague, and hand-made requests get a console page instead of a 500.

Found by an independent review of the console (each case below reproduced a defect before its fix). Real server
on 127.0.0.1, real HTTP, the default calendar (Mon–Fri 08:00–12:00 and 13:30–17:30, Asia/Ho_Chi_Minh): a normal
ticket opened Tue 10/03/2026 09:00 is due at 14:30 (4 working hours, pmv_protocol/sla.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.console_helpers import PASSWORD, T0, Console, csrf_of, hidden, running_console
from vendor_server.console.audit import Action

pytestmark = pytest.mark.integration


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def _row(page: str, number: str) -> str:
    return page.split(f'data-number="{number}"')[1].split("</tr>")[0]


def _post(browser: requests.Session, url: str, **data: str) -> requests.Response:
    page = browser.get(url.rsplit("/", 1)[0], timeout=10).text
    return browser.post(url, data={"csrf": csrf_of(page), **data}, timeout=10)


def test_the_queue_alarms_on_an_unanswered_promise_whatever_the_status(console: Console) -> None:
    shop = console.shop()
    answered = shop.open_ticket(T0, severity="normal", title="Máy in tem in mờ")
    silenced = shop.open_ticket(T0, severity="normal", title="Máy quét không đọc tem")
    browser = console.sign_in("thuha")
    base = f"{console.url}/tickets"
    assert _post(browser, f"{base}/{answered['number']}/propose", kind="phone", text="Lau đầu in").status_code == 200
    # Moved back to "in progress" after a proposal in time: the promise is kept, no alarm once 14:30 has passed.
    assert _post(browser, f"{base}/{answered['number']}/status", status="in_progress").status_code == 200
    # "Visit booked" set by hand, with no visit offered, stopped the deadline silently: it is refused now.
    refused = _post(browser, f"{base}/{silenced['number']}/status", status="on_site_scheduled")
    assert refused.status_code == 422 and "không đặt tay được" in refused.text
    assert [e.action for e in console.audit(ticket_number=silenced["number"])] == []
    console.clock.advance(hours=6)  # 15:00: both deadlines (14:30) have passed
    page = console.sign_in("thuha").get(f"{console.url}/queue", timeout=10).text
    assert "Quá hạn" not in _row(page, answered["number"]) and "Đã có đề xuất" in _row(page, answered["number"])
    assert "Quá hạn" in _row(page, silenced["number"]) and "-0 h 3" in _row(page, silenced["number"])
    # A refusal of the next proposal restarts the promise (as the SLA report counts it): the clock runs again.
    browser = console.sign_in("thuha")
    assert _post(browser, f"{base}/{answered['number']}/propose", kind="remote", text="Chỉnh nhiệt độ").ok
    assert shop.act(answered["id"], "decision", console.clock(), decision="refuse",
                    reason="Vẫn mờ").status_code == 201
    page = browser.get(f"{console.url}/queue", timeout=10).text
    assert "Đã có đề xuất" not in _row(page, answered["number"])
    assert "Chờ cửa hàng" not in _row(page, answered["number"]) and "Quá hạn" not in _row(page, answered["number"])


def test_a_refused_act_keeps_what_was_typed_and_says_why_in_the_pages_language(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    browser = console.sign_in("thuha")
    url = f"{console.url}/tickets/{ticket['number']}"
    # A visit in the past reached the shop and counted as keeping the promise; now it is refused, day kept.
    past = _post(browser, f"{url}/visit", day="2020-01-01", start="14:00", end="16:00", technician="Trần Minh")
    assert past.status_code == 422 and "Lịch hẹn đã qua" in past.text and 'value="2020-01-01"' in past.text
    assert not any(e["kind"] == "visit_proposed" for e in shop.timeline(ticket["id"]))
    assert _post(browser, f"{url}/visit", day="2026-03-10", start="16:00", end="15:00").status_code == 422
    # A note over the limit: said, and the text is still in its box (it was lost on the redirect before).
    long_note = "Ghi chú " + "x" * 4000
    refused = _post(browser, f"{url}/note", text=long_note)
    assert refused.status_code == 422 and "Nội dung quá dài" in refused.text and long_note in refused.text
    # A reply to a closed ticket: what to do, in words, never the CLI's English instruction.
    assert _post(browser, f"{url}/status", status="closed").status_code == 200
    browser.get(f"{console.url}/language", params={"lang": "en", "back": "/console/queue"}, timeout=10)
    answer = _post(browser, f"{url}/reply", text="Chị thử lại giúp em nhé")
    assert answer.status_code == 422
    assert "The request is closed, so this cannot be done" in answer.text
    assert ">Chị thử lại giúp em nhé</textarea>" in answer.text
    assert "reopen it with: ticket update" not in answer.text  # the service's English, for the CLI


def test_a_claim_never_takes_a_ticket_from_whoever_claimed_it_first(console: Console) -> None:
    ticket = console.shop().open_ticket(T0)
    first, second = console.sign_in("thuha"), console.sign_in("tranminh")
    queues = [browser.get(f"{console.url}/queue", timeout=10).text for browser in (first, second)]  # both unassigned
    claim = f"{console.url}/tickets/{ticket['id']}/assign"
    assert first.post(claim, data={"csrf": csrf_of(queues[0]), "back": "/console/queue"}, timeout=10).ok
    late = second.post(claim, data={"csrf": csrf_of(queues[1]), "back": "/console/queue"}, timeout=10)
    assert late.status_code == 200 and "Người khác đã nhận yêu cầu này trước bạn" in late.text
    assert "Nguyễn Thu Hà" in _row(late.text, ticket["number"])  # still the first claimer's
    assert [e.login for e in console.audit(action=Action.ASSIGN)] == ["thuha"]


def test_hand_made_requests_get_a_console_page_not_a_server_error(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    admin = console.sign_in("phamlan")
    queue = admin.get(f"{console.url}/queue", timeout=10).text
    missing = admin.post(f"{console.url}/tickets/999999/assign", data={"csrf": csrf_of(queue)}, timeout=10)
    assert missing.status_code == 404 and "Không tìm thấy yêu cầu này." in missing.text
    staff = admin.get(f"{console.url}/staff", timeout=10).text
    agent_id = re.search(r'action="/console/staff/(\d+)"', staff)
    assert agent_id is not None
    bad_role = admin.post(f"{console.url}/staff/{agent_id.group(1)}",
                          data={"csrf": csrf_of(staff), "role": "superuser"}, timeout=10)
    assert bad_role.status_code == 422 and "Nội dung chưa hợp lệ" in bad_role.text
    nobody = admin.post(f"{console.url}/staff/999", data={"csrf": csrf_of(staff), "role": "agent"}, timeout=10)
    assert nobody.status_code == 404 and "Không tìm thấy nhân viên này." in nobody.text
    for path, params in (("/audit", {"before": "9" * 20}), ("/queue", {"assignee": "9" * 20})):
        assert admin.get(f"{console.url}{path}", params=params, timeout=10).status_code == 200, path
    # A file whose bytes are gone from the server's folder (a restore from an older copy): a page, not a 500.
    url = f"{console.url}/tickets/{ticket['number']}"
    page = admin.get(url, timeout=10).text
    sent = admin.post(f"{url}/reply", data={"csrf": csrf_of(page), "text": "Hướng dẫn"},
                      files=[("files", ("huong-dan.txt", b"1. Tat may\n", "text/plain"))], timeout=10)
    assert sent.status_code == 200
    link = re.search(r'href="(/console/tickets/[^"]+/files/\d+)"', sent.text)
    assert link is not None
    # Served as bytes to save, never as a page the browser would render: a shop's file may be HTML or SVG.
    served = admin.get(f"{console.vendor.base_url}{link.group(1)}", timeout=10)
    assert served.content == b"1. Tat may\n"
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("attachment;")
    for stored in (console.vendor.data / "attachments").rglob("*"):
        if stored.is_file():
            stored.unlink()
    gone = admin.get(f"{console.vendor.base_url}{link.group(1)}", timeout=10)
    assert gone.status_code == 404 and "Tệp này không còn trên máy chủ." in gone.text


def test_switching_language_keeps_the_page_and_its_filters(console: Console) -> None:
    """The switch came back to the bare path, dropping the queue's filters; from a page a refused form showed
    (whose address takes no GET) it now comes back to the ticket."""
    ticket = console.shop().open_ticket(T0)
    browser = console.sign_in("thuha")
    page = browser.get(f"{console.url}/queue", params={"severity": "normal"}, timeout=10).text
    link = re.search(r'href="(/console/language\?lang=en&amp;back=[^"]+)"', page)
    assert link is not None
    switched = browser.get(console.vendor.base_url + link.group(1).replace("&amp;", "&"), timeout=10)
    assert switched.url.endswith("/console/queue?severity=normal") and "Open requests" in switched.text
    refused = _post(browser, f"{console.url}/tickets/{ticket['number']}/note", text="")
    assert refused.status_code == 422
    assert f"back=/console/tickets/{ticket['number']}\"" in refused.text.replace("%2F", "/")


def test_signing_in_again_comes_back_to_the_ticket_or_else_to_the_queue(console: Console) -> None:
    """After the session's 30 idle minutes, a ticket's form comes back to the ticket once signed in again; a claim
    from the queue (addressed by the ticket's database id, not its number) comes back to the queue, not a 404."""
    ticket = console.shop().open_ticket(T0)
    browser = console.sign_in("thuha")
    page = browser.get(f"{console.url}/tickets/{ticket['number']}", timeout=10).text
    queue = browser.get(f"{console.url}/queue", timeout=10).text
    for action, data, back in ((f"/tickets/{ticket['number']}/note", {"csrf": csrf_of(page), "text": "Gọi lại"},
                                f"/console/tickets/{ticket['number']}"),
                               (f"/tickets/{ticket['id']}/assign", {"csrf": csrf_of(queue)}, "/console/queue")):
        console.clock.advance(minutes=31)
        ended = browser.post(f"{console.url}{action}", data=data, timeout=10)
        assert ended.url.endswith("/console/signin")
        console.clock.advance(seconds=30)
        answer = browser.post(f"{console.url}/signin", data={"login": "thuha", "password": PASSWORD,
                                                             "pre": hidden(ended.text, "pre")}, timeout=10)
        done = browser.post(f"{console.url}/signin/code", data={"code": console.code("thuha"),
                                                                "csrf": hidden(answer.text, "csrf")}, timeout=10)
        assert done.status_code == 200 and done.url.endswith(back), (action, done.url)
