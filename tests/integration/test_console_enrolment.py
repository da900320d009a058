"""Shops and their enrolment codes in the console, on the real server: a shop added and a code made through the
pages (with the form token), the code shown redeemed over the API, and who may do it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pmv_protocol.enrolment_codes import read_code
from pmv_protocol.enrolment_wire import ENROL_PATH
from tests.integration.console_helpers import Console, csrf_of, running_console
from vendor_server.console.audit import Action, Outcome
from vendor_server.enrolment import latest_code

pytestmark = pytest.mark.integration

SHOP = {"shop_id": "NT-0003", "name": "Vàng bạc Ngọc Thẩm", "address": "7 Hai Bà Trưng, Quận 1, TP.HCM",
        "phone": "0283 822 4455"}


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with running_console(tmp_path) as running:
        yield running


def _add_shop(console: Console, browser: requests.Session, **fields: str) -> requests.Response:
    page = browser.get(f"{console.url}/shops", timeout=10).text
    return browser.post(f"{console.url}/shops", data={"csrf": csrf_of(page), **SHOP, **fields}, timeout=10)


def _make_code(console: Console, browser: requests.Session, shop_id: str = SHOP["shop_id"]) -> requests.Response:
    page = browser.get(f"{console.url}/shops/{shop_id}", timeout=10).text
    return browser.post(f"{console.url}/shops/{shop_id}/enrolment-code", data={"csrf": csrf_of(page)}, timeout=10)


def _shown_code(page: str) -> str:
    found = re.search(r'id="enrol-code">([^<]+)<', page)
    assert found is not None, "no code on the page"
    return html.unescape(found.group(1))


def _enrol(console: Console, code: str) -> requests.Response:
    return requests.post(console.vendor.base_url + ENROL_PATH, json={"code": code}, timeout=10)


def test_an_admin_adds_a_shop_and_the_code_shown_enrols_its_install(console: Console) -> None:
    browser = console.sign_in("phamlan")  # 09:00:30
    added = _add_shop(console, browser)
    assert added.status_code == 200 and added.url.endswith("/console/shops/NT-0003?added=1"), added.text
    assert "Đã thêm cửa hàng." in added.text and SHOP["address"] in added.text and SHOP["phone"] in added.text
    assert "Chưa tạo mã nào." in added.text
    listed = browser.get(f"{console.url}/shops", timeout=10).text
    assert "Vàng bạc Ngọc Thẩm" in listed and SHOP["address"] in listed

    made = _make_code(console, browser)
    assert made.status_code == 200, made.text
    shown = _shown_code(made.text)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", shown) and read_code(shown).ok
    assert 'data-copy="enrol-code"' in made.text
    assert "Mã dùng một lần, hết hạn sau 72 giờ" in made.text
    assert re.search(r'id="enrol-expires">13/03/2026 09:00<', made.text)  # made at 09:00:30 on 10/03, shop time
    assert "Đang chờ dùng" in made.text

    console.clock.advance(hours=2)
    answer = _enrol(console, shown)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in SHOP} == SHOP

    browser = console.sign_in("phamlan")  # the first session has been idle for two hours
    page = browser.get(f"{console.url}/shops/NT-0003", timeout=10).text
    assert "Đã dùng" in page and "10/03/2026 11:00" in page and "127.0.0.1" in page
    assert shown not in page  # shown once, on the page that made it; the server keeps only its hash
    assert [e.shop_id for e in console.audit(action=Action.SHOP_ADDED)] == ["NT-0003"]
    [code_made] = console.audit(action=Action.ENROL_CODE)
    assert (code_made.login, code_made.shop_id, code_made.address) == ("phamlan", "NT-0003", "127.0.0.1")
    [enrolled] = console.audit(action=Action.ENROL)
    assert (enrolled.login, enrolled.shop_id) == ("-", "NT-0003")


def test_a_technician_may_and_a_second_code_voids_the_first(console: Console) -> None:
    console.db.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    browser = console.sign_in("tranminh")
    first = _shown_code(_make_code(console, browser, "KP-0001").text)
    second = _shown_code(_make_code(console, browser, "KP-0001").text)
    assert first != second
    assert _enrol(console, first).json()["detail"]["refusal"] == "expired"
    assert _enrol(console, second).status_code == 200


def test_an_agent_may_see_shops_but_neither_add_one_nor_make_a_code(console: Console) -> None:
    console.db.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    browser = console.sign_in("thuha")
    page = browser.get(f"{console.url}/shops/KP-0001", timeout=10)
    assert page.status_code == 200 and "Tạo mã kích hoạt" not in page.text and 'id="make-code"' not in page.text
    assert 'id="add-shop"' not in browser.get(f"{console.url}/shops", timeout=10).text

    refused = browser.post(f"{console.url}/shops/KP-0001/enrolment-code", data={"csrf": csrf_of(page.text)},
                           timeout=10)
    assert refused.status_code == 403 and "không có quyền" in refused.text
    assert _add_shop(console, browser).status_code == 403
    assert latest_code(console.db, "KP-0001", now=console.clock()) is None
    assert console.audit(action=Action.ENROL_CODE) == []
    tries = console.audit(action=Action.ROLE_REFUSED, login="thuha")
    assert [t.detail for t in tries] == ["POST /console/shops needs technician",
                                         "POST /console/shops/KP-0001/enrolment-code needs technician"]
    assert all(t.outcome == Outcome.REFUSED for t in tries)


def test_a_code_is_not_made_without_the_pages_form_token(console: Console) -> None:
    console.db.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    browser = console.sign_in("phamlan")
    for data in ({}, {"csrf": "not-this-sessions"}):
        answer = browser.post(f"{console.url}/shops/KP-0001/enrolment-code", data=data, timeout=10)
        assert answer.status_code == 403
    assert latest_code(console.db, "KP-0001", now=console.clock()) is None
    assert len(console.audit(action=Action.CSRF_REFUSED)) == 2


def test_a_taken_id_or_bad_details_are_refused_in_words_and_the_form_kept(console: Console) -> None:
    browser = console.sign_in("tranminh")
    assert _add_shop(console, browser).status_code == 200
    taken = _add_shop(console, browser, name="Một tiệm khác")
    assert taken.status_code == 409 and "Mã cửa hàng này đã có" in taken.text and "Một tiệm khác" in taken.text
    bad = _add_shop(console, browser, shop_id="có dấu cách")
    assert bad.status_code == 422 and "Thông tin cửa hàng chưa hợp lệ" in bad.text and "có dấu cách" in bad.text
    assert browser.post(f"{console.url}/shops/NO-SUCH/enrolment-code",
                        data={"csrf": csrf_of(bad.text)}, timeout=10).status_code == 404


def test_the_shop_page_speaks_english_when_asked(console: Console) -> None:
    console.db.add_shop("KP-0001", "Tiệm vàng Kim Phát", address="12 Lê Lợi", phone="0283 999 1234")
    browser = console.sign_in("phamlan")
    browser.get(f"{console.url}/language", params={"lang": "en", "back": "/console/shops"}, timeout=10)
    page = browser.get(f"{console.url}/shops/KP-0001", timeout=10).text
    assert "Make an enrolment code" in page and "No code made yet." in page and "Phone" in page
    made = _make_code(console, browser, "KP-0001").text
    assert "One use only, expires after 72 hours" in made and "Waiting to be used" in made
