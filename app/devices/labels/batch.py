"""A run of numbered test tags, rendered and verified in a worker process, sent as one job.

The printer tab's "In loạt tem" prints N tags with consecutive item codes,
as a shop prints the tags of a delivery: it shows whether the printer keeps
every tag in register over a run (gap sensor, ribbon, head heat) and how
long a run takes.

Why a process: rendering and verifying a tag is pure Python (~2.5 ms).  On
a thread of the window's process, a few hundred of them hold the interpreter
lock so often that the window stutters as soon as anything else runs (bench
``stalls``: "all four at once" kept gaps of 50-90 ms with the tags on a
thread).  So the run is rendered by one spawned process at lowered
priority, in chunks; each chunk's bytes come back when done, progress is per
chunk and a cancel takes effect within one chunk.  Nothing is sent until
every tag has been verified, so a refused tag spoils no label.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from app.devices.labels.job import prepare_job
from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.model import (
    ITEM_CODE_PATTERN,
    JewelleryTag,
    LabelTemplate,
    TagFieldError,
)
from app.threads import lower_this_thread

MAX_RUN = 1000  # a big delivery's tags; more is a job for the POS, not a printer test
CHUNK = 25  # ~60 ms of rendering: the granularity of progress and of a cancel
_POLL_S = 0.1  # how often a wait for a chunk looks at the cancel flag

Progress = Callable[[float, str], None]


class RunFailed(RuntimeError):
    """The worker process could not render the run (it crashed, or could not be started)."""


def numbered_tags(tag: JewelleryTag, count: int) -> list[JewelleryTag]:
    """``count`` copies of ``tag`` whose item codes count up from its own: 75000001, 75000002, …

    The number at the end of the code is what counts (its width is kept,
    so all-digit codes keep their even length for the compact barcode);
    a code that does not end in digits is refused with ``TagFieldError``.
    """
    if not 1 <= count <= MAX_RUN:
        raise TagFieldError("count", "out_of_range", f"1..{MAX_RUN}")
    match = re.fullmatch(r"(.*?)([0-9]+)", tag.item_code)
    if match is None:
        raise TagFieldError("item_code", "no_number", tag.item_code)
    head, digits = match.groups()
    first = int(digits)
    tags = []
    for offset in range(count):
        code = f"{head}{first + offset:0{len(digits)}d}"
        if not ITEM_CODE_PATTERN.fullmatch(code):
            raise TagFieldError("item_code", "too_long", code)
        tags.append(replace(tag, item_code=code))
    return tags


def _render_chunk(tags: Sequence[JewelleryTag], template: LabelTemplate, language: PrinterLanguage | str, dpi: int,
                  font: str | None) -> bytes:
    """In the worker process: every tag verified (TagRefused otherwise), then its printer bytes, in order."""
    return b"".join(prepare_job(tag, template, language, dpi, font=font)[0] for tag in tags)


def _start_worker() -> None:
    lower_this_thread()  # the worker's only thread: the till's POS and our window come first


def render_run(tags: Sequence[JewelleryTag], template: LabelTemplate, language: PrinterLanguage | str, dpi: int, *,
               cancel: threading.Event, progress: Progress, font: str | None = None,
               chunk: int = CHUNK) -> bytes | None:
    """The printer's bytes for every tag, in order; ``None`` if ``cancel`` was set.

    Raises :class:`~app.devices.labels.layout.TagRefused` for the first tag
    whose barcode would not scan, :class:`RunFailed` if the worker died.
    ``progress(fraction, item_code)`` is called after each chunk.
    """
    if not tags:
        return b""
    context = multiprocessing.get_context("spawn")  # no fork of a process that runs Qt and threads
    parts: list[bytes] = []
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_worker) as pool:
            chunks = [tags[start:start + chunk] for start in range(0, len(tags), chunk)]
            futures = [pool.submit(_render_chunk, part, template, language, dpi, font) for part in chunks]
            done_tags = 0
            for part, future in zip(chunks, futures, strict=True):
                if not _wait(future, cancel):
                    pool.shutdown(wait=True, cancel_futures=True)  # the running chunk ends; the rest never start
                    return None
                parts.append(future.result())
                done_tags += len(part)
                progress(done_tags / len(tags), part[-1].item_code)
    except BrokenProcessPool as exc:
        raise RunFailed(f"the tag worker process stopped: {exc}") from exc
    except OSError as exc:  # no process could be started (out of memory, handles)
        raise RunFailed(f"could not start the tag worker process: {exc}") from exc
    return b"".join(parts)


def _wait(future: Future[bytes], cancel: threading.Event) -> bool:
    """Wait for ``future``; False as soon as ``cancel`` is set."""
    while not cancel.is_set():
        try:
            future.exception(timeout=_POLL_S)
        except FutureTimeout:
            continue
        return True
    return False
