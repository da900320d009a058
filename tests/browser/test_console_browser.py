"""The staff console in a real browser, the issue's whole path, against the real server on loopback.

A shop raises a request with its diagnostics through the app's own code (SupportRepository + Outbox); an agent
signs in with password and TOTP, finds it at the top of the queue, reads the bundle, replies with a file and
proposes a solution; the shop refuses through the app's ConversationService and the refusal shows; a technician
signs a code the app's TechnicianUnlock accepts; a manager issues a contract the app's ContractService takes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests

from app.infra.keys import load_trusted_keys
from app.storage.support_requests import AttachmentSource
from app.support.bundle import BundlePart, write_bundle
from app.support.models import AttachmentKind
from app.technician.unlock import TechnicianUnlock
from app.warranty.service import ContractService
from pmv_protocol.enrolment_wire import ENROL_PATH
from pmv_protocol.unlock_codes import make_challenge
from tests.helpers import MemoryStore
from tests.integration.console_helpers import PASSWORD, T0, Console, running_console
from tests.integration.test_support_conversation import NEW
from tests.integration.test_support_conversation import Shop as AppShop
from vendor_server.contract_issue import issue_contract
from vendor_server.db import VendorDatabase

pytestmark = [pytest.mark.integration, pytest.mark.real_clock]



@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def _shop(console: Console, tmp_path: Path) -> AppShop:
    vendor = console.vendor
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    vendor.trusted_keys_file()
    # Issued on the server's (injected) clock, as the console's renewal later is: the app keeps the newer one.
    issue_contract(VendorDatabase(vendor.db_url), vendor.keys, shop_id="KP-0001", package="PMV-GOLD-PRO",
                   warranty_months=12, accepted_on=dt.date(2026, 1, 15), now=console.clock())
    return AppShop(tmp_path / "shop", vendor, token, console.clock)


def _bundle(folder: Path) -> Path:
    health = ('{"verdict": "critical", "started_at": "2026-03-10T09:00:00+07:00", "finished_at": '
              '"2026-03-10T09:00:01+07:00", "results": [{"id": "pos.database", "title": "Cơ sở dữ liệu bán hàng", '
              '"status": "critical", "summary": "Không mở được tệp dữ liệu", "details": "", "remedy": {"code": '
              '"pos.database_corrupt", "steps": "Gọi 1900 6037 để khôi phục từ bản sao lưu"}, "metrics": [], '
              '"duration_ms": 40}]}')
    parts = [BundlePart("health_report", "health.json", health),
             BundlePart("app_log", "app.log", "09:00 INFO mở phần mềm\n09:01 ERROR database disk image is malformed\n"),
             BundlePart("system", "system.json", '{"app": "PMV Support Assistant 1.4.0", "packs": []}')]
    return write_bundle(parts, folder / "chan-doan-20260310-0900.zip")


def _gone(element: Any, expected_conditions: Any) -> bool:
    """Whether ``element`` left the document.  Chromedriver says so with a stale-element error, or, when asked
    in the middle of the navigation, with a plain WebDriverException "Node with given id does not belong to the
    document" (seen once in CI): both mean the old page is gone."""
    from selenium.common.exceptions import WebDriverException

    try:
        return bool(expected_conditions.staleness_of(element)(None))
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise


def _click_and_wait(driver: Any, selector: str) -> None:
    """Click and wait for the next page: Selenium's click returns before the form's answer has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 15).until(lambda _driver: _gone(page, expected_conditions))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _submit_twice(driver: Any, form_id: str) -> None:
    """The form sent twice in a row, as a double click or Enter pressed twice does, then its answer awaited."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    # Chromium itself may drop the first of two submissions made in one go, so what is checked is the page's own
    # guard: the second submit event is cancelled (a listener on window runs after console.js's on document).
    sent = driver.execute_script(
        "var form = document.getElementById(arguments[0]), seen = [];"
        "window.addEventListener('submit', function (event) { seen.push(event.defaultPrevented); });"
        "form.requestSubmit(); form.requestSubmit(); return seen;", form_id)
    assert sent == [False, True], sent
    WebDriverWait(driver, 15).until(lambda _driver: _gone(page, expected_conditions))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _sign_in(driver: Any, console: Console, login: str, shots: Path, name: str) -> None:
    from selenium.webdriver.common.by import By

    console.clock.advance(seconds=30)  # a new TOTP step for each sign-in (a used code is refused)
    driver.get(f"{console.url}/signin")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.save_screenshot(str(shots / "signin.png"))
    _click_and_wait(driver, "button[type=submit]")
    assert driver.current_url.endswith("/console/signin/code")
    driver.save_screenshot(str(shots / "code.png"))
    driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(console.secrets[login]).at(console.clock()))
    _click_and_wait(driver, "button[type=submit]")
    assert driver.current_url.endswith("/console/queue"), driver.page_source[:500]
    driver.save_screenshot(str(shots / f"queue-{name}.png"))


def _submit(driver: Any, form_id: str) -> None:
    _click_and_wait(driver, f"#{form_id} button[type=submit]")


def test_the_whole_path_of_a_request_through_the_console(browser: Any, console: Console, tmp_path: Path,
                                                         screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    shop = _shop(console, tmp_path)
    # The shop raises a request with its diagnostics, through the app's own outbox.
    request = shop.support.create(NEW, coverage="warranty", response_due_at=None, opened_at=console.clock(),
                                  attachments=[AttachmentSource(_bundle(tmp_path), AttachmentKind.DIAGNOSTICS)])
    assert shop.outbox().deliver().sent == [request.id]
    stored = shop.support.get(request.id)
    assert stored is not None and stored.ticket_number
    number = stored.ticket_number

    _sign_in(driver, console, "thuha", screenshots, "agent")
    first = driver.find_element(By.CSS_SELECTOR, "#queue tbody tr")
    assert first.get_attribute("data-number") == number  # the request just raised heads the queue
    _click_and_wait(driver, f"#queue tbody tr a[href='/console/tickets/{number}']")
    assert "Cơ sở dữ liệu bán hàng" in driver.page_source  # the bundle shown as a table, not a zip
    assert "Gọi 1900 6037 để khôi phục" in driver.page_source
    driver.save_screenshot(str(screenshots / "ticket.png"))

    guide = tmp_path / "huong-dan-khoi-phuc.txt"
    guide.write_text("1. Đóng phần mềm\n2. Chờ kỹ thuật viên gọi\n", encoding="utf-8")
    driver.find_element(By.CSS_SELECTOR, "#reply textarea").send_keys("Chị đóng phần mềm giúp em nhé.")
    driver.find_element(By.ID, "files").send_keys(str(guide))
    _submit_twice(driver, "reply")  # a double click: sent once (console.js), the shop gets one message
    assert "Đã lưu." in driver.page_source
    driver.find_element(By.ID, "solution").send_keys("Khôi phục từ bản sao lưu tối qua, qua UltraViewer")
    driver.find_element(By.CSS_SELECTOR, "#kind option[value=remote]").click()
    _submit(driver, "propose")
    assert "Đề xuất phương án" in driver.page_source

    # The shop sees both, and refuses through the app's conversation service and outbox.
    shop.poll()
    events = shop.server_events(request.id)
    assert [e.text for e in events if e.author_name == "Nguyễn Thu Hà" and e.files] == [
        "Chị đóng phần mềm giúp em nhé."]
    vendor_file = next(f for e in events if e.author_name == "Nguyễn Thu Hà" for f in e.files)
    assert vendor_file.filename == "huong-dan-khoi-phuc.txt"
    assert vendor_file.sha256 == hashlib.sha256(guide.read_bytes()).hexdigest()
    console.clock.advance(minutes=10)
    shop.service.decide(request.id, "Chị Lan", accept=False, reason="Khôi phục xong vẫn báo lỗi")
    shop.outbox().deliver()
    driver.refresh()
    assert "Chưa khắc phục" in driver.page_source and "Khôi phục xong vẫn báo lỗi" in driver.page_source
    driver.save_screenshot(str(screenshots / "ticket-refused.png"))

    # A technician signs a code for the shop's challenge; the app's verifier opens technician mode with it.
    driver.delete_all_cookies()
    _sign_in(driver, console, "tranminh", screenshots, "technician")
    challenge = make_challenge("KP-0001", console.clock())
    driver.get(f"{console.url}/technician-code")
    driver.find_element(By.ID, "challenge").send_keys(challenge.code())
    driver.find_element(By.ID, "ticket").send_keys(number)
    driver.find_element(By.ID, "reason").send_keys("Khôi phục cơ sở dữ liệu")
    _submit(driver, "sign")
    code = driver.find_element(By.ID, "code").text.strip()
    driver.save_screenshot(str(screenshots / "technician-code.png"))
    trusted = load_trusted_keys("technician", console.vendor.data / "vendor_keys.json")
    session = TechnicianUnlock(trusted, MemoryStore(), console.clock).verify(challenge, code)
    assert session.technician == "Trần Minh"

    # A manager renews the shop's contract; the app fetches and takes it.
    driver.delete_all_cookies()
    _sign_in(driver, console, "phamlan", screenshots, "admin")
    driver.get(f"{console.url}/contracts?shop=KP-0001")
    accepted = driver.find_element(By.ID, "accepted_on")
    driver.execute_script("arguments[0].value = '2026-03-01'", accepted)
    _submit(driver, "contract")
    assert driver.find_element(By.ID, "issued").is_displayed()
    driver.save_screenshot(str(screenshots / "contracts.png"))
    trusted = load_trusted_keys("contract", console.vendor.data / "vendor_keys.json")
    contract = ContractService(tmp_path / "shop" / "contract.json", trusted, "KP-0001",
                               fetch=lambda: shop.client().get_contract()).refresh().contract
    assert contract is not None and contract.contract_number == "HD-KP-0001-002"
    assert contract.accepted_on == dt.date(2026, 3, 1)

    for page in ("shops", "shops/KP-0001", "sla", "staff", "audit", "password"):
        driver.get(f"{console.url}/{page}")
        assert "Không làm được việc này" not in driver.page_source, page
        driver.save_screenshot(str(screenshots / f"{page.replace('/', '-')}.png"))
    assert "code_signed" not in driver.page_source  # the audit log words its actions
    driver.get(f"{console.url}/audit")
    assert "Ký mã kỹ thuật viên" in driver.page_source and "Cấp hợp đồng" in driver.page_source
    driver.get(f"{console.url}/language?lang=en&back=/console/queue")
    assert "Open requests" in driver.page_source
    driver.save_screenshot(str(screenshots / "queue-en.png"))


def test_a_technician_adds_a_shop_and_makes_the_code_its_install_enrols_with(browser: Any, console: Console,
                                                                              screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    _sign_in(driver, console, "tranminh", screenshots, "technician-shops")
    driver.get(f"{console.url}/shops")
    driver.find_element(By.CSS_SELECTOR, "#add-shop summary").click()
    for field, value in (("shop_id", "HOANGKIM-06"), ("name", "Tiệm vàng Hoàng Kim"),
                         ("address", "15 Nguyễn Huệ, Phường Vĩnh Ninh, TP. Huế"), ("phone", "0234 382 5566")):
        driver.find_element(By.ID, field).send_keys(value)
    driver.save_screenshot(str(screenshots / "shops-add.png"))
    _click_and_wait(driver, "#add-shop button[type=submit]")
    assert driver.current_url.endswith("/console/shops/HOANGKIM-06?added=1")
    assert "Chưa tạo mã nào." in driver.page_source

    _submit(driver, "make-code")
    shown = driver.find_element(By.ID, "enrol-code").text.strip()
    assert driver.find_element(By.CSS_SELECTOR, "[data-copy=enrol-code]").is_displayed()
    assert "13/03/2026 09:00" in driver.find_element(By.ID, "enrol-expires").text  # made 09:00:30, 10/03
    driver.save_screenshot(str(screenshots / "shop-enrolment-code.png"))

    answer = requests.post(console.vendor.base_url + ENROL_PATH, json={"code": shown}, timeout=10)
    assert answer.status_code == 200 and answer.json()["name"] == "Tiệm vàng Hoàng Kim"
    driver.get(f"{console.url}/shops/HOANGKIM-06")
    assert "Đã dùng" in driver.find_element(By.ID, "enrolment").text
    driver.save_screenshot(str(screenshots / "shop-enrolled.png"))


def test_a_reply_written_past_the_session_comes_back_after_signing_in_again(browser: Any, console: Console,
                                                                           screenshots: Path) -> None:
    """Found by an independent review: an agent writing a long reply while on the phone (the session ends after 30
    idle minutes) lost the text when sending it, and signing in again led to the queue, not the ticket."""
    from selenium.webdriver.common.by import By

    driver = browser
    ticket = console.shop().open_ticket(T0)
    _sign_in(driver, console, "thuha", screenshots, "draft")
    page = f"{console.url}/tickets/{ticket['number']}"
    driver.get(page)
    words = "Chị tắt máy in, rút điện 10 giây rồi bật lại giúp em; nếu vẫn mờ, em sẽ gọi lại."
    driver.find_element(By.CSS_SELECTOR, "#reply textarea").send_keys(words)
    console.clock.advance(minutes=31)  # the session's 30 idle minutes are over
    _submit(driver, "reply")
    assert driver.current_url.endswith("/console/signin")
    console.clock.advance(seconds=30)
    driver.find_element(By.ID, "login").send_keys("thuha")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _click_and_wait(driver, "button[type=submit]")
    driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(console.secrets["thuha"]).at(console.clock()))
    _click_and_wait(driver, "button[type=submit]")
    assert driver.current_url == page  # back on the ticket, not the queue
    box = driver.find_element(By.CSS_SELECTOR, "#reply textarea")
    assert box.get_attribute("value") == words  # and the text with it
    driver.save_screenshot(str(screenshots / "ticket-draft-back.png"))
    _submit(driver, "reply")
    assert "Đã lưu." in driver.page_source
    assert driver.find_element(By.CSS_SELECTOR, "#reply textarea").get_attribute("value") == ""  # sent: forgotten
    # The next reply, typed on the page that said "Đã lưu", survives a reload: "done" is read once, and only the
    # text that was sent is forgotten.
    assert "done=" not in driver.current_url
    following = "Chị nhớ gửi ảnh tem mới nhé."
    driver.find_element(By.CSS_SELECTOR, "#reply textarea").send_keys(following)
    driver.refresh()
    assert driver.find_element(By.CSS_SELECTOR, "#reply textarea").get_attribute("value") == following
    assert [e["text"] for e in console.shop().timeline(ticket["id"]) if e["kind"] == "message"] == [words]


def test_t0_is_a_working_morning() -> None:
    assert T0.weekday() == 1 and T0.hour == 9  # Tuesday 09:00: the deadlines above fall inside working hours


def test_the_open_queue_shows_a_new_request_without_a_reload(browser: Any, tmp_path: Path, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    with running_console(tmp_path, queue_refresh_seconds=1) as console:
        shop = _shop(console, tmp_path)
        _sign_in(driver, console, "thuha", screenshots, "agent-empty")
        assert not driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr[data-number]")
        driver.execute_script("window.stillTheSamePage = true;")  # gone if the page were loaded again

        request = shop.support.create(NEW, coverage="warranty", response_due_at=None, opened_at=console.clock())
        assert shop.outbox().deliver().sent == [request.id]
        stored = shop.support.get(request.id)
        assert stored is not None
        WebDriverWait(driver, 15).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, f"#queue tbody tr[data-number='{stored.ticket_number}']"))
        assert driver.execute_script("return window.stillTheSamePage === true;")
