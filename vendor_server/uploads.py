"""Receiving an attachment: a ``multipart/form-data`` body streamed to a temp file, under a size cap.

The bytes go straight to disk while being hashed and counted, so memory
stays flat and an oversized upload stops at the limit; every refusal is an
:class:`UploadError` whose ``status`` is the HTTP answer, and leaves nothing
on disk.  Framework-free (the route hands over the request's headers and body
stream); keeping what was received is :mod:`vendor_server.attachments`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from pmv_protocol.digits import natural
from pmv_protocol.ticket_flow import Refusal
from pmv_protocol.wire import CLIENT_ID_FIELD, FILE_FIELD, SHA256_FIELD, canonical_uuid

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# One ticket's files, all uploads together: far above a request's diagnostics and a conversation's
# screenshots (10 files a message), far below what a looping client could otherwise pour onto the vendor's disk.
MAX_TICKET_FILES = 200
MAX_TICKET_BYTES = 500 * 1024 * 1024
# Room for the multipart framing and the two small fields around the file,
# so a Content-Length check can refuse a hopeless upload before reading it.
MULTIPART_SLACK = 64 * 1024
MAX_FORM_FIELDS = 8
MAX_FIELD_BYTES = 1024
INCOMING_DIR = ".incoming"  # under the attachments root: same filesystem, so the final move is a rename
# A client that sends nothing for this long is gone (a till whose line dropped without closing): its half-written
# file and its connection are let go.  A till on a poor 4G line still sends some bytes every few seconds.
UPLOAD_IDLE_SECONDS = 60.0

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


class UploadError(Exception):
    """An upload was refused; ``status`` is the HTTP status the API answers with."""

    status = 400
    refusal: str | None = None  # a pmv_protocol.ticket_flow.Refusal code the shop's app words, where there is one

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UploadTooLarge(UploadError):
    """Over the attachment limit (413)."""

    status = 413


class UploadStalled(UploadError):
    """The client stopped sending mid-body (408); nothing of it is kept."""

    status = 408


class UploadInvalid(UploadError):
    """A well-formed upload with a wrong field: a client id that is no UUID, a checksum that does not match (422)."""

    status = 422


class TicketFull(UploadError):
    """The ticket already holds as many files, or bytes, as one ticket may (409)."""

    status = 409
    refusal = Refusal.TICKET_FULL.value


class UnsupportedUpload(UploadError):
    """Not a ``multipart/form-data`` body (415)."""

    status = 415


def sanitize_filename(name: str | None) -> str:
    """A display-only file name: last path component, no control or bidi characters.

    Never used as a path (files are stored under their client_id), but staff
    see it, so a name like ``invoice\u202efdp.exe`` must not spoof them.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C")).strip()
    if text in ("", ".", ".."):
        return "attachment"
    if len(text) > 200:
        stem, dot, ext = text.rpartition(".")
        text = stem[: 200 - len(ext) - 1] + dot + ext if dot and len(ext) <= 16 else text[:200]
    return text


class Spool:
    """One upload's bytes in a temp file under the attachments root, hashed and counted as they arrive."""

    def __init__(self, incoming: Path, max_bytes: int) -> None:
        incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=incoming)
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._max_bytes = max_bytes
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise UploadTooLarge(f"attachment too large: the limit is {self._max_bytes} bytes")
        self._hash.update(data)
        self._file.write(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


@dataclass
class ReceivedUpload:
    """A fully received, not yet stored upload; ``discard()`` it unless it is stored."""

    client_id: str
    claimed_sha256: str
    filename: str
    spool: Spool

    def discard(self) -> None:
        self.spool.discard()


class _FormReader:
    """Callbacks for python-multipart: small fields into memory, the one ``file`` part into a spool."""

    def __init__(self, incoming: Path, max_bytes: int) -> None:
        self._incoming, self._max_bytes = incoming, max_bytes
        self.fields: dict[str, str] = {}
        self.spool: Spool | None = None
        self.filename: str | None = None
        self.file_complete = self.complete = False
        self._header_name = self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._buffer = bytearray()
        self._in_file = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value_data, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end, "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._disposition, self._name, self._in_file = b"", "", False
        self._buffer.clear()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.fields) >= MAX_FORM_FIELDS:
                raise UploadInvalid("too many form fields")
            return
        if self._name != FILE_FIELD or self.spool is not None:
            raise UploadInvalid(f"send exactly one file, in the form field {FILE_FIELD!r}")
        self.filename = options[b"filename"].decode("utf-8", "replace")
        self.spool = Spool(self._incoming, self._max_bytes)
        self._in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            assert self.spool is not None
            self.spool.write(data[start:end])
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD_BYTES:
            raise UploadInvalid(f"form field {self._name!r} is too long")

    def _part_end(self) -> None:
        if self._in_file:
            self.file_complete = True
        else:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")

    def _end(self) -> None:
        self.complete = True

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.discard()


async def _drain(stream: AsyncIterator[bytes], limit: int, idle_seconds: float) -> None:
    """Read and drop up to ``limit`` more bytes of a refused body, giving up after ``idle_seconds`` of silence.

    Answering before the client has finished sending makes many clients see
    a connection reset instead of our 413; reading (not storing) the rest of
    a moderately oversized body lets them read the real answer.  A client
    that stops sending meanwhile is not waited for.
    """
    seen = 0
    chunks = stream.__aiter__()
    try:
        while seen <= limit:
            with anyio.fail_after(idle_seconds):
                chunk = await chunks.__anext__()
            seen += len(chunk)
    except (StopAsyncIteration, TimeoutError):
        return
    except Exception:  # the client went away: nothing left to answer
        return


async def receive_upload(content_type: str | None, content_length: str | None, stream: AsyncIterator[bytes],
                         attachments_root: Path, max_bytes: int = MAX_ATTACHMENT_BYTES,
                         idle_seconds: float = UPLOAD_IDLE_SECONDS) -> ReceivedUpload:
    """Stream a ``multipart/form-data`` body (``file``, ``client_id``, ``sha256``) into a temp file; a client
    silent for ``idle_seconds`` mid-body is refused (:class:`UploadStalled`).

    The bytes go straight to disk while being hashed and counted: memory
    stays flat and an oversized upload stops at the limit.  Raises an
    :class:`UploadError` subclass, leaving nothing on disk.
    """
    ctype, params = parse_options_header(content_type)
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UnsupportedUpload(
            f"expected a multipart/form-data body with {FILE_FIELD}, {CLIENT_ID_FIELD} and {SHA256_FIELD}")
    drain_limit = max(4 * max_bytes, 1024 * 1024)
    declared = natural(content_length or "")
    if declared is not None and declared > max_bytes + MULTIPART_SLACK:
        if declared <= drain_limit:
            await _drain(stream, drain_limit, idle_seconds)
        raise UploadTooLarge(f"attachment too large: the limit is {max_bytes} bytes")
    form = _FormReader(attachments_root / INCOMING_DIR, max_bytes)
    try:
        parser = MultipartParser(params[b"boundary"], form.callbacks())  # type: ignore[arg-type]
        chunks = stream.__aiter__()
        while True:
            try:
                with anyio.fail_after(idle_seconds):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise UploadStalled(f"no data for {idle_seconds:g} s: upload abandoned") from None
            # File writes happen inside the callbacks: keep them off the event loop.
            await anyio.to_thread.run_sync(parser.write, chunk)
        parser.finalize()
    except UploadStalled:
        form.discard()  # not drained: nothing more is coming
        raise
    except UploadError:
        form.discard()
        await _drain(stream, drain_limit, idle_seconds)
        raise
    except FormParserError:
        form.discard()
        raise UploadError("malformed multipart body") from None
    except BaseException:
        form.discard()
        raise
    return _checked(form)


def _checked(form: _FormReader) -> ReceivedUpload:
    """Validate the received form; discards the spool when refusing it."""
    try:
        if not form.complete or (form.spool is not None and not form.file_complete):
            raise UploadError("incomplete multipart body")
        if form.spool is None:
            raise UploadInvalid(f"missing form field {FILE_FIELD!r}")
        client_id = canonical_uuid(form.fields.get(CLIENT_ID_FIELD))
        if client_id is None:
            raise UploadInvalid(f"form field {CLIENT_ID_FIELD!r} must be a UUID")
        claimed = form.fields.get(SHA256_FIELD, "").strip()
        if not _HEX64.match(claimed):
            raise UploadInvalid(f"form field {SHA256_FIELD!r} must be 64 hex digits (SHA-256 of the file)")
    except UploadError:
        form.discard()
        raise
    form.spool.close()
    return ReceivedUpload(client_id, claimed.lower(), sanitize_filename(form.filename), form.spool)
