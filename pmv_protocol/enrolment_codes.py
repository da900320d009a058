"""Enrolment codes: what the vendor's staff read out to a shop so its new install can fetch its token.

A code is 10 characters of Crockford's base 32 (https://www.crockford.com/base32.html): digits and
capital letters without I, L, O and U, so nothing in it looks like anything else and no rude word
spells by accident.  Reading follows Crockford's decoder: case is ignored, O is read as 0 and I, L as
1, and dashes and spaces (the display's grouping, ``ABCDE-FGHJK``) are dropped.  A code pasted from a
chat or an e-mail brings their look-alikes (a non-breaking space, an en dash, a minus sign, an invisible
zero-width space): every space, dash and formatting character is dropped too, and so is punctuation
around the code ("ABCDE-FGHJK." at the end of a sentence, quotes).  A letter with Vietnamese marks
(Đ, Ư, Á…: what Unikey or EVKey make of the keys when left on) is its own problem,
:attr:`CodeProblem.INPUT_METHOD`, never "character 3 is wrong": the shop's app may undo the input method
(``app.setup.typed_code``), and otherwise asks for it to be turned off.

The first 8 characters are random (40 bits: with 72 hours of life, one use and the server's
throttling, guessing is hopeless); the last 2 are check characters of a Reed–Solomon code over
GF(32).  One check character (Crockford's own mod-37 symbol) can only say that a code is wrong;
two find *which* character is wrong when one is, so the wizard can say "kiểm tra lại ký tự thứ 7"
without asking the server.  Any two wrong characters are still detected (the code's distance is 3),
but may be mistaken for one wrong elsewhere: the position is a hint to re-read, never a correction.

GF(32) is built on the primitive polynomial x^5 + x^2 + 1; the generator polynomial is
(x - a)(x - a^2) for the primitive element a = x.
"""

from __future__ import annotations

import enum
import secrets
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's 32 symbols, in value order
ALIASES = {"O": "0", "I": "1", "L": "1"}  # Crockford: read, never written
LENGTH = 10
DATA_LENGTH = 8
GROUP = 5  # shown as two groups of five: ABCDE-FGHJK
_MINUS = "\u2212"  # the minus sign (category Sm): a word processor's "dash" between the groups
_DASHES = "Pd"  # every dash: hyphen-minus, ‐ ‑ ‒ – — ―, the Japanese and full-width ones
_INVISIBLE = "Cf"  # zero-width space, soft hyphen, byte order and direction marks pasted along
_DOTLESS = "đĐ"  # Vietnamese letters with no decomposition (đ is d with a bar, not d plus a mark)

_PRIMITIVE = 0b100101  # x^5 + x^2 + 1
_EXP: list[int] = []
_LOG = [0] * 32


def _build_field() -> None:
    value = 1
    for power in range(31):
        _EXP.append(value)
        _LOG[value] = power
        value <<= 1
        if value & 0b100000:
            value ^= _PRIMITIVE
    _EXP.extend(_EXP[:31])  # so exponents up to 61 need no modulo


_build_field()


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    return 0 if a == 0 else _EXP[(_LOG[a] - _LOG[b]) % 31]


# g(x) = (x + a)(x + a^2) = x^2 + (a + a^2) x + a^3  (in characteristic 2, minus is plus)
_G1 = _EXP[1] ^ _EXP[2]
_G0 = _EXP[3]


def _check_symbols(data: list[int]) -> list[int]:
    """The remainder of data(x) * x^2 divided by g(x), highest power first."""
    r1 = r0 = 0
    for symbol in data:
        feedback = symbol ^ r1
        r1 = r0 ^ _mul(feedback, _G1)
        r0 = _mul(feedback, _G0)
    return [r1, r0]


def _syndrome(symbols: list[int], power: int) -> int:
    """The received word evaluated at a^power (Horner, highest power first)."""
    point = _EXP[power]
    total = 0
    for symbol in symbols:
        total = _mul(total, point) ^ symbol
    return total


class CodeProblem(enum.Enum):
    """Why a typed code is not a code; the UI words each one."""

    EMPTY = "empty"
    LENGTH = "length"  # too short or too long (``found`` says how many characters)
    CHARACTER = "character"  # a character outside the alphabet (``position`` says which)
    CHECK = "check"  # the check characters do not match (``position``: the likeliest wrong one, or None)
    # A letter with Vietnamese marks (Đ, Ư, Á…): typed with a Vietnamese input method on (``position``: the first)
    INPUT_METHOD = "input_method"


@dataclass(frozen=True)
class CodeReading:
    """What a typed code reads as: ``code`` (canonical, no dashes) when good, else the problem."""

    code: str | None
    problem: CodeProblem | None = None
    position: int | None = None  # 1-based, counting the characters of the code, not the dashes
    found: int = 0

    @property
    def ok(self) -> bool:
        return self.code is not None


def new_code() -> str:
    """A fresh code, canonical (no dashes)."""
    data = [secrets.randbelow(32) for _ in range(DATA_LENGTH)]
    return "".join(ALPHABET[s] for s in data + _check_symbols(data))


def with_check(data: str) -> str:
    """``data`` (8 canonical characters) with its two check characters (tests and fixed demo codes)."""
    symbols = [ALPHABET.index(ch) for ch in data]
    if len(symbols) != DATA_LENGTH:
        raise ValueError(f"an enrolment code has {DATA_LENGTH} data characters, not {len(symbols)}")
    return data + "".join(ALPHABET[s] for s in _check_symbols(symbols))


def display(code: str) -> str:
    """``ABCDEFGHJK`` as staff read it out: ``ABCDE-FGHJK``."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def _ignored(ch: str) -> bool:
    """Grouping: any space (tabs and line breaks too), any dash, an invisible formatting character."""
    return ch.isspace() or ch == _MINUS or unicodedata.category(ch) in (_DASHES, _INVISIBLE)


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def vietnamese_letter(ch: str) -> bool:
    """A Latin letter with Vietnamese (or other) marks, or đ: what an input method makes of a code's keys."""
    if ch.isascii() or not unicodedata.category(ch).startswith("L"):
        return False
    return ch in _DOTLESS or unicodedata.normalize("NFD", ch)[0].isascii()


def code_characters(text: str) -> str:
    """``text`` without what reading ignores: grouping anywhere, punctuation around the code (NFC)."""
    kept = [ch for ch in unicodedata.normalize("NFC", text) if not _ignored(ch)]
    start, end = 0, len(kept)
    while start < end and _punctuation(kept[start]):
        start += 1
    while end > start and _punctuation(kept[end - 1]):
        end -= 1
    return "".join(kept[start:end])


def read_code(text: str) -> CodeReading:
    """Read what someone typed: the canonical code, or which problem and where."""
    symbols: list[int] = []
    for ch in code_characters(text):
        upper = ALIASES.get(ch.upper(), ch.upper())
        if len(upper) != 1 or upper not in ALPHABET:
            problem = CodeProblem.INPUT_METHOD if vietnamese_letter(ch) else CodeProblem.CHARACTER
            return CodeReading(None, problem, position=len(symbols) + 1)
        symbols.append(ALPHABET.index(upper))
    if not symbols:
        return CodeReading(None, CodeProblem.EMPTY)
    if len(symbols) != LENGTH:
        return CodeReading(None, CodeProblem.LENGTH, found=len(symbols))
    s1, s2 = _syndrome(symbols, 1), _syndrome(symbols, 2)
    if s1 == 0 and s2 == 0:
        return CodeReading("".join(ALPHABET[s] for s in symbols))
    position = None
    if s1 != 0 and s2 != 0:
        power = _LOG[_div(s2, s1)]  # one wrong symbol at x^power: s2 / s1 = a^power
        if power < LENGTH:
            position = LENGTH - power
    return CodeReading(None, CodeProblem.CHECK, position=position)
