"""The setup's one write: settings, contract, token, all of it or (on any failure) none of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.infra.settings import PrinterSettings, Settings, load_settings
from app.setup.enrolment import Enrolment
from app.setup.finish import SetupChoices, ShopDetails, finish_setup
from app.setup.pending import PendingEnrolment
from app.support.token_store import TokenStore
from pmv_protocol.contract import ContractError
from pmv_protocol.keys import key_id
from vendor_server.signing import sign_payload

TOKEN = "t" * 43


pytestmark = pytest.mark.usefixtures("no_os_keyring")



@pytest.fixture(scope="module")
def signer() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def keys(signer: Ed25519PrivateKey) -> dict[str, Ed25519PublicKey]:
    public = signer.public_key()
    return {key_id(public): public}


def _contract(signer: Ed25519PrivateKey, shop_id: str = "KP-0001") -> bytes:
    payload = {"contract_number": "HD-KP-0001-001", "shop_id": shop_id, "shop_name": "Tiệm vàng Kim Phát",
               "package": {"code": "PMV-GOLD-PRO", "warranty_months": 12}, "accepted_on": "2026-01-15",
               "maintenance": [], "issued_at": "2026-01-15T02:00:00+00:00"}
    return json.dumps(sign_payload(payload, signer), ensure_ascii=False).encode("utf-8")


def _choices(tmp_path: Path, contract: bytes | None) -> SetupChoices:
    pos = tmp_path / "shop"
    return SetupChoices(install_dir=pos / "install", database=pos / "pos" / "pmv.sqlite3",
                        backups_dir=pos / "backups", logs_dir=pos / "logs",
                        enrolment=Enrolment("KP-0001", "Tiệm vàng Kim Phát", "12 Trần Phú, Nha Trang",
                                            "0258 3822 111", TOKEN, contract),
                        printers=[PrinterSettings(name="Godex G500", queue="Godex G500")],
                        scanner_ports=["/dev/ttyUSB0"])


def test_the_first_settings_file_holds_what_was_chosen(tmp_path: Path, signer: Ed25519PrivateKey,
                                                       keys: dict[str, Ed25519PublicKey]) -> None:
    tokens = TokenStore(tmp_path / "data" / "secrets" / "shop-token")
    pending = PendingEnrolment(tmp_path / "data", tokens)
    choices = _choices(tmp_path, _contract(signer))
    assert choices.enrolment is not None
    pending.keep(choices.enrolment)
    settings_file = tmp_path / "config" / "settings.toml"

    written = finish_setup(choices, base=Settings(), settings_file=settings_file, tokens=tokens,
                           contract_cache=tmp_path / "data" / "contract.json", trusted_keys=keys, pending=pending)

    assert written.settings_file == settings_file and written.backup is None
    loaded = load_settings(settings_file)
    assert loaded.problems == []
    settings = loaded.settings
    assert (settings.shop.shop_id, settings.shop.name, settings.shop.address, settings.shop.phone) == (
        "KP-0001", "Tiệm vàng Kim Phát", "12 Trần Phú, Nha Trang", "0258 3822 111")
    assert settings.pos.database == tmp_path / "shop" / "pos" / "pmv.sqlite3"
    assert settings.devices.scanner_ports == ["/dev/ttyUSB0"]
    assert settings.devices.printers[0].target() == "spooler://Godex G500"
    assert written.contract is not None and written.contract.shop_id == "KP-0001"
    assert (tmp_path / "data" / "contract.json").exists()
    assert tokens.get() == TOKEN
    assert not pending.file.exists()  # kept only until the last page
    assert TOKEN not in settings_file.read_text(encoding="utf-8")  # the token never goes in a file anyone reads


def test_setting_up_again_keeps_what_the_setup_does_not_choose_and_the_old_file(
        tmp_path: Path, signer: Ed25519PrivateKey, keys: dict[str, Ed25519PublicKey]) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('language = "en"\n[health]\ninterval_minutes = 45\n[shop]\nname = "Cũ"\n',
                             encoding="utf-8")
    before = settings_file.read_bytes()
    base = load_settings(settings_file).settings
    written = finish_setup(_choices(tmp_path, _contract(signer)), base=base, settings_file=settings_file,
                           tokens=TokenStore(tmp_path / "token"), contract_cache=tmp_path / "contract.json",
                           trusted_keys=keys)
    assert written.backup is not None and written.backup.read_bytes() == before
    settings = load_settings(settings_file).settings
    assert settings.language == "en" and settings.health.interval_minutes == 45
    assert settings.shop.name == "Tiệm vàng Kim Phát"


def test_a_contract_that_does_not_verify_writes_nothing(tmp_path: Path, keys: dict[str, Ed25519PublicKey]) -> None:
    stranger = Ed25519PrivateKey.generate()  # not a key the app trusts
    settings_file = tmp_path / "settings.toml"
    with pytest.raises(ContractError):
        finish_setup(_choices(tmp_path, _contract(stranger)), base=Settings(), settings_file=settings_file,
                     tokens=TokenStore(tmp_path / "token"), contract_cache=tmp_path / "contract.json",
                     trusted_keys=keys)
    assert not settings_file.exists() and not (tmp_path / "contract.json").exists()


def _offline(tmp_path: Path, contract: bytes, token: str = "N" * 43, **choices: object) -> SetupChoices:
    return SetupChoices(install_dir=tmp_path, database=tmp_path / "pmv.sqlite3", offline_token=token,
                        offline_contract=contract, offline_shop=ShopDetails("KP-0001", "Tiệm vàng Kim Phát"),
                        **choices)  # type: ignore[arg-type]


def test_settings_that_cannot_be_written_leave_the_token_and_contract_as_they_were(
        tmp_path: Path, signer: Ed25519PrivateKey, keys: dict[str, Ed25519PublicKey]) -> None:
    """Found by an independent review: a re-setup whose settings folder could not be written replaced the shop's
    working token and contract, then said "Không có gì bị thay đổi".  The folder here is a file (the write is
    refused by the OS, as a folder the shop's account cannot write would be)."""
    tokens, cache = TokenStore(tmp_path / "token"), tmp_path / "contract.json"
    tokens.set(TOKEN)
    cache.write_bytes(b"the contract in force")
    (tmp_path / "config").write_bytes(b"")
    with pytest.raises(OSError):
        finish_setup(_offline(tmp_path, _contract(signer)), base=Settings(),
                     settings_file=tmp_path / "config" / "settings.toml", tokens=tokens, contract_cache=cache,
                     trusted_keys=keys)
    assert tokens.get() == TOKEN and cache.read_bytes() == b"the contract in force"


def test_a_token_that_cannot_be_stored_puts_the_settings_and_contract_back(
        tmp_path: Path, signer: Ed25519PrivateKey, keys: dict[str, Ed25519PublicKey]) -> None:
    settings_file, cache = tmp_path / "settings.toml", tmp_path / "contract.json"
    settings_file.write_text('[shop]\nname = "Cũ"\n', encoding="utf-8")
    before = settings_file.read_bytes()
    cache.write_bytes(b"the contract in force")
    (tmp_path / "secrets").write_bytes(b"")  # where the token file's folder goes: the token cannot be written
    with pytest.raises(OSError):
        finish_setup(_offline(tmp_path, _contract(signer)), base=load_settings(settings_file).settings,
                     settings_file=settings_file, tokens=TokenStore(tmp_path / "secrets" / "shop-token"),
                     contract_cache=cache, trusted_keys=keys)
    assert settings_file.read_bytes() == before and cache.read_bytes() == b"the contract in force"


def test_a_vendor_address_that_is_not_one_is_refused_before_anything_is_written(
        tmp_path: Path, signer: Ed25519PrivateKey, keys: dict[str, Ed25519PublicKey]) -> None:
    tokens = TokenStore(tmp_path / "token")
    with pytest.raises(ValueError):
        finish_setup(_offline(tmp_path, _contract(signer), vendor_url="not a url"), base=Settings(),
                     settings_file=tmp_path / "settings.toml", tokens=tokens,
                     contract_cache=tmp_path / "contract.json", trusted_keys=keys)
    assert not (tmp_path / "settings.toml").exists() and tokens.get() is None
    assert not (tmp_path / "contract.json").exists()


def test_a_shop_without_internet_sets_up_with_a_token_and_a_contract_file(
        tmp_path: Path, signer: Ed25519PrivateKey, keys: dict[str, Ed25519PublicKey]) -> None:
    tokens = TokenStore(tmp_path / "token")
    choices = SetupChoices(install_dir=tmp_path, database=tmp_path / "pmv.sqlite3", offline_token=TOKEN,
                           offline_contract=_contract(signer),
                           offline_shop=ShopDetails("KP-0001", "Tiệm vàng Kim Phát", phone="0903 112 233"))
    assert choices.enrolled
    finish_setup(choices, base=Settings(), settings_file=tmp_path / "settings.toml", tokens=tokens,
                 contract_cache=tmp_path / "contract.json", trusted_keys=keys)
    assert tokens.get() == TOKEN
    assert load_settings(tmp_path / "settings.toml").settings.shop.phone == "0903 112 233"


def test_a_kept_enrolment_comes_back_without_its_token_in_the_file(tmp_path: Path,
                                                                   signer: Ed25519PrivateKey) -> None:
    tokens = TokenStore(tmp_path / "secrets" / "shop-token")
    pending = PendingEnrolment(tmp_path, tokens)
    enrolment = Enrolment("KP-0001", "Tiệm vàng Kim Phát", "", "", TOKEN, _contract(signer))
    pending.keep(enrolment)
    assert TOKEN not in pending.file.read_text(encoding="utf-8")
    assert pending.load() == enrolment
    pending.file.write_text("{not json", encoding="utf-8")  # damaged: ignored, not fatal
    assert pending.load() is None



def test_a_kept_enrolment_knows_the_code_it_was_traded_for_by_its_hash(tmp_path: Path,
                                                                      signer: Ed25519PrivateKey) -> None:
    """So ``setup --enrol CODE`` run again finishes with it instead of asking the server (found by review)."""
    from pmv_protocol.enrolment_codes import with_check

    code, other = with_check("7KQ3MZ4P"), with_check("HJKMNPQR")
    tokens = TokenStore(tmp_path / "secrets" / "shop-token")
    pending = PendingEnrolment(tmp_path, tokens)
    enrolment = Enrolment("KP-0001", "Tiệm vàng Kim Phát", "", "", TOKEN, _contract(signer))
    assert pending.load_for(code) is None
    pending.keep(enrolment, code)
    assert code not in pending.file.read_text(encoding="utf-8")  # spent, but only its hash is kept
    assert pending.load_for(code) == (enrolment, True) and pending.load_for(other) == (enrolment, False)
    assert pending.load() == enrolment
    pending.keep(enrolment)  # as an earlier version kept it
    assert pending.load_for(code) == (enrolment, None)
