"""The reinstall kit end to end: an old PC exports its profile, a new PC (another data dir) imports it.

Both PCs are real app folders (AppPaths), started with the real bootstrap where
it matters; the pack is the real Decree 232 pack installed through PackStore,
the contract is signed with a test vendor key.  The refusal cases live in
test_profile_refusals.py and use the fixtures defined here.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.bootstrap import bootstrap
from app.infra.paths import AppPaths
from app.infra.resources import resources_dir
from app.infra.settings import load_settings
from app.shop.demo import DemoShop
from app.technician.profile import SECRETS_PART, SETTINGS_PART, ProfileError, ProfileProblem, ShopFiles
from app.technician.profile_export import ExportNote, ExportResult, export_profile
from app.technician.profile_import import ImportConflict, PackAction, PartAction, apply_import, plan_import
from app.technician.profile_read import read_profile
from app.updates.install import PackStore
from app.warranty.service import ContractService
from pmv_protocol.keys import key_id
from tests.helpers import signed_contract, write_keys_file

SHOP = "KP-0001"
TOKEN = "pmv_Xq8vR2mT7kLp4Nw9Zb3Hc6Yd1Fg5Js0AeUiOo-K_tW"
POS_PASSWORD = "Kh0!Vang#2026"
PASSPHRASE = "Tiệm Kim Phát 2026"
ND232 = resources_dir() / "regulation" / "nd-232-2025.json"
PACK_ID = "nd-232-2025"

SETTINGS = """\
# Cài đặt tiệm Kim Phát: kỹ thuật viên sửa tay, giữ nguyên chú thích này.
language = "vi"

[shop]
name = "Tiệm vàng Kim Phát"
shop_id = "{shop}"
phone = "0903 112 233"

[pos]
url = "{url}"
database = '{database}'
backups_dir = '{backups}'

[devices]
scanner_ports = ["COM3", "socket://192.168.1.50:9100"]

[[devices.printers]]
name = "Tem nhẫn quầy 1"
host = "192.168.1.60"
language = "zpl"
dpi = 300

[[devices.printers]]
name = "Tem dây chuyền"   # máy in cũ, cổng COM
serial = "COM4?baud=9600"
"""
PLAIN_URL = ""
SECRET_URL = f"mssql+pyodbc://sa:{POS_PASSWORD}@192.168.1.10/PMV?driver=ODBC+Driver+17+for+SQL+Server"


pytestmark = pytest.mark.usefixtures("no_os_keyring")


def pack_bytes(version: str = "1.0.0") -> bytes:
    doc = json.loads(ND232.read_text(encoding="utf-8"))
    doc["version"] = version
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def settings_text(demo: DemoShop, *, shop: str = SHOP, url: str = PLAIN_URL) -> str:
    return SETTINGS.format(shop=shop, url=url, database=demo.pos_database, backups=demo.backups_dir)


def snapshot(*roots: Path) -> dict[str, bytes]:
    """Every file under the roots with its bytes: 'nothing written' means this does not change."""
    return {str(p): p.read_bytes() for root in roots if root.exists() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class Pc:
    """One till PC: its app folders and its places for the profile (keyring off: tests never touch the OS's)."""

    root: Path
    paths: AppPaths
    files: ShopFiles

    @property
    def token(self) -> str | None:
        return self.files.token_store.get()

    def snapshot(self) -> dict[str, bytes]:
        return snapshot(self.root)



@pytest.fixture(scope="session")
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def trusted(vendor_key: Ed25519PrivateKey) -> dict[str, Ed25519PublicKey]:
    return {key_id(vendor_key.public_key()): vendor_key.public_key()}


@pytest.fixture
def make_pc(tmp_path: Path, trusted: dict[str, Ed25519PublicKey]) -> Callable[[str], Pc]:
    def make(name: str) -> Pc:
        root = tmp_path / name
        paths = AppPaths(config_dir=root / "config", data_dir=root / "data")
        return Pc(root, paths, ShopFiles.from_paths(paths, trusted_keys=trusted, use_keyring=False))

    return make


@pytest.fixture
def signed(vendor_key: Ed25519PrivateKey) -> Callable[..., bytes]:
    return lambda shop_id=SHOP, **changes: signed_contract(vendor_key, shop_id, **changes)


@pytest.fixture
def old_pc(make_pc: Callable[[str], Pc], demo_shop: DemoShop, signed: Callable[..., bytes],
           trusted: dict[str, Ed25519PublicKey]) -> Pc:
    """The shop's failing PC, fully set up: settings with two printers and scanners, pack, contract, token."""
    pc = make_pc("old-pc")
    pc.paths.ensure()
    pc.paths.settings_file.write_text(settings_text(demo_shop, url=SECRET_URL), encoding="utf-8")
    PackStore(pc.files.packs_root).install(pack_bytes("1.0.0"))
    ContractService(pc.files.contract_file, trusted, SHOP).accept(signed())
    pc.files.token_store.set(TOKEN)
    return pc


@pytest.fixture
def new_pc(make_pc: Callable[[str], Pc]) -> Pc:
    return make_pc("new-pc")  # nothing on it yet: not even its folders


@pytest.fixture
def export(old_pc: Pc, tmp_path: Path) -> Callable[..., ExportResult]:
    def run(**kwargs: Any) -> ExportResult:
        return export_profile(old_pc.files, tmp_path / "usb" / "kim-phat.pmvprofile", **kwargs)

    return run


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- round trips -----------------------------------------------------------------


def test_round_trip_restores_the_shop_exactly(old_pc: Pc, new_pc: Pc, export: Callable[..., ExportResult],
                                              vendor_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    keys_file = write_keys_file(vendor_key, tmp_path / "test_keys.json")
    old = bootstrap(paths=old_pc.paths, install_crash_handler=False)
    old.extra_key_files.append(keys_file)  # the test vendor's key, the way demo mode trusts its own
    try:
        source = ShopFiles.from_runtime(old)
        result = export_profile(source, tmp_path / "usb" / "kim-phat.pmvprofile",
                                include_secrets=True, passphrase=PASSPHRASE)
        old_contract = old.contract_service().current()
        old_settings = old.settings
        old_packs = old.pack_store.installed()
    finally:
        old.close()
    assert result.secrets_included and result.notes == ()

    done = apply_import(read_profile(result.path), new_pc.files, passphrase=PASSPHRASE)
    assert (done.settings_written, done.contract_written, done.token_restored) == (True, True, True)
    assert done.packs_installed == ((PACK_ID, "1.0.0"),)

    # Byte for byte: comments, layout and the POS password come back as the shop had them.
    assert new_pc.paths.settings_file.read_bytes() == old_pc.paths.settings_file.read_bytes()
    new = bootstrap(paths=new_pc.paths, install_crash_handler=False)
    new.extra_key_files.append(keys_file)
    try:
        assert new.settings == old_settings
        assert [p.name for p in new.settings.devices.printers] == ["Tem nhẫn quầy 1", "Tem dây chuyền"]
        assert new.settings.devices.scanner_ports == ["COM3", "socket://192.168.1.50:9100"]
        assert new.contract_service().current() == old_contract is not None
        [pack] = new.pack_store.installed()
        assert (pack.id, pack.version) == (old_packs[0].id, old_packs[0].version)
        assert (pack.path / "pack.json").read_bytes() == (old_packs[0].path / "pack.json").read_bytes()
        assert new.pack_store.recover().clean  # installed through the store: pointers consistent
        assert new.token_store.get() == TOKEN
    finally:
        new.close()


def test_secrets_stay_out_unless_included(old_pc: Pc, new_pc: Pc, export: Callable[..., ExportResult]) -> None:
    result = export()
    assert not result.secrets_included
    assert result.notes == (ExportNote.SECRETS_LEFT_OUT,)
    assert result.manifest.stripped_settings_keys == ("pos.url",)
    raw = result.path.read_bytes()
    parts = members(result.path)
    assert SECRETS_PART not in parts
    for secret in (TOKEN, POS_PASSWORD):
        assert secret.encode() not in raw and all(secret.encode() not in data for data in parts.values())

    profile = read_profile(result.path)
    plan = plan_import(profile, new_pc.files)
    assert plan.secrets_to_reenter == ("pos.url",) and plan.token is PartAction.NONE
    apply_import(profile, new_pc.files)
    assert new_pc.token is None
    imported = load_settings(new_pc.paths.settings_file).settings
    original = load_settings(old_pc.paths.settings_file).settings
    assert imported.pos.url == "mssql+pyodbc://sa:***@192.168.1.10/PMV?driver=ODBC+Driver+17+for+SQL+Server"
    assert imported.model_copy(update={"pos": imported.pos.model_copy(update={"url": original.pos.url})}) == original


def test_settings_without_secrets_travel_byte_for_byte(old_pc: Pc, new_pc: Pc, demo_shop: DemoShop,
                                                       export: Callable[..., ExportResult]) -> None:
    old_pc.paths.settings_file.write_text(settings_text(demo_shop), encoding="utf-8")
    result = export()
    assert result.notes == () and result.manifest.stripped_settings_keys == ()
    assert members(result.path)[SETTINGS_PART] == old_pc.paths.settings_file.read_bytes()
    apply_import(read_profile(result.path), new_pc.files)
    assert new_pc.paths.settings_file.read_bytes() == old_pc.paths.settings_file.read_bytes()


def test_included_secrets_are_sealed(old_pc: Pc, new_pc: Pc, export: Callable[..., ExportResult]) -> None:
    result = export(include_secrets=True, passphrase=PASSPHRASE)
    assert result.manifest.sealed == ("shop_token", "settings")
    raw = result.path.read_bytes()
    parts = members(result.path)
    assert set(parts) == {"manifest.json", "settings.toml", "contract.json", f"packs/{PACK_ID}-1.0.0.json",
                          "secrets.enc"}
    for secret in (TOKEN, POS_PASSWORD):
        # Neither in the file nor in any member once decompressed (the zip is deflated).
        assert secret.encode() not in raw and all(secret.encode() not in data for data in parts.values())
    envelope = json.loads(parts[SECRETS_PART])
    assert envelope["kdf"]["name"] == "scrypt" and envelope["kdf"]["n"] == 2**15
    assert envelope["cipher"] == "aes-256-gcm"


def test_passphrase_is_read_as_the_same_letters_however_typed(old_pc: Pc, new_pc: Pc,
                                                              export: Callable[..., ExportResult]) -> None:
    result = export(include_secrets=True, passphrase=unicodedata.normalize("NFC", PASSPHRASE))
    decomposed = unicodedata.normalize("NFD", PASSPHRASE)  # a VNI keyboard, a phone
    assert decomposed != PASSPHRASE
    apply_import(read_profile(result.path), new_pc.files, passphrase=decomposed)
    assert new_pc.token == TOKEN


@pytest.mark.parametrize("passphrase, problem", [
    (None, ProfileProblem.PASSPHRASE_REQUIRED),
    ("", ProfileProblem.PASSPHRASE_REQUIRED),
    ("Tiệm Kim Phát 2025", ProfileProblem.WRONG_PASSPHRASE),
])
def test_a_wrong_or_missing_passphrase_writes_nothing(old_pc: Pc, new_pc: Pc, export: Callable[..., ExportResult],
                                                      passphrase: str | None, problem: ProfileProblem) -> None:
    profile = read_profile(export(include_secrets=True, passphrase=PASSPHRASE).path)
    before = new_pc.snapshot()
    with pytest.raises(ProfileError) as caught:
        apply_import(profile, new_pc.files, passphrase=passphrase, overwrite=True)
    assert caught.value.problem is problem
    assert new_pc.snapshot() == before == {}
    if passphrase:
        with pytest.raises(ProfileError):
            plan_import(profile, new_pc.files, passphrase=passphrase)


def test_skipping_the_secrets_restores_the_rest(old_pc: Pc, new_pc: Pc, export: Callable[..., ExportResult]) -> None:
    profile = read_profile(export(include_secrets=True, passphrase=PASSPHRASE).path)
    done = apply_import(profile, new_pc.files, skip_secrets=True)
    assert not done.token_restored and new_pc.token is None
    assert done.plan.secrets_to_reenter == ("pos.url",)
    assert b"sa:***@" in new_pc.paths.settings_file.read_bytes()


@pytest.mark.parametrize("passphrase, problem", [
    (None, ProfileProblem.PASSPHRASE_REQUIRED),
    ("ngắn", ProfileProblem.PASSPHRASE_TOO_SHORT),
])
def test_export_refuses_secrets_without_a_usable_passphrase(old_pc: Pc, tmp_path: Path, passphrase: str | None,
                                                            problem: ProfileProblem) -> None:
    dest = tmp_path / "usb" / "p.pmvprofile"
    with pytest.raises(ProfileError) as caught:
        export_profile(old_pc.files, dest, include_secrets=True, passphrase=passphrase)
    assert caught.value.problem is problem
    assert not dest.exists()


# --- what is already on the new PC -------------------------------------------------


def test_existing_settings_are_not_overwritten_without_confirmation(
        old_pc: Pc, new_pc: Pc, demo_shop: DemoShop, export: Callable[..., ExportResult]) -> None:
    new_pc.paths.ensure()
    mine = settings_text(demo_shop).replace("Tem nhẫn quầy 1", "Máy in mới").encode()
    new_pc.paths.settings_file.write_bytes(mine)
    profile = read_profile(export(include_secrets=True, passphrase=PASSPHRASE).path)

    plan = plan_import(profile, new_pc.files)
    assert plan.settings is PartAction.REPLACE and plan.conflicts == (
        ImportConflict.SETTINGS_DIFFER,) and plan.needs_overwrite
    before = new_pc.snapshot()
    with pytest.raises(ProfileError) as caught:
        apply_import(profile, new_pc.files, passphrase=PASSPHRASE)
    assert caught.value.problem is ProfileProblem.WOULD_OVERWRITE
    assert caught.value.plan.conflicts == (ImportConflict.SETTINGS_DIFFER,)
    assert new_pc.snapshot() == before  # not the settings, nor the contract, packs or token either

    apply_import(profile, new_pc.files, passphrase=PASSPHRASE, overwrite=True)
    assert new_pc.paths.settings_file.read_bytes() == old_pc.paths.settings_file.read_bytes()


def test_settings_replaced_by_an_import_are_kept_beside_it(
        old_pc: Pc, new_pc: Pc, demo_shop: DemoShop, export: Callable[..., ExportResult]) -> None:
    # The new PC already has the shop's POS password typed in; the profile, made without its secrets, carries
    # "***" there. Replacing must not lose the password: the PC's own file is kept beside the new one.
    new_pc.paths.ensure()
    mine = settings_text(demo_shop).replace("Tem nhẫn quầy 1", "Máy in mới").encode() + "# mật khẩu đã gõ\n".encode()
    new_pc.paths.settings_file.write_bytes(mine)
    profile = read_profile(export().path)
    at = dt.datetime(2026, 12, 7, 6, 30, tzinfo=dt.UTC)
    result = apply_import(profile, new_pc.files, overwrite=True, clock=lambda: at)
    (copy,) = result.kept
    assert copy == new_pc.paths.settings_file.with_name("settings.toml.before-import-20261207-063000")
    assert copy.read_bytes() == mine
    assert new_pc.paths.settings_file.read_bytes() == profile.settings  # the profile's, its secrets as "***"
    again = apply_import(profile, new_pc.files, overwrite=True, clock=lambda: at + dt.timedelta(hours=1))
    assert again.kept == ()  # the same settings again: nothing replaced, nothing copied
    # Changed again and imported again within the same second: a second copy, the first one kept.
    changed = mine + "# sửa lần nữa\n".encode()
    new_pc.paths.settings_file.write_bytes(changed)
    (second,) = apply_import(profile, new_pc.files, overwrite=True, clock=lambda: at).kept
    assert second != copy and second.read_bytes() == changed and copy.read_bytes() == mine


def test_a_pc_of_another_shop_is_refused_unless_confirmed(old_pc: Pc, new_pc: Pc, demo_shop: DemoShop,
                                                          export: Callable[..., ExportResult]) -> None:
    new_pc.paths.ensure()
    new_pc.paths.settings_file.write_text(settings_text(demo_shop, shop="VB-0002"), encoding="utf-8")
    profile = read_profile(export().path)
    before = new_pc.snapshot()
    with pytest.raises(ProfileError) as caught:
        apply_import(profile, new_pc.files)
    assert caught.value.problem is ProfileProblem.FOREIGN_SHOP
    plan = caught.value.plan
    assert plan.target_shop_id == "VB-0002" and ImportConflict.FOREIGN_SHOP in plan.conflicts
    assert new_pc.snapshot() == before

    apply_import(profile, new_pc.files, overwrite=True)
    assert load_settings(new_pc.paths.settings_file).settings.shop.shop_id == SHOP


def test_another_shops_contract_on_the_pc_makes_it_foreign(old_pc: Pc, new_pc: Pc, signed: Callable[..., bytes],
                                                           export: Callable[..., ExportResult]) -> None:
    new_pc.files.contract_file.parent.mkdir(parents=True)
    new_pc.files.contract_file.write_bytes(signed("VB-0002"))
    profile = read_profile(export().path)
    assert plan_import(profile, new_pc.files).conflicts == (ImportConflict.CONTRACT_OTHER_SHOP,)
    with pytest.raises(ProfileError) as caught:
        apply_import(profile, new_pc.files)
    assert caught.value.problem is ProfileProblem.FOREIGN_SHOP
    assert new_pc.files.contract_file.read_bytes() == signed("VB-0002")


def test_a_later_contract_on_the_pc_is_kept(old_pc: Pc, new_pc: Pc, signed: Callable[..., bytes],
                                            export: Callable[..., ExportResult]) -> None:
    renewed = signed(issued_at="2027-01-10T09:00:00+07:00",
                     maintenance=[{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}])
    new_pc.files.contract_file.parent.mkdir(parents=True)
    new_pc.files.contract_file.write_bytes(renewed)
    done = apply_import(read_profile(export().path), new_pc.files)
    assert done.plan.contract is PartAction.KEEP_NEWER and not done.contract_written
    assert new_pc.files.contract_file.read_bytes() == renewed


@pytest.mark.parametrize("on_pc, action, current, previous", [
    ("1.1.0", PackAction.KEEP_NEWER, "1.1.0", None),  # an import never downgrades the rules in force
    ("0.9.0", PackAction.UPGRADE, "1.0.0", "0.9.0"),  # the PC's older version stays as the rollback target
    ("1.0.0", PackAction.SAME, "1.0.0", None),
])
def test_packs_already_on_the_pc(old_pc: Pc, new_pc: Pc, export: Callable[..., ExportResult], on_pc: str,
                                 action: PackAction, current: str, previous: str | None) -> None:
    store = PackStore(new_pc.files.packs_root)
    store.install(pack_bytes(on_pc))
    done = apply_import(read_profile(export().path), new_pc.files)
    [pack] = done.plan.packs
    assert (pack.installed_version, pack.action) == (on_pc, action)
    [installed] = store.installed()
    assert (installed.version, installed.previous_version) == (current, previous)


def test_importing_twice_changes_nothing_the_second_time(old_pc: Pc, new_pc: Pc,
                                                         export: Callable[..., ExportResult]) -> None:
    profile = read_profile(export(include_secrets=True, passphrase=PASSPHRASE).path)
    apply_import(profile, new_pc.files, passphrase=PASSPHRASE)
    before = new_pc.snapshot()
    plan = plan_import(profile, new_pc.files, passphrase=PASSPHRASE)
    assert (plan.settings, plan.contract, plan.token) == (PartAction.SAME,) * 3
    assert [p.action for p in plan.packs] == [PackAction.SAME] and plan.conflicts == ()
    # Without the passphrase the plan cannot see inside the secrets, so it assumes they differ.
    assert ImportConflict.TOKEN_DIFFERS in plan_import(profile, new_pc.files).conflicts
    done = apply_import(profile, new_pc.files, passphrase=PASSPHRASE)
    assert done.packs_installed == () and not (done.settings_written or done.contract_written or done.token_restored)
    assert new_pc.snapshot() == before


def test_the_plan_names_pos_folders_missing_on_the_new_pc(old_pc: Pc, new_pc: Pc, demo_shop: DemoShop,
                                                          export: Callable[..., ExportResult], tmp_path: Path) -> None:
    profile = read_profile(export().path)
    assert profile.manifest.source_paths == {"pos.database": str(demo_shop.pos_database),
                                             "pos.backups_dir": str(demo_shop.backups_dir)}
    shutil.move(demo_shop.root, tmp_path / "still-on-the-old-disk")  # the POS data is not restored yet
    plan = plan_import(profile, new_pc.files)
    assert {(c.key, c.path) for c in plan.missing_paths} == {
        ("pos.database", demo_shop.pos_database), ("pos.backups_dir", demo_shop.backups_dir)}
    shutil.move(tmp_path / "still-on-the-old-disk", demo_shop.root)
    assert plan_import(profile, new_pc.files).missing_paths == ()


def test_an_imported_data_dir_setting_receives_contract_packs_and_token(
        old_pc: Pc, new_pc: Pc, demo_shop: DemoShop, export: Callable[..., ExportResult], tmp_path: Path) -> None:
    shop_data = tmp_path / "D" / "PMV-Support"
    text = settings_text(demo_shop).replace('language = "vi"', f"language = \"vi\"\ndata_dir = '{shop_data}'")
    old_pc.paths.settings_file.write_text(text, encoding="utf-8")
    done = apply_import(read_profile(export(include_secrets=True, passphrase=PASSPHRASE).path), new_pc.files,
                        passphrase=PASSPHRASE)
    assert done.plan.data_dir == shop_data and not done.plan.data_dir_fallback
    new = bootstrap(paths=new_pc.paths, install_crash_handler=False)
    try:
        assert new.paths.data_dir == shop_data  # where the app will look after the import
        assert (shop_data / "contract.json").exists() and [p.id for p in new.pack_store.installed()] == [PACK_ID]
        assert new.token_store.get() == TOKEN
    finally:
        new.close()


def test_from_runtime_matches_the_layout_of_from_paths(old_pc: Pc) -> None:
    runtime = bootstrap(paths=old_pc.paths, install_crash_handler=False)
    try:
        from_runtime = ShopFiles.from_runtime(runtime)
        expected = ShopFiles.from_paths(runtime.paths, trusted_keys=from_runtime.trusted_keys)
        assert from_runtime == expected
    finally:
        runtime.close()
