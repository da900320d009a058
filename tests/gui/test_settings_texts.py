"""The banner names the settings file's real problem, in Vietnamese, with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.infra.settings import (
    Fallback,
    LoadedSettings,
    ProblemKind,
    Reason,
    Settings,
    SettingsProblem,
    Source,
    load_settings,
)
from app.infra.settings_last_good import LastGoodStore
from app.ui.levels import Level
from app.ui.settings_texts import reason_text, settings_banners, settings_problem_text
from tests.helpers import FixedClock

KEPT_AT = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 09:00 on 03/12/2026 in the shop
GOOD = '[shop]\nname = "Tiệm vàng Kim Phát"\n\n[pos]\nprocess_name = "PMV.exe"\n\n\n\ndatabase = "pos/pmv.sqlite3"\n'


def _loaded(tmp_path: Path, broken: str, *, keep: bool) -> LoadedSettings:
    path = tmp_path / "settings.toml"
    store = LastGoodStore.in_data_dir(tmp_path / "data", FixedClock(KEPT_AT))
    if keep:
        store.save(path, GOOD)
    path.write_text(broken, encoding="utf-8")
    return load_settings(path, last_good=store)


def test_an_unclosed_quote_is_named_with_its_line_and_the_copy_in_use(qapp: QApplication, tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, GOOD.replace('"pos/pmv.sqlite3"', '"pos/pmv.sqlite3'), keep=True)
    [banner] = settings_banners(loaded)
    assert banner.label.text() == (
        "Tệp cấu hình có lỗi ở dòng 9 (chuỗi thiếu dấu nháy đóng); đang dùng cấu hình hợp lệ gần nhất (03/12/2026). "
        f"Hãy sửa tệp {loaded.path} rồi mở lại ứng dụng.")
    assert "gạch chéo" not in banner.label.text()  # tomllib's "\n" in its message is no backslash in the file
    assert Level.WARNING.color.name() in banner.styleSheet()


def test_without_a_copy_the_banner_is_red_and_says_the_shop_is_not_watched(qapp: QApplication,
                                                                           tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, GOOD.replace("[pos]", "[pos"), keep=False)
    [banner] = settings_banners(loaded)
    text = banner.label.text()
    assert text.startswith("Tệp cấu hình có lỗi ở dòng 4 (tên nhóm trong [ ] thiếu dấu ] đóng); "
                           "đang dùng cấu hình mặc định nên ứng dụng không theo dõi được phần mềm PMV.")
    assert "Expected" not in text and "1900 6037" in text  # never the parser's English; the hotline
    assert Level.CRITICAL.color.name() in banner.styleSheet()


def test_checking_a_text_before_saving_names_only_the_cause(qapp: QApplication) -> None:
    problem = SettingsProblem(ProblemKind.SYNTAX, None, code=Reason.BAD_ESCAPE, line=3)
    assert settings_problem_text(problem) == (
        "Tệp cấu hình có lỗi ở dòng 3 (dấu \\ không hợp lệ trong chuỗi (thường là đường dẫn Windows); "
        "hãy dùng dấu / hoặc đặt đường dẫn trong dấu nháy đơn).")


def test_a_refused_value_says_which_value_replaces_it(qapp: QApplication) -> None:
    kept = SettingsProblem(ProblemKind.INVALID_VALUE, "pos.database", 5, code=Reason.WRONG_TYPE,
                           fallback=Fallback.LAST_GOOD, last_good_on=dt.date(2026, 12, 3))
    assert settings_problem_text(kept, Path("settings.toml")) == (
        "Mục cấu hình “pos.database” có giá trị “5” sai kiểu dữ liệu. Đang dùng giá trị hợp lệ gần nhất (03/12/2026). "
        "Hãy sửa mục này trong tệp settings.toml.")  # what to do: the warning stays until the file is fixed
    # a value holding a placeholder is shown as written, never filled in a second time
    odd = SettingsProblem(ProblemKind.INVALID_VALUE, "shop.name%3", "%1%2", code=Reason.OUT_OF_RANGE)
    assert settings_problem_text(odd) == (
        "Mục cấu hình “shop.name%3” có giá trị “%1%2” nằm ngoài khoảng cho phép. Đang dùng giá trị mặc định.")


@pytest.mark.parametrize("code", list(Reason))
def test_every_reason_code_has_words(qapp: QApplication, code: Reason) -> None:
    assert not reason_text(code).isascii()  # a Vietnamese phrase, with its diacritics, for every code


def test_a_clean_load_shows_no_banner(qapp: QApplication, tmp_path: Path) -> None:
    assert settings_banners(LoadedSettings(Settings(), tmp_path / "settings.toml", True, source=Source.FILE)) == []


def test_in_english_the_banner_and_the_checks_details_say_the_problem_in_english(
        qapp: QApplication, tmp_path: Path) -> None:
    """One set of words (app.infra.settings_words) for the banner and the settings check: both follow the window."""
    from app.health.checks.settings import check_settings
    from app.health.context import CheckContext
    from app.ui.i18n import said
    from tests.gui.languages import english_installed

    loaded = _loaded(tmp_path, GOOD.replace('"pos/pmv.sqlite3"', '"pos/pmv.sqlite3'), keep=True)
    ctx = CheckContext(loaded.settings, clock=lambda: KEPT_AT, loaded_settings=loaded)
    try:
        result = check_settings(ctx)
    finally:
        ctx.close()
    with english_installed(qapp):
        [banner] = settings_banners(loaded)
        details = said(result.details)
        summary = said(result.summary)
    assert banner.label.text() == (
        "The settings file has an error on line 9 (a string is missing its closing quote); using the last valid "
        f"settings (03/12/2026). Fix the file {loaded.path}, then reopen the app.")
    assert details.split("\n") == [f"Settings file: {loaded.path}",
                                   "The settings file has an error on line 9 (a string is missing its closing quote)."]
    assert summary == "The settings file has an error on line 9; using the last valid settings (03/12/2026)"
