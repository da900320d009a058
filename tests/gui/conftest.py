from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from app.cli import build_parser
from app.runtime import Runtime
from app.ui.application import Application


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
