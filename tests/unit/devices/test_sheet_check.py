"""Judging scans of the test sheet in order, one at a time or as a burst."""

from __future__ import annotations

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
