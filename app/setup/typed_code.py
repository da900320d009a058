"""An enrolment code as typed on a shop's till: read it, undoing what a Vietnamese input method made of it.

Unikey or EVKey is on all day on a gold shop's till, and it turns a code's keys into Vietnamese letters:
in Telex ``DD`` gives Đ, ``AA`` Â, ``AW`` Ă, ``OW`` Ơ, ``W`` Ư and ``S F R X J`` put a tone on the vowel
before; in VNI ``D9`` gives Đ, ``A6`` Â, ``A8`` Ă, ``O7`` Ơ, ``U7`` Ư and ``1``-``5`` are the tones.  With
free marking the modifier may come later in the word than its letter (``AN1`` gives ÁN), and whether a
key acts depends on the syllable around it: only replaying the engine says what a code's keys became.

:func:`undo_input_method` goes backwards: from each marked letter it puts back the base letter and the
keys that make its marks, anywhere after it in the same word, keeps the key sequences that read as a
good code (:func:`pmv_protocol.enrolment_codes.read_code`: its two check characters catch a wrong
guess), and of those the ones the input method model (:mod:`app.devices.ime`, every modelled setting
of both methods) turns into exactly the text seen.  Only one code may remain: two candidates (a 1 in
1,000 chance per wrong guess that passes the check) or none leave the reading as
:attr:`~pmv_protocol.enrolment_codes.CodeProblem.INPUT_METHOD`, which the UI words as "turn the
Vietnamese input method off and type the code again".
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from app.devices.ime import CONFIGURATIONS, Mode, type_keys
from pmv_protocol.enrolment_codes import LENGTH, CodeProblem, CodeReading, code_characters, read_code, vietnamese_letter

__all__ = ["read_typed_code", "undo_input_method"]

_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
_TELEX_TONES = dict(zip(_TONES, "sfrxj", strict=True))
_VNI_TONES = dict(zip(_TONES, "12345", strict=True))
_VNI_SHAPES = {_CIRCUMFLEX: "6", _BREVE: "8", _HORN: "7"}
_MAX_CANDIDATES = 5_000  # key sequences tried for one text; beyond it the text is left as it reads
_MAX_STEPS = 5_000  # ways of reading the letters tried, of any length: the work stays bounded (~0.05 s)
# An input method only joins keys into fewer letters, so what it made of a code is at most the code with its
# separators ("ABCDE-FGHJK", spaces around): anything longer (a whole message pasted) is not undone.
_MAX_TEXT = 2 * LENGTH


@dataclass(frozen=True)
class _Letter:
    """One way a marked letter was typed: its first key(s) and the modifier keys that came after it."""

    keys: str
    modifiers: tuple[str, ...]


def _ways(ch: str, mode: Mode) -> list[_Letter]:
    """How ``ch`` (a letter with Vietnamese marks) can come out of ``mode``; empty when it cannot."""
    upper = ch.isupper()
    lower = ch.lower()
    if lower == "đ":
        base, marks = "d", ""
    else:
        decomposed = unicodedata.normalize("NFD", lower)
        base, marks = decomposed[0], decomposed[1:]
        if not base.isascii() or not base.isalpha():
            return []
    shapes = [m for m in marks if m in (_CIRCUMFLEX, _BREVE, _HORN)]
    tones = [m for m in marks if m in _TONES]
    if len(shapes) + len(tones) != len(marks) or len(shapes) > 1 or len(tones) > 1:
        return []
    tone = tones[0] if tones else None
    shape = shapes[0] if shapes else None
    ways: list[_Letter] = []
    if mode is Mode.TELEX:
        tone_keys = (_TELEX_TONES[tone],) if tone else ()
        if lower == "đ":
            ways.append(_Letter("d", ("d", *tone_keys)))
        elif shape == _CIRCUMFLEX:
            ways.append(_Letter(base, (base, *tone_keys)))
        elif shape is not None:
            ways.append(_Letter(base, ("w", *tone_keys)))
            if base == "u" and shape == _HORN:
                ways.append(_Letter("w", tone_keys))  # Telex: w alone is ư
        else:
            ways.append(_Letter(base, tone_keys))
    else:
        tone_keys = (_VNI_TONES[tone],) if tone else ()
        if lower == "đ":
            ways.append(_Letter("d", ("9", *tone_keys)))
        else:
            shape_keys = (_VNI_SHAPES[shape],) if shape else ()
            ways.append(_Letter(base, (*shape_keys, *tone_keys)))
    if upper:
        ways = [_Letter(way.keys.upper(), tuple(key.upper() for key in way.modifiers)) for way in ways]
    return ways


def _word_end(text: str, index: int) -> int:
    """Where the word holding ``text[index]`` ends: a modifier key acts only within its word."""
    end = index + 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return end


def _candidates(text: str, mode: Mode) -> Iterator[str]:
    """Every key sequence that may have given ``text`` in ``mode`` and has a code's number of characters."""
    choices: list[list[_Letter]] = []
    for ch in text:
        if not vietnamese_letter(ch):
            choices.append([_Letter(ch, ())])
        else:
            ways = _ways(ch, mode)
            if not ways:
                return
            choices.append(ways)
    for step, letters in enumerate(itertools.product(*choices)):
        if step >= _MAX_STEPS:  # each "ư" doubles the ways (Telex: "w", or "u" then "w")
            return
        plain = "".join(letter.keys + "".join(letter.modifiers) for letter in letters)
        if len(code_characters(plain)) != LENGTH:
            continue
        # Each modifier key lands after some character of its letter's word (its slot), in any order there.
        keys = [(index, key) for index, letter in enumerate(letters) for key in letter.modifiers]
        slots = [range(index, _word_end(text, index)) for index, _key in keys]
        for placed in itertools.product(*slots):
            at: dict[int, list[str]] = {}
            for slot, (_index, key) in zip(placed, keys, strict=True):
                at.setdefault(slot, []).append(key)
            orders = [sorted(set(itertools.permutations(at[slot]))) for slot in sorted(at)]
            for chosen in itertools.product(*orders):
                after = dict(zip(sorted(at), chosen, strict=True))
                yield "".join(letter.keys + "".join(after.get(index, ())) for index, letter in enumerate(letters))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def undo_input_method(text: str) -> str | None:
    """The keys typed, when ``text`` is what Unikey/EVKey made of a good code's keys and only one code fits.

    None when ``text`` holds no letter an input method makes, when no key sequence gives it, or when the
    keys of two different codes would.
    """
    text = unicodedata.normalize("NFC", text.strip())
    if len(text) > _MAX_TEXT:
        return None
    target = _folded(text)
    found: dict[str, str] = {}  # canonical code -> the keys that gave it
    tried = 0
    for mode in Mode:
        for keys in _candidates(text, mode):
            tried += 1
            if tried > _MAX_CANDIDATES:
                return None
            reading = read_code(keys)
            if reading.code is None or reading.code in found:
                continue
            if any(_folded(type_keys(keys, mode, options)) == target for options in CONFIGURATIONS):
                found[reading.code] = keys
                if len(found) > 1:
                    return None
    return next(iter(found.values()), None)


def read_typed_code(text: str) -> CodeReading:
    """:func:`read_code`, reading a Vietnamese input method's letters as the keys that made them when it can."""
    reading = read_code(text)
    if reading.problem is CodeProblem.INPUT_METHOD:
        keys = undo_input_method(text)
        if keys is not None:
            return read_code(keys)
    return reading
