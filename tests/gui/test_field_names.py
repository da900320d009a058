"""Fields named by the label printed beside them, for a screen reader (Windows Narrator, NVDA): the label is the
field's buddy and its text, without a trailing colon, the field's accessible name (a combo box would otherwise be
announced by its value, a field wrapped with its picker button by nothing)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices
from app.ui.devices.page import DevicesPage
from app.ui.setup.pos_page import PosPage
from app.ui.tasks import TaskRunner


def _assert_named(widget: QWidget, named: dict[QWidget, str]) -> None:
    for field, text in named.items():
        (label,) = [label for label in widget.findChildren(QLabel) if label.buddy() is field]
        assert (label.text(), field.accessibleName()) == (text, text)


def test_the_printer_tabs_fields_are_named(qtbot: QtBot, runtime: Runtime) -> None:
    runner = TaskRunner()
    page = DevicesPage(runtime, runner)
    qtbot.addWidget(page)
    printer = page.printer
    _assert_named(printer, {
        printer.profile: "Máy in", printer.language: "Ngôn ngữ máy in", printer.dpi: "Độ phân giải",
        printer.template: "Mẫu tem", printer.target: "Địa chỉ máy in", printer.item_code: "Mã hàng (mã vạch)",
        printer.product: "Tên hàng",
    })
    # The run's size has no label of its own: it is the count for the button beside it.
    assert printer.run_count.accessibleName() == printer.run_button.text() == "In loạt tem"
    runner.cancel_all()


def test_the_scanner_tabs_fields_are_named(qtbot: QtBot, runtime: Runtime) -> None:
    runner = TaskRunner()
    page = DevicesPage(runtime, runner)
    qtbot.addWidget(page)
    scanner = page.scanner
    _assert_named(scanner, {scanner.port: "Cổng", scanner.baud: "Tốc độ", scanner.frame: "Khung",
                            scanner.terminator: "Kết thúc"})
    assert scanner.capture.accessibleName() == scanner.capture.placeholderText()
    runner.cancel_all()


def test_the_setup_step_1_path_fields_are_named(qtbot: QtBot, runtime: Runtime) -> None:
    runner = TaskRunner()
    pos = PosPage(runner, SetupEnvironment.for_runtime(runtime), SetupChoices())  # no search until it is shown
    qtbot.addWidget(pos)
    _assert_named(pos, {
        pos.install_dir.edit: "Thư mục cài PMV", pos.database.edit: "Tệp dữ liệu bán hàng",
        pos.backups_dir.edit: "Thư mục sao lưu", pos.logs_dir.edit: "Thư mục nhật ký", pos.found: "Tìm thấy",
    })
