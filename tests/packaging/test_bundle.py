"""Smoke test of the PyInstaller bundle: build it once, then run it headless.

Slow (about a minute to build): run with ``pytest -m slow tests/packaging``.
It proves the frozen app finds its resources, runs its Alembic migrations,
talks SQLAlchemy to SQLite, renders Qt offscreen and carries zxing-cpp.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1800
RUN_TIMEOUT_S = 120

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller is not installed (pip install -e '.[packaging]')"),
]


@pytest.fixture(scope="session")
def bundle_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_spec.py"), "--dist", str(out / "dist"), "--work", str(out / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    assert "MB" in result.stdout  # the size report
    exe = out / "dist" / "pmv-support" / ("pmv-support.exe" if sys.platform == "win32" else "pmv-support")
    assert exe.is_file()
    return exe


@pytest.fixture
def run(bundle_exe: Path, tmp_path: Path):
    env = {**os.environ, "PMV_SUPPORT_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bundle_exe), *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=RUN_TIMEOUT_S)

    return _run


def test_version(run) -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"


def test_demo_shop_then_check_json(run, tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    made = run("demo-shop", str(shop))
    assert made.returncode == 0, made.stderr
    assert (shop / "settings.toml").is_file()

    result = run("--config", str(shop / "settings.toml"), "check", "--json")
    report = json.loads(result.stdout)  # valid JSON whatever the verdict
    statuses = {item["id"]: item["status"] for item in report["results"]}
    assert statuses.get("pos.db.connect") == "ok", statuses
    # The app's own database was created and migrated from the bundled scripts.
    assert (tmp_path / "home" / "data" / "pmv-support.sqlite3").is_file()


def test_screenshot(run, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run("--no-err-windows", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered window, not an empty image


def test_label_zpl(run, tmp_path: Path) -> None:
    out = tmp_path / "x.zpl"
    result = run("label", "--lang", "zpl", "--out", str(out))  # verified by decoding with zxing-cpp first
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("^XA") and "^XZ" in text


def test_a_run_of_tags_renders_in_the_frozen_apps_worker_process(run, tmp_path: Path) -> None:
    # The worker is the bundle's own executable started again by multiprocessing (spawn): it must become a
    # worker (the entry script's freeze_support), not a second app parsing "--multiprocessing-fork" as a command.
    out = tmp_path / "run.zpl"
    result = run("label", "--lang", "zpl", "--count", "60", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").count("^XA") == 60


def test_the_holiday_table_travels_with_the_bundle(bundle_exe: Path) -> None:
    # pmv_protocol.holiday_table reads it beside its module (build_spec.data_args puts it there); a bundle without it
    # would still work, through the holidays package, but load every country's rules for each year's deadlines.
    tables = list(bundle_exe.parent.rglob("pmv_protocol/data/vn_public_holidays.json"))
    assert len(tables) == 1, tables
    assert "2026-09-02" in json.loads(tables[0].read_text(encoding="utf-8"))["years"]["2026"]
