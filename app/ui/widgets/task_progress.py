"""Status-bar progress for long background tasks, with a cancel button."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.ui.tasks import Task, TaskRunner


class TaskProgress(QWidget):
    """Shows the newest running task that has a title; hidden when idle."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._task: Task | None = None
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(self.tr("Hủy"))
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        runner.task_started.connect(self._on_started)
        runner.task_finished.connect(self._on_finished)
        self.hide()

    def _on_started(self, task: Task) -> None:
        if not task.title:
            return
        self._show(task)

    def _show(self, task: Task) -> None:
        if self._task is not None and self._task is not task:
            self._task.progressed.disconnect(self._on_progress)
        if self._task is task:
            return
        self._task = task
        task.progressed.connect(self._on_progress)
        self.label.setText(task.title)
        self.bar.setValue(int(task.fraction * 1000))
        self.cancel_button.setVisible(task.cancellable)
        self.cancel_button.setEnabled(True)
        self.show()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if self._task is not None:
            self.label.setText(f"{self._task.title} – {message}" if message else self._task.title)

    def _on_finished(self, task: Task) -> None:
        if task is not self._task:
            return
        self._task = None
        remaining = [t for t in self._runner.active() if t.title]
        if remaining:
            self._show(remaining[-1])
        else:
            self.hide()

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Đang hủy…"))
