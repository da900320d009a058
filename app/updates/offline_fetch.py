"""Reading an offline copy of the update repository (a USB stick) as if it were the update server.

The copy is the vendor's repository as ``pmv-vendor serve`` publishes it (vendor_server/tuf_repo.py)::

    <copy>/metadata/1.root.json, 2.root.json, …, timestamp.json, <N>.snapshot.json, <N>.targets.json
    <copy>/targets/<dir>/<sha256>.<name>

:class:`FolderFetcher` is a python-tuf ``FetcherInterface`` (a :class:`RequestsFetcher` whose session reaches
the folder instead of the network), so :class:`~app.updates.tuf_client.UpdateClient` reads the copy with the
very code that reads the server: ngclient's metadata walk, the signed lengths, the ranged target download and
its hash check.  The URLs it is given (``pmv-usb://copy/tuf/metadata/…``, ``…/tuf/targets/…``) map onto the
two folders, and no name may lead outside them: no ``..``, no absolute or drive path, no backslash, and a
symbolic link that resolves outside the copy is answered as a missing file.  Nothing is ever written to the
copy (a stick may be read-only).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from app.updates.tuf_client import RequestsFetcher
from pmv_protocol.digits import natural

SCHEME = "pmv-usb"
BASE_URL = f"{SCHEME}://copy"  # what UpdateClient is given; it adds /tuf/metadata/ and /tuf/targets/
_FOLDERS = {"metadata": "metadata", "targets": "targets"}  # URL part after /tuf/ -> the copy's sub-folder


class FolderAdapter(BaseAdapter):
    """Answers ``pmv-usb://copy/tuf/<metadata|targets>/<name>`` from ``<root>/<metadata|targets>/<name>``.

    As a static server does: 200 with the file, 206 for ``Range: bytes=N-``, 404 for a name that is not a
    file inside the copy, 416 for a range past the end.
    """

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = Path(root).resolve()

    def resolve(self, url: str) -> Path | None:
        """The file ``url`` names inside the copy, or None (not found, or a name that would leave the copy)."""
        parts = urlsplit(url)
        segments = [unquote(segment) for segment in parts.path.split("/")]
        if parts.scheme != SCHEME or len(segments) < 4 or segments[:2] != ["", "tuf"] \
                or segments[2] not in _FOLDERS:
            return None
        names = segments[3:]
        if any(name in ("", ".", "..") or any(c in name for c in "/\\:\0") for name in names):
            return None
        folder = self.root / _FOLDERS[segments[2]]
        try:
            found = folder.joinpath(*names).resolve()
        except (OSError, RuntimeError):  # a link loop
            return None
        if not found.is_relative_to(self.root) or not found.is_relative_to(folder.resolve()) \
                or not found.is_file():
            return None
        return found

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        if request.method not in ("GET", "HEAD"):
            return self._answer(request, 405)
        path = self.resolve(request.url or "")
        if path is None:
            return self._answer(request, 404)
        try:
            handle = path.open("rb")
        except OSError:  # a failing stick, or one pulled out: a file the copy cannot give (INCOMPLETE), not our disk
            return self._answer(request, 404)
        size = os.fstat(handle.fileno()).st_size
        wanted = request.headers.get("Range", "")
        start = _range_start(wanted if isinstance(wanted, str) else wanted.decode("latin-1"))
        if start is None or start == 0:
            return self._answer(request, 200, handle, {"Content-Length": str(size)})
        if start >= size:
            handle.close()
            return self._answer(request, 416, headers={"Content-Range": f"bytes */{size}"})
        handle.seek(start)
        return self._answer(request, 206, handle, {"Content-Length": str(size - start),
                                                   "Content-Range": f"bytes {start}-{size - 1}/{size}"})

    @staticmethod
    def _answer(request: requests.PreparedRequest, status: int, body: Any = None,
                headers: dict[str, str] | None = None) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers or {"Content-Length": "0"})
        response.raw = HTTPResponse(body=body if body is not None else b"", headers=response.headers,
                                    status=status, preload_content=False, decode_content=False)
        response.url = request.url or ""
        response.request = request
        response.reason = {200: "OK", 206: "Partial Content", 404: "Not Found", 405: "Method Not Allowed",
                           416: "Range Not Satisfiable"}.get(status, "")
        return response

    def close(self) -> None:
        return None


def _range_start(header: str) -> int | None:
    """``bytes=N-`` (the only form UpdateClient sends) -> N; anything else: the whole file."""
    if not header.startswith("bytes=") or not header.endswith("-"):
        return None
    start = header[len("bytes="):-1]
    return natural(start)


class FolderFetcher(RequestsFetcher):
    """python-tuf's fetcher on an offline copy: the online fetcher's code on a session that reaches a folder."""

    def __init__(self, root: Path, *, chunk_size: int = 256 * 1024) -> None:
        session = requests.Session()
        session.trust_env = False  # no proxy, no .netrc: nothing here goes to a network
        session.mount(f"{SCHEME}://", FolderAdapter(root))
        super().__init__(session, chunk_size=chunk_size)
