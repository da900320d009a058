"""Transports through real I/O: TCP on loopback, a pseudo-terminal, loop://, files, a stand-in ``lp``."""

from __future__ import annotations

import os
import socket
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from app.devices.labels import TransportError, TransportErrorKind, query, send
from app.devices.labels.transports import CupsSpooler, default_spooler, parse_target

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX ptys and shell scripts")


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    return port


# ------------------------------------------------------------------ TCP

def test_tcp_job_arrives_whole(printer) -> None:
    data = b"^XA^FO10,10^A0N,20,20^FDx^FS^XZ" * 2000
    send(data, printer.target)
    assert printer.wait_for_jobs() == [data]


def test_tcp_default_port_is_9100() -> None:
    assert parse_target("tcp://192.168.1.50").port == 9100
    assert parse_target("tcp://[::1]:6101").host == "::1"


def test_closed_port_is_refused() -> None:
    with pytest.raises(TransportError) as error:
        send(b"^XA^XZ", f"tcp://127.0.0.1:{closed_port()}", timeout=2)
    assert error.value.kind in (TransportErrorKind.REFUSED, TransportErrorKind.NOT_REACHABLE)


def test_printer_that_stops_reading_times_out_within_the_limit() -> None:
    # A listener that accepts (in the kernel) but never reads: a paused printer.
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    target = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        send(b"^XA^XZ", target, timeout=0.5)  # a small job fits the socket buffers: success
        started = time.monotonic()
        with pytest.raises(TransportError) as error:
            send(b"\0" * (64 << 20), target, timeout=0.3)
        assert error.value.kind is TransportErrorKind.TIMEOUT
        assert time.monotonic() - started < 3
    finally:
        server.close()


def test_tcp_query_collects_the_reply_until_complete(printer_factory) -> None:
    fake = printer_factory(lambda got: b"\x02one\x03\r\n\x02two\x03\r\n\x02three\x03\r\n" if b"~HS" in got else None)
    reply = query(fake.target, b"~HS", 2, until=lambda data: data.count(b"\x03") >= 3)
    assert reply.count(b"\x03") == 3
    assert fake.wait_for_jobs() == [b"~HS"]


def test_tcp_query_without_answer_times_out(printer) -> None:
    started = time.monotonic()
    with pytest.raises(TransportError) as error:
        query(printer.target, b"~HS", 0.3, until=lambda data: False)
    assert error.value.kind is TransportErrorKind.TIMEOUT
    assert time.monotonic() - started < 2


# ------------------------------------------------------------------ bad targets

@pytest.mark.parametrize("target", [
    "", "192.168.1.50", "http://printer/", "tcp://", "tcp://host:port", "tcp://host:99999", "tcp://host/x",
    "serial://", "serial:///dev/ttyUSB0?speed=9600", "serial:///dev/ttyUSB0?baud=fast", "spooler://",
    "file://", "file://server/share/x.prn", "lpt://1",
])
def test_bad_targets(target: str) -> None:
    with pytest.raises(TransportError) as error:
        send(b"x", target)
    assert error.value.kind is TransportErrorKind.BAD_TARGET


def test_status_query_needs_a_two_way_target(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as error:
        query(f"file://{tmp_path}/x", b"~HS", 1)
    assert error.value.kind is TransportErrorKind.BAD_TARGET


# ------------------------------------------------------------------ serial

def test_serial_loop_url() -> None:
    send(b"SIZE 75 mm,10 mm\r\nPRINT 1\r\n", "loop://")
    assert query("loop://", b"~HS", 1, until=lambda data: data.endswith(b"~HS")) == b"~HS"


@posix_only
def test_serial_device_through_a_pty() -> None:
    import pty
    import tty

    master, slave = pty.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    try:
        data = b"^Q10,2\r\n^W75\r\n^L\r\nE\r\n" * 50
        send(data, f"serial://{path}?baud=9600")
        received = b""
        while len(received) < len(data):
            received += os.read(master, 4096)
        assert received == data

        def printer_side() -> None:
            got = b""
            while b"~S,STATUS\r\n" not in got:
                got += os.read(master, 64)
            os.write(master, b"04,00000\r\n")

        answering = threading.Thread(target=printer_side, daemon=True)
        answering.start()
        reply = query(f"serial://{path}?baud=9600&parity=N&stopbits=1", b"~S,STATUS\r\n", 2,
                      until=lambda got: got.endswith(b"\r\n"))
        answering.join(2)
        assert reply == b"04,00000\r\n"
    finally:
        os.close(master)
        os.close(slave)


def test_missing_serial_device_is_not_found() -> None:
    with pytest.raises(TransportError) as error:
        send(b"x", "serial:///dev/ttyPMV-does-not-exist?baud=9600", timeout=1)
    assert error.value.kind is TransportErrorKind.NOT_FOUND


# ------------------------------------------------------------------ file

def test_file_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "tag.prn"
    target.write_bytes(b"old job")
    before = target.stat().st_ino
    send(b"^XA new ^XZ", f"file://{target}")
    assert target.read_bytes() == b"^XA new ^XZ"
    assert target.stat().st_ino != before  # replaced by rename, never rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tag.prn"]  # no temp file left


def test_file_into_a_folder_that_is_missing_or_a_folder(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as error:
        send(b"x", f"file://{tmp_path}/missing/tag.prn")
    assert error.value.kind is TransportErrorKind.NOT_FOUND
    (tmp_path / "is_a_dir").mkdir()
    (tmp_path / "is_a_dir" / "keep").write_text("k")
    with pytest.raises(TransportError) as error:
        send(b"x", f"file://{tmp_path}/is_a_dir")
    assert error.value.kind is TransportErrorKind.BAD_TARGET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["is_a_dir"]


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_file_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(TransportError) as error:
            send(b"x", f"file://{tmp_path}/tag.prn")
        assert error.value.kind is TransportErrorKind.REFUSED
    finally:
        tmp_path.chmod(stat.S_IRWXU)


# ------------------------------------------------------------------ spooler

def fake_lp(tmp_path: Path, body: str) -> str:
    script = tmp_path / "lp"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


@posix_only
def test_spooler_hands_raw_bytes_to_lp(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, f'echo "$@" > {tmp_path}/args\ncat > {tmp_path}/data\necho "request id is Z-1"\n')
    send(b"\x1b!?SIZE", "spooler://Godex%20G500", spooler=CupsSpooler(lp))
    assert (tmp_path / "data").read_bytes() == b"\x1b!?SIZE"
    assert (tmp_path / "args").read_text().split()[:4] == ["-d", "Godex", "G500", "-o"]
    assert "raw" in (tmp_path / "args").read_text().split()


@posix_only
@pytest.mark.parametrize("message, kind", [
    ("lp: The printer or class does not exist.", TransportErrorKind.NOT_FOUND),
    ('lp: Destination "Zebra" is not accepting jobs.', TransportErrorKind.REFUSED),
    ("lp: Unable to connect to server", TransportErrorKind.NOT_REACHABLE),
])
def test_spooler_errors(tmp_path: Path, message: str, kind: TransportErrorKind) -> None:
    lp = fake_lp(tmp_path, f"cat > /dev/null\necho '{message}' >&2\nexit 1\n")
    with pytest.raises(TransportError) as error:
        send(b"x", "spooler://Zebra", spooler=CupsSpooler(lp))
    assert error.value.kind is kind


@posix_only
def test_spooler_timeout_and_missing_lp(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, "exec sleep 5\n")
    with pytest.raises(TransportError) as error:
        send(b"x", "spooler://Zebra", timeout=0.3, spooler=CupsSpooler(lp))
    assert error.value.kind is TransportErrorKind.TIMEOUT
    with pytest.raises(TransportError) as error:
        send(b"x", "spooler://Zebra", spooler=CupsSpooler(str(tmp_path / "no-lp")))
    assert error.value.kind is TransportErrorKind.NOT_FOUND


@pytest.mark.skipif(sys.platform == "win32", reason="Linux picks CUPS")
def test_default_spooler_off_windows_is_cups() -> None:
    assert isinstance(default_spooler(), CupsSpooler)


def test_a_long_job_is_given_the_time_its_line_needs() -> None:
    from app.devices.labels import transfer_seconds

    # 300 KB (a 1,000-tag run): at 9600 baud ~312 s on the line, 115200 baud ~26 s; each with 1.5x and 10 s spare.
    assert transfer_seconds(300_000, "serial://COM3?baud=9600") == pytest.approx(10 + 312.5 * 1.5)
    assert transfer_seconds(300_000, "serial://COM3?baud=115200") == pytest.approx(10 + 300_000 * 10 / 115200 * 1.5)
    assert transfer_seconds(300_000, "tcp://192.168.1.50:9100") == transfer_seconds(300_000, "serial://COM3")
    assert transfer_seconds(300, "tcp://192.168.1.50:9100") == pytest.approx(10.47, abs=0.01)


def test_the_write_time_of_a_long_job_is_bounded_apart_from_reaching_the_printer() -> None:
    # A real listener that, like a printer busy printing, takes nothing in for a while and then reads it all.
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    received: list[int] = []

    def printer() -> None:
        for _ in range(2):
            conn, _ = server.accept()
            with conn:
                time.sleep(1.0)
                total = 0
                try:
                    while chunk := conn.recv(1 << 20):
                        total += len(chunk)
                except OSError:
                    pass
                received.append(total)

    threading.Thread(target=printer, daemon=True).start()
    job, target = b"^XA^XZ" * 3_000_000, f"tcp://127.0.0.1:{server.getsockname()[1]}"  # 18 MB: more than any buffer
    with pytest.raises(TransportError) as failed:
        send(job, target, timeout=0.3)  # one bound for both: the stalled printer is given up on
    assert failed.value.kind is TransportErrorKind.TIMEOUT
    send(job, target, timeout=0.3, write_timeout=30)
    deadline = time.monotonic() + 10
    while len(received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert received[1] == len(job)
    server.close()
