"""A diagnostics zip as it arrives from a till, before any member is read: its names fit for a staff page, the
names meant to escape the archive, and opening it without letting zipfile parse a huge directory.

Split from :mod:`vendor_server.console.diagnostics`, which reads the members; framework-free.
"""

from __future__ import annotations

import os
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

NAME_SHOWN_MAX = 80
# A zip's central directory above this is refused unread: the fifty members a bundle may hold, with long names,
# fit many times over.
DIRECTORY_MAX_BYTES = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def shown(name: str) -> str:
    """A member name fit for a staff page: no control or bidi characters, not too long (it comes from the zip)."""
    text = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    return text if len(text) <= NAME_SHOWN_MAX else text[: NAME_SHOWN_MAX - 1] + "…"


def unsafe_name(name: str) -> bool:
    """Absolute, a drive, or a ``..`` step: a name meant to land outside wherever the zip is unpacked."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return any(step == ".." for step in re.split(r"[\\/]", name))


def grouped(number: int) -> str:
    """A count as Vietnamese writes it: "2.400.000" (the dot groups thousands)."""
    return f"{number:,}".replace(",", ".")


# The zip's end record, as zipfile reads it (its structEndArchive): signature, disk numbers, entry counts, the
# central directory's size and offset, the comment's length.
_END_RECORD = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_END_SEARCHED = (1 << 16) + _END_RECORD.size  # the end record, after a comment of up to 64 KB
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20


def _directory_too_big(handle: BinaryIO) -> bool:
    """Whether ZipFile, opening this file, would parse a central directory over DIRECTORY_MAX_BYTES.

    ZipFile parses every entry of the directory as it opens a file, before any count of ours can run: 100,000
    entries took most of a second, on every view.  The end record is found as zipfile finds it (at the very end,
    else the last signature in the room a comment may take), so what is measured is what ZipFile would read.  A
    ZIP64 end record, whose sizes zipfile prefers, counts as too big: the app's small bundles never need one.
    Without an end record ZipFile refuses the file itself.
    """
    end = handle.seek(0, os.SEEK_END)
    if end < _END_RECORD.size:
        return False
    at = handle.seek(end - _END_RECORD.size)
    record = handle.read(_END_RECORD.size)
    if not (record.startswith(_END_SIGNATURE) and record.endswith(b"\0\0")):  # not at the very end: a comment
        start = handle.seek(max(end - _END_SEARCHED, 0))
        tail = handle.read()
        found = tail.rfind(_END_SIGNATURE)
        record = tail[found:found + _END_RECORD.size]
        if found < 0 or len(record) < _END_RECORD.size:
            return False
        at = start + found
    if at >= _ZIP64_LOCATOR_SIZE:
        handle.seek(at - _ZIP64_LOCATOR_SIZE)
        if handle.read(len(_ZIP64_LOCATOR_SIGNATURE)) == _ZIP64_LOCATOR_SIGNATURE:
            return True
    directory_size: int = _END_RECORD.unpack(record)[5]
    return directory_size > DIRECTORY_MAX_BYTES


def opened(path: Path, problems: list[str]) -> zipfile.ZipFile | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            too_many = head.startswith(b"PK") and _directory_too_big(handle)
        if not head.startswith(b"PK"):
            problems.append("Tệp đính kèm không phải tệp zip: không đọc được gói chẩn đoán")
            return None
        if too_many:
            problems.append("Gói có quá nhiều tệp (mục lục của gói quá lớn): không phải gói chẩn đoán của ứng dụng, "
                            "không đọc")
            return None
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        problems.append("Không tìm thấy tệp đính kèm trên máy chủ")
    except OSError as exc:
        problems.append(f"Không đọc được tệp đính kèm trên máy chủ ({type(exc).__name__})")
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        problems.append(f"Tệp zip bị hỏng, không mở được ({type(exc).__name__})")
    return None
