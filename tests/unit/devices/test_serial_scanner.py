"""The serial scanner reader through real I/O: a pseudo-terminal, TCP on loopback, loop://.

A pty is a real tty: pyserial opens its slave end exactly as it opens
/dev/ttyUSB0 (termios, flock, select, read), and the test writes to the
master end as the scanner would.  Only baud-rate detection needs a fake
(see ``test_detect_baud_*``), because a pty delivers bytes intact at any speed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import socket
import sys
import termios
import threading
import time
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import serial
from serial.tools.list_ports_common import ListPortInfo

from app.devices.serial_scanner import (
    PortInfo,
    Scan,
    ScannerError,
    ScannerErrorKind,
    ScanProblem,
    ScanProblemKind,
    SerialScannerReader,
    SerialSettings,
    detect_baud,
    list_ports,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX pseudo-terminals")

WAIT = 3.0  # generous upper bound for anything that should take milliseconds


# ------------------------------------------------------------------ helpers

@dataclass
class Pty:
    master: int
    slave: int
    path: str
    master_open: bool = True

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # a full pty blocks the writer (flow control), it never drops bytes
            view = view[os.write(self.master, view):]

    def close_master(self) -> None:
        if self.master_open:
            self.master_open = False
            os.close(self.master)


@pytest.fixture
def pty_pair() -> Iterator[Pty]:
    master, slave = os.openpty()
    # Raw mode before anything is written: a cooked tty would echo and turn CR into LF.
    tty.setraw(slave)
    pair = Pty(master, slave, os.ttyname(slave))
    yield pair
    pair.close_master()
    os.close(slave)


@dataclass
class OpeningFactory:
    """serial.serial_for_url, plus an event when the port is open (writers must wait for it:
    pyserial flushes the input buffer on open) and the opened ports (to write into loop://)."""

    opened: threading.Event = field(default_factory=threading.Event)
    ports: list[Any] = field(default_factory=list)
    kwargs: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, url: str, **kwargs: Any) -> Any:
        port = serial.serial_for_url(url, **kwargs)
        self.ports.append(port)
        self.kwargs.append(kwargs)
        self.opened.set()
        return port


class Running:
    """A reader on its own thread, collecting what it reports."""

    def __init__(self, reader: SerialScannerReader) -> None:
        self.scans: list[Scan] = []
        self.problems: list[ScanProblem] = []
        self.error: BaseException | None = None
        self.cancel = threading.Event()
        self.finished = threading.Event()
        self._changed = threading.Condition()
        self._reader = reader
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._reader.run(self.cancel, self._on_scan, self._on_problem)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc
        finally:
            self.finished.set()
            with self._changed:
                self._changed.notify_all()

    def _on_scan(self, scan: Scan) -> None:
        with self._changed:
            self.scans.append(scan)
            self._changed.notify_all()

    def _on_problem(self, problem: ScanProblem) -> None:
        with self._changed:
            self.problems.append(problem)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = WAIT) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: predicate() or self.finished.is_set(), timeout), \
                "timed out waiting"
        assert predicate(), f"reader ended early: {self.error!r}"

    def stop(self) -> None:
        started = time.monotonic()
        self.cancel.set()
        self.thread.join(1.0)
        assert not self.thread.is_alive()
        assert time.monotonic() - started < 0.5
        if self.error is not None:
            raise self.error

    @property
    def texts(self) -> list[str]:
        return [scan.text for scan in self.scans]


def start(port: str, factory: OpeningFactory, **settings: Any) -> Running:
    running = Running(SerialScannerReader(SerialSettings(port, **settings), serial_factory=factory))
    assert factory.opened.wait(WAIT), running.error
    return running


def read_from_pty(pty: Pty, data: bytes, *, scans: int = 0, problems: int = 0, **settings: Any) -> Running:
    """A reader on ``pty`` sent ``data`` as a scanner sends it, stopped once it has reported ``scans`` scans
    and ``problems`` problems: what it collected."""
    running = start(pty.path, OpeningFactory(), **settings)
    pty.write(data)
    running.wait_for(lambda: len(running.scans) >= scans and len(running.problems) >= problems)
    running.stop()
    return running


def codes(count: int) -> list[str]:
    # Lengths vary (6..20) so a lost terminator shows up as a merged, odd-length code.
    return [f"{i:04d}-" + "7" * (1 + i % 15) for i in range(count)]


# -------------------------------------------------------------- full speed

def test_pty_500_scans_at_115200_baud_arrive_in_order(pty_pair: Pty) -> None:
    factory = OpeningFactory()
    running = start(pty_pair.path, factory, baudrate=115200, terminator="\r")
    # The setting reached the kernel's termios (the master shares the slave's on Linux).
    assert termios.tcgetattr(pty_pair.slave)[5] == termios.B115200
    expected = codes(500)

    def scanner() -> None:
        for code in expected:  # no pauses: faster than a real 115200 line
            pty_pair.write(code.encode() + b"\r")

    writer = threading.Thread(target=scanner, daemon=True)
    writer.start()
    running.wait_for(lambda: len(running.scans) >= 500)
    writer.join(WAIT)
    running.stop()
    assert running.texts == expected
    assert running.problems == []
    assert {scan.terminator for scan in running.scans} == {"\r"}
    assert running.scans[0].raw == expected[0].encode() + b"\r"
    assert all(scan.received_at.tzinfo is not None and scan.duration_ms >= 0 for scan in running.scans)
    assert factory.kwargs[0]["exclusive"] is True and factory.kwargs[0]["timeout"] == 0.05


def test_tcp_bridge_delivers_every_scan_and_reports_gone_when_it_closes() -> None:
    factory = OpeningFactory()
    expected = codes(300)
    server = socket.create_server(("127.0.0.1", 0))
    port_number = server.getsockname()[1]
    closed = threading.Event()
    release = threading.Event()

    def bridge() -> None:
        conn, _ = server.accept()
        with conn:
            assert factory.opened.wait(WAIT)
            conn.sendall(b"".join(code.encode() + b"\r\n" for code in expected))
            release.wait(WAIT)
        closed.set()

    thread = threading.Thread(target=bridge, daemon=True)
    thread.start()
    running = start(f"socket://127.0.0.1:{port_number}", factory)  # terminator "auto"
    running.wait_for(lambda: len(running.scans) >= 300)
    assert running.texts == expected
    assert {scan.terminator for scan in running.scans} == {"\r\n"}
    assert running.problems == []
    release.set()  # the bridge hangs up: the reader must fail fast, not wait forever
    assert closed.wait(WAIT)
    assert running.finished.wait(1.0)
    assert isinstance(running.error, ScannerError) and running.error.kind is ScannerErrorKind.GONE
    server.close()


def test_loop_url_reads_what_is_written() -> None:
    factory = OpeningFactory()
    running = start("loop://", factory)
    factory.ports[0].write(b"8934567890128\r4006381333931\n")
    running.wait_for(lambda: len(running.scans) >= 2)
    running.stop()
    assert [(s.text, s.terminator) for s in running.scans] == [("8934567890128", "\r"), ("4006381333931", "\n")]


# ------------------------------------------------------------- terminators

@pytest.mark.parametrize("terminator", ["\r", "\n", "\r\n", "\t"])
@pytest.mark.parametrize("configured", ["fixed", "auto"])
def test_each_terminator_fixed_or_auto(pty_pair: Pty, terminator: str, configured: str) -> None:
    five = "".join(f"SP{i:03d}{terminator}" for i in range(5)).encode()
    running = read_from_pty(pty_pair, five, scans=5, terminator=terminator if configured == "fixed" else "auto")
    assert running.texts == [f"SP{i:03d}" for i in range(5)]
    assert {scan.terminator for scan in running.scans} == {terminator}
    assert running.problems == []


def test_auto_reports_which_terminator_each_scan_had(pty_pair: Pty) -> None:
    # Bare terminators (a scanner's "send Enter" setup code) are no scans; the last CR
    # is followed by silence, which is how "auto" knows no LF is coming.
    running = read_from_pty(pty_pair, b"\r\n\tA1001\rB2002\nC3003\r\n\r\nD4004\tE5005\r", scans=5)
    assert [(s.text, s.terminator) for s in running.scans] == [
        ("A1001", "\r"), ("B2002", "\n"), ("C3003", "\r\n"), ("D4004", "\t"), ("E5005", "\r")]


@pytest.mark.parametrize("configured", ["auto", "\r\n"])
def test_crlf_split_across_two_writes_is_one_scan(pty_pair: Pty, configured: str) -> None:
    factory = OpeningFactory()
    # "auto" takes a CR followed by one silent read as CR alone; the longest read
    # gives the LF written 20 ms later a wide margin on a loaded CI machine.
    running = start(pty_pair.path, factory, terminator=configured, read_timeout=0.1)
    pty_pair.write(b"8934567890128\r")
    time.sleep(0.02)  # a USB-serial adapter can put CR and LF in different packets
    pty_pair.write(b"\nNEXT0001\r")
    time.sleep(0.01)
    pty_pair.write(b"\n")
    running.wait_for(lambda: len(running.scans) >= 2)
    time.sleep(0.15)  # room for a wrong implementation to report an extra (empty) line
    running.stop()
    assert [(s.text, s.terminator) for s in running.scans] == [("8934567890128", "\r\n"), ("NEXT0001", "\r\n")]
    assert running.problems == []


def test_fixed_crlf_waits_for_a_late_lf(pty_pair: Pty) -> None:
    # "auto" decides CR-alone after one silent read; a fixed CRLF never decides early.
    factory = OpeningFactory()
    running = start(pty_pair.path, factory, terminator="\r\n")
    pty_pair.write(b"LATE0001\r")
    time.sleep(0.2)
    assert running.scans == []
    pty_pair.write(b"\n")
    running.wait_for(lambda: len(running.scans) >= 1)
    running.stop()
    assert (running.scans[0].text, running.scans[0].terminator) == ("LATE0001", "\r\n")
    assert running.scans[0].duration_ms >= 150


def test_fixed_crlf_with_a_cr_only_scanner_is_missing_terminator(pty_pair: Pty) -> None:
    running = read_from_pty(pty_pair, b"8934567890128\r", problems=1, terminator="\r\n", idle_timeout=0.15)
    problem = running.problems[0]
    assert (problem.kind, problem.text) == (ScanProblemKind.MISSING_TERMINATOR, "8934567890128\r")
    assert running.scans == []


def test_fixed_cr_with_a_crlf_scanner_reads_each_scan_once_and_never_says_missing_enter(pty_pair: Pty) -> None:
    # Terminator set to CR while the scanner ends each code with CR LF (its "Enter" suffix sent as CR LF): the LF
    # left after each CR came back 0.3 s later as a line without terminator, a false "không gửi ký tự kết thúc".
    running = start(pty_pair.path, OpeningFactory(), terminator="\r", idle_timeout=0.15)
    pty_pair.write(b"PMV999900001\r\n")
    running.wait_for(lambda: len(running.scans) >= 1)
    time.sleep(0.4)  # past the idle timeout: the LF must not come back as a line of its own
    pty_pair.write(b"A1001\r\nB2002\r\n")  # back to back, as a continuous-mode scanner sends them
    running.wait_for(lambda: len(running.scans) >= 3)
    pty_pair.write(b"C3003\r")
    time.sleep(0.02)  # a USB-serial adapter can put CR and LF in different packets
    pty_pair.write(b"\n")
    running.wait_for(lambda: len(running.scans) >= 4)
    time.sleep(0.4)
    running.stop()
    assert [(s.text, s.terminator) for s in running.scans] == [
        ("PMV999900001", "\r"), ("A1001", "\r"), ("B2002", "\r"), ("C3003", "\r")]  # no LF carried into a code
    assert running.problems == []


def test_whitespace_alone_then_silence_is_no_scan(pty_pair: Pty) -> None:
    running = start(pty_pair.path, OpeningFactory(), terminator="\r", idle_timeout=0.15)
    pty_pair.write(b"\n \n")
    time.sleep(0.4)
    pty_pair.write(b"AFTER001\r")
    running.wait_for(lambda: len(running.scans) >= 1)
    running.stop()
    assert running.problems == []
    assert running.texts == ["AFTER001"]


# Prefix and suffix characters a scanner's setup codes add around every code: STX (0x02) and ETX (0x03) are
# ASCII's start/end of text (ANSI X3.4), and "Add prefix/suffix" takes any hex value on Honeywell (Xenon/Voyager
# user guides, "Prefix/Suffix"), Zebra (DS-series product reference guides, "Prefix/Suffix Values") and Datalogic
# ("Global Prefix/Suffix") scanners. ESC (0x1B) leads some POS prefixes.
FRAMED = [b"\x02PMV999900001\x03", b"\x1bPMV999900001", b"\x01\x02PMV999900001\x03\x04"]


@pytest.mark.parametrize("framed", FRAMED, ids=["stx-etx", "esc", "soh-stx-etx-eot"])
@pytest.mark.parametrize("terminator", [b"\r", b"\r\n"])
def test_control_characters_around_a_code_are_text_diagnosed_as_prefix_suffix(
        pty_pair: Pty, framed: bytes, terminator: bytes) -> None:
    from app.devices.diagnosis import Fault, diagnose

    running = read_from_pty(pty_pair, framed + terminator + b"NEXT0001\r", scans=2)
    assert running.problems == []  # it was GARBAGE: "sai tốc độ baud", the wrong remedy
    scan = running.scans[0]
    assert (scan.text, scan.raw) == (framed.decode("ascii"), framed + terminator)
    assert diagnose("PMV999900001", scan.text + scan.terminator) == [Fault.PREFIX_SUFFIX]
    assert running.texts[1] == "NEXT0001"


@pytest.mark.parametrize("noise", [b"\x02\x00\x03", b"\x02\x03", b"\x02\xfe\xff\x80\x03", b"PM\x07V1"],
                         ids=["nul", "controls-only", "high-bytes", "control-inside"])
def test_controls_around_noise_or_inside_a_line_are_still_garbage(pty_pair: Pty, noise: bytes) -> None:
    running = read_from_pty(pty_pair, noise + b"\rGOOD0001\r", scans=1)
    assert [p.kind for p in running.problems] == [ScanProblemKind.GARBAGE]
    assert running.texts == ["GOOD0001"]


def test_vietnamese_utf8_qr_text_is_text(pty_pair: Pty) -> None:
    running = read_from_pty(pty_pair, "Nhẫn vàng 9999 - 1 chỉ\r".encode(), scans=1)  # đ/ẫ contain bytes 0x80-0x9F
    assert running.texts == ["Nhẫn vàng 9999 - 1 chỉ"]


# ----------------------------------------------------------------- problems

def test_noise_with_terminator_is_garbage_and_next_scan_arrives(pty_pair: Pty) -> None:
    running = read_from_pty(pty_pair, b"\xff\xfe\x80\rGOOD0001\r", scans=1)
    assert [(p.kind, p.raw, p.terminator) for p in running.problems] == [
        (ScanProblemKind.GARBAGE, b"\xff\xfe\x80\r", "\r")]
    assert running.texts == ["GOOD0001"]


def test_wrong_baud_noise_then_silence_is_garbage_and_next_scan_arrives(pty_pair: Pty) -> None:
    factory = OpeningFactory()
    running = start(pty_pair.path, factory, idle_timeout=0.15)
    rng = random.Random(20251010)
    # What a scan looks like at the wrong rate: mostly high bytes, no terminator survives.
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(14))
    pty_pair.write(noise)
    running.wait_for(lambda: len(running.problems) >= 1)
    pty_pair.write(b"GOOD0002\r")
    running.wait_for(lambda: len(running.scans) >= 1)
    running.stop()
    assert [(p.kind, p.raw, p.terminator) for p in running.problems] == [(ScanProblemKind.GARBAGE, noise, None)]
    assert running.texts == ["GOOD0002"]


def test_latin1_garbage_that_looks_printable_is_still_garbage(pty_pair: Pty) -> None:
    # 0xA0-0xFF are printable Latin-1; a line made mostly of them is noise, not a code.
    # The second line has one accented letter.
    running = read_from_pty(pty_pair, b"\xfe\xff\xfc\xf8\xe0\xfe\rCAFE\xe9-01\r", scans=1)
    assert [p.kind for p in running.problems] == [ScanProblemKind.GARBAGE]
    assert running.texts == ["CAFE\u00e9-01"]


@pytest.mark.parametrize("tail", [b"\r", b""], ids=["then-terminator", "then-silence"])
def test_over_long_line_is_too_long_and_reading_continues(pty_pair: Pty, tail: bytes) -> None:
    factory = OpeningFactory()
    running = start(pty_pair.path, factory, idle_timeout=0.15)
    pty_pair.write(b"A" * 1000 + tail)
    if not tail:
        time.sleep(0.3)  # the silence ends the discarded line
    pty_pair.write(b"NEXT0003\r")
    running.wait_for(lambda: len(running.scans) >= 1)
    running.stop()
    assert [p.kind for p in running.problems] == [ScanProblemKind.TOO_LONG]
    assert running.problems[0].raw == b"A" * 256
    assert running.texts == ["NEXT0003"]


def test_text_without_terminator_is_missing_terminator(pty_pair: Pty) -> None:
    running = read_from_pty(pty_pair, b"8934567890128", problems=1, idle_timeout=0.15)
    problem = running.problems[0]
    assert (problem.kind, problem.text, problem.terminator) == (
        ScanProblemKind.MISSING_TERMINATOR, "8934567890128", None)
    assert running.scans == []


# ------------------------------------------------------------ fatal errors

def test_unplugged_pty_raises_gone_promptly(pty_pair: Pty) -> None:
    factory = OpeningFactory()
    running = start(pty_pair.path, factory)
    pty_pair.write(b"BEFORE01\r")
    running.wait_for(lambda: len(running.scans) >= 1)
    unplugged = time.monotonic()
    pty_pair.close_master()
    assert running.finished.wait(1.0), "reader hung on a vanished port"
    assert time.monotonic() - unplugged < 0.5
    assert isinstance(running.error, ScannerError) and running.error.kind is ScannerErrorKind.GONE
    assert running.texts == ["BEFORE01"]


def test_missing_port_is_not_found() -> None:
    reader = SerialScannerReader(SerialSettings("/dev/ttyPMV_NO_SUCH_PORT"))
    with pytest.raises(ScannerError) as caught:
        reader.run(threading.Event(), lambda scan: None, lambda problem: None)
    assert caught.value.kind is ScannerErrorKind.NOT_FOUND


def test_nothing_listening_on_tcp_is_not_found() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free_port = probe.getsockname()[1]
    reader = SerialScannerReader(SerialSettings(f"socket://127.0.0.1:{free_port}"))
    with pytest.raises(ScannerError) as caught:
        reader.run(threading.Event(), lambda scan: None, lambda problem: None)
    assert caught.value.kind is ScannerErrorKind.NOT_FOUND


def test_port_held_by_another_program_is_busy(pty_pair: Pty) -> None:
    other = serial.serial_for_url(pty_pair.path, exclusive=True)  # takes the flock, as we do
    try:
        reader = SerialScannerReader(SerialSettings(pty_pair.path))
        with pytest.raises(ScannerError) as caught:
            reader.run(threading.Event(), lambda scan: None, lambda problem: None)
        assert caught.value.kind is ScannerErrorKind.BUSY
    finally:
        other.close()


@pytest.mark.parametrize("settings", [
    {"parity": "X"}, {"stopbits": 3}, {"terminator": "\r\r"}, {"baudrate": 0},
    {"read_timeout": 2.0}, {"port": "socket://scanner-bridge"}, {"port": " "},
])
def test_bad_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(ScannerError) as caught:
        SerialSettings(**{"port": "/dev/ttyUSB0", **settings})
    assert caught.value.kind is ScannerErrorKind.BAD_SETTINGS


def test_unknown_url_scheme_is_bad_settings() -> None:
    reader = SerialScannerReader(SerialSettings("nosuchscheme://x"))
    with pytest.raises(ScannerError) as caught:
        reader.run(threading.Event(), lambda scan: None, lambda problem: None)
    assert caught.value.kind is ScannerErrorKind.BAD_SETTINGS


def test_cancel_stops_the_reader_quickly_and_closes_the_port(pty_pair: Pty) -> None:
    factory = OpeningFactory()
    running = start(pty_pair.path, factory)
    time.sleep(0.1)
    running.stop()  # asserts < 0.5 s
    assert not factory.ports[0].is_open


def test_port_is_closed_when_a_callback_raises() -> None:
    factory = OpeningFactory()
    reader = SerialScannerReader(SerialSettings("loop://"), serial_factory=factory)

    def explode(scan: Scan) -> None:
        raise RuntimeError("ui went away")

    def feed() -> None:
        assert factory.opened.wait(WAIT)
        factory.ports[0].write(b"BOOM0001\r")

    threading.Thread(target=feed, daemon=True).start()
    with pytest.raises(RuntimeError):
        reader.run(threading.Event(), explode, lambda problem: None)
    assert not factory.ports[0].is_open


def test_received_at_comes_from_the_injected_clock() -> None:
    fixed = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    factory = OpeningFactory()
    running = Running(SerialScannerReader(SerialSettings("loop://"), serial_factory=factory, clock=lambda: fixed))
    assert factory.opened.wait(WAIT)
    factory.ports[0].write(b"CLOCK001\r")
    running.wait_for(lambda: len(running.scans) >= 1)
    running.stop()
    assert running.scans[0].received_at == fixed


# ------------------------------------------------------------ baud detection

TRUE_RATE = 19200


def wrong_rate_view(data: bytes, rate: int) -> bytes:
    """A deterministic stand-in for what a UART at the wrong rate makes of ``data``.

    Real mismatch garbage needs real hardware (a pty delivers bytes intact at
    any speed), so this narrow fake maps every data byte into 0x80-0x9F, which
    is never text.  It keeps the terminator on purpose: the detector must
    reject a wrong rate for its content, not merely for a missing line end.
    """
    body, end = data[:-1], data[-1:]
    return bytes(0x80 | ((b * 31 + rate) & 0x1F) for b in body) + end


@contextlib.contextmanager
def scanner_at_true_rate(pty: Pty, line: bytes) -> Iterator[Pty]:
    """A scanner fixed at TRUE_RATE that the user keeps triggering, behind a real pty.

    It reads the line speed the detector set on the tty (termios, as a real
    UART would be clocked) and sends either ``line`` or its wrong-rate view.
    """
    stop = threading.Event()
    speeds = {getattr(termios, f"B{rate}"): rate for rate in (2400, 4800, 9600, 19200, 38400, 57600, 115200)}

    def scanner() -> None:
        while not stop.wait(0.03):
            rate = speeds.get(termios.tcgetattr(pty.master)[5], 0)
            try:
                pty.write(line if rate == TRUE_RATE else wrong_rate_view(line, rate))
            except OSError:
                return

    thread = threading.Thread(target=scanner, daemon=True)
    thread.start()
    try:
        yield pty
    finally:
        stop.set()
        thread.join(1.0)


@pytest.fixture
def fake_scanner(pty_pair: Pty) -> Iterator[Pty]:
    with scanner_at_true_rate(pty_pair, b"8934567890128\r") as pty:
        yield pty


def test_detect_baud_finds_the_only_rate_that_gives_text(fake_scanner: Pty) -> None:
    factory = OpeningFactory()
    seen: list[tuple[float, str]] = []
    started = time.monotonic()
    found = detect_baud(fake_scanner.path, rates=(9600, 115200, 19200, 38400), listen_seconds=0.4,
                        serial_factory=factory, progress=lambda f, r: seen.append((f, r)))
    assert found == TRUE_RATE
    assert [kwargs["baudrate"] for kwargs in factory.kwargs] == [9600, 115200, 19200]
    assert seen == [(0.0, "9600"), (0.25, "115200"), (0.5, "19200")]
    assert all(not port.is_open for port in factory.ports)
    assert time.monotonic() - started < 2.0


def test_detect_baud_finds_the_rate_of_a_scanner_that_wraps_codes_in_stx_etx(pty_pair: Pty) -> None:
    # STX ... ETX around each code (ASCII 0x02/0x03), a prefix/suffix setup option of Honeywell, Zebra and
    # Datalogic scanners: clean lines at the right rate, still garbage at the wrong ones.
    with scanner_at_true_rate(pty_pair, b"\x02PMV999900001\x03\r") as pty:
        assert detect_baud(pty.path, rates=(9600, 19200), listen_seconds=0.4) == TRUE_RATE


def test_detect_baud_returns_none_when_no_rate_gives_text(fake_scanner: Pty) -> None:
    assert detect_baud(fake_scanner.path, rates=(9600, 115200), listen_seconds=0.3) is None


def test_detect_baud_on_a_silent_port_returns_none(pty_pair: Pty) -> None:
    started = time.monotonic()
    assert detect_baud(pty_pair.path, rates=(9600, 19200), listen_seconds=0.2) is None
    assert time.monotonic() - started < 1.0


def test_detect_baud_stops_on_cancel(pty_pair: Pty) -> None:
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    started = time.monotonic()
    assert detect_baud(pty_pair.path, listen_seconds=1.5, cancel=cancel) is None
    assert time.monotonic() - started < 0.5


def test_detect_baud_raises_for_a_missing_port() -> None:
    with pytest.raises(ScannerError) as caught:
        detect_baud("/dev/ttyPMV_NO_SUCH_PORT", listen_seconds=0.1)
    assert caught.value.kind is ScannerErrorKind.NOT_FOUND


# -------------------------------------------------------------------- ports

def test_list_ports_maps_pyserial_port_info() -> None:
    usb = ListPortInfo("/dev/ttyACM0", skip_link_detection=True)
    usb.vid, usb.pid, usb.serial_number = 0x0C2E, 0x0B61, "21130B1234"
    usb.manufacturer, usb.description = "Honeywell", "Honeywell 1900 scanner"
    legacy = ListPortInfo("/dev/ttyS0", skip_link_detection=True)
    assert list_ports(lambda: [usb, legacy]) == [
        PortInfo("/dev/ttyACM0", "Honeywell 1900 scanner", "0C2E:0B61", "21130B1234", "Honeywell"),
        PortInfo("/dev/ttyS0", "n/a", None, None, None),
    ]
    assert all(isinstance(info, PortInfo) for info in list_ports())  # the machine's own list
