"""The telemetry box: what this till tells the vendor, when the vendor last heard from it, and the exact data.

Self-contained (it takes the runtime and the task runner), so any page can show it: the Bảo hành page does,
the Cập nhật page may.  Everything it reads (the contract, the settings, the outbox) is read in a worker.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.fleet.service import TelemetryStatus, preview_text, telemetry_status
from app.runtime import Runtime
from app.ui.fleet.preview import HeartbeatPreviewDialog
from app.ui.fleet.texts import last_report, never_sent, status_failed, what_is_sent
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class TelemetryBox(QGroupBox):
    """Dữ liệu gửi cho nhà cung cấp.  ``preview`` is the dialog last opened (for tests and screenshots)."""

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Dữ liệu gửi cho nhà cung cấp"), parent)
        self._runtime = runtime
        self._runner = runner
        self.status: TelemetryStatus | None = None
        self.preview: HeartbeatPreviewDialog | None = None
        self.what = QLabel(self.tr("Đang đọc…"))
        self.what.setWordWrap(True)
        self.never = QLabel(never_sent())
        self.never.setWordWrap(True)
        self.last = QLabel()
        self.last.setWordWrap(True)
        self.last.setStyleSheet("color: #555555;")
        self.preview_button = QPushButton(self.tr("Xem dữ liệu gửi đi"))
        self.preview_button.clicked.connect(self.show_preview)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(self.never)
        layout.addWidget(self.last)
        layout.addLayout(buttons)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt's name)
        super().showEvent(event)
        self.load()  # each time the page is shown: the last report may have gone since

    def load(self) -> None:
        """Read what is sent and the last report (a worker), then show it."""
        runtime = self._runtime
        self._runner.run(lambda: telemetry_status(runtime), on_success=self.show_status,
                         on_failure=self._failed, context=self)

    def contract_changed(self, _snapshot: object = None) -> None:
        """The contract was read again (it says whether the health summary may be sent): read again if shown;
        hidden, the next show reads it (at start both boxes are hidden, and their reads slowed the overview)."""
        if self.isVisible():
            self.load()

    def show_status(self, status: TelemetryStatus) -> None:
        self.status = status
        self.what.setText(what_is_sent(status))
        self.never.setVisible(status.off_by is None)
        self.last.setText(last_report(status))

    def _failed(self, error: BaseException) -> None:
        log.error("reading the telemetry status: %s", error)
        self.last.setText(status_failed(error))

    def show_preview(self) -> None:
        """Build the exact JSON (a worker), then open the read-only preview."""
        self.preview_button.setEnabled(False)
        runtime = self._runtime
        self._runner.run(lambda: preview_text(runtime), on_success=self._open_preview,
                         on_failure=self._preview_failed, context=self)

    def _open_preview(self, text: str) -> None:
        self.preview_button.setEnabled(True)
        self.preview = HeartbeatPreviewDialog(text, self)
        self.preview.open()

    def _preview_failed(self, error: BaseException) -> None:
        self.preview_button.setEnabled(True)
        self._failed(error)
