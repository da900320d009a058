from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.infra.settings import (
    Fallback,
    ProblemKind,
    Reason,
    Settings,
    Source,
    keep_if_clean,
    load_settings,
    save_settings,
)
from app.infra.settings_last_good import LastGoodStore
from tests.helpers import KEPT_AT, SHOP_AND_POS_LINES, FixedClock, unclosed_quote_on_line_9


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
    settings = Settings(language="en").model_copy(
        update={"shop": Settings().shop.model_copy(update={"name": "Vàng Bạc Đá Quý Phú Nhuận"})})
    save_settings(settings, path)
    assert load_settings(path).settings == settings
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]


def test_a_bom_from_notepad_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'language = "en"\n')
    loaded = load_settings(path)
    assert loaded.ok and loaded.settings.language == "en"


def test_windows_backslashes_are_reported_as_a_bad_escape_on_their_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[pos]\ndatabase = "C:\\PMV\\Data\\pmv.db"\n', encoding="utf-8")
    loaded = load_settings(path)
    assert [(p.kind, p.code, p.line) for p in loaded.problems] == [(ProblemKind.SYNTAX, Reason.BAD_ESCAPE, 2)]


def test_escapes_that_toml_accepts_silently_are_caught(tmp_path: Path) -> None:
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
    path = tmp_path / "settings.toml"
    path.write_text('language = "fr"\n[vendor]\ntimeout_seconds = -1\nbase_url = 5\n', encoding="utf-8")
    codes = {p.key: p.code for p in load_settings(path).problems}
    assert codes == {
        "language": Reason.NOT_ALLOWED,
        "vendor.timeout_seconds": Reason.OUT_OF_RANGE,
        "vendor.base_url": Reason.WRONG_TYPE,
    }


# --- the last good copy: a broken file must not switch monitoring off (issue 18, section 2) ---------------------

SHOP_FILE = (
    "# Cấu hình cửa hàng\n"  # 1
    'language = "vi"\n'  # 2
    + SHOP_AND_POS_LINES  # 3 to 9
    + "\n"
    "[vendor]\n"
    "timeout_seconds = 20\n"
)
UNCLOSED_QUOTE_ON_LINE_9 = unclosed_quote_on_line_9(SHOP_FILE)


def _kept(tmp_path: Path, clock: FixedClock | None = None) -> tuple[Path, LastGoodStore]:
    """A shop file that loaded cleanly once, so its copy is kept (in a data dir away from the file)."""
    path = tmp_path / "config" / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SHOP_FILE, encoding="utf-8")
    store = LastGoodStore.in_data_dir(tmp_path / "data", clock or FixedClock(KEPT_AT))
    assert keep_if_clean(load_settings(path, last_good=store), store)
    return path, store


def test_a_broken_file_runs_on_the_last_good_copy_and_says_where_and_since_when(tmp_path: Path) -> None:
    path, store = _kept(tmp_path)
    path.write_text(UNCLOSED_QUOTE_ON_LINE_9, encoding="utf-8")
    loaded = load_settings(path, last_good=store)
    assert loaded.source is Source.LAST_GOOD and loaded.last_good_on == dt.date(2026, 12, 3)
    assert loaded.settings.shop.name == "Tiệm vàng Kim Phát"
    assert loaded.settings.vendor.timeout_seconds == 20
    # relative paths in the copy resolve against the user's file's folder, never the copy's
    assert loaded.settings.pos.database == (path.parent / "pos" / "pmv.sqlite3").resolve()
    [problem] = loaded.problems
    assert (problem.kind, problem.code, problem.line) == (ProblemKind.SYNTAX, Reason.UNTERMINATED_STRING, 9)
    assert (problem.fallback, problem.last_good_on) == (Fallback.LAST_GOOD, dt.date(2026, 12, 3))
    assert loaded.file_problem is problem
    assert "line 9" in problem.describe() and "03/12/2026" in problem.describe()
    # the broken text never becomes the copy, and the user's file is left as it is
    assert not keep_if_clean(loaded, store)
    assert store.read(path).text == SHOP_FILE  # type: ignore[union-attr]
    assert path.read_text(encoding="utf-8") == UNCLOSED_QUOTE_ON_LINE_9


def test_without_a_copy_a_broken_file_runs_on_defaults_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(UNCLOSED_QUOTE_ON_LINE_9, encoding="utf-8")
    loaded = load_settings(path, last_good=LastGoodStore.in_data_dir(tmp_path / "data", FixedClock(KEPT_AT)))
    assert loaded.source is Source.DEFAULTS and loaded.settings == Settings()
    [problem] = loaded.problems
    assert (problem.code, problem.line, problem.fallback, problem.last_good_on) == (
        Reason.UNTERMINATED_STRING, 9, Fallback.DEFAULT, None)
    assert "using defaults" in problem.describe()


def test_once_the_file_is_fixed_the_next_clean_load_replaces_the_copy(tmp_path: Path) -> None:
    clock = FixedClock(KEPT_AT)
    path, store = _kept(tmp_path, clock)
    path.write_text(UNCLOSED_QUOTE_ON_LINE_9, encoding="utf-8")
    assert not keep_if_clean(load_settings(path, last_good=store), store)
    clock.advance(days=2)
    fixed = SHOP_FILE.replace("timeout_seconds = 20", "timeout_seconds = 30")
    path.write_text(fixed, encoding="utf-8")
    loaded = load_settings(path, last_good=store)
    assert loaded.ok and loaded.source is Source.FILE and loaded.settings.vendor.timeout_seconds == 30
    assert keep_if_clean(loaded, store)
    good = store.read(path)
    assert good is not None and good.text == fixed and good.saved_on == dt.date(2026, 12, 5)


def test_a_refused_value_takes_the_copys_value_else_the_default(tmp_path: Path) -> None:
    path, store = _kept(tmp_path)
    path.write_text(SHOP_FILE.replace('database = "pos/pmv.sqlite3"', "database = 5")
                    + "[updates]\ninterval_hours = 0\n", encoding="utf-8")
    loaded = load_settings(path, last_good=store)
    assert loaded.source is Source.FILE
    by_key = {p.key: p for p in loaded.problems}
    assert (by_key["pos.database"].fallback, by_key["pos.database"].last_good_on) == (
        Fallback.LAST_GOOD, dt.date(2026, 12, 3))
    assert loaded.settings.pos.database == (path.parent / "pos" / "pmv.sqlite3").resolve()  # the POS stays watched
    assert by_key["updates.interval_hours"].fallback is Fallback.DEFAULT  # not in the copy: the default
    assert loaded.settings.updates.interval_hours == Settings().updates.interval_hours


def test_a_copys_value_a_newer_rule_refuses_gives_way_to_the_default(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    store = LastGoodStore.in_data_dir(tmp_path / "data", FixedClock(KEPT_AT))
    store.save(path, "[vendor]\ntimeout_seconds = 900\n")  # kept by an older version that allowed it
    path.write_text("[vendor]\ntimeout_seconds = -1\n", encoding="utf-8")
    loaded = load_settings(path, last_good=store)
    assert [(p.key, p.code, p.fallback) for p in loaded.problems] == [
        ("vendor.timeout_seconds", Reason.OUT_OF_RANGE, Fallback.DEFAULT)]
    assert loaded.settings.vendor.timeout_seconds == Settings().vendor.timeout_seconds


def test_an_emptied_or_deleted_file_runs_on_the_copy(tmp_path: Path) -> None:
    path, store = _kept(tmp_path)
    path.write_text("", encoding="utf-8")  # a save cut short (disk full, power cut)
    loaded = load_settings(path, last_good=store)
    assert [(p.kind, p.code) for p in loaded.problems] == [(ProblemKind.EMPTY, Reason.EMPTY_FILE)]
    assert loaded.source is Source.LAST_GOOD and loaded.settings.vendor.timeout_seconds == 20
    path.unlink()
    loaded = load_settings(path, last_good=store)
    assert [(p.kind, p.code) for p in loaded.problems] == [(ProblemKind.MISSING, Reason.FILE_MISSING)]
    assert loaded.source is Source.LAST_GOOD and not loaded.exists
    assert loaded.settings.pos.database == (path.parent / "pos" / "pmv.sqlite3").resolve()


def test_an_empty_or_absent_file_with_no_copy_is_a_plain_default_setup(tmp_path: Path) -> None:
    store = LastGoodStore.in_data_dir(tmp_path / "data", FixedClock(KEPT_AT))
    path = tmp_path / "settings.toml"
    assert load_settings(path, last_good=store).ok  # a fresh install
    path.write_text("", encoding="utf-8")
    loaded = load_settings(path, last_good=store)  # TOML 1.0's ABNF allows an empty document
    assert loaded.ok and loaded.source is Source.FILE and loaded.settings == Settings()


@pytest.mark.parametrize("raw, code, line", [
    ('language = "vi"\n'.encode("utf-16"), Reason.NOT_UTF8, 1),  # Notepad's "Unicode"
    (b'language = "vi"\n[shop]\nname = "Ti\xean v\xe0ng"\n', Reason.NOT_UTF8, 3),  # Windows-1258
])
def test_a_file_not_in_utf8_runs_on_the_copy_naming_the_line(tmp_path: Path, raw: bytes, code: Reason,
                                                              line: int) -> None:
    path, store = _kept(tmp_path)
    path.write_bytes(raw)
    loaded = load_settings(path, last_good=store)
    assert [(p.kind, p.code, p.line) for p in loaded.problems] == [(ProblemKind.UNREADABLE, code, line)]
    assert loaded.source is Source.LAST_GOOD


def test_a_file_with_any_problem_never_becomes_the_copy(tmp_path: Path) -> None:
    store = LastGoodStore.in_data_dir(tmp_path / "data", FixedClock(KEPT_AT))
    path = tmp_path / "settings.toml"
    path.write_text(SHOP_FILE + "nmae = 1\n", encoding="utf-8")  # an unknown key (a typo)
    loaded = load_settings(path, last_good=store)
    assert [(p.kind, p.code, p.fallback) for p in loaded.problems] == [
        (ProblemKind.UNKNOWN_KEY, Reason.UNKNOWN_KEY, Fallback.IGNORED)]
    assert not keep_if_clean(loaded, store) and store.read(path) is None


def test_one_bad_printer_entry_costs_that_entry_only(tmp_path: Path) -> None:
    # A refused value inside a [[devices.printers]] entry used to be undroppable, so every setting went to default.
    path = tmp_path / "settings.toml"
    path.write_text(
        SHOP_FILE
        + '[[devices.printers]]\nname = "Tem vàng"\nport = "abc"\n'
        + "[[devices.printers]]\nport = 9100\n"  # no name: the entry cannot stand
        + '[[devices.printers]]\nname = "Tem bạc"\nhost = "192.168.1.50"\n',
        encoding="utf-8",
    )
    loaded = load_settings(path)
    assert sorted((p.key, p.code) for p in loaded.problems) == [
        ("devices.printers.0.port", Reason.WRONG_TYPE), ("devices.printers.1.name", Reason.MISSING_VALUE)]
    assert loaded.settings.shop.name == "Tiệm vàng Kim Phát" and loaded.settings.vendor.timeout_seconds == 20
    assert [(p.name, p.port, p.host) for p in loaded.settings.devices.printers] == [
        ("Tem vàng", 9100, ""), ("Tem bạc", 9100, "192.168.1.50")]


def test_problems_are_plain_data_for_the_command_line(tmp_path: Path) -> None:
    path, store = _kept(tmp_path)
    path.write_text(SHOP_FILE.replace("[pos]", "[pos"), encoding="utf-8")
    [problem] = load_settings(path, last_good=store).problems
    assert problem.as_dict() == {
        "kind": "syntax", "code": "missing_bracket", "line": 7, "key": None, "value": None,
        "fallback": "last_good", "last_good_on": "2026-12-03",
    }
