"""Step 3, Thiết bị: the serial ports and printer queues found, which ones the shop uses, and their tests.

Optional: the page is always complete, and *Bỏ qua* (Next with nothing ticked) keeps whatever the
settings already list.  The scanner and printer tests are the Devices page's own, opened in a window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.infra.settings import PrinterSettings
from app.runtime import Runtime
from app.setup.devices_found import FoundDevices
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices
from app.ui.tasks import TaskRunner


class DevicesPage(QWizardPage):
    """Tick the scanners' ports and the label printers' queues; optionally test them.

    Signals: none of its own.
    """

    def __init__(self, runtime: Runtime, runner: TaskRunner, environment: SetupEnvironment, choices: SetupChoices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime, self.runner, self.environment, self.choices = runtime, runner, environment, choices
        self.setTitle(self.tr("Bước 3/4 · Máy quét mã vạch và máy in tem"))
        self.setSubTitle(self.tr("Đánh dấu các thiết bị cửa hàng dùng. Có thể bỏ qua bước này và thêm thiết bị "
                                 "sau ở trang Thiết bị."))
        self.ports = QListWidget()
        self.printers = QListWidget()
        ports_box, printers_box = QGroupBox(self.tr("Cổng nối tiếp (máy quét)")), QGroupBox(self.tr("Máy in"))
        QVBoxLayout(ports_box).addWidget(self.ports)
        QVBoxLayout(printers_box).addWidget(self.printers)
        self.status = QLabel(self.tr("Đang tìm thiết bị…"))
        self.status.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Thử máy quét và máy in…"))
        self.test_button.clicked.connect(self.open_tests)
        layout = QVBoxLayout(self)
        layout.addWidget(ports_box)
        layout.addWidget(printers_box)
        layout.addWidget(self.status)
        layout.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._looked = False
        self.tests: QDialog | None = None

    def initializePage(self) -> None:
        if not self._looked:
            self._looked = True
            self.runner.run(self.environment.devices, on_success=self._found, context=self,
                            title=self.tr("Tìm thiết bị"))

    def _found(self, found: FoundDevices) -> None:
        self.ports.clear()
        self.printers.clear()
        for port in found.ports:
            item = QListWidgetItem(f"{port.device} · {port.description}" if port.description else port.device)
            item.setData(Qt.ItemDataRole.UserRole, port.device)
            item.setCheckState(Qt.CheckState.Checked if port.device in self.choices.scanner_ports
                               else Qt.CheckState.Unchecked)
            self.ports.addItem(item)
        chosen = {printer.queue for printer in self.choices.printers}
        for queue in found.printer_queues:
            item = QListWidgetItem(queue)
            item.setData(Qt.ItemDataRole.UserRole, queue)
            item.setCheckState(Qt.CheckState.Checked if queue in chosen else Qt.CheckState.Unchecked)
            self.printers.addItem(item)
        if not found.ports and not found.printer_queues:
            self.status.setText(self.tr("Không thấy cổng nối tiếp hay máy in nào. Máy quét cắm USB kiểu bàn phím "
                                        "không cần chọn ở đây; máy in mạng thêm sau ở trang Thiết bị."))
        else:
            self.status.setText(self.tr("Máy quét cắm USB kiểu bàn phím không cần chọn; máy in mạng (cổng 9100) "
                                        "thêm sau ở trang Thiết bị."))

    def open_tests(self) -> None:
        from app.ui.devices.page import DevicesPage as DeviceTests

        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Thử thiết bị"))
        QVBoxLayout(dialog).addWidget(DeviceTests(self.runtime, self.runner))
        dialog.resize(900, 600)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.tests = dialog
        dialog.show()

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        self.choices.scanner_ports = [item.data(Qt.ItemDataRole.UserRole) for item in _checked(self.ports)]
        self.choices.printers = [PrinterSettings(name=queue, queue=queue)
                                 for queue in (item.data(Qt.ItemDataRole.UserRole) for item in _checked(self.printers))]
        return True


def _checked(widget: QListWidget) -> list[QListWidgetItem]:
    return [widget.item(i) for i in range(widget.count()) if widget.item(i).checkState() == Qt.CheckState.Checked]
