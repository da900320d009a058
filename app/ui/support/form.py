"""The support-request form: a cashier raises a request in under a minute."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import HOTLINE
from app.health.model import HealthReport
from app.health.output import to_json
from app.health.registry import remedies
from app.health.report_pdf import write_report
from app.health.service import categories
from app.runtime import Runtime
from app.storage.support_requests import AttachmentSource
from app.support.bundle import BundlePart, collect_parts, redacted_report, shop_phones, write_bundle
from app.support.models import AttachmentKind, Category, Channel, NewRequest, Severity
from app.support.service import FormError, FormField, RequestDraft, validate
from app.ui.failure_texts import failure_text
from app.ui.i18n import tr_args
from app.ui.support.bundle_preview import BundlePreviewDialog
from app.ui.support.state import SupportState
from app.ui.support.texts import category_name, channel_name, form_error, severity_name
from app.ui.tasks import TaskRunner
from app.ui.widgets.labelled import add_labelled_row
from app.ui.widgets.screen_fit import fit_to_screen
from pmv_protocol.sla import is_outside_working_hours


class RequestForm(QDialog):
    """Gửi yêu cầu hỗ trợ.

    Signals:
        sent(): the request was validated and handed to the support state for saving.
    """

    sent = Signal()

    def __init__(self, runtime: Runtime, runner: TaskRunner, state: SupportState,
                 screenshot: QImage | None = None, parent: QWidget | None = None,
                 health: HealthReport | None = None) -> None:
        super().__init__(parent)
        self._health = health
        # One id for every try of the same words: a try that was saved but answered as failed is not saved twice.
        # Words changed since the last try get a new id: the cashier's correction is sent, never dropped silently.
        self._request_id = str(uuid.uuid4())
        self._tried: object = None
        self._runtime = runtime
        self._runner = runner
        self._state = state
        self._screenshot = screenshot
        self._bundle_parts: list[BundlePart] | None = None
        self._bundle_included: set[str] | None = None
        self.setWindowTitle(self.tr("Gửi yêu cầu hỗ trợ"))
        self.setMinimumWidth(620)

        self.hotline = QLabel()
        self.hotline.setWordWrap(True)
        self.hotline.setObjectName("hotlineBanner")
        self.hotline.setStyleSheet("QLabel#hotlineBanner { background: #ffebee; border-left: 4px solid #c62828;"
                                   " padding: 8px; font-weight: 600; }")
        self.category = QComboBox()
        for value in Category:
            self.category.addItem(category_name(value), value.value)
        self.severity_group = QButtonGroup(self)
        severity_box = QVBoxLayout()
        self.severity_buttons: dict[Severity, QRadioButton] = {}
        for value in Severity:
            button = QRadioButton(severity_name(value))
            self.severity_group.addButton(button)
            self.severity_buttons[value] = button
            severity_box.addWidget(button)
            button.toggled.connect(self._update_hints)
        self.severity_buttons[Severity.NORMAL].setChecked(True)
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("Ví dụ: Máy in tem không in được"))
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(self.tr("Mô tả ngắn: chuyện gì xảy ra, từ lúc nào, đã thử gì."))
        self.description.setFixedHeight(90)
        # Tab goes on to the contact fields: it typed a tab into the text sent to the vendor, and trapped the cashier.
        self.description.setTabChangesFocus(True)
        self.contact_name = QLineEdit()
        self.contact_phone = QLineEdit()
        # "Ví dụ:" in front: a bare number in grey reads as one already typed in (a cashier took it for filled).
        self.contact_phone.setPlaceholderText(tr_args(self.tr("Ví dụ: %1"), "0912 345 678"))
        self.channel = QComboBox()
        for value in Channel:
            self.channel.addItem(channel_name(value), value.value)
        self.errors: dict[FormField, QLabel] = {}
        # Each field with an error line, in the form's order: an empty send puts the cursor on the first to fix.
        self._fields: dict[FormField, QWidget] = {}

        self.attach_screenshot = QCheckBox(self.tr("Đính kèm ảnh chụp màn hình"))
        self.attach_screenshot.setChecked(screenshot is not None)
        self.attach_screenshot.setEnabled(screenshot is not None)
        self.attach_diagnostics = QCheckBox(self.tr("Đính kèm thông tin chẩn đoán"))
        self.attach_diagnostics.setToolTip(self.tr("Nhật ký, cấu hình và thông tin máy; số CCCD, số điện thoại khác, "
                                                   "email và mật khẩu được che trước khi gửi."))
        self.attach_diagnostics.setChecked(True)
        preview = QPushButton(self.tr("Xem trước…"))
        preview.clicked.connect(self._preview_bundle)
        self.files = QListWidget()
        self.files.setFixedHeight(60)
        add_file = QPushButton(self.tr("Thêm tệp…"))
        add_file.clicked.connect(self._add_file)
        remove_file = QPushButton(self.tr("Bỏ tệp"))
        remove_file.clicked.connect(lambda: self.files.takeItem(self.files.currentRow()))

        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.send_button = QPushButton(self.tr("Gửi yêu cầu"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.submit)
        self.cancel_button = cancel = QPushButton(self.tr("Hủy"))
        cancel.clicked.connect(self.reject)
        self._saving = False  # a save under way: the form waits for its answer (see reject)

        # Each label names its field (not the wrapper that holds the field and its error line) for a screen reader.
        form = QFormLayout()
        add_labelled_row(form, self.tr("Loại yêu cầu"), self.category)
        form.addRow(self.tr("Mức độ"), severity_box)  # each radio button is named by its own text
        add_labelled_row(form, self.tr("Tiêu đề"), self.title, self._with_error(self.title, FormField.TITLE))
        add_labelled_row(form, self.tr("Mô tả"), self.description,
                         self._with_error(self.description, FormField.DESCRIPTION))
        add_labelled_row(form, self.tr("Người liên hệ"), self.contact_name,
                         self._with_error(self.contact_name, FormField.CONTACT_NAME))
        add_labelled_row(form, self.tr("Số điện thoại"), self.contact_phone,
                         self._with_error(self.contact_phone, FormField.CONTACT_PHONE))
        add_labelled_row(form, self.tr("Cách hỗ trợ mong muốn"), self.channel)
        diagnostics_row = QHBoxLayout()
        diagnostics_row.addWidget(self.attach_diagnostics, 1)
        diagnostics_row.addWidget(preview)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(add_file)
        file_buttons.addWidget(remove_file)
        files_row = QHBoxLayout()
        files_row.addWidget(self.files, 1)
        files_row.addLayout(file_buttons)
        attachments = QVBoxLayout()
        attachments.addWidget(self.attach_screenshot)
        attachments.addLayout(diagnostics_row)
        attachments.addLayout(files_row)
        # The list of added files is the row's field: a file that is too large or unreadable is one of them.
        add_labelled_row(form, self.tr("Đính kèm"), self.files,
                         self._with_error_layout(attachments, FormField.ATTACHMENTS, self.files))
        # Why the last press did not save, above the buttons: the form stays open with what was typed.
        self.save_error = QLabel()
        self.save_error.setStyleSheet("color: #c62828;")
        self.save_error.setWordWrap(True)
        self.save_error.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.deadline, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.send_button)
        # The fields scroll, the hotline banner and the buttons stay: on a 1024x768 screen at 125 % the form
        # and the error lines under its fields can be taller than the screen, and a dialog never grows for
        # wrapped text after it is shown (its rows would slide under the buttons).
        body = QWidget()
        body.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)  # in line with the banner and the buttons
        self.body = QScrollArea()
        self.body.setWidgetResizable(True)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body.setWidget(body)
        # Not a Tab stop of its own: the form opened with the focus on it, so the first keys typed went nowhere.
        # Tab still scrolls to the field it reaches (QScrollArea.focusNextPrevChild).
        self.body.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hotline)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.save_error)
        layout.addLayout(buttons)
        self._update_hints()
        self._fit_to_content()
        self.category.setFocus()  # the first field, where the form opens

    def _fit_to_content(self) -> None:
        """As large as the whole form where the screen has room (a scroll area alone would ask for less)."""
        layout, body = self.layout(), self.body.widget()
        margins = layout.contentsMargins()
        width = max(self.minimumWidth(), body.sizeHint().width() + margins.left() + margins.right())
        inner = width - margins.left() - margins.right()
        fields = body.layout().totalHeightForWidth(inner) if body.layout().hasHeightForWidth() \
            else body.sizeHint().height()
        height = layout.totalHeightForWidth(width) + max(0, fields - self.body.sizeHint().height())
        fit_to_screen(self, width, height)

    def _with_error(self, widget: QWidget, field: FormField) -> QWidget:
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        return self._with_error_layout(box, field, widget)

    def _with_error_layout(self, inner: QVBoxLayout | QHBoxLayout, field: FormField, focus: QWidget) -> QWidget:
        """``inner`` with the error line of ``field`` under it; ``focus`` takes the cursor when that line shows."""
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(inner)
        error = QLabel()
        error.setStyleSheet("color: #c62828;")
        error.setWordWrap(True)
        error.hide()
        box.addWidget(error)
        self.errors[field] = error
        self._fields[field] = focus
        return holder

    def prefill(self, *, category: Category, title: str, description: str, channel: Channel | None = None) -> None:
        self.category.setCurrentIndex(self.category.findData(category.value))
        self.title.setText(title)
        self.description.setPlainText(description)
        if channel is not None:
            self.channel.setCurrentIndex(self.channel.findData(channel.value))

    def severity(self) -> Severity:
        return next(value for value, button in self.severity_buttons.items() if button.isChecked())

    def draft(self) -> RequestDraft:
        return RequestDraft(
            category=Category(self.category.currentData()), severity=self.severity(), title=self.title.text(),
            description=self.description.toPlainText(), contact_name=self.contact_name.text(),
            contact_phone=self.contact_phone.text(), channel=Channel(self.channel.currentData()),
        )

    def _update_hints(self) -> None:
        now = self._state.now()
        calendar = self._runtime.working_calendar()
        critical = self.severity() is Severity.CRITICAL if self.severity_buttons else False
        if critical or is_outside_working_hours(now, calendar):
            text = (self.tr("Sự cố nghiêm trọng: hãy gọi ngay đường dây nóng %1 (24/7) sau khi gửi yêu cầu.")
                    if critical else
                    self.tr("Ngoài giờ làm việc: yêu cầu sẽ được xử lý từ giờ mở cửa tiếp theo. "
                            "Việc gấp, gọi đường dây nóng %1 (24/7)."))
            self.hotline.setText(tr_args(text, HOTLINE))
            self.hotline.show()
        else:
            self.hotline.hide()

    def _attachment_sources(self) -> list[AttachmentSource]:
        return [AttachmentSource(Path(self.files.item(row).text()), AttachmentKind.FILE)
                for row in range(self.files.count())]

    def _add_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Chọn tệp đính kèm"), str(Path.home()))
        for path in paths:
            self.files.addItem(path)

    def _preview_bundle(self) -> None:
        settings, log_file, phone = self._runtime.settings, self._runtime.log_file, self.contact_phone.text()

        def show(parts: list[BundlePart]) -> None:
            dialog = BundlePreviewDialog(parts, self._bundle_included, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._bundle_parts, self._bundle_included = parts, dialog.included()
                self.attach_diagnostics.setChecked(bool(self._bundle_included))

        extra = self._health_parts()
        packs = self._runtime.installed_packs
        self._runner.run(lambda: collect_parts(settings, log_file, keep_phones=[phone] if phone else [], extra=extra,
                                               packs=packs),
                         on_success=show, title=self.tr("Đang thu thập thông tin chẩn đoán…"), context=self)

    def _health_parts(self) -> list[BundlePart]:
        """The latest health report goes with every request by default (as JSON in the bundle)."""
        if self._health is None:
            return []
        return [BundlePart("health_report", "health.json", to_json(self._health, remedies()))]

    def show_errors(self, errors: list[FormError]) -> None:
        for field, label in self.errors.items():
            label.hide()
            self._fields[field].setAccessibleDescription("")
        for error in errors:
            label = self.errors[error.field]
            label.setText(form_error(error))
            label.show()
            # The red line is read with the field's name when the cursor lands there (it is not the field's label).
            self._fields[error.field].setAccessibleDescription(label.text())
        wrong = {error.field for error in errors}
        first = next((field for field in self._fields if field in wrong), None)  # in the form's order
        if first is None:
            return
        # Where the first fix is needed, as a sighted cashier would look: Enter had left the cursor in the title,
        # and a screen reader said nothing of the red lines.
        self._fields[first].setFocus(Qt.FocusReason.OtherFocusReason)
        # Scrolled to it where the fields scroll (a small screen): its red line under it too where there is room,
        # the field itself always. The lines just shown or hidden move the fields: they are placed first.
        self.body.widget().layout().activate()
        self.body.ensureWidgetVisible(self.errors[first])
        self.body.ensureWidgetVisible(self._fields[first])

    def submit(self) -> bool:
        """Validate on the spot; if good, hand over to the state, which saves in a worker.

        The form closes only once the request is in the database; if saving fails it stays open with
        everything typed, says why, and the same button tries again.
        """
        new, errors = validate(self.draft(), self._attachment_sources())
        self.show_errors(errors)
        if new is None:
            return False
        self.save_error.hide()
        self._saving = True
        self.send_button.setEnabled(False)  # one request per press, however long the save takes
        self.cancel_button.setEnabled(False)
        self.send_button.setText(self.tr("Đang lưu…"))
        self._state.submit(new, self._attachment_sources(), title=self.tr("Đang lưu và gửi yêu cầu…"),
                           prepare=self._prepare_job(new.contact_phone), on_saved=self._saved,
                           on_failed=self._save_failed, context=self, request_id=self._id_for(new))
        return True

    def _id_for(self, new: NewRequest) -> str:
        """The request's id for this try: the last try's if nothing in the form changed since."""
        tried = (new, tuple(self._attachment_sources()), self.attach_screenshot.isChecked(),
                 self.attach_diagnostics.isChecked())
        if self._tried is not None and tried != self._tried:
            self._request_id = str(uuid.uuid4())
        self._tried = tried
        return self._request_id

    def reject(self) -> None:
        """Hủy, Esc and the title bar's ×: not while a save is under way, whose answer decides (a cancelled form
        was saved and sent all the same, or its failure was said in a hidden form and what was typed lost)."""
        if not self._saving:
            super().reject()

    def _saved(self, _request: object) -> None:
        self._saving = False
        self.sent.emit()
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.cancel_button.setEnabled(True)
        self.send_button.setEnabled(True)
        self.send_button.setText(self.tr("Gửi yêu cầu"))
        text = self.tr("Chưa lưu được yêu cầu: %1. Nội dung bạn nhập vẫn còn đây: bấm “Gửi yêu cầu” lần nữa, "
                       "hoặc gọi %2.")
        self.save_error.setText(tr_args(text, failure_text(exc), HOTLINE))
        self.save_error.show()

    def _prepare_job(self, phone: str):  # type: ignore[no-untyped-def]
        """What the worker builds before saving: the screenshot file and the diagnostics zip."""
        screenshot = self._screenshot if self.attach_screenshot.isChecked() else None
        with_bundle = self.attach_diagnostics.isChecked()
        parts, included = self._bundle_parts, self._bundle_included
        settings, log_file, packs = self._runtime.settings, self._runtime.log_file, self._runtime.installed_packs
        extra, health, shop = self._health_parts(), self._health, self._runtime.settings.shop

        def prepare() -> list[AttachmentSource]:
            folder = Path(tempfile.mkdtemp(prefix="pmv-request-"))
            try:
                return build(folder)
            except BaseException:  # a full disk half-way: no screenshot or partial zip left behind per try
                shutil.rmtree(folder, ignore_errors=True)
                raise

        def build(folder: Path) -> list[AttachmentSource]:
            sources: list[AttachmentSource] = []
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            if screenshot is not None:
                path = folder / f"man-hinh-{stamp}.png"
                if screenshot.save(str(path), "PNG"):
                    sources.append(AttachmentSource(path, AttachmentKind.SCREENSHOT))
            if with_bundle:
                chosen = parts if parts is not None else collect_parts(settings, log_file, keep_phones=[phone],
                                                                      extra=extra, packs=packs)
                bundle = write_bundle(chosen, folder / f"chan-doan-{stamp}.zip", included=included)
                sources.append(AttachmentSource(bundle, AttachmentKind.DIAGNOSTICS))
                if health is not None and (included is None or "health_report" in included):
                    keep = [*([phone] if phone else []), *shop_phones(settings)]
                    pdf = write_report(redacted_report(health, keep), shop, categories(), remedies(),
                                       folder / f"kiem-tra-{stamp}.pdf")
                    sources.append(AttachmentSource(pdf, AttachmentKind.DIAGNOSTICS))
            return sources

        return prepare
