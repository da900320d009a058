"""Reading an offline copy: the folder answers as the update server would, and no name leads outside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tuf.api import exceptions as tuf_errors
from tuf.ngclient import FetcherInterface

from app.updates.offline_fetch import BASE_URL, FolderAdapter, FolderFetcher

BODY = b"0123456789" * 1000


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "usb"
    (root / "metadata").mkdir(parents=True)
    (root / "targets" / "regulation").mkdir(parents=True)
    (root / "metadata" / "timestamp.json").write_bytes(b'{"signed": {}}')
    (root / "targets" / "regulation" / "abc.pack-1.0.0.json").write_bytes(BODY)
    (tmp_path / "secret.json").write_bytes(b"outside the copy")
    return root


def url(part: str, name: str) -> str:
    return f"{BASE_URL}/tuf/{part}/{name}"


def test_it_is_a_tuf_fetcher_that_reads_the_two_folders(copy: Path) -> None:
    fetcher = FolderFetcher(copy, chunk_size=4096)
    assert isinstance(fetcher, FetcherInterface)
    assert fetcher.fetch(url("metadata", "timestamp.json")).__next__() == b'{"signed": {}}'
    assert b"".join(fetcher.fetch(url("targets", "regulation/abc.pack-1.0.0.json"))) == BODY
    assert fetcher.download_bytes(url("targets", "regulation/abc.pack-1.0.0.json"), len(BODY)) == BODY


def test_a_missing_file_is_a_404_as_ngclient_expects_after_the_newest_root(copy: Path) -> None:
    with pytest.raises(tuf_errors.DownloadHTTPError) as missing:
        FolderFetcher(copy).download_bytes(url("metadata", "2.root.json"), 100_000)
    assert missing.value.status_code == 404


def test_a_download_resumes_with_a_range_as_from_the_server(copy: Path) -> None:
    fetcher = FolderFetcher(copy)
    response = fetcher.open(url("targets", "regulation/abc.pack-1.0.0.json"), headers={"Range": "bytes=9000-"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 9000-{len(BODY) - 1}/{len(BODY)}"
    assert response.headers["Content-Length"] == "1000"
    assert b"".join(fetcher.iter_chunks(response)) == BODY[9000:]
    whole = fetcher.open(url("targets", "regulation/abc.pack-1.0.0.json"))
    assert whole.status_code == 200 and whole.headers["Content-Length"] == str(len(BODY))
    whole.close()
    with pytest.raises(tuf_errors.DownloadHTTPError) as past_the_end:
        fetcher.open(url("targets", "regulation/abc.pack-1.0.0.json"), headers={"Range": f"bytes={len(BODY)}-"})
    assert past_the_end.value.status_code == 416


@pytest.mark.parametrize("name", [
    "../secret.json",  # up and out
    "..%2Fsecret.json",  # the same, encoded
    "%2e%2e/%2e%2e/secret.json",
    "../targets/regulation/abc.pack-1.0.0.json",  # into the other folder
    "%2Fetc%2Fpasswd",  # absolute
    "..%5C..%5Csecret.json",  # Windows separators
    "C:%5Cwindows%5Cwin.ini",  # a drive
    "timestamp.json%00.png",
    "",
    "evil.json",  # a link pointing out of the copy
])
def test_no_name_leads_outside_the_copy(copy: Path, name: str) -> None:
    os.symlink(copy.parent / "secret.json", copy / "metadata" / "evil.json")
    adapter = FolderAdapter(copy)
    assert adapter.resolve(url("metadata", name)) is None
    with pytest.raises(tuf_errors.DownloadHTTPError):
        FolderFetcher(copy).open(url("metadata", name))


def test_only_the_copys_own_urls_are_answered(copy: Path) -> None:
    adapter = FolderAdapter(copy)
    assert adapter.resolve(url("metadata", "timestamp.json")) == (copy / "metadata" / "timestamp.json").resolve()
    for other in ("pmv-usb://copy/metadata/timestamp.json", "pmv-usb://copy/tuf/config.json",
                  "https://example.invalid/tuf/metadata/timestamp.json", "pmv-usb://copy/tuf/keys/x.key"):
        assert adapter.resolve(other) is None


def test_a_file_the_stick_cannot_read_is_missing_not_a_local_disk_fault(copy: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # A failing stick (or one pulled out mid-read) answers EIO; it became the update code's "storage" error and
    # the page said the till's own disk could not be written. No disk here fails on demand: the stick's refusal
    # is raised by the one call that opens its files.
    import errno

    opened = Path.open

    def failing(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.is_relative_to(copy / "targets"):
            raise OSError(errno.EIO, "Input/output error", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", failing)
    with pytest.raises(tuf_errors.DownloadHTTPError) as unreadable:
        FolderFetcher(copy).download_bytes(url("targets", "regulation/abc.pack-1.0.0.json"), len(BODY))
    assert unreadable.value.status_code == 404
