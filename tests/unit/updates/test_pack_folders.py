"""The installed packs listed from the stored files alone (the overview at start-up) match the store's listing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from app.updates.install import PackStore
from app.updates.pack_folders import interrupted, list_installed, read_stored_header
from tests.helpers import DATA_LAYER, modules_loaded

MakePack = Callable[..., bytes]


def quick_listing(store: PackStore) -> list:
    return list_installed(store.packs_dir, functools.partial(read_stored_header, store.packs_dir))


def test_the_stored_headers_list_what_the_store_lists(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    store.install(make_pack("1.1.0", rule={"amount_vnd": 15_000_000}))  # 1.0.0 kept to roll back to
    store.install(make_pack("2.0.0", id="tt-17-2026", title_vi="Thông tư 17/2026 về ghi nhãn vàng",
                            effective_date="2027-01-01", issued_on="2026-11-20", rule={"effective_date": None}))
    assert store.installed() and quick_listing(store) == store.installed()
    assert [(p.id, p.previous_version) for p in quick_listing(store)] == [("nd-232-2025", "1.0.0"),
                                                                         ("tt-17-2026", None)]


def test_a_pack_the_store_cannot_read_is_left_out_by_both(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    store.install(make_pack("1.0.0", id="tt-17-2026"))
    (store.packs_dir / "tt-17-2026" / "current").write_bytes(b"1.0.0\r\n")  # a pointer written any other way
    store.install(make_pack("1.0.0", id="tt-18-2026"))
    (store.packs_dir / "tt-18-2026" / "1.0.0" / "pack.json").write_bytes(b'{"id": "tt-18-2026", "version": "1.0.0"')
    assert [p.id for p in store.installed()] == ["nd-232-2025"]
    assert quick_listing(store) == store.installed()


def test_a_pack_file_of_another_version_is_not_listed(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    store.install(make_pack("1.0.0"))
    stored = store.packs_dir / "nd-232-2025" / "1.0.0" / "pack.json"
    stored.write_bytes(stored.read_bytes().replace(b'"version":"1.0.0"', b'"version":"1.0.1"'))
    assert store.installed() == [] and quick_listing(store) == []


def test_an_interrupted_install_is_seen(tmp_path: Path, make_pack: MakePack) -> None:
    store = PackStore(tmp_path)
    assert not interrupted(tmp_path)
    store.install(make_pack("1.0.0"))
    assert not interrupted(tmp_path)
    (store.packs_dir / "nd-232-2025" / ".current.tmp").write_text("1.1.0\n", encoding="utf-8")
    assert interrupted(tmp_path)
    store.recover()
    assert not interrupted(tmp_path)
    (tmp_path / "staging" / "abc").mkdir(parents=True)
    assert interrupted(tmp_path)


def test_the_listing_loads_no_pydantic() -> None:
    assert modules_loaded("import app.updates.pack_folders", (*DATA_LAYER, "app.updates.install")) == []
