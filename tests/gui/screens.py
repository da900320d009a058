"""Every page, tab and dialog of the app, opened on the demo shop, and what is clipped on each.

Shared by tests/gui/test_small_screens.py (which asserts there is nothing to
report) and by a person who wants to look at the screens at a till's size:

    QT_QPA_PLATFORM=offscreen:configfile=/tmp/screen-1024x728.json QT_SCALE_FACTOR=1.25 \
        .venv/bin/python -m tests.gui.screens --out /tmp/screens [--lang en]

renders each screen to ``/tmp/screens/<name>.png`` and prints the problems
found (the config file describes the offscreen platform's screen, e.g.
``{"screens": [{"name": "S", "x": 0, "y": 0, "width": 1024, "height": 728,
"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from app.bootstrap import bootstrap
from app.cli import build_parser
from app.health.machine import MachineProbes
from app.infra.crash import CrashReport
from app.infra.paths import HOME_ENV, AppPaths
from app.runtime import Runtime
from app.support.bundle import collect_parts
from app.technician.consent import ConsentFlow
from app.technician.remote_tools import NoRegistry, ToolDetector, ToolKind
from app.technician.unlock import Session
from app.ui.application import Application
from app.ui.crash_dialog import CrashDialog
from app.ui.main_window import PAGE_KEYS, MainWindow
from app.ui.support.bundle_preview import BundlePreviewDialog
from app.ui.technician.consent_dialog import ConsentDialog
from app.ui.technician.dialog import TechnicianDialog


@dataclass
class Screen:
    name: str  # e.g. "page-devices-tab1", "dialog-request-form"
    window: QWidget  # the top-level window to check and grab


def settle(rounds: int = 3) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def _tab_widgets(root: QWidget) -> list[QTabWidget]:
    return [tabs for tabs in root.findChildren(QTabWidget) if tabs.isVisibleTo(root.window())]


def each_tab(name: str, root: QWidget, window: QWidget) -> Iterator[Screen]:
    """``root`` as shown, then once per other tab of each tab widget it shows (one level deep is all the app has)."""
    yield Screen(name, window)
    for tabs in _tab_widgets(root):
        first = tabs.currentIndex()
        for index in range(tabs.count()):
            if index == first or not tabs.isTabEnabled(index):
                continue
            tabs.setCurrentIndex(index)
            settle()
            yield Screen(f"{name}-tab{index}", window)
        tabs.setCurrentIndex(first)


def visit_pages(window: MainWindow) -> Iterator[Screen]:
    """Each of the six areas in turn, each tab inside an area, and the checks page while a run goes."""
    for key in PAGE_KEYS:
        window.show_page(key)
        settle()
        yield from each_tab(f"page-{key}", window.pages[key], window)
        if key == "checks":
            yield from _checks_running(window)


def _checks_running(window: MainWindow) -> Iterator[Screen]:
    """The Stop button and the progress line with the longest check name, as the state reports a run."""
    state = window.health_state
    state.started.emit()
    state.progressed.emit(0.4, "Thanh toán qua ngân hàng theo Nghị định 232/2025/NĐ-CP (chứng từ 30 ngày gần nhất)")
    settle()
    yield Screen("page-checks-running", window)
    state.cancelled.emit()
    settle()


def open_dialogs(window: MainWindow, clock: Callable[[], dt.datetime]) -> Iterator[Screen]:
    """Every dialog a user can reach, opened over ``window``; each is closed before the next opens."""
    runtime, runner = window.runtime, window.runner
    assert runtime is not None and runner is not None
    opened: list[tuple[str, Callable[[], QDialog]]] = [
        ("about", window.show_about),
        ("request-form", window.open_request_form),
        ("bundle-preview", lambda: _shown(BundlePreviewDialog(collect_parts(runtime.settings, runtime.log_file),
                                                              None, window))),
        ("remote-assist", lambda: _remote_assist(window)),
        ("consent", lambda: _consent(window, clock)),
        ("technician-locked", window.open_technician),
        ("technician", lambda: _technician(window, clock)),
        ("crash", lambda: _shown(CrashDialog(_crash_report(), window))),
    ]
    for name, opener in opened:
        dialog = opener()
        settle()
        yield from each_tab(f"dialog-{name}", dialog, dialog)
        if name == "request-form":
            dialog.submit()  # empty: a red line under each field that needs filling in
            settle()
            yield Screen("dialog-request-form-errors", dialog)
            yield _not_saved(dialog, settle)
        dialog.close()
        dialog.deleteLater()
        settle()


def _not_saved(form: QDialog, settle: Callable[[], None]) -> Screen:
    """The form after a save the disk refused: still open, what was typed kept, why said above the buttons."""
    from pathlib import Path

    from app.storage.errors import StorageError, StorageFailure

    form.title.setText("Máy quét không nhận mã")  # type: ignore[attr-defined]
    form.contact_name.setText("Chị Lan")  # type: ignore[attr-defined]
    form.contact_phone.setText("0903 112 233")  # type: ignore[attr-defined]
    form.show_errors([])  # type: ignore[attr-defined]
    form._save_failed(StorageError(StorageFailure.DISK_FULL, Path("pmv-support.sqlite3")))  # type: ignore[attr-defined]
    settle()
    return Screen("dialog-request-form-not-saved", form)


def _shown(dialog: QDialog) -> QDialog:
    dialog.show()
    return dialog


def _remote_assist(window: MainWindow) -> QDialog:
    # A till with nothing installed: the list says so; the buttons and boxes are all still there.
    window.remote_tools = ToolDetector(platform="linux", environ={"PATH": ""}, registry=NoRegistry())
    return window.open_remote_assist()


def _consent(window: MainWindow, clock: Callable[[], dt.datetime]) -> QDialog:
    assert window.runtime is not None and window.runner is not None
    flow = ConsentFlow.ask(window.runtime.audit_log(), clock, request_number="YC-2026-0042",
                           technician="Nguyễn Văn Kỹ", reason="Máy in tem in ra giấy trắng sau khi cập nhật Windows",
                           tool=ToolKind.ULTRAVIEWER, remote_id="123456789")
    return _shown(ConsentDialog(flow, window.runner, window, request_label="YC-2026-0042 – Máy in tem không in"))


def _technician(window: MainWindow, clock: Callable[[], dt.datetime]) -> QDialog:
    """Unlocked: every tool tab is there (the unlock itself is tested in test_technician_dialog.py)."""
    assert window.runtime is not None and window.runner is not None
    session = Session("Nguyễn Văn Kỹ", clock() + dt.timedelta(minutes=30))
    dialog = TechnicianDialog(window.runtime, window.runner, window, clock, support=window.support_state,
                              updates=window.updates_state, session=session)
    return _shown(dialog)


def _crash_report() -> CrashReport:
    text = "Traceback (most recent call last):\n" + "".join(
        f'  File "app/ui/page.py", line {n}, in handler\n    do_something(argument_{n})\n' for n in range(40))
    return CrashReport("ValueError: không đọc được số tiền “20.000.000 ₫”", text + "ValueError: bad amount", None)


# --------------------------------------------------------------------------- what is wrong on a screen


def _in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _scroller(widget: QWidget, window: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area ``widget`` sits in (inside its viewport), below ``window``."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _visible_rect(widget: QWidget, window: QWidget) -> tuple[QRect, bool]:
    """The part of the window ``widget`` may show in, and whether it can scroll there vertically."""
    area = _scroller(widget, window)
    if area is None:
        return window.rect(), False
    return _in_window(area.viewport(), window), True


CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


def problems(window: QWidget, room: tuple[int, int]) -> list[str]:
    """What a user of ``window`` on a screen with ``room`` to spare cannot see or reach; empty when all is well.

    - the window is larger than the room (its edge is off the screen or under the taskbar), or smaller than
      its layout's minimum (Qt would then grow it past the screen);
    - a shown button is not wholly inside the area it can be seen in (the window, or the viewport of the
      scroll area it sits in; there it may be out of sight vertically, since scrolling down reaches it),
      or is narrower than its text needs (its label is cut);
    - a scroll area holding controls scrolls sideways (main actions must not hide to the right);
    - a one-line label outside tables and lists is narrower than its text (cut off at the edge).
    """
    found: list[str] = []
    name = type(window).__name__
    hint = window.minimumSizeHint()
    if window.width() > room[0] or window.height() > room[1]:
        found.append(f"{name}: is {window.width()}x{window.height()}, the screen has {room[0]}x{room[1]}")
    if hint.width() > window.width() or hint.height() > window.height():
        found.append(f"{name}: needs at least {hint.width()}x{hint.height()}, has {window.width()}x{window.height()}")
    layout = window.layout()
    if layout is not None and layout.hasHeightForWidth():
        # Wrapped text and wrapping rows need more height as the window narrows; Qt does not grow a dialog
        # for them after it is shown, so the rows below are pushed under the buttons.
        tall = layout.totalMinimumHeightForWidth(window.width())
        if tall > window.height():
            found.append(f"{name}: needs {tall} px of height at {window.width()} px wide, has {window.height()}")
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.width() == 0:
            continue
        label = f"{name}: button “{button.text() or button.toolTip() or button.objectName()}”"
        rect = _in_window(button, window)
        area, scrolls = _visible_rect(button, window)
        inside_x = area.left() <= rect.left() and rect.right() <= area.right()
        inside_y = scrolls or (area.top() <= rect.top() and rect.bottom() <= area.bottom())
        if not (inside_x and inside_y):
            found.append(f"{label} at {rect.getRect()} is outside the visible {area.getRect()}")
        if button.width() < button.minimumSizeHint().width():
            found.append(f"{label} is {button.width()} px wide, its text needs {button.minimumSizeHint().width()}")
    for widget in window.findChildren(QWidget):
        # A layout that has run out of room squeezes widgets below the minimum they were given.
        if widget.isVisibleTo(window) and widget.width() > 0 and (
                widget.height() < widget.minimumHeight() or widget.width() < widget.minimumWidth()):
            found.append(f"{name}: {type(widget).__name__} is squeezed to {widget.width()}x{widget.height()}, "
                         f"below its minimum {widget.minimumWidth()}x{widget.minimumHeight()}")
    for area in window.findChildren(QScrollArea):
        # An image may scroll sideways (the label preview, dot for dot); a panel of controls may not.
        controls = [w for w in area.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisibleTo(window)]
        if area.isVisibleTo(window) and area.horizontalScrollBar().maximum() > 0 and controls:
            found.append(f"{name}: a scroll area with controls scrolls sideways by "
                         f"{area.horizontalScrollBar().maximum()} px")
    for text in window.findChildren(QLabel):
        if not text.isVisibleTo(window) or text.wordWrap() or not text.text() or text.width() == 0:
            continue
        holder = _scroller(text, window)
        if holder is not None and not isinstance(holder, QScrollArea):
            continue  # a table's or a list's cell widget: those scroll and elide on purpose
        if text.width() < text.minimumSizeHint().width():
            found.append(f"{name}: label “{text.text()[:60]}” is {text.width()} px wide, "
                         f"its text needs {text.minimumSizeHint().width()}")
    return found


# --------------------------------------------------------------------------- the demo shop at work


def demo_runtime(clock: Callable[[], dt.datetime]) -> Runtime:
    """``--demo``'s runtime (in the data dir ``PMV_SUPPORT_HOME`` names): its embedded vendor server on loopback,
    the signed contract and the sample requests; ``clock``: the demo's day, whatever the real date."""
    return bootstrap(None, demo=True, paths=AppPaths.default(), install_crash_handler=False, clock=clock,
                     machine=MachineProbes.fixed(cpu_percent=7.0, memory_percent=45.0))


def open_demo(qapp: QApplication, runtime: Runtime, *cli_args: str) -> tuple[Application, MainWindow]:
    """The window as ``--demo`` opens it, once the pack is installed and the checks have run."""
    app = Application(qapp, runtime, build_parser().parse_args(["--no-err-windows", "--demo", *cli_args]))
    window = app.build_window()
    window.show()
    settle()
    deadline = time.monotonic() + 60
    while app.runner.is_busy() or (getattr(app, "living_demo", None) is not None and app.health.last is None):
        if time.monotonic() > deadline:
            raise TimeoutError("the demo did not finish installing its pack and running its checks in 60 s")
        settle(1)
        time.sleep(0.01)
    settle()
    return app, window


# --------------------------------------------------------------------------- rendering for a person to look at


def main(argv: list[str] | None = None) -> int:
    import argparse
    import itertools
    import os
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for one PNG per screen")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    args = parser.parse_args(argv)

    from app.ui.widgets.screen_fit import UNBOUNDED, available_size
    from tests.conftest import DEMO_NOW
    from tests.gui.screens_support import support_threads
    from tests.helpers import FixedClock

    qapp = QApplication([])
    room = available_size(QWidget())
    if room == UNBOUNDED:
        print("no screen to fit: give the offscreen platform a configfile (see the top of this file)")
        return 2
    print(f"screen room {room[0]}x{room[1]}, scale {os.environ.get('QT_SCALE_FACTOR', '1')}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ[HOME_ENV] = folder
        clock = FixedClock(DEMO_NOW)
        runtime = demo_runtime(clock)
        app, window = open_demo(qapp, runtime, "--lang", args.lang)
        args.out.mkdir(parents=True, exist_ok=True)
        count = 0
        for screen in itertools.chain(visit_pages(window), open_dialogs(window, clock), support_threads(window)):
            while app.runner.is_busy():
                settle(1)
            settle()
            screen.window.grab().save(str(args.out / f"{screen.name}.png"))
            for problem in problems(screen.window, room):
                count += 1
                print(f"{screen.name}: {problem}")
        app.runner.cancel_all()
        app.shutdown()
        window.hide_on_close = False
        window.close()
        runtime.close()
    print(f"{count} problem(s)")
    return 1 if count else 0


if __name__ == "__main__":
    raise SystemExit(main())
