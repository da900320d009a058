"""The app's copy of the last settings that loaded cleanly: where it lives, when it is rewritten, what it dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from app.infra.settings_last_good import FOLDER_NAME, LastGoodStore
from tests.helpers import FixedClock

# 23:30 UTC on 2 December is 06:30 on 3 December in the shop (UTC+7): the date shown is the shop's.
SAVED_AT = dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC)
GOOD = '[pos]\ndatabase = "pos/pmv.sqlite3"\n'


def _store(tmp_path: Path, clock: FixedClock | None = None) -> LastGoodStore:
    return LastGoodStore.in_data_dir(tmp_path / "data", clock or FixedClock(SAVED_AT))


def test_a_saved_copy_reads_back_with_the_shops_date(tmp_path: Path) -> None:
    store, source = _store(tmp_path), tmp_path / "config" / "settings.toml"
    assert store.read(source) is None
    assert store.save(source, GOOD)
    good = store.read(source)
    assert good is not None
    assert (good.text, good.saved_at, good.saved_on) == (GOOD, SAVED_AT, dt.date(2026, 12, 3))
    assert good.table() == {"pos": {"database": "pos/pmv.sqlite3"}}
    assert store.file_for(source).parent == tmp_path / "data" / FOLDER_NAME  # the data dir, not the config dir
    assert not (tmp_path / "config").exists()  # nothing is written beside the user's file


def test_the_copy_is_rewritten_only_when_the_text_changes(tmp_path: Path) -> None:
    clock = FixedClock(SAVED_AT)
    store, source = _store(tmp_path, clock), tmp_path / "settings.toml"
    store.save(source, GOOD)
    clock.advance(days=5)
    assert not store.save(source, GOOD)  # same text: its date stays the day it was first good
    assert store.read(source).saved_at == SAVED_AT  # type: ignore[union-attr]
    assert store.save(source, GOOD + 'process_name = "PMV2.exe"\n')
    assert store.read(source).saved_at == SAVED_AT + dt.timedelta(days=5)  # type: ignore[union-attr]
    # written by a temp file and a rename: nothing but the copy is left in the folder
    assert [p.name for p in store.folder.iterdir()] == [store.file_for(source).name]


def test_each_settings_file_has_its_own_copy(tmp_path: Path) -> None:
    store = _store(tmp_path)
    shop, other = tmp_path / "shop" / "settings.toml", tmp_path / "other" / "settings.toml"
    store.save(shop, GOOD)
    assert store.read(other) is None  # --config elsewhere never runs on the shop's copy
    store.save(other, 'language = "en"\n')
    assert store.read(shop).text == GOOD  # type: ignore[union-attr]


def test_a_damaged_or_foreign_copy_is_no_copy(tmp_path: Path) -> None:
    store, source = _store(tmp_path), tmp_path / "settings.toml"
    store.save(source, GOOD)
    file = store.file_for(source)
    record = json.loads(file.read_text(encoding="utf-8"))
    for damaged in ("{not json", json.dumps({**record, "source": str(tmp_path / "elsewhere.toml")}),
                    json.dumps({**record, "saved_at": "2026-12-03T06:30:00"}),  # no zone: no shop date to show
                    json.dumps({**record, "format": 99}), json.dumps({**record, "text": None})):
        file.write_text(damaged, encoding="utf-8")
        assert store.read(source) is None, damaged
    assert store.save(source, GOOD)  # and a good load replaces it
    assert store.read(source) is not None


def test_a_copy_that_cannot_be_written_never_stops_the_app(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data dir should be", encoding="utf-8")
    store = LastGoodStore.in_data_dir(blocker, FixedClock(SAVED_AT))
    assert store.save(tmp_path / "settings.toml", GOOD) is False
    assert store.read(tmp_path / "settings.toml") is None
