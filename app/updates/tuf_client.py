"""Signed updates through TUF (python-tuf 7 ``ngclient``) on the app's ``requests.Session``.

What this module guarantees, and how (DESIGN.md "Updates"):

- Metadata is fetched and verified by a *new* :class:`tuf.ngclient.Updater`
  per :meth:`UpdateClient.refresh` (one ``Updater`` refreshes only once),
  bootstrapped from the root.json shipped with the app (``bootstrap=``).
- HTTP goes through :class:`RequestsFetcher`, a ``FetcherInterface`` on the
  injected session: the app's proxy settings, connect/read timeouts, the
  ``pmv-support/<version>`` user agent, bodies streamed in chunks.
- Targets are downloaded by :meth:`UpdateClient.download`, not by
  ``Updater.download_target`` (which cannot resume and spools to a temp
  file): bytes go to a ``.partial`` file in the cache, a dropped connection
  resumes with an HTTP ``Range`` request, reading stops as soon as more bytes
  than the signed length arrive, and ``TargetFile.verify_length_and_hashes``
  runs on the finished file before it is moved into place.
- One process at a time per metadata folder: refresh and download hold a
  cross-process :class:`FileLock` on ``<metadata_dir>/.lock``.

Every failure is an :class:`UpdateError` whose ``kind`` tells the caller what
to do: ``SECURITY`` (bad signature, rollback, expired/frozen metadata,
mix-and-match) means apply nothing, keep the current state and report the
updates as stale; ``NETWORK`` means back off and retry later.  Domain code: no
user-facing text here.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from urllib.parse import quote

import requests
import urllib3.exceptions
from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, Root, TargetFile, Targets
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from app import APP_ID, __version__
from app.infra.job_protocol import Progress
from app.updates.targets import (  # re-exported: callers predate the split
    AvailableTarget,
    UpdateError,
    UpdateErrorKind,
    rollout_bucket,
    should_take,
)
from pmv_protocol.atomic import atomic_target
from pmv_protocol.digits import natural
from pmv_protocol.filelock import FileLock, LockTimeout

log = logging.getLogger(__name__)

USER_AGENT = f"{APP_ID}/{__version__}"


# --------------------------------------------------------------------------- errors


def _translate(exc: BaseException) -> UpdateError:
    """Map a python-tuf / OS failure onto the kinds the app acts on."""
    if isinstance(exc, UpdateError):
        return exc
    if isinstance(exc, tuf_errors.DownloadLengthMismatchError):
        return UpdateError(UpdateErrorKind.TOO_LARGE, str(exc))
    if isinstance(exc, tuf_errors.DownloadError):
        return UpdateError(UpdateErrorKind.NETWORK, f"{type(exc).__name__}: {exc}".rstrip(": "))
    if isinstance(exc, tuf_errors.RepositoryError):
        return UpdateError(UpdateErrorKind.SECURITY, f"{type(exc).__name__}: {exc}".rstrip(": "))
    if isinstance(exc, LockTimeout):
        return UpdateError(UpdateErrorKind.BUSY, str(exc))
    if isinstance(exc, OSError):
        return UpdateError(UpdateErrorKind.STORAGE, str(exc))
    raise exc


def _fail(exc: BaseException, what: str) -> UpdateError:
    error = _translate(exc)
    log.warning("%s failed (%s): %s", what, error.kind.value, error.detail)
    return error


# --------------------------------------------------------------------------- cross-process lock


# --------------------------------------------------------------------------- fetcher


class RequestsFetcher(FetcherInterface):
    """python-tuf's network layer on the app's ``requests.Session``.

    ``_fetch`` is what ngclient calls for metadata; :meth:`open` and
    :meth:`iter_chunks` are also used directly for ranged target downloads.
    Raises ``DownloadHTTPError`` for HTTP errors, ``SlowRetrievalError`` when
    the server stops sending for longer than ``read_timeout`` or, after that
    long, sends slower than ``MIN_BYTES_PER_SECOND`` on average, and
    ``DownloadError`` for any other transport failure (also mid-body, where
    ``FetcherInterface.fetch`` would not wrap it).
    """

    # A server that sends a byte now and then never trips the per-read timeout: a check held the metadata lock
    # (and the page's "Kiểm tra cập nhật" button) for hours.  Half a kilobyte a second is far below any line a
    # shop has (a 3G modem sends tens of KB/s) and far above a trickle.
    MIN_BYTES_PER_SECOND = 512

    def __init__(self, session: requests.Session | None = None, *, connect_timeout: float = 10.0,
                 read_timeout: float = 30.0, chunk_size: int = 256 * 1024, user_agent: str = USER_AGENT) -> None:
        self.session = session if session is not None else requests.Session()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.chunk_size = chunk_size
        self.user_agent = user_agent

    def _fetch(self, url: str) -> Iterator[bytes]:
        return self.iter_chunks(self.open(url))

    def open(self, url: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        """GET ``url`` with a streamed body; the status is checked, the body not yet read."""
        try:
            response = self.session.get(url, stream=True, timeout=(self.connect_timeout, self.read_timeout),
                                        headers={"User-Agent": self.user_agent, **(headers or {})})
        except requests.exceptions.ReadTimeout as exc:
            raise tuf_errors.SlowRetrievalError(f"{url}: no answer within {self.read_timeout:g} s") from exc
        except requests.RequestException as exc:
            raise tuf_errors.DownloadError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            status = response.status_code
            response.close()
            raise tuf_errors.DownloadHTTPError(f"{url}: HTTP {status}", status)
        return response

    def iter_chunks(self, response: requests.Response, limit: int | None = None) -> Generator[bytes, None, None]:
        """The body in chunks of at most ``chunk_size``, never more than ``limit`` bytes in all.

        The response is closed when the generator finishes or is closed.
        """
        url = response.url
        remaining = limit
        started, received = time.monotonic(), 0
        try:
            while remaining is None or remaining > 0:
                amount = self.chunk_size if remaining is None else min(self.chunk_size, remaining)
                # read1: what has arrived (at least a byte), so the rate is checked as bytes come, not only
                # once a whole chunk has trickled in.
                chunk = response.raw.read1(amount, decode_content=True)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                received += len(chunk)
                elapsed = time.monotonic() - started
                if elapsed > self.read_timeout and received < self.MIN_BYTES_PER_SECOND * elapsed:
                    raise tuf_errors.SlowRetrievalError(f"{url}: {received} bytes in {elapsed:.0f} s")
                yield chunk
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise tuf_errors.SlowRetrievalError(f"{url}: nothing received for {self.read_timeout:g} s") from exc
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            raise tuf_errors.DownloadError(f"{url}: {type(exc).__name__}: {exc}") from exc
        finally:
            response.close()


# --------------------------------------------------------------------------- targets


# --------------------------------------------------------------------------- client


class UpdateClient:
    """Refreshes TUF metadata from ``<base_url>/tuf/metadata/`` and downloads from ``<base_url>/tuf/targets/``.

    ``metadata_dir`` holds the trusted metadata (and the lock); ``cache_dir``
    holds partial downloads, so a download interrupted today resumes tomorrow.
    """

    def __init__(self, metadata_dir: Path, cache_dir: Path, base_url: str, root_bytes: bytes,
                 session: requests.Session | None = None, *, connect_timeout: float = 10.0,
                 read_timeout: float = 30.0, lock_timeout: float = 30.0, attempts: int = 3,
                 backoff_seconds: float = 1.0, chunk_size: int = 256 * 1024,
                 fetcher: RequestsFetcher | None = None) -> None:
        self.metadata_dir = Path(metadata_dir)
        self.cache_dir = Path(cache_dir)
        base = base_url.rstrip("/")
        self.metadata_url = f"{base}/tuf/metadata/"
        self.targets_url = f"{base}/tuf/targets/"
        self.root_bytes = root_bytes
        # ``fetcher``: another way to the same files (an offline copy on a USB stick: app/updates/offline.py);
        # everything after the fetch (verification, resume, limits) is this class's, whatever the source.
        self.fetcher = fetcher if fetcher is not None else RequestsFetcher(
            session, connect_timeout=connect_timeout, read_timeout=read_timeout, chunk_size=chunk_size)
        self.lock_timeout = lock_timeout
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self._trusted: dict[str, TargetFile] | None = None
        self._consistent_snapshot = True

    # -- refresh

    def _lock(self) -> FileLock:
        return FileLock(self.metadata_dir / ".lock", timeout=self.lock_timeout)

    def refresh(self) -> list[AvailableTarget]:
        """Fetch and verify root -> timestamp -> snapshot -> targets; list the signed targets.

        On ``UpdateError(SECURITY)`` nothing that failed verification was
        stored: the trusted metadata on disk is the last verified state.
        """
        try:
            self.metadata_dir.mkdir(parents=True, exist_ok=True)
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            with self._lock():
                return self._refresh_locked()
        except Exception as exc:  # noqa: BLE001 - _fail re-raises what it does not know
            raise _fail(exc, "refresh") from exc

    def _refresh_locked(self) -> list[AvailableTarget]:
        updater = Updater(str(self.metadata_dir), self.metadata_url, str(self.cache_dir), self.targets_url,
                          fetcher=self.fetcher, config=UpdaterConfig(app_user_agent=USER_AGENT),
                          bootstrap=self.root_bytes)
        updater.refresh()
        # ngclient persists each file only after it verified it, and this
        # refresh just loaded (and, if newer, stored) root and targets: the
        # files on disk are the trusted ones. python-tuf has no public
        # "list targets" call, hence reading them back here.
        root = Metadata[Root].from_bytes((self.metadata_dir / "root.json").read_bytes()).signed
        targets = Metadata[Targets].from_bytes((self.metadata_dir / "targets.json").read_bytes()).signed
        self._consistent_snapshot = bool(root.consistent_snapshot)
        self._trusted = dict(targets.targets)
        available = []
        for info in targets.targets.values():
            try:
                available.append(AvailableTarget.from_target_file(info))
            except ValueError as exc:
                log.warning("skipping target %s: %s", info.path, exc)
        return sorted(available, key=lambda t: (t.kind, t.target_id, t.path))

    # -- download

    def download(self, target: AvailableTarget, dest_dir: Path, *, cancel: threading.Event | None = None,
                 progress: Progress | None = None) -> Path:
        """Download ``target`` into ``dest_dir`` (file name = last part of its path) and verify it.

        Nothing is written to ``dest_dir`` unless the file matches the signed
        length and hashes. A dropped connection resumes with ``Range``; after
        ``attempts`` failures the ``.partial`` file stays in the cache for the
        next run.
        """
        try:
            if self._trusted is None:
                self.refresh()
            with self._lock():
                return self._download_locked(target, Path(dest_dir), cancel, progress)
        except UpdateError:
            raise
        except Exception as exc:  # noqa: BLE001 - _fail re-raises what it does not know
            raise _fail(exc, f"download of {target.path}") from exc

    def partial_path(self, target: AvailableTarget) -> Path:
        digest = next(iter(target.hashes.values()))[:32]
        return self.cache_dir / "partial" / f"{digest}.{target.filename}.partial"

    def _download_locked(self, target: AvailableTarget, dest_dir: Path, cancel: threading.Event | None,
                         progress: Progress | None) -> Path:
        assert self._trusted is not None
        info = self._trusted.get(target.path)
        if info is None:
            raise UpdateError(UpdateErrorKind.SECURITY, f"{target.path} is not in the trusted targets metadata")
        if info.length != target.length or info.hashes != target.hashes:
            raise UpdateError(UpdateErrorKind.SECURITY, f"{target.path} differs from the trusted targets metadata")
        url_path = info.get_prefixed_paths()[0] if self._consistent_snapshot else info.path
        url = self.targets_url + quote(url_path, safe="/")
        partial = self.partial_path(target)
        partial.parent.mkdir(parents=True, exist_ok=True)

        fresh_retry_done = False
        failures = 0
        while True:
            resumed = partial.exists() and partial.stat().st_size > 0
            try:
                self._fetch_into(url, info, partial, cancel, progress)
            except UpdateError:
                raise
            except tuf_errors.DownloadError as exc:
                failures += 1
                permanent = isinstance(exc, tuf_errors.DownloadHTTPError) and exc.status_code < 500 \
                    and exc.status_code not in (408, 416, 429)
                if permanent or failures >= self.attempts:
                    raise
                delay = self.backoff_seconds * 2 ** (failures - 1)
                log.info("download of %s interrupted (%s); retrying in %.1f s", target.path, exc, delay)
                if cancel is not None:
                    if cancel.wait(delay):
                        raise UpdateError(UpdateErrorKind.CANCELLED, target.path) from None
                else:
                    time.sleep(delay)
                continue
            try:
                with partial.open("rb") as handle:
                    info.verify_length_and_hashes(handle)
            except tuf_errors.LengthOrHashMismatchError as exc:
                partial.unlink(missing_ok=True)
                if resumed and not fresh_retry_done:
                    # The bytes kept from an earlier run may be what is wrong: one clean try.
                    fresh_retry_done = True
                    continue
                raise UpdateError(UpdateErrorKind.HASH_MISMATCH, f"{target.path}: {exc}") from exc
            break
        return _move_into_place(partial, dest_dir / target.filename)

    def _fetch_into(self, url: str, info: TargetFile, partial: Path, cancel: threading.Event | None,
                    progress: Progress | None) -> None:
        """Bring ``partial`` up to ``info.length`` bytes, resuming what is there."""
        have = partial.stat().st_size if partial.exists() else 0
        if have > info.length:
            partial.unlink()
            have = 0
        if have == info.length:
            return
        if cancel is not None and cancel.is_set():
            raise UpdateError(UpdateErrorKind.CANCELLED, info.path)
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = f"bytes={have}-"
        try:
            response = self.fetcher.open(url, headers=headers)
        except tuf_errors.DownloadHTTPError as exc:
            if exc.status_code == 416:  # our partial no longer fits the file: start again
                partial.unlink(missing_ok=True)
            raise
        mode = "ab"
        if response.status_code == 206 and have:
            content_range = response.headers.get("Content-Range", "")
            if not content_range.startswith(f"bytes {have}-"):
                response.close()
                partial.unlink(missing_ok=True)
                raise tuf_errors.DownloadError(f"{url}: unexpected Content-Range {content_range!r}")
        elif response.status_code == 200:
            have, mode = 0, "wb"  # the server ignored Range (or there was nothing to resume)
        else:
            response.close()
            raise tuf_errors.DownloadError(f"{url}: unexpected HTTP {response.status_code}")

        # What the server says the whole file is: refuse a wrong size before reading a byte.
        total: int | None = None
        declared = response.headers.get("Content-Length", "")
        if response.status_code == 206:
            size = response.headers.get("Content-Range", "").rpartition("/")[2]
            total = natural(size)
        else:
            total = natural(declared)
        if total is not None and total != info.length:
            response.close()
            partial.unlink(missing_ok=True)
            if total > info.length:
                raise UpdateError(UpdateErrorKind.TOO_LARGE, f"{info.path}: the server announces {total} bytes, "
                                                             f"the signed length is {info.length}")
            raise UpdateError(UpdateErrorKind.HASH_MISMATCH, f"{info.path}: the server's file is {total} bytes, "
                                                             f"the signed length is {info.length}")

        received = have
        chunks = self.fetcher.iter_chunks(response, limit=info.length + 1 - have)
        too_large = False
        try:
            with partial.open(mode) as out:
                for chunk in chunks:
                    if received + len(chunk) > info.length:
                        too_large = True
                        break
                    out.write(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(received / info.length if info.length else 1.0, info.path)
                    if cancel is not None and cancel.is_set():
                        raise UpdateError(UpdateErrorKind.CANCELLED, info.path)
        finally:
            chunks.close()
        if too_large:
            # Endless data: at most length + 1 bytes were read, and none of them are kept.
            partial.unlink(missing_ok=True)
            raise UpdateError(UpdateErrorKind.TOO_LARGE,
                              f"{info.path}: the server sent more than the signed {info.length} bytes")
        if received < info.length:
            # The body ended early without an error (no or a lying Content-Length): resume next try.
            raise tuf_errors.DownloadError(f"{url}: connection ended after {received} of {info.length} bytes")


def _move_into_place(source: Path, final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, final)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with atomic_target(final) as tmp:  # another file system: copy, then rename
            shutil.copyfile(source, tmp)
        source.unlink(missing_ok=True)
    return final


def load_root_bytes(path: Path) -> bytes:
    """The trust anchor shipped with the app (resources/tuf/root.json), checked to parse as TUF root."""
    data = Path(path).read_bytes()
    try:
        Metadata[Root].from_bytes(data)
    except Exception as exc:  # noqa: BLE001 - any parse failure means a broken install
        raise UpdateError(UpdateErrorKind.SECURITY, f"the trust anchor {path} is not TUF root metadata: {exc}") from exc
    return data


__all__ = [
    "AvailableTarget", "FileLock", "LockTimeout", "RequestsFetcher", "UpdateClient", "UpdateError",
    "UpdateErrorKind", "load_root_bytes", "rollout_bucket", "should_take",
]
