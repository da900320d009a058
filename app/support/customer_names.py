"""Customers' names in POS log lines, found for redaction.

A POS log names the customer after a label: "Khách Nguyễn Thị Lan", "Khách
hàng: Trần Văn Hùng (KH0002)", "KH0001 Lê Thị Mai Anh", "Người mua: NGUYỄN THỊ
LAN" (capitals, as on an e-invoice), ``customer="..."``, "Khách hàng: bà
Nguyễn Thị Lan" (a lowercase honorific is skipped).  A name is 2 to 6 words,
all capitalised alike, one or two spaces apart; one word alone ("Khách Lan") is
too often an ordinary word.  Unlabelled names (the shop's contact, a technician
in the audit log) are not customers and stay.  A name already masked (``Nguyễn
Thị L***``, as :func:`app.updates.compliance.mask_name` writes it) is not found
again.  The text is read composed (Unicode NFC, as
:func:`app.support.redaction.redact_text` hands it over): a combining mark is
no word character for the pattern.
"""

from __future__ import annotations

import re

__all__ = ["find_customer_names"]

MASK = "***"  # what a masked name ends with (app.updates.compliance.mask_name)

# The label, then optionally the customer's code ("Khách KH0003 - ") and a lowercase honorific
# ("bà", "anh": a capitalised "Bà" may as well be a name, and is masked with it); the name itself is
# read word by word (_name_after), since Python's re has no class for "a capital letter".
_CUSTOMER_LABEL = re.compile(
    r"(?:(?<!\w)(?i:(?:tên[ \t]+)?khách(?:[ \t]+hàng)?|(?:ten[ \t]+)?khach(?:[ \t_]+hang)?|tên[ \t]+kh"
    r"|người[ \t]+(?:mua|bán)|họ(?:[ \t]+và)?[ \t]+tên|customer(?:[ _]?name)?|ten_kh|ho_ten)"
    r"|(?<!\w)KH(?:[0-9]{1,8})?)(?!\w)"
    r"[\"']?[ \t]*[:=\-–]?[ \t]*[\"']?[ \t]*(?:\(?KH[0-9]{1,8}\)?[ \t]*[:\-–]?[ \t]*)?"
    r"(?:(?:ông|bà|anh|chị|cô|chú|bác|em)[ \t]+)?"
)
_WORD = re.compile(r"[^\W\d_]+")
# Between two words of a name: one space, or two (a POS joining family name, an empty middle name and
# given name writes "Phạm  Văn Đồng").  A wider gap or a tab is a fixed-width log's next column.
_BETWEEN_WORDS = re.compile(r" {1,2}(?=\S)")
_NAME_WORDS = (2, 6)  # a Vietnamese full name; one word alone is too often an ordinary word


def find_customer_names(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each labelled customer's name, in order and not overlapping."""
    spans: list[tuple[int, int]] = []
    for label in _CUSTOMER_LABEL.finditer(text):
        span = _name_after(text, label.end())
        if span is not None and (not spans or span[0] >= spans[-1][1]):
            spans.append(span)
    return spans


def _name_after(text: str, start: int) -> tuple[int, int] | None:
    """The span of the capitalised words (a person's name) at ``start``; None if too few or already masked."""
    words: list[tuple[int, int]] = []
    position = start
    style = None  # "Nguyễn Thị Lan", or in capitals as printed on an e-invoice ("NGUYỄN THỊ LAN")
    while len(words) < _NAME_WORDS[1]:
        word = _WORD.match(text, position)
        word_style = None if word is None else _name_style(word.group())
        if word is None or word_style is None or (word_style != "initial" and style not in (None, word_style)):
            break
        style = style if word_style == "initial" else word_style
        words.append(word.span())
        position = word.end()
        if text.startswith(MASK, position):
            return None  # "Nguyễn Thị L***": masked before
        gap = _BETWEEN_WORDS.match(text, position)
        if gap is None or (gap.end() - gap.start() == 2 and not _name_goes_on(text, gap.end(), style)):
            break
        position = gap.end()
    if len(words) < _NAME_WORDS[0]:
        return None
    return words[0][0], words[-1][1]


def _name_goes_on(text: str, position: int, style: str | None) -> bool:
    """After a double space: whether the name goes on there (a word of its style, then one space and another).

    A double space inside a name ("Phạm  Văn Đồng") has name words on both sides; one after a name is a
    fixed-width log's next column ("Nguyễn Văn An  Thanh toán"), whose first word may be capitalised too.
    """
    word = _WORD.match(text, position)
    if word is None or _name_style(word.group()) not in ("initial", style):
        return False
    after = word.end()
    following = _WORD.match(text, after + 1) if text[after:after + 1] == " " else None
    return following is not None and _name_style(following.group()) in ("initial", style)


def _name_style(word: str) -> str | None:
    """How a word that can be part of a name is written: title, upper, or initial (fits both); else None."""
    if not word[0].isupper():
        return None
    if len(word) == 1:
        return "initial"
    if word.isupper():
        return "upper"
    return "title" if word[1:].islower() else None
