"""Reading a serial barcode scanner (RS-232, USB virtual COM, or a network bridge).

A serial scanner sends each scan as bytes followed by a terminator (CR, LF,
CRLF or TAB, whatever its "suffix" is programmed to).  This module opens the
port, cuts the byte stream into scans and tells good scans from the faults a
technician must recognise:

* ``GARBAGE``: bytes that are not text -- nearly always a baud-rate (or
  parity) mismatch.  Reported, and reading carries on.
* ``TOO_LONG``: no terminator within ``max_length`` bytes.  Reported once,
  the rest of that line is discarded, and reading carries on.
* ``MISSING_TERMINATOR``: text followed by silence and no terminator -- the
  scanner's suffix is switched off, so the POS never sees "Enter".
* fatal :class:`ScannerError`: the port does not exist, is held by another
  program, vanished mid-test (USB cable pulled), or the settings are invalid.

Everything here is Qt-free and blocking; the UI runs :meth:`SerialScannerReader.run`
on a worker thread and stops it with the ``cancel`` event.  Callbacks are
called on that worker thread.  Only codes and data come back, never text for
the cashier.
"""

from __future__ import annotations

import codecs
import datetime as dt
import enum
import errno
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import serial
from serial.tools import list_ports as _list_ports

from pmv_protocol.coded_error import CodeAlias, CodedError

CR, LF, TAB = 0x0D, 0x0A, 0x09
TERMINATORS: tuple[str, ...] = ("\r", "\n", "\r\n", "\t")
PARITIES: tuple[str, ...] = ("N", "E", "O")
DEFAULT_DETECT_RATES: tuple[int, ...] = (9600, 115200, 19200, 38400, 57600, 4800, 2400)

# Group separator, record separator and end-of-transmission are data, not
# noise: GS1 codes use GS as the FNC1 field separator and ISO/IEC 15434
# ("[)>" RS 06 GS ... RS EOT) uses all three.
_DATA_CONTROLS = frozenset("\x1d\x1e\x04")
# C0 control characters a scanner's prefix/suffix option may put around a
# code (STX ... ETX, an ESC-led prefix: Honeywell, Zebra and Datalogic offer
# any hex value).  At either end of a line they are the scanner's framing,
# text to diagnose (prefix_suffix), not noise.  NUL is left out: a wrong
# baud rate and a line break both read as NUL bytes.
_EDGE_CONTROLS = bytes(range(0x01, 0x20))
_AUTO_SPLIT = re.compile(rb"[\r\n\t]")
_LINE_END_BYTES = b"\r\n"


# --------------------------------------------------------------------- ports

@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    vid_pid: str | None  # "VID:PID" in upper-case hex, None for a non-USB port
    serial_number: str | None
    manufacturer: str | None


def list_ports(comports: Callable[[], Iterable[Any]] = _list_ports.comports) -> list[PortInfo]:
    """The serial ports the OS knows, sorted by device name.

    ``comports`` is injectable because the real list depends on the machine.
    """
    found = []
    for port in comports():
        vid, pid = getattr(port, "vid", None), getattr(port, "pid", None)
        found.append(PortInfo(
            device=port.device,
            description=port.description or "",
            vid_pid=f"{vid:04X}:{pid:04X}" if vid is not None and pid is not None else None,
            serial_number=port.serial_number or None,
            manufacturer=port.manufacturer or None,
        ))
    return sorted(found, key=lambda info: info.device)


# ------------------------------------------------------------------- results

class ScanProblemKind(enum.StrEnum):
    GARBAGE = "garbage"
    TOO_LONG = "too_long"
    MISSING_TERMINATOR = "missing_terminator"


class ScannerErrorKind(enum.StrEnum):
    NOT_FOUND = "not_found"
    BUSY = "busy"  # held by another program, or no permission to open it
    GONE = "gone"  # vanished mid-test (USB unplugged, bridge closed the socket)
    BAD_SETTINGS = "bad_settings"


class ScannerError(CodedError[ScannerErrorKind]):
    """A fatal port problem; ``kind`` is for the UI, ``detail`` for the log."""

    kind = CodeAlias[ScannerErrorKind]()


@dataclass(frozen=True)
class Scan:
    text: str  # decoded, terminator stripped
    raw: bytes  # exactly as received, terminator included (for a hex view)
    terminator: str  # one of TERMINATORS
    received_at: dt.datetime  # aware
    duration_ms: float  # first byte to terminator, at the resolution of one read


@dataclass(frozen=True)
class ScanProblem:
    kind: ScanProblemKind
    raw: bytes  # TOO_LONG keeps only the first max_length bytes
    received_at: dt.datetime
    terminator: str | None = None  # the terminator that ended the line, if any
    text: str | None = None  # the decoded text when there was any (MISSING_TERMINATOR)


@dataclass(frozen=True)
class SerialSettings:
    port: str  # "COM3", "/dev/ttyUSB0" or any pyserial URL (loop://, socket://h:p, rfc2217://h:p)
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    # One of TERMINATORS (only that sequence ends a scan), or "auto": any of
    # them does, and Scan.terminator says which -- the right choice for a test.
    terminator: str = "auto"
    max_length: int = 256
    read_timeout: float = 0.05  # each read blocks at most this long, so cancel is seen quickly
    idle_timeout: float = 0.3  # silence after which unterminated bytes are reported

    def __post_init__(self) -> None:
        problems = []
        if not self.port.strip():
            problems.append("port is empty")
        if self.baudrate <= 0:
            problems.append(f"baudrate {self.baudrate}")
        if self.bytesize not in (5, 6, 7, 8):
            problems.append(f"bytesize {self.bytesize}")
        if self.parity not in PARITIES:
            problems.append(f"parity {self.parity!r}")
        if self.stopbits not in (1, 2):
            problems.append(f"stopbits {self.stopbits}")
        if self.terminator != "auto" and self.terminator not in TERMINATORS:
            problems.append(f"terminator {self.terminator!r}")
        if self.max_length < 1:
            problems.append(f"max_length {self.max_length}")
        if not 0 < self.read_timeout <= 0.1:
            # Longer reads would make cancel (and the CR/CRLF decision) sluggish.
            problems.append(f"read_timeout {self.read_timeout}")
        if self.idle_timeout < self.read_timeout:
            problems.append(f"idle_timeout {self.idle_timeout}")
        scheme = self.port.split("://", 1)[0].lower() if "://" in self.port else ""
        if scheme in ("socket", "rfc2217"):
            # pyserial reports a missing host/port as an obscure TypeError message.
            parts = urlsplit(self.port)
            try:
                has_port = parts.port is not None
            except ValueError:
                has_port = False
            if not parts.hostname or not has_port:
                problems.append(f"url {self.port!r} needs host:port")
        if problems:
            raise ScannerError(ScannerErrorKind.BAD_SETTINGS, ", ".join(problems))


# --------------------------------------------------------------- the framing

def _decode(body: bytes, allowed_controls: frozenset[str], truncated: bool = False) -> str | None:
    """The text in ``body``, or None when it is not text (wrong baud rate).

    Control characters at either end (see ``_EDGE_CONTROLS``) are kept in the
    text but judged apart: only the code between them must be text.
    ``truncated``: ``body`` was cut at an arbitrary byte, so an unfinished
    UTF-8 sequence at its end is not evidence of noise.
    """
    core = body.strip(_EDGE_CONTROLS)
    if not core:  # nothing but controls: text only if each is data (GS, RS, EOT...)
        text = body.decode("ascii")
        return text if all(ch in allowed_controls for ch in text) else None
    start = len(body) - len(body.lstrip(_EDGE_CONTROLS))
    end = start + len(core)
    middle = _decode_core(core, allowed_controls, truncated and end == len(body))
    if middle is None:
        return None
    return body[:start].decode("ascii") + middle + body[end:].decode("ascii")


def _decode_core(body: bytes, allowed_controls: frozenset[str], truncated: bool) -> str | None:
    try:
        # UTF-8 first: a QR code with Vietnamese text arrives as UTF-8, and
        # some of its continuation bytes (0x80-0x9F) would look like noise
        # under Latin-1.  Noise is almost never valid UTF-8.
        text = codecs.getincrementaldecoder("utf-8")().decode(body, final=not truncated)
    except UnicodeDecodeError:
        # Accented Latin-1 text is mostly ASCII; wrong-rate noise is mostly
        # high bytes.  That difference is what makes Latin-1 usable here.
        if sum(b >= 0x80 for b in body) * 2 > len(body):
            return None
        text = body.decode("latin-1")
    if all(ch.isprintable() or ch in allowed_controls for ch in text):
        return text
    return None


@dataclass(frozen=True)
class _Frame:
    """One cut of the byte stream, before it becomes a Scan or a ScanProblem."""

    raw: bytes
    body: bytes
    terminator: str | None
    started: float  # monotonic arrival of the first byte
    ended: float
    too_long: bool = False


class _Framer:
    """Cuts a byte stream into lines; pure, so the reader and detect_baud share it.

    Timestamps are passed in: ``feed`` gets the arrival time of a chunk,
    ``tick`` is called after a read that returned nothing.
    """

    def __init__(self, terminator: str, max_length: int, idle_timeout: float) -> None:
        self._mode = terminator
        self._fixed = terminator.encode("ascii") if terminator != "auto" else b""
        self._max = max_length
        self._idle = idle_timeout
        self._buf = bytearray()
        self._started = 0.0
        self._last = 0.0
        self._held_cr_at: float | None = None
        self._discarding = False  # inside a TOO_LONG line, until its terminator
        # A fixed terminator was just cut: CR/LF bytes right after it are the rest
        # of the scanner's line end (CR LF under "CR"), not the start of a scan.
        self._after_end = False

    def feed(self, data: bytes, now: float) -> list[_Frame]:
        if not data:
            return self.tick(now)
        if not self._buf:
            self._started = now
        self._buf += data
        self._last = now
        return self._split(now, resolve_cr=False)

    def tick(self, now: float) -> list[_Frame]:
        # A read came back empty: a CR at the end is not followed by LF
        # (scanners send CRLF back to back), so it is a CR terminator.
        frames = self._split(now, resolve_cr=True)
        if now - self._last >= self._idle:
            if self._discarding:
                self._discarding = False  # the rest of a TOO_LONG line: already reported
            elif bytes(self._buf).strip():  # whitespace alone is no scan, so never "missing Enter"
                body = bytes(self._buf)
                frames.append(_Frame(body, body, None, self._started, self._last))
            self._buf.clear()
            self._held_cr_at = None
        return frames

    def _next_terminator(self, resolve_cr: bool) -> tuple[int, str] | None:
        if self._fixed:
            at = self._buf.find(self._fixed)
            return (at, self._mode) if at >= 0 else None
        match = _AUTO_SPLIT.search(self._buf)
        if match is None:
            return None
        at = match.start()
        byte = self._buf[at]
        if byte != CR:
            return at, "\n" if byte == LF else "\t"
        if at + 1 < len(self._buf):
            return at, "\r\n" if self._buf[at + 1] == LF else "\r"
        if resolve_cr:
            return at, "\r"
        return None  # CR is the last byte: wait to see whether LF follows

    def _skip_rest_of_line_end(self) -> None:
        if not self._after_end:
            return
        rest = len(self._buf) - len(self._buf.lstrip(_LINE_END_BYTES))
        del self._buf[:rest]
        if self._buf:
            self._after_end = False  # the next scan has begun

    def _split(self, now: float, resolve_cr: bool) -> list[_Frame]:
        frames: list[_Frame] = []
        self._skip_rest_of_line_end()
        while (found := self._next_terminator(resolve_cr)) is not None:
            at, terminator = found
            end = at + len(terminator)
            raw, body = bytes(self._buf[:end]), bytes(self._buf[:at])
            del self._buf[:end]
            # A CR resolved by silence ended when it arrived, not now.
            ended = self._held_cr_at if terminator == "\r" and self._held_cr_at is not None else now
            self._held_cr_at = None
            if self._discarding:
                self._discarding = False
            elif len(body) > self._max:
                frames.append(_Frame(body[: self._max], body, terminator, self._started, ended, True))
            elif body:  # a bare terminator (e.g. the scanner's "Enter" test key) is no scan
                frames.append(_Frame(raw, body, terminator, self._started, ended))
            self._started = now
            if self._fixed:  # "auto" cuts on CR and LF alike: a bare one is already no scan
                self._after_end = True
                self._skip_rest_of_line_end()
        trailing_cr = 1 if self._buf.endswith(b"\r") and self._mode in ("auto", "\r\n") else 0
        if trailing_cr and self._held_cr_at is None:
            self._held_cr_at = self._last
        pending = len(self._buf) - trailing_cr
        if self._discarding:
            del self._buf[:pending]  # keep memory bounded while a flood goes by
        elif pending > self._max:
            frames.append(_Frame(bytes(self._buf[: self._max]), bytes(self._buf[: self._max]),
                                 None, self._started, now, True))
            del self._buf[:pending]
            self._discarding = True
        return frames


def _allowed_controls(mode: str) -> frozenset[str]:
    # With a fixed terminator, CR/LF/TAB left in a line are data (some 2-D
    # codes carry line breaks) or a sign of the wrong terminator (CR alone
    # under "\r\n"): text either way, never noise.  "auto" has cut on them.
    if mode == "auto":
        return _DATA_CONTROLS
    return _DATA_CONTROLS | frozenset("\r\n\t")


def _to_result(frame: _Frame, mode: str, received_at: dt.datetime) -> Scan | ScanProblem:
    if frame.too_long:
        # A flood of noise (no terminator survives a wrong baud rate) is
        # reported as what it is, so the remedy points at the baud rate.
        kind = (ScanProblemKind.TOO_LONG if _decode(frame.raw, _allowed_controls(mode), truncated=True) is not None
                else ScanProblemKind.GARBAGE)
        return ScanProblem(kind, frame.raw, received_at, frame.terminator)
    text = _decode(frame.body, _allowed_controls(mode))
    if text is None:
        return ScanProblem(ScanProblemKind.GARBAGE, frame.raw, received_at, frame.terminator)
    if frame.terminator is None:
        return ScanProblem(ScanProblemKind.MISSING_TERMINATOR, frame.raw, received_at, None, text)
    duration_ms = max(0.0, (frame.ended - frame.started) * 1000.0)
    return Scan(text, frame.raw, frame.terminator, received_at, duration_ms)


# ------------------------------------------------------------------ the port

class SerialPort(Protocol):
    """The part of ``serial.Serial`` used here (so tests can wrap real ports)."""

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def close(self) -> None: ...


SerialFactory = Callable[..., SerialPort]
Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_ERRNO_IN_TEXT = re.compile(r"\[Errno (-?\d+)\]")
_BUSY_ERRNOS = {errno.EBUSY, errno.EACCES, errno.EPERM, errno.EAGAIN, errno.EWOULDBLOCK}


def _open_error_kind(exc: BaseException) -> ScannerErrorKind:
    """Map pyserial's open failures (which differ per OS and URL handler) to a kind."""
    if isinstance(exc, ValueError):
        return ScannerErrorKind.BAD_SETTINGS  # unknown URL scheme, invalid baud rate...
    code = getattr(exc, "errno", None)
    if code is None:
        # Windows and the socket handler only put the cause in the message.
        match = _ERRNO_IN_TEXT.search(str(exc))
        code = int(match.group(1)) if match else None
    if isinstance(exc, PermissionError) or code in _BUSY_ERRNOS:
        return ScannerErrorKind.BUSY
    if code == errno.EINVAL:
        return ScannerErrorKind.BAD_SETTINGS
    message = str(exc)
    if "PermissionError" in message or "Access is denied" in message:
        return ScannerErrorKind.BUSY  # Windows: the COM port is open in another program
    # ENOENT, ENODEV, ENXIO, connection refused, unknown host, "not a tty"...:
    # there is no scanner port at that name.
    return ScannerErrorKind.NOT_FOUND


def _open(settings: SerialSettings, factory: SerialFactory) -> SerialPort:
    try:
        return factory(
            settings.port,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=settings.parity,
            stopbits=settings.stopbits,
            timeout=settings.read_timeout,
            # Without a lock two programs on Linux would silently share the
            # port and steal each other's bytes; Windows is always exclusive.
            exclusive=True,
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise ScannerError(_open_error_kind(exc), str(exc)) from exc


def _pump(port: SerialPort, framer: _Framer, monotonic: Callable[[], float]) -> list[_Frame]:
    """One read (at most ``read_timeout`` long) and the frames it completes."""
    try:
        # All that is waiting, or wait for one byte: never wait for a count
        # that may not come, so a read returns as soon as data is there.
        data = port.read(max(1, port.in_waiting))
    except (serial.SerialException, OSError) as exc:
        raise ScannerError(ScannerErrorKind.GONE, str(exc)) from exc
    return framer.feed(data, monotonic()) if data else framer.tick(monotonic())


def _close(port: SerialPort) -> None:
    try:
        port.close()
    except (serial.SerialException, OSError):
        pass  # a vanished port may fail to close; there is nothing left to release


class SerialScannerReader:
    """Reads scans until cancelled; see the module docstring for what it reports."""

    def __init__(self, settings: SerialSettings, serial_factory: SerialFactory = serial.serial_for_url,
                 clock: Clock = _utc_now, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._factory = serial_factory
        self._clock = clock
        self._monotonic = monotonic

    def run(self, cancel: threading.Event, on_scan: Callable[[Scan], None],
            on_problem: Callable[[ScanProblem], None]) -> None:
        """Open the port, report scans and problems until ``cancel`` is set, close the port.

        Raises :class:`ScannerError` for a port that cannot be opened or that
        vanishes while reading.  A scan being received when cancel is set is dropped.
        """
        settings = self.settings
        port = _open(settings, self._factory)
        try:
            framer = _Framer(settings.terminator, settings.max_length, settings.idle_timeout)
            while not cancel.is_set():
                for frame in _pump(port, framer, self._monotonic):
                    result = _to_result(frame, settings.terminator, self._clock())
                    if isinstance(result, Scan):
                        on_scan(result)
                    else:
                        on_problem(result)
        finally:
            _close(port)


# ------------------------------------------------------------- baud detection

def detect_baud(port: str, *, rates: Sequence[int] = DEFAULT_DETECT_RATES, listen_seconds: float = 1.5,
                cancel: threading.Event | None = None, serial_factory: SerialFactory = serial.serial_for_url,
                progress: Callable[[float, str], None] | None = None,
                monotonic: Callable[[], float] = time.monotonic) -> int | None:
    """The baud rate at which the scanner on ``port`` sends clean text, or None.

    The user must keep scanning a test code, again and again, for the whole
    detection (up to ``len(rates) * listen_seconds``): each rate is tried in
    turn (8 data bits, no parity, 1 stop bit, as nearly all scanners ship)
    and a silent rate proves nothing.  A rate wins as soon as it yields a
    terminated line of text with no garbage before it; a rate that yields
    both wins only if its clean lines outnumber the bad ones.  ``progress``
    gets (fraction done, the rate being tried).  Fatal port errors raise
    :class:`ScannerError` (another rate would not help).
    """
    cancel = cancel or threading.Event()
    for index, rate in enumerate(rates):
        if cancel.is_set():
            return None
        if progress is not None:
            progress(index / len(rates), str(rate))
        if _clean_at(SerialSettings(port, baudrate=rate), listen_seconds, cancel, serial_factory, monotonic):
            return rate
    return None


def _clean_at(settings: SerialSettings, listen_seconds: float, cancel: threading.Event,
              factory: SerialFactory, monotonic: Callable[[], float]) -> bool:
    port = _open(settings, factory)
    good = bad = 0
    try:
        framer = _Framer(settings.terminator, settings.max_length, settings.idle_timeout)
        deadline = monotonic() + listen_seconds
        while not cancel.is_set() and monotonic() < deadline:
            for frame in _pump(port, framer, monotonic):
                if isinstance(_to_result(frame, settings.terminator, _utc_now()), Scan):
                    good += 1
                else:
                    bad += 1
            if good and not bad:
                return True
    finally:
        _close(port)
    return good > bad
