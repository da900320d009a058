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


def _contract(name: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"] == name)


def _top_level_modules() -> set[str]:
    return {f"app.{info.name}" for info in pkgutil.iter_modules(app.__path__)}


def test_every_core_module_is_under_the_qt_free_contract() -> None:
    contract = _contract("Only app.ui imports PySide6")
    allowed_to_reach_qt = {"app.ui", "app.cli", "app.__main__"}
    assert _top_level_modules() - allowed_to_reach_qt <= set(contract["source_modules"]), \
        "add new core modules to the contract"
    assert "PySide6" in contract["forbidden_modules"]


def test_every_top_level_module_has_its_layer() -> None:
    layers = _contract("The shop client's layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.replace("|", ":").split(":")}
    assert _top_level_modules() <= named, "give each new top-level module or package its layer in pyproject.toml"


def test_core_imports_without_loading_qt() -> None:
    code = (
        "import sys, app.cli, app.runtime, app.infra.settings, app.storage.repositories, app.shop.demo;"
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr


def test_lint_imports_passes() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
