"""Thiết bị mã vạch: scanner and label-printer test benches."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.ui.devices.scanner_tab import ScannerTab
from app.ui.pages.coming_soon import ComingSoonPage
from app.ui.tasks import TaskRunner


class DevicesPage(QWidget):
    """Tabs for each kind of device."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(self.tr("Thiết bị mã vạch"))
        heading.setObjectName("pageTitle")
        self.tabs = QTabWidget()
        self.scanner = ScannerTab(runner)
        self.tabs.addTab(self.scanner, self.tr("Máy quét mã vạch"))
        self.tabs.addTab(ComingSoonPage(self.tr("Máy in tem"), [
            self.tr("in thử tem nữ trang trên máy in tem (ZPL, TSPL, EZPL)"),
            self.tr("kiểm tra trạng thái máy in và hiệu chỉnh cảm biến"),
        ]), self.tr("Máy in tem"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)
        self.scanner.refresh_ports()
