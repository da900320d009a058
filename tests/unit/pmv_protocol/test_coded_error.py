"""The shared error shape: the log's message, the code kept, and the trip through pickle a worker process makes."""

from __future__ import annotations

import pickle

import pytest

from app.devices.labels.layout import TagRefused, VerifyProblem
from app.devices.serial_scanner import ScannerError, ScannerErrorKind
from app.updates.app_install import StageError, StageProblem
from pmv_protocol.coded_error import CodedError
from pmv_protocol.unlock_codes import UnlockError, UnlockReason

CASES = [
    (UnlockError(UnlockReason.EXPIRED, "issued 01/12"), "reason", UnlockReason.EXPIRED),
    (TagRefused(VerifyProblem.BARS_TOO_THIN, "0.19 mm"), "problem", VerifyProblem.BARS_TOO_THIN),
    (ScannerError(ScannerErrorKind.GONE, "EIO"), "kind", ScannerErrorKind.GONE),
    (StageError(StageProblem.DISK, "No space left on device"), "problem", StageProblem.DISK),
]


@pytest.mark.parametrize(("error", "name", "code"), CASES, ids=lambda v: type(v).__name__)
def test_the_feature_name_and_the_message_the_log_has_always_shown(error: CodedError, name: str, code: object) -> None:
    assert getattr(error, name) is code is error.code
    assert str(error) == f"{error.code.value}: {error.detail}"


@pytest.mark.parametrize(("error", "name", "code"), CASES, ids=lambda v: type(v).__name__)
def test_a_worker_process_hands_back_the_same_error(error: CodedError, name: str, code: object) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (back.code, back.detail, str(back)) == (error.code, error.detail, str(error))


def test_without_detail_the_message_is_the_code_alone() -> None:
    assert str(UnlockError(UnlockReason.REPLAYED)) == "replayed"
    assert isinstance(TagRefused(VerifyProblem.DECODES_WRONG), ValueError)  # callers catch it as a bad value
