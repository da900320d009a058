"""PackStore: install, upgrade, rollback, recover, export, and the zip extraction guard."""

from __future__ import annotations

import datetime as dt
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.updates.install import PackStore, PackStoreError, UnsafeArchive, extract_safely
from pmv_protocol.packs import CashLimitRule, ChangeKind, PackError, VatRateRule
from pmv_protocol.signed_json import canonical_form

PACK_ID = "nd-232-2025"
MakePack = Callable[..., bytes]


def versions(store: PackStore) -> set[str]:
    return {p.name for p in (store.packs_dir / PACK_ID).iterdir() if p.is_dir()}


def pointer(store: PackStore, name: str) -> str | None:
    path = store.packs_dir / PACK_ID / name
    return path.read_text(encoding="utf-8").splitlines()[0] if path.exists() else None


def test_first_install(tmp_path: Path, nd232_bytes: bytes) -> None:
    store = PackStore(tmp_path)
    done = store.install(nd232_bytes)
    assert (done.pack_id, done.version, done.previous_version, done.unchanged) == (PACK_ID, "1.0.0", None, False)
    assert [c.change for c in done.changes] == [ChangeKind.ADDED]
    assert done.path == tmp_path / "packs" / PACK_ID / "1.0.0"
    # What was validated, re-serialised canonically (pmv_protocol.signed_json), not the bytes as received.
    assert (done.path / "pack.json").read_bytes() == canonical_form(nd232_bytes) != nd232_bytes
    assert pointer(store, "current") == "1.0.0" and pointer(store, "previous") is None
    [info] = store.installed()
    assert (info.id, info.version, info.effective_date, info.previous_version) == (
        PACK_ID, "1.0.0", dt.date(2025, 10, 10), None)
    assert info.path == done.path
    current = store.current(PACK_ID)
    assert current is not None and current.cash_limit() is not None
    assert list((tmp_path / "staging").iterdir()) == []
    assert store.recover().clean


def test_upgrade_then_rollback_once(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    done = store.install(make_pack("1.1.0", rule={"amount_vnd": 15_000_000}))
    assert (done.version, done.previous_version) == ("1.1.0", "1.0.0")
    [change] = done.changes
    assert change.change is ChangeKind.CHANGED and change.changed_fields == ("amount_vnd",)
    assert store.installed()[0].previous_version == "1.0.0"

    back = store.rollback(PACK_ID)
    assert (back.version, back.previous_version) == ("1.0.0", "1.1.0")
    [undo] = back.changes
    assert undo.before is not None and undo.after is not None
    assert (undo.before["amount_vnd"], undo.after["amount_vnd"]) == (15_000_000, 20_000_000)
    pack = store.current(PACK_ID)
    assert pack is not None and pack.version == "1.0.0"
    # Nothing is "previous" now: rolling back again went forward to the version just given up.
    assert pointer(store, "previous") is None and store.previous_version(PACK_ID) is None
    with pytest.raises(PackStoreError):
        store.rollback(PACK_ID)
    assert store.current(PACK_ID).version == "1.0.0"
    assert store.recover().clean


def test_rollback_without_previous(tmp_path: Path, nd232_bytes: bytes) -> None:
    store = PackStore(tmp_path)
    with pytest.raises(PackStoreError):
        store.rollback(PACK_ID)
    store.install(nd232_bytes)
    with pytest.raises(PackStoreError):
        store.rollback(PACK_ID)


def test_only_current_and_previous_are_kept(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    for version in ("1.0.0", "1.1.0", "1.2.0", "2.0"):
        store.install(make_pack(version))
    assert versions(store) == {"1.2.0", "2.0"}
    assert [entry.name for entry in (store.packs_dir / PACK_ID).iterdir() if entry.name.startswith(".")] == []


def test_reinstalling_the_same_bytes_is_a_no_op(tmp_path: Path, nd232_bytes: bytes, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(nd232_bytes)
    again = store.install(nd232_bytes)
    assert again.unchanged and again.changes == []
    with pytest.raises(PackError) as caught:
        store.install(make_pack("1.0.0", rule={"amount_vnd": 1}))  # same version, other content
    assert caught.value.field == "version"


def test_downgrade_needs_consent(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.1.0"))
    with pytest.raises(PackError) as caught:
        store.install(make_pack("1.0.0"))
    assert caught.value.field == "version"
    assert store.install(make_pack("1.0.0"), allow_downgrade=True).previous_version == "1.1.0"


def test_an_invalid_pack_writes_nothing(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    with pytest.raises(PackError) as caught:
        store.install(make_pack(rule={"amount_vnd": 0}))
    assert caught.value.field == "rules[0].amount_vnd"
    assert not store.packs_dir.exists()
    assert store.installed() == []


def test_current_refuses_a_path_as_id(tmp_path: Path) -> None:
    with pytest.raises(PackError):
        PackStore(tmp_path).current("../../etc")


def test_pack_with_rule_and_export(tmp_path: Path, nd232_bytes: bytes) -> None:
    store = PackStore(tmp_path / "store")
    assert store.pack_with_rule(CashLimitRule) is None
    store.install(nd232_bytes)
    found = store.pack_with_rule(CashLimitRule)
    assert found is not None and found.id == PACK_ID
    assert store.pack_with_rule(VatRateRule) is None
    pos_rules = tmp_path / "pos" / "rules"
    written = store.export_to(pos_rules)
    assert written == [pos_rules / f"{PACK_ID}.json"]
    assert written[0].read_bytes() == canonical_form(nd232_bytes)  # the POS gets what was validated
    assert [p.name for p in pos_rules.iterdir()] == [f"{PACK_ID}.json"]  # no temp files left beside it


# --- recover, for damage not made by a kill (see test_install_kill.py for those) ----

def test_current_naming_a_missing_version_falls_back(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    store.install(make_pack("1.1.0"))
    shutil.rmtree(store.packs_dir / PACK_ID / "1.1.0")
    report = store.recover()
    assert report.fell_back == [(PACK_ID, "1.1.0", "1.0.0")]
    pack = store.current(PACK_ID)
    assert pack is not None and pack.version == "1.0.0"
    assert pointer(store, "previous") is None
    assert store.recover().clean


@pytest.mark.parametrize("damage", ["garbled pointer", "invalid pack.json", "pack.json of another version"])
def test_damaged_current_falls_back(tmp_path: Path, make_pack: MakePack, damage: str) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    store.install(make_pack("1.1.0"))
    pack_dir = store.packs_dir / PACK_ID
    if damage == "garbled pointer":
        (pack_dir / "current").write_bytes(b"\x00\x00")
    elif damage == "invalid pack.json":
        (pack_dir / "1.1.0" / "pack.json").write_bytes(b'{"id": "nd-232-2025"')
    else:
        (pack_dir / "1.1.0" / "pack.json").write_bytes(make_pack("1.0.0"))
    report = store.recover()
    assert [(i, now) for i, _, now in report.fell_back] == [(PACK_ID, "1.0.0")]
    assert versions(store) == {"1.0.0"}
    pack = store.current(PACK_ID)
    assert pack is not None and pack.version == "1.0.0"


def test_nothing_to_fall_back_to_is_reported_and_left_alone(tmp_path: Path, nd232_bytes: bytes) -> None:
    store = PackStore(tmp_path)
    store.install(nd232_bytes)
    (store.packs_dir / PACK_ID / "1.0.0" / "pack.json").write_bytes(b"broken")
    report = store.recover()
    assert report.broken == [PACK_ID]
    assert versions(store) == {"1.0.0"}  # kept for a technician to look at
    assert store.current(PACK_ID) is None and store.installed() == []


def test_install_after_a_broken_current(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    (store.packs_dir / PACK_ID / "1.0.0" / "pack.json").write_bytes(b"broken")
    done = store.install(make_pack("1.1.0"))
    assert done.previous_version is None
    assert versions(store) == {"1.1.0"}


def test_install_archive(tmp_path: Path, nd232_bytes: bytes) -> None:
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pack.json", nd232_bytes)
    store = PackStore(tmp_path / "store")
    assert store.install_archive(archive).version == "1.0.0"
    assert list(store.staging_dir.iterdir()) == []
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "no pack here")
    with pytest.raises(PackError) as caught:
        store.install_archive(empty)
    assert caught.value.field == "pack.json"


# --- extract_safely -----------------------------------------------------------

def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def _symlink(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16  # how zip -y stores a symlink
    return info


def test_extract_a_good_archive(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "ok.zip", [("pack.json", b"{}"), ("docs/readme.txt", b"hi"), ("docs/", b"")])
    written = extract_safely(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == ["docs/readme.txt", "pack.json"]
    assert (tmp_path / "out" / "docs" / "readme.txt").read_bytes() == b"hi"


@pytest.mark.parametrize(("name", "reason"), [
    ("../evil.json", ".."),
    ("docs/../../evil.json", ".."),
    ("..\\..\\evil.json", ".."),
    ("/etc/cron.d/evil", "absolute"),
    ("\\Windows\\evil.dll", "absolute"),
    ("C:/Windows/evil.dll", "drive"),
    ("c:evil.dll", "drive"),
])
def test_extract_refuses_paths_out_of_dest(tmp_path: Path, name: str, reason: str) -> None:
    archive = _zip(tmp_path / "bad.zip", [("pack.json", b"{}"), (zipfile.ZipInfo(name), b"x")])
    with pytest.raises(UnsafeArchive) as caught:
        extract_safely(archive, tmp_path / "out")
    assert reason in caught.value.reason
    assert not (tmp_path / "out").exists()  # checked before anything was written
    assert not (tmp_path / "evil.json").exists()


def test_extract_refuses_symlinks(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "link.zip", [(_symlink("pack.json", "/etc/passwd"), b"/etc/passwd")])
    with pytest.raises(UnsafeArchive) as caught:
        extract_safely(archive, tmp_path / "out")
    assert caught.value.field == "pack.json" and "link" in caught.value.reason


def test_extract_refuses_a_zip_bomb(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", [("pack.json", b"\0" * (11 * 1024 * 1024))])
    assert archive.stat().st_size < 100_000  # compresses to almost nothing: that is the point
    with pytest.raises(UnsafeArchive) as caught:
        extract_safely(archive, tmp_path / "out")
    assert "size" in caught.value.reason
    assert not (tmp_path / "out").exists()


def test_extract_counts_the_total_not_each_member(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "many.zip", [(f"part{i}.bin", b"\0" * 4096) for i in range(4)])
    with pytest.raises(UnsafeArchive):
        extract_safely(archive, tmp_path / "out", max_total_bytes=10_000)
    with pytest.raises(UnsafeArchive):
        extract_safely(archive, tmp_path / "out", max_members=3)


# --- one reading only (issue 18, section 4) ----------------------------------------------------------------

def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_pack_with_a_key_given_twice_installs_nothing(tmp_path: Path, make_pack: MakePack) -> None:
    # RFC 8259 s.4 / RFC 7493 s.2.3: no member name twice.  The first reading would lower the limit tenfold.
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    before = files(tmp_path)
    forged = make_pack("1.1.0").replace(b'"amount_vnd": 20000000', b'"amount_vnd": 2000000, "amount_vnd": 20000000')
    with pytest.raises(PackError) as caught:
        store.install(forged)
    assert caught.value.field == "rules[0].amount_vnd"
    assert files(tmp_path) == before
    current = store.current(PACK_ID)
    assert current is not None and current.version == "1.0.0"


# Pointers are text the store writes itself; "a key given twice" is a line given twice.  Only the exact form
# written is read: anything else is refused like a garbled pointer, never interpreted.
POINTER_FORMS = [
    ("previous twice", "current", "1.1.0\nprevious 1.0.0\nprevious 0.9.0\n"),
    ("version twice", "current", "1.1.0\n1.0.0\nprevious 1.0.0\n"),
    ("a trailing space", "current", "1.1.0 \nprevious 1.0.0\n"),
    ("CRLF", "current", "1.1.0\r\nprevious 1.0.0\r\n"),
    ("no final newline", "current", "1.1.0\nprevious 1.0.0"),
    ("a previous line in previous", "previous", "1.0.0\nprevious 0.9.0\n"),
    ("previous given twice", "previous", "1.0.0\n1.0.0\n"),
]


@pytest.mark.parametrize(("name", "text"), [c[1:] for c in POINTER_FORMS], ids=[c[0] for c in POINTER_FORMS])
def test_a_pointer_not_in_its_written_form_is_refused_and_nothing_moves(
        tmp_path: Path, make_pack: MakePack, name: str, text: str) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    store.install(make_pack("1.1.0"))
    (store.packs_dir / PACK_ID / name).write_text(text, encoding="utf-8", newline="")
    before = files(tmp_path)
    if name == "current":
        assert store.current(PACK_ID) is None and store.installed() == []
    else:
        assert store.previous_version(PACK_ID) is None
    with pytest.raises(PackStoreError):
        store.rollback(PACK_ID)  # no guessing which line names the rollback target
    assert files(tmp_path) == before


def test_a_pack_kept_as_received_by_an_older_version_is_still_the_same_pack(tmp_path: Path,
                                                                            nd232_bytes: bytes) -> None:
    store = PackStore(tmp_path)
    store.install(nd232_bytes)
    (store.packs_dir / PACK_ID / "1.0.0" / "pack.json").write_bytes(nd232_bytes)  # as stored before issue 18
    again = store.install(nd232_bytes)
    assert again.unchanged and store.holds(PACK_ID, "1.0.0", nd232_bytes)
    assert not store.holds(PACK_ID, "1.0.0", nd232_bytes.replace(b"20000000", b"25000000"))
