"""What a US-layout scanner's keystrokes become under another Windows layout.

A USB scanner in keyboard mode does not send characters: it sends key
positions (HID usages), chosen as if the PC had a US keyboard.  Windows then
turns each position into a character with whatever layout is active.  So a
scanner on a French AZERTY till types ``&é"'(-è_çà`` for ``1234567890`` and a
German QWERTZ till swaps Y and Z.  Vietnamese tills meet this when Windows'
own *Vietnamese* keyboard (the "VIE" indicator) is left on: its number row
types ă â ê ô đ and tone marks, so an EAN-13 turns into letters and accents.

``retype(text, layout)`` replays that for the printable ASCII a scanner sends.
Tables follow Microsoft's KBDFR, KBDGR and KBDVNTC layouts:

* dead keys (French ``^ ¨``, German ``^ ´ ```) wait for the next key: with a
  vowel they compose (``^`` + ``e`` -> ``ê``); with a space or anything else
  the accent itself is typed (followed by that key);
* positions a layout leaves empty (French Shift+``²``, i.e. US ``~``) type
  nothing;
* Vietnamese tone keys type *combining* marks after the previous character,
  exactly as the keyboard does (no normalisation here: compare with NFC);
* anything outside the US key map (control keys such as Enter, non-ASCII)
  passes through unchanged.  Caps Lock is not modelled here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# US key positions: for each row, the unshifted and the shifted characters.
_US_ROWS: tuple[tuple[str, str], ...] = (
    ("`1234567890-=", "~!@#$%^&*()_+"),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
    ("asdfghjkl;'", 'ASDFGHJKL:"'),
    ("zxcvbnm,./", "ZXCVBNM<>?"),
)


@dataclass(frozen=True, slots=True)
class _Dead:
    """A dead key: ``combining`` is applied to the next vowel."""

    combining: str
    spacing: str  # what it types on its own
    composes: str  # the base letters Windows composes it with


_DEAD = {
    "dead^": _Dead("\u0302", "^", "aeiouAEIOU"),
    "dead¨": _Dead("\u0308", "¨", "aeiouyAEIOU"),
    "dead´": _Dead("\u0301", "´", "aeiouyAEIOUY"),
    "dead`": _Dead("\u0300", "`", "aeiouAEIOU"),
}
_NOTHING = "none"

# Each layout: per row, space-separated tokens for unshifted and shifted keys,
# in the same key order as _US_ROWS.  Tokens "dead…" are dead keys.
_LAYOUT_ROWS: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (
        ("² & é \" ' ( - è _ ç à ) =", "none 1 2 3 4 5 6 7 8 9 0 ° +"),
        ("a z e r t y u i o p dead^ $ *", "A Z E R T Y U I O P dead¨ £ µ"),
        ("q s d f g h j k l m ù", "Q S D F G H J K L M %"),
        ("w x c v b n , ; : !", "W X C V B N ? . / §"),
    ),
    "de": (
        ("dead^ 1 2 3 4 5 6 7 8 9 0 ß dead´", "° ! \" § $ % & / ( ) = ? dead`"),
        ("q w e r t z u i o p ü + #", "Q W E R T Z U I O P Ü * '"),
        ("a s d f g h j k l ö ä", "A S D F G H J K L Ö Ä"),
        ("y x c v b n m , . -", "Y X C V B N M ; : _"),
    ),
    # Windows "Vietnamese" keyboard: 5-9 type combining grave, hook above,
    # tilde, acute and dot below, shifted or not.
    "vi": (
        ("` ă â ê ô \u0300 \u0309 \u0303 \u0301 \u0323 đ - ₫",
         "~ Ă Â Ê Ô \u0300 \u0309 \u0303 \u0301 \u0323 Đ _ +"),
        ("q w e r t y u i o p ư ơ \\", "Q W E R T Y U I O P Ư Ơ |"),
        ("a s d f g h j k l ; '", 'A S D F G H J K L : "'),
        ("z x c v b n m , . /", "Z X C V B N M < > ?"),
    ),
}

LAYOUTS: tuple[str, ...] = ("fr", "de", "vi")
"""Layouts :func:`retype` knows besides ``us`` (the identity)."""

LAYOUT_NAMES: Mapping[str, str] = MappingProxyType({
    "fr": "French (AZERTY)",
    "de": "German (QWERTZ)",
    "vi": "Vietnamese (Windows keyboard)",
})

_ALIASES = {
    "us": "us", "en-us": "us", "qwerty": "us",
    "fr": "fr", "fr-fr": "fr", "azerty": "fr", "french": "fr",
    "de": "de", "de-de": "de", "qwertz": "de", "german": "de",
    "vi": "vi", "vi-vn": "vi", "vietnamese": "vi",
}


def _build(rows: tuple[tuple[str, str], ...]) -> dict[str, str]:
    table: dict[str, str] = {" ": " "}
    for (us_plain, us_shift), (plain, shift) in zip(_US_ROWS, rows, strict=True):
        for us_keys, tokens in ((us_plain, plain), (us_shift, shift)):
            outs = tokens.split(" ")
            if len(outs) != len(us_keys):
                raise AssertionError(f"layout row {tokens!r} has {len(outs)} keys, expected {len(us_keys)}")
            for us_char, out in zip(us_keys, outs, strict=True):
                table[us_char] = out
    return table


_TABLES: dict[str, dict[str, str]] = {name: _build(rows) for name, rows in _LAYOUT_ROWS.items()}


def canonical_layout(layout: str) -> str:
    """``"AZERTY"`` -> ``"fr"``; raises ValueError for a layout not modelled."""
    try:
        return _ALIASES[layout.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown keyboard layout {layout!r}") from None


def retype(text: str, layout: str) -> str:
    """The characters Windows produces from a US scanner typing ``text``."""
    name = canonical_layout(layout)
    if name == "us":
        return text
    table = _TABLES[name]
    out: list[str] = []
    pending: _Dead | None = None
    for ch in text:
        token = table.get(ch, ch)
        if token == _NOTHING:
            continue
        dead = _DEAD.get(token)
        if dead is not None:
            if pending is not None:  # two dead keys: both accents are typed
                out.append(pending.spacing + dead.spacing)
                pending = None
            else:
                pending = dead
            continue
        if pending is not None:
            if token == " ":
                out.append(pending.spacing)
            elif token in pending.composes:
                out.append(unicodedata.normalize("NFC", token + pending.combining))
            else:
                out.append(pending.spacing + token)
            pending = None
            continue
        out.append(token)
    if pending is not None:
        out.append(pending.spacing)
    return "".join(out)
