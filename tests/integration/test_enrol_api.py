"""``POST /api/v1/enrol`` on the real vendor server (127.0.0.1), per pmv_protocol/enrolment_wire.py.

The server runs on a clock the test moves; codes are made as the console and ``pmv-vendor enrol`` make them
(vendor_server.enrolment.create_code), on the same clock.  The throttle is measured from outside: how many
wrong tries get an answer before the first 429, and when tries are answered again.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests

from app.infra.keys import load_trusted_keys
from pmv_protocol.contract import verify
from pmv_protocol.enrolment_codes import ALPHABET, display, with_check
from pmv_protocol.enrolment_wire import ENROL_PATH, EnrolAnswer
from tests.helpers import FixedClock
from tests.integration.conftest import VendorServer
from tests.integration.test_vendor_tickets import auth, issue_contract
from vendor_server import enrolment
from vendor_server.console.audit import Action, entries
from vendor_server.db import VendorDatabase

pytestmark = pytest.mark.integration

HCM = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=HCM)
WINDOW = 15 * 60  # seconds: vendor_server.enrolment.THROTTLE_WINDOW


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _db(vendor: VendorServer) -> VendorDatabase:
    return VendorDatabase(vendor.db_url)


def _code(vendor: VendorServer, clock: FixedClock, shop_id: str = "KP-0001") -> str:
    return enrolment.create_code(_db(vendor), shop_id, now=clock(), created_by="phamlan").code


def _enrol(vendor: VendorServer, code: Any, **headers: str) -> requests.Response:
    return requests.post(vendor.base_url + ENROL_PATH, json={"code": code}, headers=headers, timeout=10)


def _refusal(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert set(detail) == {"refusal", "message", "position", "retry_after"} and detail["message"]
    return dict(detail)


def _unknown(n: int) -> str:
    return display(with_check(f"{n:08d}"))


def _shop_with_contract(vendor: VendorServer) -> str:
    token = _db(vendor).add_shop("KP-0001", "Tiệm vàng Kim Phát", address="12 Lê Lợi, Quận 1, TP.HCM",
                                 phone="0283 999 1234")
    issue_contract(vendor, "KP-0001", "2026-01-15")
    return token


# --- the answer --------------------------------------------------------------------------------------------------

def test_a_good_code_answers_the_token_the_shops_details_and_its_signed_contract(vendor: VendorServer,
                                                                                 clock: FixedClock) -> None:
    other_shop = vendor.add_shop("KP-0002", "Tiệm vàng Kim Phát 2")
    _shop_with_contract(vendor)
    code = _code(vendor, clock)
    answer = _enrol(vendor, display(code).lower())  # as typed: dashes and case are the server's to drop

    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert set(body) == {"shop_id", "name", "address", "phone", "token", "contract"}
    enrolled = EnrolAnswer.model_validate(body)
    assert (enrolled.shop_id, enrolled.name, enrolled.address, enrolled.phone) == (
        "KP-0001", "Tiệm vàng Kim Phát", "12 Lê Lợi, Quận 1, TP.HCM", "0283 999 1234")
    # The contract is the document GET /api/v1/contract serves, and it verifies as the shop's app verifies it.
    served = requests.get(f"{vendor.base_url}/api/v1/contract", headers=auth(enrolled.token), timeout=10)
    assert served.status_code == 200 and served.json() == enrolled.contract
    keys = load_trusted_keys("contract", vendor.data / "vendor_keys.json")
    raw = json.dumps(enrolled.contract, ensure_ascii=False).encode("utf-8")
    assert verify(raw, keys, "KP-0001").contract.shop_id == "KP-0001"
    # Another shop's install is untouched: its token still works (404: it has no contract), it is not 401.
    assert requests.get(f"{vendor.base_url}/api/v1/contract", headers=auth(other_shop), timeout=10).status_code == 404


def test_enrolling_again_replaces_the_token_so_the_old_pc_stops_working(vendor: VendorServer,
                                                                        clock: FixedClock) -> None:
    old_token = _shop_with_contract(vendor)
    first = _enrol(vendor, _code(vendor, clock)).json()["token"]
    clock.advance(days=30)  # the till's disk fails; the shop reinstalls
    second = _enrol(vendor, _code(vendor, clock)).json()["token"]
    contract = f"{vendor.base_url}/api/v1/contract"
    assert requests.get(contract, headers=auth(second), timeout=10).status_code == 200
    for stale in (first, old_token):
        assert requests.get(contract, headers=auth(stale), timeout=10).status_code == 401


def test_a_shop_without_a_contract_gets_none(vendor: VendorServer, clock: FixedClock) -> None:
    vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    answer = _enrol(vendor, _code(vendor, clock))
    assert answer.status_code == 200 and answer.json()["contract"] is None
    assert answer.json()["address"] == "" and answer.json()["phone"] == ""


# --- refusals, by status -----------------------------------------------------------------------------------------

def test_a_code_failing_its_own_check_is_400_naming_the_character(vendor: VendorServer, clock: FixedClock) -> None:
    vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    code = _code(vendor, clock)
    wrong = code[:6] + ALPHABET[(ALPHABET.index(code[6]) + 1) % 32] + code[7:]
    detail = _refusal(_enrol(vendor, display(wrong)), 400)
    assert detail == {"refusal": "format", "message": detail["message"], "position": 7, "retry_after": None}
    assert _refusal(_enrol(vendor, "ABCDE"), 400)["position"] is None  # too short: no character to name
    assert _enrol(vendor, code).status_code == 200


def test_unknown_expired_and_used_codes_are_told_apart(vendor: VendorServer, clock: FixedClock) -> None:
    vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    vendor.add_shop("BT-0002", "Tiệm vàng Bảo Tín")
    assert _refusal(_enrol(vendor, _unknown(1)), 404) == {
        "refusal": "unknown", "message": "no shop was given this code: check it with the vendor", "position": None,
        "retry_after": None}
    late = _code(vendor, clock, "BT-0002")
    used = _code(vendor, clock)
    assert _enrol(vendor, used).status_code == 200
    assert _refusal(_enrol(vendor, used), 410)["refusal"] == "used"
    clock.advance(hours=72, seconds=1)
    assert _refusal(_enrol(vendor, late), 410)["refusal"] == "expired"
    assert {(e.shop_id, e.detail.split(":")[0]) for e in entries(_db(vendor), action=Action.ENROL_REFUSED)
            if e.detail} == {("KP-0001", "used"), ("BT-0002", "expired")}


@pytest.mark.parametrize("payload", [{}, {"code": ""}, {"code": "X" * 41}, {"code": 12345},
                                     {"code": "ABCDE-FGHJK", "shop_id": "KP-0001"}])
def test_a_malformed_body_is_422(vendor: VendorServer, payload: dict[str, Any]) -> None:
    response = requests.post(vendor.base_url + ENROL_PATH, json=payload, timeout=10)
    assert response.status_code == 422, response.text


def test_a_shops_token_is_neither_needed_nor_a_substitute_for_a_code(vendor: VendorServer,
                                                                     clock: FixedClock) -> None:
    token = vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    bearer = auth(token)
    assert requests.post(vendor.base_url + ENROL_PATH, json={}, headers=bearer, timeout=10).status_code == 422
    assert _refusal(_enrol(vendor, _unknown(2), **bearer), 404)["refusal"] == "unknown"
    code = _code(vendor, clock)
    answer = _enrol(vendor, code)  # no Authorization header at all
    assert answer.status_code == 200 and answer.json()["token"] != token
    assert _refusal(_enrol(vendor, code, **auth(answer.json()["token"])), 410)["refusal"] == "used"


# --- the throttle, measured --------------------------------------------------------------------------------------

def _answered_before_429(vendor: VendorServer, clock: FixedClock, codes: Any) -> tuple[int, requests.Response]:
    """Try ``codes`` one second apart until the server says 429; how many were answered, and the 429."""
    for answered, code in enumerate(codes):
        response = _enrol(vendor, code)
        if response.status_code == 429:
            return answered, response
        assert response.status_code in (400, 404, 410), response.text
        clock.advance(seconds=1)
    raise AssertionError("never throttled")


def test_one_address_gets_ten_wrong_tries_per_quarter_hour(vendor: VendorServer, clock: FixedClock) -> None:
    vendor.add_shop("KP-0001", "Tiệm vàng Kim Phát")
    good = _code(vendor, clock)
    answered, throttled = _answered_before_429(vendor, clock, (_unknown(n) for n in range(100)))
    assert answered == enrolment.PER_ADDRESS == 10
    # The first wrong try was at T0, the 429 comes 10 s later: 890 s until that first try leaves the window.
    detail = _refusal(throttled, 429)
    assert detail["refusal"] == "throttled" and detail["retry_after"] == WINDOW - answered
    assert throttled.headers["Retry-After"] == str(WINDOW - answered)
    assert _refusal(_enrol(vendor, good), 429)["refusal"] == "throttled"  # even the right code, while throttled

    clock.advance(seconds=detail["retry_after"] - 1)
    assert _enrol(vendor, good).status_code == 429
    clock.advance(seconds=1)  # the first failure is now 15 minutes old: one try is free again
    assert _enrol(vendor, _unknown(200)).status_code == 404
    assert _enrol(vendor, good).status_code == 429  # and that one used it (the second failure leaves next)
    clock.advance(seconds=WINDOW)
    assert _enrol(vendor, good).status_code == 200


def test_one_code_gets_five_tries_per_quarter_hour(vendor: VendorServer, clock: FixedClock) -> None:
    answered, throttled = _answered_before_429(vendor, clock, (_unknown(7) for _ in range(100)))
    assert answered == enrolment.PER_CODE == 5
    assert throttled.headers["Retry-After"] == str(WINDOW - answered)
    assert _enrol(vendor, _unknown(8)).status_code == 404  # the address itself is not throttled yet
    clock.advance(seconds=WINDOW - answered)
    assert _enrol(vendor, _unknown(7)).status_code == 404
