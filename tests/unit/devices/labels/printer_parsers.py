"""Tiny, independent readers of ZPL, TSPL and EZPL jobs, for the tests.

They know nothing of the code under test: they re-derive positions, sizes
and the Code 128 symbol width from the printer manuals and ISO/IEC 15417,
and reject any command they do not recognise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache


def dots(mm: float, dpi: int) -> int:
    return int(mm * dpi / 25.4 + 0.5)


def code128_modules(text: str) -> int:
    """Width in modules of the shortest Code 128 (sets B/C) symbol for ``text``: a brute-force reference."""
    n = len(text)

    @cache
    def best(i: int, code_set: str, just_switched: bool) -> float:
        if i == n:
            return 0
        options = []
        if code_set == "B":
            options.append(1 + best(i + 1, "B", False))
        elif text[i:i + 2].isdigit() and len(text[i:i + 2]) == 2:
            options.append(1 + best(i + 2, "C", False))
        if not just_switched:
            options.append(1 + best(i, "C" if code_set == "B" else "B", True))
        return min(options) if options else float("inf")

    data_symbols = min(best(0, "B", True), best(0, "C", True))
    return int((1 + data_symbols + 1) * 11 + 13)  # start + data + check, then the 13-module stop


@dataclass
class Field:
    x: int
    y: int
    kind: str  # "text" or "barcode"
    data: str
    height: int = 0
    module: int = 0
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Job:
    width: int  # dots
    height: int  # dots
    fields: list[Field]

    @property
    def barcodes(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "barcode"]

    @property
    def texts(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "text"]


class Invalid(AssertionError):
    pass


def _check_inside(job: Job) -> None:
    for f in job.fields:
        if not (0 <= f.x < job.width and 0 <= f.y < job.height):
            raise Invalid(f"field at {f.x},{f.y} outside {job.width}x{job.height}: {f.data!r}")
        if f.kind == "barcode":
            right = f.x + code128_modules(f.data) * f.module
            if right > job.width or f.y + f.height > job.height:
                raise Invalid(f"barcode {f.data!r} runs to {right},{f.y + f.height} of {job.width}x{job.height}")


# ------------------------------------------------------------------ ZPL

_ZPL_KNOWN = {"XA", "CI", "PW", "LL", "LH", "FO", "FH", "FD", "FS", "BY", "BC", "PQ", "XZ"}


def parse_zpl(data: bytes) -> Job:
    text = data.decode("utf-8").strip()
    if not (text.startswith("^XA") and text.endswith("^XZ")):
        raise Invalid("a ZPL label starts with ^XA and ends with ^XZ")
    tokens = re.findall(r"[\^~][^\^~]*", text)
    width = height = None
    utf8 = False
    origin: tuple[int, int] | None = None
    module = 0
    pending: dict[str, str] = {}
    fields: list[Field] = []
    for token in tokens:
        token = token.rstrip("\r\n")
        if token.startswith("^A"):  # ^A<font><orientation>,h,w[,name]
            font, args = token[2], token[3:]
            parts = args.split(",")
            if font not in "0@" or parts[0] != "N":
                raise Invalid(f"unexpected font command {token!r}")
            pending.update(kind="text", height=parts[1])
            continue
        command, args = token[1:3], token[3:]
        if command not in _ZPL_KNOWN:
            raise Invalid(f"unknown ZPL command {token!r}")
        if command == "CI":
            utf8 = args == "28"
        elif command == "PW":
            width = int(args)
        elif command == "LL":
            height = int(args)
        elif command == "FO":
            x, y = args.split(",")
            origin = (int(x), int(y))
        elif command == "FH":
            pending["hex"] = args or "_"
        elif command == "BY":
            module = int(args.split(",")[0])
        elif command == "BC":
            orientation, bar_height, line, above, check, mode = args.split(",")
            if (orientation, line, above, check, mode) != ("N", "N", "N", "N", "A"):
                raise Invalid(f"unexpected ^BC options {args!r}")
            pending.update(kind="barcode", height=bar_height)
        elif command == "FD":
            value = args
            if "hex" in pending:
                mark = re.escape(pending["hex"])
                value = re.sub(mark + r"([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)
            pending["data"] = value
        elif command == "FS":
            if origin is None or "data" not in pending or "kind" not in pending:
                raise Invalid("^FS closes a field without ^FO, a font/barcode and ^FD")
            fields.append(Field(origin[0], origin[1], pending["kind"], pending["data"],
                                int(pending["height"]), module if pending["kind"] == "barcode" else 0))
            origin, pending = None, {}
    if width is None or height is None:
        raise Invalid("^PW and ^LL are required")
    if not utf8:
        raise Invalid("^CI28 (UTF-8) is required for Vietnamese text")
    job = Job(width, height, fields)
    _check_inside(job)
    return job


# ------------------------------------------------------------------ TSPL

_TSPL_SIZE = re.compile(r"SIZE ([\d.]+) mm,([\d.]+) mm")
_TSPL_GAP = re.compile(r"GAP ([\d.]+) mm,([\d.]+) mm")
_TSPL_TEXT = re.compile(r'TEXT (\d+),(\d+),"([^"]+)",0,(\d+),(\d+),"((?:[^"\\]|\\\["\])*)"')
_TSPL_BARCODE = re.compile(r'BARCODE (\d+),(\d+),"128",(\d+),([01]),0,(\d+),(\d+),"([^"]*)"')
_TSPL_PLAIN = {"DIRECTION 0", "REFERENCE 0,0", "CLS", "CODEPAGE UTF-8", "PRINT 1"}


def parse_tspl(data: bytes, dpi: int) -> Job:
    if not data.endswith(b"\r\n"):
        raise Invalid("TSPL commands end with CR LF")
    lines = data.decode("utf-8").split("\r\n")[:-1]
    size = gap = None
    fields: list[Field] = []
    for line in lines:
        if m := _TSPL_SIZE.fullmatch(line):
            size = (dots(float(m.group(1)), dpi), dots(float(m.group(2)), dpi))
        elif m := _TSPL_GAP.fullmatch(line):
            gap = m.groups()
        elif m := _TSPL_TEXT.fullmatch(line):
            fields.append(Field(int(m.group(1)), int(m.group(2)), "text", m.group(6).replace('\\["]', '"'),
                                extra={"font": m.group(3)}))
        elif m := _TSPL_BARCODE.fullmatch(line):
            if m.group(5) != m.group(6):
                raise Invalid("Code 128 has no wide/narrow ratio: narrow must equal wide")
            fields.append(Field(int(m.group(1)), int(m.group(2)), "barcode", m.group(7), int(m.group(3)),
                                int(m.group(5))))
        elif line not in _TSPL_PLAIN:
            raise Invalid(f"unknown TSPL line {line!r}")
    if size is None or gap is None:
        raise Invalid("SIZE and GAP are required")
    if lines.index("CLS") > min(i for i, line in enumerate(lines) if line.startswith(("TEXT", "BARCODE"))):
        raise Invalid("CLS must clear the buffer before drawing")
    if lines[-1] != "PRINT 1":
        raise Invalid("the job must end with PRINT 1")
    job = Job(size[0], size[1], fields)
    _check_inside(job)
    return job


# ------------------------------------------------------------------ EZPL

def parse_ezpl(data: bytes, dpi: int) -> Job:
    if not data.endswith(b"\r\n"):
        raise Invalid("EZPL commands end with CR")
    lines = data.decode("utf-8").split("\r\n")[:-1]
    if "^L" not in lines or lines[-1] != "E":
        raise Invalid("a label format runs from ^L to E")
    start = lines.index("^L")
    setup, body = lines[:start], lines[start + 1:-1]
    width = length = None
    for line in setup:
        if m := re.fullmatch(r"\^Q(\d+),(\d+)", line):
            length = dots(int(m.group(1)), dpi)
        elif m := re.fullmatch(r"\^W(\d+)", line):
            width = dots(int(m.group(1)), dpi)
        elif not re.fullmatch(r"\^[HPSCRODE]\d+|~Q[+-]\d+", line):
            raise Invalid(f"unknown EZPL setup line {line!r}")
    if width is None or length is None:
        raise Invalid("^Q (label length) and ^W (width) are required")
    fields: list[Field] = []
    for line in body:
        if line.startswith("BQ,"):
            x, y, narrow, wide, height, rotation, readable, value = line[3:].split(",", 7)
            if narrow != wide or rotation != "0":
                raise Invalid(f"unexpected BQ options {line!r}")
            fields.append(Field(int(x), int(y), "barcode", value, int(height), int(narrow)))
        elif m := re.fullmatch(r"AT([A-Z]?),(\d+),(\d+),(\d+),(\d+),0,(0E?),0,0,(.*)", line):
            fields.append(Field(int(m.group(2)), int(m.group(3)), "text", m.group(7), int(m.group(5)),
                                extra={"font": m.group(1), "style": m.group(6)}))
        else:
            raise Invalid(f"unknown EZPL label line {line!r}")
    job = Job(width, length, fields)
    _check_inside(job)
    return job
