from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.infra.keys import load_trusted_keys
from app.storage.db import Database
from app.storage.repositories import StateRepository
from app.technician.unlock import TechnicianUnlock
from pmv_protocol.keys import key_id
from pmv_protocol.signed_json import canonical_bytes
from pmv_protocol.unlock_codes import (
    MAX_UNLOCK_TTL,
    Challenge,
    UnlockError,
    UnlockReason,
    encode_unlock_code,
    make_challenge,
    parse_challenge,
    parse_unlock_code,
    unlock_payload,
)
from tests.helpers import TECHNICIAN_T0 as T0
from tests.helpers import FixedClock, MemoryStore
from vendor_server import cli
from vendor_server.signing import sign_challenge

SHOP = "SHOP-0001"



@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def _unlock(key: Ed25519PrivateKey, store: Any, clock: FixedClock) -> TechnicianUnlock:
    return TechnicianUnlock({key_id(key.public_key()): key.public_key()}, store, clock)


def _reason(unlock: TechnicianUnlock, challenge: Challenge, code: str) -> UnlockReason:
    with pytest.raises(UnlockError) as info:
        unlock.verify(challenge, code)
    return info.value.reason


def _alter(code: str, index: int) -> str:
    chars = list(code.replace("-", ""))
    chars[index] = "B" if chars[index] != "B" else "C"
    text = "".join(chars)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def test_challenge_round_trips_through_its_short_text() -> None:
    challenge = make_challenge(SHOP, T0)
    text = challenge.code()
    assert all(len(group) <= 4 for group in text.split("-"))
    assert len(text.replace("-", "")) <= 40
    assert parse_challenge(text) == challenge
    assert parse_challenge(text.lower().replace("-", " ")) == challenge
    assert challenge.issued_at == T0 and len(challenge.nonce) == 8


def test_a_typo_in_the_challenge_is_malformed() -> None:
    text = make_challenge(SHOP, T0).code()
    with pytest.raises(UnlockError) as info:
        parse_challenge(_alter(text, 5))
    assert info.value.reason is UnlockReason.MALFORMED
    with pytest.raises(UnlockError):
        parse_challenge("hello")


def test_valid_code_unlocks(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "Nguyễn Văn An", key, clock())
    session = _unlock(key, store, clock).verify(challenge, code)
    assert session.technician == "Nguyễn Văn An"
    assert session.expires_at == T0 + dt.timedelta(hours=2)


def test_a_used_code_is_refused_as_replayed(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "An", key, clock())
    _unlock(key, store, clock).verify(challenge, code)
    clock.advance(minutes=5)
    assert _reason(_unlock(key, store, clock), challenge, code) is UnlockReason.REPLAYED


def test_expired_code(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "An", key, clock(), ttl=dt.timedelta(hours=1))
    clock.advance(hours=1)
    assert _reason(_unlock(key, store, clock), challenge, code) is UnlockReason.EXPIRED


# --- whose clock: the shop's ---------------------------------------------------------------------------------------


class Ticks:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def _old_style_code(key: Ed25519PrivateKey, challenge: Challenge, expires_at: dt.datetime, technician: str = "An"
                    ) -> str:
    """A code as the vendor signed them before codes were counted from the challenge: expiry by its own clock."""
    kid = key_id(key.public_key())
    signature = key.sign(canonical_bytes(unlock_payload(technician, challenge.nonce, challenge.shop_id, expires_at,
                                                        kid)))
    return encode_unlock_code(kid, challenge.nonce, expires_at, challenge.shop_id, technician, signature)


@pytest.mark.parametrize("skew", [dt.timedelta(hours=8), -dt.timedelta(days=30)],
                         ids=["time zone set wrong, 8 h ahead", "flat CMOS battery, 30 days behind"])
def test_a_till_whose_clock_is_off_gets_the_time_the_vendor_chose(
        key: Ed25519PrivateKey, store: MemoryStore, skew: dt.timedelta) -> None:
    vendor_now = T0
    shop = FixedClock(T0 + skew)
    challenge = make_challenge(SHOP, shop())
    code = sign_challenge(challenge.code(), "An", key, vendor_now, ttl=dt.timedelta(hours=2))
    shop.advance(minutes=3)  # read out, signed, typed back
    session = _unlock(key, store, shop).verify(challenge, code)
    assert session.expires_at - shop() == dt.timedelta(hours=1, minutes=57)


def test_a_code_signed_the_old_way_still_unlocks(key: Ed25519PrivateKey, store: MemoryStore,
                                                 clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    code = _old_style_code(key, challenge, clock() + dt.timedelta(hours=2), "Lê Minh")
    assert code == sign_challenge(challenge.code(), "Lê Minh", key, clock())  # the same format, byte for byte
    session = _unlock(key, store, clock).verify(challenge, code)
    assert session.technician == "Lê Minh" and session.expires_at == T0 + dt.timedelta(hours=2)


def test_setting_the_clock_back_does_not_stretch_the_session(key: Ed25519PrivateKey, store: MemoryStore,
                                                              clock: FixedClock) -> None:
    ticks = Ticks()
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "An", key, clock(), ttl=dt.timedelta(hours=2))
    session = TechnicianUnlock({key_id(key.public_key()): key.public_key()}, store, clock, ticks).verify(
        challenge, code)
    assert session.time_left(clock()) == dt.timedelta(hours=2) and session.is_open(clock())
    clock.advance(days=-30)  # someone sets the PC's date back a month
    ticks.now += 3600
    assert session.time_left(clock()) == dt.timedelta(hours=1)
    ticks.now += 3600
    assert not session.is_open(clock())


def test_the_pcs_clock_still_ends_a_session_the_monotonic_clock_slept_through(
        key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    ticks = Ticks()  # Linux's monotonic clock stands still while the PC sleeps
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "An", key, clock(), ttl=dt.timedelta(hours=2))
    session = TechnicianUnlock({key_id(key.public_key()): key.public_key()}, store, clock, ticks).verify(
        challenge, code)
    clock.advance(hours=2)
    assert not session.is_open(clock())


def test_an_old_code_for_a_till_days_behind_lasts_at_most_the_longest_code(
        key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    ticks = Ticks()
    challenge = make_challenge(SHOP, clock())
    code = _old_style_code(key, challenge, clock() + dt.timedelta(days=30, hours=2))  # the vendor's clock: +30 d
    session = TechnicianUnlock({key_id(key.public_key()): key.public_key()}, store, clock, ticks).verify(
        challenge, code)
    assert session.expires_at == T0 + MAX_UNLOCK_TTL
    ticks.now += MAX_UNLOCK_TTL.total_seconds()
    assert not session.is_open(clock())


def test_a_clock_ahead_at_the_challenge_then_put_right_keeps_the_vendors_hours(
        key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    # Found by the review of this change: the code counts from the challenge's time, so a challenge shown with the
    # clock 5 days ahead, the clock then put right, made a 2-hour code open the tools for 5 days and 2 hours.
    ticks = Ticks()
    challenge = make_challenge(SHOP, clock() + dt.timedelta(days=5))
    code = sign_challenge(challenge.code(), "An", key, clock(), ttl=dt.timedelta(hours=2))
    session = TechnicianUnlock({key_id(key.public_key()): key.public_key()}, store, clock, ticks).verify(
        challenge, code)
    assert session.time_left(clock()) == dt.timedelta(hours=2)
    ticks.now += 2 * 3600
    assert not session.is_open(clock())


@pytest.mark.parametrize("where", ["technician", "signature"])
def test_one_altered_character_breaks_the_signature(
    key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock, where: str
) -> None:
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "Trần Thị Bình", key, clock())
    n = len(code.replace("-", ""))
    # the technician's name sits just before the 64-byte signature (~103 chars)
    index = n - 105 if where == "technician" else n - 20
    altered = _alter(code, index)
    assert parse_unlock_code(altered) != parse_unlock_code(code)
    assert _reason(_unlock(key, store, clock), challenge, altered) is UnlockReason.BAD_SIGNATURE


def test_code_signed_with_another_key(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "An", Ed25519PrivateKey.generate(), clock())
    assert _reason(_unlock(key, store, clock), challenge, code) is UnlockReason.UNKNOWN_KEY


def test_code_for_another_shop(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    ours = make_challenge(SHOP, clock())
    theirs = Challenge("SHOP-0002", ours.nonce, ours.issued_at)
    code = sign_challenge(theirs.code(), "An", key, clock())
    assert _reason(_unlock(key, store, clock), ours, code) is UnlockReason.OTHER_SHOP


def test_code_for_a_different_challenge(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    first = make_challenge(SHOP, clock())
    second = make_challenge(SHOP, clock())
    code = sign_challenge(first.code(), "An", key, clock())
    assert _reason(_unlock(key, store, clock), second, code) is UnlockReason.WRONG_CHALLENGE


def test_garbage_code_is_malformed(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    assert _reason(_unlock(key, store, clock), challenge, "ABCD-EFGH") is UnlockReason.MALFORMED
    assert _reason(_unlock(key, store, clock), challenge, "not a code!") is UnlockReason.MALFORMED


def _rate_limit_scenario(key: Ed25519PrivateKey, store: Any, clock: FixedClock) -> None:
    challenge = make_challenge(SHOP, clock())
    good = sign_challenge(challenge.code(), "An", key, clock.now, ttl=dt.timedelta(hours=2))
    wrong = sign_challenge(make_challenge(SHOP, clock()).code(), "An", key, clock())
    unlock = _unlock(key, store, clock)
    for _ in range(5):
        assert _reason(unlock, challenge, wrong) is UnlockReason.WRONG_CHALLENGE
        clock.advance(seconds=30)
    # even the right code is refused now, also after a restart
    assert _reason(unlock, challenge, good) is UnlockReason.RATE_LIMITED
    restarted = _unlock(key, store, clock)
    assert restarted.locked_until() is not None
    clock.advance(minutes=9)
    assert _reason(restarted, challenge, good) is UnlockReason.RATE_LIMITED
    clock.advance(minutes=1)
    assert restarted.locked_until() is None
    assert _unlock(key, store, clock).verify(challenge, good).technician == "An"


def test_rate_limit_after_five_wrong_codes(key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock) -> None:
    _rate_limit_scenario(key, store, clock)


def test_rate_limit_survives_a_restart_on_the_real_state_repository(
    key: Ed25519PrivateKey, clock: FixedClock, tmp_path: Path
) -> None:
    db, _ = Database.open(tmp_path / "app.sqlite3")
    try:
        _rate_limit_scenario(key, StateRepository(db, clock), clock)
    finally:
        db.close()


def test_wrong_codes_spread_over_more_than_ten_minutes_do_not_lock(
    key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock
) -> None:
    challenge = make_challenge(SHOP, clock())
    wrong = sign_challenge(make_challenge(SHOP, clock()).code(), "An", key, clock())
    unlock = _unlock(key, store, clock)
    for _ in range(8):
        assert _reason(unlock, challenge, wrong) is UnlockReason.WRONG_CHALLENGE
        clock.advance(minutes=3)


def test_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys_file = tmp_path / "vendor_keys.json"
    data = ["--data", str(tmp_path / "vendor"), "--keys", str(tmp_path / "keys")]
    assert cli.main(["keys", "init", *data, "--export", str(keys_file)]) == 0
    capsys.readouterr()

    now = dt.datetime.now(dt.UTC)
    challenge = make_challenge(SHOP, now)
    assert cli.main(["sign-challenge", challenge.code(), "--technician", "Lê Minh", "--ttl-hours", "1", *data]) == 0
    code = capsys.readouterr().out.strip()

    trusted = load_trusted_keys("technician", keys_file)
    session = TechnicianUnlock(trusted, MemoryStore(), lambda: now).verify(challenge, code)
    assert session.technician == "Lê Minh"
    assert dt.timedelta(minutes=59) < session.expires_at - now <= dt.timedelta(hours=1)
    # the contract key is not a technician key
    contract_only = load_trusted_keys("contract", keys_file)
    with pytest.raises(UnlockError) as info:
        TechnicianUnlock(contract_only, MemoryStore(), lambda: now).verify(challenge, code)
    assert info.value.reason is UnlockReason.UNKNOWN_KEY


def test_cli_refuses_a_bad_challenge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(tmp_path / "vendor"), "--keys", str(tmp_path / "keys")]
    assert cli.main(["keys", "init", *data]) == 0
    capsys.readouterr()
    assert cli.main(["sign-challenge", "ABCD-EFGH", "--technician", "An", *data]) == 1
    err = capsys.readouterr().err
    assert err.startswith("pmv-vendor: error: bad challenge") and err.count("\n") == 1


def test_signature_is_over_the_canonical_payload(key: Ed25519PrivateKey, clock: FixedClock) -> None:
    from pmv_protocol.contract import canonical_bytes

    challenge = make_challenge(SHOP, clock())
    parsed = parse_unlock_code(sign_challenge(challenge.code(), "An", key, clock()))
    key.public_key().verify(parsed.signature, canonical_bytes(parsed.payload()))
    assert parsed.payload()["nonce"] == challenge.nonce.hex()


# --- one reading only (issue 18, section 4) ------------------------------------------------------------
# A code is not JSON: its fields have fixed places and length prefixes (the module docstring's layout), so
# "a key given twice" (RFC 8259 s.4, RFC 7493 s.2.3) can only appear as a field given twice.  Each form must
# be refused as MALFORMED and leave the stored state (used nonces) as it was, so the genuine code still works.


def _b32(text: str) -> bytes:
    clean = text.replace("-", "")
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def _text(data: bytes) -> str:
    raw = base64.b32encode(data).decode("ascii").rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _field(text: str) -> bytes:
    raw = text.encode("utf-8")
    return bytes([len(raw)]) + raw


@pytest.mark.parametrize("where", ["technician twice before the signature", "technician again after the signature",
                                   "shop twice", "the whole code twice"])
def test_a_field_given_twice_is_refused_and_changes_nothing(
    key: Ed25519PrivateKey, store: MemoryStore, clock: FixedClock, where: str
) -> None:
    challenge = make_challenge(SHOP, clock())
    code = sign_challenge(challenge.code(), "An", key, clock())
    data = _b32(code)
    body, signature = data[:-64], data[-64:]
    assert body.endswith(_field(SHOP) + _field("An"))
    forged = {
        "technician twice before the signature": body + _field("Giám đốc") + signature,
        "technician again after the signature": data + _field("Giám đốc"),
        "shop twice": body[: -len(_field("An"))] + _field("VB-0002") + _field("An") + signature,
        "the whole code twice": data + data,
    }[where]
    unlock = _unlock(key, store, clock)
    assert _reason(unlock, challenge, _text(forged)) is UnlockReason.MALFORMED
    assert store.get("technician.unlock.used_nonces", {}) == {}
    assert unlock.verify(challenge, code).technician == "An"  # the genuine code was not used up
