"""Applying a staged app update after the app exits, with real processes standing in for app versions."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.background.registry import outside_trading_hours
from app.updates.app_install import (
    EXECUTABLE,
    AppInstall,
    InstallKind,
    Pointer,
    read_pending,
    read_pointer,
    stage_update,
    version_dir,
)
from app.updates.app_swap import (
    SNAPSHOT_RETRY_AFTER,
    AppSwapper,
    SwapReason,
    SwapResult,
    SwapTiming,
    app_update_status,
    last_outcome,
    launch_helper,
    mark_started,
    may_hand_over,
    refused_versions,
    rollback_dir,
)
from tests.unit.updates.app_fakes import (
    CRASHES,
    GOOD,
    HANGS,
    fake_installer,
    make_bundle,
    staged_side_by_side,
    wait_for_launches,
)

FAST = SwapTiming(exit_timeout=5, start_timeout=3, installer_timeout=30, poll=0.02)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def side_by_side(tmp_path: Path, data: Path, behaviour: str) -> tuple[Path, AppInstall]:
    return staged_side_by_side(tmp_path, data, behaviour)


def test_a_good_version_is_switched_to_started_with_the_same_arguments_and_the_old_one_kept(
        tmp_path: Path, data: Path) -> None:
    root, _install = side_by_side(tmp_path, data, GOOD)
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=None, relaunch_args=["--minimized"])
    assert outcome is not None and (outcome.result, outcome.reason) == (SwapResult.APPLIED, SwapReason.STARTED)
    assert read_pointer(root) == Pointer("0.2.0", "0.1.0")
    assert wait_for_launches(data, 1) == ["0.2.0 --minimized"]
    assert version_dir(root, "0.1.0").is_dir()  # the rollback target stays
    assert read_pending(data) is None and last_outcome(data) == outcome


@pytest.mark.parametrize("behaviour, reason", [(CRASHES, SwapReason.EXITED_EARLY),
                                               (HANGS, SwapReason.NO_START_SIGNAL)])
def test_a_version_that_does_not_start_is_rolled_back_refused_and_the_old_one_started(
        tmp_path: Path, data: Path, behaviour: str, reason: SwapReason) -> None:
    root, _install = side_by_side(tmp_path, data, behaviour)
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=None, relaunch_args=["--minimized"])
    assert outcome is not None and (outcome.result, outcome.reason) == (SwapResult.ROLLED_BACK, reason)
    assert read_pointer(root) is not None and read_pointer(root).version == "0.1.0"  # type: ignore[union-attr]
    assert wait_for_launches(data, 2) == ["0.2.0 --minimized", "0.1.0 --minimized"]
    assert not version_dir(root, "0.2.0").exists()
    assert refused_versions(data) == {"0.2.0"}
    assert read_pending(data) is None


@pytest.mark.parametrize("refusals", [1, 99])  # room once the failed version's folder is gone / never
def test_a_full_disk_during_the_rollback_never_leaves_current_on_the_broken_version(
        tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, refusals: int) -> None:
    """Found by the review of app updates: a new version that filled the disk did not start, and pointing back
    failed (no room for the pointer's temporary file): `current` stayed on it, nothing was started, and every later
    start ran the broken version. ENOSPC is raised here where a full disk raises it (a real tmpfs needs root)."""
    import errno

    import app.updates.app_swap as app_swap

    root, _install = side_by_side(tmp_path, data, CRASHES)
    real_write, calls = app_swap.write_pointer, []

    def write_on_a_full_disk(where: Path, pointer: Pointer) -> None:
        calls.append(pointer.version)
        if pointer.version == "0.1.0" and calls.count("0.1.0") <= refusals:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(where, pointer)

    monkeypatch.setattr(app_swap, "write_pointer", write_on_a_full_disk)
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=None, relaunch_args=["--minimized"])
    assert wait_for_launches(data, 2) == ["0.2.0 --minimized", "0.1.0 --minimized"]  # the old version runs
    assert not version_dir(root, "0.2.0").exists()  # freed first: its room is what the pointer needed
    if refusals == 1:
        assert read_pointer(root) is not None and read_pointer(root).version == "0.1.0"  # type: ignore[union-attr]
        assert outcome is not None and outcome.result is SwapResult.ROLLED_BACK


def test_nothing_changes_while_the_old_app_is_still_running(tmp_path: Path, data: Path) -> None:
    root, _install = side_by_side(tmp_path, data, GOOD)
    old = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        timing = SwapTiming(exit_timeout=0.5, start_timeout=3, poll=0.02)
        outcome = AppSwapper(data, timing=timing).apply(wait_pid=old.pid)
    finally:
        old.kill()
        old.wait()
    assert outcome is not None and outcome.result is SwapResult.NOT_APPLIED
    assert outcome.reason is SwapReason.OLD_STILL_RUNNING
    assert read_pointer(root) == Pointer("0.1.0") and read_pending(data) is not None  # tried again next time
    assert wait_for_launches(data, 0, timeout=0.3) == []


def test_the_installer_runs_silently_after_the_old_app_exits(tmp_path: Path, data: Path) -> None:
    program = make_bundle(tmp_path / "program", "0.1.0", data)
    setup = fake_installer(tmp_path / "pmv-support-0.2.0.exe", program, "0.2.0", data)
    stage_update(AppInstall(InstallKind.INSTALLER, program), setup, "0.2.0", data)
    old = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=old.pid, relaunch_args=[])
    old.wait()
    assert outcome is not None and outcome.result is SwapResult.APPLIED
    args = (data / "installer-args.txt").read_text().split()
    assert args[:4] == ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/NOAPPSTART"]
    assert args[4].startswith("/LOG=")
    assert (program / "version.txt").read_text().strip() == "0.2.0"
    assert (rollback_dir(data) / EXECUTABLE).is_file()  # kept until the new version has run once


@pytest.mark.parametrize("exit_code, behaviour, reason", [(1, GOOD, SwapReason.INSTALLER_FAILED),
                                                         (0, CRASHES, SwapReason.EXITED_EARLY)])
def test_a_failed_install_or_start_puts_the_program_folder_back(tmp_path: Path, data: Path, exit_code: int,
                                                                 behaviour: str, reason: SwapReason) -> None:
    program = make_bundle(tmp_path / "program", "0.1.0", data)
    before = {p.relative_to(program): p.read_bytes() for p in program.rglob("*") if p.is_file()}
    setup = fake_installer(tmp_path / "pmv-support-0.2.0.exe", program, "0.2.0", data,
                           exit_code=exit_code, behaviour=behaviour)
    stage_update(AppInstall(InstallKind.INSTALLER, program), setup, "0.2.0", data)
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=None, relaunch_args=["--minimized"])
    assert outcome is not None and (outcome.result, outcome.reason) == (SwapResult.ROLLED_BACK, reason)
    after = {p.relative_to(program): p.read_bytes() for p in program.rglob("*") if p.is_file()}
    assert after == before
    assert wait_for_launches(data, 1 if exit_code else 2)[-1] == "0.1.0 --minimized"
    assert refused_versions(data) == {"0.2.0"}


@pytest.mark.parametrize("held_for", [3, 100])  # released while the helper tries again / held throughout
def test_a_program_file_held_open_during_the_restore_never_leaves_the_broken_version_running(
        tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, held_for: int) -> None:
    """Found by the review of app updates: on Windows a file another process holds (an antivirus scanning the new
    exe, WinError 32) cannot be replaced; the restore gave up at once and the crashing new exe was started again.
    Windows' refusal is simulated here (Linux replaces an open file): copying over the exe raises as Windows
    does, until the hold ends."""
    import shutil

    program = make_bundle(tmp_path / "program", "0.1.0", data)
    before = {p.relative_to(program): p.read_bytes() for p in program.rglob("*") if p.is_file()}
    setup = fake_installer(tmp_path / "pmv-support-0.2.0.exe", program, "0.2.0", data, exit_code=0,
                           behaviour=CRASHES)
    stage_update(AppInstall(InstallKind.INSTALLER, program), setup, "0.2.0", data)
    locked, real_copy = program / EXECUTABLE, shutil.copyfile
    tries = [0]

    def copy_as_windows(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(dst) == locked and tries[0] < held_for:
            tries[0] += 1
            raise PermissionError(13, "The process cannot access the file because it is being used by another "
                                      "process", str(dst))
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", copy_as_windows)  # what copytree's copy2 writes a file with
    outcome = AppSwapper(data, timing=FAST, sleep=lambda _s: None).apply(wait_pid=None, relaunch_args=["--minimized"])
    monkeypatch.setattr(shutil, "copyfile", real_copy)
    assert outcome is not None and outcome.result is SwapResult.ROLLED_BACK  # the vendor hears it was rolled back
    assert refused_versions(data) == {"0.2.0"}
    assert wait_for_launches(data, 2)[-1] == "0.1.0 --minimized"  # the old version runs, whatever the folder holds
    if held_for == 3:
        assert {p.relative_to(program): p.read_bytes() for p in program.rglob("*") if p.is_file()} == before
    else:
        assert "could not be put back" in outcome.detail


def test_the_helper_command_line_waits_for_the_app_then_switches(tmp_path: Path, data: Path) -> None:
    """The whole hand-over as the app does it: start the helper, exit; the helper does the rest."""
    root, install = side_by_side(tmp_path, data, GOOD)
    old_app = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1)"])
    helper = launch_helper(install, data, ["--minimized"], pid=old_app.pid)
    old_app.wait()
    assert helper.wait(60) == 0
    assert read_pointer(root) == Pointer("0.2.0", "0.1.0")
    assert wait_for_launches(data, 1) == ["0.2.0 --minimized"]
    assert (data / "logs" / "update-helper.log").read_text(encoding="utf-8").count("0.2.0: applied") == 1


def test_the_status_names_what_waits_and_forgets_a_pending_version_already_running(
        tmp_path: Path, data: Path) -> None:
    root, install = side_by_side(tmp_path, data, GOOD)
    status = app_update_status(data, install, "0.1.0")
    assert status.pending is not None and status.pending.version == "0.2.0" and status.last is None
    assert app_update_status(data, install, "0.2.0").pending is None
    assert read_pending(data) is None


def test_the_start_signal_names_this_version_and_process(data: Path) -> None:
    mark_started(data, "0.3.0", pid=4242)
    record = json.loads((data / "updates" / "app" / "started.json").read_text())
    assert (record["version"], record["pid"]) == ("0.3.0", 4242)


@pytest.mark.parametrize("clock, outside", [("07:59", True), ("08:00", False), ("19:59", False), ("20:00", True),
                                            ("23:30", True)])
def test_outside_trading_hours(clock: str, outside: bool) -> None:
    hour, minute = map(int, clock.split(":"))
    assert outside_trading_hours("08:00-20:00", dt.datetime(2026, 12, 1, hour, minute)) is outside


def test_a_helper_that_never_finishes_is_given_up_after_two_hand_overs(tmp_path: Path, data: Path) -> None:
    """Otherwise a pending update would send every start to a dead helper and the app would never open."""
    from app.updates.app_swap import MAX_HANDOVERS, handover_file, may_hand_over

    root, _install = side_by_side(tmp_path, data, GOOD)
    assert [may_hand_over(data, "0.2.0") for _ in range(MAX_HANDOVERS)] == [True] * MAX_HANDOVERS
    assert may_hand_over(data, "0.2.0") is False  # the helper never recorded an outcome
    assert read_pending(data) is None and refused_versions(data) == {"0.2.0"}
    outcome = last_outcome(data)
    assert outcome is not None and outcome.reason is SwapReason.HELPER_FAILED
    assert read_pointer(root) == Pointer("0.1.0") and not handover_file(data).exists()


def test_a_helper_that_finishes_resets_the_count(tmp_path: Path, data: Path) -> None:
    from app.updates.app_swap import handover_file, may_hand_over

    side_by_side(tmp_path, data, GOOD)
    assert may_hand_over(data, "0.2.0")
    AppSwapper(data, timing=FAST).apply(wait_pid=None)
    assert not handover_file(data).exists()


def test_a_rollback_puts_back_the_database_the_old_version_left(tmp_path: Path, data: Path) -> None:
    """The new version may have migrated the database before it failed: the old one must find its own schema."""
    import sqlite3

    database = data / "pmv-support.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('0005')")
    side_by_side(tmp_path, data, CRASHES)

    def migrating_popen(command: list[str], **_kwargs: object) -> subprocess.Popen[bytes]:
        if "0.2.0" in command[0]:  # the new version upgrades the schema, then dies
            with sqlite3.connect(database) as conn:
                conn.execute("UPDATE alembic_version SET version_num = '0006'")
        return subprocess.Popen(command)

    outcome = AppSwapper(data, timing=FAST, popen=migrating_popen).apply(wait_pid=None)
    assert outcome is not None and outcome.result is SwapResult.ROLLED_BACK
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0005",)


def test_the_app_is_started_again_when_there_was_nothing_left_to_apply(tmp_path: Path, data: Path) -> None:
    """A second helper (tray app and agent both handed over) must not leave the shop without its app."""
    root, _install = side_by_side(tmp_path, data, GOOD)
    assert AppSwapper(data, timing=FAST).apply(wait_pid=None, relaunch_args=["--minimized"]) is not None
    assert wait_for_launches(data, 1) == ["0.2.0 --minimized"]
    second = AppSwapper(data, timing=FAST).apply(wait_pid=None, restart_command=[str(root / "pmv-support"),
                                                                                 "--minimized"])
    assert second is None  # nothing pending
    assert wait_for_launches(data, 2)[-1] == "0.2.0 --minimized"  # through the launcher: the current version


def test_a_rolled_back_version_is_no_longer_pending_when_the_old_one_starts(tmp_path: Path, data: Path) -> None:
    """The old version is started last, after the failed one is refused: it must not hand over to it again."""
    from app.updates.app_swap import handover_file, may_hand_over

    side_by_side(tmp_path, data, CRASHES)
    assert may_hand_over(data, "0.2.0")
    seen: list[tuple[bool, bool]] = []

    def watching_popen(command: list[str], **_kwargs: object) -> subprocess.Popen[bytes]:
        if "0.1.0" in command[0]:
            seen.append((read_pending(data) is None, not handover_file(data).exists()))
        return subprocess.Popen(command)

    AppSwapper(data, timing=FAST, popen=watching_popen).apply(wait_pid=None)
    assert seen == [(True, True)]


# --- one reading only (issue 18, section 4) ----------------------------------------------------------------
# RFC 8259 s.4 ("The names within an object SHOULD be unique") and RFC 7493 s.2.3 ("MUST NOT have members with
# duplicate names"): the files the app and the helper hand each other are read strictly; for the line-based
# 'current' pointer the same rule is "no line twice, exactly as written".


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("pointer", ["0.1.0\nprevious \nprevious 0.0.9\n", "0.1.0 \nprevious \n",
                                     "0.1.0\r\nprevious \r\n"])
def test_a_pointer_not_as_written_stops_the_switch_and_changes_nothing(tmp_path: Path, data: Path,
                                                                         pointer: str) -> None:
    root, _install = side_by_side(tmp_path, data, GOOD)
    (root / "current").write_bytes(pointer.encode())
    before = tree(root)
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=None)
    assert outcome is not None and outcome.result is SwapResult.NOT_APPLIED
    assert outcome.reason is SwapReason.POINTER_UNREADABLE
    assert tree(root) == before  # pointer, both version folders, launcher: all as they were
    assert wait_for_launches(data, 0, timeout=0.3) == []
    assert refused_versions(data) == set()  # the version is not to blame: a later run may install it


def test_a_pending_update_with_a_key_given_twice_is_not_applied(tmp_path: Path, data: Path) -> None:
    root, _install = side_by_side(tmp_path, data, GOOD)
    pending = data / "updates" / "app" / "pending.json"
    text = pending.read_text(encoding="utf-8")
    forged = text.replace('"payload": ', f'"payload": "{tmp_path / "evil"}", "payload": ', 1)
    assert json.loads(forged)["payload"] == json.loads(text)["payload"]  # json.loads would run the staged one...
    pending.write_text(forged, encoding="utf-8")
    before = tree(root)
    assert AppSwapper(data, timing=FAST).apply(wait_pid=None) is None  # ...the strict reader runs nothing
    assert tree(root) == before and read_pointer(root) == Pointer("0.1.0")
    assert wait_for_launches(data, 0, timeout=0.3) == []


def test_the_helpers_other_files_with_a_key_given_twice_count_as_unreadable(data: Path) -> None:
    from app.updates.app_swap import _started_version, handover_file, may_hand_over, outcome_file, started_file

    folder = data / "updates" / "app"
    folder.mkdir(parents=True)
    started_file(data).write_text('{"version": "0.2.0", "version": "0.1.0", "pid": 1, "at": "x"}', encoding="utf-8")
    assert _started_version(data) is None  # no start signal: the helper would roll back, never guess
    outcome_file(data).write_text('{"version": "0.2.0", "previous": "0.1.0", "result": "rolled_back", '
                                  '"result": "applied", "reason": "started", "at": "x"}', encoding="utf-8")
    assert last_outcome(data) is None
    handover_file(data).write_text('{"version": "0.2.0", "count": 0, "count": 2}', encoding="utf-8")
    assert may_hand_over(data, "0.2.0")  # counted from an unreadable record: as if none, not given up
    assert json.loads(handover_file(data).read_text(encoding="utf-8")) == {"version": "0.2.0", "count": 1}
    (folder / "refused.json").write_text('["0.2.0", {"v": 1, "v": 2}]', encoding="utf-8")
    assert refused_versions(data) == set()


_APPLY_ON_A_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails (EFBIG) instead of killing
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
from app.updates.app_swap import AppSwapper, SwapTiming
outcome = AppSwapper(Path(sys.argv[1]), timing=SwapTiming(5, 3, 30, 0.02)).apply(wait_pid=None)
print(outcome.result.value, outcome.reason.value)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_before_the_switch_keeps_the_update_pending_and_never_refuses_it(
        tmp_path: Path, data: Path) -> None:
    """Found by an independent review: a full disk while the helper copied the database aside ended in the catch-all,
    which refused the version for good although it never ran.  The child's files may not grow past 64 KiB (the
    kernel refuses the write, as a full disk does); the database is larger, so its copy cannot be written."""
    import sqlite3

    with sqlite3.connect(data / "pmv-support.sqlite3") as conn:
        conn.execute("CREATE TABLE history (line TEXT)")
        conn.executemany("INSERT INTO history VALUES (?)", [("x" * 200,) for _ in range(1500)])  # ~300 KiB
    root, _install = side_by_side(tmp_path, data, GOOD)
    done = subprocess.run([sys.executable, "-c", _APPLY_ON_A_FULL_DISK, str(data)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[3])
    assert done.stdout.split() == ["not_applied", "no_snapshot"], done.stderr
    assert read_pointer(root) == Pointer("0.1.0", None)  # nothing switched
    assert read_pending(data) is not None and "0.2.0" not in refused_versions(data)  # tried again next time
    assert not any(path.name.startswith(".") for path in data.rglob("*"))  # no half-written copy left behind
    # Not handed over again at every start (each would fail the copy and restart the old app, which never opens):
    # the next try waits SNAPSHOT_RETRY_AFTER, found by an independent review.
    tried = dt.datetime.fromisoformat(last_outcome(data).at)  # type: ignore[union-attr]
    assert not may_hand_over(data, "0.2.0", now=tried + dt.timedelta(hours=1))
    assert not may_hand_over(data, "0.2.0", now=tried + dt.timedelta(hours=11, minutes=59))
    assert may_hand_over(data, "0.2.0", now=tried + SNAPSHOT_RETRY_AFTER)
    # With room again, the same pending version goes through.
    outcome = AppSwapper(data, timing=FAST).apply(wait_pid=None)
    assert outcome is not None and outcome.result is SwapResult.APPLIED
    assert read_pointer(root) == Pointer("0.2.0", "0.1.0")


def test_when_the_database_cannot_be_copied_aside_the_old_app_is_started_again(tmp_path: Path, data: Path) -> None:
    """The app quit for the helper, so it must come back on this path too (the copy's place is a folder here)."""
    import sqlite3

    from app.updates.app_swap import database_snapshot

    sqlite3.connect(data / "pmv-support.sqlite3").close()
    side_by_side(tmp_path, data, GOOD)
    (database_snapshot(data) / "kept").mkdir(parents=True)
    started: list[list[str]] = []

    def popen(command: list[str], **_kwargs: object) -> subprocess.Popen[bytes]:
        started.append(command)
        return subprocess.Popen([sys.executable, "-c", "pass"])

    swapper = AppSwapper(data, timing=FAST, popen=popen)
    outcome = swapper.apply(wait_pid=None, restart_command=["old-app", "--minimized"])
    assert outcome is not None and outcome.reason is SwapReason.NO_SNAPSHOT
    assert started == [["old-app", "--minimized"]]
