from __future__ import annotations

import base64
import copy
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pmv_protocol.contract import Contract, ContractError, ContractProblem, canonical_bytes, verify, verify_document
from pmv_protocol.signed_json import JsonFault, JsonProblem
from vendor_server.signing import sign_payload

PAYLOAD = {
    "shop_id": "KP-0001",
    "shop_name": "Tiệm vàng Kim Phát",
    "package": {"code": "PMV-GOLD-PRO", "warranty_months": 12},
    "accepted_on": "2026-01-15",
    "maintenance": [{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}],
    "issued_at": "2026-01-15T09:00:00+07:00",
}


def test_a_signed_contract_verifies_and_reads_back(vendor_key, trusted) -> None:
    document = sign_payload(PAYLOAD, vendor_key)
    contract = verify_document(json.dumps(document, ensure_ascii=False).encode(), trusted, "KP-0001")
    assert contract.shop_name == "Tiệm vàng Kim Phát"
    assert contract.accepted_on == dt.date(2026, 1, 15)
    assert contract.maintenance[0].end == dt.date(2028, 1, 15)
    assert contract.issued_at.utcoffset() == dt.timedelta(hours=7)
    assert contract.to_payload() == PAYLOAD


def test_key_order_and_whitespace_do_not_matter(vendor_key, trusted) -> None:
    document = sign_payload(PAYLOAD, vendor_key)
    reordered = json.dumps({"signature": document["signature"],
                            "payload": dict(reversed(list(document["payload"].items()))),
                            "key_id": document["key_id"], "format": document["format"]}, indent=4)
    assert verify_document(reordered, trusted, "KP-0001").shop_id == "KP-0001"


def test_every_single_byte_change_in_the_payload_is_caught(vendor_key, trusted) -> None:
    text = json.dumps(sign_payload(PAYLOAD, vendor_key), ensure_ascii=False)
    start = text.index('"payload"')
    end = text.index('"signature"')
    refused = 0
    for position in range(start + 12, end - 3, 7):
        original = text[position]
        replacement = "9" if original != "9" else "8"
        tampered = text[:position] + replacement + text[position + 1:]
        with pytest.raises(ContractError) as caught:
            verify_document(tampered, trusted, None)
        assert caught.value.problem in (ContractProblem.BAD_SIGNATURE, ContractProblem.MALFORMED,
                                        ContractProblem.INVALID)
        refused += 1
    assert refused > 20


def test_extending_the_warranty_breaks_the_signature(vendor_key, trusted) -> None:
    document = sign_payload(PAYLOAD, vendor_key)
    forged = copy.deepcopy(document)
    forged["payload"]["maintenance"][0]["end"] = "2030-01-15"
    with pytest.raises(ContractError) as caught:
        verify_document(forged, trusted, "KP-0001")
    assert caught.value.problem is ContractProblem.BAD_SIGNATURE


def test_a_document_signed_with_another_key_is_refused(trusted) -> None:
    other = Ed25519PrivateKey.generate()
    document = sign_payload(PAYLOAD, other)
    with pytest.raises(ContractError) as caught:
        verify_document(document, trusted, "KP-0001")
    assert caught.value.problem is ContractProblem.UNKNOWN_KEY
    document["key_id"] = next(iter(trusted))  # claim the trusted key id
    with pytest.raises(ContractError) as caught:
        verify_document(document, trusted, "KP-0001")
    assert caught.value.problem is ContractProblem.BAD_SIGNATURE


def test_another_shops_contract_is_refused(vendor_key, trusted) -> None:
    document = sign_payload(PAYLOAD, vendor_key)
    with pytest.raises(ContractError) as caught:
        verify_document(document, trusted, "VB-0002")
    assert caught.value.problem is ContractProblem.WRONG_SHOP


@pytest.mark.parametrize(
    "document, problem",
    [
        (b"\xff\xfe not json", ContractProblem.MALFORMED),
        (b"[1, 2]", ContractProblem.MALFORMED),
        (json.dumps({"format": "pmv-contract/1", "payload": PAYLOAD}), ContractProblem.UNSIGNED),
        (json.dumps({"format": "other/9", "payload": PAYLOAD, "signature": "AA=="}), ContractProblem.MALFORMED),
    ],
)
def test_malformed_and_unsigned_documents(trusted, document, problem) -> None:
    with pytest.raises(ContractError) as caught:
        verify_document(document, trusted, None)
    assert caught.value.problem is problem


@pytest.mark.parametrize(
    "change",
    [
        {"package": {"code": "X", "warranty_months": 9}},
        {"accepted_on": "15/01/2026"},
        {"maintenance": [{"start": "2027-02-01", "end": "2027-01-01", "tier": ""}]},
        {"shop_id": ""},
    ],
)
def test_invalid_content_is_refused_even_by_the_vendor_signing_tool(vendor_key, change) -> None:
    with pytest.raises(ContractError) as caught:
        sign_payload({**PAYLOAD, **change}, vendor_key)
    assert caught.value.problem is ContractProblem.INVALID
    with pytest.raises(ContractError):
        Contract.from_payload({**PAYLOAD, **change})


# --- one reading only (issue 18, section 4) -----------------------------------------
# The rule: RFC 8259 section 4 ("The names within an object SHOULD be unique") and RFC 7493 (I-JSON)
# section 2.3 ("Objects MUST NOT have members with duplicate names"); NaN from RFC 8259 section 6; lone
# surrogates from RFC 7493 section 2.1.  pmv_protocol/signed_json.py's tests hold the full table.


def _twice(text: str, member: str, first_value: str) -> str:
    """``text`` with ``member`` given twice: ``first_value`` first, then the signed value."""
    assert text.count(member) == 1
    name = member.split(":")[0]
    return text.replace(member, f"{name}: {first_value}, {member}")


def test_the_issues_contract_with_end_given_twice_is_refused(vendor_key, trusted) -> None:
    signed = json.dumps(sign_payload(PAYLOAD, vendor_key), ensure_ascii=False)
    forged = _twice(signed, '"end": "2028-01-15"', '"2035-12-31"')
    # What made it dangerous: json.loads keeps the last "end", so the signature verifies, while a reader
    # that keeps the first sees maintenance until 2035.
    loaded = json.loads(forged)
    vendor_key.public_key().verify(base64.b64decode(loaded["signature"]), canonical_bytes(loaded["payload"]))
    with pytest.raises(ContractError) as caught:
        verify_document(forged.encode(), trusted, "KP-0001")
    error = caught.value
    assert error.problem is ContractProblem.MALFORMED and error.reason is JsonProblem.DUPLICATE_KEY
    assert error.fault == JsonFault(JsonProblem.DUPLICATE_KEY, "payload.maintenance[0].end", "end")


@pytest.mark.parametrize(
    "member, first, path",
    [
        ('"shop_id": "KP-0001"', '"VB-0002"', "payload.shop_id"),  # whose contract is it?
        ('"warranty_months": 12', "6", "payload.package.warranty_months"),
        ('"format": "pmv-contract/1"', '"pmv-contract/9"', "format"),  # the envelope too, not only the payload
    ],
)
def test_any_member_given_twice_is_refused_at_any_depth(vendor_key, trusted, member, first, path) -> None:
    forged = _twice(json.dumps(sign_payload(PAYLOAD, vendor_key), ensure_ascii=False), member, first)
    with pytest.raises(ContractError) as caught:
        verify_document(forged, trusted, None)
    assert caught.value.problem is ContractProblem.MALFORMED
    assert caught.value.fault is not None and caught.value.fault.path == path


@pytest.mark.parametrize(
    "document, reason",
    [
        ('{"format": "pmv-contract/1", "payload": {"warranty_months": NaN}, "signature": "AA=="}',
         JsonProblem.NON_FINITE_NUMBER),
        ('{"format": "pmv-contract/1", "payload": {"shop_name": "Kim \\ud800"}, "signature": "AA=="}',
         JsonProblem.LONE_SURROGATE),
        ("[1, 2]", JsonProblem.NOT_AN_OBJECT),
        ("[" * 50_000, JsonProblem.TOO_DEEP),  # a refusal, not a RecursionError traceback
    ],
)
def test_other_second_readings_are_refused_with_their_reason(trusted, document, reason) -> None:
    with pytest.raises(ContractError) as caught:
        verify_document(document, trusted, None)
    assert caught.value.problem is ContractProblem.MALFORMED and caught.value.reason is reason


def test_what_is_stored_is_what_was_verified(vendor_key, trusted) -> None:
    document = sign_payload(PAYLOAD, vendor_key)
    received = json.dumps({**document, "note": "not signed"}, ensure_ascii=False, indent=2).encode()
    verified = verify(received, trusted, "KP-0001")
    # Canonical JSON of the four checked members only; an unsigned extra member is not kept.
    assert verified.stored_bytes == canonical_bytes(document)
    assert b"note" not in verified.stored_bytes
    assert verify(verified.stored_bytes, trusted, "KP-0001") == verified


# -- the vendor block and the contract number (added later: optional, signed like the rest) ---------------------

VENDOR = {"name": "Công ty TNHH Phần Mềm Vàng", "address": "Tầng 5, 123 Nguyễn Thị Minh Khai, TP. Hồ Chí Minh",
          "tax_code": "0399999999", "hotline": "1900 6037"}
WITH_VENDOR = {**PAYLOAD, "contract_number": "HD-KP-0001-001", "vendor": VENDOR}


def test_an_old_contract_without_the_vendor_block_still_verifies(vendor_key, trusted) -> None:
    contract = verify_document(json.dumps(sign_payload(PAYLOAD, vendor_key)), trusted, "KP-0001")
    assert contract.contract_number is None and contract.vendor is None
    assert contract.to_payload() == PAYLOAD  # nothing added that was not signed


def test_the_vendor_block_and_number_are_read_and_read_back(vendor_key, trusted) -> None:
    signed = json.dumps(sign_payload(WITH_VENDOR, vendor_key), ensure_ascii=False)
    contract = verify_document(signed, trusted, "KP-0001")
    assert contract.contract_number == "HD-KP-0001-001"
    assert contract.vendor is not None
    assert (contract.vendor.name, contract.vendor.tax_code) == ("Công ty TNHH Phần Mềm Vàng", "0399999999")
    assert contract.vendor.address == VENDOR["address"] and contract.vendor.hotline == "1900 6037"
    assert contract.to_payload() == WITH_VENDOR


@pytest.mark.parametrize("member, value", [("tax_code", "0399999998"), ("name", "Công ty Khác"),
                                           ("address", "1 Lê Lợi")])
def test_the_vendor_block_is_covered_by_the_signature(vendor_key, trusted, member, value) -> None:
    forged = copy.deepcopy(sign_payload(WITH_VENDOR, vendor_key))
    forged["payload"]["vendor"][member] = value
    with pytest.raises(ContractError) as caught:
        verify_document(json.dumps(forged), trusted, "KP-0001")
    assert caught.value.problem is ContractProblem.BAD_SIGNATURE


@pytest.mark.parametrize("change", [{"vendor": {**VENDOR, "tax_code": "03999999"}},
                                    {"vendor": {**VENDOR, "tax_code": "0399999999001"}},
                                    {"vendor": {**VENDOR, "hotline": "không có"}},
                                    {"vendor": "Công ty TNHH Phần Mềm Vàng"},
                                    {"contract_number": 17}])
def test_a_malformed_vendor_block_is_refused_by_the_signing_tool(vendor_key, change) -> None:
    with pytest.raises(ContractError) as caught:
        sign_payload({**WITH_VENDOR, **change}, vendor_key)
    assert caught.value.problem is ContractProblem.INVALID
