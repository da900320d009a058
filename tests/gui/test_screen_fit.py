"""fit_to_screen: a window never opens larger than the room its screen has (app/ui/widgets/screen_fit.py).

The screen is real here: Qt's offscreen platform given a configfile describing a 1024×768 screen less a 40 px
taskbar (1024×728), in a process of its own, at 100 % and at 125 % (QT_SCALE_FACTOR=1.25: 819×582 of room).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.ui.widgets.screen_fit import UNBOUNDED, available_size, fit_to_screen

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from PySide6.QtWidgets import QApplication, QDialog
from app.ui.main_window import MainWindow
from app.ui.widgets.screen_fit import available_size, fit_to_screen
app = QApplication([])
small, big = QDialog(), QDialog()
fit_to_screen(small, 640, 420)  # the crash dialog
fit_to_screen(big, 960, 660)  # the technician dialog
window = MainWindow("vi")  # asks for 1100x760
print(json.dumps({"room": available_size(window), "small": small.size().toTuple(), "big": big.size().toTuple(),
                  "window": window.size().toTuple()}))
"""


@pytest.mark.parametrize("scale, room", [("1", [1024, 728]), ("1.25", [819, 582])])
def test_on_a_small_screen_windows_open_within_its_room(tmp_path: Path, scale: str, room: list[int]) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "till", "x": 0, "y": 0, "width": 1024, "height": 728,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale,
           "PMV_SUPPORT_HOME": str(tmp_path / "home")}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    sizes = json.loads(result.stdout.strip().splitlines()[-1])
    assert sizes["room"] == room
    assert sizes["small"] == [640, 420]  # what fits is left as asked
    assert sizes["big"] == [min(960, room[0]), min(660, room[1])]
    assert sizes["window"] == [min(1100, room[0]), min(760, room[1])]


def test_the_made_up_offscreen_screen_bounds_nothing(qtbot: QtBot) -> None:
    # No configfile (this process, --screenshot on a server): no real screen, windows keep the size they ask for.
    dialog = QDialog()
    qtbot.addWidget(dialog)
    assert available_size(dialog) == UNBOUNDED
    fit_to_screen(dialog, 1100, 760)
    assert (dialog.width(), dialog.height()) == (1100, 760)
