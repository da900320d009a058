from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from app.cli import build_parser
from app.health.machine import MachineProbes
from app.paths import AppPaths
from app.runtime import Runtime, bootstrap
from app.shop.demo import DemoShop
from tests.helpers import FixedClock
from app.ui.application import Application


@pytest.fixture
def runtime(demo_shop: DemoShop, app_paths: AppPaths, demo_clock: FixedClock,
            quiet_machine: MachineProbes) -> Iterator[Runtime]:
    # pytest-qt owns sys.excepthook during tests, so the crash handler stays off here.
    rt = bootstrap(demo_shop.settings_file, paths=app_paths, install_crash_handler=False,
                   clock=demo_clock, machine=quiet_machine)
    yield rt
    rt.database.close()


@pytest.fixture
def make_app(qapp: QApplication, runtime: Runtime) -> Iterator:
    made: list[Application] = []

    def make(*cli_args: str) -> Application:
        args = build_parser().parse_args(["--no-err-windows", *cli_args])
        application = Application(qapp, runtime, args)
        made.append(application)
        return application

    yield make
    for application in made:
        application.runner.cancel_all()
        QThreadPool.globalInstance().waitForDone(10000)
        QApplication.processEvents()  # deliver the last results while the app still exists
        if application.window is not None:
            application.window.hide_on_close = False
            application.window.close()
        application.translators.install(qapp, "vi")  # never leak a language into other tests
