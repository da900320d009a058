"""Máy in tem: a test tag previewed exactly as it will print, printed, verified; status and calibration."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QScrollArea, QSpinBox, QWidget

from app import HOTLINE
from app.devices.labels import (
    DEFAULT_TEMPLATE,
    PrinterStatus,
    StatusReplyError,
    TagFieldError,
    TagRefused,
    TransportError,
    answers_status,
    calibrate_command,
    demo_tag,
    list_templates,
    load_template,
    prepare_job,
    read_status,
    render_png,
    send,
    transfer_seconds,
    verify_tag,
)
from app.devices.labels.batch import MAX_RUN, RunFailed, numbered_tags, render_run
from app.runtime import Runtime
from app.ui.devices.texts import (
    layout_note_text,
    printer_fault_name,
    tag_field_error_text,
    template_name,
    transport_error_text,
    verify_problem_text,
)
from app.ui.failure_texts import failure_text
from app.ui.i18n import tr_args
from app.ui.levels import Level
from app.ui.tasks import TaskRunner
from app.ui.widgets.build import STRETCH, push_button, vbox
from app.ui.widgets.flow import FlowLayout
from app.ui.widgets.labelled import add_labelled_row
from app.ui.widgets.message import MessageLabel
from app.ui.widgets.scroll import set_scrolling_content


class PrinterTab(QWidget):
    """Print a test tag on any label printer and prove its barcode scans.

    The preview is rendered while the tab is on screen only: rendering loads PIL and zxing-cpp (~14 MiB the
    window would then hold all day), and a cashier who opens Thiết bị to test a scanner never needs them.
    """

    def __init__(self, runtime: Runtime, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._preview_waits = False  # asked for while the tab was hidden: rendered when it shows
        self._profiles = list(runtime.settings.devices.printers)
        self.profile = QComboBox()
        self.profile.addItem(self.tr("(nhập tay)"), None)
        for index, printer in enumerate(self._profiles):
            self.profile.addItem(printer.name, index)
        self.profile.currentIndexChanged.connect(self._load_profile)
        self.language = QComboBox()
        for code, name in (("tspl", "TSPL (TSC, Xprinter)"), ("zpl", "ZPL (Zebra)"), ("ezpl", "EZPL (Godex)")):
            self.language.addItem(name, code)
        self.dpi = QComboBox()
        for dpi in (203, 300):
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.template = QComboBox()
        for name in list_templates():
            self.template.addItem(template_name.get(name, name), name)
        self.template.setCurrentIndex(max(0, self.template.findData(DEFAULT_TEMPLATE)))  # the rat-tail tag
        self.target = QLineEdit()
        self.target.setPlaceholderText("tcp://192.168.1.50:9100 · serial://COM3?baud=9600 · spooler://Xprinter")
        self.item_code = QLineEdit(demo_tag().item_code)
        self.product = QLineEdit(demo_tag().product_name)
        for widget in (self.language, self.dpi, self.template):
            widget.currentIndexChanged.connect(self.refresh_preview)
        for line in (self.item_code, self.product):
            line.editingFinished.connect(self.refresh_preview)

        form = QFormLayout()  # each label names its field: a combo box was announced by its value alone
        add_labelled_row(form, self.tr("Máy in"), self.profile)
        add_labelled_row(form, self.tr("Ngôn ngữ máy in"), self.language)
        add_labelled_row(form, self.tr("Độ phân giải"), self.dpi)
        add_labelled_row(form, self.tr("Mẫu tem"), self.template)
        add_labelled_row(form, self.tr("Địa chỉ máy in"), self.target)
        add_labelled_row(form, self.tr("Mã hàng (mã vạch)"), self.item_code)
        add_labelled_row(form, self.tr("Tên hàng"), self.product)
        settings_box = QGroupBox(self.tr("Máy in và tem thử"))
        settings_box.setLayout(form)

        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(140)
        self.preview.setStyleSheet("background: #ffffff; border: 1px solid #cccccc;")
        preview_scroll = QScrollArea()
        preview_scroll.setWidgetResizable(True)
        preview_scroll.setWidget(self.preview)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        preview_box = QGroupBox(self.tr("Xem trước đúng như khi in"))
        vbox((preview_scroll, 1), self.verdict, parent=preview_box)

        self.print_button = push_button(self.tr("In tem thử"), self.print_test_tag, style="font-weight: 700;")
        self.run_count = QSpinBox()
        self.run_count.setRange(2, MAX_RUN)
        self.run_count.setValue(10)
        self.run_count.setSuffix(self.tr(" tem"))
        self.run_count.setToolTip(self.tr("Số tem của loạt: mã hàng tăng dần từ mã đã nhập."))
        self.run_button = push_button(self.tr("In loạt tem"), self.print_run, tooltip=self.tr(
            "In liền một loạt tem như khi nhập hàng, để xem máy in có giữ tem thẳng hàng đến tem cuối không."))
        # No label of its own: it is the count for the button beside it (its tooltip is read as the description).
        self.run_count.setAccessibleName(self.run_button.text())
        self.status_button = push_button(self.tr("Kiểm tra trạng thái"), self.check_status)
        self.target.textChanged.connect(self._update_status_button)
        self.calibrate_button = push_button(self.tr("Hiệu chỉnh cảm biến"), self.calibrate)
        self.message = MessageLabel()
        buttons = FlowLayout()  # five controls wrap onto two lines on a narrow window
        for button in (self.print_button, self.run_count, self.run_button, self.status_button, self.calibrate_button):
            buttons.addWidget(button)

        # Settings beside the preview where the window is wide enough, above it where it is not (1024x768 at
        # 125 %); the tab scrolls up and down when it is taller than the window.
        top = FlowLayout(fill=True)
        top.addWidget(settings_box)
        top.addWidget(preview_box)
        content = QWidget()
        vbox(top, buttons, self.message, STRETCH, parent=content)
        set_scrolling_content(self, content)
        if self._profiles:
            self.profile.setCurrentIndex(1)
        self._update_status_button()
        self.refresh_preview()

    def _update_status_button(self) -> None:
        """A queue or a file cannot answer a status query: the button says so instead of failing when pressed."""
        target = self.target.text().strip()
        answers = not target or answers_status(target)
        self.status_button.setEnabled(answers)
        self.status_button.setToolTip("" if answers else self._no_status_text())

    def _no_status_text(self) -> str:
        return self.tr("Máy in qua hàng đợi in của Windows (hoặc in ra tệp) không báo được trạng thái: hãy in tem thử "
                       "để kiểm tra máy in.")

    def _load_profile(self) -> None:
        index = self.profile.currentData()
        if index is None:
            return
        printer = self._profiles[index]
        self.language.setCurrentIndex(self.language.findData(printer.language))
        self.dpi.setCurrentIndex(self.dpi.findData(printer.dpi))
        self.template.setCurrentIndex(max(0, self.template.findData(printer.template)))
        self.target.setText(printer.target())

    def _job_inputs(self):  # type: ignore[no-untyped-def]
        tag = replace(demo_tag(), item_code=self.item_code.text().strip(), product_name=self.product.text().strip())
        return tag, load_template(self.template.currentData()), self.language.currentData(), int(self.dpi.currentData())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt's name)
        super().showEvent(event)
        if self._preview_waits:
            self.refresh_preview()

    def refresh_preview(self) -> None:
        if not self.isVisible():
            self._preview_waits = True
            return
        self._preview_waits = False
        try:
            tag, template, _language, dpi = self._job_inputs()
        except TagFieldError as exc:
            self.verdict.setText(tag_field_error_text(exc))
            return

        def work() -> tuple[bytes | None, object]:
            verification = verify_tag(tag, template, dpi)
            try:
                return render_png(tag, template, dpi), verification
            except TagRefused:  # a code too long to lay out: no picture, the verdict says why
                return None, verification

        # Edits come faster than renders: only the newest preview may land.
        self._preview_seq = getattr(self, "_preview_seq", 0) + 1
        seq = self._preview_seq
        self._runner.run(work, on_success=lambda result: self._show_preview(result, seq, tag.item_code), context=self,
                         on_failure=lambda exc: self.verdict.setText(failure_text(exc)))

    def _show_preview(self, result: tuple[bytes | None, object], seq: int, code: str) -> None:
        """``code``: the item code this preview was rendered from (the field may have changed since)."""
        if seq != self._preview_seq:
            return
        png, verification = result
        if png is None:
            self.preview.clear()
        else:
            self.preview.setPixmap(QPixmap.fromImage(QImage.fromData(png, "PNG")))
        problem = getattr(verification, "problem", None)
        if problem is None:
            self.verdict.setStyleSheet(f"color: {Level.OK.color.name()};")
            verdict = tr_args(self.tr("Mã vạch đọc lại đúng %1: tem in ra sẽ quét được."), code)
            note = getattr(verification, "note", None)  # a 2D code instead of a Code 128 too long for the head
            self.verdict.setText(verdict if note is None else f"{layout_note_text(note)}\n{verdict}")
        else:
            self.verdict.setStyleSheet(f"color: {Level.CRITICAL.color.name()};")
            self.verdict.setText(verify_problem_text(problem))

    def _target(self) -> str | None:
        target = self.target.text().strip()
        if not target:
            self.message.show_message(self.tr("Nhập địa chỉ máy in trước (ví dụ tcp://192.168.1.50:9100)."),
                                      Level.WARNING)
            return None
        return target

    def _printable(self):  # type: ignore[no-untyped-def]
        """(target, tag, template, language, dpi) from the form, or None once the message says what to fix."""
        target = self._target()
        if target is None:
            return None
        try:
            return (target, *self._job_inputs())
        except TagFieldError as exc:
            self.message.show_message(tag_field_error_text(exc), Level.WARNING)
            return None

    def print_test_tag(self) -> None:
        inputs = self._printable()
        if inputs is None:
            return
        target, tag, template, language, dpi = inputs

        def work() -> int:
            data, _verification = prepare_job(tag, template, language, dpi)
            send(data, target)
            return len(data)

        self._runner.run(work, context=self, title=self.tr("Đang gửi tem thử…"),
                         on_success=lambda size: self.message.show_message(
                             tr_args(self.tr("Đã gửi tem thử (%1 byte). Quét mã trên tem để chắc chắn."), size),
                             Level.OK),
                         on_failure=self._show_error)

    def print_run(self) -> None:
        """A run of numbered tags, rendered and verified in a worker process, then sent as one job."""
        if not self.run_button.isEnabled():  # one run at a time
            return
        inputs = self._printable()
        if inputs is None:
            return
        target, tag, template, language, dpi = inputs
        count = self.run_count.value()
        sending_text = self.tr("đang gửi tới máy in")
        sending = threading.Event()  # past this point a cancel can no longer stop the printer

        def work(cancel, progress):  # type: ignore[no-untyped-def]
            started = time.monotonic()
            tags = numbered_tags(tag, count)  # 1,000 tags take ~5 ms: not on the GUI thread
            data = render_run(tags, template, language, dpi, cancel=cancel,
                              progress=lambda fraction, code: progress(fraction * 0.9, code))
            if data is None or cancel.is_set():
                return None
            sending.set()
            progress(0.95, sending_text)
            send(data, target, timeout=5, write_timeout=transfer_seconds(len(data), target))
            return len(tags), tags[0].item_code, tags[-1].item_code, time.monotonic() - started

        self._set_running(True)
        self._runner.run_job(work, context=self, cancellable=True,
                             title=tr_args(self.tr("Đang in loạt %1 tem…", "", count), count),
                             on_success=self._run_sent, on_failure=self._run_failed,
                             on_cancelled=lambda: self._run_cancelled(sending.is_set()))

    def _set_running(self, running: bool) -> None:
        # The other printer buttons would open the same port (a serial line takes one user) mid-run.
        for button in (self.run_button, self.print_button, self.calibrate_button):
            button.setEnabled(not running)

    def _run_cancelled(self, sent: bool) -> None:
        self._set_running(False)
        if sent:
            self.message.show_message(self.tr("Loạt tem đã được gửi tới máy in trước khi hủy: máy in sẽ in hết. "
                                              "Tắt máy in nếu cần dừng ngay."), Level.WARNING)
        else:
            self.message.show_message(self.tr("Đã hủy in loạt tem: chưa gửi gì tới máy in."), Level.INFO)

    def _run_failed(self, exc: BaseException) -> None:
        self._set_running(False)
        if isinstance(exc, TagFieldError):  # numbering the run (no number at the end, too long)
            self.message.show_message(tag_field_error_text(exc), Level.WARNING)
        else:
            self._show_error(exc)

    def _run_sent(self, result: tuple[int, str, str, float] | None) -> None:
        self._set_running(False)
        if result is None:
            return
        count, first, last, seconds = result
        self.message.show_message(
            tr_args(self.tr("Đã gửi %1 tem (mã %2 đến %3) trong %4 giây. Quét tem đầu và tem cuối, và xem tem cuối "
                            "còn thẳng hàng không: lệch dần là cảm biến khe giấy cần hiệu chỉnh.", "", count),
                    count, first, last, QLocale().toString(seconds, "f", 1)), Level.OK)  # 1,8 giây · 1.8 seconds

    def check_status(self) -> None:
        target = self._target()
        if target is None:
            return
        if not answers_status(target):
            self.message.show_message(self._no_status_text(), Level.INFO)
            return
        language = self.language.currentData()
        self._runner.run(lambda: read_status(target, language), on_success=self._show_status,
                         on_failure=self._show_error, context=self, title=self.tr("Đang hỏi trạng thái máy in…"))

    def _show_status(self, status: PrinterStatus) -> None:
        if status.ready:
            self.message.show_message(self.tr("Máy in sẵn sàng."), Level.OK)
            return
        faults = ", ".join(printer_fault_name(fault) for fault in status.faults)
        self.message.show_message(tr_args(self.tr("Máy in báo lỗi: %1"), faults), Level.CRITICAL)

    def calibrate(self) -> None:
        target = self._target()
        if target is None:
            return
        command = calibrate_command(self.language.currentData())
        self._runner.run(lambda: send(command, target), context=self,
                         on_success=lambda _r: self.message.show_message(
                             self.tr("Đã gửi lệnh hiệu chỉnh: máy in sẽ đẩy vài tem trắng để đo khe giấy."), Level.OK),
                         on_failure=self._show_error)

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, TagRefused):
            self.message.show_message(verify_problem_text(exc.problem), Level.CRITICAL)
        elif isinstance(exc, RunFailed):
            self.message.show_message(tr_args(self.tr("Không dựng được loạt tem (tiến trình phụ dừng bất ngờ). Hãy thử "
                                                      "lại; nếu vẫn lỗi, khởi động lại ứng dụng rồi gọi %1."), HOTLINE),
                                      Level.CRITICAL)
        elif isinstance(exc, TransportError):
            self.message.show_message(transport_error_text(exc.kind), Level.CRITICAL)
        elif isinstance(exc, StatusReplyError):
            # Another language's answer, or an emulation's own dialect: the parser's English stays in the log.
            self.message.show_message(self.tr("Máy in trả lời không đúng dạng – kiểm tra ngôn ngữ máy in đã chọn "
                                              "(ZPL, TSPL hay EZPL) có đúng với máy in không."), Level.CRITICAL)
        else:
            self.message.show_message(failure_text(exc), Level.CRITICAL)
