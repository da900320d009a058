"""Whole numbers written as text by someone else: a port, a header, a form field, a version part, a file name.

``str.isdigit()`` is true for "²", "①" and the Arabic-Indic "٣"; ``int()`` refuses the first two with a
ValueError and reads the last as 3.  So ``int(x) if x.isdigit()`` turns one odd character into a crash (a 500
on the console, a health check ended in error, a USB copy that could not be worded).  Text from outside is
read here instead: ASCII digits or nothing.
"""

from __future__ import annotations


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more of the characters 0-9."""
    return text.isascii() and text.isdigit()


def natural(text: str) -> int | None:
    """``text`` as a whole number if it is written in ASCII digits only (no sign, no space), else None."""
    return int(text) if ascii_digits(text) else None
