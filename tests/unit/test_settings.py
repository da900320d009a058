from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import ProblemKind, Settings, load_settings, save_settings


def test_missing_file_gives_defaults_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.settings.language == "vi"
    assert not loaded.exists and loaded.ok
    assert not path.exists()


def test_valid_file_is_read_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "shop" / "settings.toml"
    path.parent.mkdir()
    path.write_text(
        'language = "en"\n[shop]\nname = "Tiệm vàng Ngọc Thẩm"\n'
        '[pos]\ndatabase = "pos/pmv.sqlite3"\n[vendor]\nbase_url = "http://127.0.0.1:8000/"\ntimeout_seconds = 3\n',
        encoding="utf-8",
    )
    loaded = load_settings(path)
    assert loaded.ok
    assert loaded.settings.language == "en"
    assert loaded.settings.shop.name == "Tiệm vàng Ngọc Thẩm"
    assert loaded.settings.pos.database == (path.parent / "pos" / "pmv.sqlite3").resolve()
    assert loaded.settings.vendor.base_url == "http://127.0.0.1:8000"
    assert loaded.settings.vendor.timeout_seconds == 3.0


def test_invalid_values_are_named_and_replaced_by_defaults_keeping_good_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    original = (
        'language = "fr"\n[shop]\nname = "Kim Phát"\nnmae = "typo"\n'
        '[vendor]\ntimeout_seconds = "abc"\nbase_url = "ftp://vendor"\n'
    )
    path.write_text(original, encoding="utf-8")
    loaded = load_settings(path)
    by_key = {problem.key: problem for problem in loaded.problems}
    assert by_key["language"].kind is ProblemKind.INVALID_VALUE
    assert by_key["language"].value == "fr"
    assert by_key["vendor.timeout_seconds"].value == "abc"
    assert by_key["vendor.base_url"].value == "ftp://vendor"
    assert by_key["shop.nmae"].kind is ProblemKind.UNKNOWN_KEY
    assert "fr" in by_key["language"].describe() and "language" in by_key["language"].describe()
    # good keys survive, bad ones fall back to defaults
    assert loaded.settings.shop.name == "Kim Phát"
    assert loaded.settings.language == "vi"
    assert loaded.settings.vendor.timeout_seconds == Settings().vendor.timeout_seconds
    # and the user's file is left exactly as it was
    assert path.read_text(encoding="utf-8") == original


@pytest.mark.parametrize(
    "text, kind",
    [("language = \n", ProblemKind.SYNTAX), ("[shop\nname='x'", ProblemKind.SYNTAX)],
)
def test_broken_toml_gives_defaults_and_a_syntax_problem(tmp_path: Path, text: str, kind: ProblemKind) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_settings(path)
    assert [p.kind for p in loaded.problems] == [kind]
    assert loaded.settings == Settings()
    assert path.read_text(encoding="utf-8") == text


def test_non_utf8_file_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b'language = "vi"\n[shop]\nname = "\xff\xfe"\n')
    loaded = load_settings(path)
    assert loaded.problems[0].kind is ProblemKind.UNREADABLE


def test_a_section_of_the_wrong_type_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('shop = 5\nlanguage = "en"\n', encoding="utf-8")
    loaded = load_settings(path)
    assert [p.key for p in loaded.problems] == ["shop"]
    assert loaded.settings.language == "en"


def test_save_round_trips_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.toml"
    settings = Settings(language="en").model_copy(update={"shop": Settings().shop.model_copy(update={"name": "Vàng Bạc Đá Quý Phú Nhuận"})})
    save_settings(settings, path)
    assert load_settings(path).settings == settings
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]


def test_a_bom_from_notepad_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf" + 'language = "en"\n'.encode())
    loaded = load_settings(path)
    assert loaded.ok and loaded.settings.language == "en"


def test_windows_backslashes_are_reported_with_a_hint(tmp_path: Path) -> None:
    from app.settings import Reason

    path = tmp_path / "settings.toml"
    path.write_text('[pos]\ndatabase = "C:\\PMV\\Data\\pmv.db"\n', encoding="utf-8")
    loaded = load_settings(path)
    assert [(p.kind, p.code) for p in loaded.problems] == [(ProblemKind.SYNTAX, Reason.WINDOWS_PATH)]


def test_escapes_that_toml_accepts_silently_are_caught(tmp_path: Path) -> None:
    from app.settings import Reason

    path = tmp_path / "settings.toml"
    # "\n" and "\t" are valid TOML escapes: the path would silently contain a newline and a tab.
    path.write_text('[pos]\ndatabase = "C:\\new\\test.db"\nlogs_dir = "logs"\n', encoding="utf-8")
    loaded = load_settings(path)
    assert [(p.key, p.code) for p in loaded.problems] == [("pos.database", Reason.BAD_PATH)]
    assert loaded.settings.pos.database is None
    assert loaded.settings.pos.logs_dir == (tmp_path / "logs").resolve()


@pytest.mark.parametrize("value", ['""', '"~nobody-here-at-all/x"', '"a\\u0000b"'])
def test_unusable_paths_never_raise(tmp_path: Path, value: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"data_dir = {value}\n", encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.data_dir is None
    assert [p.key for p in loaded.problems] == ["data_dir"]


def test_reasons_are_codes_the_ui_can_word(tmp_path: Path) -> None:
    from app.settings import Reason

    path = tmp_path / "settings.toml"
    path.write_text('language = "fr"\n[vendor]\ntimeout_seconds = -1\nbase_url = 5\n', encoding="utf-8")
    codes = {p.key: p.code for p in load_settings(path).problems}
    assert codes == {
        "language": Reason.NOT_ALLOWED,
        "vendor.timeout_seconds": Reason.OUT_OF_RANGE,
        "vendor.base_url": Reason.WRONG_TYPE,
    }
