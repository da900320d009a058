"""Shared fixtures.  Tests never touch the real per-user config or data dirs."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class _LoggerTable(dict):
    """The logging manager's name-to-logger table, whose ``values()`` is a snapshot taken under the GIL.

    pytest's log capture walks ``loggerDict.values()`` at every test's setup without logging's lock. A worker
    thread still finishing the previous test (a TaskRunner job, the embedded vendor's uvicorn) that makes a
    logger at that moment, usually by importing a module for the first time, then breaks the next test's setup
    with "dictionary changed size during iteration" (seen once in CI, under libfaketime). Copying the values in
    one C call cannot be interleaved with another thread, so the walk sees a consistent table.
    """

    def values(self):
        return list(super().values())


logging.Logger.manager.loggerDict = _LoggerTable(logging.Logger.manager.loggerDict)

from app.health.machine import MachineProbes  # noqa: E402
from app.infra.paths import HOME_ENV, AppPaths  # noqa: E402
from app.shop.demo import DemoShop, create_demo_shop  # noqa: E402

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.storage.db import Database
from tests.helpers import FixedClock  # noqa: E402

# The demo shop's data ends on this day; every test that runs checks on it gets a clock on that day
# (demo_clock), never the real one, so the suite passes on any date (CI reruns it 400 days ahead).
DEMO_TODAY = dt.date(2026, 11, 25)
SHOP_TZ = dt.timezone(dt.timedelta(hours=7))
# 21:00 in the shop: after closing (08:00-20:00), so no POS process is expected and today's board is current.
DEMO_NOW = dt.datetime.combine(DEMO_TODAY, dt.time(21, 0), tzinfo=SHOP_TZ)


# Tests that read no clock at all (scanner and printer protocols, redaction, the translation and layering checks, bad
# command-line input refused before any date is read): the run with the clock moved leaves them out, since another
# day cannot change them, and the whole CI run stays well under its 30 minutes.  Marked here by path, not in each
# module, so that a new date-bound test in these places is a reviewer's question, not a silent exclusion.
CLOCK_FREE = (
    "tests/unit/devices/",
    "tests/gui/test_devices_page.py",
    "tests/unit/support/test_redaction.py",
    "tests/unit/health/test_checks_pos_url.py",
    "tests/unit/test_cli_bad_input.py",
    "tests/unit/test_translations.py",
    "tests/gui/test_english_plurals.py",
    "tests/unit/test_layering.py",
    "tests/unit/test_import_cycles.py",
    "tests/unit/test_readme_map.py",
    "tests/unit/test_stable_entry_points.py",
)
_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = Path(str(item.fspath)).resolve().relative_to(_ROOT).as_posix()
        if where.startswith(CLOCK_FREE):
            item.add_marker(pytest.mark.clock_free)


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


@pytest.fixture
def app_paths(app_home: Path) -> AppPaths:
    return AppPaths.default().ensure()


@pytest.fixture(scope="session")
def demo_shop_template(tmp_path_factory: pytest.TempPathFactory) -> DemoShop:
    return create_demo_shop(tmp_path_factory.mktemp("demo") / "shop", today=DEMO_TODAY)


@pytest.fixture
def demo_shop(tmp_path: Path) -> DemoShop:
    return create_demo_shop(tmp_path / "shop", today=DEMO_TODAY)


@pytest.fixture
def demo_clock() -> FixedClock:
    """Now, for a test on the demo shop: the evening of DEMO_TODAY in the shop, whatever the real date."""
    return FixedClock(DEMO_NOW)


@pytest.fixture
def app_db(tmp_path: Path) -> Iterator[Database]:
    """A new app database (migrated to head) in the test's folder, closed after the test."""
    from app.storage.db import Database

    database, _notices = Database.open(tmp_path / "app.sqlite3")
    yield database
    database.close()


@pytest.fixture
def quiet_machine() -> MachineProbes:
    """A till PC with room to spare, whatever the CI box is doing (2 busy cores say 'CPU 100%')."""
    return MachineProbes.fixed(cpu_percent=7.0, memory_percent=45.0)


@pytest.fixture
def runtime(demo_shop: DemoShop, app_paths: AppPaths, demo_clock: FixedClock,
            quiet_machine: MachineProbes) -> Iterator[Runtime]:
    """The app started on the demo shop, on the shop's own day and a quiet PC."""
    from app.bootstrap import bootstrap

    # The crash handler stays off: pytest (and pytest-qt in GUI tests) owns sys.excepthook.
    rt = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False,
                   clock=demo_clock, machine=quiet_machine)
    yield rt
    rt.database.close()


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real, nearly full file system (a 32 KiB tmpfs) for 'disk full' tests; needs root."""
    import subprocess

    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


@pytest.fixture
def no_os_keyring() -> Iterator[None]:
    """The token store uses the OS keyring: a test never reads or writes a developer's real one (tokens go to the
    fallback file under the test's home instead)."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
