"""The tag's code in each printer language: Code 128, DataMatrix and QR commands, data escaped.

render.py writes the rest of the job; this module writes the one command
that draws the code, from the placed symbol of layout.py, so the printer
draws the size and position the PNG preview shows.  Every printable ASCII
character may occur in an item code, so each language's special characters
are escaped as its manual says.

Sources (the manufacturers' manuals):
  ZPL   Zebra "ZPL II Programming Guide" (45541L-004): ^BC and its Table 6
        "Code 128 Invocation Characters"; ^BX Data Matrix (quality 200,
        columns/rows, escape character g); ^BQ QR Code (field data
        "<ecc><input mode>,<character mode><data>", manual byte mode
        "B<4-digit count>"); ^FH field hexadecimal indicator.
  TSPL  TSC "TSPL/TSPL2 Programming Language" manual: BARCODE "128",
        DMATRIX x,y,width,height,[xm,row,col,]"content" (escape character
        ~, "~ in data is encoded by ~~"), QRCODE x,y,ECC,cell width,mode,
        rotation,[model,mask,]"content" (manual mode "B<4-digit count>"), and
        \\["] for a double quote inside any quoted string.
  EZPL  Godex "EZPL Programmer's Manual": BQ (Code 128 auto), W (QR Code:
        x,y,mode,type,ec,mask,mul,len,rotation, data on the next line,
        8-bit mode data led by its 4-digit byte count), XRB (DataMatrix,
        x,y,module,ECC 200,length, data on the next line).
"""

from __future__ import annotations

from app.devices.labels.layout import Placed, PlacedBarcode
from app.devices.labels.matrix import QR_EC_LEVEL, Symbology

# Zebra draws a ^BQ symbol below its ^FO origin by a fixed offset (the
# printers' long-standing QR quirk, reproduced by the zplkit renderer's ZD621
# profile: 9 dots at magnifications 1-5, at 203 and 300 dpi alike); the field
# origin is raised by it so the symbol lands where the preview has it.
ZPL_QR_TOP_OFFSET = 9

# ^BX's escape character for quality 200 field data.  Its default is "~" on
# current firmware and "_" on V60.13.0.12*: named explicitly so both read
# the data alike; "_" in the data is then written "__".
ZPL_DATAMATRIX_ESCAPE = "_"

# ZPL Table 6: in Code 128 field data ">" starts an invocation code and "^"
# and "~" would start a ZPL command, so these three are written as the
# invocation codes of their code set B values: >< = 62 ("^"), >0 = 30 (">"),
# >= = 94 ("~").
_ZPL_CODE128 = {">": ">0", "^": "><", "~": ">="}


def _zpl_hex(text: str) -> str:
    # Under ^FH\ a \xx pair stands for one byte: the way to put ^, ~ and \ in field data.
    return "".join(f"\\{ord(char):02X}" if char in "^~\\" else char for char in text)


def zpl_code(placed: Placed) -> str:
    if isinstance(placed, PlacedBarcode):
        # ^BC: normal orientation, no interpretation line (the template prints the
        # code as text), no check digit beyond Code 128's own, A = automatic mode:
        # the printer picks the shortest code-set sequence, as code128.encode does.
        data = "".join(_ZPL_CODE128.get(char, char) for char in placed.data)
        return f"^FO{placed.x},{placed.y}^BY{placed.module}^BCN,{placed.height},N,N,N,A^FD{data}^FS"
    symbol = placed.symbol
    if placed.symbology is Symbology.DATAMATRIX:
        # ^BXo,h,s,c,r,f,g: h = module size in dots, s = 200 (ECC 200),
        # c/r = columns/rows forced to the previewed size, f unused at 200.
        data = _zpl_hex(placed.data.replace(ZPL_DATAMATRIX_ESCAPE, ZPL_DATAMATRIX_ESCAPE * 2))
        return (f"^FO{placed.x},{placed.y}^BXN,{placed.module},200,{symbol.columns},{symbol.rows},,"
                f"{ZPL_DATAMATRIX_ESCAPE}^FH\\^FD{data}^FS")
    # ^BQN,2,m: model 2, magnification m = module size in dots.  Field data
    # "MM,B0012...": level M, manual input, byte mode with its byte count, so
    # the printer cannot choose a smaller mode (and version) than the preview.
    data = _zpl_hex(placed.data)
    return (f"^FO{placed.x},{placed.y - ZPL_QR_TOP_OFFSET}^BQN,2,{placed.module}"
            f"^FH\\^FD{QR_EC_LEVEL}M,B{len(placed.data):04d}{data}^FS")


def _tspl_quoted(text: str) -> str:
    return text.replace('"', '\\["]')


def tspl_code(placed: Placed) -> str:
    if isinstance(placed, PlacedBarcode):
        # "128" is TSPL's Code 128 with automatic code-set switching; human
        # readable 0, rotation 0, narrow = wide = module (Code 128 has no ratio).
        return (f'BARCODE {placed.x},{placed.y},"128",{placed.height},0,0,{placed.module},{placed.module},'
                f'"{_tspl_quoted(placed.data)}"')
    symbol = placed.symbol
    if placed.symbology is Symbology.DATAMATRIX:
        # The area is exactly the symbol; x<m> = module size, then rows and columns.
        data = _tspl_quoted(placed.data.replace("~", "~~"))
        return (f"DMATRIX {placed.x},{placed.y},{placed.width},{placed.symbol_height},"
                f'x{placed.module},{symbol.rows},{symbol.columns},"{data}"')
    # Level M, cell width = module, M = manual mode, rotation 0, model 2 (M2),
    # mask S7 (the manual's default), byte mode with its count.
    return (f"QRCODE {placed.x},{placed.y},{QR_EC_LEVEL},{placed.module},M,0,M2,S7,"
            f'"B{len(placed.data):04d}{_tspl_quoted(placed.data)}"')


def ezpl_code(placed: Placed) -> str:
    """One command line; a 2D code's data follows on its own line, by count, so commas need no escape."""
    if isinstance(placed, PlacedBarcode):
        # BQ = Code 128 with automatic code-set selection: x, y, narrow, wide,
        # height, rotation 0, no human-readable line, then the data, which
        # runs to the end of the line (so a comma in it is data, as in AT).
        return f"BQ,{placed.x},{placed.y},{placed.module},{placed.module},{placed.height},0,0,{placed.data}"
    # NOT YET CONFIRMED ON A GODEX PRINTER (the other two languages are checked against
    # their manuals and, for ZPL, a renderer):
    #  * XRB's parameters are from memory of the EZPL manual; its page could not be
    #    retrieved while writing this;
    #  * the manual's W page (p. 55) calls (x, y) the symbol's "left-bottom" position,
    #    yet its own example (W10,10 at the top of a label) reads as top-left, which
    #    is what 1D codes use (B…, p. 37); top-left is sent here;
    #  * the manual lists ^D, ^T, ^Cx and ^Vxx as variables inside barcode data, so
    #    an item code containing "^" may need an escape the manual does not give.
    if placed.symbology is Symbology.DATAMATRIX:
        # XRB x,y,module,ECC (0 = ECC 200),length, then the data line.
        return f"XRB{placed.x},{placed.y},{placed.module},0,{len(placed.data)}\r\n{placed.data}"
    # W x,y,mode 3 (8-bit),type 2 (model 2),ec M,mask 8 (auto),mul = module,
    # len (the data's bytes: the manual's example counts 36 for 36 characters
    # over two lines), rotation 0; in 8-bit mode the data starts with its 4-digit count.
    return (f"W{placed.x},{placed.y},3,2,{QR_EC_LEVEL},8,{placed.module},{len(placed.data)},0\r\n"
            f"{len(placed.data):04d}{placed.data}")
