"""Thiết lập cửa hàng: the first-run wizard, also opened from Tệp → Thiết lập lại… in technician mode.

Four pages (find the POS, enrol, devices, first check) on one :class:`SetupChoices` held in memory.
Nothing is written before the last page except a successful enrolment's token; cancelling keeps the
choices, so :class:`app.ui.application.Application` can resume with them: the wizard opens again on its
first page with every path, the enrolment and the devices as they were (the POS page proves the database
again), so Back works on every page of a resumed setup too.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QWidget, QWizard

from app.runtime import Runtime
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices
from app.ui.setup.check_page import CheckPage
from app.ui.setup.devices_page import DevicesPage
from app.ui.setup.enrol_page import EnrolPage
from app.ui.setup.pos_page import PosPage
from app.ui.tasks import TaskRunner

POS_PAGE, ENROL_PAGE, DEVICES_PAGE, CHECK_PAGE = range(4)


class SetupWizard(QWizard):
    """The setup's pages, in order, over one set of choices.

    Signals:
        written(object): the :class:`app.setup.finish.SetupWritten` once the settings are on disk.
        left_early(object): cancelled before writing: the choices so far, to resume with.
    """

    written = Signal(object)
    left_early = Signal(object)

    def __init__(self, runtime: Runtime, runner: TaskRunner, environment: SetupEnvironment, *,
                 choices: SetupChoices | None = None, code: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices if choices is not None else SetupChoices()
        self.setWindowTitle(self.tr("Thiết lập cửa hàng"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # written: only Xong is left
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< Quay lại"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Tiếp >"))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Lưu thiết lập >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Xong"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Để sau"))
        self.pos_page = PosPage(runner, environment, self.choices)
        self.enrol_page = EnrolPage(runner, environment, self.choices, code=code)
        self.devices_page = DevicesPage(runtime, runner, environment, self.choices)
        self.devices_page.setCommitPage(True)  # the next page writes: no going back past it
        self.check_page = CheckPage(runtime, runner, environment, self.choices)
        self.check_page.written.connect(self._written)
        for page_id, page in ((POS_PAGE, self.pos_page), (ENROL_PAGE, self.enrol_page),
                              (DEVICES_PAGE, self.devices_page), (CHECK_PAGE, self.check_page)):
            self.setPage(page_id, page)
        self._done_writing = False

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(860, 620)  # fits a 1024x768 screen with the taskbar

    def _written(self, written: object) -> None:
        self._done_writing = True
        self.written.emit(written)

    def reject(self) -> None:
        if not self._done_writing:
            self.left_early.emit(self.choices)
        super().reject()
