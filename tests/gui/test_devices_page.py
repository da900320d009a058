from __future__ import annotations

import socket
import threading
import time

from pytestqt.qtbot import QtBot

from app.devices.diagnosis import Fault
from app.devices.ime import telex
from app.devices.test_sheet import TEST_CODES
from app.ui.devices.page import DevicesPage
from app.ui.tasks import TaskRunner


def make(qtbot: QtBot) -> DevicesPage:
    runner = TaskRunner()
    page = DevicesPage(runner)
    qtbot.addWidget(page)
    page._keep = runner
    return page


def type_burst(capture, text: str, start: float, gap: float = 0.006) -> float:
    for index, char in enumerate(text):
        capture.record(char, start + index * gap)
    return start + len(text) * gap


def test_a_wedge_scanner_ticks_the_sheet_and_a_telex_scan_is_diagnosed(qtbot: QtBot) -> None:
    page = make(qtbot)
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


def test_human_typing_is_logged_but_not_judged(qtbot: QtBot) -> None:
    page = make(qtbot)
    capture = page.scanner.capture
    start = time.monotonic()
    for index, char in enumerate("PMV9"):
        capture.record(char, start + index * 0.25)
    with qtbot.waitSignal(capture.burst_finished, timeout=3000):
        pass
    assert all(state is None for state in page.scanner._sheet_status.values())


def test_a_code_that_never_arrives_names_the_disabled_symbology(qtbot: QtBot) -> None:
    page = make(qtbot)
    page.scanner.mark_not_scanning()
    assert page.scanner._sheet_status[TEST_CODES[0].key] is False
    assert "chưa bật loại mã vạch" in page.scanner.diagnosis.toPlainText()


def test_serial_scans_arrive_live_and_an_unplugged_scanner_is_explained(qtbot: QtBot) -> None:
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
    page = make(qtbot)
    tab = page.scanner
    tab.port.setEditText(f"socket://127.0.0.1:{port}")
    tab.toggle_serial()
    assert tab.connect_button.text() == "Ngắt kết nối"
    go.set()
    qtbot.waitUntil(lambda: tab.log.rowCount() == 1, timeout=5000)
    assert tab.log.item(0, 1).text() == "Cổng COM" and tab._sheet_status[TEST_CODES[0].key] is True
    qtbot.waitUntil(lambda: "ngắt kết nối" in tab.status.text(), timeout=5000)
    assert tab.connect_button.text() == "Kết nối"
    server.close()
