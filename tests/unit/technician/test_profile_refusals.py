"""A damaged, tampered, foreign or newer profile is refused with a code, and the new PC is left untouched."""

from __future__ import annotations

import hashlib
import json
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.technician import profile_read
from app.technician.profile import SECRETS_PART, ProfileError, ProfileProblem
from app.technician.profile_export import ExportNote, ExportResult, export_profile
from app.technician.profile_import import PackAction, PartAction, apply_import, plan_import
from app.technician.profile_read import read_profile
from app.technician.profile_settings import strip_secrets
from pmv_protocol.contract import ContractProblem
from pmv_protocol.signed_json import JsonProblem
from tests.helpers import signed_contract, zip_marked_encrypted

# The fixtures of the round-trip tests: the same two PCs, the same shop.
from tests.unit.technician.test_profile import (  # noqa: F401
    PACK_ID,
    PASSPHRASE,
    SHOP,
    Pc,
    export,
    make_pc,
    members,
    new_pc,
    old_pc,
    pack_bytes,
    signed,
    trusted,
    vendor_key,
)

pytestmark = pytest.mark.usefixtures("no_os_keyring")  # tests/conftest.py

PACK_PART = f"packs/{PACK_ID}-1.0.0.json"


def rebuild(src: Path, dest: Path, *, parts: dict[str, bytes | None] | None = None, fix_manifest: bool = True,
            edit_manifest: Callable[[dict[str, Any]], None] | None = None, extra: tuple[tuple[str, bytes], ...] = ()
            ) -> Path:
    """A copy of a profile with members changed; with ``fix_manifest`` the checksums are made to match,
    as a careful forger would."""
    contents = members(src)
    manifest = json.loads(contents.pop("manifest.json"))
    for name, data in (parts or {}).items():
        if data is None:
            contents.pop(name, None)
        else:
            contents[name] = data
    if fix_manifest:
        manifest["parts"] = [{"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                             for n, d in contents.items()]
    if edit_manifest:
        edit_manifest(manifest)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which one test wants
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest))
            for name, data in [*contents.items(), *extra]:
                archive.writestr(zipfile.ZipInfo(name), data)
    return dest


def refused(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        read_profile(path)
    return caught.value


@pytest.fixture
def good(export: Callable[..., ExportResult]) -> Path:
    return export(include_secrets=True, passphrase=PASSPHRASE).path


# --- the file itself ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["settings.toml", "contract.json", PACK_PART, SECRETS_PART])
def test_an_altered_part_is_refused(good: Path, tmp_path: Path, name: str) -> None:
    original = members(good)[name]
    altered = original.replace(b"a", b"b", 1) if b"a" in original else original + b" "
    assert altered != original
    error = refused(rebuild(good, tmp_path / "x.pmvprofile", parts={name: altered}, fix_manifest=False))
    assert error.problem is ProfileProblem.CHECKSUM_MISMATCH and name in error.detail


@pytest.mark.parametrize("keep", [lambda n: n // 2, lambda n: n - 10, lambda n: 30])
def test_a_truncated_profile_is_damaged(good: Path, tmp_path: Path, keep: Callable[[int], int]) -> None:
    data = good.read_bytes()
    cut = tmp_path / "cut.pmvprofile"
    cut.write_bytes(data[:keep(len(data))])
    assert refused(cut).problem is ProfileProblem.DAMAGED


def test_other_files_are_not_profiles(good: Path, tmp_path: Path) -> None:
    text = tmp_path / "settings.toml"
    text.write_text("language = 'vi'\n", encoding="utf-8")
    bundle = tmp_path / "bundle.zip"  # a support bundle: a zip, but not a profile
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("app.log", "...")
    other = rebuild(good, tmp_path / "other.pmvprofile", edit_manifest=lambda m: m.update(format="pmv-bundle"))
    empty = tmp_path / "empty.pmvprofile"
    empty.write_bytes(b"")
    for path in (text, bundle, other, empty):
        assert refused(path).problem is ProfileProblem.NOT_A_PROFILE, path
    assert refused(tmp_path / "nowhere.pmvprofile").problem is ProfileProblem.READ_FAILED


def test_a_profile_zipped_again_with_a_password_is_not_a_profile(good: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked.pmvprofile"
    locked.write_bytes(zip_marked_encrypted(good.read_bytes()))
    error = refused(locked)
    assert error.problem is ProfileProblem.NOT_A_PROFILE and "password" in error.detail


def test_a_newer_format_is_refused(good: Path, tmp_path: Path) -> None:
    newer = rebuild(good, tmp_path / "newer.pmvprofile", edit_manifest=lambda m: m.update(format_version=2))
    assert refused(newer).problem is ProfileProblem.NEWER_FORMAT


@pytest.mark.parametrize("name", ["../../config/settings.toml", "/etc/cron.d/x", "C:/Windows/x.json",
                                  "packs/../../x.json", "packs\\x.json", "packs/"])
def test_names_that_could_escape_a_folder_are_refused(good: Path, tmp_path: Path, name: str) -> None:
    path = rebuild(good, tmp_path / "slip.pmvprofile", extra=((name, b"x"),))
    with zipfile.ZipFile(path) as archive:
        assert name in archive.namelist()  # really stored under that name
    assert refused(path).problem is ProfileProblem.UNSAFE_NAME


def test_a_member_twice_is_refused(good: Path, tmp_path: Path) -> None:
    path = rebuild(good, tmp_path / "twice.pmvprofile", extra=(("settings.toml", b"language = 'en'\n"),))
    assert refused(path).problem is ProfileProblem.UNSAFE_NAME


def test_members_must_match_the_manifest(good: Path, tmp_path: Path) -> None:
    unlisted = rebuild(good, tmp_path / "a.pmvprofile", extra=(("readme.txt", b"hi"),))
    assert refused(unlisted).problem is ProfileProblem.UNEXPECTED_PART
    unknown = rebuild(good, tmp_path / "b.pmvprofile", parts={"run.bat": b"del C:\\"})
    assert refused(unknown).problem is ProfileProblem.UNEXPECTED_PART
    missing = rebuild(good, tmp_path / "c.pmvprofile", parts={"contract.json": None}, fix_manifest=False)
    assert refused(missing).problem is ProfileProblem.MISSING_PART


def test_oversized_files_and_parts_are_refused(good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = rebuild(good, tmp_path / "huge.pmvprofile", parts={"settings.toml": b"#" * (2 * 1024 * 1024)})
    assert refused(huge).problem is ProfileProblem.TOO_LARGE
    monkeypatch.setattr(profile_read, "MAX_PROFILE_BYTES", good.stat().st_size - 1)
    assert refused(good).problem is ProfileProblem.TOO_LARGE


def test_a_settings_file_of_another_shop_than_the_manifest_is_refused(good: Path, tmp_path: Path) -> None:
    settings = members(good)["settings.toml"].replace(SHOP.encode(), b"VB-0002")
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={"settings.toml": settings})
    assert refused(path).problem is ProfileProblem.MANIFEST_INVALID


@pytest.mark.parametrize("data", [b"{not json", json.dumps({"id": PACK_ID, "version": "1.0.0"}).encode(),
                                  pack_bytes("9.9.9")])
def test_a_bad_or_misnamed_pack_is_refused(good: Path, tmp_path: Path, data: bytes) -> None:
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={PACK_PART: data})
    assert refused(path).problem is ProfileProblem.PACK_INVALID


# --- the contract -------------------------------------------------------------------


def test_a_contract_of_another_shop_inside_is_refused(good: Path, tmp_path: Path,
                                                      signed: Callable[..., bytes]) -> None:
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={"contract.json": signed("VB-0002")})
    assert refused(path).problem is ProfileProblem.CONTRACT_WRONG_SHOP


@pytest.mark.parametrize("make, contract_problem", [
    (lambda signed: signed().replace(b'"warranty_months": 12', b'"warranty_months": 6'), ContractProblem.BAD_SIGNATURE),
    (lambda signed: signed_contract(Ed25519PrivateKey.generate(), SHOP), ContractProblem.UNKNOWN_KEY),
])
def test_a_contract_that_does_not_verify_on_the_new_pc_is_refused(
        good: Path, tmp_path: Path, new_pc: Pc, signed: Callable[..., bytes],
        make: Callable[[Callable[..., bytes]], bytes], contract_problem: ContractProblem) -> None:
    contract = make(signed)
    assert contract != signed()
    # Changing a part invalidates secrets.enc (it is bound to every part): drop it to reach the contract check.
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={"contract.json": contract, SECRETS_PART: None},
                   edit_manifest=lambda m: m.update(sealed=[]))
    profile = read_profile(path)
    for attempt in (lambda: plan_import(profile, new_pc.files),
                    lambda: apply_import(profile, new_pc.files, overwrite=True)):
        with pytest.raises(ProfileError) as caught:
            attempt()
        assert caught.value.problem is ProfileProblem.CONTRACT_REFUSED
        assert caught.value.contract_problem is contract_problem
    assert new_pc.snapshot() == {}


# --- the secrets --------------------------------------------------------------------


def test_secrets_are_bound_to_their_profile(good: Path, tmp_path: Path, new_pc: Pc,
                                            export: Callable[..., ExportResult]) -> None:
    good = good.rename(tmp_path / "first.pmvprofile")
    # A second export of the same shop, same passphrase: only its profile id differs.
    second = export(include_secrets=True, passphrase=PASSPHRASE).path
    swapped = rebuild(good, tmp_path / "swapped.pmvprofile", parts={SECRETS_PART: members(second)[SECRETS_PART]})
    # A forger who also edits a part and rewrites the checksums gets the same answer.
    edited = rebuild(good, tmp_path / "edited.pmvprofile",
                     parts={"settings.toml": members(good)["settings.toml"] + "\n# sửa\n".encode()})
    for path in (swapped, edited):
        profile = read_profile(path)  # whole as a zip: every checksum matches
        with pytest.raises(ProfileError) as caught:
            apply_import(profile, new_pc.files, passphrase=PASSPHRASE, overwrite=True)
        assert caught.value.problem is ProfileProblem.WRONG_PASSPHRASE
    assert new_pc.snapshot() == {}


@pytest.mark.parametrize("kdf", [
    {"n": 2**30},  # 1 TiB of scrypt memory if it were obeyed
    {"n": 2**20, "r": 16},  # 2 GiB (RFC 7914: 128·r·n bytes), about 8 s on a till, for every passphrase tried
    {"n": 2**18},  # 256 MiB
    {"p": 4},  # four times the work, in one derivation
])
def test_a_hostile_envelope_is_refused_without_deriving_a_key(good: Path, tmp_path: Path, new_pc: Pc,
                                                             kdf: dict[str, int]) -> None:
    envelope = json.loads(members(good)[SECRETS_PART])
    envelope["kdf"].update(kdf)
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={SECRETS_PART: json.dumps(envelope).encode()})
    started = time.monotonic()
    with pytest.raises(ProfileError) as caught:
        apply_import(read_profile(path), new_pc.files, passphrase=PASSPHRASE)
    assert caught.value.problem is ProfileProblem.SECRETS_INVALID
    assert time.monotonic() - started < 5


# --- export -------------------------------------------------------------------------


def test_export_refuses_settings_it_cannot_parse(old_pc: Pc, tmp_path: Path) -> None:
    old_pc.paths.settings_file.write_text("[pos]\ndatabase = \"C:\\new\\pmv.mdb\"\n", encoding="utf-8")
    dest = tmp_path / "p.pmvprofile"
    with pytest.raises(ProfileError) as caught:
        export_profile(old_pc.files, dest)
    assert caught.value.problem is ProfileProblem.SETTINGS_UNREADABLE and not dest.exists()


def test_export_leaves_out_a_contract_the_app_no_longer_trusts(old_pc: Pc, tmp_path: Path) -> None:
    contract = old_pc.files.contract_file
    contract.write_bytes(contract.read_bytes().replace(b'"warranty_months":12', b'"warranty_months":6'))
    result = export_profile(old_pc.files, tmp_path / "p.pmvprofile")
    assert ExportNote.CONTRACT_LEFT_OUT in result.notes
    assert "contract.json" not in members(result.path)


def test_a_pc_without_settings_exports_what_it_has(old_pc: Pc, new_pc: Pc, tmp_path: Path) -> None:
    old_pc.paths.settings_file.unlink()
    result = export_profile(old_pc.files, tmp_path / "p.pmvprofile", include_secrets=True, passphrase=PASSPHRASE)
    assert ExportNote.NO_SETTINGS_FILE in result.notes and result.manifest.sealed == ("shop_token",)
    done = apply_import(read_profile(result.path), new_pc.files, passphrase=PASSPHRASE)
    assert not done.settings_written and not new_pc.paths.settings_file.exists()
    assert done.packs_installed == ((PACK_ID, "1.0.0"),) and new_pc.token is not None


# --- what counts as a secret in settings ---------------------------------------------


@pytest.mark.parametrize("line, secret", [
    ('[pos]\nurl = "mssql+pyodbc://sa:Pmv@2024@192.168.1.10/PMV"', "Pmv@2024"),
    ('[pos]\nurl = "mssql+pyodbc://sa:Kh0!/Vang#26@10.0.0.5/PMV"', "Kh0!/Vang#26"),
    ('[pos]\nurl = "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BSQL+Server%7D%3BUID%3Dsa%3BPWD%3DKimPhat99"',
     "KimPhat99"),
    ('[pos]\npassword = "KimPhat99"', "KimPhat99"),  # an unknown key the app ignores still travels
    ('[updates]\nbase_url = "https://kp:KimPhat99@updates.example.vn"', "KimPhat99"),
])
def test_secrets_in_settings_are_stripped(line: str, secret: str) -> None:
    raw = f"# tiệm Kim Phát\n{line}\n".encode()
    stripped = strip_secrets(raw)
    assert stripped.keys and secret.encode() not in stripped.data
    assert b"***" in stripped.data or b"%2A%2A%2A" in stripped.data  # the placeholder, URL-encoded in a query
    assert b"# ti" not in stripped.data  # re-serialised: comments could hold an old password
    assert strip_secrets(stripped.data).keys == ()  # the placeholder is not a secret again


def test_settings_without_secrets_are_left_as_they_are() -> None:
    raw = ('# liên hệ chủ tiệm\n[shop]\nphone = "0903 112 233"\n'
           '[vendor]\nbase_url = "https://support.phanmemvang.vn"\n').encode()
    stripped = strip_secrets(raw)
    assert stripped.data is raw and stripped.keys == ()


# --- one reading only (issue 18, section 4) -----------------------------------------
# RFC 8259 s.4 ("The names within an object SHOULD be unique") and RFC 7493 s.2.3 ("MUST NOT have members with
# duplicate names"): every JSON part of a profile is read strictly.  Each case starts from a new PC that already
# holds this shop (restored from a good profile) and checks that the refused profile changes none of it.


def twice(data: bytes, member: bytes, first_value: bytes) -> bytes:
    """``data`` with ``member`` given twice: ``first_value`` first, then the original (which json.loads keeps)."""
    assert data.count(member) == 1, member
    name = member.split(b":")[0]
    return data.replace(member, name + b": " + first_value + b", " + member)


def with_manifest(src: Path, dest: Path, change: Callable[[bytes], bytes]) -> Path:
    contents = members(src)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, change(data) if name == "manifest.json" else data)
    return dest


@pytest.fixture
def restored(good: Path, new_pc: Pc) -> dict[str, bytes]:
    """The new PC after a good import: what every refusal below must leave exactly as it is."""
    apply_import(read_profile(good), new_pc.files, passphrase=PASSPHRASE)
    state = new_pc.snapshot()
    assert any(name.endswith("contract.json") for name in state) and any("packs" in name for name in state)
    return state


def test_a_manifest_with_a_key_given_twice_is_refused(good: Path, tmp_path: Path, new_pc: Pc,
                                                      restored: dict[str, bytes]) -> None:
    path = with_manifest(good, tmp_path / "x.pmvprofile",
                         lambda m: twice(m, b'"shop_id": "KP-0001"', b'"VB-0002"'))
    error = refused(path)
    assert error.problem is ProfileProblem.MANIFEST_INVALID
    assert error.fault is not None and (error.fault.problem, error.fault.key) == (JsonProblem.DUPLICATE_KEY, "shop_id")
    assert new_pc.snapshot() == restored


def test_a_contract_with_a_key_given_twice_is_refused(good: Path, tmp_path: Path, new_pc: Pc,
                                                      signed: Callable[..., bytes], restored: dict[str, bytes]) -> None:
    renewal = signed(issued_at="2027-01-10T09:00:00+07:00",
                     maintenance=[{"start": "2027-01-16", "end": "2028-01-15", "tier": "Tiêu chuẩn"}])
    forged = twice(renewal, b'"end": "2028-01-15"', b'"2035-12-31"')
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={"contract.json": forged, SECRETS_PART: None},
                   edit_manifest=lambda m: m.update(sealed=[]))
    error = refused(path)
    assert error.problem is ProfileProblem.CONTRACT_REFUSED and error.contract_problem is ContractProblem.MALFORMED
    assert error.fault is not None and error.fault.path == "payload.maintenance[0].end"
    assert new_pc.snapshot() == restored


def test_a_pack_with_a_key_given_twice_is_refused(good: Path, tmp_path: Path, new_pc: Pc,
                                                  restored: dict[str, bytes]) -> None:
    # Version 1.1.0, whose first reading would lower the cash limit to 2 million đồng.
    forged = twice(pack_bytes("1.1.0"), b'"amount_vnd": 20000000', b"2000000")
    path = rebuild(good, tmp_path / "x.pmvprofile", parts={PACK_PART: None, f"packs/{PACK_ID}-1.1.0.json": forged,
                                                           SECRETS_PART: None},
                   edit_manifest=lambda m: m.update(sealed=[]))
    error = refused(path)
    assert error.problem is ProfileProblem.PACK_INVALID
    assert error.fault is not None and error.fault.path == "rules[0].amount_vnd"
    assert new_pc.snapshot() == restored


def test_a_secrets_envelope_with_a_key_given_twice_is_refused(good: Path, tmp_path: Path, new_pc: Pc,
                                                              restored: dict[str, bytes]) -> None:
    envelope = json.dumps(json.loads(members(good)[SECRETS_PART])).encode()
    forged = twice(envelope, b'"n": 32768', b"1048576")  # which scrypt cost is meant?
    profile = read_profile(rebuild(good, tmp_path / "x.pmvprofile", parts={SECRETS_PART: forged}))
    for attempt in (lambda: plan_import(profile, new_pc.files, passphrase=PASSPHRASE),
                    lambda: apply_import(profile, new_pc.files, passphrase=PASSPHRASE, overwrite=True)):
        with pytest.raises(ProfileError) as caught:
            attempt()
        assert caught.value.problem is ProfileProblem.SECRETS_INVALID
        assert caught.value.fault is not None and caught.value.fault.problem is JsonProblem.DUPLICATE_KEY
    assert new_pc.snapshot() == restored


def test_parts_kept_as_received_by_an_older_version_count_as_the_same(good: Path, new_pc: Pc,
                                                                       signed: Callable[..., bytes],
                                                                       restored: dict[str, bytes]) -> None:
    # Before issue 18 the contract cache and installed packs held the bytes as received (indented, spaced);
    # now they hold the canonical form.  The plan compares what each means, not how it was spelled.
    files = new_pc.files
    files.contract_file.write_bytes(signed())
    (files.packs_root / "packs" / PACK_ID / "1.0.0" / "pack.json").write_bytes(pack_bytes("1.0.0"))
    plan = plan_import(read_profile(good), files, passphrase=PASSPHRASE)
    assert plan.contract is PartAction.SAME and [p.action for p in plan.packs] == [PackAction.SAME]
    assert plan.conflicts == ()
