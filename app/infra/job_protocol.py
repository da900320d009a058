"""What a long job looks like, to every layer: ``job(cancel, progress)``, and the one :class:`Cancelled`.

DESIGN.md's rule: blocking work that may take a while takes ``cancel: threading.Event`` and
``progress: Callable[[float, str], None]`` (a fraction 0..1 and a short step name).  A job that notices
``cancel`` stops early by raising :class:`Cancelled`, whichever layer it lives in (a health check, the
technician's bundle, an update run); whoever runs it reports a cancellation, not a failure: the window's
:class:`app.ui.tasks.TaskRunner` calls its ``on_cancelled``, the health runner marks the run cancelled.

Qt-free and dependency-free, at the bottom of the app's layers, so every feature can raise the same exception.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeAlias

Progress: TypeAlias = Callable[[float, str], None]
"""``progress(fraction, step)``: how far the job is (0..1) and what it does now."""

Job: TypeAlias = Callable[[threading.Event, Progress], Any]
"""``job(cancel, progress)``: the work; its return value is the result."""


class Cancelled(Exception):
    """Raised by a job that noticed ``cancel`` was set and stopped early; what it wrote so far is left consistent."""


def raise_if_cancelled(cancel: threading.Event | None, reason: str = "cancelled") -> None:
    """Stop here with :class:`Cancelled` if ``cancel`` is set (``None``: the job cannot be cancelled)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(reason)
