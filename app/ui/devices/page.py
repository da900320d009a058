"""Thiết bị mã vạch: scanner and label-printer test benches."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.runtime import Runtime
from app.ui.devices.printer_tab import PrinterTab
from app.ui.devices.scanner_tab import ScannerTab
from app.ui.tasks import TaskRunner


class DevicesPage(QWidget):
    """Tabs for each kind of device."""

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(self.tr("Thiết bị mã vạch"))
        heading.setObjectName("pageTitle")
        self.tabs = QTabWidget()
        self.scanner = ScannerTab(runner)
        self.tabs.addTab(self.scanner, self.tr("Máy quét mã vạch"))
        self.printer = PrinterTab(runtime, runner)
        self.tabs.addTab(self.printer, self.tr("Máy in tem"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)
        self.scanner.refresh_ports()
