"""Máy quét mã vạch: serial and keyboard-wedge scanners, the test sheet, the diagnosis."""

from __future__ import annotations

import datetime as dt
import html
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.devices.diagnosis import REMEDIES, Fault, diagnose
from app.devices.serial_scanner import (
    Scan,
    ScannerError,
    ScanProblem,
    SerialScannerReader,
    SerialSettings,
    detect_baud,
    list_ports,
)
from app.devices.sheet_check import SheetResult, SheetStatus, check_scan, check_scans, new_status
from app.devices.test_sheet import SHEET_SUFFIX, TEST_CODES, TestCode, write_test_sheet
from app.devices.wedge import KeyEvent, WedgeScan, classify
from app.infra.formatting import format_time
from app.ui.devices.texts import fault_name, problem_text, scanner_error_text, test_code_name
from app.ui.failure_texts import failure_text
from app.ui.i18n import said, tr_args
from app.ui.levels import Level
from app.ui.tasks import Task, TaskRunner
from app.ui.widgets.flow import FlowLayout
from app.ui.widgets.labelled import name_by_label
from app.ui.widgets.scroll import set_scrolling_content
from app.ui.widgets.tables import read_only_table

MAX_LOG_ROWS = 2000  # a scanner left in continuous mode must not grow the log (and its repaint) forever
DRAIN_MS = 50  # serial scans are shown in batches: one repaint per batch, not one per scan

TERMINATORS = {"\r": "⏎ CR", "\n": "⏎ LF", "\r\n": "⏎ CRLF", "\t": "⇥ Tab", "": "—"}
# A scanner's prefix/suffix may be control characters (STX ... ETX): shown by their ASCII names, since they have no
# glyph (DejaVu Sans has no Control Pictures) and an invisible difference would make "prefix/suffix" a riddle.
_CONTROL_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
                  "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()
_SHOWN_CONTROLS = {code: f"<{name}>" for code, name in enumerate(_CONTROL_NAMES) if chr(code) not in "\r\n\t"}
BAUD_RATES = (9600, 19200, 38400, 57600, 115200, 4800, 2400)


class ScanBridge(QObject):
    """Carries scans from the reader's worker thread to the GUI thread.

    Signals:
        scanned(object): a :class:`Scan`.
        problem(object): a :class:`ScanProblem`.
    """

    scanned = Signal(object)
    problem = Signal(object)


class WedgeCapture(QLineEdit):
    """A field that records every keystroke with its time, Enter and Tab included.

    Signals:
        burst_finished(object): the list of :class:`KeyEvent` typed before a pause.
    """

    burst_finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events: list[KeyEvent] = []
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(400)
        self._idle.timeout.connect(self._flush)

    def event(self, event: QEvent) -> bool:
        # Tab would move the focus away; a scanner's Tab suffix must be recorded instead.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Tab:
            self.record("\t")
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.record("\r")
            return
        if event.key() == Qt.Key.Key_Backspace:
            # UniKey and EVKey on Windows rewrite a word by sending Backspace keystrokes and then the new letters
            # ("DD" arrives as D, Backspace, Đ): the scan is what the field shows, not every key sent.
            self.erase(1)
        elif event.text():
            self.record(event.text())
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802 (Qt name)
        # fcitx5, IBus and Windows' own Vietnamese keyboards hand their text over as a commit, not as key presses:
        # without this a scan the input method rewrote would look like no scan at all.
        if event.replacementLength() > 0 and event.replacementStart() < 0:
            self.erase(min(event.replacementLength(), -event.replacementStart()))
        for char in event.commitString():
            self.record(char)
        super().inputMethodEvent(event)

    def record(self, text: str, at: float | None = None) -> None:
        self.events.append(KeyEvent(text, time.monotonic() if at is None else at))
        self._idle.start()

    def erase(self, count: int) -> None:
        """Take back the last ``count`` characters typed, as the field does; a recorded Enter or Tab stays."""
        for _ in range(count):
            if not self.events or self.events[-1].text in ("\r", "\n", "\t"):
                break
            self.events.pop()
        self._idle.start()

    def _flush(self) -> None:
        events, self.events = self.events, []
        self.clear()
        if events:
            self.burst_finished.emit(events)


class ScannerTab(QWidget):
    """Test any scanner in a minute."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._reader: Task | None = None
        self._sheet_status: SheetStatus = new_status()
        self._pending: list[tuple[Scan, str]] = []  # serial scans waiting for the next drain
        self._to_judge: list[tuple[str, str]] = []  # serial scans waiting for the sheet check in a worker
        self._judging = False
        self._sheet_generation = 0  # bumped by a restart of the sheet: older judgements are then dropped
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(DRAIN_MS)
        self._drain_timer.timeout.connect(self._drain)
        self._diagnosis_html = ""
        self.bridge = ScanBridge(self)
        self.bridge.scanned.connect(self._on_serial_scan)
        self.bridge.problem.connect(self._on_problem)

        # -- serial ------------------------------------------------------------
        self.port = QComboBox()
        # A long port description (COM3 – USB-SERIAL CH340 …) must not widen the window past a small screen.
        self.port.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.port.setMinimumContentsLength(20)
        self.port.setEditable(True)  # any pyserial URL (socket://, rfc2217://) works too
        self.port.setMinimumWidth(200)
        refresh = QPushButton(self.tr("Làm mới"))
        refresh.clicked.connect(self.refresh_ports)
        self.baud = QComboBox()
        for rate in BAUD_RATES:
            self.baud.addItem(str(rate), rate)
        self.frame = QComboBox()
        for text in ("8N1", "7E1", "7O1", "8N2"):
            self.frame.addItem(text)
        self.terminator = QComboBox()
        for value, text in (("auto", self.tr("Tự nhận")), ("\r", "CR"), ("\n", "LF"), ("\r\n", "CRLF"), ("\t", "Tab")):
            self.terminator.addItem(text, value)
        self.connect_button = QPushButton(self.tr("Kết nối"))
        self.connect_button.clicked.connect(self.toggle_serial)
        self.detect_button = QPushButton(self.tr("Tự dò tốc độ"))
        self.detect_button.clicked.connect(self.detect)
        serial_box = QGroupBox(self.tr("Máy quét cổng COM / USB-COM"))
        row1 = QHBoxLayout()
        row1.addWidget(name_by_label(QLabel(self.tr("Cổng")), self.port))  # named for a screen reader
        row1.addWidget(self.port, 1)
        row1.addWidget(refresh)
        row2 = FlowLayout()  # wraps on a narrow window instead of widening it
        for label, widget in ((self.tr("Tốc độ"), self.baud), (self.tr("Khung"), self.frame),
                              (self.tr("Kết thúc"), self.terminator)):
            pair = QWidget()  # a caption stays with its list when the row wraps
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.addWidget(name_by_label(QLabel(label), widget))
            pair_layout.addWidget(widget)
            row2.addWidget(pair)
        row2.addWidget(self.detect_button)
        row2.addWidget(self.connect_button)
        serial_layout = QVBoxLayout(serial_box)
        serial_layout.addLayout(row1)
        serial_layout.addLayout(row2)

        # -- keyboard wedge ------------------------------------------------------
        self.capture = WedgeCapture()
        self.capture.setPlaceholderText(self.tr("Bấm vào đây rồi quét mã (máy quét kiểu bàn phím USB)"))
        self.capture.setAccessibleName(self.capture.placeholderText())  # no label: its prompt is its name
        self.capture.burst_finished.connect(self._on_wedge_burst)
        wedge_box = QGroupBox(self.tr("Máy quét kiểu bàn phím (USB HID)"))
        QVBoxLayout(wedge_box).addWidget(self.capture)

        # -- test sheet ------------------------------------------------------------
        self.sheet = QListWidget()
        self.sheet.setMinimumHeight(105)
        self.sheet.setMaximumHeight(150)  # the sheet's few codes, not half a small screen once the tab scrolls
        restart = QPushButton(self.tr("Thử lại từ đầu"))
        restart.clicked.connect(self.reset_sheet)
        missing = QPushButton(self.tr("Mã này không quét được"))
        missing.clicked.connect(self.mark_not_scanning)
        save_sheet = QPushButton(self.tr("In tờ mã thử…"))
        save_sheet.clicked.connect(self._choose_sheet)
        sheet_box = QGroupBox(self.tr("Thử với tờ mã: quét lần lượt từng mã"))
        sheet_buttons = FlowLayout()
        for button in (save_sheet, restart, missing):
            sheet_buttons.addWidget(button)
        sheet_layout = QVBoxLayout(sheet_box)
        sheet_layout.addWidget(self.sheet, 1)
        sheet_layout.addLayout(sheet_buttons)

        self.log = read_only_table([self.tr("Lúc"), self.tr("Nguồn"), self.tr("Nội dung"), self.tr("Kết thúc"),
                                    self.tr("Tốc độ")])
        # Fixed widths: ResizeToContents re-measures every row on each insert (seconds at a thousand rows).
        header = self.log.horizontalHeader()
        for column, width in ((0, 80), (1, 150), (3, 80), (4, 110)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.log.setMinimumHeight(120)  # still a few rows when the tab scrolls on a small screen
        self.diagnosis = QTextBrowser()
        self.diagnosis.setMinimumHeight(120)
        self.status = QLabel()
        self.status.setWordWrap(True)

        # Side by side where the window is wide enough, one above the other where it is not (1024x768 at
        # 125 %), and the whole tab scrolls up and down when it is taller than the window.
        content = QWidget()
        layout = QVBoxLayout(content)
        top = FlowLayout(fill=True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(serial_box)
        left_layout.addWidget(wedge_box)
        top.addWidget(left)
        top.addWidget(sheet_box)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.log, 2)
        layout.addWidget(self.diagnosis, 2)
        set_scrolling_content(self, content)
        self.reset_sheet()

    # -- ports -----------------------------------------------------------------
    def refresh_ports(self) -> None:
        self._runner.run(list_ports, on_success=self._show_ports, context=self)

    def _show_ports(self, ports: list) -> None:
        current = self.port.currentText()
        self.port.clear()
        for info in ports:
            # pyserial says "n/a" for a port it knows nothing about (serial.tools.list_ports_common): not shown.
            known = info.description and info.description not in ("n/a", info.device)
            label = (f"{info.device} – {info.description}" if known else info.device) + (
                f" ({info.vid_pid})" if info.vid_pid else "")
            self.port.addItem(label, info.device)
        if current:
            self.port.setEditText(current)
        if not ports:
            self.show_status(self.tr("Không thấy cổng COM nào. Máy quét USB kiểu bàn phím không cần cổng: "
                                     "dùng ô bên dưới."), Level.INFO)

    def settings(self) -> SerialSettings:
        text = self.port.currentText().strip()
        port = self.port.currentData() if self.port.currentIndex() >= 0 and \
            self.port.itemText(self.port.currentIndex()) == text else text
        frame = self.frame.currentText()
        return SerialSettings(port=port or text, baudrate=int(self.baud.currentData()), bytesize=int(frame[0]),
                              parity=frame[1], stopbits=int(frame[2]), terminator=self.terminator.currentData())

    def _checked_settings(self) -> SerialSettings | None:
        """The form's settings, or None once the status line says what to fix (a slot must not raise)."""
        if not self.port.currentText().strip():
            self.show_status(self.tr("Chọn hoặc nhập cổng trước."), Level.WARNING)
            return None
        try:
            return self.settings()
        except ScannerError as exc:  # e.g. socket://host without its port
            self.show_status(scanner_error_text(exc.kind), Level.WARNING)
            return None

    def toggle_serial(self) -> None:
        if self._reader is not None and not self._reader.done:
            self._reader.cancel()
            return
        settings = self._checked_settings()
        if settings is None:
            return
        bridge = self.bridge
        reader = SerialScannerReader(settings)
        self._reader = self._runner.run_job(
            lambda cancel, _progress: reader.run(cancel, bridge.scanned.emit, bridge.problem.emit),
            on_success=lambda _r: self._serial_stopped(None), on_cancelled=lambda: self._serial_stopped(None),
            on_failure=self._serial_stopped, cancellable=True, context=self,
        )
        self.connect_button.setText(self.tr("Ngắt kết nối"))
        self.show_status(tr_args(self.tr("Đang nghe %1 – hãy quét một mã."), settings.port), Level.INFO)

    def _serial_stopped(self, error: BaseException | None) -> None:
        self.connect_button.setText(self.tr("Kết nối"))
        if isinstance(error, ScannerError):
            self.show_status(scanner_error_text(error.kind), Level.CRITICAL)
        elif error is not None:
            self.show_status(tr_args(self.tr("Lỗi cổng: %1"), failure_text(error)), Level.CRITICAL)
        else:
            self.show_status(self.tr("Đã ngắt kết nối."), Level.INFO)

    def detect(self) -> None:
        settings = self._checked_settings()
        if settings is None:
            return
        port = settings.port
        self.show_status(self.tr("Đang dò tốc độ: hãy quét liên tục một mã trong vài giây…"), Level.INFO)
        self._runner.run_job(lambda cancel, _p: detect_baud(port, cancel=cancel), on_success=self._detected,
                             on_failure=self._serial_stopped, title=self.tr("Đang dò tốc độ cổng…"),
                             cancellable=True, context=self)

    def _detected(self, rate: int | None) -> None:
        if rate is None:
            self.show_status(self.tr("Không dò được tốc độ: không nhận được mã hợp lệ ở tốc độ nào."), Level.WARNING)
            return
        self.baud.setCurrentIndex(self.baud.findData(rate))
        self.show_status(tr_args(self.tr("Máy quét dùng tốc độ %1 baud."), rate), Level.OK)

    # -- scans -----------------------------------------------------------------
    @Slot(object)
    def _on_serial_scan(self, scan: Scan) -> None:
        self._pending.append((scan, f"{scan.duration_ms:.0f} ms"))  # a unit symbol, the same in every language
        if not self._drain_timer.isActive():
            self._drain_timer.start()

    def _drain(self) -> None:
        """Show the scans that arrived since the last drain; judge them against the sheet in a worker."""
        batch, self._pending = self._pending, []
        if not batch:
            return
        source = self.tr("Cổng COM")
        self.log.setUpdatesEnabled(False)
        for scan, speed in batch:
            self._log_row(scan.text, scan.terminator, source, speed)
        self.log.setUpdatesEnabled(True)
        self.log.scrollToBottom()
        self._to_judge.extend((scan.text, scan.terminator) for scan, _speed in batch)
        self._judge_next()

    def _judge_next(self) -> None:
        if self._judging or not self._to_judge:
            return
        scans, self._to_judge = self._to_judge, []
        status, generation = dict(self._sheet_status), self._sheet_generation
        self._judging = True
        self._runner.run(lambda: check_scans(scans, status),
                         on_success=lambda outcome: self._judged(outcome, status, generation),
                         on_failure=lambda _exc: self._judged((status, None), status, generation), context=self)

    def _judged(self, outcome: tuple[SheetStatus, SheetResult | None], before: SheetStatus, generation: int) -> None:
        self._judging = False
        if generation != self._sheet_generation:  # the sheet was restarted meanwhile: this batch is stale
            self._judge_next()
            return
        status, last = outcome
        # Only what this batch changed, over what the GUI did meanwhile (a wedge scan is judged at once).
        changed = {key: value for key, value in status.items() if before.get(key) != value}
        if changed:
            self._sheet_status.update(changed)
            self._refresh_sheet()
        if last is not None:
            self.show_diagnosis(last.code, last.received, last.faults)
        self._judge_next()

    @Slot(object)
    def _on_problem(self, problem: ScanProblem) -> None:
        self.show_status(problem_text(problem.kind), Level.WARNING)

    def _on_wedge_burst(self, events: list[KeyEvent]) -> None:
        for scan in classify(events):
            terminator = {"enter": "\r", "tab": "\t", "none": ""}[scan.terminator]
            source = self.tr("Bàn phím (máy quét)") if scan.source == "scanner" else self.tr("Bàn phím (người gõ)")
            speed = tr_args(self.tr("%1 phím/giây"), f"{scan.keys_per_second:.0f}")
            self.handle_scan(scan.text, terminator, source, speed, wedge=scan)

    def handle_scan(self, text: str, terminator: str, source: str, speed: str,
                    wedge: WedgeScan | None = None) -> list[Fault]:
        """Log the scan and, during the test sheet, check it against the code awaited (at once)."""
        self._log_row(text, terminator, source, speed)
        self.log.scrollToBottom()
        if wedge is not None and wedge.source == "human":
            return []
        result = check_scan(text, terminator, self._sheet_status)
        if result is None:
            return []
        self._refresh_sheet()
        self.show_diagnosis(result.code, result.received, result.faults)
        return result.faults

    def _log_row(self, text: str, terminator: str, source: str, speed: str) -> None:
        row = self.log.rowCount()
        self.log.insertRow(row)
        cells = [format_time(dt.datetime.now(dt.UTC), seconds=True), source, text.translate(_SHOWN_CONTROLS),
                 TERMINATORS.get(terminator, repr(terminator)), speed]
        for column, value in enumerate(cells):
            self.log.setItem(row, column, QTableWidgetItem(value))
        if row >= MAX_LOG_ROWS:
            self.log.removeRow(0)

    def mark_not_scanning(self) -> None:
        code = next((c for c in TEST_CODES if not self._sheet_status[c.key]), None)
        if code is None:
            return
        faults = diagnose(code.content, "", symbology=code.symbology)
        self._sheet_status[code.key] = False
        self._refresh_sheet()
        self.show_diagnosis(code, "", faults)

    def show_diagnosis(self, code: TestCode, received: str, faults: list[Fault]) -> None:
        shown = html.escape(received.replace("\r", "⏎").replace("\n", "⏎").replace("\t", "⇥")
                            .translate(_SHOWN_CONTROLS)) or "—"
        line = self.tr("%1: mong đợi %2, nhận được %3")
        parts = ["<p>" + tr_args(line, f"<b>{html.escape(test_code_name.get(code.key, code.label))}</b>",
                                 f"<code>{html.escape(code.content)}⏎</code>", f"<code>{shown}</code>") + "</p>"]
        if not faults:
            ok_text = self.tr("Quét đúng.")
            parts.append(f"<p style='color:#2e7d32'><b>{html.escape(ok_text)}</b></p>")
        for fault in faults:
            parts.append(f"<p style='color:#c62828'><b>{html.escape(fault_name(fault))}</b></p>"
                         f"<p>{html.escape(said(REMEDIES[fault])).replace(chr(10), '<br>')}</p>")
        if all(self._sheet_status.values()):
            done = self.tr("Máy quét đọc đúng tất cả các mã trên tờ thử.")
            parts.append(f"<p style='color:#2e7d32'><b>{html.escape(done)}</b></p>")
        shown_html = "".join(parts)
        if shown_html != self._diagnosis_html:  # a steady stream repeats the same verdict: no re-layout
            self._diagnosis_html = shown_html
            self.diagnosis.setHtml(shown_html)

    def reset_sheet(self) -> None:
        self._sheet_status = new_status()
        self._sheet_generation += 1
        self._to_judge.clear()
        self._refresh_sheet()
        self._diagnosis_html = ""
        self.diagnosis.setHtml(html.escape(self.tr(
            "In tờ mã thử, bấm vào ô quét (hoặc kết nối cổng COM) rồi quét lần lượt từng mã. "
            "Ứng dụng sẽ chỉ ra lỗi thường gặp và cách sửa.")))

    def _refresh_sheet(self) -> None:
        # Items are updated in place (clear() + re-add was most of a scan's cost in the stall benchmark).
        if self.sheet.count() != len(TEST_CODES):
            self.sheet.clear()
            for _code in TEST_CODES:
                self.sheet.addItem(QListWidgetItem())
        for index, code in enumerate(TEST_CODES):
            state = self._sheet_status[code.key]
            mark = "…" if state is None else ("✓" if state else "✗")  # DejaVu has these; emoji fonts are rare on tills
            item = self.sheet.item(index)
            item.setText(f"{mark} {test_code_name.get(code.key, code.label)}: {code.content}")
            item.setForeground(self.palette().text().color() if state is None
                               else (Level.OK if state else Level.CRITICAL).color)

    def _choose_sheet(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Lưu tờ mã thử"), str(Path.home() / "to-ma-thu.pdf"),
                                              "PDF (*.pdf)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != SHEET_SUFFIX:  # the dialog adds no suffix on every platform; the sheet is a PDF
            target = target.with_name(target.name + SHEET_SUFFIX)
        self._runner.run(lambda: write_test_sheet(target), context=self,
                         on_success=lambda saved: self.show_status(
                             tr_args(self.tr("Đã lưu tờ mã thử: %1 – in ở 100%."), saved), Level.OK),
                         on_failure=lambda exc: self.show_status(
                             tr_args(self.tr("Chưa lưu được tờ mã thử: %1. Hãy chọn nơi khác để lưu."),
                                     failure_text(exc)), Level.CRITICAL))

    def show_status(self, text: str, level: Level) -> None:
        self.status.setStyleSheet(f"color: {level.color.name()};")
        self.status.setText(text)

    def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
