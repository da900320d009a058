from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from pytestqt.qtbot import QtBot

from app.devices.diagnosis import Fault
from app.devices.ime import telex
from app.devices.labels import LayoutNote
from app.devices.test_sheet import TEST_CODES
from app.ui.devices.page import DevicesPage
from app.ui.devices.printer_tab import PrinterTab
from app.ui.devices.texts import fault_name, layout_note_text
from app.ui.tasks import TaskRunner
from tests.gui.languages import english_installed


def make(qtbot: QtBot, runtime) -> DevicesPage:
    runner = TaskRunner()
    page = DevicesPage(runtime, runner)
    qtbot.addWidget(page)
    page._keep = runner
    return page


def make_printer(qtbot: QtBot, runtime) -> DevicesPage:
    """The page shown on its printer tab: the tab renders its preview only while it is on screen."""
    page = make(qtbot, runtime)
    page.tabs.setCurrentWidget(page.printer)
    page.show()
    qtbot.waitUntil(page.printer.isVisible)
    return page


def type_burst(capture, text: str, start: float, gap: float = 0.006) -> float:
    for index, char in enumerate(text):
        capture.record(char, start + index * gap)
    return start + len(text) * gap


def test_a_wedge_scanner_ticks_the_sheet_and_a_telex_scan_is_diagnosed(qtbot: QtBot, runtime) -> None:
    page = make(qtbot, runtime)
    tab = page.scanner
    capture = tab.capture
    first = TEST_CODES[0].content
    end = type_burst(capture, first + "\r", time.monotonic())
    with qtbot.waitSignal(capture.burst_finished, timeout=3000):
        pass
    assert tab._sheet_status[TEST_CODES[0].key] is True
    assert tab.log.rowCount() == 1 and tab.log.item(0, 2).text() == first
    assert "Quét đúng" in tab.diagnosis.toPlainText()

    # The next code arrives rewritten by Unikey in Telex mode.
    second = TEST_CODES[2].content  # PMV-TEST-39 -> PMV-TÉT-39 in Telex
    assert tab.handle_scan(first, "\r", "test", "") == []  # a repeated code changes nothing
    assert tab.handle_scan(TEST_CODES[1].content, "\r", "test", "") == []
    faults = tab.handle_scan(telex(second), "\r", "test", "")
    assert Fault.IME_TELEX in faults
    assert "Telex" in tab.diagnosis.toPlainText() and "Unikey" in tab.diagnosis.toPlainText()
    assert end > 0


def _send_keys(widget, keys: list[str]) -> None:
    """Real key events, as Qt delivers them to the field: "\b" is the Backspace key, "\r" Enter."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in keys:
        key = {"\b": Qt.Key.Key_Backspace, "\r": Qt.Key.Key_Return}.get(char)
        if key is None:
            key = Qt.Key(ord(char.upper())) if char.isascii() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char))


def test_a_scan_unikey_rewrote_with_backspaces_is_diagnosed_as_telex(qtbot: QtBot, runtime) -> None:
    # UniKey and EVKey on Windows rewrite a word by sending VK_BACK keystrokes and then the new letter as a
    # KEYEVENTF_UNICODE input (SendInput; Microsoft's KEYBDINPUT reference): the Telex "S" after "TE" arrives as
    # Backspace and "É". The field shows the rewritten text; the test must judge that, not the keys sent.
    page = make(qtbot, runtime)
    tab = page.scanner
    for code in TEST_CODES[:2]:
        tab.handle_scan(code.content, "\r", "test", "")
    code39 = TEST_CODES[2].content  # PMV-TEST-39
    keys = list("PMV-TE") + ["\b", "É"] + list("T-39") + ["\r"]
    with qtbot.waitSignal(tab.capture.burst_finished, timeout=3000):
        _send_keys(tab.capture, keys)
    assert tab.log.item(tab.log.rowCount() - 1, 2).text() == telex(code39) == "PMV-TÉT-39"
    shown = tab.diagnosis.toPlainText()
    assert fault_name(Fault.IME_TELEX) in shown
    assert fault_name(Fault.DROPPED_CHARS) not in shown and fault_name(Fault.PREFIX_SUFFIX) not in shown


def test_a_scan_an_input_method_committed_is_recorded(qtbot: QtBot, runtime) -> None:
    # fcitx5 and IBus on Linux, and Windows' own Vietnamese Telex keyboard (a TSF input method), hand the converted
    # word to the application as a commit (QInputMethodEvent), not as key presses; Enter still comes as a key.
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    page = make(qtbot, runtime)
    tab = page.scanner
    for code in TEST_CODES[:3]:
        tab.handle_scan(code.content, "\r", "test", "")
    commit = QInputMethodEvent()
    commit.setCommitString(telex(TEST_CODES[3].content))  # DD2026A6W -> Đ2026A6W
    with qtbot.waitSignal(tab.capture.burst_finished, timeout=3000):
        QApplication.sendEvent(tab.capture, commit)
        _send_keys(tab.capture, ["\r"])
    assert tab.log.item(tab.log.rowCount() - 1, 2).text() == "Đ2026A6W"
    assert fault_name(Fault.IME_TELEX) in tab.diagnosis.toPlainText()


def test_human_typing_is_logged_but_not_judged(qtbot: QtBot, runtime) -> None:
    page = make(qtbot, runtime)
    capture = page.scanner.capture
    start = time.monotonic()
    for index, char in enumerate("PMV9"):
        capture.record(char, start + index * 0.25)
    with qtbot.waitSignal(capture.burst_finished, timeout=3000):
        pass
    assert all(state is None for state in page.scanner._sheet_status.values())


def test_a_code_that_never_arrives_names_the_disabled_symbology(qtbot: QtBot, runtime) -> None:
    page = make(qtbot, runtime)
    page.scanner.mark_not_scanning()
    assert page.scanner._sheet_status[TEST_CODES[0].key] is False
    assert "chưa bật loại mã vạch" in page.scanner.diagnosis.toPlainText()


def test_serial_scans_arrive_live_and_an_unplugged_scanner_is_explained(qtbot: QtBot, runtime) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    go = threading.Event()

    def scanner() -> None:
        conn, _ = server.accept()
        go.wait(5)
        time.sleep(0.3)  # pyserial flushes its input when it opens: scan after the port is open, as a person does
        conn.sendall(f"{TEST_CODES[0].content}\r".encode())
        time.sleep(0.3)
        conn.close()  # the cable is pulled

    threading.Thread(target=scanner, daemon=True).start()
    page = make(qtbot, runtime)
    tab = page.scanner
    tab.port.setEditText(f"socket://127.0.0.1:{port}")
    tab.toggle_serial()
    assert tab.connect_button.text() == "Ngắt kết nối"
    go.set()
    qtbot.waitUntil(lambda: tab.log.rowCount() == 1, timeout=5000)
    assert tab.log.item(0, 1).text() == "Cổng COM"
    qtbot.waitUntil(lambda: tab._sheet_status[TEST_CODES[0].key] is True, timeout=5000)  # judged in a worker
    assert "Quét đúng" in tab.diagnosis.toPlainText()
    qtbot.waitUntil(lambda: "ngắt kết nối" in tab.status.text(), timeout=5000)
    assert tab.connect_button.text() == "Kết nối"
    server.close()


class LoopbackPrinter(NamedTuple):
    """A port-9100 printer on loopback: what it was sent, one entry a connection."""

    port: int
    received: list[bytes]
    server: socket.socket

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def first_job(self, qtbot: QtBot) -> str:
        qtbot.waitUntil(lambda: bool(self.received), timeout=5000)
        return self.received[0].decode("utf-8")

    def assert_sent_nothing(self) -> None:
        time.sleep(0.2)  # time for a job that should not have been sent to arrive
        assert self.received == []


def tcp_printer(reply: bytes = b"") -> LoopbackPrinter:
    """A real listener standing in for a port-9100 printer; it records what it is sent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                data = b""
                try:
                    while chunk := conn.recv(65536):
                        data += chunk
                        if reply:
                            conn.sendall(reply)
                            break
                except OSError:
                    pass
                received.append(data)

    threading.Thread(target=serve, daemon=True).start()
    return LoopbackPrinter(server.getsockname()[1], received, server)


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    printer = tcp_printer()
    yield printer
    printer.server.close()


def aim_zpl(tab: PrinterTab, printer: LoopbackPrinter) -> None:
    tab.language.setCurrentIndex(tab.language.findData("zpl"))
    tab.target.setText(printer.address)


def print_test_tag(qtbot: QtBot, tab: PrinterTab, printer: LoopbackPrinter) -> str:
    """Prints the test tag to ``printer``; the job it received."""
    tab.print_test_tag()
    qtbot.waitUntil(lambda: "Đã gửi tem thử" in tab.message.text(), timeout=10000)
    return printer.first_job(qtbot)


def test_printer_tab_previews_verifies_and_prints_a_test_tag(qtbot: QtBot, runtime, printer) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    qtbot.waitUntil(lambda: "quét được" in tab.verdict.text(), timeout=10000)
    assert not tab.preview.pixmap().isNull()
    aim_zpl(tab, printer)
    job = print_test_tag(qtbot, tab, printer)
    assert job.startswith("^XA") and "^BC" in job and f"^FD{tab.item_code.text()}^FS" in job


def test_the_preview_waits_until_the_printer_tab_is_shown(qtbot: QtBot, runtime) -> None:
    # Issue 24: a Devices page opened on its scanner tab renders no tag (PIL and zxing-cpp stay unloaded);
    # an edit made meanwhile is not lost, the preview shown is the newest form's.
    page = make(qtbot, runtime)
    page.show()
    tab = page.printer
    tab.item_code.setText("PMV0042")
    tab.refresh_preview()
    assert not tab.isVisible() and getattr(tab, "_preview_seq", 0) == 0  # no render started
    assert tab.preview.pixmap().isNull() and tab.verdict.text() == ""
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: "quét được" in tab.verdict.text(), timeout=10000)
    assert not tab.preview.pixmap().isNull()
    assert tab._preview_seq == 1  # one render, of the form as it stands


def test_a_code_too_long_for_code128_prints_as_datamatrix_and_says_so(qtbot: QtBot, runtime, printer) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    tab.dpi.setCurrentIndex(tab.dpi.findData(203))
    tab.template.setCurrentIndex(tab.template.findData("rat_tail_75x10"))
    tab.item_code.setText("PMV999900001")  # the demo shop's own code: no room for Code 128 on the head at 203 dpi
    tab.refresh_preview()
    qtbot.waitUntil(lambda: "quét được" in tab.verdict.text(), timeout=10000)
    assert layout_note_text(LayoutNote.LONG_CODE_DATAMATRIX) in tab.verdict.text()
    assert "Mã dài: in mã 2D DataMatrix" in tab.verdict.text()
    aim_zpl(tab, printer)
    assert "^BXN,2,200,14,14,,_" in print_test_tag(qtbot, tab, printer)  # a 14 x 14 ECC 200 symbol of 2-dot modules


def test_a_run_of_numbered_tags_is_rendered_in_a_worker_process_and_sent_as_one_job(
    qtbot: QtBot, runtime, printer
) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    aim_zpl(tab, printer)
    tab.item_code.setText("75000098")
    tab.run_count.setValue(30)
    tab.print_run()
    # One run at a time, and nothing else opens the printer meanwhile.
    assert not tab.run_button.isEnabled() and not tab.print_button.isEnabled() and not tab.calibrate_button.isEnabled()
    tab.print_run()  # a second click while it runs starts nothing
    assert sum("30 tem" in task.title for task in tab._runner.active()) == 1
    qtbot.waitUntil(lambda: "Đã gửi 30 tem" in tab.message.text(), timeout=20000)
    assert "75000098 đến 75000127" in tab.message.text()
    assert tab.run_button.isEnabled() and tab.print_button.isEnabled() and tab.calibrate_button.isEnabled()
    job = printer.first_job(qtbot)
    assert job.count("^XA") == 30
    barcodes = [label.split("^BC", 1)[1].split("^FD", 1)[1].split("^FS", 1)[0] for label in job.split("^XA")[1:]]
    assert barcodes == [f"{75000098 + n}" for n in range(30)]  # in order, counting up


def test_a_run_that_cannot_be_numbered_or_would_not_scan_sends_nothing(qtbot: QtBot, runtime, printer) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    tab.target.setText(printer.address)
    tab.item_code.setText("NHAN-CUOI")
    tab.print_run()
    qtbot.waitUntil(lambda: "kết thúc bằng số" in tab.message.text(), timeout=10000)
    # Numbered, but the run's last code would pass 40 characters (X…X99 + 1 = X…X100). Every code of up to
    # 40 printable characters fits a shipped template (as DataMatrix if need be), so this is what refuses a run.
    tab.item_code.setText("X" * 38 + "99")
    tab.print_run()
    qtbot.waitUntil(lambda: "cuối loạt quá dài" in tab.message.text(), timeout=20000)
    assert tab.run_button.isEnabled()
    printer.assert_sent_nothing()


def test_a_form_that_cannot_print_says_what_to_fix_and_sends_nothing(qtbot: QtBot, runtime, printer) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    for press in (tab.print_test_tag, tab.print_run):
        tab.target.clear()
        press()
        assert tab.message.text() == "Nhập địa chỉ máy in trước (ví dụ tcp://192.168.1.50:9100)."
        tab.target.setText(printer.address)
        tab.item_code.setText("Mã-75")  # not ASCII: neither Code 128 nor a keyboard-wedge scanner can carry it
        press()
        assert tab.message.text() == "Giá trị không hợp lệ: Mã hàng (mã vạch)"
        tab.item_code.setText("75000001")
        tab.product.clear()
        press()
        assert tab.message.text() == "Giá trị không hợp lệ: Tên hàng"
        tab.product.setText("Nhẫn cưới 18K")
    assert not any(task.title for task in tab._runner.active())  # no print started (previews have no title)
    printer.assert_sent_nothing()


def test_a_run_cancelled_while_it_renders_sends_nothing_and_says_so(qtbot: QtBot, runtime, printer) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    tab.target.setText(printer.address)
    tab.run_count.setValue(1000)
    tab.print_run()
    task = next(task for task in tab._runner.active() if "1000 tem" in task.title)
    qtbot.waitUntil(lambda: task.fraction > 0, timeout=20000)  # the worker process is rendering
    assert task.fraction < 0.9
    task.cancel()
    qtbot.waitUntil(tab.run_button.isEnabled, timeout=10000)
    assert "chưa gửi gì" in tab.message.text()
    printer.assert_sent_nothing()


def test_printer_status_fault_and_unreachable_printer_are_explained(qtbot: QtBot, runtime) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    # A ZPL ~HS reply whose first string says "paper out" (field 2 = 1).
    reply = (b"\x02030,1,0,0600,000,0,0,0,000,0,0,0\x03\r\n"
             b"\x02000,0,0,0,1,2,6,0,00000000,1,000\x03\r\n"
             b"\x021234,0\x03\r\n")
    replying = tcp_printer(reply)
    aim_zpl(tab, replying)
    tab.check_status()
    qtbot.waitUntil(lambda: "hết giấy" in tab.message.text(), timeout=10000)
    replying.server.close()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    tab.target.setText(f"tcp://127.0.0.1:{dead_port}")
    tab.print_test_tag()
    qtbot.waitUntil(lambda: "từ chối" in tab.message.text() or "Không kết nối" in tab.message.text(), timeout=10000)


def test_a_burst_of_serial_scans_is_logged_in_order_and_judged_like_one_by_one(qtbot: QtBot, runtime) -> None:
    """A continuous-mode scanner: many scans between two repaints, judged together in a worker."""
    import datetime

    from app.devices.ime import telex as to_telex
    from app.devices.serial_scanner import Scan

    page = make(qtbot, runtime)
    tab = page.scanner
    texts = [TEST_CODES[0].content, TEST_CODES[1].content, to_telex(TEST_CODES[2].content)]
    for text in texts:
        tab.bridge.scanned.emit(Scan(text=text, raw=(text + "\r").encode(), terminator="\r",
                                     received_at=datetime.datetime.now(datetime.UTC), duration_ms=12.0))
    qtbot.waitUntil(lambda: tab.log.rowCount() == 3, timeout=5000)
    assert [tab.log.item(row, 2).text() for row in range(3)] == texts
    qtbot.waitUntil(lambda: tab._sheet_status[TEST_CODES[2].key] is False, timeout=5000)
    assert tab._sheet_status[TEST_CODES[0].key] is True and tab._sheet_status[TEST_CODES[1].key] is True
    assert "Telex" in tab.diagnosis.toPlainText()  # the last scan's diagnosis is the one shown


def test_in_english_the_sheet_and_the_templates_have_english_names(qtbot: QtBot, runtime, qapp) -> None:
    """The sheet's captions are printed in Vietnamese; the list on screen and the template names follow the
    interface (they showed the Vietnamese captions and the template files' names, "rat_tail_75x10")."""
    with english_installed(qapp):
        page = make(qtbot, runtime)
        shown = [page.scanner.sheet.item(index).text() for index in range(page.scanner.sheet.count())]
        assert shown[0] == f"… Jewellery tag code (Code 128): {TEST_CODES[0].content}"
        assert not any(word in " ".join(shown) for word in ("Mã", "tiếng Việt"))
        templates = [page.printer.template.itemText(i) for i in range(page.printer.template.count())]
        assert "Rat-tail tag 75 × 10 mm" in templates and not any("_" in name for name in templates)
        assert page.printer.template.currentData() == "rat_tail_75x10"  # the data is still the file's name


def test_a_port_pyserial_knows_nothing_about_is_listed_by_its_name_alone(qtbot: QtBot, runtime) -> None:
    """pyserial describes such a port as "n/a" (serial/tools/list_ports_common.py): it was shown "/dev/ttyS0 – n/a"."""
    from serial.tools.list_ports_common import ListPortInfo

    from app.devices.serial_scanner import list_ports

    bare, usb = ListPortInfo("/dev/ttyS0"), ListPortInfo("/dev/ttyUSB0")
    usb.description, usb.vid, usb.pid = "USB Serial", 0x1A86, 0x7523
    page = make(qtbot, runtime)
    page.scanner._show_ports(list_ports(lambda: [bare, usb]))
    shown = [page.scanner.port.itemText(i) for i in range(page.scanner.port.count())]
    assert shown == ["/dev/ttyS0", "/dev/ttyUSB0 – USB Serial (1A86:7523)"]


def test_in_english_a_diagnosis_gives_its_fix_steps_in_english(qtbot: QtBot, qapp, runtime) -> None:
    """The fix steps come from the Qt-free diagnosis (app/devices/diagnosis.py); they were Vietnamese in English."""
    with english_installed(qapp):
        page = make(qtbot, runtime)
        tab = page.scanner
        for code in TEST_CODES[:2]:  # as the first test: the sheet read in order, then a code Unikey rewrote
            assert tab.handle_scan(code.content, "\r", "test", "") == []
        assert Fault.IME_TELEX in tab.handle_scan(telex(TEST_CODES[2].content), "\r", "test", "")
        shown = tab.diagnosis.toPlainText()
        assert "The Vietnamese input method (Unikey/EVKey, Telex) is on" in shown
        assert "Bộ gõ" not in shown and "Quét lại" not in shown
        if os.environ.get("DEVICES_SCREENSHOT"):
            page.resize(1000, 700)
            page.show()
            qtbot.waitExposed(page)
            tab.diagnosis.grab().save(os.environ["DEVICES_SCREENSHOT"])


def test_a_name_too_long_for_the_tag_is_refused_in_words_before_printing(qtbot: QtBot, runtime) -> None:
    page = make_printer(qtbot, runtime)
    tab = page.printer
    qtbot.waitUntil(lambda: "quét được" in tab.verdict.text(), timeout=10000)
    tab.template.setCurrentIndex(tab.template.findData("rat_tail_75x10"))
    tab.product.setText("Nhẫn nam vàng 18K mặt đá CZ trắng khắc chữ Phúc")
    tab.refresh_preview()
    qtbot.waitUntil(lambda: "dài quá chỗ trên tem" in tab.verdict.text(), timeout=10000)


@pytest.mark.parametrize("typed", ["", "socket://192.168.1.20"], ids=["no-port", "socket-without-port"])
def test_connect_and_detect_without_a_usable_port_say_what_to_fix(qtbot: QtBot, runtime, typed: str) -> None:
    """The slots built the settings first, which raised on the GUI thread: the crash dialog for a cashier who
    clicked Kết nối or Tự dò tốc độ with the port box empty or a network bridge's address without its port."""
    from app.devices.serial_scanner import ScannerErrorKind
    from app.ui.devices.texts import scanner_error_text

    page = make(qtbot, runtime)
    tab = page.scanner
    tab.port.setEditText(typed)
    expected = "Chọn hoặc nhập cổng trước." if not typed else scanner_error_text(ScannerErrorKind.BAD_SETTINGS)
    for press in (tab.toggle_serial, tab.detect):
        tab.status.clear()
        press()
        assert tab.status.text() == expected
    assert tab.connect_button.text() == "Kết nối"
    assert tab._reader is None and not any(task.title for task in tab._runner.active())  # nothing started


def test_a_scan_the_scanner_wraps_in_stx_etx_is_shown_and_named_a_prefix_suffix(qtbot: QtBot, runtime) -> None:
    """STX (0x02) ... ETX (0x03), ASCII's start/end of text, is a prefix/suffix option of Honeywell, Zebra and
    Datalogic scanners: it was reported as wrong-baud garbage, and the characters have no glyph to show."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def scanner() -> None:
        conn, _ = server.accept()
        time.sleep(0.3)  # pyserial flushes its input when it opens
        conn.sendall(f"\x02{TEST_CODES[0].content}\x03\r\n".encode())
        time.sleep(2)
        conn.close()

    threading.Thread(target=scanner, daemon=True).start()
    page = make(qtbot, runtime)
    tab = page.scanner
    tab.port.setEditText(f"socket://127.0.0.1:{port}")
    tab.toggle_serial()
    qtbot.waitUntil(lambda: tab.log.rowCount() == 1, timeout=5000)
    assert tab.log.item(0, 2).text() == f"<STX>{TEST_CODES[0].content}<ETX>"
    qtbot.waitUntil(lambda: tab._sheet_status[TEST_CODES[0].key] is False, timeout=5000)
    shown = tab.diagnosis.toPlainText()
    assert fault_name(Fault.PREFIX_SUFFIX) in shown and "<STX>" in shown
    assert "baud" not in tab.status.text()
    tab.stop()
    server.close()


def test_a_sheet_not_named_pdf_is_saved_as_pdf_and_a_failed_save_is_said_in_words(
        qtbot: QtBot, runtime, tmp_path, monkeypatch) -> None:
    """The sheet is written only as a PDF (test_sheet.write_test_sheet): a name typed without ".pdf" showed the
    refusal's English text; a failed write showed the system's."""
    from PySide6.QtWidgets import QFileDialog

    page = make(qtbot, runtime)
    tab = page.scanner
    chosen = [str(tmp_path / "to-ma-thu")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (chosen[0], "PDF (*.pdf)")))
    tab._choose_sheet()
    qtbot.waitUntil(lambda: "tờ mã thử" in tab.status.text(), timeout=10000)
    assert tab.status.text() == f"Đã lưu tờ mã thử: {tmp_path / 'to-ma-thu.pdf'} – in ở 100%."
    assert (tmp_path / "to-ma-thu.pdf").read_bytes().startswith(b"%PDF")
    (tmp_path / "a-file").write_text("x")
    chosen[0] = str(tmp_path / "a-file" / "to-ma-thu.pdf")  # under a file, not a folder
    tab.status.clear()
    tab._choose_sheet()
    qtbot.waitUntil(lambda: bool(tab.status.text()), timeout=10000)
    assert tab.status.text().startswith("Chưa lưu được tờ mã thử: ")
    assert "Errno" not in tab.status.text() and "File exists" not in tab.status.text()


def test_a_code_that_never_arrives_is_judged_by_its_symbology(qtbot: QtBot, runtime, monkeypatch) -> None:
    """75000001, the app's own tag code, is Code 128 (no GS1 check digit, ISO/IEC 15417): nothing arriving is a
    disabled symbology, not "the label's check digit is wrong", which shape alone (eight digits, EAN-8) suggests."""
    from app.devices import test_sheet as sheet
    from app.ui.devices import scanner_tab

    page = make(qtbot, runtime)
    tab = page.scanner
    monkeypatch.setattr(scanner_tab, "TEST_CODES", (sheet.TestCode("tag", "code128", "75000001", "Mã tem"),))
    tab._sheet_status = {"tag": None}
    tab.mark_not_scanning()
    shown = tab.diagnosis.toPlainText()
    assert fault_name(Fault.SYMBOLOGY_DISABLED) in shown and fault_name(Fault.CHECK_DIGIT) not in shown


def test_a_status_reply_the_parser_cannot_read_is_said_in_words(qtbot: QtBot, runtime) -> None:
    # Three framed strings as the ZPL II Programming Guide's ~HS lays them out, but a first string of 4 fields
    # instead of 12 (an emulation's own dialect): the parser's English "~HS reply is short" was shown.
    reply = b"\x02030,0,0,1245\x03\r\n\x02001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
    page = make_printer(qtbot, runtime)
    tab = page.printer
    replying = tcp_printer(reply)
    aim_zpl(tab, replying)
    tab.check_status()
    qtbot.waitUntil(lambda: bool(tab.message.text()), timeout=10000)
    assert tab.message.text().startswith("Máy in trả lời không đúng dạng")
    assert "~HS" not in tab.message.text()
    replying.server.close()


@pytest.mark.parametrize("target", ["spooler://Xprinter XP-360B", "file:///tmp/tem.prn"])
def test_a_queue_or_a_file_cannot_be_asked_for_its_status_and_the_button_says_why(
        qtbot: QtBot, runtime, target: str) -> None:
    """Only a TCP or serial link answers a status query; a queue was told "Địa chỉ máy in không đúng dạng"."""
    page = make_printer(qtbot, runtime)
    tab = page.printer
    tab.target.setText(target)
    assert not tab.status_button.isEnabled()
    assert "không báo được trạng thái" in tab.status_button.toolTip()
    tab.check_status()  # reached another way (a shortcut): the same words, no query
    assert "không báo được trạng thái" in tab.message.text()
    assert not any(task.title for task in tab._runner.active())
    tab.target.setText("tcp://192.168.1.50:9100")
    assert tab.status_button.isEnabled() and tab.status_button.toolTip() == ""
