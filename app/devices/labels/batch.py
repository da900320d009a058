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
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.devices.labels.job import prepare_job
from app.devices.labels.languages import PrinterLanguage
from app.devices.labels.layout import TagRefused, VerifyProblem
from app.devices.labels.model import ITEM_CODE_PATTERN, JewelleryTag, LabelTemplate, TagFieldError
from app.infra.job_protocol import Progress
from app.infra.threads import lower_this_thread

MAX_RUN = 1000  # a big delivery's tags; more is a job for the POS, not a printer test
CHUNK = 25  # ~60 ms of rendering: the granularity of progress and of a cancel
_POLL_S = 0.1  # how often a wait for the worker looks at the cancel flag
# Starting the worker (a new interpreter importing the renderers) takes ~0.3 s, a chunk ~60 ms; a worker
# silent for this long is stuck (an antivirus holding its start, a hung import): the run fails, it is not waited on.
STALL_S = 60.0



class RunFailed(RuntimeError):
    """The worker process could not render the run (it could not start, crashed, or stopped answering)."""


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


def _worker(conn: Connection, tags: Sequence[JewelleryTag], template: LabelTemplate,
            language: PrinterLanguage | str, dpi: int, font: str | None, chunk: int) -> None:
    """In the worker process: each chunk's bytes (every tag verified first), then "end"; or why it stopped."""
    lower_this_thread()  # the worker's only thread: the till's POS and our window come first
    try:
        for start in range(0, len(tags), chunk):
            part = tags[start:start + chunk]
            data = b"".join(prepare_job(tag, template, language, dpi, font=font)[0] for tag in part)
            conn.send(("chunk", data, len(part), part[-1].item_code))
        conn.send(("end",))
    except TagRefused as exc:
        conn.send(("refused", exc.problem.value, exc.detail))
    except Exception as exc:  # noqa: BLE001 - sent as text: any exception object might not pickle
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def render_run(tags: Sequence[JewelleryTag], template: LabelTemplate, language: PrinterLanguage | str, dpi: int, *,
               cancel: threading.Event, progress: Progress, font: str | None = None,
               chunk: int = CHUNK) -> bytes | None:
    """The printer's bytes for every tag, in order; ``None`` if ``cancel`` was set.

    Raises :class:`~app.devices.labels.layout.TagRefused` for the first tag
    whose barcode would not scan, :class:`RunFailed` if the worker could not
    do the work.  ``progress(fraction, item_code)`` is called after each
    chunk.  The worker is stopped at once on cancel, refusal or failure.
    """
    if not tags or cancel.is_set():
        return b"" if not tags else None
    context = multiprocessing.get_context("spawn")  # no fork of a process that runs Qt and threads
    _windowless_worker(context)
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(sender, list(tags), template, language, dpi, font, chunk),
                             name="pmv-tag-run", daemon=True)
    try:
        try:
            worker.start()
        except OSError as exc:  # out of memory or handles
            raise RunFailed(f"could not start the tag worker process: {exc}") from exc
        finally:
            sender.close()  # ours; the worker has its own copy, so its death ends the pipe
        parts: list[bytes] = []
        done = 0
        while True:
            message = _receive(receiver, worker, cancel)
            if message is None:
                return None
            if message[0] == "end":
                return b"".join(parts)
            if message[0] == "refused":
                raise TagRefused(VerifyProblem(message[1]), message[2])
            if message[0] == "error":
                raise RunFailed(f"the tag worker process failed: {message[1]}")
            _kind, data, count, last_code = message
            parts.append(data)
            done += count
            progress(done / len(tags), last_code)
    finally:
        receiver.close()
        _stop(worker)


def _windowless_worker(context: Any) -> None:
    """On Windows, a source install's worker runs under pythonw.exe.

    multiprocessing starts ``python.exe`` without CREATE_NO_WINDOW, so a tray
    app started without a console (at logon, or restarted after an update)
    would flash a console window for each run.  The frozen bundle starts
    itself (windowed) and needs nothing.
    """
    if sys.platform != "win32" or getattr(sys, "frozen", False):
        return
    pythonw = Path(sys.executable).with_name("pythonw.exe")  # pragma: no cover - the shops' Windows tills
    if pythonw.is_file():  # pragma: no cover
        context.set_executable(str(pythonw))


def _receive(receiver: Connection, worker: Any, cancel: threading.Event) -> tuple[Any, ...] | None:
    """The worker's next message; None once ``cancel`` is set; RunFailed if it died or went silent."""
    silent_since = time.monotonic()
    while not cancel.is_set():
        if receiver.poll(_POLL_S):
            try:
                return receiver.recv()
            except (EOFError, OSError) as exc:
                raise RunFailed(f"the tag worker process stopped (exit code {worker.exitcode})") from exc
        if time.monotonic() - silent_since > STALL_S:
            raise RunFailed(f"the tag worker process sent nothing for {STALL_S:g} s")
    return None


def _stop(worker: Any) -> None:
    if worker.pid is None:  # never started
        return
    if worker.is_alive():
        worker.terminate()
    worker.join(5)
    if worker.is_alive():  # pragma: no cover - a process that ignores SIGTERM
        worker.kill()
        worker.join(5)
