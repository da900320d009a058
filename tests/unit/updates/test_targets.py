"""How an update failure reads: its kind said once, in words (issue 18).

The case this guards against, from the issue: a refused root rollback reached the command line as
"update refused or failed (security): security: security: BadVersionNumberError…": ``str(UpdateError)`` began
with the raw kind, and passing an error on as ``UpdateError(error.kind, str(error))`` (app/cli.py did) added it
again each time.
"""

from __future__ import annotations

import pickle

import pytest

from app.updates.targets import KIND_WORDS, UpdateError, UpdateErrorKind

ROLLBACK = "BadVersionNumberError: expected root version 2 or higher, got 1"  # python-tuf's refusal, as logged


def test_the_kind_is_said_once_in_words_then_the_detail() -> None:
    error = UpdateError(UpdateErrorKind.SECURITY, ROLLBACK)
    assert str(error) == f"{KIND_WORDS[UpdateErrorKind.SECURITY]}: {ROLLBACK}"
    assert "security" not in str(error)  # the code name is for programs (error.kind), not for people
    assert error.kind is UpdateErrorKind.SECURITY and error.detail == ROLLBACK


@pytest.mark.parametrize("wrapped", [
    lambda e: UpdateError(e.kind, str(e)),  # passed on once (what app/cli.py did)
    lambda e: UpdateError(e.kind, str(UpdateError(e.kind, str(e)))),  # and again
    lambda e: UpdateError(e.kind, f"security: {e.detail}"),  # the old "kind: detail" text, as logged before
    lambda e: UpdateError(e.kind, f"security: security: {e.detail}"),
])
def test_passing_an_error_on_never_repeats_its_kind(wrapped) -> None:  # type: ignore[no-untyped-def]
    again = wrapped(UpdateError(UpdateErrorKind.SECURITY, ROLLBACK))
    assert str(again) == str(UpdateError(UpdateErrorKind.SECURITY, ROLLBACK))
    assert str(again).count(KIND_WORDS[UpdateErrorKind.SECURITY]) == 1
    assert again.detail == ROLLBACK


@pytest.mark.parametrize("kind", list(UpdateErrorKind))
def test_every_kind_has_words_and_reads_alone_without_a_detail(kind: UpdateErrorKind) -> None:
    error = UpdateError(kind)
    assert str(error) == KIND_WORDS[kind]
    assert kind.value not in str(error) and ":" not in str(error)
    assert str(UpdateError(kind, kind.value)) == KIND_WORDS[kind]  # a bare kind as the detail says nothing more


def test_another_kinds_words_stay_in_the_detail() -> None:
    # Only this error's own kind is dropped from the front: a network error explaining a busy lock keeps it.
    inner = str(UpdateError(UpdateErrorKind.NETWORK, "timed out"))
    outer = UpdateError(UpdateErrorKind.BUSY, inner)
    assert outer.detail == inner and str(outer) == f"{KIND_WORDS[UpdateErrorKind.BUSY]}: {inner}"


def test_an_error_survives_pickling_as_it_was() -> None:
    # Background jobs hand errors between processes; the kind must come back as the kind.
    error = pickle.loads(pickle.dumps(UpdateError(UpdateErrorKind.HASH_MISMATCH, "pack.json: sha256 differs")))
    assert error.kind is UpdateErrorKind.HASH_MISMATCH and error.detail == "pack.json: sha256 differs"
    assert str(error) == f"{KIND_WORDS[UpdateErrorKind.HASH_MISMATCH]}: pack.json: sha256 differs"
