"""Apply a staged app update after the app has exited, and roll back if the new version does not start.

The running app never changes under the user's feet: it starts this helper
(``pmv-support apply-update``) and quits. The helper

1. waits for the old process to exit (if it does not, nothing is changed);
2. switches: rewrites the side-by-side ``current`` pointer, or runs the
   Windows installer silently after copying the program folder aside;
3. starts the new version and waits for its start signal (``started.json``,
   written by the app once its window or tray is up, see :func:`mark_started`);
4. on an early exit, a failed installer or no signal in time: puts the old
   version back, starts it, and records the version as refused so the
   updater never offers it to this PC again.

The outcome is kept in ``<data>/updates/app/last-apply.json`` for the page
and the health check. Every file the helper and the app hand each other
(``pending.json``, ``started.json``, ``handover.json``, ``last-apply.json``,
``refused.json``) is read with :mod:`pmv_protocol.signed_json`: one that could be read
two ways (a member given twice) counts as unreadable, and a ``current``
pointer that is not in its exact written form stops the switch (step 2)
before anything is changed. The helper runs from a copy that the switch does not
touch: the old version's folder (side-by-side) or the copy set aside
(installer), so it is never replaced while it runs.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.infra.program import app_command
from app.updates.app_install import (
    EXECUTABLE,
    POINTER,
    SILENT_INSTALLER_ARGS,
    AppInstall,
    InstallKind,
    PendingUpdate,
    Pointer,
    app_updates_dir,
    bundle_executable,
    clear_pending,
    detect_install,
    pointer_unreadable,
    prune_versions,
    read_pending,
    read_pointer,
    version_dir,
    write_pointer,
)
from pmv_protocol.atomic import atomic_target, write_atomically
from pmv_protocol.signed_json import parse, parse_object

log = logging.getLogger(__name__)

EXIT_TIMEOUT_S = 120.0  # the old app closes its database and scheduler first
START_TIMEOUT_S = 90.0  # a cold start on an old till PC with a migration to run
INSTALLER_TIMEOUT_S = 15 * 60.0
# Putting the program folder back after a failed install: a file an antivirus holds open is released within seconds.
RESTORE_TRIES = 10
RESTORE_WAIT_S = 1.0
NO_APP_START_ARG = "/NOAPPSTART"  # installer/pmv-support.iss: the helper starts the app itself


class SwapResult(enum.StrEnum):
    APPLIED = "applied"
    ROLLED_BACK = "rolled_back"  # the new version was tried and the old one is back
    NOT_APPLIED = "not_applied"  # nothing was changed


class SwapReason(enum.StrEnum):
    STARTED = "started"
    OLD_STILL_RUNNING = "old_still_running"
    MISSING_PAYLOAD = "missing_payload"
    INSTALLER_FAILED = "installer_failed"
    EXITED_EARLY = "exited_early"
    NO_START_SIGNAL = "no_start_signal"
    ALREADY_CURRENT = "already_current"
    HELPER_FAILED = "helper_failed"  # handed over twice and the helper never finished: stop trying
    POINTER_UNREADABLE = "pointer_unreadable"  # 'current' is not as written: which version runs is unclear
    # The database could not be copied aside before the switch (a full disk, most often): nothing was switched, so
    # the version stays pending and is tried again at the next exit, never refused for it.
    NO_SNAPSHOT = "no_snapshot"


@dataclass(frozen=True)
class SwapOutcome:
    version: str
    previous: str | None
    result: SwapResult
    reason: SwapReason
    detail: str = ""
    at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "result": self.result.value, "reason": self.reason.value})

    @classmethod
    def from_json(cls, text: str) -> SwapOutcome:
        data = parse_object(text)
        return cls(version=data["version"], previous=data.get("previous"), result=SwapResult(data["result"]),
                   reason=SwapReason(data["reason"]), detail=data.get("detail", ""), at=data["at"])


# --------------------------------------------------------------------------- files shared with the app


def started_file(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "started.json"


def outcome_file(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "last-apply.json"


def refused_file(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "refused.json"


def handover_file(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "handover.json"


MAX_HANDOVERS = 2
# After the database could not be copied aside (a full disk, a damaged file), the same version is not handed over
# again before this long: every start would otherwise hand over, fail the copy and restart, and the app never open.
SNAPSHOT_RETRY_AFTER = dt.timedelta(hours=12)


def may_hand_over(data_dir: Path, version: str, now: dt.datetime | None = None) -> bool:
    """Count a hand-over to the helper; False (and the version given up) after MAX_HANDOVERS unfinished ones.

    The helper clears the count when it records an outcome. If it dies before
    that (a bug, a killed process), the pending update would otherwise make
    every start hand over again and the app would never open.  When the app
    hands over at all is the rule in :mod:`app.background.registry`
    (``hand_over_allowed``); this count is its last step.  False, without
    counting, within SNAPSHOT_RETRY_AFTER of a try whose database copy failed.
    """
    last = last_outcome(data_dir)
    if last is not None and last.version == version and last.reason is SwapReason.NO_SNAPSHOT:
        try:
            tried = dt.datetime.fromisoformat(last.at)
        except ValueError:
            tried = None
        if tried is not None and tried.tzinfo is not None \
                and (now or dt.datetime.now(dt.UTC)) - tried < SNAPSHOT_RETRY_AFTER:
            return False
    try:
        record = parse_object(handover_file(data_dir).read_text(encoding="utf-8"))
        count = int(record["count"]) if record.get("version") == version else 0
    except (OSError, ValueError, KeyError, TypeError):
        count = 0
    if count >= MAX_HANDOVERS:
        log.error("the update helper never finished for %s (%d tries): giving the update up", version, count)
        clear_pending(data_dir)
        _refuse(data_dir, version)
        write_atomically(outcome_file(data_dir), SwapOutcome(version, None, SwapResult.NOT_APPLIED,
                                                             SwapReason.HELPER_FAILED).to_json().encode("utf-8"))
        handover_file(data_dir).unlink(missing_ok=True)
        return False
    write_atomically(handover_file(data_dir), json.dumps({"version": version, "count": count + 1}).encode("utf-8"))
    return True


DATABASE_FILE = "pmv-support.sqlite3"  # app.infra.paths.AppPaths.database_file's name


def database_snapshot(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "database-before-update.sqlite3"


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the WAL included), written beside then renamed."""
    with atomic_target(target) as scratch:  # an empty file: SQLite takes it as an empty database
        src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(scratch)
        try:
            src.backup(dst)
        finally:  # closed before the rename (Windows cannot rename an open file)
            dst.close()
            src.close()


def rollback_dir(data_dir: Path) -> Path:
    return app_updates_dir(data_dir) / "rollback"


def mark_started(data_dir: Path, version: str, pid: int | None = None) -> None:
    """Called by the app once it is up: the helper's proof that this version starts."""
    record = {"version": version, "pid": pid or os.getpid(), "at": dt.datetime.now(dt.UTC).isoformat()}
    try:
        write_atomically(started_file(data_dir), json.dumps(record).encode("utf-8"))
    except OSError:
        log.warning("could not write the start signal", exc_info=True)


def _started_version(data_dir: Path) -> str | None:
    try:
        return str(parse_object(started_file(data_dir).read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def last_outcome(data_dir: Path) -> SwapOutcome | None:
    try:
        return SwapOutcome.from_json(outcome_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def refused_versions(data_dir: Path) -> set[str]:
    """Versions that failed to start here once: the updater does not take them again."""
    try:
        versions = parse(refused_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {v for v in versions if isinstance(v, str)} if isinstance(versions, list) else set()


def _refuse(data_dir: Path, version: str) -> None:
    versions = sorted(refused_versions(data_dir) | {version})
    write_atomically(refused_file(data_dir), json.dumps(versions).encode("utf-8"))


# --------------------------------------------------------------------------- processes


def _alive(pid: int) -> bool:
    import psutil  # only the helper waits on processes

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _detached_popen(command: Sequence[str], **kwargs: object) -> subprocess.Popen[bytes]:
    """Start a process that outlives its parent and holds none of its console."""
    options: dict[str, object] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                                  "stderr": subprocess.DEVNULL, "close_fds": True}
    if os.name == "nt":
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        options["start_new_session"] = True
    options.update(kwargs)
    return subprocess.Popen(list(command), **options)  # type: ignore[call-overload]


@dataclass
class SwapTiming:
    exit_timeout: float = EXIT_TIMEOUT_S
    start_timeout: float = START_TIMEOUT_S
    installer_timeout: float = INSTALLER_TIMEOUT_S
    poll: float = 0.1


class AppSwapper:
    """Runs steps 1-4 above for one pending update; ``popen`` starts the app versions (tests watch it)."""

    def __init__(self, data_dir: Path, *, timing: SwapTiming | None = None,
                 popen: Callable[..., subprocess.Popen[bytes]] = _detached_popen,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.data_dir = data_dir
        self.timing = timing or SwapTiming()
        self._popen = popen
        self._sleep = sleep

    def apply(self, *, wait_pid: int | None, relaunch_args: Sequence[str] = (),
              restart_command: Sequence[str] = ()) -> SwapOutcome | None:
        """Apply the pending update; ``restart_command`` starts the app again when no version was started.

        The app quit to let this run, so it must come back whatever happens here:
        nothing pending (another helper was first), nothing to switch, or an error.
        """
        pending = read_pending(self.data_dir)
        if wait_pid is not None and not self._wait_exit(wait_pid):
            # The user is still in the app (or it hung while closing): change nothing, try next time.
            if pending is None:
                return None
            return self._record(SwapOutcome(pending.version, None, SwapResult.NOT_APPLIED,
                                            SwapReason.OLD_STILL_RUNNING, f"pid {wait_pid}"), keep_pending=True)
        self._started_any = False
        outcome: SwapOutcome | None = None
        try:
            if pending is not None:
                try:
                    self._snapshot_database(pending.version)
                except (OSError, sqlite3.Error) as exc:
                    log.warning("app update %s not applied: the database could not be copied aside: %s",
                                pending.version, exc)
                    return self._no_snapshot(SwapOutcome(pending.version, None, SwapResult.NOT_APPLIED,
                                                         SwapReason.NO_SNAPSHOT, str(exc)[:300]))
                if pending.kind is InstallKind.SIDE_BY_SIDE:
                    outcome = self._record(self._side_by_side(pending, list(relaunch_args)))
                else:
                    outcome = self._record(self._installer(pending, list(relaunch_args)))
        except Exception as exc:  # never leave the shop without its app
            log.exception("the update helper failed")
            if pending is not None:
                outcome = self._record(SwapOutcome(pending.version, None, SwapResult.NOT_APPLIED,
                                                   SwapReason.HELPER_FAILED, str(exc)[:300]))
                _refuse(self.data_dir, pending.version)
        finally:
            if not self._started_any and restart_command:
                self._relaunch(list(restart_command))
        return outcome

    def _snapshot_database(self, version: str) -> None:
        """A copy of the app's database as the old version left it: a new version's migration is undone with it."""
        database = self.data_dir / DATABASE_FILE
        if database.exists():
            _sqlite_copy(database, database_snapshot(self.data_dir))

    def _restore_database(self) -> None:
        snapshot = database_snapshot(self.data_dir)
        database = self.data_dir / DATABASE_FILE
        if not snapshot.exists():
            return
        for suffix in ("-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        os.replace(snapshot, database)
        log.info("restored the database the previous version left (%s)", database)

    def _give_up(self, version: str) -> None:
        """Bookkeeping before the old version starts again, so it does not hand over to this version once more."""
        self._restore_database()
        _refuse(self.data_dir, version)
        clear_pending(self.data_dir)
        handover_file(self.data_dir).unlink(missing_ok=True)

    # -- steps

    def _wait_exit(self, pid: int) -> bool:
        deadline = time.monotonic() + self.timing.exit_timeout
        while _alive(pid):
            if time.monotonic() > deadline:
                return False
            self._sleep(self.timing.poll)
        return True

    def _start_and_watch(self, command: list[str], version: str) -> tuple[SwapReason, str]:
        """Start ``command`` and wait for ``version``'s start signal."""
        started_file(self.data_dir).unlink(missing_ok=True)
        try:
            process = self._popen(command)
        except OSError as exc:
            return SwapReason.EXITED_EARLY, f"could not start: {exc}"
        deadline = time.monotonic() + self.timing.start_timeout
        while True:
            if _started_version(self.data_dir) == version:
                # Only a version that signalled counts as the app brought back: one that exited early left the
                # shop without its app, and the helper's last resort (restart_command) must still run.
                self._started_any = True
                return SwapReason.STARTED, ""
            code = process.poll()
            if code is not None:
                # One last look: it may have signalled and exited at once (e.g. --screenshot).
                if _started_version(self.data_dir) == version:
                    self._started_any = True
                    return SwapReason.STARTED, ""
                return SwapReason.EXITED_EARLY, f"exit code {code}"
            if time.monotonic() > deadline:
                process.kill()
                process.wait(10)
                return SwapReason.NO_START_SIGNAL, f"no start signal in {self.timing.start_timeout:.0f} s"
            self._sleep(self.timing.poll)

    def _side_by_side(self, pending: PendingUpdate, args: list[str]) -> SwapOutcome:
        root = Path(pending.root)
        pointer = read_pointer(root)
        old = pointer.version if pointer else None
        new_exe = bundle_executable(version_dir(root, pending.version))
        if pointer_unreadable(root):
            # Switching would drop the rollback target and leave the launcher and this helper disagreeing.
            return SwapOutcome(pending.version, None, SwapResult.NOT_APPLIED, SwapReason.POINTER_UNREADABLE,
                               str(root / POINTER))
        if old == pending.version:
            return SwapOutcome(pending.version, pointer.previous if pointer else None, SwapResult.APPLIED,
                               SwapReason.ALREADY_CURRENT)
        if not new_exe.is_file():
            return SwapOutcome(pending.version, old, SwapResult.NOT_APPLIED, SwapReason.MISSING_PAYLOAD, str(new_exe))
        write_pointer(root, Pointer(pending.version, old))
        reason, detail = self._start_and_watch([str(new_exe), *args], pending.version)
        if reason is SwapReason.STARTED:
            prune_versions(root, {pending.version, *([old] if old else [])})
            database_snapshot(self.data_dir).unlink(missing_ok=True)
            return SwapOutcome(pending.version, old, SwapResult.APPLIED, reason)
        log.error("app %s did not start (%s: %s); rolling back to %s", pending.version, reason.value, detail, old)
        try:
            if old is not None:
                self._point_back(root, Pointer(old, pointer.previous if pointer else None), pending.version)
            shutil.rmtree(version_dir(root, pending.version), ignore_errors=True)
            self._give_up(pending.version)
        finally:  # whatever could not be written, the shop gets the version that worked
            if old is not None:
                self._relaunch([str(bundle_executable(version_dir(root, old))), *args])
        return SwapOutcome(pending.version, old, SwapResult.ROLLED_BACK, reason, detail)

    @staticmethod
    def _point_back(root: Path, pointer: Pointer, failed: str) -> None:
        """``current`` back to the old version.  On a full disk (a new version that filled it is a likely reason
        it did not start) the pointer's temporary file has no room: the failed version's folder is removed first
        and the write tried again, rather than leave ``current`` on it for every later start."""
        try:
            write_pointer(root, pointer)
        except OSError as exc:
            log.warning("could not point back to %s (%s): freeing %s's folder and trying again", pointer.version,
                        exc, failed)
            shutil.rmtree(version_dir(root, failed), ignore_errors=True)
            write_pointer(root, pointer)

    def _installer(self, pending: PendingUpdate, args: list[str]) -> SwapOutcome:
        program = Path(pending.root)
        installer = Path(pending.payload)
        backup = rollback_dir(self.data_dir)
        exe = program / EXECUTABLE
        if not installer.is_file():
            return SwapOutcome(pending.version, None, SwapResult.NOT_APPLIED, SwapReason.MISSING_PAYLOAD,
                               str(installer))
        if not (backup / EXECUTABLE).is_file():
            # Normally made before the app exited (the helper runs from it); a helper started
            # another way makes it now, so a failed install can still be undone.
            copy_program_aside(program, backup)
        log_file = app_updates_dir(self.data_dir) / f"install-{pending.version}.log"
        command = [str(installer), *SILENT_INSTALLER_ARGS, NO_APP_START_ARG, f"/LOG={log_file}"]
        try:
            code = subprocess.run(command, timeout=self.timing.installer_timeout, check=False,
                                  stdin=subprocess.DEVNULL, capture_output=True).returncode
        except (OSError, subprocess.TimeoutExpired) as exc:
            code, detail = -1, str(exc)
        else:
            detail = f"installer exit code {code}"
        reason = SwapReason.INSTALLER_FAILED
        if code == 0:
            reason, detail = self._start_and_watch([str(exe), *args], pending.version)
            if reason is SwapReason.STARTED:
                database_snapshot(self.data_dir).unlink(missing_ok=True)
                return SwapOutcome(pending.version, None, SwapResult.APPLIED, reason)
        log.error("app %s did not install or start (%s: %s); restoring the program folder", pending.version,
                  reason.value, detail)
        restored = False
        try:
            restored = self._restore_program(backup, program)
        finally:
            self._give_up(pending.version)
            # A file still held (an antivirus scanning the new exe) leaves the broken version in the program
            # folder: the old one is started from its copy, so the shop has its app today either way.
            self._relaunch([str(exe if restored else backup / EXECUTABLE), *args])
        if not restored:
            detail = f"{detail}; the program folder could not be put back: the previous version runs from {backup}"
        return SwapOutcome(pending.version, None, SwapResult.ROLLED_BACK, reason, detail)

    def _restore_program(self, backup: Path, program: Path) -> bool:
        """Put the program folder back, trying again for a while: Windows refuses to replace a file another
        process holds open (an antivirus scanning it, WinError 32), and such holds are short."""
        for attempt in range(RESTORE_TRIES):
            try:
                _restore_program(backup, program)
                return True
            except OSError as exc:
                log.warning("the program folder could not be put back (try %d): %s", attempt + 1, exc)
                self._sleep(RESTORE_WAIT_S)
        return False

    def _relaunch(self, command: list[str]) -> None:
        self._started_any = True
        try:
            self._popen(command)
        except OSError:
            log.exception("could not start %s again", command[0])

    def _no_snapshot(self, outcome: SwapOutcome) -> SwapOutcome:
        """Nothing was switched: the version stays pending, tried again after SNAPSHOT_RETRY_AFTER (may_hand_over).

        Should even this small record fail (the disk is that full), the hand-over count is left as it is, so the
        version is given up after MAX_HANDOVERS tries instead of being handed over at every start.
        """
        try:
            write_atomically(outcome_file(self.data_dir), outcome.to_json().encode("utf-8"))
        except OSError as exc:
            log.error("app update %s: the outcome could not be recorded either: %s", outcome.version, exc)
            return outcome
        handover_file(self.data_dir).unlink(missing_ok=True)
        return outcome

    def _record(self, outcome: SwapOutcome, *, keep_pending: bool = False) -> SwapOutcome:
        handover_file(self.data_dir).unlink(missing_ok=True)  # the helper finished (see may_hand_over)
        if not keep_pending:
            clear_pending(self.data_dir)
        write_atomically(outcome_file(self.data_dir), outcome.to_json().encode("utf-8"))
        log.info("app update %s: %s (%s) %s", outcome.version, outcome.result.value, outcome.reason.value,
                 outcome.detail)
        return outcome


def copy_program_aside(program: Path, backup: Path) -> None:
    if backup.exists():
        shutil.rmtree(backup)
    shutil.copytree(program, backup, symlinks=True)


def _restore_program(backup: Path, program: Path) -> None:
    """Put the copied program folder back, file by file (the helper may be running from the copy); OSError (a
    ``shutil.Error`` listing the files) when a file could not be replaced."""
    if not backup.is_dir():
        log.error("no copy of the program folder to restore from: %s", backup)
        return
    if program.exists():
        shutil.rmtree(program, ignore_errors=True)  # what cannot go now is overwritten below, or said
    shutil.copytree(backup, program, symlinks=True, dirs_exist_ok=True)


# --------------------------------------------------------------------------- started from the app


def helper_command(install: AppInstall, data_dir: Path, *, frozen: bool | None = None) -> list[str]:
    """How to run the helper from a copy the switch leaves alone (see the module docstring)."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if frozen and install.kind is InstallKind.INSTALLER and install.root is not None:
        backup = rollback_dir(data_dir)
        copy_program_aside(install.root, backup)
        return [str(backup / EXECUTABLE), "apply-update"]
    return [*app_command(frozen=frozen), "apply-update"]


def restart_command(install: AppInstall, *, frozen: bool | None = None) -> list[str]:
    """How to start this install again when the helper started no version (the launcher picks the current one)."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if install.kind is InstallKind.SIDE_BY_SIDE and install.root is not None:
        return [str(install.root / "pmv-support")]
    if install.kind is InstallKind.INSTALLER and install.root is not None:
        return [str(install.root / EXECUTABLE)]
    return app_command(frozen=frozen)


def launch_helper(install: AppInstall, data_dir: Path, relaunch_args: Sequence[str], *,
                  pid: int | None = None, command: list[str] | None = None,
                  env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start the helper for the pending update; the caller then quits."""
    base = command if command is not None else helper_command(install, data_dir)
    full = [*base, "--data", str(data_dir), "--wait-pid", str(pid or os.getpid()),
            "--relaunch", json.dumps(list(relaunch_args)),
            "--restart", json.dumps([*restart_command(install), *relaunch_args])]
    log.info("starting the update helper: %s", full)
    return _detached_popen(full, env=env) if env is not None else _detached_popen(full)


def signal_started(data_dir: Path, version: str, pid: int | None = None) -> None:
    """This version is up (``pid``: the process the helper watches): the start signal, then the clean-up."""
    mark_started(data_dir, version, pid)
    cleanup_after_start(data_dir, version)


def waiting_update(data_dir: Path, running_version: str) -> tuple[AppInstall, PendingUpdate] | None:
    """The install and the verified version staged for it, if one waits that this copy can switch to."""
    pending = read_pending(data_dir)
    if pending is None:
        return None
    install = detect_install()
    if not install.can_apply or pending.kind is not install.kind or pending.version == running_version:
        return None
    return install, pending


def cleanup_after_start(data_dir: Path, running_version: str) -> None:
    """At start-up: drop the program copy once the version it protected has been replaced for good."""
    outcome = last_outcome(data_dir)
    if outcome is not None and outcome.result is SwapResult.APPLIED and outcome.version == running_version:
        shutil.rmtree(rollback_dir(data_dir), ignore_errors=True)


# --------------------------------------------------------------------------- what the page shows


@dataclass(frozen=True)
class AppUpdateStatus:
    """The app-update half of the Cập nhật page: what runs, what waits, how the last switch went."""

    running_version: str
    install_kind: InstallKind
    pending: PendingUpdate | None
    last: SwapOutcome | None
    refused: frozenset[str]


def app_update_status(data_dir: Path, install: AppInstall, running_version: str) -> AppUpdateStatus:
    pending = read_pending(data_dir)
    if pending is not None and pending.version == running_version:
        clear_pending(data_dir)  # the helper switched but could not tidy up: nothing waits
        pending = None
    return AppUpdateStatus(running_version, install.kind, pending, last_outcome(data_dir),
                           frozenset(refused_versions(data_dir)))
