"""The vendor's unlock codes: counted from the shop's clock, in the format every app version reads."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pmv_protocol.signed_json import canonical_bytes
from pmv_protocol.unlock_codes import MAX_UNLOCK_TTL, UNLOCK_FORMAT, make_challenge, parse_unlock_code
from tests.helpers import TECHNICIAN_T0 as VENDOR_NOW
from vendor_server.signing import sign_challenge

SHOP = "KP-0001"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.mark.parametrize("skew", [dt.timedelta(0), dt.timedelta(hours=8), -dt.timedelta(days=30)])
def test_the_expiry_counts_from_the_challenges_issue_time_not_the_vendors_clock(
        key: Ed25519PrivateKey, skew: dt.timedelta) -> None:
    challenge = make_challenge(SHOP, VENDOR_NOW + skew - dt.timedelta(minutes=4))  # the shop's clock, 4 min ago
    code = parse_unlock_code(sign_challenge(challenge.code(), "Lê Minh", key, VENDOR_NOW, ttl=dt.timedelta(hours=2)))
    assert code.expires_at == challenge.issued_at + dt.timedelta(hours=2)
    assert code.payload()["format"] == UNLOCK_FORMAT  # the same signed payload as before: old apps read it
    key.public_key().verify(code.signature, canonical_bytes(code.payload()))


def test_a_fraction_of_an_hour_is_kept_to_the_second(key: Ed25519PrivateKey) -> None:
    challenge = make_challenge(SHOP, VENDOR_NOW)
    code = parse_unlock_code(sign_challenge(challenge.code(), "An", key, VENDOR_NOW,
                                            ttl=dt.timedelta(hours=1.5, microseconds=7)))
    assert code.expires_at == challenge.issued_at + dt.timedelta(minutes=90)


@pytest.mark.parametrize("ttl", [dt.timedelta(0), -dt.timedelta(hours=1), MAX_UNLOCK_TTL + dt.timedelta(seconds=1)])
def test_a_ttl_outside_what_the_shop_honours_is_refused(key: Ed25519PrivateKey, ttl: dt.timedelta) -> None:
    with pytest.raises(ValueError, match="ttl"):
        sign_challenge(make_challenge(SHOP, VENDOR_NOW).code(), "An", key, VENDOR_NOW, ttl=ttl)


def test_the_longest_code_is_a_week(key: Ed25519PrivateKey) -> None:
    challenge = make_challenge(SHOP, VENDOR_NOW)
    code = parse_unlock_code(sign_challenge(challenge.code(), "An", key, VENDOR_NOW, ttl=dt.timedelta(hours=168)))
    assert code.expires_at - challenge.issued_at == MAX_UNLOCK_TTL == dt.timedelta(days=7)
