"""Step 1, Tìm phần mềm PMV: where the POS is installed, its database, backups and logs, proved at once.

The search (install folders, the registry's uninstall entries, the running POS process) and every
database proof run in workers; the technician may pick any path with a folder or file picker, and the
page is complete only when the database opened read-only and showed its version and newest invoice.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.infra.formatting import format_date, group_thousands
from app.setup.environment import SetupEnvironment
from app.setup.finish import SetupChoices
from app.setup.pos_discovery import FoundBy, PosInstall, read_install
from app.setup.pos_proof import DatabaseProof, prove_database
from app.ui.failure_texts import failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.setup.texts import found_by_text, install_problem_text, proof_problem_text
from app.ui.tasks import TaskRunner
from app.ui.widgets.labelled import add_labelled_row
from app.ui.widgets.message import MessageLabel


class _PathRow(QWidget):
    """A path field with its picker button (a folder, or a database file)."""

    def __init__(self, pick_file: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pick_file = pick_file
        self.edit = QLineEdit()
        self.button = QPushButton(self.tr("Chọn…"))
        self.button.clicked.connect(self._pick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text) if text else None

    def set_path(self, path: Path | None) -> None:
        self.edit.setText(str(path) if path is not None else "")

    def _pick(self) -> None:
        start = self.edit.text().strip()
        if self.pick_file:
            chosen, _filter = QFileDialog.getOpenFileName(self, self.tr("Chọn tệp dữ liệu PMV"), start)
        else:
            chosen = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục"), start)
        if chosen:
            self.edit.setText(chosen)
            self.edit.editingFinished.emit()


class PosPage(QWizardPage):
    """Find the POS and prove its database opens.

    Signals: completeChanged() (QWizardPage's), emitted when a proof succeeds or a path changes.
    """

    def __init__(self, runner: TaskRunner, environment: SetupEnvironment, choices: SetupChoices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.environment, self.choices = runner, environment, choices
        self.setTitle(self.tr("Bước 1/4 · Tìm phần mềm bán vàng PMV"))
        self.setSubTitle(self.tr("Ứng dụng tìm nơi cài PMV trên máy này. Kiểm tra các đường dẫn, sửa nếu cần "
                                 "bằng nút Chọn…, rồi bấm Tiếp."))
        self.installs: list[PosInstall] = []
        self.proof: DatabaseProof | None = None
        self._searched = False
        self._proving = 0  # the number of the newest proof asked for; older answers are dropped
        self._url = ""  # a POS on a database server: its connection string, read from PMV.ini (never typed here)

        self.found = QComboBox()
        self.found.currentIndexChanged.connect(self._choose_found)
        self.search_button = QPushButton(self.tr("Tìm lại"))
        self.search_button.clicked.connect(self.search)
        found_row = QHBoxLayout()
        found_row.addWidget(self.found, 1)
        found_row.addWidget(self.search_button)
        self.install_dir = _PathRow(pick_file=False)
        self.database = _PathRow(pick_file=True)
        self.backups_dir = _PathRow(pick_file=False)
        self.logs_dir = _PathRow(pick_file=False)
        self.install_dir.edit.editingFinished.connect(self._install_dir_edited)
        for row in (self.database, self.backups_dir, self.logs_dir):
            row.edit.editingFinished.connect(self.prove)
        self.url_note = QLabel()
        self.url_note.setWordWrap(True)
        self.url_note.hide()
        form = QFormLayout()
        add_labelled_row(form, self.tr("Tìm thấy"), self.found, found_row)
        # Each label names the path typed, not the row around it (the path and its Chọn… button): unnamed before.
        add_labelled_row(form, self.tr("Thư mục cài PMV"), self.install_dir.edit, self.install_dir)
        add_labelled_row(form, self.tr("Tệp dữ liệu bán hàng"), self.database.edit, self.database)
        add_labelled_row(form, self.tr("Thư mục sao lưu"), self.backups_dir.edit, self.backups_dir)
        add_labelled_row(form, self.tr("Thư mục nhật ký"), self.logs_dir.edit, self.logs_dir)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.message = MessageLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.url_note)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addStretch(1)

    # -- search ----------------------------------------------------------------------------------------------------

    def initializePage(self) -> None:
        if self.choices.install_dir is not None and not self._searched:
            self._fill(self._install_from_choices())  # resumed: what was chosen, proved again
        if not self._searched:
            self.search()

    def search(self) -> None:
        self._searched = True
        self.search_button.setEnabled(False)
        self.status.setText(self.tr("Đang tìm PMV trên máy này…"))
        self.runner.run(self.environment.find_installs, on_success=self._found, on_failure=self._search_failed,
                        context=self, title=self.tr("Tìm phần mềm PMV"))

    def _found(self, installs: list[PosInstall]) -> None:
        self.search_button.setEnabled(True)
        self.installs = installs
        self.found.blockSignals(True)
        self.found.clear()
        for install in installs:
            self.found.addItem(f"{install.install_dir} · {found_by_text(install.found_by)}")
        self.found.addItem(self.tr("Tôi tự chọn đường dẫn…"))
        self.found.blockSignals(False)
        if not installs:
            self.status.setText(self.tr("Không tìm thấy PMV ở các nơi thường cài. Bấm Chọn… để chỉ thư mục cài "
                                        "PMV."))
            if self.install_dir.path() is not None:
                self.prove()
            return
        resumed = self.choices.install_dir
        index = next((i for i, found in enumerate(installs) if found.install_dir == resumed), 0)
        self.found.setCurrentIndex(index)
        self._choose_found(index)

    def _search_failed(self, exc: BaseException) -> None:
        self.search_button.setEnabled(True)
        self.status.setText(tr_failed(self.tr("Không tìm được PMV: %1"), exc))

    def _choose_found(self, index: int) -> None:
        if 0 <= index < len(self.installs):
            self._fill(self.installs[index])

    def _fill(self, install: PosInstall) -> None:
        self.install_dir.set_path(install.install_dir)
        self.database.set_path(install.database)
        self.backups_dir.set_path(install.backups_dir)
        self.logs_dir.set_path(install.logs_dir)
        self._url = install.url
        self.url_note.setVisible(bool(install.url))
        self.url_note.setText(self.tr("PMV dùng máy chủ cơ sở dữ liệu (kết nối đọc từ cấu hình của PMV)."))
        self.database.setEnabled(not install.url)
        notes = [install_problem_text(problem) for problem in install.problems]
        self.status.setText("\n".join(notes))
        self.prove()

    def _install_dir_edited(self) -> None:
        folder = self.install_dir.path()
        if folder is None:
            return
        self.runner.run(lambda: read_install(folder), on_success=lambda found: self._read(folder, found),
                        context=self)

    def _read(self, folder: Path, install: PosInstall | None) -> None:
        if install is None:
            self._set_proof(None)
            self.message.show_message(self.tr("Thư mục này không phải nơi cài PMV (không có PMV.ini hay "
                                              "version.txt). Chọn thư mục có tệp PMV.exe."), Level.WARNING)
            return
        self._fill(install)

    # -- proof -----------------------------------------------------------------------------------------------------

    def _install_from_fields(self) -> PosInstall:
        return PosInstall(install_dir=self.install_dir.path() or Path(), version=None,
                          database=None if self._url else self.database.path(), url=self._url,
                          backups_dir=self.backups_dir.path(), logs_dir=self.logs_dir.path(), found_by=FoundBy.GIVEN)

    def _install_from_choices(self) -> PosInstall:
        c = self.choices
        return PosInstall(install_dir=c.install_dir or Path(), version=None, database=c.database, url=c.url,
                          backups_dir=c.backups_dir, logs_dir=c.logs_dir, found_by=FoundBy.GIVEN)

    def prove(self) -> None:
        install = self._install_from_fields()
        self._set_proof(None)
        if install.database is None and not install.url:
            return
        self._proving += 1
        number = self._proving
        self.message.show_message(self.tr("Đang mở thử dữ liệu bán hàng (chỉ đọc)…"), Level.INFO)
        self.runner.run(lambda: prove_database(install), on_success=lambda proof: self._proved(number, proof),
                        on_failure=lambda exc: self._proved(number, None, exc), context=self,
                        title=self.tr("Mở thử dữ liệu PMV"))

    def _proved(self, number: int, proof: DatabaseProof | None, exc: BaseException | None = None) -> None:
        if number != self._proving:
            return
        self._set_proof(proof)
        if proof is not None and proof.ok:
            newest = format_date(proof.newest_invoice) if proof.newest_invoice else self.tr("chưa có")
            invoices = group_thousands(proof.invoices) if proof.invoices is not None else "?"
            self.message.show_message(
                tr_args(self.tr("Mở được dữ liệu PMV %1: %2 hóa đơn, hóa đơn mới nhất ngày %3.", "",
                                     proof.invoices if proof.invoices is not None else 2),
                             proof.pos_version or self.tr("(không rõ phiên bản)"), invoices, newest), Level.OK)
        elif proof is not None and proof.problem is not None:
            self.message.show_message(proof_problem_text(proof.problem), Level.CRITICAL)
        else:
            self.message.show_message(tr_failed(self.tr("Không mở được dữ liệu PMV: %1"), exc), Level.CRITICAL)

    def _set_proof(self, proof: DatabaseProof | None) -> None:
        self.proof = proof
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.proof is not None and self.proof.ok

    def validatePage(self) -> bool:  # noqa: N802
        install = self._install_from_fields()
        c = self.choices
        c.install_dir, c.database, c.url = install.install_dir, install.database, install.url
        c.backups_dir, c.logs_dir = install.backups_dir, install.logs_dir
        return True


def tr_failed(text: str, exc: BaseException | None) -> str:
    """``text`` (translated, with %1) naming a failure in the shop's words: a file's or a folder's by what the
    system said (a missing one, no permission…), anything else as a fault kept in the log (the task's
    traceback) -- never the exception's English text."""
    return tr_args(text, failure_text(exc) if exc is not None else "?")
