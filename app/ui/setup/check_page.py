"""Step 4, Kiểm tra lần đầu: write what the setup chose, then run the health checks on it.

This is the only page that writes (the one before it is the wizard's commit page, so there is no
going back past the write).  Writing and the checks run in workers; the checks show progress and can
be stopped.  The verdict lists every check that is not OK with its fix steps, and the page says where
the settings file now is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QTextBrowser, QWidget, QWizardPage

from app.health.model import HealthReport, Status
from app.infra.settings import LoadedSettings
from app.runtime import Runtime
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices, SetupWritten, finish_setup, read_written
from app.ui.failure_texts import failure_text
from app.ui.health.texts import check_title, checks_progress, level_of, status_name, verdict_name
from app.ui.i18n import said, tr_args
from app.ui.levels import Level
from app.ui.tasks import Task, TaskRunner
from app.ui.widgets.build import hbox, push_button, vbox
from app.ui.widgets.message import MessageLabel


def _write_and_reload(runtime: Runtime, environment: SetupEnvironment,
                      choices: SetupChoices) -> tuple[SetupWritten, LoadedSettings]:
    written = finish_setup(choices, base=runtime.settings, settings_file=runtime.loaded.path,
                           tokens=runtime.token_store, contract_cache=runtime.paths.data_dir / "contract.json",
                           trusted_keys=environment.keys(), pending=environment.pending)
    return written, read_written(written, runtime.paths.data_dir, runtime.clock)


class CheckPage(QWizardPage):
    """Write the settings, run the first check, show its verdict.

    Signals:
        written(object): the :class:`SetupWritten`, once the settings are on disk (the app reloads on it).
    """

    written = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, environment: SetupEnvironment, choices: SetupChoices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime, self.runner, self.environment, self.choices = runtime, runner, environment, choices
        self.setTitle(self.tr("Bước 4/4 · Kiểm tra lần đầu"))
        self.setSubTitle(self.tr("Ứng dụng lưu thiết lập rồi kiểm tra toàn bộ hệ thống bán vàng."))
        self.saved = MessageLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress_text = QLabel()
        self.stop_button = push_button(self.tr("Dừng kiểm tra"), self.stop)
        self.retry_button = push_button(self.tr("Thử lại"), self.initializePage)
        self.retry_button.hide()
        row = hbox((self.progress, 1), self.stop_button, self.retry_button)
        self.verdict = MessageLabel()
        self.results = QTextBrowser()
        self.results.hide()
        vbox(self.saved, row, self.progress_text, self.verdict, (self.results, 1), parent=self)
        self.setting_file_written: SetupWritten | None = None
        self.report: HealthReport | None = None
        self.task: Task | None = None

    def initializePage(self) -> None:
        self.retry_button.hide()
        if self.setting_file_written is not None:
            self._run_checks()
            return
        self.saved.show_message(self.tr("Đang lưu thiết lập…"), Level.INFO)
        runtime, environment, choices = self.runtime, self.environment, self.choices
        self.runner.run(lambda: _write_and_reload(runtime, environment, choices), on_success=self._saved,
                        on_failure=self._not_saved, context=self, title=self.tr("Lưu thiết lập"))

    def _saved(self, result: tuple[SetupWritten, LoadedSettings]) -> None:
        written, loaded = result
        self.runtime.loaded = loaded  # on the GUI thread: every state reads the runtime's settings from here
        self.setting_file_written = written
        text = tr_args(self.tr("Đã lưu thiết lập vào %1"), str(written.settings_file))
        if written.backup is not None:
            text += "\n" + tr_args(self.tr("Tệp cũ được giữ ở %1"), str(written.backup))
        self.saved.show_message(text, Level.OK)
        self.written.emit(written)
        self.completeChanged.emit()
        self._run_checks()

    def _not_saved(self, exc: BaseException) -> None:
        self.saved.show_message(tr_args(self.tr("Chưa lưu được thiết lập: %1. Không có gì bị thay đổi; kiểm tra "
                                                "ổ đĩa còn trống và quyền ghi, rồi bấm Thử lại."), failure_text(exc)),
                                Level.CRITICAL)
        self.retry_button.show()

    # -- the first check -------------------------------------------------------------------------------------------

    def _run_checks(self) -> None:
        from app.health.service import run_health

        runtime = self.runtime
        job: Callable[[threading.Event, Callable[[float, str], None]], HealthReport] = \
            lambda cancel, progress: run_health(runtime, cancel=cancel, progress=checks_progress(progress))  # noqa: E731
        self.stop_button.setEnabled(True)
        self.task = self.runner.run_job(job, on_success=self._checked, on_progress=self._progressed,
                                        on_failure=self._check_failed, on_cancelled=self._stopped,
                                        cancellable=True, context=self, title=self.tr("Kiểm tra lần đầu"))

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        self.progress_text.setText(message)

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _stopped(self) -> None:
        self.stop_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress_text.setText(self.tr("Đã dừng kiểm tra. Có thể chạy lại ở trang Kiểm tra hệ thống."))
        self.completeChanged.emit()

    def _check_failed(self, exc: BaseException) -> None:
        self.stop_button.setEnabled(False)
        self.verdict.show_message(tr_args(self.tr("Không chạy được kiểm tra: %1"), failure_text(exc)), Level.WARNING)

    def _checked(self, report: HealthReport) -> None:
        from app.health.registry import remedies

        self.report = report
        self.stop_button.setEnabled(False)
        self.progress.setValue(100)
        self.progress_text.clear()
        verdict = report.verdict
        self.verdict.show_message(tr_args(self.tr("Kết quả: %1"), verdict_name(verdict)), level_of(verdict))
        catalogue = remedies()
        fix_title, all_ok = self.tr("Cách khắc phục"), self.tr("Mọi mục kiểm tra đều ổn.")
        items = []
        for result in report.results:
            if result.status in (Status.OK, Status.SKIPPED):
                continue
            title = check_title(result.check_id, report.titles.get(result.check_id, result.check_id))
            steps = catalogue.get(result.remedy or "", "")
            fix = ""
            if steps:
                fix = f"<br><i>{escape(fix_title)}:</i><br>" + escape(said(steps)).replace("\n", "<br>")
            items.append(f"<p><b>{escape(title)}</b> · {escape(status_name(result.status))}<br>"
                         f"{escape(said(result.summary))}{fix}</p>")
        if not items:
            items.append(f"<p>{escape(all_ok)}</p>")
        self.results.setHtml("".join(items))
        self.results.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.setting_file_written is not None
