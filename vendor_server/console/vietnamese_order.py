"""Vietnamese names in the order Vietnamese readers expect: the one sort key of the console's pages (the shop list,
the SLA report's staff, the fleet view's panels, :mod:`vendor_server.fleet.view` included).

Sorting by code point puts "Ánh Kim", "Ông Bảy" and "Đức Hạnh" after "Z" (their first letters are past ASCII),
and lower-case names after every capital.  The order here is the dictionaries' (and ICU's ``vi`` collation's):

1. the letters of the Vietnamese alphabet, each a letter of its own: a ă â b c d đ e ê g h i k l m n o ô ơ p q r
   s t u ư v x y, with the Latin letters Vietnamese borrows (f j w z) where Latin has them; a space or a mark
   before any letter (word by word: "An Khang" before "Anh Đào"), digits before letters; compared whatever the
   case;
2. then, for names equal so far, the tone marks letter by letter: none, huyền (à), hỏi (ả), ngã (ã), sắc (á),
   nặng (ạ), as in "ma, mà, mả, mã, má, mạ";
3. then the text itself, so two names that differ only in case still sort the same way every time.

The marks that make a letter (ă â ê ô ơ ư's breve, circumflex and horn) and the tone marks are told apart in the
text's decomposed form (NFD), so a name typed precomposed or decomposed sorts the same.
"""

from __future__ import annotations

import unicodedata

ALPHABET = ("a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô",
            "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z")
_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # none, huyền, hỏi, ngã, sắc, nặng
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONES) if mark}
_SHAPES = frozenset("\u0306\u0302\u031b")  # breve, circumflex, horn: part of the letter, not a tone

_MARK, _DIGIT, _LETTER, _OTHER = range(4)  # the classes of characters, in the order they sort

SortKey = tuple[tuple[tuple[int, int], ...], tuple[int, ...], str]


def vietnamese_key(text: str) -> SortKey:
    """The key that sorts ``text`` as described above (``sorted(names, key=vietnamese_key)``)."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    base = ""  # the letter the combining marks that follow belong to
    for char in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(char):
            if char in _TONE_RANK and tones:
                tones[-1] = _TONE_RANK[char]
            elif char in _SHAPES and base:
                base = unicodedata.normalize("NFC", base + char)  # a + breve: ă
                if base in _RANK:
                    letters[-1] = (_LETTER, _RANK[base])
            continue  # a mark Vietnamese does not use: ignored until the last tie-breaker
        base = char if char in _RANK else ""
        if base:
            letters.append((_LETTER, _RANK[char]))
        elif char.isdigit():
            letters.append((_DIGIT, ord(char)))
        elif char.isalpha():
            letters.append((_OTHER, ord(char)))
        else:
            letters.append((_MARK, ord(char)))
        tones.append(0)
    return tuple(letters), tuple(tones), text
