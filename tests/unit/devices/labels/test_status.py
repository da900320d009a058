"""Status replies as each manual documents them, and the status query over a real socket."""

from __future__ import annotations

import time

import pytest

from app.devices.labels import (
    PrinterFault,
    PrinterLanguage,
    StatusReplyError,
    TransportError,
    TransportErrorKind,
    calibrate_command,
    parse_status,
    read_status,
    status_command,
)
from app.devices.labels import test_pattern_command as pattern_command
from app.devices.labels.status import reply_complete


def hs_reply(*, paper_out: int = 0, pause: int = 0, formats: int = 0, buffer_full: int = 0, corrupt_ram: int = 0,
             under_temp: int = 0, over_temp: int = 0, head_up: int = 0, ribbon_out: int = 0,
             remaining: int = 0) -> bytes:
    """A ~HS answer laid out as the ZPL II Programming Guide shows it."""
    string1 = f"030,{paper_out},{pause},0080,{formats:03d},{buffer_full},0,0,000,{corrupt_ram},{under_temp},{over_temp}"
    string2 = f"000,0,{head_up},{ribbon_out},1,2,4,0,{remaining:08d},1,000"
    string3 = "1234,0"
    return b"".join(b"\x02" + s.encode() + b"\x03\r\n" for s in (string1, string2, string3))


# ------------------------------------------------------------------ ZPL

def test_zpl_ready() -> None:
    status = parse_status("zpl", hs_reply())
    assert status.ready and status.faults == () and not status.busy


@pytest.mark.parametrize("flags, fault", [
    ({"paper_out": 1}, PrinterFault.PAPER_OUT),
    ({"pause": 1}, PrinterFault.PAUSED),
    ({"head_up": 1}, PrinterFault.HEAD_OPEN),
    ({"ribbon_out": 1}, PrinterFault.RIBBON_OUT),
    ({"buffer_full": 1}, PrinterFault.BUFFER_FULL),
    ({"corrupt_ram": 1}, PrinterFault.OTHER),
    ({"over_temp": 1}, PrinterFault.OTHER),
])
def test_zpl_each_fault(flags: dict[str, int], fault: PrinterFault) -> None:
    status = parse_status(PrinterLanguage.ZPL, hs_reply(**flags))
    assert status.faults == (fault,)
    assert not status.ready


def test_zpl_several_faults_and_busy() -> None:
    status = parse_status("zpl", hs_reply(paper_out=1, pause=1, head_up=1, formats=2))
    assert set(status.faults) == {PrinterFault.PAPER_OUT, PrinterFault.PAUSED, PrinterFault.HEAD_OPEN}
    assert status.busy
    assert parse_status("zpl", hs_reply(remaining=3)).busy


def test_zpl_reply_without_framing_is_read_by_lines() -> None:
    plain = hs_reply(head_up=1).replace(b"\x02", b"").replace(b"\x03", b"")
    assert parse_status("zpl", plain).faults == (PrinterFault.HEAD_OPEN,)


@pytest.mark.parametrize("reply", [b"", b"\x02030,0,0\x03\r\n", hs_reply().replace(b"030,0,0,", b"030,X,0,"),
                                   b"\x02only one string,1,2,3,4,5,6,7,8,9,10,11\x03"])
def test_zpl_garbage_is_an_error_not_ready(reply: bytes) -> None:
    with pytest.raises(StatusReplyError):
        parse_status("zpl", reply)


# ------------------------------------------------------------------ TSPL

@pytest.mark.parametrize("byte, faults", [
    (0x00, ()),
    (0x01, (PrinterFault.HEAD_OPEN,)),
    (0x02, (PrinterFault.PAPER_JAM,)),
    (0x04, (PrinterFault.PAPER_OUT,)),
    (0x08, (PrinterFault.RIBBON_OUT,)),
    (0x10, (PrinterFault.PAUSED,)),
    (0x05, (PrinterFault.HEAD_OPEN, PrinterFault.PAPER_OUT)),
    (0x0C, (PrinterFault.PAPER_OUT, PrinterFault.RIBBON_OUT)),
    (0x80, (PrinterFault.OTHER,)),
])
def test_tspl_status_byte(byte: int, faults: tuple[PrinterFault, ...]) -> None:
    status = parse_status("tspl", bytes([byte]))
    assert status.faults == faults
    assert status.ready is (faults == ())


def test_tspl_printing_is_busy_not_a_fault() -> None:
    status = parse_status("tspl", b"\x20")
    assert status.ready and status.busy
    with pytest.raises(StatusReplyError):
        parse_status("tspl", b"")


# ------------------------------------------------------------------ EZPL

@pytest.mark.parametrize("reply, faults, busy", [
    (b"00,00000\r\n", (), False),
    (b"01,00000\r\n", (PrinterFault.PAPER_OUT,), False),
    (b"02,00000\r\n", (PrinterFault.PAPER_OUT,), False),
    (b"03,00000\r\n", (PrinterFault.RIBBON_OUT,), False),
    (b"04,00000\r\n", (PrinterFault.HEAD_OPEN,), False),
    (b"05,00000\r\n", (PrinterFault.OTHER,), False),
    (b"06,00000\r\n", (PrinterFault.OTHER,), False),
    (b"20,00001\r\n", (PrinterFault.PAUSED,), False),
    (b"50,00012\r\n", (), True),
    (b"60\r\n", (), True),
    (b"33,00000\r\n", (PrinterFault.OTHER,), False),  # a code the manual does not list
])
def test_ezpl_status_codes(reply: bytes, faults: tuple[PrinterFault, ...], busy: bool) -> None:
    status = parse_status("ezpl", reply)
    assert (status.faults, status.busy, status.ready) == (faults, busy, faults == ())


@pytest.mark.parametrize("reply", [b"", b"OK\r\n", b"4\r\n", b"04,abc\r\n"])
def test_ezpl_garbage(reply: bytes) -> None:
    with pytest.raises(StatusReplyError):
        parse_status("ezpl", reply)


# ------------------------------------------------------------------ commands and queries

def test_commands_per_language() -> None:
    assert status_command("zpl") == b"~HS"
    assert status_command("tspl") == b"\x1b!?"
    assert status_command("ezpl").endswith(b"~S,STATUS\r\n")
    assert [calibrate_command(lang) for lang in ("zpl", "tspl", "ezpl")] == [b"~JC", b"GAPDETECT\r\n",
                                                                             b"~S,SENSOR\r\n"]
    assert [pattern_command(lang) for lang in ("zpl", "tspl", "ezpl")] == [b"~WC", b"SELFTEST\r\n", b"~V\r\n"]
    with pytest.raises(ValueError):
        status_command("escpos")


def test_reply_complete() -> None:
    assert not reply_complete("zpl", hs_reply()[:-10]) and reply_complete("zpl", hs_reply())
    # Without STX/ETX: complete at the third line end (each ~HS string ends in CR LF, ZPL II Programming Guide).
    plain = hs_reply().replace(b"\x02", b"").replace(b"\x03", b"")
    assert not reply_complete("zpl", plain[:-2]) and reply_complete("zpl", plain)
    assert not reply_complete("zpl", hs_reply()[:-6])  # framed: the CR LF after the second ETX is no third line
    assert not reply_complete("ezpl", b"04") and reply_complete("ezpl", b"04,00000\r\n")
    assert reply_complete("tspl", b"\x00")


@pytest.mark.parametrize("language, command, reply, fault", [
    ("zpl", b"~HS", hs_reply(head_up=1), PrinterFault.HEAD_OPEN),
    ("tspl", b"\x1b!?", b"\x04", PrinterFault.PAPER_OUT),
    ("ezpl", b"~S,STATUS\r\n", b"03,00000\r\n", PrinterFault.RIBBON_OUT),
])
def test_read_status_over_tcp(printer_factory, language: str, command: bytes, reply: bytes,
                              fault: PrinterFault) -> None:
    # The reply is sent in two pieces, as a slow printer would: the query must wait for the rest.
    def answer(got: bytes) -> list[bytes] | None:
        return [reply[:len(reply) // 2], reply[len(reply) // 2:]] if command in got else None

    fake = printer_factory(answer)
    status = read_status(fake.target, language, timeout=2)
    assert status.faults == (fault,)
    assert fake.wait_for_jobs() == [status_command(language)]


def test_read_status_over_tcp_of_a_reply_without_stx_etx(printer_factory) -> None:
    # Some ZPL emulations answer ~HS with the three strings and their CR LF but no STX/ETX around them (the ZPL II
    # Programming Guide frames each string <STX>...<ETX><CR><LF>): parse_status reads that by lines, and the query
    # waited for three ETX that never came, so it always timed out.
    plain = hs_reply(paper_out=1).replace(b"\x02", b"").replace(b"\x03", b"")
    fake = printer_factory(lambda got: [plain[:40], plain[40:]] if b"~HS" in got else None)
    started = time.monotonic()
    status = read_status(fake.target, "zpl", timeout=2)
    assert status.faults == (PrinterFault.PAPER_OUT,)
    assert time.monotonic() - started < 1.5  # answered, not timed out


def test_read_status_from_a_printer_that_does_not_answer(printer) -> None:
    with pytest.raises(TransportError) as error:
        read_status(printer.target, "zpl", timeout=0.3)
    assert error.value.kind is TransportErrorKind.TIMEOUT
