"""Printer status, calibration and self-test, per language.

Status replies are parsed into :class:`PrinterStatus`; the fault codes are
data, the UI words them.  A reply we cannot read raises
:class:`StatusReplyError` rather than guessing "ready".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.transports import query


class PrinterFault(StrEnum):
    PAPER_OUT = "paper_out"
    PAPER_JAM = "paper_jam"
    HEAD_OPEN = "head_open"
    RIBBON_OUT = "ribbon_out"
    PAUSED = "paused"
    BUFFER_FULL = "buffer_full"
    OTHER = "other"


class StatusReplyError(ValueError):
    """The bytes are not a status reply of the expected language."""


@dataclass(frozen=True)
class PrinterStatus:
    faults: tuple[PrinterFault, ...] = ()
    busy: bool = False  # printing or holding formats: fine, the job will queue
    detail: str = ""  # the raw reply, for the log

    @property
    def ready(self) -> bool:
        return not self.faults


def _status(faults: list[PrinterFault], busy: bool, detail: str) -> PrinterStatus:
    return PrinterStatus(tuple(dict.fromkeys(faults)), busy, detail)


# ------------------------------------------------------------------ ZPL ~HS

def parse_zpl_status(reply: bytes | str) -> PrinterStatus:
    """Parse the three strings ``~HS`` returns.

    Field order from the Zebra "ZPL II Programming Guide", ~HS (Host Status
    Return), each string framed <STX> ... <ETX><CR><LF>:
      1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l   b paper out, c pause, dddd label
         length, eee formats in receive buffer, f buffer full, g comms
         diagnostic mode, h partial format, iii unused, j corrupt RAM,
         k under temperature, l over temperature
      2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www   o head up, p ribbon out,
         q thermal transfer mode, r print mode, s print width mode,
         t label waiting, uuuuuuuu labels remaining in batch, ...
      3: xxxx,y                             password, static RAM installed
    """
    text = reply.decode("latin-1") if isinstance(reply, bytes) else reply
    strings = re.findall(r"\x02([^\x02\x03]*)\x03", text)
    if not strings:  # some emulations and terminal captures drop STX/ETX
        strings = [line.strip() for line in text.splitlines() if line.strip()]
    if len(strings) < 2:
        raise StatusReplyError(f"~HS reply has {len(strings)} of 3 strings: {text[:80]!r}")
    first, second = strings[0].split(","), strings[1].split(",")
    if len(first) < 12 or len(second) < 11:
        raise StatusReplyError(f"~HS reply is short ({len(first)}/12, {len(second)}/11 fields): {text[:80]!r}")

    def flag(fields: list[str], index: int) -> bool:
        value = fields[index].strip()
        if value not in ("0", "1"):
            raise StatusReplyError(f"~HS flag {index} is {value!r}, not 0/1")
        return value == "1"

    faults: list[PrinterFault] = []
    if flag(first, 1):
        faults.append(PrinterFault.PAPER_OUT)
    if flag(second, 2):
        faults.append(PrinterFault.HEAD_OPEN)
    if flag(second, 3):
        faults.append(PrinterFault.RIBBON_OUT)
    if flag(first, 2):
        faults.append(PrinterFault.PAUSED)
    if flag(first, 5):
        faults.append(PrinterFault.BUFFER_FULL)
    if flag(first, 9) or flag(first, 10) or flag(first, 11):  # corrupt RAM, under/over temperature
        faults.append(PrinterFault.OTHER)
    try:
        busy = int(first[4]) > 0 or int(second[8]) > 0
    except ValueError:
        raise StatusReplyError(f"~HS counters are not numbers: {text[:80]!r}") from None
    return _status(faults, busy, text)


# ------------------------------------------------------------------ TSPL <ESC>!?

# TSC TSPL/TSPL2 Programming Manual, "<ESC>!?": one status byte, bit flags.
_TSPL_BITS = (
    (0x01, PrinterFault.HEAD_OPEN),
    (0x02, PrinterFault.PAPER_JAM),
    (0x04, PrinterFault.PAPER_OUT),
    (0x08, PrinterFault.RIBBON_OUT),
    (0x10, PrinterFault.PAUSED),
    (0x40, PrinterFault.OTHER),  # cover open (option) on newer models
    (0x80, PrinterFault.OTHER),  # "other error" / temperature out of range
)
TSPL_PRINTING = 0x20


def parse_tspl_status(reply: bytes) -> PrinterStatus:
    if len(reply) < 1:
        raise StatusReplyError("empty <ESC>!? reply")
    byte = reply[0]
    faults = [fault for bit, fault in _TSPL_BITS if byte & bit]
    return _status(faults, bool(byte & TSPL_PRINTING), f"0x{byte:02X}")


# ------------------------------------------------------------------ EZPL ~S,STATUS

# Godex EZPL manual, ~S,STATUS / ~S,CHECK: "aa[,nnnnn]", aa the status code.
_EZPL_CODES: dict[int, tuple[PrinterFault, ...]] = {
    0: (),
    1: (PrinterFault.PAPER_OUT,),  # "media empty or media jam": the sensor cannot tell which
    2: (PrinterFault.PAPER_OUT,),
    3: (PrinterFault.RIBBON_OUT,),
    4: (PrinterFault.HEAD_OPEN,),  # print head up (door open)
    5: (PrinterFault.OTHER,),  # rewinder full
    6: (PrinterFault.OTHER,),  # file system full
    7: (PrinterFault.OTHER,),  # file name not found
    8: (PrinterFault.OTHER,),  # duplicate name
    9: (PrinterFault.OTHER,),  # syntax error
    10: (PrinterFault.PAPER_JAM,),  # cutter jam
    11: (PrinterFault.OTHER,),  # extended memory not found
    20: (PrinterFault.PAUSED,),
    21: (PrinterFault.OTHER,),  # in setting mode
    22: (PrinterFault.OTHER,),  # in keyboard mode
    50: (),  # printing
    60: (),  # data in process
}


def parse_ezpl_status(reply: bytes | str) -> PrinterStatus:
    text = reply.decode("latin-1") if isinstance(reply, bytes) else reply
    match = re.match(r"\s*\x02?\s*(\d{2})(?:,(\d+))?\s*\x03?\s*$", text)
    if not match:
        raise StatusReplyError(f"not an EZPL status reply: {text[:40]!r}")
    code = int(match.group(1))
    faults = _EZPL_CODES.get(code, (PrinterFault.OTHER,))
    return _status(list(faults), code in (50, 60), text.strip())


# ------------------------------------------------------------------ per language

_STATUS_COMMANDS = {
    PrinterLanguage.ZPL: b"~HS",
    PrinterLanguage.TSPL: b"\x1b!?",
    # Godex printers answer ~S,STATUS only with immediate responses on.
    PrinterLanguage.EZPL: b"^XSET,IMMEDIATE,1\r\n~S,STATUS\r\n",
}
_CALIBRATE = {PrinterLanguage.ZPL: b"~JC", PrinterLanguage.TSPL: b"GAPDETECT\r\n",
              PrinterLanguage.EZPL: b"~S,SENSOR\r\n"}
_TEST_PATTERN = {PrinterLanguage.ZPL: b"~WC", PrinterLanguage.TSPL: b"SELFTEST\r\n",
                 PrinterLanguage.EZPL: b"~V\r\n"}


def status_command(language: PrinterLanguage | str) -> bytes:
    return _STATUS_COMMANDS[PrinterLanguage.parse(language)]


def calibrate_command(language: PrinterLanguage | str) -> bytes:
    """Make the printer measure the label and gap with its media sensor."""
    return _CALIBRATE[PrinterLanguage.parse(language)]


def test_pattern_command(language: PrinterLanguage | str) -> bytes:
    """The printer's own configuration / self-test label."""
    return _TEST_PATTERN[PrinterLanguage.parse(language)]


test_pattern_command.__test__ = False  # type: ignore[attr-defined]  # a name pytest would collect


# One line of a reply, ended by CR, LF or CR LF.
_REPLY_LINE = re.compile(rb"[^\r\n]+(?:\r\n?|\n)")


def reply_complete(language: PrinterLanguage | str, reply: bytes) -> bool:
    lang = PrinterLanguage.parse(language)
    if lang is PrinterLanguage.ZPL:
        # ~HS answers three strings, each <STX>...<ETX><CR><LF> (ZPL II Programming Guide); emulations that drop
        # STX/ETX still end each string with CR LF, which parse_zpl_status reads by lines.
        return reply.count(b"\x03") >= 3 or len(_REPLY_LINE.findall(reply)) >= 3
    if lang is PrinterLanguage.TSPL:
        return len(reply) >= 1
    return bool(re.search(rb"\d{2}[^\r\n]*[\r\n]", reply))


def parse_status(language: PrinterLanguage | str, reply: bytes) -> PrinterStatus:
    lang = PrinterLanguage.parse(language)
    if lang is PrinterLanguage.ZPL:
        return parse_zpl_status(reply)
    if lang is PrinterLanguage.TSPL:
        return parse_tspl_status(reply)
    return parse_ezpl_status(reply)


def read_status(target: str, language: PrinterLanguage | str, timeout: float = 2, *,
                ask: Callable[..., bytes] = query) -> PrinterStatus:
    """Ask the printer at ``target`` (TCP or serial) and parse its answer."""
    lang = PrinterLanguage.parse(language)
    reply = ask(target, status_command(lang), timeout, until=lambda data: reply_complete(lang, data))
    return parse_status(lang, reply)
