"""The wheel carries the resources the app reads, the update trust anchor included, where a wheel install looks.

A release made as resources/tuf/README.md says: the vendor exports its TUF root to the path that
``pmv-vendor repo init --help`` names, then ``pip wheel --no-deps`` builds the wheel (about ten seconds, with
pip's isolated build environment: the tests that need it are marked slow). Before issue 18 the data-files table
left ``resources/tuf`` out, so a wheel install could never trust the vendor's updates, and the help named
``resources/keys/root.json``, a path the app never reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.updates.service import trusted_root
from vendor_server.cli import main as vendor_main

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app", "vendor_server", "resources", "pyproject.toml", "README.md")  # what the build reads
DATA_PREFIX = "share/pmv-support/"  # pyproject's [tool.setuptools.data-files]; app.infra.resources looks there
BUILD_TIMEOUT_S = 600


def documented_anchor() -> str:
    """The trust anchor's path as ``pmv-vendor repo init --help`` tells the vendor to export it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as stop:
        vendor_main(["repo", "init", "--help"])
    assert stop.value.code == 0
    found = re.findall(r"resources/\S+/root\.json", out.getvalue())
    assert len(set(found)) == 1, out.getvalue()
    return found[0]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    """(copied source tree, built wheel, exported root): the working tree itself is left untouched."""
    base = tmp_path_factory.mktemp("release")
    source = base / "src"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=skip)
        else:
            shutil.copy2(path, source / name)
    anchor = source / documented_anchor()
    assert vendor_main(["repo", "init", "--data", str(base / "vendor"), "--export-root", str(anchor)]) == 0
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "wheel"),
                             str(source)], cwd=base, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    (wheel,) = (base / "wheel").glob("pmv_support-*.whl")
    return source, wheel, anchor.read_bytes()


def data_files(wheel: Path) -> dict[str, bytes]:
    """The wheel's data files by their path under ``<prefix>/share/pmv-support/`` (the wheel spec's .data/data)."""
    with zipfile.ZipFile(wheel) as archive:
        return {name.split(f".data/data/{DATA_PREFIX}", 1)[1]: archive.read(name) for name in archive.namelist()
                if f".data/data/{DATA_PREFIX}" in name}


def test_the_vendor_is_told_to_export_the_root_where_the_app_reads_it(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    anchor = documented_anchor()
    assert anchor == "resources/tuf/root.json"
    # The app reads exactly that file of its resources folder (here a folder of this test's).
    (tmp_path / anchor).parent.mkdir(parents=True)
    (tmp_path / anchor).write_bytes(b'{"signed": "the vendor\'s root"}')
    monkeypatch.setattr("app.updates.service.resources_dir", lambda: tmp_path / "resources")
    assert trusted_root(SimpleNamespace(demo=False)) == b'{"signed": "the vendor\'s root"}'


@pytest.mark.slow  # builds the wheel (about ten seconds)
def test_the_wheel_carries_the_exported_root(release: tuple[Path, Path, bytes]) -> None:
    _source, wheel, root = release
    files = data_files(wheel)
    assert files.get("resources/tuf/root.json") == root


@pytest.mark.slow  # builds the wheel (about ten seconds)
def test_the_wheel_carries_every_resource_the_app_reads(release: tuple[Path, Path, bytes]) -> None:
    source, wheel, _root = release
    # Everything under resources/ but the notes for people (README.md) and the translation sources (.ts).
    wanted = {str(path.relative_to(source)).replace("\\", "/") for path in (source / "resources").rglob("*")
              if path.is_file() and path.suffix not in (".md", ".ts")}
    assert {"resources/icons/nav-devices.svg", "resources/translations/pmv_support_en.qm"} <= wanted
    assert set(data_files(wheel)) == wanted


@pytest.mark.slow  # builds the wheel (about ten seconds)
def test_an_install_from_the_wheel_trusts_the_exported_root(release: tuple[Path, Path, bytes],
                                                            tmp_path: Path) -> None:
    """Unpack the wheel as pip lays it out (code in site-packages, data under the prefix) and ask the app."""
    _source, wheel, root = release
    prefix, site = tmp_path / "prefix", tmp_path / "prefix" / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if ".data/data/" in name:
                target = prefix / name.split(".data/data/", 1)[1]
            else:
                target = site / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
    probe = (
        "import hashlib, sys, types\n"
        f"sys.prefix = {str(prefix)!r}\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "import app\n"
        f"assert app.__file__.startswith({str(site)!r}), app.__file__  # the wheel's code, not the checkout's\n"
        "from app.infra.resources import resources_dir\n"
        "from app.updates.service import trusted_root\n"
        "from app.updates.tuf_client import load_root_bytes\n"
        "data = trusted_root(types.SimpleNamespace(demo=False))\n"
        "assert load_root_bytes(resources_dir() / 'tuf' / 'root.json') == data\n"
        "print(hashlib.sha256(data).hexdigest())\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == hashlib.sha256(root).hexdigest()
