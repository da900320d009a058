"""Getting bytes to a label printer, and status replies back.

Targets are URLs, so one settings string says where the printer is:
  ``tcp://192.168.1.50:9100``         raw socket (JetDirect); port 9100 by default
  ``serial:///dev/ttyUSB0?baud=9600``  (``serial://COM3?baud=9600`` on Windows),
                                      or any pyserial URL (``loop://``, ``socket://``, ``rfc2217://``)
  ``spooler://Godex G500``            the OS print queue, bytes passed through raw
  ``file:///path/job.prn``            written atomically, to send later

Every failure is a :class:`TransportError` whose ``kind`` the UI turns into
words; ``detail`` is technical text for the log.
"""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit
from urllib.request import url2pathname

from pmv_protocol.atomic import write_atomically

DEFAULT_TCP_PORT = 9100
PYSERIAL_SCHEMES = frozenset({"loop", "socket", "rfc2217", "spy", "alt", "hwgrep", "cp2110"})
_SERIAL_OPTIONS = {"baud", "bytesize", "parity", "stopbits", "rtscts", "xonxoff"}


class TransportErrorKind(StrEnum):
    NOT_REACHABLE = "not_reachable"  # nothing answers: off, unplugged, wrong address
    TIMEOUT = "timeout"  # connected, but it stopped taking data / never replied
    REFUSED = "refused"  # something answered and said no (port closed, busy, denied)
    NOT_FOUND = "not_found"  # no such host, device, queue or folder
    BAD_TARGET = "bad_target"  # the target string itself is wrong


class TransportError(Exception):
    def __init__(self, kind: TransportErrorKind, detail: str) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail


def _bad(detail: str) -> TransportError:
    return TransportError(TransportErrorKind.BAD_TARGET, detail)


@dataclass(frozen=True)
class Target:
    scheme: str  # tcp, serial, spooler, file
    host: str = ""
    port: int = 0
    serial_url: str = ""  # what pyserial opens
    serial_options: tuple[tuple[str, Any], ...] = ()
    name: str = ""  # spooler queue
    path: Path | None = None


def parse_target(target: str) -> Target:
    if not isinstance(target, str) or "://" not in target:
        raise _bad(f"not a target URL: {target!r}")
    try:
        parts = urlsplit(target.strip())
        scheme = parts.scheme.lower()
        if scheme == "tcp":
            if not parts.hostname or parts.path not in ("", "/"):
                raise _bad(f"tcp target needs host[:port]: {target!r}")
            return Target("tcp", host=parts.hostname, port=parts.port or DEFAULT_TCP_PORT)
        if scheme == "serial":
            device = unquote(parts.netloc + parts.path)
            if not device:
                raise _bad(f"serial target needs a device: {target!r}")
            return Target("serial", serial_url=device, serial_options=_serial_options(parts.query))
        if scheme in PYSERIAL_SCHEMES:
            return Target("serial", serial_url=target.strip())
        if scheme == "spooler":
            name = unquote(parts.netloc + parts.path).strip("/")
            if not name:
                raise _bad(f"spooler target needs a queue name: {target!r}")
            return Target("spooler", name=name)
        if scheme == "file":
            if parts.netloc not in ("", "localhost") or parts.path in ("", "/"):
                raise _bad(f"file target needs an absolute path: {target!r}")
            return Target("file", path=Path(url2pathname(parts.path)))
    except ValueError as exc:  # a port that is not a number, out of range...
        raise _bad(f"{target!r}: {exc}") from None
    raise _bad(f"unknown scheme {parts.scheme!r} (tcp, serial, spooler, file)")


def _serial_options(query: str) -> tuple[tuple[str, Any], ...]:
    options: dict[str, Any] = {"baudrate": 9600}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _SERIAL_OPTIONS:
            raise _bad(f"unknown serial option {key!r}")
        if key == "baud":
            options["baudrate"] = int(value)
        elif key == "bytesize":
            options["bytesize"] = int(value)
        elif key == "stopbits":
            options["stopbits"] = float(value) if value == "1.5" else int(value)
        elif key == "parity":
            options["parity"] = value.upper()[:1]
        else:
            options[key] = value.lower() in ("1", "true", "yes", "on")
    return tuple(sorted(options.items()))


# ------------------------------------------------------------------ spoolers

class Spooler(Protocol):
    """The OS print queue: the narrow interface the Windows and CUPS versions share."""

    def submit(self, printer: str, data: bytes, job_name: str, timeout: float) -> None: ...


class CupsSpooler:
    """``lp -d NAME -o raw``: CUPS hands the bytes to the printer untouched."""

    def __init__(self, lp: str = "lp") -> None:
        self.lp = lp

    def submit(self, printer: str, data: bytes, job_name: str, timeout: float) -> None:
        try:
            done = subprocess.run([self.lp, "-d", printer, "-o", "raw", "-t", job_name], input=data,
                                  capture_output=True, timeout=timeout, check=False)
        except FileNotFoundError:
            raise TransportError(TransportErrorKind.NOT_FOUND, f"{self.lp}: not installed (CUPS)") from None
        except subprocess.TimeoutExpired:
            raise TransportError(TransportErrorKind.TIMEOUT, f"{self.lp} did not finish in {timeout:g} s") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            lowered = message.lower()
            if "does not exist" in lowered or "unknown destination" in lowered or "not found" in lowered:
                kind = TransportErrorKind.NOT_FOUND
            elif "unable to connect" in lowered or "scheduler is not running" in lowered:
                kind = TransportErrorKind.NOT_REACHABLE
            else:
                kind = TransportErrorKind.REFUSED
            raise TransportError(kind, message or f"{self.lp} exited with {done.returncode}")


class WindowsSpooler:
    """The Windows spooler through pywin32, as a RAW document (the driver does not touch it)."""

    def submit(self, printer: str, data: bytes, job_name: str, timeout: float) -> None:
        import pywintypes
        import win32print

        try:
            handle = win32print.OpenPrinter(printer)
        except pywintypes.error as exc:
            kind = TransportErrorKind.NOT_FOUND if exc.winerror == 1801 else TransportErrorKind.REFUSED
            raise TransportError(kind, f"OpenPrinter({printer!r}): {exc.strerror}") from None
        try:
            win32print.StartDocPrinter(handle, 1, (job_name, None, "RAW"))
            try:
                win32print.StartPagePrinter(handle)
                win32print.WritePrinter(handle, data)
                win32print.EndPagePrinter(handle)
            finally:
                win32print.EndDocPrinter(handle)
        except pywintypes.error as exc:
            raise TransportError(TransportErrorKind.REFUSED, f"{printer!r}: {exc.strerror}") from None
        finally:
            win32print.ClosePrinter(handle)


class _NoSpooler:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def submit(self, printer: str, data: bytes, job_name: str, timeout: float) -> None:
        raise TransportError(TransportErrorKind.NOT_FOUND, self.reason)


def default_spooler() -> Spooler:
    """Chosen at run time: pywin32 on Windows, CUPS ``lp`` elsewhere."""
    if sys.platform == "win32":
        try:
            import win32print  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            return _NoSpooler("pywin32 is not installed: the Windows spooler cannot be reached")
        return WindowsSpooler()
    return CupsSpooler()


# ------------------------------------------------------------------ sending

def send(data: bytes, target: str, timeout: float = 5, *, spooler: Spooler | None = None,
         job_name: str = "PMV tag", write_timeout: float | None = None) -> None:
    """Deliver ``data`` to ``target`` whole, or raise :class:`TransportError`.

    ``timeout`` bounds reaching the printer; ``write_timeout`` (default: the
    same) bounds writing the job, which for a long run of tags on a serial
    line takes minutes (see :func:`transfer_seconds`).
    """
    parsed = parse_target(target)
    writing = timeout if write_timeout is None else write_timeout
    if parsed.scheme == "tcp":
        with _tcp_connect(parsed, timeout) as sock:
            sock.settimeout(writing)
            _tcp_call(sock.sendall, data)
            _tcp_call(sock.shutdown, socket.SHUT_WR)  # the printer sees the job end now
    elif parsed.scheme == "serial":
        with _serial_open(parsed, timeout, writing) as port:
            _serial_write(port, data)
    elif parsed.scheme == "spooler":
        (spooler or default_spooler()).submit(parsed.name, data, job_name, max(timeout, writing))
    else:
        assert parsed.path is not None
        _write_atomically(parsed.path, data)


def answers_status(target: str) -> bool:
    """Whether a status query can reach the printer at ``target``.

    TCP and serial links run both ways; a spooler queue or a file only takes
    jobs, so nothing can answer.  A malformed target counts as answering:
    the query itself then says what is wrong with it.
    """
    try:
        return parse_target(target).scheme in ("tcp", "serial")
    except TransportError:
        return True


def query(target: str, command: bytes, timeout: float = 2, *,
          until: Callable[[bytes], bool] | None = None) -> bytes:
    """Send ``command`` and collect the reply until ``until(reply)`` holds.

    Without ``until`` it reads until the printer closes the connection or
    ``timeout`` passes.  No reply, or one ``until`` never accepts, is a
    TIMEOUT: the printer is there but not answering this language.
    """
    parsed = parse_target(target)
    deadline = time.monotonic() + timeout
    reply = b""
    if parsed.scheme == "tcp":
        with _tcp_connect(parsed, timeout) as sock:
            _tcp_call(sock.sendall, command)
            while not (until and until(reply)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                sock.settimeout(remaining)
                try:
                    chunk = sock.recv(4096)
                except TimeoutError:
                    break
                except OSError as exc:
                    raise TransportError(TransportErrorKind.REFUSED, f"reading reply: {exc}") from None
                if not chunk:
                    break
                reply += chunk
    elif parsed.scheme == "serial":
        with _serial_open(parsed, timeout) as port:
            _serial_write(port, command)
            while not (until and until(reply)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                port.timeout = min(remaining, 0.1)
                reply += port.read(port.in_waiting or 1)
    else:  # see answers_status
        raise _bad(f"{parsed.scheme} targets cannot answer a status query")
    if not reply or (until and not until(reply)):
        raise TransportError(TransportErrorKind.TIMEOUT, f"no complete reply in {timeout:g} s "
                                                         f"({len(reply)} bytes: {reply[:40]!r})")
    return reply


def _tcp_connect(target: Target, timeout: float) -> socket.socket:
    where = f"{target.host}:{target.port}"
    try:
        return socket.create_connection((target.host, target.port), timeout=timeout)
    except socket.gaierror as exc:
        raise TransportError(TransportErrorKind.NOT_FOUND, f"{target.host}: {exc}") from None
    except ConnectionRefusedError:
        raise TransportError(TransportErrorKind.REFUSED, f"{where}: connection refused") from None
    except TimeoutError:
        raise TransportError(TransportErrorKind.NOT_REACHABLE, f"{where}: no answer in {timeout:g} s") from None
    except OSError as exc:
        raise TransportError(TransportErrorKind.NOT_REACHABLE, f"{where}: {exc}") from None


def _tcp_call(call: Callable[..., Any], *args: Any) -> None:
    try:
        call(*args)
    except TimeoutError:
        raise TransportError(TransportErrorKind.TIMEOUT, "the printer stopped taking data "
                                                         "(paused, out of paper or busy?)") from None
    except (ConnectionResetError, BrokenPipeError) as exc:
        raise TransportError(TransportErrorKind.REFUSED, f"the printer dropped the connection: {exc}") from None
    except OSError as exc:
        raise TransportError(TransportErrorKind.NOT_REACHABLE, str(exc)) from None


def transfer_seconds(size: int, target: str) -> float:
    """A generous bound on writing ``size`` bytes to ``target``: a serial line's own speed, a slow printer otherwise.

    10 bits a byte on the line, half as long again for flow control, plus
    10 s; network and spooled printers are bounded as a 9600-baud line would
    be, since a printer busy printing takes data in as it frees its buffer.
    """
    parsed = parse_target(target)
    baud = int(dict(parsed.serial_options).get("baudrate", 9600)) if parsed.scheme == "serial" else 9600
    return 10 + size * 10 / baud * 1.5


def _serial_open(target: Target, timeout: float, write_timeout: float | None = None) -> Any:
    import serial

    try:
        return serial.serial_for_url(target.serial_url, timeout=timeout,
                                     write_timeout=timeout if write_timeout is None else write_timeout,
                                     **dict(target.serial_options))
    except ValueError as exc:
        raise _bad(f"{target.serial_url}: {exc}") from None
    except serial.SerialException as exc:
        code = exc.errno
        text = str(exc)
        if code == errno.ENOENT or "No such file" in text or "FileNotFoundError" in text:
            kind = TransportErrorKind.NOT_FOUND
        elif code in (errno.EACCES, errno.EBUSY) or "denied" in text or "lock" in text or "refused" in text:
            kind = TransportErrorKind.REFUSED
        else:
            kind = TransportErrorKind.NOT_REACHABLE
        raise TransportError(kind, text) from None


def _serial_write(port: Any, data: bytes) -> None:
    import serial

    try:
        port.write(data)
        port.flush()
    except serial.SerialTimeoutException:
        raise TransportError(TransportErrorKind.TIMEOUT, "serial write timed out "
                                                         "(flow control holding, printer paused?)") from None
    except serial.SerialException as exc:
        raise TransportError(TransportErrorKind.NOT_REACHABLE, str(exc)) from None


def _write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename: a reader never sees half a job."""
    if not path.parent.is_dir():  # checked first: write_atomically would create it, and a typo is not a folder
        raise TransportError(TransportErrorKind.NOT_FOUND, f"no such folder: {path.parent}")
    try:
        write_atomically(path, data)
    except IsADirectoryError:
        raise _bad(f"{path} is a folder") from None
    except OSError as exc:
        raise TransportError(TransportErrorKind.REFUSED, f"{path}: {exc}") from None
