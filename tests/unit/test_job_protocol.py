"""The one job protocol: ``job(cancel, progress)`` and the one ``Cancelled`` every layer raises."""

from __future__ import annotations

import threading

import pytest

from app.infra.job_protocol import Cancelled, raise_if_cancelled


def test_a_job_stops_with_cancelled_only_once_cancel_is_set() -> None:
    cancel = threading.Event()
    raise_if_cancelled(cancel)
    raise_if_cancelled(None)  # a job nobody can cancel runs on
    cancel.set()
    with pytest.raises(Cancelled, match="stopped at step 2"):
        raise_if_cancelled(cancel, "stopped at step 2")


def test_the_features_raise_the_core_cancelled_not_their_own() -> None:
    from app.health.checks import backups

    assert backups.Cancelled is Cancelled
