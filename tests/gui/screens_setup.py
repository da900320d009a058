"""The setup wizard's pages as a technician sees them at 1024x768, for a person to look at (issue 25).

``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.screens_setup --out DIR [--lang en]`` starts the
real vendor server on loopback with a shop, its contract and an enrolment code, places a demo PMV install
where one would be, and saves each page of the wizard on an empty data folder: the POS found and proved,
a mistyped code, the shop enrolled, a used code, the devices, and the first check's verdict.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.infra.paths import HOME_ENV, AppPaths
from app.ui.i18n import Translators
from app.ui.setup.wizard import SetupWizard
from app.ui.tasks import TaskRunner
from tests.gui.screens import settle
from tests.setup_world import setup_world


def _wait(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the wizard did not get there")
        settle(1)
        time.sleep(0.01)


def _save(widget: QWidget, out: Path, name: str) -> None:
    settle()
    path = out / f"setup-{name}.png"
    widget.grab().save(str(path), "PNG")
    print(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    qapp = QApplication([])
    translators = Translators()  # kept: a QTranslator that is collected stops translating
    translators.install(qapp, args.lang)
    with tempfile.TemporaryDirectory() as folder:
        os.environ[HOME_ENV] = str(Path(folder) / "home")
        with setup_world(Path(folder), AppPaths.default().ensure()) as world:
            runner = TaskRunner()
            wizard = SetupWizard(world.runtime, runner, world.environment)
            wizard.resize(1024, 700)
            wizard.show()
            _wait(wizard.pos_page.isComplete)
            _save(wizard, args.out, f"1-pos-{args.lang}")
            wizard.next()
            enrol = wizard.enrol_page
            enrol.code.setText(world.code[:6] + ("0" if world.code[6] != "0" else "1") + world.code[7:])
            enrol.enrol()
            _save(wizard, args.out, f"2-code-typo-{args.lang}")
            used = world.new_code()
            world.environment.enrol(used)
            world.environment.pending.forget()
            enrol.code.setText(used)
            enrol.enrol()
            _wait(lambda: "1900 6037" in enrol.message.text())
            _save(wizard, args.out, f"2-code-used-{args.lang}")
            enrol.offline.setChecked(True)
            _save(wizard, args.out, f"2-offline-{args.lang}")
            enrol.offline.setChecked(False)
            enrol.code.setText(world.new_code())
            enrol.enrol()
            _wait(enrol.isComplete)
            _save(wizard, args.out, f"2-enrolled-{args.lang}")
            wizard.next()
            _wait(lambda: wizard.devices_page.printers.count() > 0)
            wizard.devices_page.printers.item(0).setCheckState(Qt.CheckState.Checked)
            _save(wizard, args.out, f"3-devices-{args.lang}")
            wizard.next()
            _wait(lambda: wizard.check_page.report is not None)
            _save(wizard, args.out, f"4-check-{args.lang}")
            wizard.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
