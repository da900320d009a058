from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.support.vendor_api import ApiFailure, VendorApiError
from app.warranty.service import ContractService, RefreshOutcome
from pmv_protocol.contract import ContractError, ContractProblem
from pmv_protocol.signed_json import JsonProblem, canonical_bytes


def service(tmp_path: Path, trusted, fetch=None, shop_id: str = "KP-0001") -> ContractService:
    return ContractService(tmp_path / "data" / "contract.json", trusted, shop_id, fetch=fetch)


def test_no_cache_means_no_contract(tmp_path, trusted) -> None:
    cached = service(tmp_path, trusted).cached()
    assert cached.contract is None and cached.error is None


def test_import_accepts_a_good_file_and_keeps_it_across_restarts(tmp_path, trusted, signed, write) -> None:
    first = service(tmp_path, trusted)
    contract = first.import_file(write(signed()))
    assert contract.shop_id == "KP-0001"
    assert service(tmp_path, trusted).current() == contract


@pytest.mark.parametrize(
    "make_bad, problem",
    [
        (lambda signed: signed(shop_id="VB-0002"), ContractProblem.WRONG_SHOP),
        (lambda signed: signed().replace(b"2026-01-15", b"2026-01-14", 1), ContractProblem.BAD_SIGNATURE),
        (lambda signed: b"{}", ContractProblem.MALFORMED),
    ],
)
def test_a_refused_import_keeps_the_last_good_contract(tmp_path, trusted, signed, write, make_bad, problem) -> None:
    svc = service(tmp_path, trusted)
    good = svc.import_file(write(signed()))
    before = svc.cache_file.read_bytes()
    with pytest.raises(ContractError) as caught:
        svc.import_file(write(make_bad(signed), "bad.json"))
    assert caught.value.problem is problem
    assert svc.cache_file.read_bytes() == before
    assert svc.current() == good


def test_an_older_document_does_not_roll_back_a_renewal(tmp_path, trusted, signed, write) -> None:
    svc = service(tmp_path, trusted)
    renewed = svc.import_file(write(signed(
        issued_at="2027-01-10T09:00:00+07:00",
        maintenance=[{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}],
    )))
    kept = svc.import_file(write(signed(issued_at="2026-01-15T09:00:00+07:00"), "old.json"))
    assert kept == renewed and svc.current().maintenance


def test_a_tampered_cache_is_reported_not_trusted(tmp_path, trusted, signed, write) -> None:
    svc = service(tmp_path, trusted)
    svc.import_file(write(signed()))
    svc.cache_file.write_bytes(svc.cache_file.read_bytes().replace(b'"warranty_months":12', b'"warranty_months":6'))
    cached = svc.cached()
    assert cached.contract is None
    assert cached.error is not None and cached.error.problem is ContractProblem.BAD_SIGNATURE


def test_oversized_file_is_refused_before_reading(tmp_path, trusted, write) -> None:
    with pytest.raises(ContractError) as caught:
        service(tmp_path, trusted).import_file(write(b" " * 300_000))
    assert caught.value.problem is ContractProblem.MALFORMED


def test_refresh_outcomes(tmp_path, trusted, signed) -> None:
    responses: list = [signed(), signed(), VendorApiError(ApiFailure.OFFLINE, "refused"), signed(shop_id="XX")]

    def fetch() -> bytes:
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    svc = service(tmp_path, trusted, fetch)
    first = svc.refresh()
    assert first.outcome is RefreshOutcome.UPDATED and first.contract.shop_id == "KP-0001"
    assert svc.refresh().outcome is RefreshOutcome.UNCHANGED
    offline = svc.refresh()
    assert offline.outcome is RefreshOutcome.OFFLINE and offline.contract == first.contract
    assert offline.api_error.kind is ApiFailure.OFFLINE
    refused = svc.refresh()
    assert refused.outcome is RefreshOutcome.REFUSED
    assert refused.contract_error.problem is ContractProblem.WRONG_SHOP
    assert svc.current() == first.contract


# --- one reading only (issue 18, section 4): RFC 8259 s.4 / RFC 7493 s.2.3, no member name twice ---------

RENEWAL = [{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}]


def with_end_twice(document: bytes) -> bytes:
    """The issue's forgery: a first "end" of 2035 before the signed one; json.loads keeps the signed one."""
    assert document.count(b'"end": "2028-01-15"') == 1
    return document.replace(b'"end": "2028-01-15"', b'"end": "2035-12-31", "end": "2028-01-15"')


def test_an_import_with_a_key_given_twice_is_refused_and_the_contract_kept(tmp_path, trusted, signed, write) -> None:
    svc = service(tmp_path, trusted)
    good = svc.import_file(write(signed()))
    before = svc.cache_file.read_bytes()
    forged = with_end_twice(signed(issued_at="2027-01-10T09:00:00+07:00", maintenance=RENEWAL))
    with pytest.raises(ContractError) as caught:
        svc.import_file(write(forged, "forged.json"))
    assert caught.value.problem is ContractProblem.MALFORMED
    assert caught.value.reason is JsonProblem.DUPLICATE_KEY and caught.value.fault.key == "end"
    assert svc.cache_file.read_bytes() == before
    assert svc.current() == good and not good.maintenance


def test_a_refresh_with_a_key_given_twice_is_refused_and_the_contract_kept(tmp_path, trusted, signed) -> None:
    responses = [signed(), with_end_twice(signed(issued_at="2027-01-10T09:00:00+07:00", maintenance=RENEWAL))]
    svc = service(tmp_path, trusted, fetch=lambda: responses.pop(0))
    first = svc.refresh()
    before = svc.cache_file.read_bytes()
    refused = svc.refresh()
    assert refused.outcome is RefreshOutcome.REFUSED and refused.contract == first.contract
    assert refused.contract_error.reason is JsonProblem.DUPLICATE_KEY
    assert svc.cache_file.read_bytes() == before


def test_the_cache_holds_what_was_verified_not_what_was_received(tmp_path, trusted, signed, write) -> None:
    received = signed(maintenance=RENEWAL)
    padded = received.replace(b"{", b"{ \n", 1).replace(b'"format"', b'"note": "unsigned", "format"', 1)
    svc = service(tmp_path, trusted)
    contract = svc.import_file(write(padded))
    stored = svc.cache_file.read_bytes()
    assert stored == canonical_bytes(json.loads(received))  # canonical, the four signed-over members only
    assert stored != padded and b"unsigned" not in stored
    assert service(tmp_path, trusted).current() == contract


def test_a_cache_written_as_received_with_a_key_twice_no_longer_verifies(tmp_path, trusted, signed) -> None:
    # An earlier version stored documents as received: the file, once accepted, must not stay trusted.
    svc = service(tmp_path, trusted)
    svc.cache_file.parent.mkdir(parents=True)
    svc.cache_file.write_bytes(with_end_twice(signed(maintenance=RENEWAL)))
    cached = svc.cached()
    assert cached.contract is None
    assert cached.error.problem is ContractProblem.MALFORMED and cached.error.reason is JsonProblem.DUPLICATE_KEY
