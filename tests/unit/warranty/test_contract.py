from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.warranty.contract import (
    Contract,
    ContractError,
    ContractProblem,
    key_id,
    sign_payload,
    verify_document,
)

PAYLOAD = {
    "shop_id": "KP-0001",
    "shop_name": "Tiệm vàng Kim Phát",
    "package": {"code": "PMV-GOLD-PRO", "warranty_months": 12},
    "accepted_on": "2026-01-15",
    "maintenance": [{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}],
    "issued_at": "2026-01-15T09:00:00+07:00",
}


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def trusted(key: Ed25519PrivateKey) -> dict:
    return {key_id(key.public_key()): key.public_key()}


def test_a_signed_contract_verifies_and_reads_back(key, trusted) -> None:
    document = sign_payload(PAYLOAD, key)
    contract = verify_document(json.dumps(document, ensure_ascii=False).encode(), trusted, "KP-0001")
    assert contract.shop_name == "Tiệm vàng Kim Phát"
    assert contract.accepted_on == dt.date(2026, 1, 15)
    assert contract.maintenance[0].end == dt.date(2028, 1, 15)
    assert contract.issued_at.utcoffset() == dt.timedelta(hours=7)
    assert contract.to_payload() == PAYLOAD


def test_key_order_and_whitespace_do_not_matter(key, trusted) -> None:
    document = sign_payload(PAYLOAD, key)
    reordered = json.dumps({"signature": document["signature"], "payload": dict(reversed(list(document["payload"].items()))),
                            "key_id": document["key_id"], "format": document["format"]}, indent=4)
    assert verify_document(reordered, trusted, "KP-0001").shop_id == "KP-0001"


def test_every_single_byte_change_in_the_payload_is_caught(key, trusted) -> None:
    text = json.dumps(sign_payload(PAYLOAD, key), ensure_ascii=False)
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


def test_extending_the_warranty_breaks_the_signature(key, trusted) -> None:
    document = sign_payload(PAYLOAD, key)
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


def test_another_shops_contract_is_refused(key, trusted) -> None:
    document = sign_payload(PAYLOAD, key)
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
def test_invalid_content_is_refused_even_by_the_vendor_signing_tool(key, change) -> None:
    with pytest.raises(ContractError) as caught:
        sign_payload({**PAYLOAD, **change}, key)
    assert caught.value.problem is ContractProblem.INVALID
    with pytest.raises(ContractError):
        Contract.from_payload({**PAYLOAD, **change})
