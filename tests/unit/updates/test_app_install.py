"""Where this copy is installed, and staging a verified app update without touching the running version."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from app.updates.app_install import (
    EXECUTABLE,
    AppInstall,
    InstallKind,
    Pointer,
    StageError,
    StageProblem,
    create_layout,
    detect_install,
    read_pending,
    read_pointer,
    stage_update,
    version_dir,
    write_pointer,
)
from tests.unit.updates.app_fakes import bundle_zip, make_bundle


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    root = tmp_path / "install"
    create_layout(root, make_bundle(tmp_path / "dist" / "pmv-support", "0.1.0", tmp_path / "data"), "0.1.0")
    return root


def test_a_frozen_program_in_a_versions_folder_is_a_side_by_side_install(layout: Path) -> None:
    exe = version_dir(layout, "0.1.0") / EXECUTABLE
    found = detect_install(exe, frozen=True, windows=False)
    assert (found.kind, found.root, found.running_version) == (InstallKind.SIDE_BY_SIDE, layout.resolve(), "0.1.0")
    assert found.wants("app/pmv-support-0.2.0.zip") and not found.wants("app/pmv-support-0.2.0.exe")


def test_a_windows_program_folder_with_the_inno_uninstaller_is_an_installer_install(tmp_path: Path) -> None:
    program = tmp_path / "PMV Support Assistant"
    program.mkdir()
    (program / "pmv-support.exe").write_bytes(b"MZ")
    (program / "unins000.exe").write_bytes(b"MZ")
    found = detect_install(program / "pmv-support.exe", frozen=True, windows=True)
    assert found.kind is InstallKind.INSTALLER and found.root == program.resolve()
    assert found.wants("app/pmv-support-0.2.0.exe") and not found.wants("app/pmv-support-0.2.0.zip")
    # Without the uninstaller (an unpacked bundle) it cannot update itself.
    (program / "unins000.exe").unlink()
    assert detect_install(program / "pmv-support.exe", frozen=True, windows=True).kind is InstallKind.UNMANAGED


def test_a_source_or_pip_install_is_unmanaged_and_stages_nothing(tmp_path: Path) -> None:
    install = detect_install(Path("/usr/bin/python3"), frozen=False)
    assert install.kind is InstallKind.UNMANAGED and not install.can_apply
    archive = tmp_path / "pmv-support-0.2.0.zip"
    archive.write_bytes(bundle_zip("0.2.0", tmp_path))
    with pytest.raises(StageError) as caught:
        stage_update(install, archive, "0.2.0", tmp_path / "data")
    assert caught.value.problem is StageProblem.UNMANAGED
    assert read_pending(tmp_path / "data") is None


def test_staging_extracts_beside_the_running_version_and_keeps_the_program_executable(
        layout: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = (version_dir(layout, "0.1.0") / EXECUTABLE).read_bytes()
    archive = tmp_path / "pmv-support-0.2.0.zip"
    archive.write_bytes(bundle_zip("0.2.0", data))
    pending = stage_update(AppInstall(InstallKind.SIDE_BY_SIDE, layout), archive, "0.2.0", data)
    staged = version_dir(layout, "0.2.0")
    assert Path(pending.payload) == staged and (staged / "_internal" / "base_library.zip").is_file()
    assert os.access(staged / EXECUTABLE, os.X_OK)
    assert read_pointer(layout) == Pointer("0.1.0")  # nothing switched yet
    assert (version_dir(layout, "0.1.0") / EXECUTABLE).read_bytes() == running
    assert read_pending(data) == pending
    assert not list((layout / "versions").glob("*.staging-*"))


@pytest.mark.parametrize("name, problem", [
    ("../escape/pmv-support", StageProblem.UNSAFE_ARCHIVE),
    ("pmv-support/readme.txt", StageProblem.NO_EXECUTABLE),
])
def test_a_bad_bundle_is_refused_and_leaves_no_version_folder(layout: Path, tmp_path: Path, name: str,
                                                              problem: StageProblem) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "#!/bin/sh\n")
    path = tmp_path / "pmv-support-0.2.0.zip"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(StageError) as caught:
        stage_update(AppInstall(InstallKind.SIDE_BY_SIDE, layout), path, "0.2.0", tmp_path / "data")
    assert caught.value.problem is problem
    assert sorted(p.name for p in (layout / "versions").iterdir()) == ["0.1.0"]
    assert not (tmp_path / "escape").exists()
    assert read_pending(tmp_path / "data") is None


def test_an_installer_install_keeps_the_verified_installer_and_refuses_a_zip(tmp_path: Path) -> None:
    program = tmp_path / "program"
    program.mkdir()
    install = AppInstall(InstallKind.INSTALLER, program)
    setup = tmp_path / "pmv-support-0.2.0.exe"
    setup.write_bytes(b"MZ fake installer")
    pending = stage_update(install, setup, "0.2.0", tmp_path / "data")
    assert Path(pending.payload).read_bytes() == b"MZ fake installer"
    with pytest.raises(StageError) as caught:
        stage_update(install, tmp_path / "pmv-support-0.2.0.zip", "0.2.0", tmp_path / "data")
    assert caught.value.problem is StageProblem.WRONG_FORMAT


def test_the_launcher_starts_the_version_the_pointer_names(layout: Path, tmp_path: Path) -> None:
    import subprocess

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    make_bundle(version_dir(layout, "0.2.0"), "0.2.0", data)
    subprocess.run([str(layout / "pmv-support"), "--minimized"], check=True, timeout=10)
    write_pointer(layout, Pointer("0.2.0", "0.1.0"))
    subprocess.run([str(layout / "pmv-support"), "--minimized"], check=True, timeout=10)
    assert (data / "launches.txt").read_text().splitlines() == ["0.1.0 --minimized", "0.2.0 --minimized"]


def test_the_linux_install_script_makes_the_layout_the_app_detects(tmp_path: Path) -> None:
    import subprocess

    from app.updates.app_install import LAUNCHER

    script = Path(__file__).resolve().parents[3] / "installer" / "linux" / "install.sh"
    bundle = tmp_path / "dist" / "pmv-support"
    bundle.mkdir(parents=True)
    (bundle / EXECUTABLE).write_text("#!/bin/sh\necho 'PMV Support Assistant 0.3.1'\n")
    (bundle / EXECUTABLE).chmod(0o755)
    env = {**os.environ, "PMV_INSTALL_NO_DESKTOP": "1"}
    root = tmp_path / "lib" / "pmv-support"
    subprocess.run(["sh", str(script), str(bundle), str(root)], check=True, env=env, capture_output=True)
    assert read_pointer(root) == Pointer("0.3.1")
    assert (root / "pmv-support").read_text() == LAUNCHER
    found = detect_install(version_dir(root, "0.3.1") / EXECUTABLE, frozen=True, windows=False)
    assert (found.kind, found.running_version) == (InstallKind.SIDE_BY_SIDE, "0.3.1")
    # Started through a symlink (as ~/.local/bin/pmv-support is), the launcher still finds its root.
    link = tmp_path / "bin" / "pmv-support"
    link.parent.mkdir()
    link.symlink_to(root / "pmv-support")
    assert subprocess.run([str(link)], capture_output=True, text=True, check=True).stdout.strip().endswith("0.3.1")
    # A newer bundle installed again becomes current, with the old one as the rollback target.
    (bundle / EXECUTABLE).write_text("#!/bin/sh\necho 'PMV Support Assistant 0.4.0'\n")
    subprocess.run(["sh", str(script), str(bundle), str(root)], check=True, env=env, capture_output=True)
    assert read_pointer(root) == Pointer("0.4.0", "0.3.1")


# --- one reading only (issue 18, section 4) ----------------------------------------------------------------

def test_the_pointer_is_read_only_as_written(layout: Path) -> None:
    """Two readers read ``current``: the launcher (``head -n 1``, as is) and Python; they must never disagree.

    A key given twice (RFC 8259 s.4, RFC 7493 s.2.3) is, in this line format, a line given twice.
    """
    assert (layout / "current").read_bytes() == b"0.1.0\nprevious \n"  # Pointer.text(), as install.sh writes too
    for text in ["0.2.0\nprevious 0.1.0\n", "0.2.0\nprevious \n"]:
        (layout / "current").write_text(text, encoding="utf-8")
        pointer = read_pointer(layout)
        assert pointer is not None and pointer.text() == text
    for text in ["0.2.0 \nprevious 0.1.0\n",  # the launcher would run 'versions/0.2.0 ', Python 'versions/0.2.0'
                 "0.2.0\nprevious 0.1.0\nprevious 0.0.9\n", "0.2.0\r\nprevious 0.1.0\r\n", "0.2.0\n",
                 "../../bin\nprevious 0.1.0\n", "0.2.0\nprevious ..\n", ""]:
        (layout / "current").write_bytes(text.encode())
        assert read_pointer(layout) is None, repr(text)


def test_a_pending_update_with_a_key_given_twice_is_not_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "updates" / "app").mkdir(parents=True)
    pending = data / "updates" / "app" / "pending.json"
    good = ('{"version": "0.2.0", "kind": "side_by_side", "root": "/opt/pmv", '
            '"payload": "/opt/pmv/versions/0.2.0", "staged_at": "2026-11-25T02:00:00+00:00"}')
    pending.write_text(good, encoding="utf-8")
    read = read_pending(data)
    assert read is not None and read.payload == "/opt/pmv/versions/0.2.0"
    # Which program runs after the app exits?  json.loads would say the last; another reader the first.
    forged = good.replace('"payload": ', '"payload": "/tmp/evil", "payload": ')
    for text in [forged, good.replace('"0.2.0", "kind"', '"../../../tmp", "kind"'), good.replace('"0.2.0"', "2")]:
        pending.write_text(text, encoding="utf-8")
        assert read_pending(data) is None, text
        assert pending.read_text(encoding="utf-8") == text  # left for a technician to see


def test_a_version_that_cannot_name_a_folder_is_not_staged(layout: Path, tmp_path: Path) -> None:
    install = AppInstall(InstallKind.SIDE_BY_SIDE, layout, "0.1.0")
    archive = tmp_path / "pmv-support-x.zip"
    archive.write_bytes(bundle_zip("0.2.0", tmp_path / "data"))
    with pytest.raises(StageError) as caught:
        stage_update(install, archive, "../0.2.0", tmp_path / "data")
    assert caught.value.problem is StageProblem.WRONG_FORMAT
    assert sorted(p.name for p in (layout / "versions").iterdir()) == ["0.1.0"]
