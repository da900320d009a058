"""Tiny, independent readers of ZPL, TSPL and EZPL jobs, for the tests.

They know nothing of the code under test: they re-derive positions, sizes
and the Code 128 symbol width from the printer manuals and ISO/IEC 15417,
and reject any command they do not recognise.

Graphics (kind "bitmap") come back as rows with 1 = a printed dot, whatever
the language's own polarity: ZPL ^GFA hex, 1 = dot (ZPL II Programming
Guide, ^GF and ~DG); TSPL BITMAP raw bytes, 0 = dot (TSC's TSPL drivers,
see render.py); EZPL Q raw bytes, taken as 1 = dot.  Binary payloads are
cut out by the length their header states, as a printer reads them.
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
    rows: bytes = b""  # a bitmap's dots, row by row, MSB = leftmost, 1 = printed
    row_bytes: int = 0

    def ink(self, column: int, row: int) -> bool:
        return bool(self.rows[row * self.row_bytes + column // 8] & (0x80 >> (column % 8)))


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

    @property
    def bitmaps(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "bitmap"]


class Invalid(AssertionError):
    pass


def _check_inside(job: Job) -> None:
    for f in job.fields:
        if not (0 <= f.x < job.width and 0 <= f.y < job.height):
            raise Invalid(f"field at {f.x},{f.y} outside {job.width}x{job.height}: {f.data!r}")
        if f.kind == "bitmap" and (len(f.rows) != f.row_bytes * f.height or f.y + f.height > job.height):
            raise Invalid(f"bitmap at {f.x},{f.y}: {len(f.rows)} bytes for {f.row_bytes}x{f.height}, "
                          f"label {job.height}")
        if f.kind == "matrix" and (f.x + f.height > job.width or f.y + f.height > job.height):
            raise Invalid(f"{f.extra['symbology']} {f.data!r} runs to {f.x + f.height},{f.y + f.height}")
        if f.kind == "barcode":
            right = f.x + code128_modules(f.data) * f.module
            if right > job.width or f.y + f.height > job.height:
                raise Invalid(f"barcode {f.data!r} runs to {right},{f.y + f.height} of {job.width}x{job.height}")


# ------------------------------------------------------------------ ZPL

_ZPL_KNOWN = {"XA", "CI", "PW", "LL", "LH", "FO", "FH", "FD", "FS", "BY", "BC", "PQ", "XZ", "GF", "BX", "BQ"}


def _cut_payloads(data: bytes, header: re.Pattern[bytes]) -> tuple[bytes, list[bytes]]:
    """Binary graphic payloads out of a TSPL/EZPL job; each header line then ends in "#<index>".

    ``header`` matches a graphic command at a line start up to its data and
    has groups 3 and 4 = width in bytes and height in dots (TSPL BITMAP,
    EZPL Q): exactly width x height bytes follow, as the manuals say.
    """
    out, payloads, pos = b"", [], 0
    while m := header.search(data, pos):
        if m.start() and data[m.start() - 1:m.start()] != b"\n":
            out += data[pos:m.end()]
            pos = m.end()
            continue
        size = int(m.group(3)) * int(m.group(4))
        if m.end() + size > len(data):
            raise Invalid(f"graphic {m.group(0)!r} promises {size} bytes, the job ends first")
        out += data[pos:m.start()] + m.group(0).rstrip(b"\r\n") + b"#%d" % len(payloads)
        payloads.append(data[m.end():m.end() + size])
        pos = m.end() + size
    return out + data[pos:], payloads


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
        elif command == "GF":  # ^GFa,b,c,d,data: A = ASCII hex, b = c = total bytes, d = bytes per row
            kind, total, count, per_row, hexdata = args.split(",", 4)
            rows = bytes.fromhex(hexdata.strip())
            if kind != "A" or int(total) != len(rows) or int(count) != len(rows) or len(rows) % int(per_row):
                raise Invalid(f"unexpected ^GF header {args[:40]!r}")
            pending.update(kind="bitmap", height=str(len(rows) // int(per_row)), data="", rows=hexdata.strip(),
                           row_bytes=per_row)
        elif command == "BC":
            orientation, bar_height, line, above, check, mode = args.split(",")
            if (orientation, line, above, check, mode) != ("N", "N", "N", "N", "A"):
                raise Invalid(f"unexpected ^BC options {args!r}")
            pending.update(kind="barcode", height=bar_height)
        elif command == "BX":  # ^BXo,h,s,c,r,f,g: module h, quality 200, columns, rows, escape character g
            orientation, module_h, quality, columns, rows_, _format, escape = args.split(",")
            if (orientation, quality) != ("N", "200") or columns != rows_ or len(escape) != 1:
                raise Invalid(f"unexpected ^BX options {args!r}")
            pending.update(kind="matrix", symbology="datamatrix", module=module_h, size=rows_, escape=escape,
                           height=str(int(rows_) * int(module_h)))
        elif command == "BQ":  # ^BQo,model,magnification
            orientation, model, magnification = args.split(",")
            if (orientation, model) != ("N", "2"):
                raise Invalid(f"unexpected ^BQ options {args!r}")
            pending.update(kind="matrix", symbology="qr", module=magnification, height="0")
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
                                int(pending["height"]), module if pending["kind"] == "barcode" else 0,
                                rows=bytes.fromhex(pending.get("rows", "")),
                                row_bytes=int(pending.get("row_bytes", "0"))))
            if pending["kind"] in ("barcode", "matrix"):
                _zpl_code_data(fields[-1], pending)
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
_TSPL_TEXT = re.compile(r'TEXT (\d+),(\d+),"([^"]+)",0,(\d+),(\d+),"((?:\\\["\]|[^"])*)"')
_QUOTED = r'"((?:\\\["\]|[^"])*)"'  # TSPL: a double quote inside a string is written \["]
_TSPL_BARCODE = re.compile(r'BARCODE (\d+),(\d+),"128",(\d+),([01]),0,(\d+),(\d+),' + _QUOTED)
_TSPL_DMATRIX = re.compile(r"DMATRIX (\d+),(\d+),(\d+),(\d+),x(\d+),(\d+),(\d+)," + _QUOTED)
_TSPL_QRCODE = re.compile(r"QRCODE (\d+),(\d+),([LMQH]),(\d+),M,0,M2,S\d," + _QUOTED)
_TSPL_PLAIN = {"DIRECTION 0", "REFERENCE 0,0", "CLS", "CODEPAGE UTF-8", "PRINT 1"}
_TSPL_BITMAP = re.compile(rb"BITMAP (\d+),(\d+),(\d+),(\d+),([012]),")


def parse_tspl(data: bytes, dpi: int) -> Job:
    if not data.endswith(b"\r\n"):
        raise Invalid("TSPL commands end with CR LF")
    data, payloads = _cut_payloads(data, _TSPL_BITMAP)
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
        elif m := re.fullmatch(r"BITMAP (\d+),(\d+),(\d+),(\d+),([012]),#(\d+)", line):
            x, y, per_row, height, mode, index = (int(g) for g in m.groups())
            fields.append(Field(x, y, "bitmap", "", height, extra={"mode": str(mode)},
                                rows=bytes(b ^ 0xFF for b in payloads[index]), row_bytes=per_row))
        elif m := _TSPL_BARCODE.fullmatch(line):
            if m.group(5) != m.group(6):
                raise Invalid("Code 128 has no wide/narrow ratio: narrow must equal wide")
            fields.append(Field(int(m.group(1)), int(m.group(2)), "barcode", _unquote(m.group(7)), int(m.group(3)),
                                int(m.group(5))))
        elif m := _TSPL_DMATRIX.fullmatch(line):
            fields.append(_tspl_datamatrix(m))
        elif m := _TSPL_QRCODE.fullmatch(line):
            fields.append(_tspl_qr(m))
        elif line not in _TSPL_PLAIN:
            raise Invalid(f"unknown TSPL line {line!r}")
    if size is None or gap is None:
        raise Invalid("SIZE and GAP are required")
    if lines.index("CLS") > min(i for i, line in enumerate(lines) if line.startswith(("TEXT", "BARCODE", "BITMAP"))):
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
    data, payloads = _cut_payloads(data, re.compile(rb"Q(\d+),(\d+),(\d+),(\d+)\r\n"))
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
    for line in _ezpl_join_data_lines(body):
        if line.startswith(("XRB", "W")):
            fields.append(_ezpl_matrix(line))
        elif line.startswith("BQ,"):
            x, y, narrow, wide, height, rotation, readable, value = line[3:].split(",", 7)
            if narrow != wide or rotation != "0":
                raise Invalid(f"unexpected BQ options {line!r}")
            fields.append(Field(int(x), int(y), "barcode", value, int(height), int(narrow)))
        elif m := re.fullmatch(r"Q(\d+),(\d+),(\d+),(\d+)#(\d+)", line):  # Qx,y,width bytes,height dots
            x, y, per_row, height, index = (int(g) for g in m.groups())
            fields.append(Field(x, y, "bitmap", "", height, rows=payloads[index], row_bytes=per_row))
        elif m := re.fullmatch(r"AT([A-Z]?),(\d+),(\d+),(\d+),(\d+),0,(0E?),0,0,(.*)", line):
            fields.append(Field(int(m.group(2)), int(m.group(3)), "text", m.group(7), int(m.group(5)),
                                extra={"font": m.group(1), "style": m.group(6)}))
        else:
            raise Invalid(f"unknown EZPL label line {line!r}")
    job = Job(width, length, fields)
    _check_inside(job)
    return job


# ------------------------------------------------------------------ 2D codes and escaped code data
#
# Sizes are re-derived from the standards, not taken from the code under test:
# DataMatrix ECC 200 square symbols and their data codewords, ISO/IEC 16022:2006
# Table 7; ASCII encodation (5.2.3) takes one codeword per digit pair or other
# character.  QR model 2 byte-mode capacities, ISO/IEC 18004:2015 Table 7.

_DM_SQUARES = {10: 3, 12: 5, 14: 8, 16: 12, 18: 18, 20: 22, 22: 30, 24: 36, 26: 44}
_QR_BYTES = {"L": (17, 32, 53, 78, 106), "M": (14, 26, 42, 62, 84), "Q": (11, 20, 32, 46, 60),
             "H": (7, 14, 24, 34, 44)}
ZPL_QR_FIELD_OFFSET = 9  # a ^BQ symbol starts this many dots below its ^FO (zplkit's ZD621 profile)


def datamatrix_size(text: str) -> int:
    codewords = len(re.findall(r"[0-9]{2}|.", text, re.S))
    return min(size for size, capacity in _DM_SQUARES.items() if capacity >= codewords)


def qr_modules(text: str, level: str = "M") -> int:
    version = next(v for v, capacity in enumerate(_QR_BYTES[level], start=1) if capacity >= len(text))
    return 17 + 4 * version


def _unquote(text: str) -> str:
    return text.replace('\\["]', '"')


def _unescape(text: str, escape: str) -> str:
    """DataMatrix field data with escape character ``escape``: a doubled one is the character itself."""
    out, index = "", 0
    while index < len(text):
        if text[index] == escape:
            if text[index + 1:index + 2] != escape:
                raise Invalid(f"escape sequence {text[index:index + 2]!r} in DataMatrix data {text!r}")
            index += 1
        out += text[index]
        index += 1
    return out


_ZPL_INVOCATIONS = {"0": ">", "<": "^", "=": "~"}  # ZPL II Guide, Table 6: code set B characters


def _zpl_code_data(f: Field, pending: dict[str, str]) -> None:
    if f.kind == "barcode":  # ^BC field data: ">" starts an invocation code
        out, index = "", 0
        while index < len(f.data):
            if f.data[index] == ">":
                if f.data[index + 1:index + 2] not in _ZPL_INVOCATIONS:
                    raise Invalid(f"invocation {f.data[index:index + 2]!r} in {f.data!r}")
                out += _ZPL_INVOCATIONS[f.data[index + 1]]
                index += 2
            else:
                out += f.data[index]
                index += 1
        f.data = out
        return
    f.module = int(pending["module"])
    if pending["symbology"] == "datamatrix":
        f.data = _unescape(f.data, pending["escape"])
        size = int(pending["size"])
        if size != datamatrix_size(f.data):
            raise Invalid(f"^BX forces {size} x {size}, the data needs {datamatrix_size(f.data)}")
    else:  # ^BQ field data: <error correction><input mode>,B<byte count><data>
        m = re.fullmatch(r"([LMQH])M,B(\d{4})(.*)", f.data, re.S)
        if m is None or int(m.group(2)) != len(m.group(3)):
            raise Invalid(f"unexpected ^BQ field data {f.data!r}")
        f.data = m.group(3)
        f.y += ZPL_QR_FIELD_OFFSET
        size = qr_modules(f.data, m.group(1))
    f.height = size * f.module
    f.extra = {"symbology": pending["symbology"], "size": str(size)}


def _tspl_datamatrix(m: re.Match[str]) -> Field:
    x, y, width, height, module, rows, columns = (int(g) for g in m.groups()[:7])
    data = _unescape(_unquote(m.group(8)), "~")  # "~ in data is encoded by ~~" (TSPL2 DMATRIX)
    if rows != columns or rows != datamatrix_size(data) or width != height or width != rows * module:
        raise Invalid(f"DMATRIX area {width}x{height}, {rows}x{columns} modules of {module} for {data!r}")
    return Field(x, y, "matrix", data, rows * module, module, extra={"symbology": "datamatrix", "size": str(rows)})


def _tspl_qr(m: re.Match[str]) -> Field:
    x, y, level, module = int(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4))
    content = re.fullmatch(r"B(\d{4})(.*)", _unquote(m.group(5)), re.S)
    if content is None or int(content.group(1)) != len(content.group(2)):
        raise Invalid(f"QRCODE manual byte data {m.group(5)!r}")
    size = qr_modules(content.group(2), level)
    return Field(x, y, "matrix", content.group(2), size * module, module, extra={"symbology": "qr", "size": str(size)})


def _ezpl_join_data_lines(body: list[str]) -> list[str]:
    """XRB (DataMatrix) and W (QR) take their data from the following line."""
    out: list[str] = []
    for line in body:
        if out and re.fullmatch(r"(XRB|W)\d+,[\d,LMQH]*", out[-1]):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def _ezpl_matrix(line: str) -> Field:
    if m := re.fullmatch(r"XRB(\d+),(\d+),(\d+),0,(\d+)\n(.*)", line, re.S):
        x, y, module, length = (int(g) for g in m.groups()[:4])
        data = m.group(5)
        if length != len(data):
            raise Invalid(f"XRB says {length} bytes, the data line has {len(data)}")
        size = datamatrix_size(data)
        return Field(x, y, "matrix", data, size * module, module, extra={"symbology": "datamatrix", "size": str(size)})
    if m := re.fullmatch(r"W(\d+),(\d+),3,2,([LMQH]),8,(\d+),(\d+),0\n(\d{4})(.*)", line, re.S):
        x, y, module, length, count = (int(m.group(1)), int(m.group(2)), int(m.group(4)), int(m.group(5)),
                                       int(m.group(6)))
        data = m.group(7)
        if not length == count == len(data):
            raise Invalid(f"W says {length} / {count} bytes, the data has {len(data)}")
        size = qr_modules(data, m.group(3))
        return Field(x, y, "matrix", data, size * module, module, extra={"symbology": "qr", "size": str(size)})
    raise Invalid(f"unknown EZPL 2D command {line!r}")
