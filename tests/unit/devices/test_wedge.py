"""Keyboard-wedge classification on recorded key timings.

The sequences imitate what the test page records: a scanner types with
2-12 ms between keys and an occasional 20 ms hiccup; a person types with
90-350 ms between keys.  Generators are seeded, so every run sees the same keys.
"""

from __future__ import annotations

import random

import pytest

from app.devices.wedge import KeyEvent, WedgeClassifier, WedgeScan, classify

EAN = "8934567890128"


def scanner_keys(text: str, start: float, rng: random.Random, terminator: str = "\r") -> list[KeyEvent]:
    keys, at = [], start
    for ch in text + terminator:
        keys.append(KeyEvent(ch, at))
        at += 0.020 if rng.random() < 0.1 else rng.uniform(0.002, 0.012)
    return keys


def human_keys(text: str, start: float, rng: random.Random) -> list[KeyEvent]:
    keys, at = [], start
    for ch in text:
        keys.append(KeyEvent(ch, at))
        at += rng.uniform(0.090, 0.350)
    return keys


def even_keys(text: str, start: float, gap: float) -> list[KeyEvent]:
    return [KeyEvent(ch, start + i * gap) for i, ch in enumerate(text)]


def summary(scans: list[WedgeScan]) -> list[tuple[str, str, str]]:
    return [(scan.source, scan.text, scan.terminator) for scan in scans]


# ------------------------------------------------------------------ scanner

@pytest.mark.parametrize("seed", range(20))
def test_scanner_bursts_with_enter_or_tab(seed: int) -> None:
    rng = random.Random(seed)
    keys = scanner_keys(EAN, 10.0, rng, "\r") + scanner_keys("SP-000123", 11.0, rng, "\t")
    scans = classify(keys)
    assert summary(scans) == [("scanner", EAN, "enter"), ("scanner", "SP-000123", "tab")]
    assert scans[0].started_at == 10.0 and scans[1].started_at == 11.0
    assert all(60 < scan.keys_per_second < 500 for scan in scans)


def test_keys_per_second_counts_every_gap_including_the_terminator() -> None:
    # 13 digits 5 ms apart, Enter 15 ms later: 13 gaps in 75 ms.
    keys = even_keys(EAN, 3.0, 0.005)
    keys.append(KeyEvent("\r", keys[-1].at + 0.015))
    [scan] = classify(keys)
    assert scan.keys_per_second == pytest.approx(13 / 0.075)
    assert (scan.source, scan.text, scan.terminator, scan.started_at) == ("scanner", EAN, "enter", 3.0)


def test_scanner_without_terminator_is_none_even_if_the_cashier_presses_enter() -> None:
    rng = random.Random(1)
    keys = scanner_keys(EAN, 5.0, rng, terminator="")
    keys.append(KeyEvent("\r", keys[-1].at + 0.6))  # the cashier, by hand
    assert summary(classify(keys)) == [("scanner", EAN, "none")]


@pytest.mark.parametrize("slow_gaps", [1, 2])
def test_one_or_two_jittery_gaps_stay_one_scan(slow_gaps: int) -> None:
    keys = even_keys(EAN + "\r", 0.0, 0.006)
    for n in range(slow_gaps):  # USB polling jitter stretches a gap to ~50-60 ms
        index = 4 + 4 * n
        shift = 0.045 + 0.01 * n
        keys = keys[:index] + [KeyEvent(k.text, k.at + shift) for k in keys[index:]]
    assert summary(classify(keys)) == [("scanner", EAN, "enter")]


def test_three_jittery_gaps_are_not_one_scan() -> None:
    keys = even_keys(EAN + "\r", 0.0, 0.006)
    for index in (3, 6, 9):
        keys = keys[:index] + [KeyEvent(k.text, k.at + 0.05) for k in keys[index:]]
    assert summary(classify(keys)) != [("scanner", EAN, "enter")]


@pytest.mark.parametrize("gap", [0.080, 0.150, 0.300])
def test_a_human_sized_gap_splits_a_burst(gap: float) -> None:
    first, second = even_keys("89345678", 0.0, 0.005), even_keys("90128\r", 0.035 + gap, 0.005)
    assert summary(classify(first + second)) == [("scanner", "89345678", "none"),
                                                 ("scanner", "90128", "enter")]


def test_short_fast_burst_is_below_min_length() -> None:
    assert summary(classify(even_keys("123\r", 0.0, 0.005))) == [("human", "123", "enter")]
    assert summary(classify(even_keys("123\r", 0.0, 0.005), min_length=3)) == [("scanner", "123", "enter")]


def test_modifier_presses_without_text_are_ignored() -> None:
    # A scanner "types" capitals with Shift; Qt reports the Shift press with empty text.
    keys: list[KeyEvent] = []
    at = 0.0
    for ch in "AB-12\r":
        if ch.isupper():
            keys.append(KeyEvent("", at))
            at += 0.004
        keys.append(KeyEvent(ch, at))
        at += 0.004
    [scan] = classify(keys)
    assert (scan.source, scan.text, scan.terminator) == ("scanner", "AB-12", "enter")
    # Six keys with text from 4 ms to 28 ms: the Shift presses are not keys.
    assert scan.keys_per_second == pytest.approx(5 / 0.024)
    assert scan.started_at == pytest.approx(0.004)


def test_max_scanner_gap_is_a_parameter() -> None:
    keys = even_keys(EAN + "\r", 0.0, 0.030)  # a slow scanner: 30 ms per key
    assert summary(classify(keys)) == [("scanner", EAN, "enter")]
    assert [scan.source for scan in classify(keys, max_scanner_gap_ms=10)] == ["human"]


# -------------------------------------------------------------------- human

@pytest.mark.parametrize("seed", range(30))
def test_human_typing_is_human(seed: int) -> None:
    rng = random.Random(1000 + seed)
    [entry] = classify(human_keys("8934567890128\r", 2.0, rng))
    assert (entry.source, entry.text, entry.terminator, entry.started_at) == ("human", EAN, "enter", 2.0)
    assert 1 / 0.350 <= entry.keys_per_second <= 1 / 0.090


def test_human_entry_without_enter_is_none() -> None:
    rng = random.Random(7)
    assert summary(classify(human_keys("abc", 0.0, rng))) == [("human", "abc", "none")]


# -------------------------------------------------------------------- mixed

def test_human_then_scan_then_human_is_split() -> None:
    rng = random.Random(42)
    typed = human_keys("12", 1.0, rng)
    scan = scanner_keys(EAN, typed[-1].at + 0.8, rng)
    more = human_keys("xyz\r", scan[-1].at + 0.6, rng)
    result = classify(typed + scan + more)
    assert summary(result) == [("human", "12", "none"), ("scanner", EAN, "enter"), ("human", "xyz", "enter")]
    assert [entry.started_at for entry in result] == [1.0, scan[0].at, more[0].at]


def test_scan_right_after_a_human_key_keeps_both() -> None:
    # The cashier types one digit, then scans 100 ms later (a human-sized gap).
    keys = [KeyEvent("5", 0.0)] + even_keys(EAN + "\r", 0.1, 0.004)
    assert summary(classify(keys)) == [("human", "5", "none"), ("scanner", EAN, "enter")]


@pytest.mark.parametrize("seed", range(25))
def test_random_mixtures_are_split_as_recorded(seed: int) -> None:
    rng = random.Random(seed)
    keys: list[KeyEvent] = []
    expected: list[tuple[str, str, str]] = []
    at = 0.0
    for _ in range(rng.randint(3, 8)):
        if rng.random() < 0.5:
            text = "".join(rng.choice("0123456789ABCDEF-") for _ in range(rng.randint(6, 20)))
            terminator = rng.choice(["\r", "\t", ""])
            keys += scanner_keys(text, at, rng, terminator)
            expected.append(("scanner", text, {"\r": "enter", "\t": "tab", "": "none"}[terminator]))
        else:
            text = "".join(rng.choice("qwertyuiop0123") for _ in range(rng.randint(1, 6)))
            keys += human_keys(text + "\r", at, rng)
            expected.append(("human", text, "enter"))
        at = keys[-1].at + rng.uniform(0.3, 2.0)
    assert summary(classify(keys)) == expected


# -------------------------------------------------------------- incremental

def test_incremental_classifier_reports_a_missing_terminator_after_the_pause() -> None:
    classifier = WedgeClassifier()
    keys = even_keys(EAN, 0.0, 0.005)
    assert [classifier.feed(key) for key in keys] == [[]] * len(keys)
    last = keys[-1].at
    assert classifier.poll(last + 0.05) == []  # still inside the jitter allowance
    assert summary(classifier.poll(last + 0.2)) == [("scanner", EAN, "none")]
    assert classifier.finish() == []


def test_incremental_classifier_reports_a_scan_on_its_enter() -> None:
    classifier = WedgeClassifier()
    keys = even_keys(EAN + "\r", 0.0, 0.005)
    done = [scan for key in keys for scan in classifier.feed(key)]
    assert summary(done) == [("scanner", EAN, "enter")]
