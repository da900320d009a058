"""The Qt-free rule is an import-linter contract; these tests keep it complete."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_every_core_module_is_under_the_qt_free_contract() -> None:
    qt_free = set(_contracts()[0]["source_modules"])
    modules = {f"app.{info.name}" for info in pkgutil.iter_modules(app.__path__)}
    allowed_to_reach_qt = {"app.ui", "app.cli", "app.__main__"}
    assert modules - allowed_to_reach_qt <= qt_free, "add new core modules to the contract"
    assert "PySide6" in _contracts()[0]["forbidden_modules"]


def test_core_imports_without_loading_qt() -> None:
    code = (
        "import sys, app.cli, app.runtime, app.settings, app.storage.repositories, app.shop.demo;"
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


def test_lint_imports_passes() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
