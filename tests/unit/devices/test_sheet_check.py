"""Judging scans of the test sheet in order, one at a time or as a burst."""

from __future__ import annotations

import pytest

from app.devices import sheet_check
from app.devices import test_sheet as sheet
from app.devices.diagnosis import Fault
from app.devices.ime import telex
from app.devices.sheet_check import awaited_code, check_scan, check_scans, new_status
from app.devices.test_sheet import TEST_CODES


def test_an_exact_code_is_itself_and_anything_else_is_the_next_awaited() -> None:
    status = new_status()
    assert awaited_code(TEST_CODES[2].content, status) is TEST_CODES[2]
    assert awaited_code("garbage", status) is TEST_CODES[0]
    status[TEST_CODES[0].key] = True
    assert awaited_code("garbage", status) is TEST_CODES[1]


def test_a_burst_gives_the_same_verdicts_as_one_by_one() -> None:
    scans = [(TEST_CODES[0].content, "\r"), (TEST_CODES[1].content, ""), (TEST_CODES[1].content, "\r"),
             (telex(TEST_CODES[2].content), "\r"), ("noise", "\r")]
    one_by_one = new_status()
    results = [check_scan(text, term, one_by_one) for text, term in scans]
    burst, last = check_scans(scans, new_status())
    assert burst == one_by_one
    assert last == results[-1]
    assert burst[TEST_CODES[0].key] is True and burst[TEST_CODES[1].key] is True  # read right the second time
    assert burst[TEST_CODES[2].key] is False
    assert Fault.MISSING_TERMINATOR in results[1].faults and Fault.IME_TELEX in results[3].faults


def test_a_finished_sheet_judges_nothing_more() -> None:
    status = {code.key: True for code in TEST_CODES}
    assert check_scan("anything", "\r", status) is None
    assert check_scans([("x", "\r")], status) == (status, None)


def test_each_code_is_judged_by_its_own_symbology(monkeypatch: pytest.MonkeyPatch) -> None:
    # A sheet whose tag code is all digits of an EAN-8's length, printed as Code 128 (the app's own tag code
    # 75000001): Code 128 has no GS1 check digit (ISO/IEC 15417), so nothing arriving is a disabled symbology,
    # never "the label's check digit is wrong, reprint it".
    tag = sheet.TestCode("tag", "code128", "75000001", "Mã tem")
    monkeypatch.setattr(sheet_check, "TEST_CODES", (tag,))
    status = new_status()
    result = check_scan("", "\r", status)
    assert result is not None and result.faults == [Fault.SYMBOLOGY_DISABLED]
    assert check_scan("7500001", "\r", new_status()).faults == [Fault.DROPPED_CHARS]  # type: ignore[union-attr]
