from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.cli import build_parser
from app.runtime import Runtime
from app.ui.application import Application
from app.ui.tasks import TaskRunner


@pytest.fixture(autouse=True)
def qt_garbage_collected_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """After each GUI test, destroy its Qt objects left in reference cycles here, on the GUI thread.

    Otherwise the cyclic collector frees them whenever it next runs, which may be on a worker thread of a later
    test (the embedded vendor's uvicorn, a TaskRunner job); a QWidget deleted off the GUI thread crashes the
    whole process with a segmentation fault, far from the test that made it.
    """
    yield
    QApplication.sendPostedEvents()  # deleteLater()s first, then what only a cycle still holds
    gc.collect()
    QApplication.processEvents()


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


@pytest.fixture
def page_and_tile(qtbot: QtBot) -> Callable[..., tuple[Any, Any, Any, TaskRunner]]:
    """Builds a page and its home-screen tile on one state and one task runner, as the window does.

    ``page_and_tile(SupportPage, SupportTile, SupportState, runtime, clock=...)``: the keyword arguments go to the
    state. The page keeps the runner and the state alive for the test; qtbot closes both widgets after it.
    """

    def make(page_type: type, tile_type: type, state_type: type, runtime: Runtime,
             **state_options: Any) -> tuple[Any, Any, Any, TaskRunner]:
        runner = TaskRunner()
        state = state_type(runtime, runner, **state_options)
        page = page_type(runtime, runner, state)
        tile = tile_type(state)
        qtbot.addWidget(page)
        qtbot.addWidget(tile)
        page._keep = (runner, state)
        return page, tile, state, runner

    return make
