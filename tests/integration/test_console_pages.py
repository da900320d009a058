"""The console's pages at work on the real server: the queue's order, a ticket worked to a proposal the shop
refuses, a technician code the app accepts, a contract the app imports, shops, staff and passwords.

Deadlines are worked by hand on the default calendar (Mon–Fri 08:00–12:00 and 13:30–17:30, Sat 08:00–12:00,
Asia/Ho_Chi_Minh), as in tests/integration/test_vendor_thread.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.infra.keys import load_trusted_keys
from app.technician.unlock import TechnicianUnlock
from app.warranty.service import ContractService
from pmv_protocol.unlock_codes import make_challenge
from tests.helpers import MemoryStore
from tests.integration.console_helpers import T0, Console, csrf_of, running_console
from vendor_server.console.audit import Action
from vendor_server.db import Shop as ShopRow
from vendor_server.db import Ticket

pytestmark = pytest.mark.integration



@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        running.vendor.trusted_keys_file()  # the signing keys, as `pmv-vendor keys init` makes them
        yield running


def _queue_numbers(page: str) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', page)


def test_the_queue_puts_the_closest_deadline_first_and_marks_breaches(console: Console) -> None:
    shop = console.shop()
    # Opened Tue 10/03 09:00 (T0): critical is due in 2 working hours (11:00), normal in 4 (13:00 → 14:30
    # after the lunch break 12:00–13:30, per pmv_protocol/sla.py).
    normal = shop.open_ticket(T0, severity="normal", title="Máy in tem in mờ")
    critical = shop.open_ticket(T0, severity="critical", title="Không bán được hàng")
    browser = console.sign_in("thuha")
    page = browser.get(f"{console.url}/queue", timeout=10).text
    assert _queue_numbers(page) == [critical["number"], normal["number"]]
    console.clock.advance(minutes=104)  # from 09:00:30, the first sign-in's moment
    browser = console.sign_in("thuha")  # 10:45 (sign-in moves 30 s): 15 minutes left on the critical one
    # (a new sign-in: the first session has been idle for more than 30 minutes)
    page = browser.get(f"{console.url}/queue", timeout=10).text
    row = page.split(f'data-number="{critical["number"]}"')[1].split("</tr>")[0]
    assert "Sắp đến hạn" in row and "0 h 15" in row
    console.clock.advance(minutes=29)  # 11:14: 14 minutes past it (the session still within its 30 idle minutes)
    row = browser.get(f"{console.url}/queue", timeout=10).text.split(f'data-number="{critical["number"]}"')[1]
    assert "Quá hạn" in row.split("</tr>")[0] and "-0 h 14" in row.split("</tr>")[0]
    # Filters: by severity, and "assign to me" then "mine".
    assert _queue_numbers(browser.get(f"{console.url}/queue", params={"severity": "normal"}, timeout=10).text) == [
        normal["number"]]
    queue = browser.get(f"{console.url}/queue", timeout=10).text
    browser.post(f"{console.url}/tickets/{normal['id']}/assign", data={"csrf": csrf_of(queue)}, timeout=10)
    mine = browser.get(f"{console.url}/queue", params={"assignee": "mine"}, timeout=10).text
    assert _queue_numbers(mine) == [normal["number"]] and "Nguyễn Thu Hà" in mine
    # An assignee no staff id can be ("²" passes str.isdigit(), int() refuses it: a 500) filters nothing.
    odd = browser.get(f"{console.url}/queue", params={"assignee": "²"}, timeout=10)
    assert odd.status_code == 200 and _queue_numbers(odd.text) == [critical["number"], normal["number"]]


def test_answered_tickets_never_push_a_running_one_off_the_queue_and_the_page_says_what_it_left_out(
        console: Console) -> None:
    """Found by a review: 200 tickets waiting on the shop (a solution proposed) with earlier deadlines filled the
    page's 200 rows, and the overdue critical request opened after them was not on it, with no word of it."""
    shop = console.shop()
    db = console.db
    try:
        with db.engine.begin() as connection:
            shop_pk = connection.execute(select(ShopRow.id).where(ShopRow.shop_id == "KP-0001")).scalar_one()
            opened = T0 - dt.timedelta(days=8)
            connection.execute(insert(Ticket), [
                {"shop_pk": shop_pk, "idempotency_key": str(uuid.UUID(int=n + 1)), "number": f"YC-2026-9{n:05d}",
                 "category": "incident", "severity": "normal", "title": f"Máy in số {n}", "description": "In mờ",
                 "contact_name": "Chị Hoa", "contact_phone": "0903112233", "channel": "remote",
                 "coverage": "warranty", "opened_at": opened,
                 "response_due_at": opened + dt.timedelta(hours=4, minutes=n),
                 "status": "solution_proposed", "created_at": opened, "updated_at": opened} for n in range(201)])
    finally:
        db.engine.dispose()
    critical = shop.open_ticket(T0, severity="critical", title="Không bán được hàng")
    console.clock.advance(hours=3)  # 12:00: past its 11:00 deadline
    browser = console.sign_in("thuha")
    page = browser.get(f"{console.url}/queue", timeout=10).text
    numbers = _queue_numbers(page)
    assert len(numbers) == 200 and numbers[0] == critical["number"]
    assert "Quá hạn" in page.split(f'data-number="{critical["number"]}"')[1].split("</tr>")[0]
    more = page.split('id="queue-more"')[1].split("</tfoot>")[0]
    assert "Chưa hiện 2 yêu cầu xếp sau các dòng trên" in more
    browser.get(f"{console.url}/language", params={"lang": "en", "back": "/console/queue"}, timeout=10)
    english = browser.get(f"{console.url}/queue", timeout=10).text.split('id="queue-more"')[1].split("</tfoot>")[0]
    assert "Not shown: 2 requests that come after the rows above" in english
    narrowed = browser.get(f"{console.url}/queue", params={"severity": "critical"}, timeout=10).text
    assert _queue_numbers(narrowed) == [critical["number"]] and "Not shown" not in narrowed


def test_a_ticket_worked_from_the_console_reaches_the_shop_and_the_shops_refusal_comes_back(
        console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    browser = console.sign_in("thuha")
    url = f"{console.url}/tickets/{ticket['number']}"
    page = browser.get(url, timeout=10).text
    guide = b"1. Tat may in\n2. Lau dau in bang con\n"
    answer = browser.post(f"{url}/reply", data={"csrf": csrf_of(page), "text": "Chị thử theo hướng dẫn đính kèm."},
                          files=[("files", ("huong-dan.txt", guide, "text/plain"))], timeout=10)
    assert answer.status_code == 200 and "Đã lưu." in answer.text
    browser.post(f"{url}/note", data={"csrf": csrf_of(page), "text": "Máy in Zebra đời cũ, hay bẩn đầu in"},
                 timeout=10)
    browser.post(f"{url}/propose", data={"csrf": csrf_of(page), "kind": "phone",
                                         "text": "Gọi điện hướng dẫn lau đầu in"}, timeout=10)
    # The shop sees the reply with its file and the proposal, by the staff member's name; never the note.
    events = shop.timeline(ticket["id"])
    message = next(e for e in events if e["kind"] == "message")
    assert message["author_name"] == "Nguyễn Thu Hà" and message["files"][0]["filename"] == "huong-dan.txt"
    download = shop.download(ticket["id"], message["files"][0]["id"])
    assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(guide).hexdigest()
    assert any(e["kind"] == "proposed" for e in events)
    assert "Zebra" not in str(shop.poll()) and "Zebra" not in str(events)
    # The shop refuses, through the API its app uses; the console shows it with the new deadline.
    console.clock.advance(minutes=30)
    refused = shop.act(ticket["id"], "decision", console.clock(), decision="refuse",
                       reason="Đã lau nhưng vẫn in mờ")
    assert refused.status_code == 201, refused.text
    page = browser.get(url, timeout=10).text
    assert "Chưa khắc phục" in page and "Đã lau nhưng vẫn in mờ" in page and "Hạn mới" in page
    assert "Máy in Zebra đời cũ" in page  # the note, for staff
    assert [e.action for e in console.audit(ticket_number=ticket["number"])] == [
        Action.PROPOSE, Action.NOTE, Action.REPLY]


def test_a_closed_ticket_refuses_a_reply_with_words_and_keeps_the_page(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    browser = console.sign_in("thuha")
    url = f"{console.url}/tickets/{ticket['number']}"
    page = browser.get(url, timeout=10).text
    browser.post(f"{url}/status", data={"csrf": csrf_of(page), "status": "closed"}, timeout=10)
    answer = browser.post(f"{url}/propose", data={"csrf": csrf_of(page), "kind": "phone", "text": "Gọi lại"},
                          timeout=10)
    assert "Không làm được:" in answer.text and "không cho phép việc này" in answer.text


def test_a_technician_code_signed_in_the_console_opens_the_shops_technician_mode(console: Console) -> None:
    shop = console.shop()
    ticket = shop.open_ticket(T0)
    challenge = make_challenge("KP-0001", console.clock())
    agent = console.sign_in("thuha")
    assert agent.get(f"{console.url}/technician-code", timeout=10).status_code == 403  # technicians only
    browser = console.sign_in("tranminh")
    page = browser.get(f"{console.url}/technician-code", timeout=10).text
    form = {"csrf": csrf_of(page), "challenge": challenge.code(), "ticket": ticket["number"],
            "reason": "Kiểm tra máy in tem", "hours": "2"}
    # "²" passes str.isdigit(); int() refused it and the page was a 500 with what was typed lost.
    superscript = browser.post(f"{console.url}/technician-code", data={**form, "hours": "²"}, timeout=10)
    assert superscript.status_code == 422 and 'value="Kiểm tra máy in tem"' in superscript.text
    answer = browser.post(f"{console.url}/technician-code", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    code = re.search(r'id="code">([^<]+)<', answer.text)
    assert code is not None
    trusted = load_trusted_keys("technician", console.vendor.data / "vendor_keys.json")
    session = TechnicianUnlock(trusted, MemoryStore(), console.clock).verify(challenge, code.group(1).strip())
    assert session.technician == "Trần Minh"
    # Two hours from when the shop showed the challenge (its clock), not from the signing a minute later.
    assert session.expires_at == challenge.issued_at + dt.timedelta(hours=2)
    (entry,) = console.audit(action=Action.CODE_SIGNED)
    assert entry.ticket_number == ticket["number"] and entry.shop_id == "KP-0001"
    assert "Kiểm tra máy in tem" in (entry.detail or "")
    # The page and the audit say that same end, not the vendor's clock plus two hours.
    assert f"(until {session.expires_at.isoformat()})" in (entry.detail or "")


def test_a_code_for_another_shops_ticket_or_with_a_stale_second_factor_is_refused(console: Console) -> None:
    console.shop()
    other = console.shop("KP-0002").open_ticket(T0)
    browser = console.sign_in("tranminh")
    page = browser.get(f"{console.url}/technician-code", timeout=10).text
    challenge = make_challenge("KP-0001", console.clock())
    form = {"csrf": csrf_of(page), "challenge": challenge.code(), "ticket": other["number"], "reason": "Xem",
            "hours": "1"}
    wrong_shop = browser.post(f"{console.url}/technician-code", data=form, timeout=10)
    assert wrong_shop.status_code == 422 and "không phải của cửa hàng đã tạo mã yêu cầu" in wrong_shop.text
    typo = browser.post(f"{console.url}/technician-code", data={**form, "challenge": "ABCD-EFGH-1234"}, timeout=10)
    assert typo.status_code == 422 and "Mã yêu cầu không đúng" in typo.text
    assert 'value="Xem"' in typo.text  # what was typed is kept, not lost
    console.clock.advance(minutes=6)  # the sign-in's code is no longer fresh
    stale = browser.post(f"{console.url}/technician-code", data=form, timeout=10)
    assert stale.status_code == 401 and 'name="code"' in stale.text
    assert not console.audit(action=Action.CODE_SIGNED)


def test_a_contract_issued_in_the_console_is_imported_by_the_app(console: Console, tmp_path: Path) -> None:
    console.vendor.add_shop("KP-0003", "Tiệm vàng Bảo Tín")
    browser = console.sign_in("phamlan")
    page = browser.get(f"{console.url}/contracts", timeout=10).text
    answer = browser.post(f"{console.url}/contracts", data={
        "csrf": csrf_of(page), "shop": "KP-0003", "package": "PMV-GOLD-PRO", "warranty_months": "6",
        "accepted_on": "2026-03-01", "maintenance_start": "2026-09-01", "maintenance_end": "2027-08-31",
        "maintenance_tier": "priority"}, timeout=10)
    assert answer.status_code == 200 and 'id="issued"' in answer.text, answer.text
    download = browser.get(f"{console.url}/contracts/KP-0003/download", timeout=10)
    assert download.headers["content-disposition"].endswith('filename="hop-dong-KP-0003.json"')
    file = tmp_path / "hop-dong.json"
    file.write_bytes(download.content)
    trusted = load_trusted_keys("contract", console.vendor.data / "vendor_keys.json")
    contract = ContractService(tmp_path / "shop" / "contract.json", trusted, "KP-0003").import_file(file)
    assert contract.contract_number == "HD-KP-0003-001" and contract.warranty_months == 6
    assert [(m.start, m.tier) for m in contract.maintenance] == [(dt.date(2026, 9, 1), "priority")]
    # A form with a date missing is refused with words, the typed values kept, nothing issued.
    bad = browser.post(f"{console.url}/contracts", data={
        "csrf": csrf_of(page), "shop": "KP-0003", "package": "PMV-GOLD-PRO", "warranty_months": "12",
        "accepted_on": ""}, timeout=10)
    assert bad.status_code == 422 and "Hợp đồng chưa hợp lệ" in bad.text
    assert [e.detail for e in console.audit(action=Action.CONTRACT_ISSUED)] == ["HD-KP-0003-001"]
    # The shops page now shows it in force.
    shops = browser.get(f"{console.url}/shops", timeout=10).text
    assert "Bảo hành · còn" in shops.split('muted">KP-0003')[1].split("</tr>")[0]


def test_an_admin_adds_staff_who_can_then_sign_in(console: Console) -> None:
    admin = console.sign_in("phamlan")
    page = admin.get(f"{console.url}/staff", timeout=10).text
    added = admin.post(f"{console.url}/staff", data={"csrf": csrf_of(page), "login": "kimanh", "name": "Lê Kim Anh",
                                                    "role": "agent", "password": "mật-khẩu-mới-123"}, timeout=10)
    secret = re.search(r'id="secret">([A-Z2-7]+)<', added.text)
    assert secret is not None
    console.secrets["kimanh"] = secret.group(1)
    console.clock.advance(seconds=30)
    browser, answer = console.password_step("kimanh", "mật-khẩu-mới-123")
    import pyotp

    done = browser.post(f"{console.url}/signin/code", data={"code": pyotp.TOTP(secret.group(1)).at(console.clock()),
                                                            "csrf": csrf_of(answer.text)}, timeout=10)
    assert done.url.endswith("/console/queue") and "Lê Kim Anh" in done.text


def test_changing_the_password_signs_out_the_other_browsers(console: Console) -> None:
    first, second = console.sign_in("thuha"), console.sign_in("thuha")
    page = first.get(f"{console.url}/password", timeout=10).text
    changed = first.post(f"{console.url}/password", data={"csrf": csrf_of(page), "old": "mật-khẩu-đủ-dài-1",
                                                          "new": "mật-khẩu-mới-dài-2", "again": "mật-khẩu-mới-dài-2"},
                         timeout=10)
    assert "Đã đổi mật khẩu" in changed.text
    assert second.get(f"{console.url}/queue", timeout=10).url.endswith("/console/signin")
    assert first.get(f"{console.url}/queue", timeout=10).url.endswith("/console/queue")


def test_the_pages_speak_english_when_asked(console: Console) -> None:
    shop = console.shop()
    shop.open_ticket(T0, severity="critical")
    browser = console.sign_in("thuha")
    english = browser.get(f"{console.url}/language", params={"lang": "en", "back": "/console/queue"}, timeout=10)
    assert "Open requests" in english.text and "Critical – cannot trade" in english.text
    assert "Yêu cầu đang mở" not in english.text
    assert browser.get(f"{console.url}/language", params={"lang": "en", "back": "https://evil.example/"},
                       timeout=10).url.endswith("/console/queue")  # never a redirect off the console
