"""python-tuf's own client reading a repository from a folder (a published repo, or an offline copy on a stick).

Only the transport is ours: ``tuf.ngclient.Updater`` does every verification (root chain, signatures,
thresholds, versions, expiry, lengths and hashes) exactly as it does over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tuf.api.exceptions import DownloadHTTPError
from tuf.ngclient import FetcherInterface, Updater

BASE = "https://updates.invalid/tuf"


class FolderFetcher(FetcherInterface):
    """``{BASE}/metadata/...`` and ``{BASE}/targets/...`` served from ``folder``; a missing file is a 404."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fetched: list[str] = []

    def _fetch(self, url: str) -> Iterator[bytes]:
        relative = url.removeprefix(BASE + "/")
        path = self.folder / relative
        if relative == url or not path.is_file():
            raise DownloadHTTPError(f"{url}: not found", 404)
        self.fetched.append(relative)
        yield path.read_bytes()


def tuf_client(folder: Path, trusted_root: bytes, client_dir: Path) -> tuple[Updater, FolderFetcher]:
    """A python-tuf Updater over ``folder`` (laid out as /tuf/: metadata/ and targets/), trusting ``trusted_root``."""
    (client_dir / "metadata").mkdir(parents=True, exist_ok=True)
    (client_dir / "targets").mkdir(parents=True, exist_ok=True)
    fetcher = FolderFetcher(folder)
    updater = Updater(str(client_dir / "metadata"), f"{BASE}/metadata/", str(client_dir / "targets"),
                      f"{BASE}/targets/", fetcher=fetcher, bootstrap=trusted_root)
    return updater, fetcher
