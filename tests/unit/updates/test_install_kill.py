"""An install killed (SIGKILL, for real) at each named step: recover() must leave a clean, usable store.

How a point is picked: ``app.updates.install`` calls its test-only
``STEP_HOOK`` with each name in ``INSTALL_STEPS``. The child below sets the
hook to print ``paused <step>`` and sleep when it reaches the step named on
its command line; the parent waits for that line, then SIGKILLs it. So the
kill lands exactly there, with no timing guesswork, and every step of the
real code path runs in a separate process that gets no chance to clean up.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.updates.install import INSTALL_STEPS, PackStore
from pmv_protocol.signed_json import canonical_form

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parents[3]
PACK_ID = "nd-232-2025"
SWITCH = INSTALL_STEPS.index("switched")  # from here on, the new version is the one in force

CHILD = """
import sys, time
from pathlib import Path
from app.updates import install

def pause(step):
    if step == sys.argv[3]:
        print("paused", step, flush=True)
        time.sleep(120)

install.STEP_HOOK = pause
install.PackStore(Path(sys.argv[1])).install(Path(sys.argv[2]).read_bytes())
print("finished", flush=True)
"""


def install_and_kill_at(root: Path, pack_file: Path, step: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(pack_file), step],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        line = child.stdout.readline().strip() if ready else "(timed out)"
        assert line == f"paused {step}", f"{line}: {child.stderr.read() if line != '(timed out)' else ''}"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None and child.returncode is None:
            child.kill()
        child.wait(timeout=10)
        child.stdout.close()  # type: ignore[union-attr]
        child.stderr.close()  # type: ignore[union-attr]
    assert child.returncode == -signal.SIGKILL


def assert_clean(store: PackStore, versions: set[str]) -> None:
    """No debris: no staging leftovers, no temp pointers or trash, exactly the expected version folders."""
    assert not store.staging_dir.exists() or list(store.staging_dir.iterdir()) == []
    pack_dir = store.packs_dir / PACK_ID
    if not versions:
        assert not pack_dir.exists()
        return
    assert [e.name for e in pack_dir.iterdir() if e.name.startswith(".")] == []
    assert {e.name for e in pack_dir.iterdir() if e.is_dir()} == versions
    assert store.recover().clean  # and a second recover finds nothing more to do


def assert_killed_state(store: PackStore, step: str, size: int) -> None:
    """Proof that the kill landed where it was meant to: the debris each step leaves (1.1.0 -> 1.2.0)."""
    pack_dir = store.packs_dir / PACK_ID
    staged = [p / "pack.json" for p in store.staging_dir.iterdir()] if store.staging_dir.exists() else []
    hidden = sorted(e.name for e in pack_dir.iterdir() if e.name.startswith("."))
    previous = (pack_dir / "previous").read_text(encoding="utf-8").strip()
    if step == "staging":
        assert len(staged) == 1 and 0 < staged[0].stat().st_size < size  # half a pack
    elif step == "staged":
        assert len(staged) == 1 and staged[0].stat().st_size == size
    elif step == "moved":
        assert staged == [] and (pack_dir / "1.2.0" / "pack.json").stat().st_size == size
    elif step == "switching":
        assert len(hidden) == 1 and hidden[0].startswith(".current-")  # the new pointer, not yet in place
    elif step == "switched":
        assert previous == "1.0.0"  # stale: current already says 1.2.0
    elif step == "previous_written":
        assert previous == "1.1.0" and (pack_dir / "1.0.0").exists()
    elif step == "pruning":
        assert len(hidden) == 1 and hidden[0].startswith(".trash-") and not (pack_dir / "1.0.0").exists()


@pytest.mark.parametrize("step", INSTALL_STEPS)
def test_upgrade_killed_at(step: str, tmp_path: Path, make_pack: Callable[..., bytes]) -> None:
    store = PackStore(tmp_path / "store")
    store.install(make_pack("1.0.0"))
    store.install(make_pack("1.1.0", rule={"amount_vnd": 25_000_000}))
    new = tmp_path / "1.2.0.json"
    new.write_bytes(make_pack("1.2.0", rule={"amount_vnd": 15_000_000}))

    install_and_kill_at(store.root, new, step)

    assert_killed_state(store, step, len(canonical_form(new.read_bytes()) or b""))  # what install stages
    switched = INSTALL_STEPS.index(step) >= SWITCH
    in_force = store.current(PACK_ID)  # what a reader sees before any repair
    assert in_force is not None and in_force.version == ("1.2.0" if switched else "1.1.0")
    report = store.recover()
    if step in ("staging", "staged"):
        assert any(p.parent == store.staging_dir for p in report.removed)
    assert report.repaired_previous == ([PACK_ID] if step == "switched" else [])
    pack = store.current(PACK_ID)
    assert pack is not None
    if switched:
        assert pack.version == "1.2.0" and pack.cash_limit().amount_vnd == 15_000_000  # type: ignore[union-attr]
        assert store.previous_version(PACK_ID) == "1.1.0"
        assert_clean(store, {"1.1.0", "1.2.0"})
    else:
        assert pack.version == "1.1.0" and pack.cash_limit().amount_vnd == 25_000_000  # type: ignore[union-attr]
        assert store.previous_version(PACK_ID) == "1.0.0"
        assert_clean(store, {"1.0.0", "1.1.0"})
    # Rollback still targets the right version, and a retried install goes through (over the version rolled
    # back to: a rollback keeps no "previous", so pressed again it could not go forward).
    back = "1.1.0" if switched else "1.0.0"
    assert store.rollback(PACK_ID).version == back
    retried = store.install(new.read_bytes())
    assert retried.version == "1.2.0"
    assert store.previous_version(PACK_ID) == back


@pytest.mark.parametrize("step", [s for s in INSTALL_STEPS if s != "pruning"])  # nothing to prune on a first install
def test_first_install_killed_at(step: str, tmp_path: Path, nd232_bytes: bytes) -> None:
    store = PackStore(tmp_path / "store")
    pack_file = tmp_path / "pack.json"
    pack_file.write_bytes(nd232_bytes)

    install_and_kill_at(store.root, pack_file, step)

    report = store.recover()
    if INSTALL_STEPS.index(step) >= SWITCH:
        pack = store.current(PACK_ID)
        assert pack is not None and pack.version == "1.0.0"
        assert store.previous_version(PACK_ID) is None
        assert_clean(store, {"1.0.0"})
    else:
        assert store.current(PACK_ID) is None and store.installed() == []
        assert not report.clean
        assert_clean(store, set())  # as if the install had never started
        assert store.install(nd232_bytes).version == "1.0.0"
