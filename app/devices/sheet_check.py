"""Scanning the printed test sheet in order: which code a scan was meant to be, and what went wrong.

Qt-free so the scanner bench can judge a burst of serial scans in a worker
(a continuous-mode scanner sends tens per second; ~3 ms of diagnosis each
would stall the GUI thread) while a single wedge scan is judged at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.devices.diagnosis import Fault, diagnose
from app.devices.test_sheet import TEST_CODES, TestCode

SheetStatus = dict[str, bool | None]  # code key -> None (not yet), True (read right), False (fault)


def new_status() -> SheetStatus:
    return {code.key: None for code in TEST_CODES}


def awaited_code(text: str, status: Mapping[str, bool | None]) -> TestCode | None:
    """The sheet code this scan was meant to be: an exact match, else the next one not yet read right."""
    for code in TEST_CODES:
        if code.content == text:
            return code
    return next((code for code in TEST_CODES if not status[code.key]), None)


@dataclass(frozen=True)
class SheetResult:
    code: TestCode
    received: str  # as typed, terminator included
    faults: list[Fault]


def check_scan(text: str, terminator: str, status: SheetStatus) -> SheetResult | None:
    """Judge one scan against the sheet and record it in ``status``; None when the sheet is done."""
    code = awaited_code(text, status)
    if code is None:
        return None
    faults = diagnose(code.content, text + terminator, symbology=code.symbology)
    status[code.key] = not faults
    return SheetResult(code, text + terminator, faults)


def check_scans(scans: Iterable[tuple[str, str]], status: Mapping[str, bool | None]
                ) -> tuple[SheetStatus, SheetResult | None]:
    """Judge scans in order on a copy of ``status``; the new status and the last result."""
    updated: SheetStatus = dict(status)
    last = None
    for text, terminator in scans:
        last = check_scan(text, terminator, updated) or last
    return updated, last
