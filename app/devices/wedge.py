"""Telling a keyboard-wedge (USB HID) scanner from a person at the keyboard.

A wedge scanner "types" its code into whatever has focus, like a keyboard
that types a few hundred keys a second, usually followed by Enter or Tab.
The only thing that separates it from a cashier typing is timing: a scanner
leaves 2-15 ms between keys (the USB polling interval plus the scanner's
own inter-character delay), a person 80-400 ms.  The test page records the
keys with their times and classifies them here.

Rules (all on the gaps between consecutive keys):

* A *burst* is a run of keys whose gaps are at most ``max_scanner_gap_ms``.
  Up to ``max_slow_gaps`` gaps may be slower, but still under twice the
  threshold: USB polling jitter and a busy PC stretch a gap now and then,
  yet never into the 80 ms+ range of human typing.
* Enter or Tab closes a burst and is its terminator.
* A burst of at least ``min_length`` characters (terminator not counted) is
  a scan by a scanner; a scanner burst closed by a pause instead of Enter/Tab
  has terminator ``"none"`` -- the scanner's suffix is switched off, the
  fault the cashier sees as "the code appears but nothing happens".
* Everything else is the person typing: those keys form one entry until an
  Enter/Tab, or until a scan interrupts them.  An Enter pressed alone (for
  example by hand after a scan without terminator) carries no text and is
  not reported.

Key events whose text is empty (Shift, Ctrl pressed alone -- a scanner
"types" capitals with Shift) are ignored: they carry no character.
Qt-free; times are monotonic seconds as the UI recorded them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Terminator = Literal["enter", "tab", "none"]
Source = Literal["scanner", "human"]

# Qt reports Enter as "\r"; "\n" (keypad Enter on some layouts) means the same.
_TERMINATOR_KEYS: dict[str, Terminator] = {"\r": "enter", "\n": "enter", "\t": "tab"}


@dataclass(frozen=True)
class KeyEvent:
    text: str  # one character as typed; "\r" for Enter, "\t" for Tab
    at: float  # monotonic seconds


@dataclass(frozen=True)
class WedgeScan:
    text: str  # terminator excluded
    terminator: Terminator
    keys_per_second: float  # over all keys of the entry, terminator included
    source: Source
    started_at: float  # monotonic seconds of the first key


def _rate(keys: list[KeyEvent]) -> float:
    if len(keys) < 2:
        return 0.0
    # Clamp the span: a toolkit may stamp several keys with the same millisecond.
    span = max(keys[-1].at - keys[0].at, 0.001)
    return (len(keys) - 1) / span


class WedgeClassifier:
    """Incremental classification, for a test page that shows scans as they come.

    ``feed`` each key; call ``poll`` now and then while no key arrives (a
    scanner burst without terminator is only over once the silence shows it);
    ``finish`` when the test ends.  Each returns the entries completed by it,
    in the order they were typed.
    """

    def __init__(self, *, max_scanner_gap_ms: float = 35.0, min_length: int = 4,
                 max_slow_gaps: int = 2) -> None:
        if max_scanner_gap_ms <= 0 or min_length < 1 or max_slow_gaps < 0:
            raise ValueError("max_scanner_gap_ms > 0, min_length >= 1, max_slow_gaps >= 0")
        self._fast = max_scanner_gap_ms / 1000.0
        # Twice the threshold stays below the fastest human gaps (~80 ms) for
        # the default 35 ms, so jitter tolerance cannot swallow a typist's key.
        self._slow = 2 * self._fast
        self._min_length = min_length
        self._max_slow_gaps = max_slow_gaps
        self._burst: list[KeyEvent] = []
        self._slow_gaps = 0
        self._human: list[KeyEvent] = []

    def feed(self, event: KeyEvent) -> list[WedgeScan]:
        if not event.text:
            return []
        done: list[WedgeScan] = []
        if self._burst:
            gap = event.at - self._burst[-1].at
            if gap > self._slow or (gap > self._fast and self._slow_gaps >= self._max_slow_gaps):
                done += self._close_burst()
            elif gap > self._fast:
                self._slow_gaps += 1
        self._burst.append(event)
        if event.text in _TERMINATOR_KEYS:
            done += self._close_burst()
        return done

    def poll(self, now: float) -> list[WedgeScan]:
        if self._burst and now - self._burst[-1].at > self._slow:
            return self._close_burst()
        return []

    def finish(self) -> list[WedgeScan]:
        done = self._close_burst() if self._burst else []
        return done + self._flush_human()

    def _close_burst(self) -> list[WedgeScan]:
        burst, self._burst, self._slow_gaps = self._burst, [], 0
        terminator = _TERMINATOR_KEYS.get(burst[-1].text)
        body = burst[:-1] if terminator else burst
        if len(body) >= self._min_length:
            # Whatever the person typed before the scan is its own entry.
            scan = WedgeScan(text="".join(key.text for key in body), terminator=terminator or "none",
                             keys_per_second=_rate(burst), source="scanner", started_at=burst[0].at)
            return self._flush_human() + [scan]
        self._human += burst
        return self._flush_human() if terminator else []

    def _flush_human(self) -> list[WedgeScan]:
        keys, self._human = self._human, []
        terminator = _TERMINATOR_KEYS.get(keys[-1].text) if keys else None
        body = keys[:-1] if terminator else keys
        if not body:
            return []
        return [WedgeScan(text="".join(key.text for key in body), terminator=terminator or "none",
                          keys_per_second=_rate(keys), source="human", started_at=keys[0].at)]


def classify(events: Iterable[KeyEvent], *, max_scanner_gap_ms: float = 35.0, min_length: int = 4,
             max_slow_gaps: int = 2) -> list[WedgeScan]:
    """Classify a recorded key sequence into scanner scans and human entries, in order."""
    classifier = WedgeClassifier(max_scanner_gap_ms=max_scanner_gap_ms, min_length=min_length,
                                 max_slow_gaps=max_slow_gaps)
    done: list[WedgeScan] = []
    for event in events:
        done += classifier.feed(event)
    return done + classifier.finish()
