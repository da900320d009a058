from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.shop.demo import DemoShop
from app.ui.single_instance import SingleInstance, instance_key


def test_second_claim_hands_over_to_the_first(qtbot: QtBot) -> None:
    name = f"pmv-test-{uuid.uuid4().hex[:8]}"
    first = SingleInstance(name)
    assert first.claim()
    second = SingleInstance(name)
    with qtbot.waitSignal(first.activation_requested, timeout=5000):
        assert second.claim() is False
    first.release()


def test_a_released_slot_can_be_claimed_again(qtbot: QtBot) -> None:
    name = f"pmv-test-{uuid.uuid4().hex[:8]}"
    first = SingleInstance(name)
    assert first.claim()
    first.release()
    again = SingleInstance(name)
    assert again.claim()
    again.release()


def test_name_depends_on_the_settings_file_and_mode(tmp_path: Path) -> None:
    assert instance_key(tmp_path / "a.toml", False) != instance_key(tmp_path / "b.toml", False)
    assert instance_key(tmp_path / "a.toml", False) == instance_key(tmp_path / "a.toml", False)
    assert instance_key(None, False) != instance_key(None, True)


def _wait_for(path: Path, text: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(encoding="utf-8", errors="replace"):
            return True
        time.sleep(0.1)
    return False


def test_second_launch_brings_the_running_app_forward(demo_shop: DemoShop, app_home: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "app", "--config", str(demo_shop.settings_file), "--no-err-windows"]
    log_file = app_home / "data" / "logs" / "pmv-support.log"
    db_file = app_home / "data" / "pmv-support.sqlite3"
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _wait_for(log_file, "GUI ready"), "first copy did not start"
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        assert second.returncode == 0
        assert "already running" in second.stdout
        assert _wait_for(log_file, "another launch asked this copy to come forward")
        # the second launch handed over before touching the data dir
        assert log_file.read_text(encoding="utf-8").count("starting (settings:") == 1
        assert not list(db_file.parent.glob("*.bak"))
        assert first.poll() is None  # the first copy is still running
    finally:
        first.terminate()
        first.wait(10)
