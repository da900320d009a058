"""The upload reader (vendor_server/uploads.py) on a real multipart body streamed in chunks, as Starlette hands it
over: a client that stops sending mid-body is cut off, and its half-written file does not stay on the disk."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from vendor_server import uploads

BOUNDARY = "pmv-boundary"


def _head() -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n{uuid.uuid4()}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"nhat-ky.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()


async def _stalling() -> AsyncIterator[bytes]:
    """Half a file, then nothing: a till on a line that dropped without closing the connection."""
    yield _head()
    yield b"x" * 200_000
    await asyncio.sleep(3600)
    yield b""  # never reached


def test_an_upload_that_stops_sending_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    async def receive() -> None:
        await uploads.receive_upload(f"multipart/form-data; boundary={BOUNDARY}", None, _stalling(), tmp_path,
                                     idle_seconds=0.3)

    with pytest.raises(uploads.UploadStalled) as refused:
        asyncio.run(asyncio.wait_for(receive(), timeout=30))
    assert refused.value.status == 408
    incoming = tmp_path / uploads.INCOMING_DIR
    assert not incoming.exists() or list(incoming.iterdir()) == []


async def _over_the_limit_then_stalling() -> AsyncIterator[bytes]:
    yield _head()
    yield b"x" * 5_000  # past the limit below: refused, and the rest of the body is read off the line
    await asyncio.sleep(3600)
    yield b""


@pytest.mark.parametrize("declared", [None, "100000"], ids=["too_large_mid_file", "too_large_declared"])
def test_a_refused_upload_that_stops_sending_is_let_go_too(tmp_path: Path, declared: str | None) -> None:
    """A refused body is drained so the answer can be read; a client that stops sending while it is drained must
    not hold the connection (found by the review of this change)."""
    async def receive() -> None:
        await uploads.receive_upload(f"multipart/form-data; boundary={BOUNDARY}", declared,
                                     _over_the_limit_then_stalling(), tmp_path, max_bytes=1_000, idle_seconds=0.3)

    with pytest.raises(uploads.UploadTooLarge):
        asyncio.run(asyncio.wait_for(receive(), timeout=10))
