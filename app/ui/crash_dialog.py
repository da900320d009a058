"""The dialog shown after an unexpected error, offering to copy the report."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app import HOTLINE
from app.infra.crash import CrashReport
from app.ui.i18n import tr_args
from app.ui.widgets.screen_fit import fit_to_screen


class CrashDialog(QDialog):
    """Says what happened, that saved data is safe, and how to get help."""

    def __init__(self, report: CrashReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        # What the cashier copies goes to the vendor (a request, a chat): an exception's message or the log's last
        # lines may quote a POS line with a customer's name or phone, so it is redacted as a bundle is.  The file
        # on disk stays whole for a technician at the till.
        from app.support.redaction import redact_text

        self.shared_text = redact_text(report.text).text
        self.setWindowTitle(self.tr("Ứng dụng gặp lỗi"))
        intro = QLabel(
            tr_args(self.tr("Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu không bị mất. "
                            "Hãy sao chép báo cáo bên dưới gửi cho bộ phận hỗ trợ, "
                            "hoặc gọi đường dây nóng %1."), HOTLINE)
        )
        intro.setWordWrap(True)
        summary = QLabel(f"<b>{html.escape(report.summary)}</b>")
        summary.setWordWrap(True)
        self.text = QPlainTextEdit(self.shared_text)
        self.text.setReadOnly(True)
        self.copy_button = QPushButton(self.tr("Sao chép báo cáo"))
        self.copy_button.clicked.connect(self.copy_report)
        open_folder = QPushButton(self.tr("Mở thư mục báo cáo"))
        open_folder.setEnabled(report.path is not None)
        open_folder.clicked.connect(self._open_folder)
        close = QPushButton(self.tr("Đóng"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(open_folder)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(summary)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, 640, 420)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.shared_text)
        self.copy_button.setText(self.tr("Đã sao chép"))

    def _open_folder(self) -> None:
        if self.report.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.path.parent)))


class CrashBridge(QObject):
    """Carries crash reports from any thread to the GUI thread.

    Signals:
        crashed(object): a :class:`CrashReport`, delivered on the GUI thread.
    """

    crashed = Signal(object)

    def __init__(self, show_dialogs: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_dialogs = show_dialogs
        self._open: CrashDialog | None = None
        self.crashed.connect(self._on_crashed)

    def listener(self, report: CrashReport) -> None:
        self.crashed.emit(report)  # queued when called from a worker thread

    @Slot(object)
    def _on_crashed(self, report: CrashReport) -> None:
        if not self._show_dialogs or self._open is not None:
            return  # one dialog at a time; every report is still written to disk
        self._open = CrashDialog(report)
        self._open.finished.connect(self._closed)
        self._open.show()

    def _closed(self) -> None:
        self._open = None
