"""A POS database file's path as the ``file:`` URI SQLite reads (https://www.sqlite.org/uri.html).

Every reader of the POS file opens it through this one form (``pos.database``, an SQLite ``pos.url``, the
overview's quick read, setup's proof), read-only by the ``mode=ro`` each adds.  No SQLAlchemy here: the overview's
quick read at start must not load it.
"""

from __future__ import annotations

import ntpath
import os
import re
from pathlib import Path, PureWindowsPath

_WINDOWS_ABSOLUTE = re.compile(r"^([A-Za-z]:[\\/]|[\\/]{2}[^\\/])")


def file_uri(path: str | Path) -> str:
    """A file path as the ``file:`` URI SQLite reads (https://www.sqlite.org/uri.html): every reader of the POS
    file opens it through one (``pos.database``, ``pos.url``, the overview's quick read, setup's proof)."""
    path = str(path)
    if os.name == "nt" or _WINDOWS_ABSOLUTE.match(path):
        windows = PureWindowsPath(ntpath.abspath(path) if os.name == "nt" else path)
        uri = windows.as_uri()
        if windows.drive.startswith(("\\\\", "//")):
            # A share (\\server\\folder): Python writes file://server/folder, but SQLite refuses a host in the
            # URI unless built to allow one; with an empty host the path keeps the share's two slashes.
            uri = "file:////" + uri.removeprefix("file://")
        return uri
    return Path(path).resolve().as_uri()
