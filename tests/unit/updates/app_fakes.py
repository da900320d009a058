"""Fake app bundles for the app-update tests: real executables (shell scripts), not mocks.

A bundle's ``pmv-support`` writes the start signal the real app writes
(``mark_started``) and records the arguments it was started with, or
misbehaves the way a broken release would: exits at once, or hangs.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from app.updates.app_install import EXECUTABLE, AppInstall
from app.updates.app_swap import SwapOutcome, last_outcome, launch_helper

GOOD = "good"
CRASHES = "crashes"  # exits with code 3 before it is up
HANGS = "hangs"  # never signals


def script(version: str, data_dir: Path, behaviour: str = GOOD) -> str:
    signal = (f"mkdir -p '{data_dir}/updates/app'\n"
              f"printf '{{\"version\": \"{version}\", \"pid\": %s, \"at\": \"now\"}}' $$ "
              f"> '{data_dir}/updates/app/started.json'\n")
    body = {GOOD: signal + "sleep 1\n", CRASHES: "exit 3\n", HANGS: "sleep 30\n"}[behaviour]
    return (f"#!/bin/sh\n# fake pmv-support {version}\n"
            f"echo \"{version} $*\" >> '{data_dir}/launches.txt'\n{body}")


def make_bundle(folder: Path, version: str, data_dir: Path, behaviour: str = GOOD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / EXECUTABLE
    exe.write_text(script(version, data_dir, behaviour), encoding="utf-8")
    exe.chmod(0o755)
    (folder / "_internal").mkdir(exist_ok=True)
    (folder / "_internal" / "base_library.zip").write_bytes(version.encode() * 100)
    return folder


def bundle_zip(version: str, data_dir: Path, behaviour: str = GOOD, *, top: str = "pmv-support") -> bytes:
    """The bundle as the vendor publishes it: a zip with one top folder, the program marked executable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{top}/{EXECUTABLE}", date_time=time.localtime()[:6])
        info.external_attr = (stat.S_IFREG | 0o755) << 16
        archive.writestr(info, script(version, data_dir, behaviour))
        archive.writestr(f"{top}/_internal/base_library.zip", version.encode() * 100)
    return buffer.getvalue()


def launches(data_dir: Path) -> list[str]:
    path = data_dir / "launches.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def wait_for_launches(data_dir: Path, count: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(launches(data_dir)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return launches(data_dir)


def hand_over_after_exit(install: AppInstall, data_dir: Path, args: list[str], *, lives: float = 0.5) -> SwapOutcome:
    """The hand-over as the app does it: the helper is started for a running app (a stand-in process living
    ``lives`` seconds), the app exits, the helper swaps; the outcome it recorded (which must be there)."""
    old_app = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({lives})"])
    helper = launch_helper(install, data_dir, args, pid=old_app.pid)
    old_app.wait()
    helper.wait(60)
    outcome = last_outcome(data_dir)
    assert outcome is not None
    return outcome


def fake_installer(path: Path, program: Path, version: str, data_dir: Path, *, exit_code: int = 0,
                   behaviour: str = GOOD) -> Path:
    """An 'Inno Setup installer': replaces the program folder's files, records its arguments, exits."""
    new_program = script(version, data_dir, behaviour)
    path.write_text(
        "#!/bin/sh\n"
        f"echo \"$*\" > '{data_dir}/installer-args.txt'\n"
        f"cat > '{program}/{EXECUTABLE}' <<'PMV_EOF'\n{new_program}PMV_EOF\n"
        f"chmod 755 '{program}/{EXECUTABLE}'\n"
        f"echo {version} > '{program}/version.txt'\n"
        f"exit {exit_code}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def staged_side_by_side(tmp_path: Path, data: Path, behaviour: str = GOOD, version: str = "0.2.0"):  # type: ignore[no-untyped-def]
    """A side-by-side install running 0.1.0 with ``version`` staged: (root, install)."""
    from app.updates.app_install import AppInstall, InstallKind, create_layout, stage_update

    root = tmp_path / "install"
    create_layout(root, make_bundle(tmp_path / "dist", "0.1.0", data), "0.1.0")
    install = AppInstall(InstallKind.SIDE_BY_SIDE, root, "0.1.0")
    archive = tmp_path / f"pmv-support-{version}.zip"
    archive.write_bytes(bundle_zip(version, data, behaviour))
    stage_update(install, archive, version, data)
    return root, install


def read_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["GOOD", "CRASHES", "HANGS", "make_bundle", "bundle_zip", "launches", "wait_for_launches",
           "fake_installer", "read_json", "os"]
