"""Start-up's settings part: the last good copy is kept and used, and problems reach the front end once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import bootstrap
from app.infra.paths import AppPaths
from app.infra.settings import ProblemKind, Reason, Source
from app.infra.settings_last_good import FOLDER_NAME
from app.runtime import Runtime
from tests.helpers import KEPT_AT, SHOP_AND_POS_LINES, FixedClock, unclosed_quote_on_line_9

GOOD = (
    'language = "vi"\n'  # 1
    'data_dir = "du-lieu"\n'  # 2: relative, so next to the settings file
    + SHOP_AND_POS_LINES
)
BROKEN = unclosed_quote_on_line_9(GOOD)


@pytest.fixture
def started(app_paths: AppPaths) -> Iterator[list[Runtime]]:
    runtimes: list[Runtime] = []
    yield runtimes
    for runtime in runtimes:
        runtime.close()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_pmv_support_handler", False)]:
        root.removeHandler(handler)  # the stderr handler holds pytest's captured stream
        handler.close()


def _start(config: Path, paths: AppPaths, started: list[Runtime], **options: object) -> Runtime:
    runtime = bootstrap(config, paths=paths, install_crash_handler=False, clock=FixedClock(KEPT_AT),
                        **options)  # type: ignore[arg-type]
    started.append(runtime)
    return runtime


def test_a_broken_file_starts_on_the_last_good_copy_and_the_shops_own_data_dir(
        tmp_path: Path, app_paths: AppPaths, started: list[Runtime]) -> None:
    config = tmp_path / "shop" / "settings.toml"
    config.parent.mkdir()
    config.write_text(GOOD, encoding="utf-8")
    first = _start(config, app_paths, started)
    assert first.loaded.ok and first.paths.data_dir == (config.parent / "du-lieu").resolve()
    # the copy is in the app's own data dir, where a broken file that names another one still lets us find it
    assert len(list((app_paths.data_dir / FOLDER_NAME).iterdir())) == 1
    config.write_text(BROKEN, encoding="utf-8")
    second = _start(config, app_paths, started)
    assert second.loaded.source is Source.LAST_GOOD and second.loaded.last_good_on == dt.date(2026, 12, 3)
    assert [(p.kind, p.code, p.line) for p in second.loaded.problems] == [
        (ProblemKind.SYNTAX, Reason.UNTERMINATED_STRING, 9)]
    assert second.paths.data_dir == first.paths.data_dir  # the shop's database, not a fresh empty one
    assert second.settings.pos.database == (config.parent / "pos" / "pmv.sqlite3").resolve()


def test_start_up_logs_settings_problems_to_the_file_and_leaves_stderr_to_the_front_end(
        tmp_path: Path, app_paths: AppPaths, started: list[Runtime], capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(BROKEN.replace('data_dir = "du-lieu"\n', ""), encoding="utf-8")
    runtime = _start(config, app_paths, started, log_to_stderr=True)
    assert "not valid TOML" not in capsys.readouterr().err  # the CLI prints loaded.problems itself: once
    logging.getLogger().handlers[0].flush()
    assert "not valid TOML at line 8" in runtime.log_file.read_text(encoding="utf-8")
    assert runtime.loaded.source is Source.DEFAULTS


def test_the_audit_log_and_the_activity_are_stamped_with_the_runtimes_clock(runtime, demo_clock) -> None:  # type: ignore[no-untyped-def]
    """The technician log showed the PC's wall clock (09:07 07/12/2026) while the shop's day was 25/11/2026."""
    entry = runtime.audit_log().record("Trần Minh", "unlock", "ok")
    assert entry.at == demo_clock()
    assert runtime.activity.add("app", "started", version="0.1.0").at == demo_clock()
