"""Giới thiệu: version, hotline, and where the app keeps its files."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from app import APP_NAME, HOTLINE, __version__
from app.runtime import Runtime
from app.ui.i18n import tr_args
from app.ui.icons import app_icon
from app.ui.widgets.build import STRETCH, hbox, push_button, vbox


class AboutDialog(QDialog):
    """Shows the version and hotline; copies the technical details for support."""

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Giới thiệu"))
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        name = QLabel(f"<h2>{APP_NAME}</h2>")
        version = QLabel(tr_args(self.tr("Phiên bản %1"), __version__))
        version.setObjectName("aboutVersion")
        purpose = QLabel(
            self.tr("Trợ lý hỗ trợ của Phần Mềm Vàng: kiểm tra hệ thống, gửi yêu cầu hỗ trợ, "
                    "theo dõi bảo hành – bảo trì và kiểm tra thiết bị mã vạch.")
        )
        purpose.setWordWrap(True)
        hotline = QLabel(tr_args(self.tr("Đường dây nóng 24/7: <b>%1</b>"), HOTLINE))
        hotline.setObjectName("aboutHotline")
        self.details = "\n".join(
            [
                f"{APP_NAME} {__version__}",
                f"Python {platform.python_version()}, PySide6 {pyside_version}, {platform.platform()}",
                tr_args(self.tr("Tệp cấu hình: %1"), runtime.loaded.path),
                tr_args(self.tr("Thư mục dữ liệu: %1"), runtime.paths.data_dir),
                tr_args(self.tr("Nhật ký: %1"), runtime.log_file),
            ]
        )
        # Long folder paths must wrap on a narrow screen: a zero-width space after each separator lets them
        # (shown only; "copy" copies the plain text).
        details = QLabel(self.details.replace("/", "/\u200b").replace("\\", "\\\u200b"))
        details.setWordWrap(True)
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.setStyleSheet("color: #555555; font-size: 8pt;")
        copy = push_button(self.tr("Sao chép thông tin"), lambda: QGuiApplication.clipboard().setText(self.details))
        close = push_button(self.tr("Đóng"), self.accept, default=True)
        header = hbox(icon, (name, 1))
        buttons = hbox(STRETCH, copy, close)
        vbox(header, version, purpose, hotline, details, buttons, parent=self)
        self.setMinimumWidth(560)
        self.adjustSize()
