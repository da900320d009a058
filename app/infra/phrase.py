"""Sentences the Qt-free core says (check results, fix steps, device diagnoses), kept translatable.

The core speaks Vietnamese, the catalogue's source language.  A :class:`Phrase` *is* that Vietnamese text (a
``str``), so the command line, the check history, the PDF report and the vendor's fleet view get it as before;
it also keeps its source text, its context and the values filled into its %1, %2 …, so the window can say it
in the language it shows (``app.ui.i18n.said``).  Concatenating a phrase gives a plain ``str``: the window then
shows the Vietnamese, never a broken half translation.

Write ``say("Context", "Ổ đĩa %1 còn trống %2 GB").fill(label, number(free, 1))``.  lupdate reads ``say``
calls as ``translate`` calls (``tools/i18n.py`` passes ``-tr-function-alias translate+=say``), so the source
and the context must be literals, and the values come through :meth:`Phrase.fill`, never an f-string.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from app.infra.formatting import format_decimal

_MARKER = re.compile(r"%(\d{1,2})")  # Qt's %1 … %99


def fill_markers(text: str, values: Sequence[str]) -> str:
    """``text`` with its %1, %2 … replaced by ``values`` in order, in one pass.

    One pass, so a value that itself holds "%2" (a path, a mistyped settings key) is never filled in again.  A
    marker with no value stays as written, and so does a "%" not followed by a digit ("100%.").
    """

    def value(match: re.Match[str]) -> str:
        index = int(match[1]) - 1
        return values[index] if 0 <= index < len(values) else match[0]

    return _MARKER.sub(value, text)


class Number(str):
    """A decimal number for people: Vietnamese as a ``str`` ("79,5"), with its value kept for other languages."""

    value: float
    digits: int | None

    def __new__(cls, value: float, digits: int | None = 1) -> Number:
        self = super().__new__(cls, format_decimal(value, digits))
        self.value, self.digits = value, digits
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return Number, (self.value, self.digits)

    def written(self, decimal: str) -> str:
        """The number with ``decimal`` as its decimal sign ("." in English, where "," groups thousands)."""
        return format_decimal(self.value, self.digits, decimal=decimal)


def number(value: float, digits: int | None = 1) -> Number:
    """``number(79.53)`` is "79,5" here and "79.5" in an English window; ``digits=None``: as few as needed."""
    return Number(value, digits)


class Phrase(str):
    """A sentence in Vietnamese that remembers how it was made, so it can be said in another language.

    ``context`` and ``source`` are what lupdate filed it under; ``args`` are the values of its %1, %2 … in
    order, each a plain ``str`` (said as is: a name, a path, a date), a :class:`Number` or a nested ``Phrase``.
    """

    context: str
    source: str
    args: tuple[str, ...]
    disambiguation: str | None

    def __new__(cls, context: str, source: str, args: Sequence[str] = (), disambiguation: str | None = None) -> Phrase:
        values = tuple(args)
        self = super().__new__(cls, fill_markers(source, values))
        self.context, self.source, self.args, self.disambiguation = context, source, values, disambiguation
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # a str subclass would otherwise pickle as Phrase(text)
        return Phrase, (self.context, self.source, self.args, self.disambiguation)

    def fill(self, *args: str | int) -> Phrase:
        """This phrase with its %1, %2 … filled by ``args`` (whole numbers are said as digits)."""
        return Phrase(self.context, self.source, tuple(a if isinstance(a, str) else str(a) for a in args),
                      self.disambiguation)

    def to_json(self) -> str:
        return json.dumps(_tree(self), ensure_ascii=False, separators=(",", ":"))


def say(context: str, source: str, disambiguation: str | None = None) -> Phrase:
    """The phrase ``source`` (Vietnamese) under ``context``; literals only, as lupdate reads this call.

    ``disambiguation`` (a literal too) files a second English for the same Vietnamese: ``"one"`` is English's
    singular of a count, as the texts modules do (README, Translations):
    ``say("C", "%1 ngày qua", "one") if days == 1 else say("C", "%1 ngày qua")``.
    """
    return Phrase(context, source, (), disambiguation)


def _tree(value: str) -> object:
    if isinstance(value, Phrase):
        node = {"c": value.context, "s": value.source, "a": [_tree(arg) for arg in value.args]}
        return node if value.disambiguation is None else {**node, "m": value.disambiguation}
    if isinstance(value, Number):
        return {"n": value.value, "d": value.digits}
    return str(value)


def _from_tree(node: object) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and isinstance(node.get("c"), str) and isinstance(node.get("s"), str):
        args, disambiguation = node.get("a", []), node.get("m")
        if isinstance(args, list) and (disambiguation is None or isinstance(disambiguation, str)):
            return Phrase(node["c"], node["s"], tuple(_from_tree(arg) for arg in args), disambiguation)
    if isinstance(node, dict):
        value, digits = node.get("n"), node.get("d")
        digits_ok = digits is None or (isinstance(digits, int) and not isinstance(digits, bool) and 0 <= digits <= 12)
        # A number a person could read (no NaN, no 1e300: format_decimal cannot write those) and its decimals.
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
                and abs(value) < 1e15 and digits_ok:
            return Number(value, digits)
    raise ValueError("not a stored phrase")


def phrase_from_json(text: str | None, said: str, cut_at: int | None = None) -> str:
    """The phrase stored as ``text`` if it still says ``said``, else ``said`` as a plain ``str``.

    Stored phrases come from this app's own database, but an older or newer version may have written the row:
    anything that does not read back to the very words stored beside it is ignored, never guessed at.
    ``cut_at``: the words were stored cut to that many characters; a phrase that begins with them is its whole.
    """
    if not text:
        return said
    try:
        value = _from_tree(json.loads(text))
    except (ValueError, TypeError, RecursionError, ArithmeticError):
        return said
    if value == said or (cut_at is not None and len(said) == cut_at and value.startswith(said)):
        return value
    return said


def raised_with(exc: BaseException) -> str:
    """What ``exc`` was raised with, a phrase kept as one (``str(exc)`` would flatten it to its Vietnamese)."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)


def joined(parts: Sequence[str], separator: str = ", ") -> Phrase:
    """``parts`` said one after the other, each in the window's language ("%1, %2, %3", never translated itself)."""
    if len(parts) > 99:  # Qt's markers stop at %99
        parts = [*parts[:98], separator.join(parts[98:])]
    source = separator.join(f"%{index}" for index in range(1, len(parts) + 1))
    return Phrase("Phrase", source, tuple(parts))
