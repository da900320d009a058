"""settings.valid: a broken settings file is reported by the health report itself, and the POS stays watched.

Real parts throughout: the demo shop's real settings file and POS database, the real last-good
store, the real runner and the real JSON / Nagios output; only the clock is fixed.
Nagios exit codes: 0 OK, 1 WARNING, 2 CRITICAL (Nagios plugin guidelines, "Plugin Return Codes").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.health.checks import database
from app.health.checks.settings import CHECK_ID, CHECKS, REMEDIES
from app.health.context import CheckContext
from app.health.model import Status
from app.health.output import nagios, to_dict
from app.health.registry import default_checks, remedies
from app.health.runner import run_checks
from app.infra.settings import keep_if_clean, load_settings
from app.infra.settings_last_good import LastGoodStore
from app.shop.demo import DemoShop
from tests.helpers import FixedClock
from tests.unit.health.conftest import SHOP_NOW

KEPT_AT = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 09:00 on 03/12/2026 in the shop


def _break_line(settings_file: Path, key: str) -> int:
    """Drop the closing quote of ``key``'s value, the commonest slip; returns that line's number."""
    lines = settings_file.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = \""))
    lines[number] = lines[number].rstrip('"')
    settings_file.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def _report(demo_shop: DemoShop, store: LastGoodStore, checks: list | None = None):  # type: ignore[no-untyped-def]
    loaded = load_settings(demo_shop.settings_file, last_good=store)
    ctx = CheckContext(loaded.settings, clock=lambda: SHOP_NOW, loaded_settings=loaded)
    try:
        return run_checks(checks or CHECKS, ctx)
    finally:
        ctx.close()


def _store(tmp_path: Path) -> LastGoodStore:
    return LastGoodStore.in_data_dir(tmp_path / "data", FixedClock(KEPT_AT))


def test_a_clean_file_is_ok_and_an_absent_one_is_not_a_fault(demo_shop: DemoShop, tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert _report(demo_shop, store).by_id()[CHECK_ID].status is Status.OK
    demo_shop.settings_file.unlink()
    assert _report(demo_shop, store).by_id()[CHECK_ID].status is Status.SKIPPED  # a fresh install, no copy


def test_with_a_last_good_copy_it_warns_in_the_words_of_the_issue_and_the_pos_stays_watched(
        demo_shop: DemoShop, tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert keep_if_clean(load_settings(demo_shop.settings_file, last_good=store), store)
    line = _break_line(demo_shop.settings_file, "database")
    report = _report(demo_shop, store, CHECKS + database.CHECKS)
    settings = report.by_id()[CHECK_ID]
    assert settings.status is Status.WARNING
    assert settings.summary == (f"Tệp cấu hình có lỗi ở dòng {line}; "
                                "đang dùng cấu hình hợp lệ gần nhất (03/12/2026)")
    assert settings.remedy == "settings.last_good"
    assert str(demo_shop.settings_file) in settings.details
    # the point of the copy: the POS database is still checked, not skipped
    assert report.by_id()[database.CONNECT_ID].status is Status.OK
    line_out, code = nagios(report)
    assert code == 1 and f"{CHECK_ID}: Tệp cấu hình có lỗi ở dòng {line}" in line_out


def test_without_a_copy_it_is_critical_and_nagios_exits_2_naming_it(demo_shop: DemoShop, tmp_path: Path) -> None:
    line = _break_line(demo_shop.settings_file, "database")
    report = _report(demo_shop, _store(tmp_path), CHECKS + database.CHECKS)
    settings = report.by_id()[CHECK_ID]
    assert settings.status is Status.CRITICAL and settings.remedy == "settings.broken"
    assert settings.summary.startswith(f"Tệp cấu hình có lỗi ở dòng {line}; đang dùng cấu hình mặc định")
    assert report.by_id()[database.CONNECT_ID].status is Status.SKIPPED  # what used to pass silently
    line_out, code = nagios(report)
    assert code == 2 and line_out.startswith(f"PMV CRITICAL - {CHECK_ID}: Tệp cấu hình có lỗi ở dòng {line}")
    [entry] = [r for r in to_dict(report, remedies())["results"] if r["id"] == CHECK_ID]  # what check --json prints
    assert entry["status"] == "critical" and entry["remedy"]["steps"] == REMEDIES["settings.broken"]


def test_refused_values_warn_naming_the_keys(demo_shop: DemoShop, tmp_path: Path) -> None:
    text = demo_shop.settings_file.read_text(encoding="utf-8")
    text = text.replace("interval_minutes = 30\n", "interval_minutes = 1\n").replace("[shop]\n", "[shop]\nnmae = 2\n")
    demo_shop.settings_file.write_text(text, encoding="utf-8")
    result = _report(demo_shop, _store(tmp_path)).by_id()[CHECK_ID]
    assert result.status is Status.WARNING and result.remedy == "settings.invalid_value"
    assert "health.interval_minutes" in result.summary and "shop.nmae" in result.summary


def test_the_details_say_each_problem_in_the_banners_words_not_the_parsers_english(
        demo_shop: DemoShop, tmp_path: Path) -> None:
    """The details pane, the PDF and the history showed ``SettingsProblem.describe()``, English for the log, to a
    Vietnamese cashier; they now say each problem as the window's banner does, one a line under the file's path."""
    text = demo_shop.settings_file.read_text(encoding="utf-8")
    text = text.replace("interval_minutes = 30\n", "interval_minutes = 1\n").replace("[shop]\n", "[shop]\nnmae = 2\n")
    demo_shop.settings_file.write_text(text, encoding="utf-8")
    details = _report(demo_shop, _store(tmp_path)).by_id()[CHECK_ID].details
    assert details.split("\n") == [
        f"Tệp cấu hình: {demo_shop.settings_file}",
        "Mục cấu hình không xác định “shop.nmae” đã được bỏ qua (có thể gõ sai tên).",
        "Mục cấu hình “health.interval_minutes” có giá trị “1” nằm ngoài khoảng cho phép. Đang dùng giá trị mặc định.",
    ]
    line = _break_line(demo_shop.settings_file, "database")
    details = _report(demo_shop, _store(tmp_path)).by_id()[CHECK_ID].details
    # The summary stays one line for Nagios; the details say why (tomllib's English never reaches them).
    assert details.split("\n")[1] == f"Tệp cấu hình có lỗi ở dòng {line} (chuỗi thiếu dấu nháy đóng)."
    assert "using" not in details and "TOML" not in details


def test_the_check_is_registered_first_with_its_remedies() -> None:
    checks = default_checks()
    assert checks[0].id == CHECK_ID  # first: when it fails, it explains the skipped POS checks after it
    assert set(REMEDIES) <= set(remedies())
