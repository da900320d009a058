"""README's "Where things are" names every module and folder at the top of each package, and nothing that is gone.

The map is how a newcomer finds a feature (issue 20); modules added later were left out of it twice.  Below
the top of a package, a feature folder's files are described by kind (page.py, state.py, texts.py…), so only
the top levels are held to the tree.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The packages whose top level the map lists one by one.
LISTED = ("pmv_protocol", "app", "app/ui", "vendor_server")


def _map() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Where things are", 1)[1]
    return section.split("```", 2)[1]


def _tracked() -> list[str]:
    done = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def _top_level(package: str, files: list[str]) -> set[str]:
    names = set()
    for path in files:
        if not path.startswith(package + "/"):
            continue
        rest = path[len(package) + 1:]
        if "/" in rest:
            folder = rest.split("/", 1)[0]
            if folder != "__pycache__":
                names.add(folder + "/")
        elif rest.endswith(".py"):
            names.add(rest)
    return names


def test_every_top_level_module_and_folder_is_on_the_map() -> None:
    shown, files = _map(), _tracked()
    missing = sorted(f"{package}/{name}" for package in LISTED for name in _top_level(package, files)
                     if not re.search(rf"(?<![\w/.]){re.escape(name)}", shown) and name != "py.typed")
    assert missing == [], "add these to README's 'Where things are'"


def test_every_module_the_map_names_exists() -> None:
    basenames = {Path(path).name for path in _tracked()}
    named = set(re.findall(r"\b[\w]+\.py\b", _map()))
    assert named, "the pattern found nothing: the map's format changed"
    assert sorted(named - basenames) == []
