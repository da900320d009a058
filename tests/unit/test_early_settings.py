"""The first paint's language, read without pydantic or SQLAlchemy, must agree with the full start-up's."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.infra.early_settings import LANGUAGE_STATE_KEY, first_paint_language
from app.infra.paths import AppPaths
from app.storage.db import Database
from app.storage.repositories import StateRepository


def _settings(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _remember(database: Path, language: object) -> None:
    db, _ = Database.open(database)
    try:
        StateRepository(db).set(LANGUAGE_STATE_KEY, language)  # what the app's language menu does
    finally:
        db.close()


def test_the_command_line_wins(app_paths: AppPaths, tmp_path: Path) -> None:
    config = _settings(tmp_path, 'language = "en"\n')
    assert first_paint_language(config, demo=False, requested="vi", paths=app_paths) == "vi"


def test_the_settings_file_when_nothing_was_chosen_in_the_menu(app_paths: AppPaths, tmp_path: Path) -> None:
    config = _settings(tmp_path, 'language = "en"\n[shop]\nname = "Kim Phát"\n')
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"
    assert first_paint_language(None, demo=False, requested=None, paths=app_paths) == "vi"  # no file at all


def test_the_menu_choice_kept_in_the_database_beats_the_settings_file(app_paths: AppPaths, tmp_path: Path) -> None:
    config = _settings(tmp_path, 'language = "vi"\n')
    _remember(app_paths.database_file, "en")
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"


def test_a_data_dir_set_in_the_settings_is_where_the_choice_is_read(app_paths: AppPaths, tmp_path: Path) -> None:
    config = _settings(tmp_path / "shop", 'data_dir = "du-lieu"\n')  # relative: next to the settings file
    _remember(tmp_path / "shop" / "du-lieu" / app_paths.database_file.name, "en")
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"


def test_the_demo_reads_its_own_data_dir(app_paths: AppPaths) -> None:
    _remember(app_paths.database_file, "en")  # the real shop's choice is not the demo's
    assert first_paint_language(None, demo=True, requested=None, paths=app_paths) == "vi"
    demo_dir = app_paths.data_dir / "demo"
    _remember(demo_dir / app_paths.database_file.name, "en")
    assert first_paint_language(None, demo=True, requested=None, paths=app_paths) == "en"


@pytest.mark.parametrize("text", ['language = "fr"\n', "language = 3\n", "language = [\n", "\x00\xff"])
def test_a_broken_or_unknown_setting_reads_as_vietnamese(app_paths: AppPaths, tmp_path: Path, text: str) -> None:
    config = tmp_path / "settings.toml"
    config.write_bytes(text.encode("latin-1"))
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "vi"


def test_a_damaged_or_foreign_database_falls_back_to_the_settings(app_paths: AppPaths, tmp_path: Path) -> None:
    config = _settings(tmp_path, 'language = "en"\n')
    app_paths.database_file.write_bytes(b"this is not a database" * 100)
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"
    app_paths.database_file.unlink()
    with sqlite3.connect(app_paths.database_file) as connection:  # a database without the app's tables
        connection.execute("CREATE TABLE other (x)")
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"
    app_paths.database_file.unlink()
    _remember(app_paths.database_file, {"not": "a language"})  # a remembered value that is not a language
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"


def test_reading_never_changes_the_database(app_paths: AppPaths) -> None:
    _remember(app_paths.database_file, "en")
    before = app_paths.database_file.read_bytes()
    assert first_paint_language(None, demo=False, requested=None, paths=app_paths) == "en"
    assert app_paths.database_file.read_bytes() == before


def test_the_window_frame_loads_no_data_layer() -> None:
    """What the first paint imports must stay free of pydantic and SQLAlchemy (the point of the frame)."""
    code = (
        "import sys, app.cli, app.ui.startup, app.ui.main_window, app.infra.early_settings\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'pydantic', 'apscheduler', 'requests', 'app.runtime') "
        "if m in sys.modules)\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_settings_file_saved_with_a_byte_order_mark_is_read(app_paths: AppPaths, tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text('language = "en"\n', encoding="utf-8-sig")  # what Notepad writes
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"


def test_relative_paths_and_unknown_users_read_softly(app_paths: AppPaths, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _settings(tmp_path / "shop", 'data_dir = "du-lieu"\nlanguage = "vi"\n')
    _remember(tmp_path / "shop" / "du-lieu" / app_paths.database_file.name, "en")
    relative = Path("shop") / "settings.toml"  # --config given relative to the current folder
    assert first_paint_language(relative, demo=False, requested=None, paths=app_paths) == "en"
    config = _settings(tmp_path / "other", 'data_dir = "~khong-co-nguoi-dung-nay/x"\nlanguage = "en"\n')
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"


def _keep(app_paths: AppPaths, config: Path, text: str) -> None:
    """What start-up does after a clean load: keep the text as the file's last good copy, in the app's data dir."""
    from app.infra.settings_last_good import LastGoodStore

    assert LastGoodStore.in_data_dir(app_paths.data_dir).save(config, text)


@pytest.mark.parametrize("broken", [
    'language = "en\n',  # an unclosed quote
    "",  # a save cut short
    '[shop\nlanguage = "en"\n',  # a missing ]
])
def test_a_broken_file_reads_the_last_good_copy_as_start_up_does(app_paths: AppPaths, tmp_path: Path,
                                                                  broken: str) -> None:
    from app.infra.settings import load_settings
    from app.infra.settings_last_good import LastGoodStore

    config = _settings(tmp_path, 'language = "en"\n')
    _keep(app_paths, config, 'language = "en"\n')
    config.write_text(broken, encoding="utf-8")
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"
    full = load_settings(config, last_good=LastGoodStore.in_data_dir(app_paths.data_dir))
    assert full.settings.language == "en"  # the same answer as the full start-up
    config.unlink()  # deleted: the copy too
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"


def test_a_refused_language_or_data_dir_gives_way_to_the_copys(app_paths: AppPaths, tmp_path: Path) -> None:
    config = _settings(tmp_path / "shop", 'language = "en"\ndata_dir = "du-lieu"\n')
    _keep(app_paths, config, 'language = "en"\ndata_dir = "du-lieu"\n')
    config.write_text('language = "fr"\n', encoding="utf-8")  # refused: the copy's "en", as app.infra.settings does
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"
    config.write_text('language = "vi"\ndata_dir = 5\n', encoding="utf-8")  # refused data_dir: the copy's
    _remember(tmp_path / "shop" / "du-lieu" / app_paths.database_file.name, "en")
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "en"
    config.write_text('language = "vi"\n', encoding="utf-8")  # no data_dir at all: the default one, not the copy's
    assert first_paint_language(config, demo=False, requested=None, paths=app_paths) == "vi"


def test_the_whole_file_only_while_it_reads_as_it_last_loaded_cleanly(app_paths: AppPaths, tmp_path: Path) -> None:
    """The overview's first reads take shop and POS values from here (issue 24): only values the full start-up
    will load too, so only a file that is, byte for byte, one that loaded with no problem."""
    from app.infra.early_settings import clean_settings
    from app.infra.settings import keep_if_clean, load_settings
    from app.infra.settings_last_good import LastGoodStore

    text = '[shop]\nname = "Tiệm vàng Kim Phát"\n[pos]\ndatabase = "pos/pmv.sqlite3"\n'
    config = _settings(tmp_path / "shop", text)
    assert clean_settings(config, demo=False, paths=app_paths) is None  # never loaded yet: unknown
    last_good = LastGoodStore.in_data_dir(app_paths.data_dir)
    assert keep_if_clean(load_settings(config, last_good=last_good), last_good)  # what start-up does
    clean = clean_settings(config, demo=False, paths=app_paths)
    assert clean is not None and clean.section("shop")["name"] == "Tiệm vàng Kim Phát"
    assert clean.source == config and clean.paths == app_paths
    config.write_text(text.replace("Kim Phát", "Kim Phát 2"), encoding="utf-8")  # edited since
    assert clean_settings(config, demo=False, paths=app_paths) is None
    config.write_text(text, encoding="utf-8")
    assert clean_settings(config, demo=False, paths=app_paths) is not None
    assert clean_settings(config, demo=True, paths=app_paths) is None  # the demo's shop is made by start-up


def test_a_refused_file_is_never_clean(app_paths: AppPaths, tmp_path: Path) -> None:
    from app.infra.early_settings import clean_settings
    from app.infra.settings import keep_if_clean, load_settings
    from app.infra.settings_last_good import LastGoodStore

    config = _settings(tmp_path, 'language = "fr"\n[shop]\nname = "Kim Phát"\n')  # a value start-up refuses
    last_good = LastGoodStore.in_data_dir(app_paths.data_dir)
    assert not keep_if_clean(load_settings(config, last_good=last_good), last_good)
    assert clean_settings(config, demo=False, paths=app_paths) is None


def test_the_clean_files_data_dir_is_the_one_start_up_uses(app_paths: AppPaths, tmp_path: Path) -> None:
    from app.bootstrap import bootstrap
    from app.infra.early_settings import clean_settings

    config = _settings(tmp_path / "shop", 'data_dir = "du-lieu"\n')
    runtime = bootstrap(config, paths=app_paths, install_crash_handler=False)
    try:
        clean = clean_settings(config, demo=False, paths=app_paths)
        assert clean is not None and clean.paths.data_dir == runtime.paths.data_dir == tmp_path / "shop" / "du-lieu"
    finally:
        runtime.close()
